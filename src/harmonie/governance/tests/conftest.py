"""Fixtures for the governance pages: a logged-in client in a chosen language, the demo year, translations."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils.translation import trans_real

from harmonie.accounts.models import User
from harmonie.governance.demo import PERSONAS
from harmonie.governance.views import common

DEMO_YEAR = 2026  # the demo's budgets are planned for 2026
SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "compile_translations.py"


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> Iterator[None]:
    """Compile the catalogues when a .po is newer than its .mo, so French pages work without the set-up script."""
    spec = importlib.util.spec_from_file_location("compile_translations", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = [
        po
        for po in module.LOCALE_DIR.glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    for po in stale:
        module.compile_catalogue(po)
    if stale:
        trans_real._translations = {}  # forget catalogues loaded before the compilation
    return


@pytest.fixture
def demo_year(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pages default to the current year; pin it to the demo's year so totals stay exact."""
    monkeypatch.setattr(common, "current_year", lambda: DEMO_YEAR)
    return DEMO_YEAR


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[..., Client]:
    """``client_as("fr_community_manager")``: logged in, interface in English unless ``language`` says otherwise."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str, language: str = "en") -> Client:
        User.objects.filter(email=emails[key]).update(language=language)
        return client_for(key)

    return get
