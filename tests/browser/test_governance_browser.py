"""Log in, switch the language, edit a cell of the governance matrix in place — in English and in French."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from harmonie.core.models import AuditEntry
from harmonie.governance.models import GovernanceRule, Ownership

pytestmark = pytest.mark.browser

HQ = "claire.martin@vireo.example"


def _switch_language(page: Page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("[data-testid=language-select]", code)


def _edit_cell(page: Page, testid: str, ownership: str, creators: str, variants: str) -> None:
    page.click(f"[data-testid={testid}]")
    form = page.locator(f"[data-testid={testid}] form")
    expect(form).to_be_visible()
    form.locator("select[name=ownership]").select_option(ownership)
    form.locator("select[name=creators]").select_option(creators)
    form.locator("select[name=local_variants]").select_option(variants)
    form.locator("[data-testid=cell-save]").click()
    expect(page.locator(f"[data-testid={testid}] form")).to_have_count(0)


def test_edit_a_matrix_cell_in_english(page: Page, login) -> None:
    login(HQ)
    _switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/governance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance matrix")
    _edit_cell(page, "cell-country-FR", "local_free", "contributors", "allowed")
    cell = page.locator("[data-testid=cell-country-FR]")
    expect(cell).to_contain_text("Local-free")
    expect(cell).to_contain_text("All contributors")
    rule = GovernanceRule.objects.get(dimension__key="country", market__code="FR")
    assert (rule.ownership, rule.creators, rule.local_variants) == ("local_free", "contributors", "allowed")
    entry = AuditEntry.objects.filter(action="governance_rule.set").latest("id")
    assert (entry.target_label, entry.actor_label) == ("Country × France", "Claire Martin")
    assert (entry.before, entry.after["ownership"]) == (None, "local_free")
    # The change survives a reload.
    page.reload()
    expect(page.locator("[data-testid=cell-country-FR]")).to_contain_text("Local-free")


def test_edit_a_matrix_cell_in_french(page: Page, login) -> None:
    login(HQ)
    _switch_language(page, "fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto("/governance/")
    with translation.override("fr"):
        title = translation.gettext("Governance matrix")
        global_only = str(Ownership.GLOBAL_ONLY.label)
    assert title != "Governance matrix"
    assert global_only != "Global only"
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    _edit_cell(page, "cell-internal-DE", "global_only", "global_team", "not_allowed")
    expect(page.locator("[data-testid=cell-internal-DE]")).to_contain_text(global_only)
    rule = GovernanceRule.objects.get(dimension__key="internal", market__code="DE")
    assert (rule.ownership, rule.creators, rule.local_variants) == ("global_only", "global_team", "not_allowed")
    assert AuditEntry.objects.filter(action="governance_rule.set", target_label="Internal / HR × Germany").count() == 1


def test_refused_cell_shows_the_reason_and_changes_nothing(page: Page, login) -> None:
    login(HQ)
    _switch_language(page, "en")
    page.goto("/governance/")
    page.click("[data-testid=cell-financial-GLOBAL]")
    form = page.locator("[data-testid=cell-financial-GLOBAL] form")
    form.locator("select[name=creators]").select_option("community_managers")
    form.locator("[data-testid=cell-save]").click()
    expect(page.locator("[data-testid=cell-financial-GLOBAL]")).to_contain_text(
        "A 'global only' dimension can only be created by the global team"
    )
    rule = GovernanceRule.objects.get(dimension__key="financial", market__isnull=True)
    assert rule.creators == "global_team"


def test_community_manager_sees_a_read_only_matrix(page: Page, login) -> None:
    login("camille.durand@vireo.example")
    _switch_language(page, "en")
    page.goto("/governance/")
    expect(page.locator("[data-testid=cell-country-FR]")).to_be_visible()
    expect(page.locator("[data-testid=cell-country-DE]")).to_have_count(0)
    page.click("[data-testid=cell-country-FR]")
    expect(page.locator("[data-testid=cell-country-FR] form")).to_have_count(0)
