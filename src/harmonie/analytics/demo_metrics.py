"""A year of plausible metrics for the demo organization, so that every dashboard has something true to show.

For each demo channel (read from the database), the 365 days up to yesterday in the channel's time zone:

* followers growing a little every day, with noise (global channels start with far larger audiences);
* about two published posts a week, at hours and on weekdays that vary, each with a lifetime of interactions that
  depends on the audience, the network, the weekday and the hour (mornings and early evenings do better, weekends
  worse) — global channels reach more people but engage a smaller share of them than local channels (roughly half
  the rate, varying by network), which is the seed's claim the global-vs-local dashboard checks;
* each post's interactions land on the channel's daily stats over the days after it went out (60 % the first day),
  and its snapshots are the running totals on its collection days (days 0, 1, 2, 7, 30, then yesterday);
* the channels' monthly sums (``ChannelMonthlyStat``) are rebuilt from those days.

The posts are real ``content.Post`` rows of the demo's masters (status published, with a published ``Publication``
without a remote id: they were never on a network, so collection leaves them alone). Deterministic (a seeded random)
and written with ``bulk_create``: about a second for the demo's 14 channels.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from harmonie.analytics.models import ChannelDailyStat, PostMetricSnapshot
from harmonie.analytics.models.metrics import COUNTS
from harmonie.analytics.services.collection import channel_months_rebuild
from harmonie.content.models import Localization, MasterContent, Post
from harmonie.content.states import PostStatus
from harmonie.governance.models import Channel, Organization
from harmonie.publishing.models import Publication
from harmonie.publishing.states import PublicationStatus

SEED = 20260003
#: The demo publications' keys start with this (how a second load knows they are there).
KEY_PREFIX = "demo-"
DAYS = 365
POSTS_PER_WEEK = 2
#: Share of a post's lifetime interactions gained on the days after it went out (day 0, 1, 2, 3).
SPREAD = (0.60, 0.25, 0.10, 0.05)
SNAPSHOT_DAYS = (0, 1, 2, 7, 30)
WEEKDAY = (1.0, 1.1, 1.1, 1.05, 0.85, 0.55, 0.5)  # Monday first


@dataclass(frozen=True)
class NetworkProfile:
    followers_global: int  # a global channel's audience a year ago
    followers_local: int
    rate: float  # a local channel's interactions per post, as a share of its followers
    global_factor: float  # how much lower a global channel's rate is
    shares: dict[str, float]  # each figure per interaction; absent: the network does not give it


PROFILES = {
    "linkedin": NetworkProfile(84_000, 6_500, 0.021, 0.48,
                               {"likes": 0.78, "reposts": 0.08, "replies": 0.14, "impressions": 32, "clicks": 0.9}),
    "x": NetworkProfile(61_000, 9_000, 0.009, 0.55,
                        {"likes": 0.7, "reposts": 0.16, "replies": 0.1, "quotes": 0.04, "impressions": 70,
                         "clicks": 0.6}),
    "bluesky": NetworkProfile(12_500, 2_300, 0.034, 0.52, {"likes": 0.72, "reposts": 0.15, "replies": 0.1,
                                                           "quotes": 0.03}),
    "youtube": NetworkProfile(38_000, 4_000, 0.015, 0.6, {"likes": 0.86, "replies": 0.14, "views": 24}),
    "mastodon": NetworkProfile(9_000, 1_800, 0.03, 0.55, {"likes": 0.66, "reposts": 0.24, "replies": 0.1}),
    "facebook": NetworkProfile(70_000, 12_000, 0.011, 0.5,
                               {"likes": 0.8, "reposts": 0.07, "replies": 0.13, "impressions": 45, "clicks": 0.7}),
    "instagram": NetworkProfile(55_000, 14_000, 0.032, 0.45,
                                {"likes": 0.9, "replies": 0.07, "impressions": 22, "saves": 0.03}),
    "threads": NetworkProfile(20_000, 5_000, 0.022, 0.5, {"likes": 0.8, "reposts": 0.08, "replies": 0.12,
                                                          "quotes": 0.02}),
}  # fmt: skip
DEFAULT_PROFILE = PROFILES["linkedin"]


def hour_factor(hour: int) -> float:
    """Mornings (around 10:00) and early evenings (around 18:00) do best."""
    return 0.55 + 0.55 * math.exp(-((hour - 10) ** 2) / 6) + 0.3 * math.exp(-((hour - 18) ** 2) / 4)


Planned = tuple[Post, Publication, dict[str, int | None], Channel]


def _publish(day_rows: dict[dt.date, ChannelDailyStat], day: dt.date, lifetime: dict[str, int | None]) -> None:
    """A post's interactions on the channel's days after it went out (``SPREAD``)."""
    day_rows[day].posts_published += 1
    for lag, part in enumerate(SPREAD):
        row = day_rows.get(day + dt.timedelta(days=lag))
        if row is None:
            continue
        for k, value in lifetime.items():
            if value:
                setattr(row, k, getattr(row, k) + round(value * part))


def _channel_year(org: Organization, channel: Channel, masters: list[MasterContent], *,
                  locs: dict[tuple[int, int], Localization], rng: random.Random,
                  now: dt.datetime) -> tuple[list[ChannelDailyStat], list[Planned]]:  # fmt: skip
    profile = PROFILES.get(channel.network, DEFAULT_PROFILE)
    is_global = channel.owner_market.parent_id is None
    tz = zoneinfo.ZoneInfo(channel.timezone)
    yesterday = now.astimezone(tz).date() - dt.timedelta(days=1)
    days = [yesterday - dt.timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    followers = (profile.followers_global if is_global else profile.followers_local) * rng.uniform(0.8, 1.2)
    growth = rng.uniform(0.0006, 0.0016) if is_global else rng.uniform(0.0012, 0.003)
    rate = profile.rate * (profile.global_factor * rng.uniform(0.9, 1.1) if is_global else rng.uniform(0.9, 1.1))
    day_rows = {d: ChannelDailyStat(organization=org, channel=channel, day=d, **dict.fromkeys(COUNTS, 0)) for d in days}
    for d in days:
        followers *= 1 + growth * rng.uniform(-0.5, 2.0)
        day_rows[d].followers = int(followers)
    own = [m for m in masters if m.market_id in (channel.owner_market_id, channel.owner_market.parent_id)] or masters
    planned: list[Planned] = []
    for week_start in range(0, DAYS, 7):
        weekdays = rng.sample(range(7), k=POSTS_PER_WEEK, counts=[3, 3, 3, 3, 2, 1, 1])
        for offset in sorted(set(weekdays)):
            if week_start + offset >= DAYS or rng.random() < 0.08:
                continue  # past yesterday, or a week with one post fewer (holidays, a busy team)
            day = days[week_start + offset]
            hour, minute = rng.randint(7, 20), rng.choice((0, 0, 15, 30, 45))
            at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)
            master = rng.choice(own)
            loc = locs.get((master.pk, channel.owner_market_id))
            text = (loc.body if loc is not None and loc.body else master.body)[:280]
            audience = day_rows[day].followers or 0
            reach = audience * rate * WEEKDAY[day.weekday()] * hour_factor(hour) * rng.lognormvariate(0, 0.35)
            total = max(1, int(reach))
            lifetime = {k: int(total * profile.shares[k]) if k in profile.shares else None for k in COUNTS}
            post = Post(organization=org, channel=channel, market_id=channel.owner_market_id, master=master,
                        localization=loc, text=text, scheduled_at=at, status=PostStatus.PUBLISHED)  # fmt: skip
            pub = Publication(
                organization=org, channel=channel, status=PublicationStatus.PUBLISHED, due_at=at,
                idempotency_key=f"{KEY_PREFIX}{uuid.UUID(int=rng.getrandbits(128)).hex}", attempt_count=1,
                published_at=at,
            )  # fmt: skip
            planned.append((post, pub, lifetime, channel))
            _publish(day_rows, day, lifetime)
    return list(day_rows.values()), planned


@transaction.atomic
def load_demo_metrics(org: Organization, *, now: dt.datetime | None = None) -> bool:
    """Write the demo's year of metrics (see the module's description). False when they are there already."""
    if (
        ChannelDailyStat.objects.filter(organization=org).exists()
        or Publication.objects.filter(organization=org, idempotency_key__startswith=KEY_PREFIX).exists()
    ):
        return False
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    channels = list(Channel.objects.filter(organization=org, is_active=True).select_related("owner_market"))
    masters = list(MasterContent.objects.filter(organization=org).order_by("pk"))
    if not channels or not masters:
        return False
    locs = {(loc.master_id, loc.market_id): loc for loc in Localization.objects.filter(master__in=masters)}
    stats: list[ChannelDailyStat] = []
    planned: list[Planned] = []
    for channel in sorted(channels, key=lambda c: (c.network, c.handle)):
        channel_stats, channel_posts = _channel_year(org, channel, masters, locs=locs, rng=rng, now=now)
        stats.extend(channel_stats)
        planned.extend(channel_posts)
    ChannelDailyStat.objects.bulk_create(stats, batch_size=2000)
    channel_months_rebuild(channel_ids=[c.pk for c in channels])  # the monthly rollup of those days
    posts = Post.objects.bulk_create([p for p, _pub, _l, _c in planned], batch_size=1000)
    pubs = []
    for post, (_p, pub, _l, _c) in zip(posts, planned, strict=True):
        pub.post = post
        pubs.append(pub)
    Publication.objects.bulk_create(pubs, batch_size=1000)
    PostMetricSnapshot.objects.bulk_create(_snapshots(org, posts, planned, now), batch_size=2000)
    return True


def _snapshots(
    org: Organization, posts: list[Post], planned: list[Planned], now: dt.datetime
) -> list[PostMetricSnapshot]:
    """Running totals on each post's collection days (as the schedule would have read them), up to yesterday."""
    out = []
    for post, (_p, _pub, lifetime, channel) in zip(posts, planned, strict=True):
        tz = zoneinfo.ZoneInfo(channel.timezone)
        assert post.scheduled_at is not None
        day0 = post.scheduled_at.astimezone(tz).date()
        yesterday = now.astimezone(tz).date() - dt.timedelta(days=1)
        lags = sorted({lag for lag in SNAPSHOT_DAYS if day0 + dt.timedelta(days=lag) <= yesterday}
                      | {(yesterday - day0).days})  # fmt: skip
        for lag in lags:
            done = sum(SPREAD[: lag + 1])
            values = {k: (None if v is None else round(v * min(1.0, done))) for k, v in lifetime.items()}
            day = day0 + dt.timedelta(days=lag)
            captured = dt.datetime.combine(day, dt.time(23, 0), tzinfo=tz).astimezone(dt.UTC)
            out.append(PostMetricSnapshot(organization=org, post=post, channel=channel, day=day,
                                          captured_at=captured, **values))  # fmt: skip
    return out
