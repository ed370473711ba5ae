"""KPI computation with exact values: statuses in both directions, prorated targets, period choices, period
boundaries in the market's time zone (DST, Tokyo, São Paulo), market tree and served markets, every measured
metric, and what cannot be measured yet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from harmonie.analytics.kpis import Status, objectives_dashboard, period_for
from harmonie.analytics.kpis.compute import kpi_status, percent_of_target
from harmonie.analytics.models import LeadEntry, PromoCode, PromoRedemption, SpendEntry
from harmonie.analytics.tests.test_kpis_world import UTC, World
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.governance.models import Role

D = Decimal


@pytest.fixture
def world(db: None) -> World:
    return World()


def _kpis(dashboard, objective) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result = next(r for r in dashboard.objectives if r.objective.pk == objective.pk)
    return {k.metric: k for k in result.kpis}


# --- pure ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "baseline", "direction", "cumulative", "elapsed", "finished", "expected"),
    [
        (D(300), D(300), None, "up", True, D("0.5"), False, Status.MET),
        (D(150), D(300), None, "up", True, D("0.5"), False, Status.ON_TRACK),
        (D(149), D(300), None, "up", True, D("0.5"), False, Status.BEHIND),
        (D(299), D(300), None, "up", True, D(1), True, Status.MISSED),
        (D("1.80"), D(2), None, "down", False, D("0.3"), False, Status.MET),  # cost per result at most the target
        (D("2.01"), D(2), None, "down", False, D(1), True, Status.MISSED),
        (D("2.40"), D(2), D(3), "down", False, D("0.5"), False, Status.ON_TRACK),  # 3 → 2: 2.5 expected halfway
        (D("2.60"), D(2), D(3), "down", False, D("0.5"), False, Status.BEHIND),
        (D("3.0"), D(4), D(2), "up", False, D("0.5"), False, Status.ON_TRACK),  # 2 → 4: 3 expected halfway
        (D("2.9"), D(4), None, "up", False, D("0.5"), False, Status.BEHIND),  # no baseline: no line to be on
        (None, D(4), None, "up", False, D("0.5"), False, Status.NO_DATA),
    ],
)
def test_kpi_status(actual, target, baseline, direction, cumulative, elapsed, finished, expected) -> None:  # type: ignore[no-untyped-def]
    status = kpi_status(
        actual=actual, target=target, baseline=baseline, direction=direction, cumulative=cumulative,
        elapsed=elapsed, finished=finished,
    )  # fmt: skip
    assert status == expected


def test_percent_of_target_both_directions() -> None:
    assert percent_of_target(D(150), D(300), direction="up") == D(50)
    assert percent_of_target(D("2.5"), D(2), direction="down") == D(80)  # worse than target: below 100
    assert percent_of_target(D(0), D(2), direction="down") is None


def test_period_choices() -> None:
    today = dt.date(2026, 1, 15)
    assert period_for("this_month", today=today) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert period_for("last_month", today=today) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert period_for("quarter", today=dt.date(2026, 11, 24)) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_for("last_12_months", today=dt.date(2026, 11, 24)) == (dt.date(2025, 12, 1), dt.date(2026, 11, 24))
    assert period_for("last_12_months", today=dt.date(2026, 12, 5)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 5))
    assert period_for("custom", today=today, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 2)) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 2),
    )
    with pytest.raises(ValidationFailed, match="swap the dates"):
        period_for("custom", today=today, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1))
    with pytest.raises(ValidationFailed, match="Give both dates"):
        period_for("custom", today=today, start=dt.date(2026, 3, 2))


# --- period boundaries in the market's time zone ------------------------------------------------------------------


def _clicks_kpi(world: World, market, start, end, today):  # type: ignore[no-untyped-def]
    objective = world.objective(market, "drive_to_web", start, end, [("clicks", None, 100)])
    dashboard = objectives_dashboard(actor=world.admin, market=market, start=start, end=end, today=today)
    return _kpis(dashboard, objective)["clicks"].actual


def test_period_boundary_in_tokyo_and_paris(world: World) -> None:
    """One instant, 2026-10-31 15:30 UTC: already 1 November 00:30 in Tokyo, still 31 October 16:30 in Paris."""
    at = dt.datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
    world.click(world.link(world.jp), at)
    world.click(world.link(world.fr), at)
    nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    octo = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    today = dt.date(2026, 12, 15)
    assert _clicks_kpi(world, world.jp, *nov, today) == D(1)
    assert _clicks_kpi(world, world.fr, *nov, today) == D(0)
    assert _clicks_kpi(world, world.fr, *octo, today) == D(1)


def test_period_boundary_around_dst_in_paris(world: World) -> None:
    """Paris is UTC+2 until 25 October 2026, UTC+1 after: August starts at 22:00 UTC, November at 23:00 UTC."""
    link = world.link(world.fr)
    world.click(link, dt.datetime(2026, 7, 31, 22, 30, tzinfo=UTC))  # 1 Aug 00:30 CEST
    world.click(link, dt.datetime(2026, 7, 31, 21, 59, tzinfo=UTC))  # 31 Jul 23:59 CEST
    world.click(link, dt.datetime(2026, 10, 31, 22, 30, tzinfo=UTC))  # 31 Oct 23:30 CET (not 1 Nov)
    world.click(link, dt.datetime(2026, 10, 31, 23, 0, tzinfo=UTC))  # 1 Nov 00:00 CET
    world.click(link, dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 25 Oct 02:30 CEST, the night of the change
    today = dt.date(2026, 12, 15)
    assert _clicks_kpi(world, world.fr, dt.date(2026, 8, 1), dt.date(2026, 8, 31), today) == D(1)
    assert _clicks_kpi(world, world.fr, dt.date(2026, 11, 1), dt.date(2026, 11, 30), today) == D(1)
    assert _clicks_kpi(world, world.fr, dt.date(2026, 10, 25), dt.date(2026, 10, 31), today) == D(2)


def test_period_boundary_in_sao_paulo(world: World) -> None:
    """São Paulo is UTC−3 all year: 1 November 02:30 UTC is still 31 October there."""
    world.click(world.link(world.br), dt.datetime(2026, 11, 1, 2, 30, tzinfo=UTC))
    today = dt.date(2026, 12, 15)
    assert _clicks_kpi(world, world.br, dt.date(2026, 10, 1), dt.date(2026, 10, 31), today) == D(1)
    assert _clicks_kpi(world, world.br, dt.date(2026, 11, 1), dt.date(2026, 11, 30), today) == D(0)


def test_daily_stats_count_by_their_channel_day(world: World) -> None:
    """A Tokyo channel's day 1 November counts in November whatever the time zone of the market looking at it."""
    jp = world.channel("x", "vireo_jp", world.jp)
    world.day(jp, dt.date(2026, 10, 31), clicks=5)
    world.day(jp, dt.date(2026, 11, 1), clicks=7)
    objective = world.objective(
        world.root, "drive_to_web", dt.date(2026, 1, 1), dt.date(2026, 12, 31), [("clicks", None, 365)]
    )
    dashboard = objectives_dashboard(
        actor=world.admin, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), today=dt.date(2026, 11, 10)
    )
    clicks = _kpis(dashboard, objective)["clicks"]
    assert clicks.actual == D(7)
    assert clicks.target_for_period == D(30)  # 365 over the year, prorated to November's 30 days
    assert clicks.status == Status.BEHIND  # 10 of 30 days gone: 10 expected
    assert clicks.percent_of_target == D("23.33")
    assert dashboard.timezone_name == "Europe/Paris"  # "All my markets" of an org admin: Global's zone


