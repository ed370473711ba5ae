"""Strategy pages in a real browser: create an objective and its KPI through the forms, then watch the charter's
lint box flag a banned term while the text is typed, and clear the finding once the text is fixed."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from harmonie.core.models import AuditEntry
from harmonie.strategy import document
from harmonie.strategy.models import Objective

pytestmark = pytest.mark.browser

HQ = "claire.martin@vireo.example"


def _english(page: Page) -> None:
    with page.expect_navigation():
        page.select_option("[data-testid=language-select]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_create_an_objective_with_a_kpi(page: Page, login) -> None:
    login(HQ)
    _english(page)
    page.click("[data-testid=nav-strategy-objectives]")
    page.click("[data-testid=objective-new]")
    form = page.locator("[data-testid=objective-form]")
    form.locator("select[name=market]").select_option(label="— — France (FR)")
    form.locator("input[name=name]").fill("Recrutement d’ingénieurs France")
    form.locator("select[name=type]").select_option("recruitment")
    form.locator("input[name=period_start]").fill("2026-09-01")
    form.locator("input[name=period_end]").fill("2027-06-30")
    form.locator("select[name=audience]").select_option(label="Engineering graduates")
    form.get_by_label("Vireo France (LinkedIn) — vireo-france").check()
    form.locator("select[name=relation_mode]").select_option("proximity")
    form.locator("[data-testid=form-submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recrutement d’ingénieurs France")
    expect(page.locator("[data-testid=no-kpi]")).to_be_visible()
    kpi_form = page.locator("[data-testid=kpi-form]")
    kpi_form.locator("select[name=metric]").select_option("applications")
    kpi_form.locator("input[name=baseline]").fill("20")
    kpi_form.locator("input[name=target]").fill("45")
    kpi_form.locator("[data-testid=form-submit]").click()

    row = page.locator("[data-testid=kpi-applications]")
    expect(row).to_contain_text("Job applications")
    expect(row).to_contain_text("45")
    expect(page.locator("[data-testid=no-kpi]")).to_have_count(0)

    objective = Objective.objects.get(name="Recrutement d’ingénieurs France")
    assert (objective.market.code, objective.type, objective.relation_mode) == ("FR", "recruitment", "proximity")
    assert (objective.period_start, objective.period_end) == (dt.date(2026, 9, 1), dt.date(2027, 6, 30))
    assert [c.handle for c in objective.channels.all()] == ["vireo-france"]
    assert [(k.metric, k.baseline, k.target) for k in objective.kpis.all()] == [
        ("applications", Decimal("20.0000"), Decimal("45.0000"))
    ]
    actions = list(
        AuditEntry.objects.filter(action__in=["objective.create", "kpi.create"])
        .order_by("-id")[:2]
        .values_list("action", "actor_label")
    )
    assert actions == [("kpi.create", "Claire Martin"), ("objective.create", "Claire Martin")]


def test_the_charter_flags_a_banned_term_as_it_is_typed(page: Page, login) -> None:
    login(HQ)
    _english(page)
    page.goto("/strategy/charter/")
    page.locator("[data-testid=lint-form] select[name=market]").select_option(label="— — France (FR)")
    box = page.locator("[data-testid=lint-input]")
    findings = page.locator("[data-testid=lint-findings]")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method) if "/charter/lint/" in request.url else None)

    box.press_sequentially("Notre revêtement révolutionnaire", delay=25)
    mark = findings.locator("mark[data-testid=finding-span]")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text("révolutionnaire")
    expect(mark).to_have_attribute("data-severity", "block")
    expect(findings.locator("[data-testid=finding]")).to_have_count(1)
    expect(findings.locator(".finding-rule")).to_have_text("Unsubstantiated superlatives")
    expect(findings).to_contain_text("“révolutionnaire” matches the banned term “révolutionnaire”.")
    assert page.url.endswith("/strategy/charter/")  # nothing was submitted: the page never left
    assert requests
    assert set(requests) == {"POST"}

    box.press("End")
    for _ in "révolutionnaire":
        box.press("Backspace")
    box.press_sequentially("durable", delay=25)
    expect(findings.locator("mark[data-testid=finding-span]")).to_have_count(0)
    expect(findings.locator("[data-testid=finding]")).to_have_count(0)
    expect(findings.locator("[data-testid=lint-summary]")).to_contain_text("No finding")
    expect(findings.locator("[data-testid=lint-preview]")).to_have_text("Notre revêtement durable")


def test_the_pdf_download_shows_progress_until_the_file_arrives(
    page: Page, login, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_pdf = document.render_pdf

    def slow_render_pdf(doc: document.StrategyDocument) -> bytes:
        time.sleep(1.5)  # a big organization's PDF takes a while: the page must show it is working
        return render_pdf(doc)

    monkeypatch.setattr(document, "render_pdf", slow_render_pdf)
    login(HQ)
    _english(page)
    page.goto("/strategy/document/")
    link = page.locator("[data-testid=download-pdf]")
    progress = page.locator("[data-testid=download-progress]")
    expect(progress).to_be_hidden()
    with page.expect_download() as download:
        link.click()
        expect(link).to_have_attribute("aria-busy", "true")
        expect(progress).to_have_text("Preparing the PDF…")
        expect(progress).to_be_visible()
    assert download.value.suggested_filename == "vireo-strategy.pdf"
    expect(link).not_to_have_attribute("aria-busy", "true")
    expect(progress).to_be_hidden()
