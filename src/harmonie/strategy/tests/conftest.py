"""Fixtures of the strategy tests: the demo with its strategy, a logged-in client in a chosen language, a fixed
clock for the pages, and compiled translations for the French pages."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.translation import trans_real

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Organization
from harmonie.governance.permissions import Actor
from harmonie.strategy.demo import load_demo
from harmonie.strategy.views import common

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "compile_translations.py"
# A Thursday inside every demo objective's period (2026-01-01 to 2027-06-30).
PAGES_NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def strategy_demo(demo_org: Organization) -> Organization:
    load_demo(demo_org)
    return demo_org


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
def pages_now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The strategy pages read "today" through ``common.now``: pin it inside the demo's objective periods."""
    monkeypatch.setattr(common, "now", lambda: PAGES_NOW)
    return PAGES_NOW


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[..., Client]:
    """``client_as("fr_community_manager")``: logged in, interface in English unless ``language`` says otherwise."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str, language: str = "en") -> Client:
        User.objects.filter(email=emails[key]).update(language=language)
        return client_for(key)

    return get


# --- the REST API (test_api.py) ---------------------------------------------------------------


class Api:
    """A JSON client for /api/v1/strategy that sends a persona's real personal access token."""

    prefix = "/api/v1/strategy"
    json = "application/json"

    def __init__(self, raw_token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {raw_token}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(self.prefix + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(self.prefix + path, body or {}, content_type=self.json)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(self.prefix + path, body, content_type=self.json)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(self.prefix + path, body, content_type=self.json)

    def delete(self, path: str) -> Any:
        return self.client.delete(self.prefix + path)


def _api_for(user: User, organization: Organization) -> Api:
    _token, raw = token_create(user=user, organization_id=organization.pk, name="tests")
    return Api(raw)


@pytest.fixture
def api_client_for(strategy_demo: Organization) -> Callable[[str], Api]:
    """``api_client_for("fr_community_manager")``: the strategy API called with that persona's token."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str) -> Api:
        return _api_for(User.objects.get(email=emails[key]), strategy_demo)

    return get


@pytest.fixture
def other_api(other_org: tuple[Organization, Actor]) -> Api:
    """The admin of another organization, with a token of that organization."""
    org, actor = other_org
    return _api_for(actor.user, org)
