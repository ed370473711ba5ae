"""Connecting a channel with OAuth, as the demo personas do: the exact authorization address (state, S256 challenge
of the stored verifier), the callback refusing unknown, reused, expired and someone else's attempts, a successful
exchange against a real local token endpoint storing only ciphertexts, Mastodon's per-instance app registration,
the pages and the API, and who may connect what."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection as db
from django.test import Client
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.connectors import services
from harmonie.connectors.models import ChannelConnection, ConnectionStatus, NetworkApp, OAuthRequest
from harmonie.connectors.tests.test_oauth_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    KEY_1,
    NetworkServer,
    fr_x_channel,
    query,
    s256,
    x_app,
)
from harmonie.core import crypto
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Organization
from harmonie.governance.permissions import Actor, actor_for

CALLBACK = "http://testserver/connections/oauth/callback/"
CALLBACK_Q = "http%3A%2F%2Ftestserver%2Fconnections%2Foauth%2Fcallback%2F"
X_SCOPES_Q = "tweet.read%20tweet.write%20users.read%20media.write%20offline.access"
EMAILS = {p.key: p.email for p in PERSONAS}


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_1)
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True  # the local server below is on 127.0.0.1


@pytest.fixture
def server() -> Iterator[NetworkServer]:
    with NetworkServer() as running:
        yield running


@pytest.fixture
def hq(persona: Callable[[str], Actor]) -> Actor:
    return persona("hq_admin")


def _raw(table_column: str, pk: int) -> str:
    table, column = table_column.split(".")
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return str(cursor.fetchone()[0])


def _channel(handle: str) -> Channel:
    return Channel.objects.get(organization__slug="vireo", handle=handle)


# --- start ----------------------------------------------------------------------------------------------------


def test_start_builds_the_exact_authorize_url_with_state_and_the_s256_challenge_of_the_stored_verifier(
    persona, hq, server
):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    lead = persona("fr_market_lead")
    before = timezone.now()

    url = services.oauth_start(actor=lead, channel=channel, request_base_url="http://testserver")

    params = query(url)
    state, challenge = params["state"], params["code_challenge"]
    assert url == (
        f"{server.url}/i/oauth2/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri={CALLBACK_Q}"
        f"&scope={X_SCOPES_Q}&state={state}&code_challenge={challenge}&code_challenge_method=S256"
    )
    assert len(state) == 43
    request = OAuthRequest.objects.get(channel=channel)
    assert request.state_hash == hashlib.sha256(state.encode()).hexdigest()
    assert (request.member_id, request.network, request.redirect_uri) == (lead.member.pk, "x", CALLBACK)
    verifier = crypto.decrypt(request.verifier_encrypted, aad=request.aad("verifier"))
    assert s256(verifier) == challenge
    assert len(verifier) == 64
    raw = _raw("connectors_oauthrequest.verifier_encrypted", request.pk)
    assert raw.startswith("v1:test1:")
    assert verifier not in raw
    assert state not in raw
    assert request.expires_at - request.created_at == dt.timedelta(minutes=10)
    assert before <= request.created_at <= timezone.now()


def test_start_without_the_organizations_app_is_refused_with_what_to_do(persona):
    lead = persona("fr_market_lead")

    with pytest.raises(ValidationFailed) as refused:
        services.oauth_start(actor=lead, channel=_channel("vireo-france"), request_base_url="http://testserver")

    assert refused.value.code == "no_network_app"
    assert refused.value.message == (
        "Your organization has no LinkedIn app yet: an org admin must first enter its client ID and secret under "
        "Connections › App credentials."
    )
    assert not OAuthRequest.objects.exists()


def test_bluesky_channels_do_not_start_oauth(persona):
    with pytest.raises(ValidationFailed) as refused:
        services.oauth_start(actor=persona("fr_market_lead"), channel=_channel("vireo-fr.bsky.social"))
    assert refused.value.message == "Bluesky channels connect with the account's handle and an app password."


# --- callback -------------------------------------------------------------------------------------------------


def test_callback_exchanges_the_code_and_stores_only_ciphertexts(persona, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    lead = persona("fr_market_lead")
    url = services.oauth_start(actor=lead, channel=channel, request_base_url="http://testserver")
    params = query(url)
    code = server.issue_code(params["code_challenge"])

    connection = services.oauth_callback(actor=lead, state=params["state"], code=code)

    exchange = server.calls("/2/oauth2/token", grant="authorization_code")
    assert len(exchange) == 1
    assert exchange[0].form == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": exchange[0].form["code_verifier"],
    }
    assert s256(exchange[0].form["code_verifier"]) == params["code_challenge"]
    connection.refresh_from_db()
    assert (connection.status, connection.method, connection.token_version) == (ConnectionStatus.CONNECTED, "oauth2", 1)
    # The account, read through the X connector (GET /2/users/me on the app's API address).
    assert (connection.account_id, connection.handle) == ("1467726470533754880", "VireoFR")
    assert connection.scopes == "tweet.read tweet.write users.read offline.access"
    assert connection.connected_by_id == lead.user.pk
    expected_expiry = timezone.now() + dt.timedelta(seconds=7200)
    assert abs((connection.expires_at - expected_expiry).total_seconds()) < 5
    creds = services.credentials_for(channel=channel)
    assert (creds.access_token, creds.refresh_token) == ("x-access-2", "x-refresh-2")
    assert (creds.client_id, creds.client_secret, creds.service_url) == (CLIENT_ID, CLIENT_SECRET, server.url)
    for column, secret in (("access_token_encrypted", "x-access-2"), ("refresh_token_encrypted", "x-refresh-2")):
        raw = _raw(f"connectors_channelconnection.{column}", connection.pk)
        assert raw.startswith("v1:test1:")
        assert secret not in raw
    assert _raw("connectors_channelconnection.secret_encrypted", connection.pk) == ""
    entry = AuditEntry.objects.get(action="connection.connect", target_id=str(channel.pk))
    assert entry.after["tokens"] == "changed"
    assert entry.after["status"] == "connected"
    assert "x-access" not in json.dumps([entry.before, entry.after])
    assert "x-refresh" not in json.dumps([entry.before, entry.after])


def test_callback_with_an_unknown_state_is_refused(persona):
    with pytest.raises(ValidationFailed) as refused:
        services.oauth_callback(actor=persona("fr_market_lead"), state="forged-state", code="code-1")
    assert refused.value.code == "oauth_state_unknown"
    assert refused.value.message == (
        "This connection attempt is unknown: start connecting the channel again from the Connections page."
    )


def test_callback_state_is_single_use_even_when_the_exchange_failed(persona, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    lead = persona("fr_market_lead")
    params = query(services.oauth_start(actor=lead, channel=channel, request_base_url="http://testserver"))

    with pytest.raises(ValidationFailed) as bad_code:
        services.oauth_callback(actor=lead, state=params["state"], code="code-never-issued")
    assert bad_code.value.message == (
        "X did not accept the connection: X refused the authorization (Invalid authorization code.): reconnect the "
        "channel."
    )
    code = server.issue_code(params["code_challenge"])
    with pytest.raises(ValidationFailed) as reused:
        services.oauth_callback(actor=lead, state=params["state"], code=code)

    assert reused.value.code == "oauth_state_used"
    assert reused.value.message == "This connection attempt was already used: start connecting the channel again."
    assert len(server.calls("/2/oauth2/token")) == 1
    assert not ChannelConnection.objects.filter(channel=channel).exists()


def test_callback_after_ten_minutes_is_refused(persona, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    lead = persona("fr_market_lead")
    params = query(services.oauth_start(actor=lead, channel=channel, request_base_url="http://testserver"))
    OAuthRequest.objects.filter(channel=channel).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    code = server.issue_code(params["code_challenge"])

    with pytest.raises(ValidationFailed) as refused:
        services.oauth_callback(actor=lead, state=params["state"], code=code)

    assert refused.value.code == "oauth_state_expired"
    assert refused.value.message == (
        "This connection attempt expired (after 10 minutes): start connecting the channel again."
    )
    assert server.calls("/2/oauth2/token") == []
    assert OAuthRequest.objects.get(channel=channel).used_at is not None


def test_callback_by_another_member_is_refused(persona, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    params = query(services.oauth_start(actor=persona("fr_market_lead"), channel=channel))
    code = server.issue_code(params["code_challenge"])

    with pytest.raises(NotPermitted) as refused:
        services.oauth_callback(actor=hq, state=params["state"], code=code)

    assert refused.value.message == (
        "Another member started this connection attempt: start connecting the channel yourself."
    )
    assert OAuthRequest.objects.get(channel=channel).used_at is None
    assert server.calls("/2/oauth2/token") == []


# --- Mastodon: one app per instance -----------------------------------------------------------------------------


def test_mastodon_registers_harmonie_once_per_instance_then_connects(persona, server):
    lead = persona("de_market_lead")
    channel = _channel("vireo_de@mastodon.social")

    url = services.connection_connect_mastodon(
        actor=lead, channel=channel, instance_url=server.url, request_base_url="http://testserver"
    )

    params = query(url)
    scopes = (
        "read%3Aaccounts%20read%3Astatuses%20read%3Anotifications%20read%3Asearch%20write%3Astatuses%20write%3Amedia"
    )
    assert url == (
        f"{server.url}/oauth/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri={CALLBACK_Q}"
        f"&scope={scopes}&state={params['state']}&code_challenge={params['code_challenge']}"
        "&code_challenge_method=S256"
    )
    [registration] = server.calls("/api/v1/apps")
    assert registration.form == {
        "client_name": "Harmonie",
        "redirect_uris": CALLBACK,
        "scopes": "read:accounts read:statuses read:notifications read:search write:statuses write:media",
    }
    app = NetworkApp.objects.get(network="mastodon")
    assert (app.instance_url, app.client_id, app.registered_by_harmonie) == (server.url, CLIENT_ID, True)
    assert _raw("connectors_networkapp.client_secret_encrypted", app.pk).startswith("v1:test1:")

    connection = services.oauth_callback(
        actor=lead, state=params["state"], code=server.issue_code(params["code_challenge"])
    )

    assert (connection.service_url, connection.handle, connection.account_id) == (server.url, "vireo_de", "109302")
    assert connection.expires_at is None  # Mastodon tokens do not expire
    assert services.credentials_for(channel=channel).access_token == "x-access-2"
    services.connection_connect_mastodon(
        actor=lead, channel=channel, instance_url=server.url + "/", request_base_url="http://testserver"
    )
    assert len(server.calls("/api/v1/apps")) == 1
    assert len(server.calls("/api/v1/accounts/verify_credentials")) == 1


def test_a_mastodon_instance_must_be_https_unless_on_this_machine_in_development(persona, settings):
    lead = persona("de_market_lead")
    channel = _channel("vireo_de@mastodon.social")
    with pytest.raises(ValidationFailed) as clear:
        services.connection_connect_mastodon(actor=lead, channel=channel, instance_url="http://mastodon.social")
    assert clear.value.message == "Use https:// for mastodon.social: tokens never travel in clear."
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = False
    with pytest.raises(ValidationFailed) as local:
        services.connection_connect_mastodon(actor=lead, channel=channel, instance_url="http://127.0.0.1:3000")
    assert local.value.message == (
        "Harmonie does not connect to servers on its own machine (127.0.0.1) outside development."
    )


# --- who may connect ------------------------------------------------------------------------------------------------


def test_a_french_community_manager_cannot_connect_a_german_channel(persona, server):
    with pytest.raises(NotPermitted) as refused:
        services.connection_connect_mastodon(
            actor=persona("fr_community_manager"),
            channel=_channel("vireo_de@mastodon.social"),
            instance_url=server.url,
        )
    assert refused.value.message == (
        "You do not have the permission 'channels.manage' in Germany. Ask an org admin for the role you need."
    )
    assert server.seen == []
    assert not NetworkApp.objects.exists()


def test_a_french_market_lead_cannot_connect_a_german_channel_but_the_german_one_can(persona, hq, server):
    x_app(hq, server)
    de_channel = Channel.objects.get(organization=hq.organization, handle="vireo_de@mastodon.social")
    with pytest.raises(NotPermitted) as refused:
        services.oauth_start(actor=persona("fr_market_lead"), channel=de_channel)
    assert refused.value.message == (
        "You do not have the permission 'channels.manage' in Germany. Ask an org admin for the role you need."
    )
    with pytest.raises(NotPermitted):
        services.oauth_start(actor=persona("fr_market_lead"), channel=_channel("@VireoGroup"))
    assert services.oauth_start(actor=hq, channel=_channel("@VireoGroup")).startswith(server.url)


# --- the pages ------------------------------------------------------------------------------------------------------


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[[str], Client]:
    def get(key: str) -> Client:
        User.objects.filter(email=EMAILS[key]).update(language="en")
        return client_for(key)

    return get


def test_connecting_through_the_pages(client_as, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    browser = client_as("fr_market_lead")

    started = browser.post(f"/connections/{channel.pk}/oauth/")

    assert started.status_code == 302
    params = query(started["Location"])
    assert started["Location"].startswith(f"{server.url}/i/oauth2/authorize?response_type=code&client_id=")
    assert params["redirect_uri"] == CALLBACK
    code = server.issue_code(params["code_challenge"])
    back = browser.get("/connections/oauth/callback/", {"state": params["state"], "code": code})
    assert (back.status_code, back["Location"]) == (302, "/connections/")
    page = browser.get("/connections/").content.decode()
    assert "Vireo France (X) is connected." in page
    assert f'<span class="badge ok" data-testid="status-{channel.pk}">connected</span>' in page
    assert f'<small class="muted" data-testid="account-{channel.pk}">connected as VireoFR</small>' in page
    assert "x-access-" not in page


def test_a_refusal_on_the_networks_page_spends_the_attempt_and_says_so(client_as, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    browser = client_as("fr_market_lead")
    params = query(browser.post(f"/connections/{channel.pk}/oauth/")["Location"])

    back = browser.get(
        "/connections/oauth/callback/", {"state": params["state"], "error": "access_denied"}, follow=True
    )

    assert "The network did not authorize Harmonie (access_denied): nothing was connected." in back.content.decode()
    assert OAuthRequest.objects.get(channel=channel).used_at is not None
    assert not ChannelConnection.objects.filter(channel=channel).exists()


def test_without_an_app_the_page_says_who_must_enter_it(client_as):
    linkedin = _channel("vireo-france")
    lead_page = client_as("fr_market_lead").get("/connections/").content.decode()
    admin_page = client_as("hq_admin").get("/connections/").content.decode()

    assert (
        f'<small class="muted" data-testid="no-app-{linkedin.pk}">No LinkedIn app yet. Ask an org admin to enter the '
        "app credentials.</small>"
    ) in lead_page
    assert (
        f'<small class="muted" data-testid="no-app-{linkedin.pk}">No LinkedIn app yet. '
        '<a href="/connections/apps/linkedin/">Enter the app credentials</a></small>'
    ) in admin_page
    refused = client_as("fr_market_lead").post(f"/connections/{linkedin.pk}/oauth/", follow=True)
    assert "Your organization has no LinkedIn app yet: an org admin must first enter" in refused.content.decode()


def test_pages_refuse_channels_out_of_reach(client_as):
    community_manager = client_as("fr_community_manager")
    visible_global = _channel("@VireoGroup")  # serves France: visible, not manageable
    german = _channel("vireo_de@mastodon.social")  # not visible at all

    assert community_manager.post(f"/connections/{visible_global.pk}/oauth/").status_code == 403
    assert community_manager.get(f"/connections/{german.pk}/mastodon/").status_code == 404
    page = community_manager.get("/connections/").content.decode()
    assert f'data-testid="connect-{visible_global.pk}"' not in page


# --- the API --------------------------------------------------------------------------------------------------------


def _api(key: str, org: Organization) -> Client:
    _token, raw = token_create(user=User.objects.get(email=EMAILS[key]), organization_id=org.pk, name="tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_starts_oauth_lists_without_secrets_and_disconnects(demo_org, hq, server):
    x_app(hq, server)
    channel = fr_x_channel(hq)
    api = _api("fr_market_lead", demo_org)

    started = api.post(f"/api/v1/connections/{channel.pk}/oauth", content_type="application/json")

    assert started.status_code == 200
    params = query(started.json()["authorize_url"])
    assert started.json()["authorize_url"].startswith(f"{server.url}/i/oauth2/authorize?")
    member = OAuthRequest.objects.get(channel=channel).member
    assert member.user.email == EMAILS["fr_market_lead"]
    # The same member's browser comes back through the callback page.
    services.oauth_callback(
        actor=actor_for(member), state=params["state"], code=server.issue_code(params["code_challenge"])
    )
    listed = api.get("/api/v1/connections")
    assert listed.status_code == 200
    row = next(r for r in listed.json() if r["channel_id"] == channel.pk)
    assert {k: row[k] for k in ("network", "status", "method", "account_id", "account_handle", "connect_with")} == {
        "network": "x",
        "status": "connected",
        "method": "oauth2",
        "account_id": "1467726470533754880",
        "account_handle": "VireoFR",
        "connect_with": "oauth",
    }
    assert row["scopes"] == ["tweet.read", "tweet.write", "users.read", "offline.access"]
    assert "x-access" not in listed.content.decode()
    assert "x-refresh" not in listed.content.decode()
    assert CLIENT_SECRET not in listed.content.decode()

    gone = api.post(f"/api/v1/connections/{channel.pk}/disconnect", content_type="application/json")

    assert (gone.status_code, gone.json()["status"]) == (200, "disconnected")
    assert _raw("connectors_channelconnection.access_token_encrypted", ChannelConnection.objects.get().pk) == ""
    denied = _api("fr_community_manager", demo_org).post(
        f"/api/v1/connections/{_channel('@VireoGroup').pk}/oauth", content_type="application/json"
    )
    assert denied.status_code == 403
    assert denied.json()["error"] == "forbidden"
    no_app = api.post(f"/api/v1/connections/{_channel('vireo-france').pk}/oauth", content_type="application/json")
    assert (no_app.status_code, no_app.json()["error"]) == (400, "no_network_app")
