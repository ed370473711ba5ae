"""Contract tests of the X connector on the recorded payloads of network-apis.md §4 (``payloads/x``)."""

from __future__ import annotations

import base64
import datetime as dt
import email.parser
import email.policy
import json
import time
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
from harmonie.connectors.x import XConnector

PAYLOADS = Path(__file__).parent / "payloads" / "x"
API = "https://api.x.com"
UTC = dt.UTC
CREDS = Credentials(
    network="x",
    account_id="1453889200113209344",
    handle="VireoCycles",
    access_token="x-access-1",
    refresh_token="x-refresh-1",
    client_id="x-client",
    client_secret="x-secret",
)
KEY = "9b1f3c5e-7a2d-4e6f-8a0b-1c2d3e4f5a6b"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def multipart(request: httpx.Request) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
    )
    return {
        str(part.get_param("name", header="content-disposition")): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


@pytest.fixture
def connector() -> XConnector:
    x = XConnector()
    x.max_poll_wait = 0
    return x


def test_contract_x_is_registered_with_its_capabilities():
    connector = registry.get("x")
    assert isinstance(connector, XConnector)
    assert connector.capabilities() == set(Capability)
    assert (connector.budget.calls, connector.budget.seconds, connector.auth) == (100, 900, "oauth2_pkce")
    assert connector.limits is not None
    assert (connector.limits.text_max, connector.limits.text_unit) == (280, "weighted")


def test_contract_x_publish_text_with_link_sends_the_exact_request(respx_mock, connector):
    route = respx_mock.post(f"{API}/2/tweets").respond(201, json=payload("tweet_created.json"))

    result = connector.publish(
        CREDS, PublishRequest(text="Nouveau vélo urbain à Lyon", link="https://vireo.example/lyon", idempotency_key=KEY)
    )

    assert result == PublishResult(
        remote_id="1861234567890123456", url="https://x.com/VireoCycles/status/1861234567890123456"
    )
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer x-access-1"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == {"text": "Nouveau vélo urbain à Lyon\n\nhttps://vireo.example/lyon"}


def test_contract_x_video_goes_through_initialize_append_finalize_status_then_alt_text(respx_mock, connector):
    connector.chunk_bytes = 4
    media_id = "1861230000000000001"
    init = respx_mock.post(f"{API}/2/media/upload/initialize").respond(200, json=payload("media_initialize.json"))
    append = respx_mock.post(f"{API}/2/media/upload/{media_id}/append").respond(204)
    finalize = respx_mock.post(f"{API}/2/media/upload/{media_id}/finalize").respond(
        200, json=payload("media_finalize_pending.json")
    )
    status = respx_mock.get(f"{API}/2/media/upload", params={"command": "STATUS", "media_id": media_id}).mock(
        side_effect=[
            httpx.Response(200, json=payload("media_status_in_progress.json")),
            httpx.Response(200, json=payload("media_status_succeeded.json")),
        ]
    )
    metadata = respx_mock.post(f"{API}/2/media/metadata").respond(200, json=payload("media_metadata.json"))
    tweet = respx_mock.post(f"{API}/2/tweets").respond(201, json=payload("tweet_created.json"))
    video = MediaItem(
        data=b"0123456789", mime_type="video/mp4", filename="ride.mp4", alt_text="Riding along the Rhône at sunset"
    )

    connector.publish(CREDS, PublishRequest(text="Ride", idempotency_key=KEY, media=[video]))

    assert json.loads(init.calls.last.request.content) == {
        "media_type": "video/mp4",
        "total_bytes": 10,
        "media_category": "tweet_video",
    }
    assert [multipart(call.request) for call in append.calls] == [
        {"segment_index": b"0", "media": b"0123"},
        {"segment_index": b"1", "media": b"4567"},
        {"segment_index": b"2", "media": b"89"},
    ]
    assert finalize.call_count == 1
    assert status.call_count == 2
    assert json.loads(metadata.calls.last.request.content) == {
        "id": media_id,
        "metadata": {"alt_text": {"text": "Riding along the Rhône at sunset"}},
    }
    assert json.loads(tweet.calls.last.request.content) == {"text": "Ride", "media": {"media_ids": [media_id]}}
    order = [call.request.url.path for call in respx_mock.calls]
    assert order == [
        "/2/media/upload/initialize",
        f"/2/media/upload/{media_id}/append",
        f"/2/media/upload/{media_id}/append",
        f"/2/media/upload/{media_id}/append",
        f"/2/media/upload/{media_id}/finalize",
        "/2/media/upload",
        "/2/media/upload",
        "/2/media/metadata",
        "/2/tweets",
    ]


def test_contract_x_image_without_alt_text_skips_status_and_metadata(respx_mock, connector):
    media_id = "1861230000000000001"
    respx_mock.post(f"{API}/2/media/upload/initialize").respond(200, json=payload("media_initialize.json"))
    respx_mock.post(f"{API}/2/media/upload/{media_id}/append").respond(204)
    respx_mock.post(f"{API}/2/media/upload/{media_id}/finalize").respond(200, json=payload("media_finalize_image.json"))
    tweet = respx_mock.post(f"{API}/2/tweets").respond(201, json=payload("tweet_created.json"))

    connector.publish(
        CREDS,
        PublishRequest(
            text="Bike", idempotency_key=KEY, media=[MediaItem(data=b"\xff\xd8jpeg", mime_type="image/jpeg")]
        ),
    )

    assert json.loads(respx_mock.calls[0].request.content)["media_category"] == "tweet_image"
    assert [call.request.url.path for call in respx_mock.calls][-1] == "/2/tweets"
    assert len(respx_mock.calls) == 4
    assert json.loads(tweet.calls.last.request.content)["media"] == {"media_ids": [media_id]}


def test_contract_x_media_processing_failure_is_media_processing(respx_mock, connector):
    media_id = "1861230000000000001"
    respx_mock.post(f"{API}/2/media/upload/initialize").respond(200, json=payload("media_initialize.json"))
    respx_mock.post(f"{API}/2/media/upload/{media_id}/append").respond(204)
    respx_mock.post(f"{API}/2/media/upload/{media_id}/finalize").respond(
        200, json=payload("media_finalize_pending.json")
    )
    respx_mock.get(f"{API}/2/media/upload").respond(200, json=payload("media_status_failed.json"))
    tweet = respx_mock.post(f"{API}/2/tweets")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(
            CREDS,
            PublishRequest(text="Ride", idempotency_key=KEY, media=[MediaItem(data=b"0123", mime_type="video/mp4")]),
        )

    assert caught.value.kind == ErrorKind.MEDIA_PROCESSING
    assert caught.value.message == (
        "X could not process a media file: check its format, or try another file. "
        "X said: “Invalid or Unsupported media, Reason: UnsupportedMedia.”"
    )
    assert tweet.call_count == 0


def test_contract_x_timeout_during_a_media_upload_leaves_no_outcome_to_reconcile(respx_mock, connector):
    respx_mock.post(f"{API}/2/media/upload/initialize").respond(200, json=payload("media_initialize.json"))
    respx_mock.post(f"{API}/2/media/upload/1861230000000000001/append").mock(side_effect=httpx.ReadTimeout("slow"))
    tweet = respx_mock.post(f"{API}/2/tweets")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(
            CREDS,
            PublishRequest(text="Ride", idempotency_key=KEY, media=[MediaItem(data=b"0123", mime_type="video/mp4")]),
        )

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, False)
    assert tweet.call_count == 0


