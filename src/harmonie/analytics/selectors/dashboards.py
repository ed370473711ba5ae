"""Reads of the dashboards other than the objectives one: cadence compliance, pillar mix, global vs local, best time
to post, paid/owned/earned. Each reads the actor's scope (``kpis.resolve_scope``) and a constant number of aggregate
queries, whatever the number of channels or posts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from harmonie.analytics.dictionary import network_metrics
from harmonie.analytics.kpis.compute import (
    HUNDRED,
    days_between,
    engagement_rate,
    median,
    q2,
)
from harmonie.analytics.kpis.data import ChannelInfo, Scope, load_figures, period_dates, resolve_scope
from harmonie.analytics.models.tracking import MediaType
from harmonie.content.models import Post
from harmonie.content.states import PostStatus
from harmonie.core.errors import NotFound
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor
from harmonie.strategy.models import CadenceTarget, ContentPillar

BEST_TIME_MIN_POSTS = 20


def _utc_bounds(scope: Scope, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = scope.timezone
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone),
    )


def _published(scope: Scope, start: dt.date, end: dt.date) -> Q:
    """Published posts of the scope's channels, placed at their publication time (``scheduled_at``)."""
    lo, hi = _utc_bounds(scope, start, end)
    q = Q(organization=scope.organization, status=PostStatus.PUBLISHED, scheduled_at__gte=lo, scheduled_at__lt=hi)
    return q if scope.whole_org else q & Q(channel_id__in=[c.id for c in scope.channels])


# --- cadence ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CadenceRow:
    channel: ChannelInfo
    target_per_week: Decimal | None
    published: int
    per_week: Decimal
    compliance: Decimal | None  # percent of the target

    @property
    def status(self) -> str:
        if self.compliance is None:
            return "no_target"
        if self.compliance < 90:
            return "below"
        if self.compliance > 150:
            return "above"
        return "on_target"


@dataclass
class Cadence:
    scope: Scope
    start: dt.date
    end: dt.date
    weeks: Decimal
    rows: list[CadenceRow]


