from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from harmonie.core.errors import Conflict, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance import selectors, services
from harmonie.governance.models import Budget, Channel, Dimension


@pytest.mark.parametrize(
    ("network", "handle", "stored"),
    [
        ("bluesky", "@Vireo-BE.bsky.social", "vireo-be.bsky.social"),
        ("x", "VireoBE", "@VireoBE"),
        ("mastodon", "vireo_be@mastodon.social", "vireo_be@mastodon.social"),
        ("linkedin", "vireo-belgium", "vireo-belgium"),
        ("instagram", "vireo.be", "@vireo.be"),
    ],
)
def test_channel_handles_are_normalized(demo_org, persona, market, network, handle, stored):
    channel = services.channel_create(
        actor=persona("fr_market_lead"), network=network, handle=handle, display_name="", owner_market=market("FR")
    )
    assert channel.handle == stored
    assert channel.display_name == stored
    assert channel.timezone == "Europe/Paris"
    assert [m.code for m in channel.served_markets.all()] == ["FR"]


@pytest.mark.parametrize(
    ("network", "handle", "message"),
    [
        ("x", "@this_handle_is_far_too_long", "is not a valid X handle: use 1 to 15 letters"),
        ("bluesky", "vireo", "is not a valid Bluesky handle: use a domain handle"),
        ("mastodon", "vireo", "is not a valid Mastodon handle: use user@instance"),
        ("myspace", "vireo", "Choose a network:"),
    ],
)
def test_bad_handles_are_refused(demo_org, persona, market, network, handle, message):
    count = Channel.objects.count()
    with pytest.raises(ValidationFailed, match=message):
        services.channel_create(
            actor=persona("hq_admin"), network=network, handle=handle, display_name="X", owner_market=market("FR")
        )
    assert Channel.objects.count() == count


def test_a_market_channel_cannot_serve_outside_its_market(demo_org, persona, market):
    with pytest.raises(ValidationFailed, match=r"France's channel cannot serve Germany, which is outside it\."):
        services.channel_create(
            actor=persona("hq_admin"), network="x", handle="@VireoFR", display_name="Vireo FR",
            owner_market=market("FR"), served_markets=[market("FR"), market("DE")],
        )  # fmt: skip


def test_channel_permissions_and_duplicates(demo_org, persona, market):
    with pytest.raises(NotPermitted):
        services.channel_create(
            actor=persona("fr_market_lead"), network="x", handle="@VireoDE2", display_name="", owner_market=market("DE")
        )
    with pytest.raises(Conflict, match=r"This Bluesky account is already a channel\."):
        services.channel_create(
            actor=persona("hq_admin"), network="bluesky", handle="vireo-fr.bsky.social", display_name="",
            owner_market=market("FR"),
        )  # fmt: skip


def test_channel_list_is_scoped_to_owned_or_served_markets(demo_org, persona, other_org):
    fr = [(c.network, c.handle) for c in selectors.channel_list(actor=persona("fr_community_manager"))]
    # Global channels serving France, then France's own; nothing German, American, Brazilian or Japanese.
    assert fr == [
        ("bluesky", "vireo.bsky.social"), ("linkedin", "vireo-group"), ("x", "@VireoGroup"),
        ("bluesky", "vireo-fr.bsky.social"), ("linkedin", "vireo-france"),
    ]  # fmt: skip
    assert selectors.channel_list(actor=persona("hq_admin")).count() == 14
    assert selectors.channel_list(actor=other_org[1]).count() == 0


def test_channel_update_changes_zone_and_is_audited(demo_org, persona, market):
    channel = Channel.objects.get(handle="@VireoUS")
    services.channel_update(
        actor=persona("us_market_lead"), channel=channel, display_name="Vireo USA", served_markets=[market("US")],
        timezone="America/Los_Angeles",
    )  # fmt: skip
    entry = AuditEntry.objects.filter(action="channel.update").latest("id")
    assert (entry.before["timezone"], entry.after["timezone"]) == ("America/New_York", "America/Los_Angeles")
    assert (entry.before["display_name"], entry.after["display_name"]) == ("Vireo US", "Vireo USA")


def _dim(org, key):
    return Dimension.objects.get(organization=org, key=key)


def test_budget_create_uses_market_currency_and_refuses_overlaps(demo_org, persona, market):
    jp_lead = persona("jp_market_lead")
    budget = services.budget_create(
        actor=jp_lead, market=market("JP"), dimension=_dim(demo_org, "internal"), period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 6, 30), planned_amount="1500000",
    )  # fmt: skip
    assert (budget.currency, budget.planned_amount) == ("JPY", Decimal("1500000.00"))
    with pytest.raises(Conflict) as exc:
        services.budget_create(
            actor=jp_lead, market=market("JP"), dimension=_dim(demo_org, "internal"),
            period_start=dt.date(2027, 6, 1), period_end=dt.date(2027, 12, 31), planned_amount=10,
        )  # fmt: skip
    assert exc.value.message == (
        "Japan already has a Internal / HR budget from 2027-01-01 to 2027-06-30; periods may not overlap."
    )
    assert Budget.objects.filter(market=market("JP"), dimension=_dim(demo_org, "internal")).count() == 1


@pytest.mark.parametrize(
    ("start", "end", "amount", "field"),
    [
        (dt.date(2027, 2, 1), dt.date(2027, 1, 1), "10", "period_end"),
        (dt.date(2027, 1, 1), dt.date(2027, 2, 1), "-5", "planned_amount"),
        (dt.date(2027, 1, 1), dt.date(2027, 2, 1), "ten", "planned_amount"),
    ],
)
def test_bad_budget_input(demo_org, persona, market, start, end, amount, field):
    with pytest.raises(ValidationFailed) as exc:
        services.budget_create(
            actor=persona("hq_admin"), market=market("FR"), dimension=_dim(demo_org, "internal"), period_start=start,
            period_end=end, planned_amount=amount,
        )  # fmt: skip
    assert exc.value.field == field


def test_budget_visibility(demo_org, persona, other_org):
    fr_budgets = selectors.budget_list(actor=persona("fr_market_lead"), year=2026)
    assert sorted({b.market.code for b in fr_budgets}) == ["FR"]
    assert fr_budgets.count() == 8
    assert selectors.budget_list(actor=persona("finance_approver"), year=2026).count() == 42
    with pytest.raises(NotPermitted):
        selectors.budget_list(actor=persona("fr_community_manager"))
    assert selectors.budget_list(actor=other_org[1]).count() == 0
    total_fr = sum(b.planned_amount for b in fr_budgets)
    assert total_fr == Decimal(9000 + 9500 + 10000 + 10500 + 4 * 3000)
