"""Pure KPI arithmetic: no database, no clock. Everything here takes aggregated figures and returns Decimals."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property, lru_cache

from django.utils.translation import gettext_lazy as _

from harmonie.analytics.dictionary import INTERACTIONS, Denominator, network_metrics

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Rounded to two decimals, half up (what the tables show)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Status(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"
    NO_DATA = "no_data"
    NOT_MEASURED = "not_measured"


STATUS_LABELS = {
    Status.MET: _("Met"),
    Status.ON_TRACK: _("On track"),
    Status.BEHIND: _("Behind"),
    Status.MISSED: _("Missed"),
    Status.NO_DATA: _("No data"),
    Status.NOT_MEASURED: _("Not measured yet"),
}


@dataclass(frozen=True)
class ChannelTotals:
    """One channel's figures over a period (sums of ChannelDailyStat days; followers at both ends)."""

    channel_id: int
    network: str
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    impressions: int = 0
    views: int = 0
    clicks: int = 0
    saves: int = 0
    posts: int = 0
    followers_first: int | None = None
    followers_last: int | None = None

    @cached_property
    def interactions(self) -> int:
        return sum(getattr(self, name) for name in INTERACTIONS)

    @cached_property
    def displays(self) -> int:
        """Times posts were displayed: impressions, plus views where views replaced impressions."""
        spec = network_metrics(self.network)
        return self.impressions + (self.views if spec.views_are_displays else 0)

    @cached_property
    def video_views(self) -> int:
        spec = network_metrics(self.network)
        return 0 if spec.views_are_displays else self.views


def engagement_rate(totals: ChannelTotals) -> Decimal | None:
    """The channel's engagement rate in percent, by its network's definition (see ``dictionary``); None when the
    denominator is missing or zero (never a made-up zero)."""
    spec = network_metrics(totals.network)
    interactions = Decimal(totals.interactions)
    if spec.denominator is Denominator.FOLLOWERS:
        if not totals.posts or not totals.followers_last:
            return None
        return interactions / totals.posts / totals.followers_last * HUNDRED
    denominator = totals.impressions if spec.denominator is Denominator.IMPRESSIONS else totals.views
    if not denominator:
        return None
    return interactions / denominator * HUNDRED


def first_party_clicks_count(network: str | None) -> bool:
    """Whether first-party short-link clicks of a link attached to a channel of ``network`` add to ``clicks``:
    only when the network gives no click count (Bluesky, Mastodon, Facebook, Instagram, Threads, YouTube,
    TikTok); where it does (X, LinkedIn, Pinterest) its link clicks already include them. Links without a
    channel (``network`` None: manual links, QR codes) always count."""
    return network is None or "clicks" not in network_metrics(network).counts


def mean_rate(rates: Iterable[Decimal | None]) -> Decimal | None:
    """Several channels' rates: the plain mean of the defined ones (each channel counts once, whatever its size)."""
    defined = [r for r in rates if r is not None]
    return sum(defined, Decimal(0)) / len(defined) if defined else None


def follower_growth(first: int | None, last: int | None) -> Decimal | None:
    """Percent change from the first to the last follower count of the period."""
    if first is None or last is None or first == 0:
        return None
    return Decimal(last - first) / first * HUNDRED


def ratio_percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    return Decimal(numerator) / Decimal(denominator) * HUNDRED if denominator else None


def median(values: Sequence[Decimal | int]) -> Decimal | None:
    return statistics.median([Decimal(v) for v in values]) if values else None


def days_between(start: dt.date, end: dt.date) -> int:
    """Days from start to end, both included."""
    return (end - start).days + 1


def overlap_days(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> int:
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days + 1)


def prorated(amount: Decimal, *, share_days: int, total_days: int) -> Decimal:
    """``amount`` spread evenly over ``total_days``: the part falling on ``share_days`` of them."""
    return amount * share_days / total_days if total_days else Decimal(0)


def percent_of_target(actual: Decimal | None, target: Decimal, *, direction: str) -> Decimal | None:
    """How far the actual is toward the target, 100 = reached. For "down" metrics (lower is better) the ratio is
    inverted (target ÷ actual), so above 100 still means better than the target."""
    if actual is None:
        return None
    if direction == "down":
        return target / actual * HUNDRED if actual else None
    return actual / target * HUNDRED if target else None


def kpi_status(
    *,
    actual: Decimal | None,
    target: Decimal,
    baseline: Decimal | None,
    direction: str,
    cumulative: bool,
    elapsed: Decimal,
    finished: bool,
) -> Status:
    """met / on track / behind / missed.

    ``target`` is the target for the period shown (already prorated for cumulative metrics); ``elapsed`` is the
    share of that period gone by (0..1); ``finished``: the period is over. Met: the actual reached the target
    (at most the target for "down" metrics). Otherwise a finished period is missed; an ongoing one is on track when
    the actual is where a straight line from the start would put it: ``target × elapsed`` for cumulative
    metrics, ``baseline + (target − baseline) × elapsed`` for levels and rates (behind when there is no baseline).
    """
    if actual is None:
        return Status.NO_DATA
    down = direction == "down"
    if (actual <= target) if down else (actual >= target):
        return Status.MET
    if finished:
        return Status.MISSED
    if cumulative:
        expected: Decimal | None = target * elapsed
    elif baseline is not None:
        expected = baseline + (target - baseline) * elapsed
    else:
        expected = None
    if expected is not None and ((actual <= expected) if down else (actual >= expected)):
        return Status.ON_TRACK
    return Status.BEHIND


def cumulative(values: Sequence[Decimal | int]) -> list[Decimal]:
    total = Decimal(0)
    out = []
    for v in values:
        total += Decimal(v)
        out.append(total)
    return out


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def granularity_for(start: dt.date, end: dt.date) -> Granularity:
    """Chart points: one a day up to 31 days, one a month beyond (weeks stay available to ``bucket_of`` callers,
    but the dashboards do not use them: grouping daily rows by week needs a per-row date function, slow on
    SQLite)."""
    return Granularity.DAY if days_between(start, end) <= 31 else Granularity.MONTH


def bucket_of(day: dt.date, granularity: Granularity, period_start: dt.date) -> dt.date:
    """The first day of ``day``'s bucket (Monday of its week, first of its month), never before the period."""
    if granularity is Granularity.WEEK:
        first = day - dt.timedelta(days=day.weekday())
    elif granularity is Granularity.MONTH:
        first = day.replace(day=1)
    else:
        first = day
    return max(first, period_start)


def buckets(start: dt.date, end: dt.date, granularity: Granularity) -> list[dt.date]:
    return list(_buckets(start, end, granularity))


@lru_cache(maxsize=64)
def _buckets(start: dt.date, end: dt.date, granularity: Granularity) -> tuple[dt.date, ...]:
    out: list[dt.date] = []
    day = start
    while day <= end:
        b = bucket_of(day, granularity, start)
        if not out or out[-1] != b:
            out.append(b)
        day += dt.timedelta(days=1)
    return tuple(out)
