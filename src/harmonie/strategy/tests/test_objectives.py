from __future__ import annotations

import datetime as dt

import pytest

from harmonie.core.errors import Conflict, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel
from harmonie.strategy import selectors, services
from harmonie.strategy.models import KPI, Objective, StrategyPolicy

UTC = dt.UTC


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def test_demo_objectives_and_kpis(strategy_demo, persona):
    rows = [
        (o.market.code, o.name, o.type, [(k.metric, str(k.baseline), str(k.target)) for k in o.kpis.all()])
        for o in selectors.objective_list(actor=persona("hq_admin"))
    ]
    assert rows == [
        ("GLOBAL", "Group reputation", "image",
         [("sentiment", "12.0000", "25.0000"), ("share_of_voice", "18.0000", "24.0000")]),
        ("FR", "Notoriété de Vireo France", "awareness",
         [("follower_growth", "0.0000", "15.0000"), ("reach", "120000.0000", "200000.0000")]),
        ("DE", "Leads DACH", "data_capture", [("ctr", "0.8000", "1.5000"), ("leads", "40.0000", "90.0000")]),
        ("US", "Engineering recruitment", "recruitment", [("applications", "60.0000", "150.0000")]),
        ("BR", "Engajamento Brasil", "engagement", [("engagement_rate", "2.1000", "3.5000")]),
        ("JP", "Product awareness Japan", "awareness", [("impressions", "150000.0000", "500000.0000")]),
    ]  # fmt: skip


def test_french_community_manager_sees_global_and_french_objectives(strategy_demo, persona):
    names = [o.name for o in selectors.objective_list(actor=persona("fr_community_manager"))]
    assert names == ["Group reputation", "Notoriété de Vireo France"]


def test_objectives_first_accepts_a_covered_channel(strategy_demo):
    covering = services.objectives_first_check(
        channel=_channel("vireo-france"), at=dt.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    )
    assert [o.name for o in covering] == ["Notoriété de Vireo France"]


