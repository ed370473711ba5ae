"""The objectives dashboard in a real Chromium, in French: change the market filter and watch the KPI table and the
chart change to the exact expected values (HTMX swaps the body; the URL follows)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from harmonie.analytics.tests.test_kpis_world import PASSWORD, UTC, World

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("HARMONIE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test.sh (it installs Debian's chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def french_world(transactional_db: None) -> World:
    world = World()
    world.admin_user.language = "fr"
    world.admin_user.save(update_fields=["language"])
    fr = world.channel("linkedin", "vireo-fr", world.fr)
    jp = world.channel("x", "vireo_jp", world.jp)
    world.day(fr, dt.date(2026, 10, 5), clicks=45)
    world.day(fr, dt.date(2026, 10, 20), clicks=15)
    world.day(jp, dt.date(2026, 10, 12), clicks=40)
    world.click(world.link(world.jp), dt.datetime(2026, 10, 12, 3, tzinfo=UTC))  # a manual link: always counted
    world.objective(
        world.root, "drive_to_web", dt.date(2026, 10, 1), dt.date(2026, 10, 31), [("clicks", None, 200)],
        name="Trafic vers le site",
    )  # fmt: skip
    return world


def _point(polyline, index: int) -> str:  # type: ignore[no-untyped-def]
    return str(polyline.get_attribute("points")).split()[index]


def test_french_dashboard_market_filter_changes_table_and_chart(
    browser: Browser,
    live_server,
    french_world: World,  # type: ignore[no-untyped-def]
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page: Page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=email]", "ada.admin@h7c.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/")
    page.goto("/analytics/?period=custom&start=2026-10-01&end=2026-10-31")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    table = page.locator("[data-testid=kpi-table]")
    expect(table.locator("thead")).to_contain_text("Indicateur")
    expect(table.locator("thead")).to_contain_text("Cible")
    row = table.locator("[data-testid=kpi-row-clicks]")
    expect(row.locator("th")).to_have_text("Clics")
    # all my markets: 45 + 15 (France) + 40 + 1 short-link click (Japan)
    expect(row.locator("[data-testid=kpi-actual]")).to_have_text("101")
    expect(row.locator("[data-testid=kpi-percent]")).to_have_text("51 %")
    line = page.locator("[data-testid=kpi-chart] polyline").first
    # one point a day of October (x from 56 to 624, 568/30 px apart); the y axis goes up to 200 (y 208 → 24)
    expect(line).to_have_attribute("points", re.compile(r"^56,208 .* 112\.8,208 131\.7,166\.6 .* 624,115\.1$"))
    assert _point(line, 10) == "245.3,166.6"  # 11 October: still 45
    assert _point(line, 11) == "264.3,128.9"  # 12 October: + 41 in Japan

    page.locator("[data-testid=market-filter]").select_option(label="— — Fr (FR)")
    expect(row.locator("[data-testid=kpi-actual]")).to_have_text("60")
    expect(page.locator("[data-testid=kpi-table] [data-testid=kpi-row-clicks] [data-testid=kpi-percent]")).to_have_text(
        "30 %"
    )
    line = page.locator("[data-testid=kpi-chart] polyline").first
    expect(line).to_have_attribute("points", re.compile(r"^56,208 .* 131\.7,166\.6 .* 624,152\.8$"))
    assert _point(line, 11) == "264.3,166.6"  # 12 October: nothing from Japan any more

    assert f"market={french_world.fr.pk}" in page.url
    context.close()
