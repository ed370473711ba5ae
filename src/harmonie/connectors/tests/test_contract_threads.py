"""Contract tests of the Threads connector on the recorded payloads of network-apis.md §6 and §9
(``payloads/threads``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from harmonie.connectors import registry
from harmonie.connectors.base import (
    AccountInfo,
    Capability,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    MediaItem,
    Mention,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RemoteRef,
)
from harmonie.connectors.meta import ThreadsConnector

PAYLOADS = Path(__file__).parent / "payloads" / "threads"
GRAPH = "https://graph.threads.net/v1.0"
USER = "17841401234567890"
CONTAINER = "18049393551054321"
MEDIA = "18081234567012345"
CREDS = Credentials(network="threads", account_id=USER, handle="vireocycles", access_token="th-access-1")
KEY = "5e4d3c2b-1a09-4f8e-7d6c-5b4a39281706"
UTC = dt.UTC
IMAGE_URL = "https://media.vireo.example/signed/bike.jpg?sig=abc"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def form(request: httpx.Request) -> dict[str, str]:
    return dict(httpx.QueryParams(request.content.decode()))


@pytest.fixture
def connector() -> ThreadsConnector:
    threads = ThreadsConnector()
    threads.poll_seconds = 0
    threads.media_wait_seconds = 0
    return threads


@pytest.fixture
def publish_ok(respx_mock):
    publish = respx_mock.post(f"{GRAPH}/{USER}/threads_publish").respond(200, json=payload("published.json"))
    respx_mock.get(f"{GRAPH}/{MEDIA}").respond(200, json=payload("media_details.json"))
    return publish


def test_contract_threads_is_registered_with_its_capabilities():
    connector = registry.get("threads")
    assert isinstance(connector, ThreadsConnector)
    assert connector.capabilities() == set(Capability)
    assert (connector.budget.calls, connector.budget.seconds) == (250, 86_400)
    assert connector.media_wait_seconds == 30.0


def test_contract_threads_text_post_with_link_attachment_and_reply_control(respx_mock, connector, publish_ok):
    create = respx_mock.post(f"{GRAPH}/{USER}/threads").respond(200, json=payload("container.json"))
    status = respx_mock.get(f"{GRAPH}/{CONTAINER}")

    result = connector.publish(
        CREDS,
        PublishRequest(
            text="Nouveau vélo urbain à Lyon",
            link="https://vireo.example/lyon",
            idempotency_key=KEY,
            options={"reply_control": "accounts_you_follow"},
        ),
    )

    assert result == PublishResult(
        remote_id=MEDIA,
        url="https://www.threads.net/@vireocycles/post/DCx8AbCdEfG",
        uri=CONTAINER,
        published_at=dt.datetime(2026, 11, 24, 9, 30, 4, tzinfo=UTC),
    )
    assert form(create.calls.last.request) == {
        "text": "Nouveau vélo urbain à Lyon",
        "reply_control": "accounts_you_follow",
        "media_type": "TEXT",
        "link_attachment": "https://vireo.example/lyon",
    }
    assert create.calls.last.request.headers["authorization"] == "Bearer th-access-1"
    assert status.call_count == 0  # a text container is ready at once
    assert form(publish_ok.calls.last.request) == {"creation_id": CONTAINER}


def test_contract_threads_image_waits_and_checks_the_container_before_publishing(respx_mock, connector, publish_ok):
    create = respx_mock.post(f"{GRAPH}/{USER}/threads").respond(200, json=payload("container.json"))
    status = respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload("status_finished.json"))
    image = MediaItem(data=b"jpeg", mime_type="image/jpeg", alt_text="A red bike")

    connector.publish(
        CREDS,
        PublishRequest(
            text="Vélo",
            link="https://vireo.example",
            idempotency_key=KEY,
            media=[image],
            options={"media_urls": [IMAGE_URL]},
        ),
    )

    assert form(create.calls.last.request) == {
        "text": "Vélo\n\nhttps://vireo.example",  # link_attachment is for text posts: with media it goes in the text
        "media_type": "IMAGE",
        "image_url": IMAGE_URL,
        "alt_text": "A red bike",
    }
    assert dict(status.calls.last.request.url.params) == {"fields": "status,error_message"}
    assert [c.request.url.path for c in respx_mock.calls] == [
        f"/v1.0/{USER}/threads",
        f"/v1.0/{CONTAINER}",
        f"/v1.0/{USER}/threads_publish",
        f"/v1.0/{MEDIA}",
    ]


def test_contract_threads_carousel_of_two_items(respx_mock, connector, publish_ok):
    create = respx_mock.post(f"{GRAPH}/{USER}/threads").mock(
        side_effect=[
            httpx.Response(200, json={"id": "18049393551050001"}),
            httpx.Response(200, json={"id": "18049393551050002"}),
            httpx.Response(200, json=payload("container.json")),
        ]
    )
    respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload("status_finished.json"))
    media = [MediaItem(data=b"a", mime_type="image/jpeg"), MediaItem(data=b"b", mime_type="video/mp4")]
    urls = [IMAGE_URL, "https://media.vireo.example/signed/ride.mp4"]

    connector.publish(
        CREDS, PublishRequest(text="Deux", idempotency_key=KEY, media=media, options={"media_urls": urls})
    )

    assert [form(c.request) for c in create.calls] == [
        {"media_type": "IMAGE", "image_url": IMAGE_URL, "is_carousel_item": "true"},
        {"media_type": "VIDEO", "video_url": urls[1], "is_carousel_item": "true"},
        {"text": "Deux", "media_type": "CAROUSEL", "children": "18049393551050001,18049393551050002"},
    ]


def test_contract_threads_container_error_is_media_processing(respx_mock, connector, publish_ok):
    respx_mock.post(f"{GRAPH}/{USER}/threads").respond(200, json=payload("container.json"))
    respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload("status_error.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(
            CREDS,
            PublishRequest(
                text="Ride",
                idempotency_key=KEY,
                media=[MediaItem(data=b"v", mime_type="video/mp4")],
                options={"media_urls": ["https://media.vireo.example/ride.mp4"]},
            ),
        )

    assert caught.value.kind == ErrorKind.MEDIA_PROCESSING
    assert caught.value.message.endswith("Threads said: “FAILED_DOWNLOADING_VIDEO”")
    assert publish_ok.call_count == 0


def test_contract_threads_refuses_text_over_500_and_unknown_reply_control_before_calling(respx_mock, connector):
    with pytest.raises(ConnectorError) as long_text:
        connector.publish(CREDS, PublishRequest(text="a" * 497 + "🚲", idempotency_key=KEY))
    with pytest.raises(ConnectorError) as control:
        connector.publish(CREDS, PublishRequest(text="Hi", idempotency_key=KEY, options={"reply_control": "nobody"}))

    assert long_text.value.message == (
        "Threads allows 500 characters (an emoji counts its bytes); this text counts 501. Shorten it."
    )
    assert control.value.message == (
        "Threads has no reply control “nobody”: choose one of everyone, accounts_you_follow, mentioned_only, "
        "parent_post_author_only, followers_only."
    )
    assert len(respx_mock.calls) == 0


def test_contract_threads_expired_token_is_auth_expired(respx_mock, connector):
    respx_mock.post(f"{GRAPH}/{USER}/threads").respond(401, json=payload("error_expired.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hi", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code) == (ErrorKind.AUTH_EXPIRED, "190/463")


def test_contract_threads_unknown_publish_outcome_is_reconciled_from_the_account_threads(respx_mock, connector):
    respx_mock.post(f"{GRAPH}/{USER}/threads").respond(200, json=payload("container.json"))
    respx_mock.post(f"{GRAPH}/{USER}/threads_publish").mock(side_effect=httpx.RemoteProtocolError("dropped"))
    listing = respx_mock.get(f"{GRAPH}/{USER}/threads").respond(200, json=payload("threads_list.json"))
    request = PublishRequest(
        text="Nouveau vélo urbain à Lyon",
        idempotency_key=KEY,
        first_attempt_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request)
    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)

    answer = connector.reconcile(CREDS, request)

    assert answer.found == Found.PUBLISHED
    assert answer.result is not None
    assert (answer.result.remote_id, answer.result.url) == (
        MEDIA,
        "https://www.threads.net/@vireocycles/post/DCx8AbCdEfG",
    )
    assert listing.calls.last.request.url.params["since"] == str(
        int(dt.datetime(2026, 11, 24, 9, 28, tzinfo=UTC).timestamp())
    )


def test_contract_threads_metrics_account_mentions_reply_delete_refresh(respx_mock, connector, publish_ok):
    respx_mock.get(f"{GRAPH}/{MEDIA}/insights").respond(200, json=payload("insights.json"))
    respx_mock.get(f"{GRAPH}/{USER}").respond(200, json=payload("user.json"))
    respx_mock.get(f"{GRAPH}/{USER}/threads_insights").respond(200, json=payload("user_insights.json"))
    respx_mock.get(f"{GRAPH}/{USER}/mentions").respond(200, json=payload("mentions.json"))
    create = respx_mock.post(f"{GRAPH}/{USER}/threads").respond(200, json=payload("container.json"))
    delete = respx_mock.delete(f"{GRAPH}/{MEDIA}").respond(200, json={"success": True})
    token = respx_mock.get("https://graph.threads.net/refresh_access_token").respond(
        200, json=payload("token_refresh.json")
    )

    assert connector.read_metrics(CREDS, [RemoteRef(MEDIA)]) == {
        MEDIA: PostMetrics(likes=96, reposts=5, replies=8, quotes=1, views=1520)
    }
    assert connector.account_info(CREDS) == AccountInfo(
        account_id=USER,
        handle="vireocycles",
        display_name="Vireo Cycles",
        followers=2310,
        url="https://www.threads.net/@vireocycles",
    )
    assert connector.read_mentions(CREDS) == [
        Mention(
            remote_id="18090000000000042",
            author_handle="ana.rides",
            text="@vireocycles when in Grenoble?",
            created_at=dt.datetime(2026, 11, 24, 11, 15, 41, tzinfo=UTC),
            url="https://www.threads.net/@ana.rides/post/DCy1XyZ",
        )
    ]
    connector.reply(CREDS, RemoteRef("18090000000000042"), PublishRequest(text="Soon!", idempotency_key=KEY))
    assert form(create.calls.last.request) == {
        "text": "Soon!",
        "reply_to_id": "18090000000000042",
        "media_type": "TEXT",
    }
    connector.delete(CREDS, RemoteRef(MEDIA))
    assert delete.call_count == 1
    tokens = connector.refresh(CREDS)
    assert (tokens.access_token, tokens.refresh_token) == ("th-access-2", "")
    assert dict(token.calls.last.request.url.params) == {
        "grant_type": "th_refresh_token",
        "access_token": "th-access-1",
    }
