"""Tokens at work, against a real local token endpoint: refreshing under the per-account lock (two processes at
once make one call), when due or forced, never wiping a stored refresh token with an empty one, and a dead grant
surfacing as *needs attention*: on the Connections page, in the managers' notifications and in the audit log,
never with a token value."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection as db
from django.db import connections
from django.test import Client
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.approvals.models import Notification
from harmonie.connectors import services
from harmonie.connectors.base import ConnectorError, Credentials, ErrorKind
from harmonie.connectors.models import ChannelConnection, ConnectionStatus
from harmonie.connectors.selectors import channels_needing_attention
from harmonie.connectors.services import ChannelNotConnected
from harmonie.connectors.tests.test_oauth_server import (
    KEY_1,
    NetworkServer,
    connect,
    fr_x_channel,
    x_app,
    youtube_app,
)
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Member
from harmonie.governance.permissions import Actor

EMAILS = {p.key: p.email for p in PERSONAS}
REVOKED = "X refused the authorization (The refresh token was revoked.): reconnect the channel."


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_1)
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True


@pytest.fixture
def server() -> Iterator[NetworkServer]:
    with NetworkServer() as running:
        yield running


@pytest.fixture
def connected_fr_x(persona: Callable[[str], Actor], server: NetworkServer) -> Channel:
    """The French X channel, connected by the French market lead through OAuth (tokens x-access-2 / x-refresh-2)."""
    hq = persona("hq_admin")
    x_app(hq, server)
    channel = fr_x_channel(hq)
    connect(persona("fr_market_lead"), channel, server)
    return Channel.objects.get(pk=channel.pk)


def _member(key: str) -> Member:
    return Member.objects.get(organization__slug="vireo", user__email=EMAILS[key])


# --- refreshing ---------------------------------------------------------------------------------------------------


def test_forced_refresh_rotates_both_tokens_and_is_audited_without_them(connected_fr_x, server):
    creds = services.connection_refresh(channel=connected_fr_x, force=True)

    [call] = server.calls("/2/oauth2/token", grant="refresh_token")
    assert call.form == {"grant_type": "refresh_token", "refresh_token": "x-refresh-2"}
    assert call.headers["authorization"].startswith("Basic ")
    assert (creds.access_token, creds.refresh_token) == ("x-access-3", "x-refresh-3")
    connection = ChannelConnection.objects.get(channel=connected_fr_x)
    assert connection.token_version == 2
    assert connection.refreshed_at is not None
    entry = AuditEntry.objects.get(action="connection.refresh", target_id=str(connected_fr_x.pk))
    assert entry.actor_id is None
    assert (entry.before["token_version"], entry.after["token_version"], entry.after["tokens"]) == (1, 2, "changed")
    assert "x-access" not in json.dumps([entry.before, entry.after])
    assert "x-refresh" not in json.dumps([entry.before, entry.after])
    # The old refresh token is dead at the network (X rotates): a second forced refresh uses the new one.
    again = services.connection_refresh(channel=connected_fr_x, force=True)
    assert (again.access_token, again.refresh_token) == ("x-access-4", "x-refresh-4")
    assert [c.form["refresh_token"] for c in server.calls("/2/oauth2/token", grant="refresh_token")] == [
        "x-refresh-2",
        "x-refresh-3",
    ]


def test_refresh_happens_only_when_the_token_is_about_to_expire(connected_fr_x, server):
    connection = ChannelConnection.objects.get(channel=connected_fr_x)
    # X access tokens live 2 h: Harmonie refreshes at 80 % of that, when 24 minutes are left.
    ChannelConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() + dt.timedelta(minutes=25))
    assert services.connection_refresh(channel=connected_fr_x).access_token == "x-access-2"
    assert server.calls("/2/oauth2/token", grant="refresh_token") == []

    ChannelConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() + dt.timedelta(minutes=23))
    assert services.connection_refresh(channel=connected_fr_x).access_token == "x-access-3"
    assert len(server.calls("/2/oauth2/token", grant="refresh_token")) == 1

    ChannelConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.connections_refresh_due() == 1
    assert services.credentials_for(channel=connected_fr_x).access_token == "x-access-4"


def test_an_answer_without_refresh_token_keeps_the_stored_one(persona, server):
    """Google answers a refresh with an access token only: the stored refresh token must survive it."""
    hq = persona("hq_admin")
    youtube_app(hq, server)
    channel = Channel.objects.get(organization=hq.organization, network="youtube")
    connect(hq, channel, server)
    assert services.credentials_for(channel=channel).refresh_token == "x-refresh-2"

    creds = services.connection_refresh(channel=channel, force=True)

    [call] = server.calls("/token", grant="refresh_token")
    assert call.form == {
        "grant_type": "refresh_token",
        "refresh_token": "x-refresh-2",
        "client_id": "harmonie-test-client",
        "client_secret": "harmonie-test-secret",
    }
    assert (creds.access_token, creds.refresh_token) == ("x-access-3", "x-refresh-2")
    assert services.credentials_for(channel=channel).refresh_token == "x-refresh-2"
    assert services.connection_refresh(channel=channel, force=True).access_token == "x-access-4"


def test_a_transient_failure_changes_nothing_and_tells_nobody(connected_fr_x, server):
    server.fail_with = (503, {"title": "Service Unavailable", "status": 503})

    with pytest.raises(ConnectorError) as failed:
        services.connection_refresh(channel=connected_fr_x, force=True)

    assert failed.value.kind == ErrorKind.TRANSIENT
    assert failed.value.message == "X's token endpoint failed for now (HTTP 503): Harmonie tries again later."
    connection = ChannelConnection.objects.get(channel=connected_fr_x)
    assert (connection.status, connection.token_version, connection.last_error) == ("connected", 1, "")
    assert not Notification.objects.filter(kind="channel_needs_attention").exists()
    assert services.connection_refresh(channel=connected_fr_x, force=True).refresh_token == "x-refresh-3"


# --- a dead grant ---------------------------------------------------------------------------------------------------


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[[str], Client]:
    def get(key: str) -> Client:
        User.objects.filter(email=EMAILS[key]).update(language="en")
        return client_for(key)

    return get


def test_invalid_grant_marks_the_channel_needs_attention_everywhere(connected_fr_x, server, client_as, persona):
    server.revoked = True

    with pytest.raises(ConnectorError) as failed:
        services.connection_refresh(channel=connected_fr_x, force=True)

    assert (failed.value.kind, failed.value.message, failed.value.code) == (
        ErrorKind.AUTH_REVOKED,
        REVOKED,
        "invalid_grant",
    )
    connection = ChannelConnection.objects.get(channel=connected_fr_x)
    assert (connection.status, connection.last_error_kind, connection.last_error) == (
        ConnectionStatus.NEEDS_ATTENTION,
        "auth_revoked",
        REVOKED,
    )
    assert connection.last_error_at is not None
    # Shown on the Connections page, in red, with the reason and a way to reconnect.
    page = client_as("fr_market_lead").get("/connections/").content.decode()
    pk = connected_fr_x.pk
    assert f'<span class="badge off" data-testid="status-{pk}">needs attention</span>' in page
    assert f'<p class="warn-text" data-testid="reason-{pk}">{REVOKED}</p>' in page
    assert f'<form method="post" action="/connections/{pk}/oauth/" class="inline">' in page
    assert f'class="danger" data-testid="connect-{pk}">Reconnect</button>' in page
    assert '<p class="warn-text" role="alert" data-testid="attention-summary">1 channel needs attention.</p>' in page
    # The people who can reconnect it are told: the French market lead and the org admin, nobody else.
    notified = Notification.objects.filter(kind="channel_needs_attention").order_by("member_id")
    assert sorted(n.member_id for n in notified) == sorted([_member("fr_market_lead").pk, _member("hq_admin").pk])
    lead_note = notified.get(member=_member("fr_market_lead"))
    # Julien reads French: the notification is written in his language, around the network's own reason.
    assert REVOKED in lead_note.message
    assert lead_note.url == "/connections/"
    assert lead_note.post_id is None
    # The audit log says what happened, never with a token.
    entry = AuditEntry.objects.get(action="connection.needs_attention", target_id=str(pk))
    assert (entry.before["status"], entry.after["status"], entry.after["last_error_kind"]) == (
        "connected",
        "needs_attention",
        "auth_revoked",
    )
    assert "x-access" not in json.dumps([entry.before, entry.after])
    assert "x-refresh" not in json.dumps([entry.before, entry.after])
    # Never silently skipped: the worker is refused with the reason, and nobody is notified twice.
    with pytest.raises(ChannelNotConnected) as refused:
        services.credentials_for(channel=connected_fr_x)
    assert refused.value.message == (
        f"The X channel Vireo France needs attention ({REVOKED}): reconnect it on the Connections page."
    )
    services.connection_mark_needs_attention(channel=connected_fr_x, kind="auth_revoked", message="Again.")
    assert Notification.objects.filter(kind="channel_needs_attention").count() == 2
    assert list(channels_needing_attention(actor=persona("fr_market_lead"))) == [connected_fr_x]
    assert list(channels_needing_attention(actor=persona("de_market_lead"))) == []


def test_reconnecting_clears_needs_attention(connected_fr_x, server, persona):
    server.revoked = True
    with pytest.raises(ConnectorError):
        services.connection_refresh(channel=connected_fr_x, force=True)
    server.revoked = False

    connection = connect(persona("fr_market_lead"), connected_fr_x, server)

    connection.refresh_from_db()
    assert (connection.status, connection.last_error_kind, connection.last_error) == ("connected", "", "")
    # code-3 for the new authorization, then its tokens: the old grant's tokens are gone.
    assert services.credentials_for(channel=connected_fr_x).refresh_token == "x-refresh-4"


def test_the_worker_marks_an_auth_error_once_and_the_managers_are_told_once(connected_fr_x):
    message = "X said the token is invalid: reconnect the channel."
    services.connection_mark_needs_attention(channel=connected_fr_x, kind="auth_revoked", message=message)
    services.connection_mark_needs_attention(channel=connected_fr_x, kind="auth_revoked", message=message)

    connection = ChannelConnection.objects.get(channel=connected_fr_x)
    assert (connection.status, connection.last_error) == ("needs_attention", message)
    assert Notification.objects.filter(kind="channel_needs_attention").count() == 2  # FR lead + org admin, once
    assert AuditEntry.objects.filter(action="connection.needs_attention").count() == 1  # the same reason again: no news
    services.connection_mark_needs_attention(channel=connected_fr_x, kind="auth_expired", message="Expired again.")
    assert AuditEntry.objects.filter(action="connection.needs_attention").count() == 2
    assert Notification.objects.filter(kind="channel_needs_attention").count() == 2


def test_a_channel_never_connected_is_refused_with_what_to_do(demo_org):
    channel = Channel.objects.get(organization=demo_org, handle="vireo-france")
    with pytest.raises(ChannelNotConnected) as refused:
        services.credentials_for(channel=channel)
    assert refused.value.message == (
        "The LinkedIn channel Vireo France is not connected: connect it on the Connections page."
    )
    assert services.connection_mark_needs_attention(channel=channel, kind="auth_revoked", message="x") is None


# --- the lock -------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(db.vendor != "postgresql", reason="row locks with concurrent connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_processes_refreshing_at_once_make_one_call_and_share_its_tokens(persona, server):
    hq = persona("hq_admin")
    x_app(hq, server)
    channel = fr_x_channel(hq)
    connect(persona("fr_market_lead"), channel, server)
    server.delay = 0.5  # the first refresh is still at the network when the second process asks
    barrier = threading.Barrier(2)
    results: dict[int, Credentials | BaseException] = {}

    def process(i: int) -> None:
        try:
            barrier.wait()
            results[i] = services.connection_refresh(channel=Channel.objects.get(pk=channel.pk), force=True)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=process, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(server.calls("/2/oauth2/token", grant="refresh_token")) == 1
    tokens = {(r.access_token, r.refresh_token) for r in results.values() if isinstance(r, Credentials)}
    assert tokens == {("x-access-3", "x-refresh-3")}
    assert len(results) == 2
    connection = ChannelConnection.objects.get(channel=channel)
    assert (connection.status, connection.token_version) == ("connected", 2)
    assert AuditEntry.objects.filter(action="connection.refresh").count() == 1
