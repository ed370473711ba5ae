"""The Connections page and the connections that do not use OAuth: the list (statuses, token expiry, query count),
a Bluesky app password against a real local Bluesky server (``harmonie.sandbox.pytest_fixtures``),
disconnecting, the organization's app credentials, and who may do what."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext

from harmonie.accounts.models import User
from harmonie.connectors import services
from harmonie.connectors.models import ChannelConnection, ConnectionStatus, NetworkApp
from harmonie.connectors.selectors import channels_needing_attention, connection_rows
from harmonie.connectors.tests.test_oauth_server import (
    CLIENT_SECRET,
    KEY_1,
    NetworkServer,
    connect,
    fr_x_channel,
    x_app,
    youtube_app,
)
from harmonie.core import crypto
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel

EMAILS = {p.key: p.email for p in PERSONAS}


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_1)
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True


@pytest.fixture
def server() -> Iterator[NetworkServer]:
    with NetworkServer() as running:
        yield running


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[[str], Client]:
    def get(key: str) -> Client:
        User.objects.filter(email=EMAILS[key]).update(language="en")
        return client_for(key)

    return get


def _channel(handle: str) -> Channel:
    return Channel.objects.get(organization__slug="vireo", handle=handle)


def _raw(column: str, pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM connectors_channelconnection WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


# --- the list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_every_visible_channel_with_its_state(client_as, persona, server):
    hq = persona("hq_admin")
    x_app(hq, server)
    youtube_app(hq, server)
    youtube = _channel("VireoIndustries")
    connect(hq, youtube, server)
    youtube_connection = ChannelConnection.objects.get(channel=youtube)
    youtube_connection.expires_at = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC)
    youtube_connection.refreshed_at = dt.datetime(2026, 11, 24, 14, 30, tzinfo=dt.UTC)
    youtube_connection.save()

    page = client_as("hq_admin").get("/connections/")

    html = page.content.decode()
    assert page.status_code == 200
    rows = re.findall(r'<tr data-testid="connection-(\d+)">', html)
    assert sorted(int(pk) for pk in rows) == sorted(
        Channel.objects.filter(organization=hq.organization).values_list("pk", flat=True)
    )
    assert f'<span class="badge ok" data-testid="status-{youtube.pk}">connected</span>' in html
    assert "<td>Tue 24 Nov 2026 15:30 (UTC)</td>" in html
    assert "<td>Tue 24 Nov 2026 14:30 (UTC)</td>" in html
    bluesky = _channel("vireo-fr.bsky.social")
    assert f'<span class="badge" data-testid="status-{bluesky.pk}">not connected</span>' in html
    assert (
        f'<a href="/connections/{bluesky.pk}/bluesky/" role="button" class="secondary outline" '
        f'data-testid="connect-{bluesky.pk}">Connect</a>'
    ) in html
    x_global = _channel("@VireoGroup")
    assert f'data-testid="connect-{x_global.pk}">Connect with X</button>' in html
    assert f'<a href="/connections/{youtube.pk}/disconnect/" class="danger-link"' in html
    assert 'data-testid="apps-link"' in html
    assert "x-access" not in html


def test_the_list_costs_the_same_queries_with_more_connections(client_as, persona, server):
    hq = persona("hq_admin")
    x_app(hq, server)
    youtube_app(hq, server)
    browser = client_as("hq_admin")
    browser.get("/connections/")  # warm the session and caches
    connect(hq, _channel("VireoIndustries"), server)
    with CaptureQueriesContext(db) as one:
        assert browser.get("/connections/").status_code == 200
    connect(hq, _channel("@VireoGroup"), server)
    connect(hq, fr_x_channel(hq), server)
    with CaptureQueriesContext(db) as three:
        assert browser.get("/connections/").status_code == 200
    assert len(three) == len(one)
    assert len(one) <= 12


def test_members_see_only_their_channels_and_manage_only_their_markets(persona):
    rows = {r.channel.handle: r for r in connection_rows(actor=persona("fr_market_lead"))}

    assert "vireo_de@mastodon.social" not in rows
    assert rows["vireo-fr.bsky.social"].can_manage is True
    assert rows["vireo-fr.bsky.social"].connect_kind == "app_password"
    assert rows["@VireoGroup"].can_manage is False  # owned by Global, serves France
    assert rows["vireo-france"].connect_kind == "oauth"
    assert rows["vireo-france"].has_app is False
    community = {r.channel.handle: r for r in connection_rows(actor=persona("fr_community_manager"))}
    assert not any(r.can_manage for r in community.values())


# --- Bluesky with an app password, on a real local Bluesky server ------------------------------------------------


@pytest.fixture
def pds(bluesky_pds: Any) -> Any:
    """The session's local Bluesky network (PLC + PDS), from ``harmonie.sandbox.pytest_fixtures``."""
    return bluesky_pds