def cadence_compliance(
    *,
    actor: Actor,
    market: Market | int | None = None,
    period: str = "custom",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> Cadence:
    """Posts published per week on each channel vs its cadence target, over the period."""
    scope = resolve_scope(actor=actor, market=market)
    start, end, today = period_dates(scope, period=period, start=start, end=end, today=today)
    ids = [c.id for c in scope.channels]
    targets = dict(
        CadenceTarget.objects.filter(channel__organization=scope.organization, channel_id__in=ids).values_list(
            "channel_id", "posts_per_week"
        )
    )
    counts = dict(
        Post.objects.filter(_published(scope, start, end))
        .order_by()
        .values("channel_id")
        .annotate(n=Count("id"))
        .values_list("channel_id", "n")
    )
    weeks = Decimal(days_between(start, end)) / 7
    rows = []
    for c in scope.channels:
        published = counts.get(c.id, 0)
        per_week = q2(published / weeks)
        target = targets.get(c.id)
        if target is None and not published and not c.is_active:
            continue
        compliance = q2(per_week / target * HUNDRED) if target else None
        rows.append(CadenceRow(c, target, published, per_week, compliance))
    return Cadence(scope=scope, start=start, end=end, weeks=q2(weeks), rows=rows)


# --- pillar mix ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PillarRow:
    name: str
    target_share: Decimal | None
    published: int
    share: Decimal  # percent of the period's published posts
    gap: Decimal | None  # share − target, in points


@dataclass
class PillarMix:
    scope: Scope
    start: dt.date
    end: dt.date
    total: int
    rows: list[PillarRow]


def pillar_mix(
    *,
    actor: Actor,
    market: Market | int | None = None,
    period: str = "custom",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> PillarMix:
    """Published posts per content pillar (their master content's pillar) vs each pillar's target share."""
    scope = resolve_scope(actor=actor, market=market)
    start, end, today = period_dates(scope, period=period, start=start, end=end, today=today)
    pillars = list(ContentPillar.objects.filter(organization=scope.organization).order_by("position", "name"))
    counts: dict[int | None, int] = dict(
        Post.objects.filter(_published(scope, start, end))
        .order_by()
        .values("master__pillar_id")
        .annotate(n=Count("id"))
        .values_list("master__pillar_id", "n")
    )
    total = sum(counts.values())

    def share(count: int) -> Decimal:
        return q2(Decimal(count) / total * HUNDRED) if total else Decimal(0)

    rows = [
        PillarRow(
            p.name,
            p.target_share,
            counts.get(p.pk, 0),
            share(counts.get(p.pk, 0)),
            q2(share(counts.get(p.pk, 0)) - p.target_share) if total else None,
        )
        for p in pillars
    ]
    if counts.get(None):
        rows.append(PillarRow(_("No pillar"), None, counts[None], share(counts[None]), None))
    return PillarMix(scope=scope, start=start, end=end, total=total, rows=rows)


# --- global vs local ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceRow:
    channel: ChannelInfo
    is_global: bool
    followers: int | None
    engagement_rate: Decimal | None
    definition: str


@dataclass(frozen=True)
class ClaimPart:
    holds: bool | None  # None: cannot tell (a side has no channel with the figure)
    global_median: Decimal | None
    local_median: Decimal | None


@dataclass
class GlobalLocal:
    scope: Scope
    start: dt.date
    end: dt.date
    rows: list[AudienceRow]
    audience: ClaimPart  # global channels reach larger audiences
    engagement: ClaimPart  # … with a lower engagement rate


def _claim(global_values: list[Decimal], local_values: list[Decimal], *, global_larger: bool) -> ClaimPart:
    g, loc = median(global_values), median(local_values)
    if g is None or loc is None:
        return ClaimPart(None, g, loc)
    return ClaimPart(g > loc if global_larger else g < loc, q2(g), q2(loc))


def global_vs_local(
    *,
    actor: Actor,
    market: Market | int | None = None,
    period: str = "custom",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> GlobalLocal:
    """Seed 000's claim on the organization's own data: channels run globally (owned by the root market) reach
    larger audiences (median followers at the end of the period) with a lower engagement rate (median of the
    channels' rates, each by its network's definition) than channels run locally (owned by any other market)."""
    scope = resolve_scope(actor=actor, market=market)
    start, end, today = period_dates(scope, period=period, start=start, end=end, today=today)
    figures = load_figures(scope=scope, start=start, end=end, parts=frozenset())
    rows = []
    for c in scope.channels:
        t = figures.channel_totals[c.id]
        rate = engagement_rate(t)
        rows.append(
            AudienceRow(
                channel=c,
                is_global=c.owner_path == scope.root.path,
                followers=t.followers_last,
                engagement_rate=q2(rate) if rate is not None else None,
                definition=str(network_metrics(c.network).definition),
            )
        )

    def values(is_global: bool, attr: str) -> list[Decimal]:
        return [Decimal(getattr(r, attr)) for r in rows if r.is_global == is_global and getattr(r, attr) is not None]

    return GlobalLocal(
        scope=scope,
        start=start,
        end=end,
        rows=rows,
        audience=_claim(values(True, "followers"), values(False, "followers"), global_larger=True),
        engagement=_claim(values(True, "engagement_rate"), values(False, "engagement_rate"), global_larger=False),
    )


# --- best time to post --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    hour: int
    posts: int
    mean_engagement: Decimal


@dataclass
class BestTime:
    scope: Scope
    channel: ChannelInfo | None
    channels: list[ChannelInfo]
    posts: int  # published posts with collected metrics
    enough: bool
    grid: list[list[Decimal | None]]  # [weekday][hour] mean interactions per post
    best: list[Slot]
    min_posts: int = BEST_TIME_MIN_POSTS


def best_time(*, actor: Actor, market: Market | int | None = None, channel: int | None = None) -> BestTime:
    """A channel's weekday × hour grid (in the channel's time zone) of the mean interactions per published post,
    from its own history: each post's latest counts (likes + reposts + replies + quotes + saves)."""
    scope = resolve_scope(actor=actor, market=market)
    chosen = None
    if channel is not None:
        chosen = next((c for c in scope.channels if c.id == channel), None)
        if chosen is None:
            raise NotFound(_("No such channel among the channels you may analyse."))
    elif scope.channels:
        chosen = scope.channels[0]
    grid: list[list[Decimal | None]] = [[None] * 24 for _day in range(7)]
    if chosen is None:
        return BestTime(scope, None, scope.channels, 0, False, grid, [])
    interactions = sum(
        (
            Coalesce(f"metric_snapshots__{name}", Value(0))
            for name in ("likes", "reposts", "replies", "quotes", "saves")
        ),
        start=Value(0),
    )
    rows = (
        Post.objects.filter(
            organization=scope.organization,
            channel_id=chosen.id,
            status=PostStatus.PUBLISHED,
            scheduled_at__isnull=False,
        )
        .annotate(eng=Max(interactions))
        .filter(eng__isnull=False)
        .values_list("scheduled_at", "eng")
    )
    zone = ZoneInfo(chosen.timezone)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    count = 0
    for at, eng in rows:
        if at is None:
            continue
        local = at.astimezone(zone)
        cells[(local.weekday(), local.hour)].append(int(eng))
        count += 1
    for (weekday, hour), values in cells.items():
        grid[weekday][hour] = q2(Decimal(sum(values)) / len(values))
    enough = count >= BEST_TIME_MIN_POSTS
    best: list[Slot] = []
    if enough:
        ranked = sorted(
            ((Decimal(sum(v)) / len(v), -wd, -h, wd, h, len(v)) for (wd, h), v in cells.items() if len(v) >= 2),
            reverse=True,
        )
        best = [Slot(wd, h, n, q2(mean)) for mean, _a, _b, wd, h, n in ranked[:3]]
    return BestTime(scope, chosen, scope.channels, count, enough, grid, best)


# --- paid / owned / earned ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaRow:
    media_type: str
    label: str
    spend: dict[str, Decimal]  # currency -> amount in the period
    results: Decimal  # interactions (see ``media_breakdown``)
    clicks: Decimal
    cost_per_result: dict[str, Decimal | None]


@dataclass
class MediaBreakdown:
    scope: Scope
    start: dt.date
    end: dt.date
    rows: list[MediaRow]


def media_breakdown(
    *,
    actor: Actor,
    market: Market | int | None = None,
    period: str = "custom",
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> MediaBreakdown:
    """Spend, results and cost per result by media type. Results are interactions, split so nothing counts twice:
    paid = the engagements the ad managers report with the spend entries; owned = likes, replies and saves on the
    channels' posts; earned = reposts and quotes of those posts (people passing them on; mentions join once
    listening exists). Spend entries are prorated by days to the period; currencies are never added together."""
    scope = resolve_scope(actor=actor, market=market)
    start, end, today = period_dates(scope, period=period, start=start, end=end, today=today)
    figures = load_figures(scope=scope, start=start, end=end, parts=frozenset({"spend"}))
    totals = figures.channel_totals.values()
    owned = Decimal(sum(t.likes + t.replies + t.saves for t in totals))
    earned = Decimal(sum(t.reposts + t.quotes for t in totals))
    organic_clicks = Decimal(sum(t.clicks for t in totals))
    spend: dict[str, dict[str, Decimal]] = {m: defaultdict(Decimal) for m in MediaType.values}
    paid_results = Decimal(0)
    paid_clicks = Decimal(0)
    for row in figures.spend:
        spend[row.media_type][row.currency] += row.amount
        if row.media_type == MediaType.PAID:
            paid_results += row.engagements
            paid_clicks += row.clicks
    results = {MediaType.PAID: paid_results, MediaType.OWNED: owned, MediaType.EARNED: earned}
    clicks = {MediaType.PAID: paid_clicks, MediaType.OWNED: organic_clicks, MediaType.EARNED: Decimal(0)}
    rows = []
    for media in MediaType:
        amounts = {cur: q2(v) for cur, v in sorted(spend[media].items())}
        res = q2(results[media])
        rows.append(
            MediaRow(
                media_type=media.value,
                label=str(media.label),
                spend=amounts,
                results=res,
                clicks=q2(clicks[media]),
                cost_per_result={cur: (q2(v / res) if res else None) for cur, v in amounts.items()},
            )
        )
    return MediaBreakdown(scope=scope, start=start, end=end, rows=rows)


# --- response time ------------------------------------------------------------------------------------------------


@dataclass
class ResponseTime:
    """First response time and response rate are measured from the inbox, which does not exist yet."""

    scope: Scope
    available: bool = False


def response_time(*, actor: Actor, market: Market | int | None = None) -> ResponseTime:
    return ResponseTime(scope=resolve_scope(actor=actor, market=market))
