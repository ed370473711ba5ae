"""KPIs measured over their own period inside the chosen one (a Q1 KPI seen over 12 months compares Q1's figures to
the Q1 target), and clicks counted once (a post's short link on a network that gives link clicks is counted by the
network only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harmonie.analytics.kpis import Status, objectives_dashboard
from harmonie.analytics.kpis.objectives import _kpi_result
from harmonie.analytics.tests.test_kpis_world import UTC, World
from harmonie.strategy.models import KPI

D = Decimal
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


@pytest.fixture
def world(db: None) -> World:
    return World()


def _kpis(dashboard, objective) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result = next(r for r in dashboard.objectives if r.objective.pk == objective.pk)
    return {k.metric: k for k in result.kpis}


def _q1(objective) -> None:  # type: ignore[no-untyped-def]
    KPI.objects.filter(objective=objective).update(period_start=Q1[0], period_end=Q1[1])


def test_q1_kpi_over_twelve_months_is_measured_over_q1(world: World) -> None:
    x = world.channel("x", "vireo_fr", world.fr)
    world.day(x, dt.date(2026, 2, 10), followers=1000, clicks=50, likes=10)
    world.day(x, dt.date(2026, 3, 31), followers=1200, clicks=10)
    world.day(x, dt.date(2026, 6, 10), followers=2000, clicks=500, likes=1000)  # after Q1: never Q1's
    objective = world.objective(
        world.fr, "drive_to_web", *YEAR,
        [("clicks", None, 90), ("followers", None, 1500), ("follower_growth", None, 10), ("engagements", None, 5)],
    )  # fmt: skip
    _q1(objective)
    dashboard = objectives_dashboard(
        actor=world.admin, market=world.fr, period="last_12_months", today=dt.date(2026, 12, 5)
    )
    assert (dashboard.start, dashboard.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 5))
    k = _kpis(dashboard, objective)
    clicks = k["clicks"]
    assert (clicks.target_for_period, clicks.actual, clicks.status) == (D(90), D(60), Status.MISSED)  # not 560 "met"
    assert clicks.percent_of_target == D("66.67")
    assert (k["followers"].actual, k["followers"].status) == (D(1200), Status.MISSED)  # at the end of Q1, not 2000
    assert k["follower_growth"].actual == D(20)  # 1000 → 1200 inside Q1
    assert (k["engagements"].actual, k["engagements"].status) == (D(10), Status.MET)


def test_ongoing_kpi_status_uses_the_elapsed_part_of_its_own_period(world: World) -> None:
    x = world.channel("x", "vireo_fr", world.fr)
    world.day(x, dt.date(2026, 1, 5), clicks=40)
    objective = world.objective(world.fr, "drive_to_web", *YEAR, [("clicks", None, 90)])
    _q1(objective)
    # Shown over the whole year on 15 February: 46 of Q1's 90 days are gone, so 46 clicks are expected.
    dashboard = objectives_dashboard(actor=world.admin, market=world.fr, start=YEAR[0], end=YEAR[1],
                                     today=dt.date(2026, 2, 15))  # fmt: skip
    clicks = _kpis(dashboard, objective)["clicks"]
    assert (clicks.actual, clicks.target_for_period, clicks.status) == (D(40), D(90), Status.BEHIND)


def test_month_bucket_cut_by_the_overlap_counts_for_its_days_inside(world: World) -> None:
    """Over more than 31 days the figures are per month: a KPI from 15 February takes 14 of February's 28 days."""
    x = world.channel("x", "vireo_fr", world.fr)
    world.day(x, dt.date(2026, 2, 2), clicks=56)
    world.day(x, dt.date(2026, 3, 20), clicks=7)
    world.day(x, dt.date(2026, 4, 2), clicks=1000)
    objective = world.objective(world.fr, "drive_to_web", *YEAR, [("clicks", None, 45)])
    KPI.objects.filter(objective=objective).update(period_start=dt.date(2026, 2, 15), period_end=dt.date(2026, 3, 31))
    dashboard = objectives_dashboard(actor=world.admin, market=world.fr, start=YEAR[0], end=YEAR[1],
                                     today=dt.date(2026, 12, 31))  # fmt: skip
    clicks = _kpis(dashboard, objective)["clicks"]
    assert clicks.actual == D(35)  # 56 × 14/28 + 7
    # Over daily figures the same KPI is exact: only 20 March is inside.
    dashboard = objectives_dashboard(actor=world.admin, market=world.fr, start=dt.date(2026, 3, 1),
                                     end=dt.date(2026, 3, 31), today=dt.date(2026, 12, 31))  # fmt: skip
    clicks = _kpis(dashboard, objective)["clicks"]
    assert (clicks.actual, clicks.target_for_period) == (D(7), D(31))