# --- every metric -------------------------------------------------------------------------------------------------


def test_objective_metrics_exact(world: World) -> None:
    li = world.channel("linkedin", "vireo-fr", world.fr)
    bsky = world.channel("bluesky", "vireo-fr.bsky.social", world.fr)
    de = world.channel("x", "vireo_de", world.de)  # Germany: outside France
    for day, followers in ((dt.date(2026, 11, 1), 1000), (dt.date(2026, 11, 2), 1050), (dt.date(2026, 11, 3), 1100)):
        world.day(li, day, followers=followers, likes=10, replies=5, reposts=5, impressions=1000, clicks=20)
    world.day(li, dt.date(2026, 10, 31), followers=900, likes=999, impressions=1)  # before the period
    world.day(bsky, dt.date(2026, 11, 2), followers=500, posts_published=3, likes=20, reposts=6, replies=3, quotes=1)
    world.day(de, dt.date(2026, 11, 2), followers=10, likes=1000, impressions=1000, clicks=1000)
    link = world.link(world.fr, channel=li)
    world.click(link, dt.datetime(2026, 11, 2, 9, tzinfo=UTC))
    world.click(link, dt.datetime(2026, 11, 2, 9, 1, tzinfo=UTC))
    world.click(link, dt.datetime(2026, 11, 2, 9, 2, tzinfo=UTC), bot=True)  # never counted
    qr = world.link(world.fr, purpose="qr")
    world.click(qr, dt.datetime(2026, 11, 3, 12, tzinfo=UTC))
    code = PromoCode.objects.create(
        organization=world.org, market=world.fr, code="NOEL", starts_on=dt.date(2026, 11, 1)
    )
    PromoRedemption.objects.create(promo_code=code, day=dt.date(2026, 11, 2), count=4)
    LeadEntry.objects.create(organization=world.org, market=world.fr, day=dt.date(2026, 11, 3), count=12)
    LeadEntry.objects.create(organization=world.org, market=world.de, day=dt.date(2026, 11, 3), count=99)
    SpendEntry.objects.create(
        organization=world.org,
        market=world.fr,
        media_type="paid",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 6),
        amount=D("120.00"),
        currency="EUR",
        conversions=6,
    )  # fmt: skip
    # half of the 6-day entry above falls in 1–3 November
    SpendEntry.objects.create(
        organization=world.org, market=world.fr, media_type="paid", period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 3), amount=D("5000"), currency="JPY",
    )  # fmt: skip
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 3)
    web = world.objective(
        world.fr, "drive_to_web", start, end,
        [("clicks", None, 60), ("cost_per_result", None, "1.00"), ("ctr", None, 2), ("engagement_rate", None, 3),
         ("follower_growth", None, 5), ("followers", None, 1500), ("store_visits", None, 5), ("leads", None, 10),
         ("conversions", None, 3), ("engagements", None, 100), ("impressions", None, 3000),
         ("share_of_voice", None, 10), ("first_response_time", None, 30), ("reach", None, 10)],
    )  # fmt: skip
    dashboard = objectives_dashboard(
        actor=world.admin, market=world.fr, start=start, end=end, today=dt.date(2026, 11, 4)
    )
    k = _kpis(dashboard, web)
    # network clicks 3 × 20; the two human clicks on the LinkedIn post's short link are inside LinkedIn's figure
    # (LinkedIn gives link clicks: counted once), the bot and the QR scan apart
    assert k["clicks"].actual == D(60)
    assert k["clicks"].status == Status.MET
    # 60 EUR (half of the 6-day entry) ÷ 60 clicks; the JPY entry is left out, never added to euros
    assert k["cost_per_result"].actual == D("1.00")
    assert k["cost_per_result"].status == Status.MET  # "down": at most 1.00
    assert "JPY" in k["cost_per_result"].note
    assert k["ctr"].actual == D(2)  # 60 ÷ 3000 (LinkedIn only: Bluesky has no impressions)
    # LinkedIn 60 ÷ 3000 = 2 %; Bluesky 30 interactions ÷ 3 posts ÷ 500 followers = 2 %; mean 2 %
    assert k["engagement_rate"].actual == D(2)
    assert k["engagement_rate"].status == Status.MISSED
    assert k["follower_growth"].actual == D("6.67")  # (1100 + 500) ÷ (1000 + 500) − 1
    assert k["followers"].actual == D(1600)
    assert k["store_visits"].actual == D(5)  # one QR scan + four redemptions
    assert k["leads"].actual == D(12)  # Germany's 99 are not France's
    assert k["conversions"].actual == D(3)  # half of 6
    assert k["engagements"].actual == D(90)  # 3 × 20 + 30
    assert k["impressions"].actual == D(3000)
    assert k["share_of_voice"].status == Status.NOT_MEASURED
    assert k["share_of_voice"].actual is None
    assert k["share_of_voice"].note == "Measured once listening exists."
    assert k["first_response_time"].note == "Measured once the inbox exists."
    assert k["reach"].status == Status.NOT_MEASURED


