"""Browser tests: Playwright's Python client driving Debian's Chromium against a live Harmonie."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from harmonie.config.demo import load_all
from harmonie.governance.demo import DEMO_PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HARMONIE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test.sh (it installs Debian's chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_all(analytics=False)


@pytest.fixture
def page(browser: Browser, live_server, demo) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page: Page):  # type: ignore[no-untyped-def]
    """``login("claire.martin@vireo.example")`` through the real login form."""

    def do(email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("[data-testid=login-submit]")
        page.wait_for_url("**/")

    return do
