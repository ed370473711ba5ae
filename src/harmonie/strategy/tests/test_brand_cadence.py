from __future__ import annotations

from decimal import Decimal

import pytest

from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.governance.models import Channel
from harmonie.strategy import selectors, services
from harmonie.strategy.knowledge import benchmarks_for
from harmonie.strategy.models import ContentPillar, KeyMessage


def test_pillar_mix_must_add_up_to_100(strategy_demo, persona):
    hq = persona("hq_admin")
    with pytest.raises(ValidationFailed) as exc:
        services.pillars_set(
            actor=hq,
            pillars=[
                {"name": "Expertise", "target_share": 50, "description": ""},
                {"name": "Product", "target_share": "40", "description": ""},
            ],
        )
    assert exc.value.message == "The target mix adds up to 90.00 %; it must add up to 100 %."
    assert list(ContentPillar.objects.values_list("name", "target_share")) == [
        ("Expertise", Decimal("40.00")), ("Proximity", Decimal("30.00")), ("Product", Decimal("30.00")),
    ]  # fmt: skip
    with pytest.raises(NotPermitted):
        services.pillars_set(actor=persona("fr_market_lead"), pillars=[])


def test_key_message_adaptations_are_per_market(strategy_demo, persona, market):
    message = KeyMessage.objects.get(text__startswith="We co-develop")
    fr_lead = persona("fr_market_lead")
    wording = "Nous co-développons avec les ingénieurs de nos clients, près de leurs usines."
    services.key_message_adapt(actor=fr_lead, message=message, market=market("FR"), text=wording)
    with pytest.raises(NotPermitted):
        services.key_message_adapt(actor=fr_lead, message=message, market=market("DE"), text="Wir entwickeln …")
    view = selectors.brand_view(actor=persona("fr_community_manager"))
    adaptations = {k.text[:14]: [(a.market.code, a.text[:20]) for a in k.adaptations.all()] for k in view.key_messages}
    # The French team sees French wordings only, not the German one.
    assert adaptations == {
        "Our materials ": [("FR", "Nos matériaux réduis")],
        "We co-develop ": [("FR", "Nous co-développons ")],
        "Vireo is a pla": [],
    }


def test_cadence_benchmarks_cite_their_source():
    x = benchmarks_for("x")
    assert (x[0].posts_per_week, x[0].source.startswith("LMI, reported by QSN Digital")) == (Decimal(27), True)
    facebook = benchmarks_for("facebook")
    assert facebook[0].posts_per_week == Decimal("3.6")
    assert all(b.source for b in x + facebook)


def test_resource_plan_flags_a_market_planning_more_than_its_team_can_do(strategy_demo, persona):
    plan = {load.market.code: load for load in selectors.resource_plan(actor=persona("hq_admin"))}
    jp = plan["JP"]
    assert [(c.channel.handle, c.posts_per_week, c.main_format, c.hours_per_week) for c in jp.channels] == [
        ("@vireo.japan", Decimal("7.00"), "image", Decimal("7.0")),  # Threads, then X: by network
        ("@Vireo_JP", Decimal("14.00"), "image", Decimal("14.0")),
    ]
    assert (jp.required_hours, jp.available_hours, jp.members, jp.overloaded, jp.load_percent) == (
        Decimal("21.0"), Decimal("20.0"), 1, True, 105,
    )  # fmt: skip
    fr = plan["FR"]
    assert (fr.required_hours, fr.available_hours, fr.overloaded) == (Decimal("3.0"), Decimal("45.0"), False)
    glob = plan["GLOBAL"]
    assert glob.required_hours == Decimal("10.5")  # 2.5 + 3.5 + 2.5 + 2.0 (half a video a week)


def test_cadence_changes_recompute_the_plan(strategy_demo, persona):
    jp_lead = persona("jp_market_lead")
    services.cadence_target_set(
        actor=jp_lead, channel=Channel.objects.get(handle="@vireo.japan"), posts_per_week=3, main_format="text"
    )
    jp = next(load for load in selectors.resource_plan(actor=jp_lead) if load.market.code == "JP")
    assert (jp.required_hours, jp.overloaded) == (Decimal("15.5"), False)
    with pytest.raises(ValidationFailed, match="between 0 and 500"):
        services.cadence_target_set(
            actor=jp_lead, channel=Channel.objects.get(handle="@vireo.japan"), posts_per_week=900, main_format="text"
        )
    with pytest.raises(NotPermitted):
        services.cadence_target_set(
            actor=jp_lead, channel=Channel.objects.get(handle="@VireoUS"), posts_per_week=1, main_format="text"
        )