def test_region_includes_children_and_served_markets_count(world: World) -> None:
    fr = world.channel("x", "vireo_fr", world.fr)
    de = world.channel("x", "vireo_de", world.de)
    glob = world.channel("x", "vireo", world.root, served=[world.fr])  # run by Global, serving France
    jp = world.channel("x", "vireo_jp", world.jp)
    for channel, clicks in ((fr, 1), (de, 10), (glob, 100), (jp, 1000)):
        world.day(channel, dt.date(2026, 11, 2), clicks=clicks)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    objective = world.objective(world.root, "drive_to_web", start, end, [("clicks", None, 10)])

    def clicks(market) -> Decimal:  # type: ignore[no-untyped-def]
        dashboard = objectives_dashboard(actor=world.admin, market=market, start=start, end=end, today=end)
        return _kpis(dashboard, objective)["clicks"].actual  # type: ignore[attr-defined,no-any-return]

    assert clicks(world.fr) == D(101)
    assert clicks(world.europe) == D(111)
    assert clicks(world.jp) == D(1000)
    assert clicks(None) == D(1111)


def test_scoped_to_the_actors_markets(world: World) -> None:
    analyst = world.member("fr.analyst@h7c.example", Role.ANALYST, world.fr)
    fr = world.channel("x", "vireo_fr", world.fr)
    jp = world.channel("x", "vireo_jp", world.jp)
    world.day(fr, dt.date(2026, 11, 2), clicks=3)
    world.day(jp, dt.date(2026, 11, 2), clicks=1000)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    global_objective = world.objective(world.root, "drive_to_web", start, end, [("clicks", None, 10)])
    world.objective(world.jp, "drive_to_web", start, end, [("clicks", None, 10)])
    dashboard = objectives_dashboard(actor=analyst, start=start, end=end, today=end)
    assert [r.objective.pk for r in dashboard.objectives] == [global_objective.pk]  # Japan's is not in view
    assert _kpis(dashboard, global_objective)["clicks"].actual == D(3)  # Global's objective, France's data
    assert dashboard.timezone_name == "Europe/Paris"
    assert [m.code for m in dashboard.scope.markets] == ["FR"]
    with pytest.raises(NotFound):
        objectives_dashboard(actor=analyst, market=world.jp, start=start, end=end)
    contributor = world.member("tom.contrib@h7c.example", Role.CONTRIBUTOR, world.fr)
    with pytest.raises(NotPermitted):
        objectives_dashboard(actor=contributor, start=start, end=end)


