from __future__ import annotations

import pytest

from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance import matrix, selectors, services
from harmonie.governance.models import Dimension, GovernanceRule, Organization
from harmonie.governance.presets import PRESETS


def _dim(org: Organization, key: str) -> Dimension:
    return Dimension.objects.get(organization=org, key=key)


def _cell(rule: GovernanceRule) -> tuple[str, str, str]:
    return (rule.ownership, rule.creators, rule.local_variants)


def test_builtin_dimensions_and_custom_one(demo_org):
    keys = list(Dimension.objects.filter(organization=demo_org).values_list("key", "is_builtin"))
    assert keys == [
        ("corporate", True), ("financial", True), ("crisis", True), ("product", True), ("country", True),
        ("internal", True), ("innovation", False),
    ]  # fmt: skip


@pytest.mark.parametrize("preset", ["centralized", "mixed", "decentralized"])
def test_presets_fill_every_default_cell(preset, db, django_user_model):
    admin = django_user_model.objects.create_user(email=f"admin-{preset}@x.example", password="x" * 12)
    org, _member = services.organization_create(name=f"Org {preset}", admin_user=admin, preset=preset)
    defaults = {
        r.dimension.key: _cell(r)
        for r in GovernanceRule.objects.filter(organization=org, market__isnull=True).select_related("dimension")
    }
    assert defaults == {key: tuple(cell) for key, cell in PRESETS[preset].items()}
    assert GovernanceRule.objects.filter(organization=org, market__isnull=False).count() == 0


def test_mixed_preset_values(demo_org):
    """The mixed preset keeps financial global, crisis global-led with required variants, country local-led."""
    defaults = {
        r.dimension.key: _cell(r)
        for r in GovernanceRule.objects.filter(organization=demo_org, market__isnull=True).select_related("dimension")
    }
    assert defaults["financial"] == ("global_only", "global_team", "not_allowed")
    assert defaults["crisis"] == ("global_led", "global_team", "required")
    assert defaults["country"] == ("local_led", "community_managers", "allowed")
    assert defaults["innovation"] == ("local_led", "market_leads", "allowed")


def test_applying_a_preset_resets_overrides_and_audits_each_change(demo_org, persona):
    hq = persona("hq_admin")
    assert GovernanceRule.objects.filter(organization=demo_org, market__isnull=False).count() == 3
    start = AuditEntry.objects.count()
    services.governance_preset_apply(actor=hq, preset="centralized")
    demo_org.refresh_from_db()
    assert demo_org.governance_preset == "centralized"
    assert GovernanceRule.objects.filter(organization=demo_org, market__isnull=False).count() == 0
    new = list(AuditEntry.objects.order_by("id")[start:].values_list("action", "target_label"))
    assert new[0] == ("governance.preset_apply", "Vireo Industries")
    assert sorted(label for action, label in new if action == "governance_rule.clear") == [
        "Country × Brazil", "Product × Europe", "Product × Japan",
    ]  # fmt: skip
    # financial is the same in mixed and centralized: no row for it.
    assert sorted(label for action, label in new if action == "governance_rule.set") == [
        "Corporate × default (all markets)", "Country × default (all markets)", "Crisis × default (all markets)",
        "Innovation & R&D × default (all markets)", "Internal / HR × default (all markets)",
        "Product × default (all markets)",
    ]  # fmt: skip
    assert len(new) == 10


def test_setting_a_cell_records_before_and_after(demo_org, persona, market):
    hq = persona("hq_admin")
    services.governance_rule_set(
        actor=hq, dimension=_dim(demo_org, "internal"), market=market("DE"), ownership="local_free",
        creators="community_managers", local_variants="allowed",
    )  # fmt: skip
    entry = AuditEntry.objects.filter(action="governance_rule.set").latest("id")
    assert entry.target_label == "Internal / HR × Germany"
    assert entry.before is None
    assert entry.after == {
        "ownership": "local_free", "creators": "community_managers", "local_variants": "allowed",
        "cross_market_visibility": False, "approval_circuit": "",
    }  # fmt: skip
    assert entry.market_id == market("DE").pk
    services.governance_rule_set(
        actor=hq, dimension=_dim(demo_org, "internal"), market=market("DE"), ownership="local_led",
        creators="community_managers", local_variants="required", approval_circuit="local-lead",
    )  # fmt: skip
    entry = AuditEntry.objects.filter(action="governance_rule.set").latest("id")
    assert (entry.before["ownership"], entry.after["ownership"]) == ("local_free", "local_led")
    assert (entry.before["local_variants"], entry.after["local_variants"]) == ("allowed", "required")
    assert entry.after["approval_circuit"] == "local-lead"
    demo_org.refresh_from_db()
    assert demo_org.governance_preset == "custom"


def test_unchanged_cell_writes_no_audit_row(demo_org, persona):
    hq = persona("hq_admin")
    count = AuditEntry.objects.count()
    services.governance_rule_set(
        actor=hq, dimension=_dim(demo_org, "financial"), market=None, ownership="global_only",
        creators="global_team", local_variants="not_allowed", approval_circuit="finance-legal",
    )  # fmt: skip
    assert AuditEntry.objects.count() == count


def test_contradictory_cell_is_refused(demo_org, persona):
    with pytest.raises(ValidationFailed) as exc:
        services.governance_rule_set(
            actor=persona("hq_admin"), dimension=_dim(demo_org, "financial"), market=None,
            ownership="global_only", creators="community_managers", local_variants="not_allowed",
        )  # fmt: skip
    assert exc.value.field == "creators"
    assert _cell(GovernanceRule.objects.get(dimension=_dim(demo_org, "financial"), market=None)) == (
        "global_only", "global_team", "not_allowed",
    )  # fmt: skip


