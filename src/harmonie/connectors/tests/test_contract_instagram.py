"""Contract tests of the Instagram connector (container flow) on the recorded payloads of network-apis.md §6 and
§8 (``payloads/instagram``)."""

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
from harmonie.connectors.meta import InstagramConnector

PAYLOADS = Path(__file__).parent / "payloads" / "instagram"
GRAPH = "https://graph.instagram.com/v23.0"
USER = "17841405822304914"
CONTAINER = "17889455560051444"
MEDIA = "17920238422030506"
CREDS = Credentials(network="instagram", account_id=USER, handle="vireocycles", access_token="ig-access-1")
KEY = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
UTC = dt.UTC
IMAGE = MediaItem(data=b"\xff\xd8jpeg", mime_type="image/jpeg", alt_text="A red city bike in Lyon")
IMAGE_URL = "https://media.vireo.example/signed/bike.jpg?sig=abc"
VIDEO_URL = "https://media.vireo.example/signed/ride.mp4?sig=def"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def form(request: httpx.Request) -> dict[str, str]:
    return dict(httpx.QueryParams(request.content.decode()))


def request_with(*media: MediaItem, urls: list[str], text: str = "Nouveau vélo urbain à Lyon 🚲 #lyon", **kw: Any):
    return PublishRequest(text=text, idempotency_key=KEY, media=media, options={"media_urls": urls}, **kw)


@pytest.fixture
def connector() -> InstagramConnector:
    instagram = InstagramConnector()
    instagram.poll_seconds = 0
    return instagram


@pytest.fixture
def limit(respx_mock):
    return respx_mock.get(f"{GRAPH}/{USER}/content_publishing_limit").respond(
        200, json=payload("publishing_limit.json")
    )


def test_contract_instagram_is_registered_with_its_capabilities():
    connector = registry.get("instagram")
    assert isinstance(connector, InstagramConnector)
    assert connector.capabilities() == set(Capability)
    assert (connector.budget.calls, connector.budget.seconds, connector.concurrency) == (25, 86_400, 1)


def test_contract_instagram_image_container_is_polled_until_finished_then_published(respx_mock, connector, limit):
    create = respx_mock.post(f"{GRAPH}/{USER}/media").respond(200, json=payload("container.json"))
    status = respx_mock.get(f"{GRAPH}/{CONTAINER}").mock(
        side_effect=[
            httpx.Response(200, json=payload("status_in_progress.json")),
            httpx.Response(200, json=payload("status_finished.json")),
        ]
    )
    publish = respx_mock.post(f"{GRAPH}/{USER}/media_publish").respond(200, json=payload("published.json"))
    respx_mock.get(f"{GRAPH}/{MEDIA}").respond(200, json=payload("media_details.json"))

    result = connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert result == PublishResult(
        remote_id=MEDIA,
        url="https://www.instagram.com/p/DCx7aBcTq3L/",
        uri=CONTAINER,
        published_at=dt.datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC),
    )
    assert dict(limit.calls.last.request.url.params) == {"fields": "quota_usage,config"}
    assert form(create.calls.last.request) == {
        "caption": "Nouveau vélo urbain à Lyon 🚲 #lyon",
        "image_url": IMAGE_URL,
        "alt_text": "A red city bike in Lyon",
    }
    assert create.calls.last.request.headers["authorization"] == "Bearer ig-access-1"
    assert status.call_count == 2
    assert dict(status.calls.last.request.url.params) == {"fields": "status_code,status"}
    assert form(publish.calls.last.request) == {"creation_id": CONTAINER}
    assert [c.request.method + " " + c.request.url.path for c in respx_mock.calls] == [
        f"GET /v23.0/{USER}/content_publishing_limit",
        f"POST /v23.0/{USER}/media",
        f"GET /v23.0/{CONTAINER}",
        f"GET /v23.0/{CONTAINER}",
        f"POST /v23.0/{USER}/media_publish",
        f"GET /v23.0/{MEDIA}",
    ]


