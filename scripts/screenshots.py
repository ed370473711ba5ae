"""Refresh the documentation screenshots from a running Harmonie with the demo loaded.

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000]

Logs in as the demo org admin through the real login form, in English, and saves PNGs under
docs/screenshots/. Uses Debian's Chromium (HARMONIE_CHROMIUM to change it).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGES = {"dashboard": "/", "matrix": "/governance/", "strategy": "/strategy/", "charter": "/strategy/charter/"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--only", nargs="*", default=list(PAGES))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("HARMONIE_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="en-US")
        page.goto(args.base + "/accounts/login/")
        page.fill("input[name=email]", "claire.martin@vireo.example")
        page.fill("input[name=password]", "harmonie-demo")
        page.click("[data-testid=login-submit]")
        page.wait_for_url("**/")
        with page.expect_navigation():
            page.select_option("[data-testid=language-select]", "en")
        for name in args.only:
            response = page.goto(args.base + PAGES[name])
            if response is None or response.status != 200:
                print(f"skipped {name}: {response.status if response else 'no response'}")
                continue
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            print(f"saved docs/screenshots/{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
