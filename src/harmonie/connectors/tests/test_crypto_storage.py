"""Secrets in the database, read back with raw SQL: only ciphertexts in the columns, a ciphertext moved to another
row does not decrypt (the channel then needs attention), and key rotation re-encrypts every stored secret so that the
old key can leave the keyring."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection as db

from harmonie.connectors import services
from harmonie.connectors.models import ChannelConnection, NetworkApp, OAuthRequest
from harmonie.connectors.tests.test_oauth_server import (
    CLIENT_SECRET,
    KEY_1,
    KEY_2,
    NetworkServer,
    connect,
    fr_x_channel,
    x_app,
    youtube_app,
)
from harmonie.core import crypto
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_1)
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True


@pytest.fixture
def server() -> Iterator[NetworkServer]:
    with NetworkServer() as running:
        yield running


@pytest.fixture
def two_connected(persona: Callable[[str], Actor], server: NetworkServer) -> tuple[Channel, Channel]:
    """The French X channel (x-access-2 / x-refresh-2) and the YouTube channel (x-access-4 / x-refresh-4)."""
    hq = persona("hq_admin")
    x_app(hq, server)
    youtube_app(hq, server)
    x_channel = fr_x_channel(hq)
    connect(persona("fr_market_lead"), x_channel, server)
    youtube = Channel.objects.get(organization=hq.organization, network="youtube")
    connect(hq, youtube, server)
    return x_channel, youtube


def _raw_row(table: str, columns: list[str], pk: int) -> dict[str, str]:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return dict(zip(columns, cursor.fetchone(), strict=True))


TOKEN_COLUMNS = ["access_token_encrypted", "refresh_token_encrypted", "secret_encrypted"]


def test_the_raw_columns_hold_ciphertexts_never_the_tokens(two_connected):
    x_channel, youtube = two_connected
    for channel, access, refresh in ((x_channel, "x-access-2", "x-refresh-2"), (youtube, "x-access-4", "x-refresh-4")):
        connection = ChannelConnection.objects.get(channel=channel)
        raw = _raw_row("connectors_channelconnection", TOKEN_COLUMNS, connection.pk)
        assert raw["access_token_encrypted"].startswith("v1:test1:")
        assert raw["refresh_token_encrypted"].startswith("v1:test1:")
        assert raw["secret_encrypted"] == ""
        assert access not in raw["access_token_encrypted"]
        assert refresh not in raw["refresh_token_encrypted"]
        assert crypto.decrypt(raw["access_token_encrypted"], aad=connection.aad("access_token")) == access
    for app in NetworkApp.objects.all():
        secret = _raw_row("connectors_networkapp", ["client_secret_encrypted"], app.pk)["client_secret_encrypted"]
        assert secret.startswith("v1:test1:")
        assert CLIENT_SECRET not in secret


def test_a_ciphertext_copied_into_another_row_does_not_decrypt_and_the_channel_needs_attention(two_connected):
    x_channel, youtube = two_connected
    source = ChannelConnection.objects.get(channel=x_channel)
    target = ChannelConnection.objects.get(channel=youtube)
    with db.cursor() as cursor:
        cursor.execute(
            "UPDATE connectors_channelconnection SET access_token_encrypted = %s WHERE id = %s",
            [source.access_token_encrypted, target.pk],
        )

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(source.access_token_encrypted, aad=target.aad("access_token"))
    with pytest.raises(services.ChannelNotConnected) as refused:
        services.credentials_for(channel=youtube)

    assert refused.value.message == (
        "The YouTube channel Vireo Industries needs attention (Its stored token can no longer be read.): reconnect "
        "it on the Connections page."
    )
    target.refresh_from_db()
    assert (target.status, target.last_error_kind) == ("needs_attention", "auth_revoked")
    assert services.credentials_for(channel=x_channel).access_token == "x-access-2"  # the source row is untouched


def test_rotation_re_encrypts_every_secret_then_the_old_key_can_be_removed(two_connected, monkeypatch):
    x_channel, youtube = two_connected
    stored = ChannelConnection.objects.count() * 2 + NetworkApp.objects.count() + OAuthRequest.objects.count()
    assert stored == 2 * 2 + 2 + 2
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", f"{KEY_2},{KEY_1}")  # the new key first, the old one kept

    out = io.StringIO()
    call_command("harmonie_rotate_keys", stdout=out)

    assert out.getvalue() == "Re-encrypted 8 secret(s) with key test2.\n"
    for connection in ChannelConnection.objects.all():
        raw = _raw_row("connectors_channelconnection", TOKEN_COLUMNS, connection.pk)
        assert raw["access_token_encrypted"].startswith("v1:test2:")
        assert raw["refresh_token_encrypted"].startswith("v1:test2:")
        assert raw["secret_encrypted"] == ""
    for app in NetworkApp.objects.all():
        assert _raw_row("connectors_networkapp", ["client_secret_encrypted"], app.pk)[
            "client_secret_encrypted"
        ].startswith("v1:test2:")
    for request in OAuthRequest.objects.all():
        assert request.verifier_encrypted.startswith("v1:test2:")
    entry = AuditEntry.objects.get(action="encryption.rotate")
    assert entry.after == {"key_id": "test2", "values": 8}
    assert services.encryption_rotate() == 0  # nothing left on the old key

    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_2)  # the old key is gone
    x_creds = services.credentials_for(channel=x_channel)
    youtube_creds = services.credentials_for(channel=youtube)
    assert (x_creds.access_token, x_creds.refresh_token, x_creds.client_secret) == (
        "x-access-2",
        "x-refresh-2",
        CLIENT_SECRET,
    )
    assert (youtube_creds.access_token, youtube_creds.refresh_token) == ("x-access-4", "x-refresh-4")


def test_rotation_without_the_old_key_says_which_key_is_missing(two_connected, monkeypatch):
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_2)

    with pytest.raises(CommandError) as failed:
        call_command("harmonie_rotate_keys", stdout=io.StringIO())

    assert str(failed.value).startswith("The encryption key 'test1' is not in the keyring")
