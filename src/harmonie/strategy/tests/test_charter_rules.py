"""The demo charter applied through the service layer: which rules apply where, and what they flag."""

from __future__ import annotations

import datetime as dt

import pytest

from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel, Dimension
from harmonie.strategy import selectors, services
from harmonie.strategy.models import CharterRule


def _lint(actor, market, text, *, channel=None, dimension=None, at=None):
    result = selectors.charter_lint(actor=actor, text=text, market=market, channel=channel, dimension=dimension, at=at)
    return [(result.rules[f.rule_id].name, f.severity, text[f.start : f.end]) for f in result.findings], result


def test_french_post_is_checked_against_global_and_french_rules(strategy_demo, persona, market):
    text = (
        "En partenariat avec Nordalys, découvre notre revêtement révolutionnaire 🚀🚀🔥 "
        "https://vireo.example/fr/revetement #Innovation"
    )
    findings, result = _lint(persona("fr_community_manager"), market("FR"), text)
    assert findings == [
        ("Mention « Publicité » des partenariats", "block", "partenariat"),
        ("Competitors are not named", "warn", "Nordalys"),
        # "découvre" is a tu-form verb: verb endings are out of the address-form rule's reach (documented).
        ("Unsubstantiated superlatives", "block", "révolutionnaire"),
        ("Two emoji at most", "warn", "🔥"),
        ("Tracked links", "warn", "https://vireo.example/fr/revetement"),
    ]
    assert result.blocking is True


def test_french_address_form_rule(strategy_demo, persona, market):
    findings, _result = _lint(
        persona("fr_community_manager"), market("FR"), "Inscris-toi à notre webinaire : ton avis compte !"
    )
    assert findings == [("Vouvoiement", "block", "toi"), ("Vouvoiement", "block", "ton")]
    # The same sentence in a German market is not checked by the French rule.
    findings, _result = _lint(persona("hq_admin"), market("DE"), "Inscris-toi à notre webinaire : ton avis compte !")
    assert findings == []


def test_german_post_gets_the_sie_warning_not_the_french_rules(strategy_demo, persona, market):
    findings, result = _lint(
        persona("de_community_manager"), market("DE"),
        "Hast du unsere neue Broschüre gesehen? Dein Team wird sie lieben. Revolutionäre Beschichtung!",
    )  # fmt: skip
    assert findings == [
        ("Siezen", "warn", "du"),
        ("Siezen", "warn", "Dein"),
        ("Unsubstantiated superlatives", "block", "Revolutionäre"),
    ]
    assert result.blocking is True


def test_network_and_dimension_scoped_rules(strategy_demo, persona, market):
    long_text = "Vireo " * 230  # 1380 characters
    linkedin = Channel.objects.get(handle="vireo-france")
    bluesky = Channel.objects.get(handle="vireo-fr.bsky.social")
    on_linkedin, _r = _lint(persona("fr_community_manager"), market("FR"), long_text, channel=linkedin)
    assert [(name, len(excerpt)) for name, _sev, excerpt in on_linkedin] == [("LinkedIn: before 'see more'", 80)]
    on_bluesky, _r = _lint(persona("fr_community_manager"), market("FR"), long_text, channel=bluesky)
    assert on_bluesky == []
    financial = Dimension.objects.get(organization=strategy_demo, key="financial")
    closed = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
    quiet, _result = _lint(persona("hq_admin"), market("GLOBAL"), "FY results soon.", dimension=financial, at=closed)
    assert quiet == [("Closed period before FY2026 results", "block", "FY results soon.")]
    after, _r = _lint(
        persona("hq_admin"), market("GLOBAL"), "FY results soon.", dimension=financial,
        at=dt.datetime(2027, 2, 12, 7, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    assert after == []


def test_partnership_with_the_legal_mention_passes(strategy_demo, persona, market):
    findings, result = _lint(
        persona("fr_community_manager"), market("FR"),
        "Publicité — En partenariat avec l'INSA Lyon, nous ouvrons 20 stages. "
        "https://vireo.example/stages?utm_source=linkedin&utm_medium=social&utm_campaign=stages",
    )  # fmt: skip
    assert findings == []
    assert result.blocking is False


def test_rule_management_is_scoped_and_validated(strategy_demo, persona, market):
    de_lead = persona("de_market_lead")
    rule = services.charter_rule_create(
        actor=de_lead, market=market("DE"), name="Impressumspflicht", kind="required_mention", severity="warn",
        params={"mentions": ["Impressum"], "when_any": ["Gewinnspiel"]},
        rationale="Gewinnspiele brauchen einen Link zum Impressum.",
    )  # fmt: skip
    assert rule.params == {"mentions": ["Impressum"], "when_any": ["Gewinnspiel"]}
    assert AuditEntry.objects.filter(action="charter_rule.create", target_id=str(rule.pk)).count() == 1
    with pytest.raises(NotPermitted):
        services.charter_rule_create(
            actor=de_lead, market=market("FR"), name="X", kind="emoji", severity="warn", params={"max": 1},
            rationale="r",
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.charter_rule_create(
            actor=de_lead, market=market("DE"), name="X", kind="emoji", severity="warn", params={"max": 1},
            rationale=" ",
        )  # fmt: skip
    assert exc.value.field == "rationale"
    with pytest.raises(ValidationFailed) as exc:
        services.charter_rule_create(
            actor=de_lead, market=market("DE"), name="X", kind="banned_term", severity="warn", params={"terms": []},
            rationale="r",
        )  # fmt: skip
    assert exc.value.field == "params"
    with pytest.raises(NotPermitted):
        services.charter_rule_create(
            actor=persona("de_community_manager"), market=market("DE"), name="X", kind="emoji", severity="warn",
            params={"max": 1}, rationale="r",
        )  # fmt: skip
    assert CharterRule.objects.filter(market=market("DE")).count() == 2


def test_rule_lists_are_scoped(strategy_demo, persona):
    names = [r.name for r in selectors.charter_rule_list(actor=persona("de_community_manager"))]
    assert "Vouvoiement" not in names
    assert "Siezen" in names
    assert "Unsubstantiated superlatives" in names
    assert len(names) == 8
