from __future__ import annotations

import pytest

from harmonie.core.errors import Conflict, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance import selectors, services
from harmonie.governance.models import Market, MarketKind


def test_demo_market_tree_in_order(demo_org, persona):
    hq = persona("hq_admin")
    codes = [(m.code, m.depth) for m in selectors.market_list(actor=hq)]
    assert codes == [
        ("GLOBAL", 0), ("EUROPE", 1), ("FR", 2), ("DE", 2), ("AMERICAS", 1), ("US", 2), ("BR", 2),
        ("APAC", 1), ("JP", 2),
    ]  # fmt: skip


def test_french_community_manager_sees_france_and_its_ancestors_only(demo_org, persona):
    codes = [m.code for m in selectors.market_list(actor=persona("fr_community_manager"))]
    assert codes == ["GLOBAL", "EUROPE", "FR"]


def test_create_market_normalizes_and_audits(demo_org, persona, market):
    hq = persona("hq_admin")
    be = services.market_create(
        actor=hq, parent=market("EUROPE"), kind=MarketKind.COUNTRY, code="be", name="Belgium",
        languages=["fr_be", "nl-be", "fr-BE"], timezone="Europe/Brussels", currency="eur",
    )  # fmt: skip
    assert (be.code, be.languages, be.currency, be.depth) == ("BE", ["fr-BE", "nl-BE"], "EUR", 2)
    assert be.path == f"{market('EUROPE').path}{be.pk:010d}/"
    entry = AuditEntry.objects.get(action="market.create", target_id=str(be.pk))
    assert entry.after["languages"] == ["fr-BE", "nl-BE"]
    assert entry.actor_label == "Claire Martin"
    assert entry.market_id == be.pk


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("timezone", {"timezone": "Europe/Parris"}, "'Europe/Parris' is not an IANA time zone."),
        ("languages", {"languages": ["french"]}, "'french' is not a BCP 47 language tag."),
        ("languages", {"languages": []}, "Give at least one language"),
        ("currency", {"currency": "EURO"}, "'EURO' is not an ISO 4217 currency code"),
        ("code", {"code": "B E!"}, "Give a short code of letters and digits"),
    ],
)
def test_bad_market_input_is_refused_with_what_to_fix(demo_org, persona, market, field, kwargs, message):
    data = {"code": "BE", "name": "Belgium", "languages": ["fr-BE"], "timezone": "Europe/Brussels", "currency": "EUR"}
    data.update(kwargs)
    before = Market.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.market_create(actor=persona("hq_admin"), parent=market("EUROPE"), kind=MarketKind.COUNTRY, **data)
    assert exc.value.field == field
    assert exc.value.message.startswith(message)
    assert Market.objects.count() == before


def test_duplicate_code_conflicts(demo_org, persona, market):
    with pytest.raises(Conflict, match="A market with the code FR already exists"):
        services.market_create(
            actor=persona("hq_admin"), parent=market("EUROPE"), kind=MarketKind.COUNTRY, code="fr", name="Bis",
            languages=["fr"], timezone="Europe/Paris", currency="EUR",
        )  # fmt: skip


def test_country_cannot_hold_markets(demo_org, persona, market):
    with pytest.raises(ValidationFailed, match="cannot be placed under France"):
        services.market_create(
            actor=persona("hq_admin"), parent=market("FR"), kind=MarketKind.REGION, code="IDF", name="IdF",
            languages=["fr"], timezone="Europe/Paris", currency="EUR",
        )  # fmt: skip


def test_market_lead_manages_own_market_only(demo_org, persona, market):
    fr_lead = persona("fr_market_lead")
    fr = market("FR")
    services.market_update(
        actor=fr_lead, market=fr, name="France métropolitaine", code="FR", languages=["fr-FR", "br"],
        timezone="Europe/Paris", currency="EUR",
    )  # fmt: skip
    assert Market.objects.get(pk=fr.pk).name == "France métropolitaine"
    with pytest.raises(NotPermitted):
        services.market_update(
            actor=fr_lead, market=market("DE"), name="X", code="DE", languages=["de"], timezone="Europe/Berlin",
            currency="EUR",
        )  # fmt: skip


def test_moving_a_region_rewrites_the_subtree(demo_org, persona, market):
    hq = persona("hq_admin")
    emea = services.market_create(
        actor=hq, parent=market("GLOBAL"), kind=MarketKind.REGION, code="EMEA", name="EMEA", languages=["en"],
        timezone="Europe/London", currency="EUR",
    )  # fmt: skip
    europe = market("EUROPE")
    services.market_update(
        actor=hq, market=europe, name=europe.name, code=europe.code, languages=europe.languages,
        timezone=europe.timezone, currency=europe.currency, parent=emea,
    )  # fmt: skip
    fr = market("FR")
    assert fr.path == f"{emea.path}{europe.pk:010d}/{fr.pk:010d}/"
    assert fr.depth == 3
    assert fr.ancestor_ids() == [fr.pk, europe.pk, emea.pk, market("GLOBAL").pk]
    with pytest.raises(ValidationFailed, match="cannot be moved under itself"):
        services.market_update(
            actor=hq, market=market("EMEA"), name="EMEA", code="EMEA", languages=["en"], timezone="Europe/London",
            currency="EUR", parent=fr,
        )  # fmt: skip


def test_other_organization_markets_are_invisible(demo_org, persona, other_org):
    _org_b, admin_b = other_org
    assert [m.code for m in selectors.market_list(actor=admin_b)] == ["GLOBAL"]
    demo_codes = {m.organization_id for m in selectors.market_list(actor=persona("hq_admin"))}
    assert demo_codes == {demo_org.pk}
    with pytest.raises(Exception, match="No such market"):
        selectors.market_get(actor=admin_b, pk=Market.objects.get(organization=demo_org, code="FR").pk)
