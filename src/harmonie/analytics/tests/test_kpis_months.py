"""The monthly rollup (``ChannelMonthlyStat``) the dashboards read for the whole months of long periods: month chart
points sum the days exactly across month boundaries (days in the channel's zone, clicks placed in the market's zone,
daylight saving included), whole months come from the rollup and the months a period cuts from the days, the
figures are those of the days whatever the period, and the rebuild recomputes the months from the days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmonie.analytics.kpis import load_figures, objectives_dashboard, resolve_scope
from harmonie.analytics.kpis.compute import Granularity, bucket_of
from harmonie.analytics.kpis.data import SERIES_FIELDS, whole_months
from harmonie.analytics.models import ChannelDailyStat, ChannelMonthlyStat
from harmonie.analytics.models.metrics import COUNTS
from harmonie.analytics.services.collection import channel_months_rebuild
from harmonie.analytics.tests.test_kpis_world import UTC, World

D = Decimal
MONTH_FIELDS = ("posts_published", *COUNTS)


@pytest.fixture
def world(db: None) -> World:
    return World()


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), (dt.date(2026, 1, 1), dt.date(2026, 12, 1))),
        (dt.date(2025, 12, 1), dt.date(2026, 11, 24), (dt.date(2025, 12, 1), dt.date(2026, 10, 1))),  # 12 months
        (dt.date(2025, 12, 15), dt.date(2026, 2, 10), (dt.date(2026, 1, 1), dt.date(2026, 1, 1))),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), (dt.date(2026, 2, 1), dt.date(2026, 2, 1))),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29), (dt.date(2024, 2, 1), dt.date(2024, 2, 1))),  # leap year
        (dt.date(2024, 2, 1), dt.date(2024, 2, 28), None),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 31), None),
        (dt.date(2026, 1, 31), dt.date(2026, 3, 1), (dt.date(2026, 2, 1), dt.date(2026, 2, 1))),
        (dt.date(2026, 6, 15), dt.date(2026, 6, 15), None),
    ],
)
def test_whole_months(start: dt.date, end: dt.date, months: tuple[dt.date, dt.date] | None) -> None:
    assert whole_months(start, end) == months


def test_month_points_sum_the_days_across_month_boundaries_and_a_dst_month(world: World) -> None:
    """France (Europe/Paris): summer time from 29 March to 25 October 2026. A period cut at both ends."""
    ch = world.channel("linkedin", "vireo-fr", world.fr)  # LinkedIn counts its own clicks: links of no channel add
    for day, clicks in [
        (dt.date(2026, 2, 9), 1000),  # the day before the period
        (dt.date(2026, 2, 10), 3),
        (dt.date(2026, 3, 31), 5),
        (dt.date(2026, 4, 1), 7),
        (dt.date(2026, 10, 25), 11),  # the night of the change to winter time
        (dt.date(2026, 10, 31), 13),
        (dt.date(2026, 11, 1), 17),
        (dt.date(2026, 11, 20), 19),
        (dt.date(2026, 11, 21), 2000),  # the day after
    ]:
        world.day(ch, day, followers=500, clicks=clicks, posts_published=1)
    link = world.link(world.fr)
    for at in [
        dt.datetime(2026, 2, 9, 22, 30, tzinfo=UTC),  # 23:30 on 9 February in Paris: before the period
        dt.datetime(2026, 2, 9, 23, 30, tzinfo=UTC),  # 00:30 on the 10th: February
        dt.datetime(2026, 3, 31, 21, 30, tzinfo=UTC),  # 23:30 on 31 March (summer time): March
        dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC),  # 00:30 on 1 April: April
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 summer time on the 25th: October
        dt.datetime(2026, 10, 31, 22, 30, tzinfo=UTC),  # 23:30 on 31 October (winter time): October
        dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 November: November
        dt.datetime(2026, 11, 20, 23, 30, tzinfo=UTC),  # 00:30 on the 21st: after the period
    ]:
        world.click(link, at)
    start, end = dt.date(2026, 2, 10), dt.date(2026, 11, 20)
    world.objective(world.fr, "drive_to_web", start, end, [("clicks", None, 1000)])

    def chart() -> tuple[list[dt.date], list[Decimal], Decimal | None]:
        dashboard = objectives_dashboard(actor=world.admin, market=world.fr, start=start, end=end,
                                         today=dt.date(2026, 11, 24))  # fmt: skip
        [result] = dashboard.objectives
        assert result.chart is not None
        return result.chart.labels, result.chart.actual, result.kpis[0].actual

    labels, actual, total = chart()
    assert labels == [start, *(dt.date(2026, m, 1) for m in range(3, 12))]
    # February 3 + 1 click, March 5 + 1, April 7 + 1, October 11 + 13 + 2, November 17 + 19 + 1.
    assert actual == [D(n) for n in (4, 10, 18, 18, 18, 18, 18, 18, 44, 81)]
    assert total == D(81)
    months = {m: (p, c) for m, p, c in ChannelMonthlyStat.objects.filter(channel=ch).values_list(
        "month", "posts_published", "clicks")}  # fmt: skip
    assert months == {
        dt.date(2026, 2, 1): (2, 1003), dt.date(2026, 3, 1): (1, 5), dt.date(2026, 4, 1): (1, 7),
        dt.date(2026, 10, 1): (2, 24), dt.date(2026, 11, 1): (3, 2036),
    }  # fmt: skip

    # Whole months inside the period are read from the rollup, the months it cuts from the days.
    ChannelMonthlyStat.objects.filter(channel=ch, month=dt.date(2026, 4, 1)).update(clicks=100)
    ChannelMonthlyStat.objects.filter(channel=ch, month__in=[dt.date(2026, 2, 1), dt.date(2026, 11, 1)]).update(
        clicks=0
    )
    assert chart()[1] == [D(n) for n in (4, 10, 111, 111, 111, 111, 111, 111, 137, 174)]
    channel_months_rebuild(channel_ids=[ch.pk])
    assert chart() == (labels, actual, total)


def _days(world: World) -> list[ChannelDailyStat]:
    """Three channels in three zones, a day each from October 2025 to January 2027 (none on some days), varied
    counts, written in bulk and then their months rebuilt."""
    channels = [
        world.channel("linkedin", "vireo-fr", world.fr),
        world.channel("x", "vireo_jp", world.jp),
        world.channel("bluesky", "vireo.bsky.social", world.root),
    ]
    rows = []
    day = dt.date(2025, 10, 1)
    while day <= dt.date(2027, 1, 31):
        n = day.toordinal()
        for i, ch in enumerate(channels):
            if (n + i) % 11 == 0:
                continue
            counts = {name: (n * (j + 3) + 17 * i) % (40 + 10 * j) for j, name in enumerate(COUNTS)}
            rows.append(ChannelDailyStat(organization=world.org, channel=ch, day=day, followers=1000 + n % 97,
                                         posts_published=(n + i) % 3, **counts))  # fmt: skip
        day += dt.timedelta(days=1)
    ChannelDailyStat.objects.bulk_create(rows)
    assert channel_months_rebuild(channel_ids=[c.pk for c in channels]) == 3 * 16
    return rows


PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # whole months only
    (dt.date(2025, 12, 1), dt.date(2026, 11, 24)),  # last 12 months on 24 November
    (dt.date(2025, 12, 15), dt.date(2026, 2, 10)),  # cut at both ends, across the new year
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # one whole month
    (dt.date(2026, 3, 2), dt.date(2026, 3, 31)),  # inside a month
    (dt.date(2026, 1, 31), dt.date(2026, 3, 1)),  # February whole, a day either side
    (dt.date(2025, 9, 1), dt.date(2027, 3, 31)),  # beyond the data at both ends
    (dt.date(2026, 6, 15), dt.date(2026, 6, 15)),
]


@pytest.mark.parametrize("granularity", [None, Granularity.MONTH, Granularity.DAY])
def test_figures_are_the_sums_of_the_days_whatever_the_period(world: World, granularity: Granularity | None) -> None:
    rows = _days(world)
    scope = resolve_scope(actor=world.admin)
    for start, end in PERIODS:
        totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SERIES_FIELDS, 0))
        series: dict[int, dict[dt.date, dict[str, int]]] = defaultdict(dict)
        for r in rows:
            if start <= r.day <= end:
                values = {**{k: getattr(r, k) for k in COUNTS}, "posts": r.posts_published}
                bucket = series[r.channel_id].setdefault(
                    bucket_of(r.day, granularity, start) if granularity else start, dict.fromkeys(SERIES_FIELDS, 0)
                )
                for k, v in values.items():
                    totals[r.channel_id][k] += v
                    bucket[k] += v
        figures = load_figures(scope=scope, start=start, end=end, granularity=granularity, parts=frozenset())
        got = {
            cid: {k: getattr(t, k) for k in SERIES_FIELDS}
            for cid, t in figures.channel_totals.items()
            if any(getattr(t, k) for k in SERIES_FIELDS)
        }
        assert got == dict(totals), (start, end)
        assert figures.channel_series == (dict(series) if granularity else {}), (start, end)


def test_one_query_for_the_channel_figures_whatever_the_months(world: World) -> None:
    _days(world)
    scope = resolve_scope(actor=world.admin)
    counts = []
    for start, end in PERIODS[:5]:
        with CaptureQueriesContext(connection) as queries:
            load_figures(scope=scope, start=start, end=end, granularity=Granularity.MONTH, parts=frozenset())
        counts.append(len(queries))
    assert counts == [2] * 5  # the channel figures (months and days together), the followers


def test_rebuild_replaces_the_months_of_the_channels_given_only(world: World) -> None:
    fr = world.channel("linkedin", "vireo-fr", world.fr)
    de = world.channel("linkedin", "vireo-de", world.de)
    ChannelDailyStat.objects.bulk_create([
        ChannelDailyStat(organization=world.org, channel=fr, day=dt.date(2026, 4, 30), likes=2, posts_published=1),
        ChannelDailyStat(organization=world.org, channel=fr, day=dt.date(2026, 5, 1), likes=3, clicks=4),
        ChannelDailyStat(organization=world.org, channel=fr, day=dt.date(2026, 5, 31), likes=5, saves=6),
        ChannelDailyStat(organization=world.org, channel=de, day=dt.date(2026, 5, 2), likes=7),
    ])  # fmt: skip
    ChannelMonthlyStat.objects.create(organization=world.org, channel=fr, month=dt.date(2026, 1, 1), likes=99)

    assert channel_months_rebuild(channel_ids=[fr.pk]) == 2
    assert channel_months_rebuild(channel_ids=[fr.pk]) == 2  # the same again
    assert channel_months_rebuild(channel_ids=[]) == 0
    rows = ChannelMonthlyStat.objects.order_by("channel_id", "month").values_list(
        "channel_id", "organization_id", "month", *MONTH_FIELDS
    )
    assert list(rows) == [
        (fr.pk, world.org.pk, dt.date(2026, 4, 1), 1, 2, 0, 0, 0, 0, 0, 0, 0),
        (fr.pk, world.org.pk, dt.date(2026, 5, 1), 0, 8, 0, 0, 0, 0, 0, 4, 6),
    ]  # the stale January month gone; Germany's days not rolled up (not asked)