def test_bluesky_app_password_connects_against_a_real_local_server(pds, persona, client_as):
    handle = "vireo-fr-conn.test"
    did, _handle = pds.create_account(handle, "account-password-1")
    app_password = pds.create_app_password(handle, "account-password-1", "harmonie")
    channel = _channel("vireo-fr.bsky.social")
    lead = persona("fr_market_lead")

    connection = services.connection_connect_app_password(
        actor=lead, channel=channel, handle=handle, app_password=app_password, service_url=pds.pds_url
    )

    connection.refresh_from_db()
    assert (connection.status, connection.method, connection.account_id, connection.handle) == (
        ConnectionStatus.CONNECTED,
        "app_password",
        did,
        handle,
    )
    assert connection.service_url == pds.pds_url
    creds = services.credentials_for(channel=channel)
    assert creds.secret == app_password
    assert creds.access_token.count(".") == 2  # a session JWT from the server
    for column, secret in (
        ("secret_encrypted", app_password),
        ("access_token_encrypted", creds.access_token),
        ("refresh_token_encrypted", creds.refresh_token),
    ):
        raw = _raw(column, connection.pk)
        assert raw.startswith("v1:test1:")
        assert secret not in raw
    entry = AuditEntry.objects.get(action="connection.connect", target_id=str(channel.pk))
    assert app_password not in json.dumps(entry.after)
    # A refresh goes to the server too (refreshSession) and is stored.
    renewed = services.connection_refresh(channel=channel, force=True)
    assert renewed.refresh_token != creds.refresh_token  # the server rotated the refresh token (a new jti)
    assert renewed.account_id == did
    assert ChannelConnection.objects.get(pk=connection.pk).token_version == 2
    page = client_as("fr_market_lead").get("/connections/").content.decode()
    assert f'<small class="muted" data-testid="account-{channel.pk}">connected as {handle}</small>' in page


def test_bluesky_refuses_a_wrong_app_password_and_stores_nothing(pds, persona):
    handle = "vireo-fr-wrong.test"
    pds.create_account(handle, "account-password-2")

    with pytest.raises(ValidationFailed) as refused:
        services.connection_connect_app_password(
            actor=persona("fr_market_lead"),
            channel=_channel("vireo-fr.bsky.social"),
            handle=handle,
            app_password="aaaa-bbbb-cccc-dddd",
            service_url=pds.pds_url,
        )

    assert refused.value.message.startswith("Bluesky did not accept the connection: ")
    assert not ChannelConnection.objects.filter(channel__handle="vireo-fr.bsky.social").exists()


def test_bluesky_input_is_checked_before_any_call(persona):
    lead = persona("fr_market_lead")
    channel = _channel("vireo-fr.bsky.social")
    cases = [
        ({"handle": "not a handle"}, "'not a handle' is not a Bluesky handle: write it as a domain, such as "
         "acme.bsky.social.", "handle"),
        ({"app_password": " "}, "Give an app password (Bluesky: Settings › Privacy and security › App passwords).",
         "app_password"),
        ({"service_url": "http://pds.example.com"}, "Use https:// for pds.example.com: tokens never travel in clear.",
         "service_url"),
    ]  # fmt: skip
    for change, message, field in cases:
        arguments = {"handle": "vireo-fr.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"} | change
        with pytest.raises(ValidationFailed) as refused:
            services.connection_connect_app_password(actor=lead, channel=channel, **arguments)
        assert (refused.value.message, refused.value.field) == (message, field)
    with pytest.raises(ValidationFailed) as wrong_network:
        services.connection_connect_app_password(
            actor=lead, channel=_channel("vireo-france"), handle="vireo.bsky.social", app_password="abcd"
        )
    assert wrong_network.value.message == (
        "Only Bluesky channels connect with an app password; LinkedIn channels connect with OAuth."
    )
    with pytest.raises(NotPermitted):
        services.connection_connect_app_password(
            actor=persona("fr_community_manager"), channel=channel, handle="vireo.bsky.social", app_password="abcd"
        )
    assert not ChannelConnection.objects.exists()


def test_the_bluesky_form_keeps_the_password_out_of_the_page(client_as):
    channel = _channel("vireo-fr.bsky.social")
    browser = client_as("fr_market_lead")

    form = browser.get(f"/connections/{channel.pk}/bluesky/").content.decode()
    refused = browser.post(
        f"/connections/{channel.pk}/bluesky/",
        {"handle": "bad handle", "app_password": "secret-app-pass", "service_url": "https://bsky.social"},
    )

    assert 'value="https://bsky.social"' in form
    assert 'value="vireo-fr.bsky.social"' in form
    assert refused.status_code == 400
    assert "is not a Bluesky handle" in refused.content.decode()
    assert "secret-app-pass" not in refused.content.decode()


# --- disconnecting ---------------------------------------------------------------------------------------------------