def test_contract_instagram_carousel_creates_children_then_the_parent(respx_mock, connector, limit):
    create = respx_mock.post(f"{GRAPH}/{USER}/media").mock(
        side_effect=[
            httpx.Response(200, json=payload("child_1.json")),
            httpx.Response(200, json=payload("child_2.json")),
            httpx.Response(200, json=payload("carousel.json")),
        ]
    )
    status = respx_mock.get(url__regex=rf"{GRAPH}/1788945556005(1501|1502|1600)\?").respond(
        200, json=payload("status_finished.json")
    )
    publish = respx_mock.post(f"{GRAPH}/{USER}/media_publish").respond(200, json=payload("published.json"))
    respx_mock.get(f"{GRAPH}/{MEDIA}").respond(200, json=payload("media_details.json"))
    video = MediaItem(data=b"mp4", mime_type="video/mp4")

    connector.publish(CREDS, request_with(IMAGE, video, urls=[IMAGE_URL, VIDEO_URL], text="Deux vues"))

    assert [form(c.request) for c in create.calls] == [
        {"is_carousel_item": "true", "image_url": IMAGE_URL, "alt_text": "A red city bike in Lyon"},
        {"is_carousel_item": "true", "media_type": "VIDEO", "video_url": VIDEO_URL},
        {"media_type": "CAROUSEL", "children": "17889455560051501,17889455560051502", "caption": "Deux vues"},
    ]
    assert [c.request.url.path for c in status.calls] == [
        "/v23.0/17889455560051501",
        "/v23.0/17889455560051502",
        "/v23.0/17889455560051600",
    ]
    assert form(publish.calls.last.request) == {"creation_id": "17889455560051600"}


def test_contract_instagram_single_video_is_a_reel(respx_mock, connector, limit):
    create = respx_mock.post(f"{GRAPH}/{USER}/media").respond(200, json=payload("container.json"))
    respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload("status_finished.json"))
    respx_mock.post(f"{GRAPH}/{USER}/media_publish").respond(200, json=payload("published.json"))
    respx_mock.get(f"{GRAPH}/{MEDIA}").respond(200, json=payload("media_details.json"))

    connector.publish(CREDS, request_with(MediaItem(data=b"mp4", mime_type="video/mp4"), urls=[VIDEO_URL], text="Ride"))

    assert form(create.calls.last.request) == {"caption": "Ride", "media_type": "REELS", "video_url": VIDEO_URL}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "status_error.json",
            "Instagram could not process a media file: check its format, or try another file. Instagram said: "
            "“Error: Unsupported format: The video format is not supported. Please check spec for supported codec "
            "formats. 2207026”",
        ),
        ("status_expired.json", "Instagram kept the prepared media too long without publishing it; publish again."),
    ],
)
def test_contract_instagram_container_error_or_expired_is_media_processing(respx_mock, connector, limit, name, message):
    respx_mock.post(f"{GRAPH}/{USER}/media").respond(200, json=payload("container.json"))
    respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload(name))
    publish = respx_mock.post(f"{GRAPH}/{USER}/media_publish")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert (caught.value.kind, caught.value.message) == (ErrorKind.MEDIA_PROCESSING, message)
    assert publish.call_count == 0


def test_contract_instagram_container_still_in_progress_after_the_polls(respx_mock, connector, limit):
    connector.poll_attempts = 3
    respx_mock.post(f"{GRAPH}/{USER}/media").respond(200, json=payload("container.json"))
    status = respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload("status_in_progress.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert (caught.value.kind, caught.value.code) == (ErrorKind.MEDIA_PROCESSING, "IN_PROGRESS")
    assert status.call_count == 3


def test_contract_instagram_full_publishing_limit_stops_before_any_container(respx_mock, connector):
    respx_mock.get(f"{GRAPH}/{USER}/content_publishing_limit").respond(200, json=payload("publishing_limit_full.json"))
    create = respx_mock.post(f"{GRAPH}/{USER}/media")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert caught.value.message == "Instagram's limit of 25 posts in 24 hours is reached for this account."
    assert create.call_count == 0


def test_contract_instagram_needs_public_media_addresses(respx_mock, connector):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[]))

    assert (caught.value.kind, caught.value.code) == (ErrorKind.VALIDATION, "media_urls")
    assert len(respx_mock.calls) == 0


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("error_publishing_limit.json", ErrorKind.RATE_LIMITED, "9/2207042"),
        ("error_unsupported_video.json", ErrorKind.MEDIA_PROCESSING, "352/2207026"),
        ("error_rate_bu.json", ErrorKind.RATE_LIMITED, "80002"),
    ],
)
def test_contract_instagram_graph_errors_map_to_the_shared_kinds(respx_mock, connector, limit, name, kind, code):
    respx_mock.post(f"{GRAPH}/{USER}/media").respond(400, json=payload(name))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert (caught.value.kind, caught.value.code) == (kind, code)


def test_contract_instagram_rate_limit_waits_as_the_business_use_case_header_says(respx_mock, connector, limit):
    usage = {
        USER: [
            {
                "type": "instagram",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 31,
                "estimated_time_to_regain_access": 5,
            }
        ]
    }
    respx_mock.post(f"{GRAPH}/{USER}/media").respond(
        400, json=payload("error_rate_bu.json"), headers={"X-Business-Use-Case-Usage": json.dumps(usage)}
    )

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert caught.value.retry_after == 300.0