@pytest.mark.parametrize("who", ["fr_market_lead", "fr_community_manager", "analyst", "legal_approver"])
def test_only_global_governance_editors_change_the_matrix(demo_org, persona, market, who):
    count = AuditEntry.objects.count()
    with pytest.raises(NotPermitted):
        services.governance_rule_set(
            actor=persona(who), dimension=_dim(demo_org, "country"), market=market("FR"), ownership="local_free",
            creators="contributors", local_variants="allowed",
        )  # fmt: skip
    assert AuditEntry.objects.count() == count
    assert not GovernanceRule.objects.filter(dimension=_dim(demo_org, "country"), market=market("FR")).exists()


def test_clearing_an_override_restores_inheritance(demo_org, persona, market):
    hq = persona("hq_admin")
    product = _dim(demo_org, "product")
    book = matrix.RuleBook.for_organization(demo_org.pk)
    rule, source = book.effective(product, market("FR"))
    assert (_cell(rule), source.code) == (("global_led", "market_leads", "allowed"), "EUROPE")
    services.governance_rule_clear(actor=hq, dimension=product, market=market("EUROPE"))
    rule, source = matrix.RuleBook.for_organization(demo_org.pk).effective(product, market("FR"))
    assert (_cell(rule), source) == (("global_led", "market_leads", "allowed"), None)
    assert rule.market_id is None
    assert AuditEntry.objects.filter(action="governance_rule.clear", target_label="Product × Europe").count() == 1


def test_matrix_grid_marks_overrides_and_inheritance(demo_org, persona):
    markets, rows = selectors.governance_matrix(actor=persona("hq_admin"))
    assert [m.code for m in markets][:3] == ["GLOBAL", "EUROPE", "FR"]
    product = next(r for r in rows if r.dimension.key == "product")
    by_market = {(c.market.code if c.market else "GLOBAL"): c for c in product.cells}
    assert by_market["EUROPE"].overridden is True
    assert (by_market["FR"].overridden, by_market["FR"].source.code) == (False, "EUROPE")
    assert (by_market["JP"].overridden, by_market["JP"].rule.creators) == (True, "global_team")
    assert (by_market["US"].overridden, by_market["US"].source) == (False, None)
    assert len(rows) == 7
    assert all(len(r.cells) == 9 for r in rows)


def test_matrix_for_a_community_manager_shows_their_columns(demo_org, persona):
    markets, rows = selectors.governance_matrix(actor=persona("fr_community_manager"))
    assert [m.code for m in markets] == ["GLOBAL", "EUROPE", "FR"]
    assert all(len(r.cells) == 3 for r in rows)


@pytest.mark.parametrize(
    ("who", "dimension", "code", "allowed", "reason"),
    [
        ("fr_community_manager", "country", "FR", True, "Allowed by the governance matrix."),
        ("fr_community_manager", "financial", "FR", False,
         "Financial content is kept global: only the global team publishes it."),
        ("fr_community_manager", "product", "FR", False, "In France, Product content is created by: Market leads."),
        ("fr_market_lead", "product", "FR", True, "Allowed by the governance matrix."),
        ("fr_community_manager", "country", "DE", False, "You have no role that creates content in Germany."),
        ("agency_contributor", "country", "US", False,
         "In United States, Country content is created by: Community managers."),
        ("br_community_manager", "country", "BR", True, "Allowed by the governance matrix."),
        ("jp_market_lead", "product", "JP", False, "Only the global team creates Product content."),
        ("hq_admin", "financial", "GLOBAL", True, "Allowed: you are on the global team."),
        ("analyst", "country", "FR", False, "You have no role that creates content in France."),
        ("legal_approver", "corporate", "GLOBAL", False, "You have no role that creates content in Global."),
    ],
)  # fmt: skip
def test_who_may_create_what_where(demo_org, persona, market, who, dimension, code, allowed, reason):
    decision = matrix.can_create(persona(who), _dim(demo_org, dimension), market(code))
    assert (decision.allowed, decision.reason) == (allowed, reason)


def test_local_variants_follow_the_matrix(demo_org, persona, market):
    cm = persona("fr_community_manager")
    assert matrix.can_localize(cm, _dim(demo_org, "corporate"), market("FR")).allowed is True
    refused = matrix.can_localize(cm, _dim(demo_org, "financial"), market("FR"))
    assert (refused.allowed, refused.reason) == (
        False, "Financial content is published as is: local variants are not allowed.",
    )  # fmt: skip


def test_french_cm_reads_german_drafts_only_where_the_matrix_opens_them(demo_org, persona, market):
    cm = persona("fr_community_manager")
    assert matrix.can_read_content(cm, _dim(demo_org, "country"), market("DE")).allowed is False
    # The demo opens Product in Europe to other markets (read only) ...
    opened = matrix.can_read_content(cm, _dim(demo_org, "product"), market("DE"))
    assert (opened.allowed, opened.reason) == (
        True, "The governance matrix opens this cell to other markets (read only).",
    )  # fmt: skip
    # ... but never to change them.
    assert matrix.can_change_content(cm, _dim(demo_org, "product"), market("DE")).allowed is False
    # Brazil's product cell is not opened.
    assert matrix.can_read_content(cm, _dim(demo_org, "product"), market("BR")).allowed is False


def test_other_organization_cannot_touch_the_matrix(demo_org, other_org, market):
    _org_b, admin_b = other_org
    with pytest.raises(ValidationFailed, match="another organization"):
        services.governance_rule_set(
            actor=admin_b, dimension=_dim(demo_org, "country"), market=None, ownership="local_free",
            creators="contributors", local_variants="allowed",
        )  # fmt: skip
    assert matrix.can_create(admin_b, _dim(demo_org, "country"), market("FR")).allowed is False