def test_partial_kpis_cost_one_query_more_whatever_their_number(world: World) -> None:
    x = world.channel("x", "vireo_fr", world.fr)
    world.day(x, dt.date(2026, 2, 10), followers=10, clicks=1)
    for i in range(3):
        objective = world.objective(world.fr, "drive_to_web", *YEAR, [("clicks", None, 9), ("followers", None, 9)],
                                    name=f"o{i}")  # fmt: skip
        KPI.objects.filter(objective=objective).update(
            period_start=dt.date(2026, 1 + i, 1), period_end=dt.date(2026, 3 + i, 28)
        )
    objectives_dashboard(actor=world.admin, market=world.fr, start=YEAR[0], end=YEAR[1], today=YEAR[1])  # warm caches
    with CaptureQueriesContext(connection) as whole:
        objectives_dashboard(actor=world.admin, market=world.fr, start=dt.date(2026, 1, 1),
                             end=dt.date(2026, 1, 31), today=YEAR[1])  # fmt: skip
    with CaptureQueriesContext(connection) as partial:
        dashboard = objectives_dashboard(actor=world.admin, market=world.fr, start=YEAR[0], end=YEAR[1],
                                         today=YEAR[1])  # fmt: skip
    assert len(partial) == len(whole) + 1  # the followers at the three windows' ends
    assert [_kpis(dashboard, r.objective)["followers"].actual for r in dashboard.objectives] == [D(10), D(10), None]


def test_kpi_outside_the_period_has_no_status(world: World) -> None:
    objective = world.objective(world.fr, "drive_to_web", *Q1, [("clicks", None, 90)])
    kpi = KPI.objects.get(objective=objective)
    result = _kpi_result(kpi, None, objective, start=dt.date(2026, 4, 1), end=Q1[1], today=YEAR[1])
    assert (result.actual, result.percent_of_target, result.status) == (None, None, Status.NO_DATA)
    assert result.note == "The KPI's period is outside the period shown."
    assert result.target_for_period == D(0)


def test_post_links_are_counted_once(world: World) -> None:
    """X gives link clicks (its figure includes the short link's); Bluesky does not (the short link counts)."""
    x = world.channel("x", "vireo_fr", world.fr)
    bsky = world.channel("bluesky", "vireo-fr.bsky.social", world.fr)
    world.day(x, dt.date(2026, 11, 2), clicks=30)
    at = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
    for link, n in ((world.link(world.fr, channel=x), 5), (world.link(world.fr, channel=bsky), 3),
                    (world.link(world.fr, purpose="manual"), 2), (world.link(world.fr), 1)):  # fmt: skip
        for i in range(n):
            world.click(link, at + dt.timedelta(minutes=i))
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 3)
    objective = world.objective(world.fr, "drive_to_web", start, end, [("clicks", None, 36)])
    dashboard = objectives_dashboard(actor=world.admin, market=world.fr, start=start, end=end, today=end)
    # 30 from X (its 5 short-link clicks inside) + 3 on Bluesky + 2 manual + 1 post link without a channel
    assert _kpis(dashboard, objective)["clicks"].actual == D(36)
    chart = dashboard.objectives[0].chart
    assert chart is not None
    assert chart.actual == [D(0), D(36), D(36)]