def test_contract_instagram_timeout_creating_a_container_publishes_nothing(respx_mock, connector, limit):
    respx_mock.post(f"{GRAPH}/{USER}/media").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request_with(IMAGE, urls=[IMAGE_URL]))

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, False)


def test_contract_instagram_unknown_publish_outcome_is_reconciled_from_recent_media(respx_mock, connector, limit):
    respx_mock.post(f"{GRAPH}/{USER}/media").respond(200, json=payload("container.json"))
    respx_mock.get(f"{GRAPH}/{CONTAINER}").respond(200, json=payload("status_finished.json"))
    respx_mock.post(f"{GRAPH}/{USER}/media_publish").mock(side_effect=httpx.ReadTimeout("timed out"))
    recent = respx_mock.get(f"{GRAPH}/{USER}/media").respond(200, json=payload("recent_media.json"))
    request = request_with(IMAGE, urls=[IMAGE_URL], first_attempt_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request)
    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)

    answer = connector.reconcile(CREDS, request)
    assert answer.found == Found.PUBLISHED
    assert answer.result == PublishResult(
        remote_id=MEDIA,
        url="https://www.instagram.com/p/DCx7aBcTq3L/",
        published_at=dt.datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC),
    )
    assert dict(recent.calls.last.request.url.params) == {"fields": "id,caption,timestamp,permalink", "limit": "25"}
    other = request_with(
        IMAGE, urls=[IMAGE_URL], text="Never posted", first_attempt_at=dt.datetime(2026, 11, 24, tzinfo=UTC)
    )
    assert connector.reconcile(CREDS, other).found == Found.UNKNOWN


def test_contract_instagram_metrics_account_mentions_reply_delete(respx_mock, connector):
    insights = respx_mock.get(f"{GRAPH}/{MEDIA}/insights").respond(200, json=payload("insights.json"))
    respx_mock.get(f"{GRAPH}/17920238422030111/insights").respond(
        400, json={"error": {"message": "(#100) Object does not exist", "type": "OAuthException", "code": 100}}
    )
    respx_mock.get(f"{GRAPH}/{USER}").respond(200, json=payload("user.json"))
    respx_mock.get(f"{GRAPH}/{USER}/tags").respond(200, json=payload("tags.json"))
    comment = respx_mock.post(f"{GRAPH}/{MEDIA}/comments").respond(200, json={"id": "17858893269000001"})
    delete = respx_mock.delete(f"{GRAPH}/{MEDIA}").respond(200, json={"success": True})

    assert connector.read_metrics(CREDS, [RemoteRef(MEDIA), RemoteRef("17920238422030111")]) == {
        MEDIA: PostMetrics(likes=412, replies=23, reposts=17, saves=41, views=5230)
    }
    assert insights.calls.last.request.url.params["metric"] == "views,reach,likes,comments,shares,saved"
    assert connector.account_info(CREDS) == AccountInfo(
        account_id=USER,
        handle="vireocycles",
        display_name="Vireo Cycles",
        followers=20431,
        url="https://www.instagram.com/vireocycles/",
    )
    assert connector.read_mentions(CREDS, since=dt.datetime(2026, 11, 20, tzinfo=UTC)) == [
        Mention(
            remote_id="18031234567890123",
            author_handle="ana.rides",
            text="Sunday ride with my @vireocycles",
            created_at=dt.datetime(2026, 11, 24, 11, 15, 41, tzinfo=UTC),
            url="https://www.instagram.com/p/DCy0zZzTq9Q/",
        )
    ]
    assert connector.reply(CREDS, RemoteRef(MEDIA), PublishRequest(text="Merci !", idempotency_key=KEY)) == (
        PublishResult(remote_id="17858893269000001")
    )
    assert form(comment.calls.last.request) == {"message": "Merci !"}
    connector.delete(CREDS, RemoteRef(MEDIA))
    assert delete.call_count == 1


def test_contract_instagram_refresh_exchanges_the_long_lived_token(respx_mock, connector):
    route = respx_mock.get("https://graph.instagram.com/refresh_access_token").respond(
        200, json=payload("token_refresh.json")
    )

    tokens = connector.refresh(CREDS)

    assert (tokens.access_token, tokens.refresh_token, tokens.account_id) == ("ig-access-2", "", USER)
    assert tokens.expires_at is not None
    assert dict(route.calls.last.request.url.params) == {
        "grant_type": "ig_refresh_token",
        "access_token": "ig-access-1",
    }
