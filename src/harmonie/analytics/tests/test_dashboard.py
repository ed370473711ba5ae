"""Dashboard pages: permissions, HTMX body swaps, a constant number of queries (2 vs 20 channels), and exact figures
for cadence compliance, pillar mix, the global-vs-local claim, best time to post and paid/owned/earned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from harmonie.analytics.models import SpendEntry
from harmonie.analytics.selectors import dashboards as selectors
from harmonie.analytics.tests.test_kpis_world import UTC, World
from harmonie.governance.models import Role
from harmonie.strategy.models import CadenceTarget

D = Decimal


@pytest.fixture
def world(db: None) -> World:
    return World()


PAGES = [
    "/analytics/",
    "/analytics/dashboards/cadence/",
    "/analytics/dashboards/pillars/",
    "/analytics/dashboards/global-local/",
    "/analytics/dashboards/best-time/",
    "/analytics/dashboards/media/",
    "/analytics/dashboards/response-time/",
]
NOV = {"period": "custom", "start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}
QUERY = "?period=custom&start=2026-11-01&end=2026-11-30"
# 8 for the shell (session, user, member, roles; notifications, review queue, crises, connections to fix) + 12 for
# the objectives dashboard (markets, channels, served markets; objectives, KPIs, objective channels; channel figures
# per chart bucket, followers, link clicks, promo redemptions, leads, spend).
NUM_QUERIES_OBJECTIVES = 20


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.admin_user)
    return client


def _populate(world: World, channels: int) -> None:
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    pillar = world.pillar("Products", 60)
    networks = ["linkedin", "bluesky", "x", "instagram", "facebook"]
    for i in range(channels):
        owner = world.root if i % 4 == 0 else (world.fr if i % 2 else world.jp)
        network = networks[i % 5]
        ch = world.channel(network, f"acct{i}.bsky.social" if network == "bluesky" else f"acct{i}", owner)
        CadenceTarget.objects.create(channel=ch, posts_per_week=D(3), main_format="text")
        for d in (1, 2):
            world.day(
                ch,
                dt.date(2026, 11, d),
                followers=100 * (i + 1),
                likes=i,
                impressions=100,
                views=100,
                posts_published=1,
            )
        world.post(ch, dt.datetime(2026, 11, 2, 9, tzinfo=UTC), pillar=pillar, interactions=5)
        world.click(world.link(owner, channel=ch), dt.datetime(2026, 11, 2, 9, tzinfo=UTC))
    world.objective(world.root, "drive_to_web", start, end, [("clicks", None, 100), ("engagement_rate", 1, 2)])
    world.objective(world.fr, "data_capture", start, end, [("leads", None, 10), ("cost_per_result", None, 5)])


@pytest.mark.parametrize("page", PAGES)
def test_constant_queries_2_vs_20_channels(world: World, page: str) -> None:
    client = _client(world)
    _populate(world, 2)
    client.get(page + QUERY)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page + QUERY).status_code == 200
    _populate_more = 18
    for i in range(_populate_more):
        ch = world.channel("x", f"more{i}", world.fr if i % 2 else world.root)
        world.day(ch, dt.date(2026, 11, 3), followers=10, likes=1, impressions=10)
        world.post(ch, dt.datetime(2026, 11, 3, 9, tzinfo=UTC), interactions=3)
    world.objective(world.jp, "awareness", dt.date(2026, 11, 1), dt.date(2026, 11, 30), [("impressions", None, 10)])
    with CaptureQueriesContext(connection) as large:
        assert client.get(page + QUERY).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_objectives_page_query_count(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = _client(world)
    _populate(world, 3)
    client.get("/analytics/" + QUERY)
    # session, user, member + roles (middleware), context processors; markets, channels, served markets,
    # objectives + KPIs + objective channels, channel totals, followers, series, clicks, redemptions, leads, spend
    with django_assert_num_queries(NUM_QUERIES_OBJECTIVES):
        client.get("/analytics/" + QUERY)


def test_permissions_and_htmx(world: World) -> None:
    contributor = world.member("tom.contrib@h7c.example", Role.CONTRIBUTOR, world.fr)
    client = Client()
    client.force_login(contributor.member.user)
    assert client.get("/analytics/").status_code == 403
    assert Client().get("/analytics/").status_code == 302  # to the login page
    admin = _client(world)
    full = admin.get("/analytics/" + QUERY).content.decode()
    assert 'data-testid="market-filter"' in full
    assert "<html" in full
    body = admin.get("/analytics/" + QUERY, HTTP_HX_REQUEST="true").content.decode()
    assert body.startswith('<div id="dashboard-body"')
    assert "<html" not in body
    assert admin.get("/analytics/?market=999999").status_code == 404
    bad = admin.get("/analytics/?period=custom&start=2026-11-30&end=2026-11-01")
    assert bad.status_code == 400
    assert "swap the dates" in bad.content.decode()
    assert admin.get("/analytics/?period=forever").status_code == 400


def test_objectives_page_shows_exact_values(world: World) -> None:
    ch = world.channel("linkedin", "vireo-fr", world.fr)
    world.day(ch, dt.date(2026, 11, 2), followers=1000, likes=30, replies=10, impressions=2000, clicks=45)
    objective = world.objective(
        world.fr, "drive_to_web", dt.date(2026, 10, 1), dt.date(2026, 11, 30), [("clicks", None, 183)]
    )
    query = "?period=custom&start=2026-10-01&end=2026-11-10"  # long past when the test runs (2026-11-24 or later)
    world.day(ch, dt.date(2026, 11, 11), clicks=1000)  # after the period
    html = _client(world).get("/analytics/" + query + f"&market={world.fr.pk}").content.decode()
    assert f'data-testid="objective-{objective.pk}"' in html
    row = html.split('data-testid="kpi-row-clicks"')[1].split("</tr>")[0]
    assert '<td data-testid="kpi-actual">45</td>' in row
    assert '<td data-testid="kpi-target-period">123</td>' in row  # 183 over 61 days: 3 a day, 41 days in the period
    assert '<td data-testid="kpi-percent">37 %</td>' in row
    assert 'data-status="missed"' in row
    assert 'data-testid="kpi-chart"' in html
    assert 'data-series="Actual"' in html
    assert ">Oct. 2026</text>" in html  # 41 days: a chart point a month, labelled by its month
    assert ">Nov. 2026</text>" in html


def test_chart_points_are_labelled_by_day_or_by_month_in_the_readers_language() -> None:
    from django.utils import translation

    from harmonie.analytics.kpis.compute import Granularity
    from harmonie.analytics.views.dashboards import _label

    day = dt.date(2026, 11, 1)
    with translation.override("fr"):
        assert (_label(day, Granularity.DAY), _label(day, Granularity.MONTH)) == ("01/11", "nov. 2026")
    with translation.override("en"):
        assert (_label(day, Granularity.DAY), _label(day, Granularity.MONTH)) == ("01/11", "Nov. 2026")


def test_cadence_compliance(world: World) -> None:
    a = world.channel("linkedin", "vireo-fr", world.fr)
    b = world.channel("x", "vireo_fr", world.fr)
    CadenceTarget.objects.create(channel=a, posts_per_week=D(2), main_format="text")
    for day in range(1, 15, 2):  # 7 posts over 14 days
        world.post(a, dt.datetime(2026, 11, day, 10, tzinfo=UTC))
    world.post(a, dt.datetime(2026, 11, 3, 10, tzinfo=UTC), status="scheduled")  # not published: not counted
    world.post(a, dt.datetime(2026, 11, 14, 23, 30, tzinfo=UTC))  # 15 Nov 00:30 in Paris: outside
    data = selectors.cadence_compliance(
        actor=world.admin, market=world.fr, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 14)
    )
    rows = {r.channel.id: r for r in data.rows}
    assert data.weeks == D(2)
    assert (rows[a.id].published, rows[a.id].per_week, rows[a.id].compliance, rows[a.id].status) == (
        7,
        D("3.50"),
        D("175.00"),
        "above",
    )
    assert (rows[b.id].published, rows[b.id].compliance, rows[b.id].status) == (0, None, "no_target")


def test_pillar_mix(world: World) -> None:
    ch = world.channel("linkedin", "vireo-fr", world.fr)
    products, people = world.pillar("Products", 50, 0), world.pillar("People", 50, 1)
    for i in range(3):
        world.post(ch, dt.datetime(2026, 11, 2 + i, 10, tzinfo=UTC), pillar=products)
    world.post(ch, dt.datetime(2026, 11, 6, 10, tzinfo=UTC), pillar=people)
    world.post(ch, dt.datetime(2026, 11, 7, 10, tzinfo=UTC))
    data = selectors.pillar_mix(actor=world.admin, **NOV)
    assert data.total == 5
    assert [(r.name, r.published, r.share, r.gap) for r in data.rows] == [
        ("Products", 3, D("60.00"), D("10.00")),
        ("People", 1, D("20.00"), D("-30.00")),
        ("No pillar", 1, D("20.00"), None),
    ]


def _audience(world: World, handle: str, owner, followers: int, likes: int, impressions: int):  # type: ignore[no-untyped-def]
    ch = world.channel("linkedin", handle, owner)
    world.day(ch, dt.date(2026, 11, 2), followers=followers, likes=likes, impressions=impressions)
    return ch


def test_global_vs_local_claim_holds(world: World) -> None:
    _audience(world, "vireo", world.root, 50000, 100, 10000)  # 1 %
    _audience(world, "vireo-group", world.root, 30000, 150, 10000)  # 1.5 %
    _audience(world, "vireo-fr", world.fr, 4000, 300, 10000)  # 3 %
    _audience(world, "vireo-jp", world.jp, 2000, 500, 10000)  # 5 %
    data = selectors.global_vs_local(actor=world.admin, **NOV)
    assert (data.audience.holds, data.audience.global_median, data.audience.local_median) == (True, D(40000), D(3000))
    assert (data.engagement.holds, data.engagement.global_median, data.engagement.local_median) == (
        True,
        D("1.25"),
        D("4.00"),
    )
    html = _client(world).get("/analytics/dashboards/global-local/" + QUERY).content.decode()
    assert "median followers global 40,000 vs local 3,000 —" in html  # grouped as the reader's locale does
    assert "median global 1.25 % vs local 4.00 % —" in html
    assert 'data-testid="claim-audience-result" data-holds="yes"' in html
    assert html.count("<circle") == 2
    assert html.count('fill="white"') == 2  # global circles, local squares


def test_global_vs_local_claim_does_not_hold(world: World) -> None:
    _audience(world, "vireo", world.root, 1000, 500, 10000)  # 5 %
    _audience(world, "vireo-fr", world.fr, 4000, 100, 10000)  # 1 %
    data = selectors.global_vs_local(actor=world.admin, **NOV)
    assert (data.audience.holds, data.engagement.holds) == (False, False)
    only_local = selectors.global_vs_local(actor=world.admin, market=world.fr, **NOV)
    assert only_local.audience.holds is None  # no global channel in France: cannot tell


def test_best_time_from_own_history(world: World) -> None:
    ch = world.channel("bluesky", "vireo-fr.bsky.social", world.fr)  # Europe/Paris
    # Tuesdays 09:00 Paris (08:00 UTC in November): 10 posts × 12 interactions; Fridays 18:00: 9 posts × 4
    tuesdays = [dt.datetime(2026, 9, 1, 7, tzinfo=UTC) + dt.timedelta(weeks=w) for w in range(8)]  # CEST: 09:00
    tuesdays += [dt.datetime(2026, 11, 3, 8, tzinfo=UTC), dt.datetime(2026, 11, 10, 8, tzinfo=UTC)]  # CET: 09:00
    for at in tuesdays:
        world.post(ch, at, interactions=12)
    fridays = [dt.datetime(2026, 9, 4, 16, tzinfo=UTC) + dt.timedelta(weeks=w) for w in range(7)]  # CEST: 18:00
    fridays += [dt.datetime(2026, 11, 6, 17, tzinfo=UTC), dt.datetime(2026, 11, 13, 17, tzinfo=UTC)]  # CET: 18:00
    for at in fridays:
        world.post(ch, at, interactions=4)
    data = selectors.best_time(actor=world.admin, channel=ch.pk)
    assert (data.posts, data.enough, data.best) == (19, False, [])
    html = _client(world).get(f"/analytics/dashboards/best-time/?channel={ch.pk}").content.decode()
    assert 'data-testid="not-enough-history"' in html
    world.post(ch, dt.datetime(2026, 11, 17, 8, tzinfo=UTC), interactions=1)  # 20th post, Tuesday 09:00 too
    data = selectors.best_time(actor=world.admin, channel=ch.pk)
    assert data.enough
    assert data.posts == 20
    assert [(s.weekday, s.hour, s.posts, s.mean_engagement) for s in data.best] == [
        (1, 9, 11, D("11.00")),
        (4, 18, 9, D("4.00")),
    ]
    assert data.grid[1][9] == D("11.00")
    assert data.grid[0][9] is None
    html = _client(world).get(f"/analytics/dashboards/best-time/?channel={ch.pk}").content.decode()
    assert 'data-testid="best-slot">Tue 09:00</span>' in html


def test_paid_owned_earned(world: World) -> None:
    ch = world.channel("x", "vireo_fr", world.fr)
    world.day(ch, dt.date(2026, 11, 2), likes=40, replies=5, saves=5, reposts=8, quotes=2, clicks=30)
    SpendEntry.objects.create(
        organization=world.org, market=world.fr, media_type="paid", period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30), amount=D("300.00"), currency="EUR", engagements=150, clicks=60,
    )  # fmt: skip
    SpendEntry.objects.create(
        organization=world.org, market=world.fr, media_type="owned", period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30), amount=D("100.00"), currency="EUR",
    )  # fmt: skip
    data = selectors.media_breakdown(actor=world.admin, **NOV)
    rows = {r.media_type: r for r in data.rows}
    assert (rows["paid"].spend, rows["paid"].results, rows["paid"].cost_per_result) == (
        {"EUR": D("300.00")},
        D("150.00"),
        {"EUR": D("2.00")},
    )
    assert (rows["owned"].results, rows["owned"].clicks, rows["owned"].cost_per_result) == (
        D("50.00"),
        D("30.00"),
        {"EUR": D("2.00")},
    )
    assert (rows["earned"].results, rows["earned"].spend) == (D("10.00"), {})


def test_response_time_panel(world: World) -> None:
    html = _client(world).get("/analytics/dashboards/response-time/").content.decode()
    assert 'data-testid="response-time-panel"' in html
    assert "inbox" in html
