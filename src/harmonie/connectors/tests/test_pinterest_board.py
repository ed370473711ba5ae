"""Choosing the board a Pinterest channel's pins go on: the Connections page links to it, Pinterest lists the
account's boards (recorded payloads, respx), the choice is saved on the connection and audited."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from django.contrib.auth import get_user_model

from harmonie.connectors.base import TokenSet
from harmonie.connectors.models import ChannelConnection, ConnectionMethod, ConnectionStatus
from harmonie.connectors.services.common import apply_tokens
from harmonie.core.crypto import generate_key_entry
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel

PAYLOADS = Path(__file__).parent / "payloads" / "pinterest"
API = "https://api.pinterest.com/v5"
EMAILS = {p.key: p.email for p in PERSONAS}


def _pinterest(demo_org, market) -> Channel:
    channel = Channel.objects.create(
        organization=demo_org, network="pinterest", handle="vireo-fr-pins", display_name="Vireo pins",
        owner_market=market("FR"), timezone="Europe/Paris",
    )  # fmt: skip
    connection = ChannelConnection(channel=channel, method=ConnectionMethod.OAUTH2, status=ConnectionStatus.CONNECTED,
                                   handle="vireocycles")  # fmt: skip
    apply_tokens(connection, TokenSet(access_token="pina_access-1"))
    connection.save()
    return channel


def test_the_board_is_chosen_among_the_accounts_boards(demo_org, market, client_for, respx_mock, monkeypatch):
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", generate_key_entry("test"))
    get_user_model().objects.filter(email=EMAILS["fr_market_lead"]).update(language="en")
    channel = _pinterest(demo_org, market)
    pages = [json.loads((PAYLOADS / f"boards_page_{n}.json").read_text()) for n in (1, 2)]
    # Listed for the form, then again by the service for each choice posted (two pages each time).
    respx_mock.get(f"{API}/boards").mock(side_effect=[httpx.Response(200, json=page) for page in pages * 3])
    client = client_for("fr_market_lead")
    listing = client.get("/connections/").content.decode()
    assert f'data-testid="board-{channel.pk}"' in listing
    assert "Choose the board" in listing
    html = client.get(f"/connections/{channel.pk}/board/").content.decode()
    assert '<option value="1099582379630012345">City bikes</option>' in html
    # A board id that is not one of the account's (a forged form, or another account's board) is refused.
    refused = client.post(f"/connections/{channel.pk}/board/", {"board_id": "1099582379630055555"})
    assert refused.status_code == 400
    assert (
        "The board 1099582379630055555 is not one of this account&#x27;s boards: choose one from the list."
        in refused.content.decode()
    )
    assert ChannelConnection.objects.get(channel=channel).settings == {}
    response = client.post(f"/connections/{channel.pk}/board/", {"board_id": "1099582379630012345"})
    assert (response.status_code, response["Location"]) == (302, "/connections/")
    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.settings == {"board_id": "1099582379630012345"}
    assert AuditEntry.objects.filter(action="connection.settings", target_id=str(channel.pk)).count() == 1
    assert "Board 1099582379630012345" in client.get("/connections/").content.decode()


def test_without_the_list_the_board_id_is_typed_and_checked(demo_org, market, client_for, respx_mock, monkeypatch):
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", generate_key_entry("test"))
    get_user_model().objects.filter(email=EMAILS["fr_market_lead"]).update(language="en")
    channel = _pinterest(demo_org, market)
    respx_mock.get(f"{API}/boards").respond(503, json={"code": 3, "message": "Service unavailable"})
    client = client_for("fr_market_lead")
    html = client.get(f"/connections/{channel.pk}/board/").content.decode()
    assert 'data-testid="boards-unlisted"' in html
    assert '<input type="text" name="board_id"' in html
    assert '<select name="board_id"' not in html
    response = client.post(f"/connections/{channel.pk}/board/", {"board_id": "not a board!"})
    assert response.status_code == 400
    assert "Choose one of the account&#x27;s Pinterest boards." in response.content.decode()
    assert client_for("fr_community_manager").get(f"/connections/{channel.pk}/board/").status_code == 403