def test_contract_x_duplicate_content_403_is_duplicate(respx_mock, connector):
    respx_mock.post(f"{API}/2/tweets").respond(403, json=payload("error_duplicate.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Same again", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code, caught.value.http_status) == (ErrorKind.DUPLICATE, "duplicate", 403)
    assert caught.value.outcome_unknown is False


@pytest.mark.parametrize(
    ("status", "name", "kind", "code"),
    [
        (401, "error_401.json", ErrorKind.AUTH_EXPIRED, "401"),
        (400, "error_invalid_request.json", ErrorKind.VALIDATION, "invalid-request"),
        (403, "error_not_authorized.json", ErrorKind.AUTH_REVOKED, "not-authorized-for-resource"),
        (429, "error_usage_capped.json", ErrorKind.POLICY, "usage-capped"),
    ],
)
def test_contract_x_error_shapes_map_to_the_shared_kinds(respx_mock, connector, status, name, kind, code):
    respx_mock.post(f"{API}/2/tweets").respond(status, json=payload(name))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code, caught.value.http_status) == (kind, code, status)


def test_contract_x_429_waits_for_x_rate_limit_reset(respx_mock, connector):
    reset = int(time.time()) + 300
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    respx_mock.post(f"{API}/2/tweets").respond(429, json=payload("error_429.json"), headers=headers)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == pytest.approx(reset - time.time(), abs=1.5)


def test_contract_x_429_on_the_24_hour_user_window_waits_for_that_window(respx_mock, connector):
    now = int(time.time())
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "97",
        "x-rate-limit-reset": str(now + 600),
        "x-user-limit-24hour-limit": "17",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(now + 7200),
    }
    respx_mock.post(f"{API}/2/tweets").respond(429, json=payload("error_429.json"), headers=headers)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.retry_after == pytest.approx(7200, abs=2)


def test_contract_x_timeout_after_send_is_unknown_and_reconcile_finds_the_post(respx_mock, connector):
    respx_mock.post(f"{API}/2/tweets").mock(side_effect=httpx.ReadTimeout("timed out"))
    timeline = respx_mock.get(f"{API}/2/users/1453889200113209344/tweets").respond(
        200, json=payload("user_tweets.json")
    )
    request = PublishRequest(
        text="Nouveau vélo urbain à Lyon",
        link="https://vireo.example/lyon",
        idempotency_key=KEY,
        first_attempt_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, request)
    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)

    answer = connector.reconcile(CREDS, request)

    assert answer.found == Found.PUBLISHED
    assert answer.result == PublishResult(
        remote_id="1861234567890123456",
        url="https://x.com/VireoCycles/status/1861234567890123456",
        published_at=dt.datetime(2026, 11, 24, 9, 30, 1, tzinfo=UTC),
    )
    assert dict(timeline.calls.last.request.url.params) == {
        "max_results": "100",
        "tweet.fields": "created_at,text",
        "exclude": "retweets",
        "start_time": "2026-11-24T09:28:00Z",
    }


