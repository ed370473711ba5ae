"""Shared fixtures. Personas are the demo organization's people (see governance/demo.py)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from harmonie.accounts.models import User
from harmonie.config.demo import load_all
from harmonie.governance.demo import DEMO_PASSWORD, PERSONAS
from harmonie.governance.models import Market, Member, Organization
from harmonie.governance.permissions import Actor, actor_for
from harmonie.governance.services import organization_create

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Every test starts and ends in English, whatever language a previous request activated."""
    translation.activate("en")
    yield
    translation.activate("en")
    timezone.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the demo once into the test database; each test runs in a transaction rolled back after it.

    Tests that flush the database (browser tests on a live server) are followed by tests that load it
    again through ``demo_org``, which is idempotent. The analytics demo (a year of metrics, ~1,300 past posts)
    is left out so that tests count their own data; its loaders are tested in the analytics app.
    """
    with django_db_blocker.unblock():
        load_all(analytics=False)


@pytest.fixture
def demo_org(db: None) -> Organization:
    org, _created = load_all(analytics=False)
    return org


@pytest.fixture
def persona(demo_org: Organization) -> Callable[[str], Actor]:
    """``persona("fr_community_manager")`` -> that member's Actor in the demo organization."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str) -> Actor:
        member = Member.objects.select_related("organization", "user").get(
            organization=demo_org, user__email=emails[key]
        )
        return actor_for(member)

    return get


@pytest.fixture
def market(demo_org: Organization) -> Callable[[str], Market]:
    def get(code: str) -> Market:
        return Market.objects.get(organization=demo_org, code=code)

    return get


@pytest.fixture
def other_org(db: None) -> tuple[Organization, Actor]:
    """A second organization with its own admin: nothing of it may leak into the demo one, and back."""
    admin = User.objects.create_user(email="olga.admin@other.example", password=DEMO_PASSWORD, first_name="Olga")
    org, member = organization_create(name="Other Corp", admin_user=admin, preset="centralized", timezone="UTC")
    return org, actor_for(member)


@pytest.fixture
def client_for(demo_org: Organization) -> Callable[[str], Client]:
    """A test client logged in as a persona (session auth, CSRF checks on)."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str) -> Client:
        client = Client(enforce_csrf_checks=False)
        client.force_login(User.objects.get(email=emails[key]))
        return client

    return get