def test_objectives_first_refuses_an_uncovered_channel_with_what_to_do(strategy_demo):
    with pytest.raises(ValidationFailed) as exc:
        services.objectives_first_check(channel=_channel("@vireo.japan"), at=dt.datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    assert exc.value.code == "objectives_first"
    assert exc.value.message == (
        "Objectives first: no active objective with a KPI covers Vireo Japan (Threads) on 2026-12-03. "
        "Set one up in Strategy → Objectives (an objective for Japan with at least one KPI and this channel), "
        "or ask an org admin to switch the policy off."
    )


def test_objectives_first_can_be_switched_off_per_organization(strategy_demo, persona):
    services.strategy_policy_set(actor=persona("hq_admin"), objectives_first=False)
    assert (
        services.objectives_first_check(channel=_channel("@vireo.japan"), at=dt.datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
        == []
    )
    entry = AuditEntry.objects.filter(action="strategy_policy.update").latest("id")
    assert (entry.before, entry.after) == ({"objectives_first": True}, {"objectives_first": False})
    with pytest.raises(NotPermitted):
        services.strategy_policy_set(actor=persona("fr_market_lead"), objectives_first=True)
    assert StrategyPolicy.objects.get(organization=strategy_demo).objectives_first is False


def test_an_objective_without_kpi_or_archived_does_not_count(strategy_demo, persona):
    us = persona("us_market_lead")
    objective = Objective.objects.get(name="Engineering recruitment")
    KPI.objects.filter(objective=objective).delete()
    with pytest.raises(ValidationFailed, match="Objectives first"):
        services.objectives_first_check(channel=_channel("@VireoUS"), at=dt.datetime(2026, 12, 3, 15, tzinfo=UTC))
    services.kpi_create(actor=us, objective=objective, metric="applications", target=100)
    assert services.objectives_first_check(channel=_channel("@VireoUS"), at=dt.datetime(2026, 12, 3, 15, tzinfo=UTC))
    services.objective_update(
        actor=us, objective=objective, name=objective.name, type=objective.type, period_start=objective.period_start,
        period_end=objective.period_end, channels=list(objective.channels.all()), status="archived",
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="Objectives first"):
        services.objectives_first_check(channel=_channel("@VireoUS"), at=dt.datetime(2026, 12, 3, 15, tzinfo=UTC))


@pytest.mark.parametrize(
    ("handle", "at", "covered"),
    [
        # The French objective ends on 2027-06-30, Paris time (UTC+2 in summer).
        ("vireo-france", dt.datetime(2027, 6, 30, 21, 30, tzinfo=UTC), True),  # 23:30 in Paris
        ("vireo-france", dt.datetime(2027, 6, 30, 22, 30, tzinfo=UTC), False),  # 00:30 on 1 July in Paris
        # The American one ends on 2027-06-30, New York time (UTC-4 in summer).
        ("@VireoUS", dt.datetime(2027, 7, 1, 3, 0, tzinfo=UTC), True),  # 23:00 on 30 June in New York
        ("@VireoUS", dt.datetime(2027, 7, 1, 4, 30, tzinfo=UTC), False),  # 00:30 on 1 July
        # They start on 2026-01-01 local time.
        ("vireo-france", dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), True),  # 00:30 on 1 Jan in Paris
        ("@VireoUS", dt.datetime(2026, 1, 1, 3, 0, tzinfo=UTC), False),  # 22:00 on 31 Dec in New York
    ],
)
def test_objective_periods_are_read_in_the_market_time_zone(strategy_demo, handle, at, covered):
    if covered:
        assert services.objectives_first_check(channel=_channel(handle), at=at)
    else:
        with pytest.raises(ValidationFailed):
            services.objectives_first_check(channel=_channel(handle), at=at)


def test_an_objective_without_listed_channels_covers_its_markets_channels(strategy_demo, persona):
    jp_lead = persona("jp_market_lead")
    objective = services.objective_create(
        actor=jp_lead, market=persona("jp_market_lead").organization.markets.get(code="JP"), name="Community Japan",
        type="engagement", period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    services.kpi_create(actor=jp_lead, objective=objective, metric="engagement_rate", baseline="1.2", target="2.0")
    covering = services.objectives_first_check(
        channel=_channel("@vireo.japan"), at=dt.datetime(2026, 12, 3, tzinfo=UTC)
    )
    assert [o.name for o in covering] == ["Community Japan"]
    # The global LinkedIn page serves Japan, so it is covered too.
    covering = services.objectives_first_check(channel=_channel("vireo-group"), at=dt.datetime(2026, 12, 3, tzinfo=UTC))
    assert sorted(o.name for o in covering) == ["Community Japan", "Group reputation"]


def test_objective_rules(strategy_demo, persona, market):
    fr_lead = persona("fr_market_lead")
    with pytest.raises(NotPermitted):
        services.objective_create(
            actor=fr_lead, market=market("DE"), name="X", type="sales", period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 3, 31),
        )  # fmt: skip
    with pytest.raises(NotPermitted):
        services.objective_create(
            actor=persona("fr_community_manager"), market=market("FR"), name="X", type="sales",
            period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 3, 31),
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.objective_create(
            actor=fr_lead, market=market("FR"), name="X", type="sales", period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 3, 31), channels=[_channel("vireo-deutschland")],
        )  # fmt: skip
    assert (exc.value.field, exc.value.message) == (
        "channels", "Vireo Deutschland (LinkedIn) does not serve France: choose channels of this market.",
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="Choose one of: awareness"):
        services.objective_create(
            actor=fr_lead, market=market("FR"), name="X", type="fame", period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 3, 31),
        )  # fmt: skip


def test_kpi_validation(strategy_demo, persona):
    fr_lead = persona("fr_market_lead")
    objective = Objective.objects.get(name="Notoriété de Vireo France")
    with pytest.raises(ValidationFailed) as exc:
        services.kpi_create(actor=fr_lead, objective=objective, metric="likes_count", target=10)
    assert exc.value.message.startswith("'likes_count' is not in the metric dictionary. Choose one of: applications,")
    with pytest.raises(ValidationFailed, match=r"within its objective's \(2026-01-01 to 2027-06-30\)"):
        services.kpi_create(
            actor=fr_lead, objective=objective, metric="clicks", target=10, period_start=dt.date(2025, 12, 1)
        )
    with pytest.raises(ValidationFailed, match="between -100 and 1000"):
        services.kpi_create(actor=fr_lead, objective=objective, metric="ctr", target=5000)
    with pytest.raises(ValidationFailed, match="cannot be negative"):
        services.kpi_create(actor=fr_lead, objective=objective, metric="clicks", target=-1)
    with pytest.raises(Conflict):
        services.kpi_create(actor=fr_lead, objective=objective, metric="reach", target=1)
    kpi = services.kpi_create(
        actor=fr_lead, objective=objective, metric="clicks", baseline="1500", target="4000",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31),
    )  # fmt: skip
    assert (str(kpi.target), kpi.period_end) == ("4000.0000", dt.date(2026, 12, 31))
    entry = AuditEntry.objects.filter(action="kpi.create").latest("id")
    assert (entry.target_label, entry.after["target"]) == ("Notoriété de Vireo France: clicks", "4000.0000")