def test_contract_x_reconcile_not_in_the_timeline_is_absent(respx_mock, connector):
    respx_mock.get(f"{API}/2/users/1453889200113209344/tweets").respond(200, json=payload("user_tweets.json"))

    answer = connector.reconcile(CREDS, PublishRequest(text="Something never posted", idempotency_key=KEY))

    assert answer.found == Found.ABSENT
    assert answer.result is None


def test_contract_x_connect_failure_is_transient_and_not_sent(respx_mock, connector):
    respx_mock.post(f"{API}/2/tweets").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.outcome_unknown, caught.value.code) == (
        ErrorKind.TRANSIENT,
        False,
        "ConnectError",
    )


def test_contract_x_5xx_on_post_is_unknown_with_its_retry_after(respx_mock, connector):
    respx_mock.post(f"{API}/2/tweets").respond(503, text="upstream connect error", headers={"retry-after": "30"})

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.outcome_unknown, caught.value.retry_after) == (
        ErrorKind.TRANSIENT,
        True,
        30.0,
    )


def test_contract_x_reply_names_the_post_replied_to(respx_mock, connector):
    route = respx_mock.post(f"{API}/2/tweets").respond(201, json=payload("tweet_created.json"))

    connector.reply(CREDS, RemoteRef("1861240000000000042"), PublishRequest(text="In March!", idempotency_key=KEY))

    assert json.loads(route.calls.last.request.content) == {
        "text": "In March!",
        "reply": {"in_reply_to_tweet_id": "1861240000000000042"},
    }


def test_contract_x_metrics_read_public_and_non_public_counts(respx_mock, connector):
    route = respx_mock.get(f"{API}/2/tweets").respond(200, json=payload("tweets_metrics.json"))

    metrics = connector.read_metrics(CREDS, [RemoteRef("1861234567890123456"), RemoteRef("1861234567890100000")])

    assert metrics == {
        "1861234567890123456": PostMetrics(
            likes=87, reposts=12, replies=3, quotes=2, impressions=4210, clicks=64, saves=5
        )
    }
    assert dict(route.calls.last.request.url.params) == {
        "ids": "1861234567890123456,1861234567890100000",
        "tweet.fields": "public_metrics,non_public_metrics",
    }


def test_contract_x_account_info_mentions_and_delete(respx_mock, connector):
    respx_mock.get(f"{API}/2/users/me").respond(200, json=payload("users_me.json"))
    mentions_route = respx_mock.get(f"{API}/2/users/1453889200113209344/mentions").respond(
        200, json=payload("mentions.json")
    )
    delete = respx_mock.delete(f"{API}/2/tweets/1861234567890123456").respond(200, json={"data": {"deleted": True}})

    assert connector.account_info(CREDS) == AccountInfo(
        account_id="1453889200113209344",
        handle="VireoCycles",
        display_name="Vireo Cycles",
        followers=5821,
        url="https://x.com/VireoCycles",
    )
    mentions = connector.read_mentions(CREDS, since=dt.datetime(2026, 11, 24, 8, tzinfo=UTC))
    assert mentions[0] == Mention(
        remote_id="1861240000000000042",
        author_handle="ana_rides",
        author_id="2244994945",
        text="@VireoCycles when does it ship to Grenoble?",
        created_at=dt.datetime(2026, 11, 24, 11, 15, 41, tzinfo=UTC),
        url="https://x.com/ana_rides/status/1861240000000000042",
        in_reply_to="1861234567890123456",
    )
    assert [(m.author_handle, m.in_reply_to) for m in mentions] == [("ana_rides", "1861234567890123456"), ("bo", "")]
    assert mentions_route.calls.last.request.url.params["start_time"] == "2026-11-24T08:00:00Z"
    connector.delete(CREDS, RemoteRef("1861234567890123456"))
    assert delete.call_count == 1


def test_contract_x_refresh_goes_through_oauth_with_the_rotating_refresh_token(respx_mock, connector):
    route = respx_mock.post(f"{API}/2/oauth2/token").respond(200, json=payload("token_refresh.json"))

    tokens = connector.refresh(CREDS)

    assert (tokens.access_token, tokens.refresh_token, tokens.account_id) == (
        "x-access-2",
        "x-refresh-2",
        "1453889200113209344",
    )
    assert tokens.scopes == "tweet.write users.read tweet.read offline.access media.write"
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(b"x-client:x-secret").decode()
    assert dict(httpx.QueryParams(sent.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": "x-refresh-1",
    }


def test_contract_x_refresh_refused_is_auth_revoked(respx_mock, connector):
    respx_mock.post(f"{API}/2/oauth2/token").respond(
        400, json={"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    )

    with pytest.raises(ConnectorError) as caught:
        connector.refresh(CREDS)

    assert caught.value.kind == ErrorKind.AUTH_REVOKED