def test_objective_channels_restrict_the_measure(world: World) -> None:
    a = world.channel("x", "vireo_fr", world.fr)
    b = world.channel("x", "vireo_fr_jobs", world.fr)
    world.day(a, dt.date(2026, 11, 2), clicks=3)
    world.day(b, dt.date(2026, 11, 2), clicks=40)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    objective = world.objective(world.fr, "recruitment", start, end, [("clicks", None, 10)])
    objective.channels.set([b])
    dashboard = objectives_dashboard(actor=world.admin, start=start, end=end, today=end)
    assert _kpis(dashboard, objective)["clicks"].actual == D(40)
    assert dashboard.objectives[0].channel_count == 1


def test_chart_is_cumulative_against_the_target_line(world: World) -> None:
    ch = world.channel("linkedin", "vireo-fr", world.fr)
    world.day(ch, dt.date(2026, 11, 1), clicks=4)
    world.day(ch, dt.date(2026, 11, 3), clicks=6)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 4)
    objective = world.objective(world.fr, "drive_to_web", start, end, [("clicks", None, 20)])
    dashboard = objectives_dashboard(actor=world.admin, start=start, end=end, today=end)
    chart = dashboard.objectives[0].chart
    assert chart is not None
    assert dashboard.objectives[0].objective == objective
    assert chart.labels == [dt.date(2026, 11, d) for d in (1, 2, 3, 4)]
    assert chart.actual == [D(4), D(4), D(10), D(10)]
    assert chart.target == [D(5), D(10), D(15), D(20)]
