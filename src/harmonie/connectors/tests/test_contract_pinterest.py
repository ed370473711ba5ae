"""Contract tests of the Pinterest connector (API v5) on the payloads in ``payloads/pinterest`` (Pinterest is not
in network-apis.md: the shapes follow Pinterest's published v5 reference, see the payloads' README)."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from harmonie.connectors import http, registry
from harmonie.connectors.base import (
    AccountInfo,
    Capability,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    MediaItem,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RemoteRef,
)
from harmonie.connectors.pinterest import Board, PinterestConnector
from harmonie.content.networks.limits import JPEG, LIMITS, PNG

PAYLOADS = Path(__file__).parent / "payloads" / "pinterest"
API = "https://api.pinterest.com/v5"
BOARD = "1099582379630012345"
PIN = "1099582310912345678"
CREDS = Credentials(
    network="pinterest",
    account_id="1099582448349912345",
    handle="vireocycles",
    access_token="pina_access-1",
    refresh_token="pinr_refresh-1",
    client_id="1484362",
    client_secret="pin-secret",
)
KEY = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
UTC = dt.UTC
IMAGE = MediaItem(
    data=b"\x89PNG\r\n\x1a\nbike", mime_type="image/png", alt_text="A red city bike leaning on a wall in Lyon"
)


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def pin_request(**changes: Any) -> PublishRequest:
    values: dict[str, Any] = {
        "text": "Nouveau vélo urbain à Lyon",
        "title": "Vireo Lyon city bike",
        "link": "https://vireo.example/lyon",
        "idempotency_key": KEY,
        "media": [IMAGE],
        "options": {"board_id": BOARD},
    }
    values.update(changes)
    return PublishRequest(**values)


@pytest.fixture
def connector() -> PinterestConnector:
    return PinterestConnector()


def test_contract_pinterest_is_registered_with_its_capabilities_and_limits():
    connector = registry.get("pinterest")
    assert isinstance(connector, PinterestConnector)
    assert connector.capabilities() == {
        Capability.PUBLISH,
        Capability.DELETE,
        Capability.METRICS,
        Capability.ACCOUNT,
        Capability.REFRESH,
    }
    limits = LIMITS["pinterest"]
    assert connector.limits == limits
    assert (limits.text_max, limits.title_max, limits.alt_text_max, limits.max_images, limits.max_videos) == (
        500,
        100,
        500,
        1,
        0,
    )
    assert (limits.image_types, limits.image_max_bytes, limits.requires_media, limits.first_comment) == (
        frozenset({JPEG, PNG}),
        10_000_000,
        True,
        False,
    )
    assert limits.source.startswith("network-apis.md §0 has no Pinterest section")


def test_contract_pinterest_publish_sends_the_image_as_base64_on_the_board(respx_mock, connector):
    route = respx_mock.post(f"{API}/pins").respond(201, json=payload("pin_created.json"))

    result = connector.publish(CREDS, pin_request())

    assert result == PublishResult(
        remote_id=PIN,
        url=f"https://www.pinterest.com/pin/{PIN}/",
        published_at=dt.datetime(2026, 11, 24, 9, 30, 3, tzinfo=UTC),
    )
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer pina_access-1"
    assert json.loads(sent.content) == {
        "board_id": BOARD,
        "description": "Nouveau vélo urbain à Lyon",
        "media_source": {
            "source_type": "image_base64",
            "content_type": "image/png",
            "data": base64.b64encode(b"\x89PNG\r\n\x1a\nbike").decode(),
        },
        "title": "Vireo Lyon city bike",
        "link": "https://vireo.example/lyon",
        "alt_text": "A red city bike leaning on a wall in Lyon",
    }


def test_contract_pinterest_publish_from_a_public_address_and_a_board_section(respx_mock, connector):
    route = respx_mock.post(f"{API}/pins").respond(201, json=payload("pin_created.json"))
    options = {"board_id": BOARD, "board_section_id": "5001", "media_urls": ["https://media.vireo.example/bike.png"]}

    connector.publish(CREDS, pin_request(options=options, link="", title=""))

    assert json.loads(route.calls.last.request.content) == {
        "board_id": BOARD,
        "board_section_id": "5001",
        "description": "Nouveau vélo urbain à Lyon",
        "media_source": {"source_type": "image_url", "url": "https://media.vireo.example/bike.png"},
        "alt_text": "A red city bike leaning on a wall in Lyon",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"options": {}}, "A pin goes on a board: choose one of the account's Pinterest boards."),
        ({"media": []}, "A pin is one image, JPEG or PNG."),
        ({"media": [MediaItem(data=b"gif", mime_type="image/gif")]}, "A pin is one image, JPEG or PNG."),
    ],
)
def test_contract_pinterest_refuses_before_calling(respx_mock, connector, changes, message):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, pin_request(**changes))

    assert (caught.value.kind, caught.value.message) == (ErrorKind.VALIDATION, message)
    assert len(respx_mock.calls) == 0


@pytest.mark.parametrize(
    ("status", "name", "kind", "code"),
    [
        (401, "error_401.json", ErrorKind.AUTH_EXPIRED, "2"),
        (403, "error_403.json", ErrorKind.AUTH_REVOKED, "3"),
        (404, "error_404_board.json", ErrorKind.VALIDATION, "40"),
        (400, "error_400.json", ErrorKind.VALIDATION, "1"),
    ],
)
def test_contract_pinterest_error_shapes_map_to_the_shared_kinds(respx_mock, connector, status, name, kind, code):
    respx_mock.post(f"{API}/pins").respond(status, json=payload(name))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, pin_request())

    assert (caught.value.kind, caught.value.code, caught.value.http_status) == (kind, code, status)


def test_contract_pinterest_429_waits_for_the_rate_limit_headers(respx_mock, connector):
    reset = int(time.time()) + 90
    respx_mock.post(f"{API}/pins").respond(
        429,
        json=payload("error_429.json"),
        headers={"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
    )

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, pin_request())

    assert (caught.value.kind, caught.value.code) == (ErrorKind.RATE_LIMITED, "8")
    assert caught.value.retry_after == pytest.approx(reset - time.time(), abs=1.5)


def test_contract_pinterest_retry_after_header_wins(respx_mock, connector):
    respx_mock.post(f"{API}/pins").respond(429, json=payload("error_429.json"), headers={"Retry-After": "42"})

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, pin_request())

    assert caught.value.retry_after == 42.0


def test_contract_pinterest_retry_after_as_an_http_date(respx_mock, connector):
    when = email.utils.format_datetime(dt.datetime.now(UTC) + dt.timedelta(seconds=600), usegmt=True)
    respx_mock.post(f"{API}/pins").respond(503, text="Service Unavailable", headers={"Retry-After": when})

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, pin_request())

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)
    assert caught.value.retry_after == pytest.approx(600, abs=1.5)


def test_contract_pinterest_timeout_after_send_then_reconcile_finds_the_pin_on_its_board(respx_mock, connector):
    respx_mock.post(f"{API}/pins").mock(side_effect=httpx.ReadTimeout("timed out"))
    pins = respx_mock.get(f"{API}/boards/{BOARD}/pins").respond(200, json=payload("board_pins.json"))
    request = pin_request(first_attempt_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request)
    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)

    answer = connector.reconcile(CREDS, request)

    assert answer.found == Found.PUBLISHED
    assert answer.result == PublishResult(
        remote_id=PIN,
        url=f"https://www.pinterest.com/pin/{PIN}/",
        published_at=dt.datetime(2026, 11, 24, 9, 30, 3, tzinfo=UTC),
    )
    assert dict(pins.calls.last.request.url.params) == {"page_size": "25"}
    # The identical pin of 2 November is older than the first attempt: not ours.
    later = pin_request(first_attempt_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    assert connector.reconcile(CREDS, later).found == Found.UNKNOWN


def test_contract_pinterest_boards_follow_the_bookmark(respx_mock, connector):
    route = respx_mock.get(f"{API}/boards").mock(
        side_effect=[
            httpx.Response(200, json=payload("boards_page_1.json")),
            httpx.Response(200, json=payload("boards_page_2.json")),
        ]
    )

    assert connector.boards(CREDS) == [
        Board(board_id=BOARD, name="City bikes", privacy="PUBLIC", description="Our Lyon-made bikes"),
        Board(board_id="1099582379630099999", name="Workshop", privacy="SECRET"),
    ]
    assert [dict(c.request.url.params) for c in route.calls] == [
        {"page_size": "100"},
        {"page_size": "100", "bookmark": "ZXlKMGFXMWxjM1JoYlhBaU9pQXhOekF4"},
    ]


def test_contract_pinterest_metrics_account_delete_refresh(respx_mock, connector):
    analytics = respx_mock.get(f"{API}/pins/{PIN}/analytics").respond(200, json=payload("pin_analytics.json"))
    respx_mock.get(f"{API}/pins/1/analytics").respond(404, json=payload("error_404_board.json"))
    respx_mock.get(f"{API}/user_account").respond(200, json=payload("user_account.json"))
    delete = respx_mock.delete(f"{API}/pins/{PIN}").respond(204)
    token = respx_mock.post(f"{API}/oauth/token").respond(200, json=payload("token_refresh.json"))

    assert connector.read_metrics(CREDS, [RemoteRef(PIN), RemoteRef("1")]) == {
        PIN: PostMetrics(impressions=2480, saves=57, clicks=71)
    }
    today = http.now().date()
    assert dict(analytics.calls.last.request.url.params) == {
        "start_date": (today - dt.timedelta(days=89)).isoformat(),
        "end_date": today.isoformat(),
        "metric_types": "IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK",
    }
    assert connector.account_info(CREDS) == AccountInfo(
        account_id="1099582448349912345",
        handle="vireocycles",
        display_name="Vireo Cycles",
        followers=3310,
        url="https://www.pinterest.com/vireocycles/",
    )
    connector.delete(CREDS, RemoteRef(PIN))
    assert delete.call_count == 1
    tokens = connector.refresh(CREDS)
    assert (tokens.access_token, tokens.refresh_token) == ("pina_access-2", "pinr_refresh-2")
    sent = token.calls.last.request
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(b"1484362:pin-secret").decode()
    assert dict(httpx.QueryParams(sent.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": "pinr_refresh-1",
    }