def test_disconnecting_forgets_the_tokens(client_as, persona, server):
    hq = persona("hq_admin")
    x_app(hq, server)
    channel = fr_x_channel(hq)
    connect(persona("fr_market_lead"), channel, server)
    browser = client_as("fr_market_lead")

    confirm = browser.get(f"/connections/{channel.pk}/disconnect/")
    done = browser.post(f"/connections/{channel.pk}/disconnect/", follow=True)

    assert "Disconnect this channel?" in confirm.content.decode()
    assert "Vireo France (X) is disconnected." in done.content.decode()
    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.DISCONNECTED
    for column in ("access_token_encrypted", "refresh_token_encrypted", "secret_encrypted"):
        assert _raw(column, connection.pk) == ""
    entry = AuditEntry.objects.get(action="connection.disconnect", target_id=str(channel.pk))
    assert (entry.after["status"], entry.after["tokens"]) == ("disconnected", "deleted")
    with pytest.raises(services.ChannelNotConnected):
        services.credentials_for(channel=channel)
    with pytest.raises(NotFound) as again:
        services.connection_disconnect(actor=persona("fr_market_lead"), channel=channel)
    assert again.value.message == "This channel is not connected."
    assert client_as("fr_community_manager").post(f"/connections/{channel.pk}/disconnect/").status_code == 403


# --- app credentials -----------------------------------------------------------------------------------------------


def test_an_org_admin_enters_app_credentials_and_the_secret_is_never_shown(client_as, persona):
    browser = client_as("hq_admin")

    listing = browser.get("/connections/apps/").content.decode()
    saved = browser.post(
        "/connections/apps/linkedin/",
        {"client_id": "86abcdefgh", "client_secret": "WPL_AP1.secret-value", "linkedin_version": "202601"},
        follow=True,
    )

    assert '<code data-testid="redirect-uri">http://testserver/connections/oauth/callback/</code>' in listing
    assert "The LinkedIn app is saved." in saved.content.decode()
    app = NetworkApp.objects.get(network="linkedin")
    assert (app.client_id, app.options) == ("86abcdefgh", {"linkedin_version": "202601"})
    assert app.client_secret_encrypted.startswith("v1:test1:")
    assert crypto.decrypt(app.client_secret_encrypted, aad=app.aad("client_secret")) == "WPL_AP1.secret-value"
    edit = browser.get("/connections/apps/linkedin/").content.decode()
    assert "WPL_AP1.secret-value" not in edit
    assert "Leave empty to keep the stored secret." in edit
    browser.post(
        "/connections/apps/linkedin/", {"client_id": "86abcdefgh", "client_secret": "", "linkedin_version": ""}
    )
    app.refresh_from_db()
    assert crypto.decrypt(app.client_secret_encrypted, aad=app.aad("client_secret")) == "WPL_AP1.secret-value"
    entry = AuditEntry.objects.filter(action="network_app.save").first()
    assert entry is not None
    assert entry.after["client_secret"] == "unchanged"
    assert "WPL_AP1" not in json.dumps([e.after for e in AuditEntry.objects.filter(action="network_app.save")])
    bad = browser.post("/connections/apps/linkedin/", {"client_id": "86abcdefgh", "linkedin_version": "2026a"})
    assert bad.status_code == 400
    assert (
        '<small class="form-error" role="alert" data-testid="error-linkedin_version">&#x27;2026a&#x27; is not a valid '
        "linkedin_version (YYYYMM, e.g. 202601).</small>"
    ) in bad.content.decode()
    # The row on the Connections page now offers to connect.
    assert f'data-testid="connect-{_channel("vireo-france").pk}">Connect with LinkedIn</button>' in (
        client_as("fr_market_lead").get("/connections/").content.decode()
    )


def test_only_org_admins_see_app_credentials(client_as, persona):
    assert client_as("fr_market_lead").get("/connections/apps/").status_code == 403
    assert client_as("fr_market_lead").post("/connections/apps/x/", {"client_id": "a"}).status_code == 403
    with pytest.raises(NotPermitted):
        services.network_app_save(actor=persona("fr_market_lead"), network="x", client_id="a", client_secret="b")
    with pytest.raises(ValidationFailed) as mastodon:
        services.network_app_save(actor=persona("hq_admin"), network="mastodon", client_id="a", client_secret="b")
    assert mastodon.value.message == "Mastodon needs no app credentials in Harmonie."
    assert client_as("hq_admin").get("/connections/apps/bluesky/").status_code == 404
    assert not NetworkApp.objects.exists()


def test_needing_attention_is_scoped_to_the_member(persona, server):
    hq = persona("hq_admin")
    x_app(hq, server)
    channel = fr_x_channel(hq)
    connect(persona("fr_market_lead"), channel, server)
    services.connection_mark_needs_attention(channel=channel, kind="auth_revoked", message="Revoked by the owner.")

    assert [c.pk for c in channels_needing_attention(actor=persona("fr_market_lead"))] == [channel.pk]
    assert [c.pk for c in channels_needing_attention(actor=persona("hq_admin"))] == [channel.pk]
    assert list(channels_needing_attention(actor=persona("de_market_lead"))) == []
    assert CLIENT_SECRET not in str(list(channels_needing_attention(actor=hq).values()))
