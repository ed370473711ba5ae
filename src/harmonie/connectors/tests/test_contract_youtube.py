"""Contract tests of the YouTube connector (resumable upload) on the recorded payloads of network-apis.md §10
(``payloads/youtube``)."""

from __future__ import annotations

import datetime as dt
import json
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
from harmonie.connectors.youtube import CHUNK_UNIT, YouTubeConnector

PAYLOADS = Path(__file__).parent / "payloads" / "youtube"
UPLOAD = "https://www.googleapis.com/upload/youtube/v3/videos"
DATA = "https://www.googleapis.com/youtube/v3"
SESSION = f"{UPLOAD}?uploadType=resumable&upload_id=ADPycdu7RxQ2bZ4s"
CREDS = Credentials(
    network="youtube",
    account_id="UCv1r3oCyc1esLy0nFr4nce",
    access_token="yt-access-1",
    refresh_token="yt-refresh-1",
    client_id="yt-client.apps.googleusercontent.com",
    client_secret="yt-secret",
)
KEY = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
UTC = dt.UTC
VIDEO_BYTES = bytes(range(256)) * (2 * CHUNK_UNIT // 256) + b"tail-of-the-video"  # two full chunks and a bit
TOTAL = len(VIDEO_BYTES)


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def video_request(**changes: Any) -> PublishRequest:
    values: dict[str, Any] = {
        "text": "Nouveau vélo urbain à Lyon",
        "link": "https://vireo.example/lyon",
        "title": "Vireo Lyon: the new city bike",
        "language": "fr",
        "idempotency_key": KEY,
        "media": [MediaItem(data=VIDEO_BYTES, mime_type="video/mp4", filename="lyon.mp4")],
        "options": {"tags": ["vélo", "Lyon"], "privacy_status": "unlisted"},
    }
    values.update(changes)
    return PublishRequest(**values)


def incomplete(last_byte: int | None) -> httpx.Response:
    """308 Resume Incomplete with the bytes the session holds (§10.2)."""
    return httpx.Response(308, headers={"Range": f"bytes=0-{last_byte}"} if last_byte is not None else {})


@pytest.fixture
def connector() -> YouTubeConnector:
    youtube = YouTubeConnector()
    youtube.chunk_bytes = CHUNK_UNIT
    return youtube


@pytest.fixture
def session(respx_mock):
    return respx_mock.post(UPLOAD).respond(200, headers={"Location": SESSION})


def ranges(route) -> list[str]:
    return [call.request.headers["content-range"] for call in route.calls]


def test_contract_youtube_is_registered_with_its_capabilities():
    connector = registry.get("youtube")
    assert isinstance(connector, YouTubeConnector)
    assert connector.capabilities() == {
        Capability.PUBLISH,
        Capability.DELETE,
        Capability.METRICS,
        Capability.REPLY,
        Capability.ACCOUNT,
        Capability.REFRESH,
    }
    assert connector.chunk_bytes % CHUNK_UNIT == 0
    assert YouTubeConnector.chunk_bytes == 8 * 1024 * 1024


def test_contract_youtube_resumable_upload_sends_metadata_then_chunks(respx_mock, connector, session):
    chunks = respx_mock.put(SESSION).mock(
        side_effect=[
            incomplete(CHUNK_UNIT - 1),
            incomplete(2 * CHUNK_UNIT - 1),
            httpx.Response(200, json=payload("video_inserted.json")),
        ]
    )

    result = connector.publish(CREDS, video_request())

    assert result == PublishResult(
        remote_id="Xk3v9Ja2pLm",
        url="https://www.youtube.com/watch?v=Xk3v9Ja2pLm",
        published_at=dt.datetime(2026, 11, 24, 9, 31, 12, tzinfo=UTC),
    )
    start = session.calls.last.request
    assert dict(start.url.params) == {
        "uploadType": "resumable",
        "part": "snippet,status",
        "notifySubscribers": "true",
    }
    assert start.headers["authorization"] == "Bearer yt-access-1"
    assert (start.headers["x-upload-content-type"], start.headers["x-upload-content-length"]) == (
        "video/mp4",
        str(TOTAL),
    )
    assert json.loads(start.content) == {
        "snippet": {
            "title": "Vireo Lyon: the new city bike",
            "description": "Nouveau vélo urbain à Lyon\n\nhttps://vireo.example/lyon",
            "categoryId": "22",
            "tags": ["vélo", "Lyon"],
            "defaultLanguage": "fr",
        },
        "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False, "containsSyntheticMedia": False},
    }
    assert ranges(chunks) == [
        f"bytes 0-{CHUNK_UNIT - 1}/{TOTAL}",
        f"bytes {CHUNK_UNIT}-{2 * CHUNK_UNIT - 1}/{TOTAL}",
        f"bytes {2 * CHUNK_UNIT}-{TOTAL - 1}/{TOTAL}",
    ]
    assert b"".join(call.request.content for call in chunks.calls) == VIDEO_BYTES
    assert chunks.calls.last.request.headers["authorization"] == "Bearer yt-access-1"


def test_contract_youtube_resumes_from_the_range_the_308_gives(respx_mock, connector, session):
    """The session may hold less than was sent: the next chunk starts after the last byte it holds."""
    chunks = respx_mock.put(SESSION).mock(
        side_effect=[
            incomplete(99_999),
            incomplete(99_999 + CHUNK_UNIT),
            httpx.Response(201, json=payload("video_inserted.json")),
        ]
    )

    connector.publish(CREDS, video_request())

    assert ranges(chunks) == [
        f"bytes 0-{CHUNK_UNIT - 1}/{TOTAL}",
        f"bytes 100000-{100_000 + CHUNK_UNIT - 1}/{TOTAL}",
        f"bytes {100_000 + CHUNK_UNIT}-{TOTAL - 1}/{TOTAL}",
    ]
    assert chunks.calls[1].request.content == VIDEO_BYTES[100_000 : 100_000 + CHUNK_UNIT]


def test_contract_youtube_failed_chunk_asks_the_session_then_continues(respx_mock, connector, session):
    chunks = respx_mock.put(SESSION).mock(
        side_effect=[
            incomplete(CHUNK_UNIT - 1),
            httpx.Response(503, json=payload("error_backend.json")),
            incomplete(CHUNK_UNIT + 4095),  # the status query: part of the failed chunk arrived
            httpx.Response(200, json=payload("video_inserted.json")),
        ]
    )

    assert connector.publish(CREDS, video_request()).remote_id == "Xk3v9Ja2pLm"

    assert ranges(chunks) == [
        f"bytes 0-{CHUNK_UNIT - 1}/{TOTAL}",
        f"bytes {CHUNK_UNIT}-{2 * CHUNK_UNIT - 1}/{TOTAL}",
        f"bytes */{TOTAL}",
        f"bytes {CHUNK_UNIT + 4096}-{TOTAL - 1}/{TOTAL}",  # the rest fits in one chunk
    ]
    assert chunks.calls[2].request.content == b""
    assert chunks.calls[3].request.content == VIDEO_BYTES[CHUNK_UNIT + 4096 :]


def test_contract_youtube_timeout_on_the_last_chunk_is_settled_by_the_session(respx_mock, connector, session):
    chunks = respx_mock.put(SESSION).mock(
        side_effect=[
            incomplete(CHUNK_UNIT - 1),
            incomplete(2 * CHUNK_UNIT - 1),
            httpx.ReadTimeout("timed out"),
            httpx.Response(200, json=payload("video_inserted.json")),  # the status query: it was complete
        ]
    )

    assert connector.publish(CREDS, video_request()).remote_id == "Xk3v9Ja2pLm"
    assert ranges(chunks)[-1] == f"bytes */{TOTAL}"


def test_contract_youtube_last_chunk_never_confirmed_is_an_unknown_outcome(respx_mock, connector, session):
    connector.max_resumes = 2
    respx_mock.put(SESSION).mock(
        side_effect=[incomplete(CHUNK_UNIT - 1), incomplete(2 * CHUNK_UNIT - 1)] + [httpx.ReadTimeout("timed out")] * 3
    )

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, video_request())

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)


def test_contract_youtube_a_middle_chunk_never_accepted_cannot_have_published(respx_mock, connector, session):
    connector.max_resumes = 1
    respx_mock.put(SESSION).mock(side_effect=[httpx.ConnectError("reset"), httpx.ConnectError("reset")])

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, video_request())

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, False)


def test_contract_youtube_quota_exceeded_waits_until_midnight_pacific(respx_mock, connector):
    respx_mock.post(UPLOAD).respond(403, json=payload("error_quota.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, video_request())

    error = caught.value
    assert (error.kind, error.code) == (ErrorKind.RATE_LIMITED, "quotaExceeded")
    assert error.message == (
        "The daily quota of the organization's YouTube API project is used up; Harmonie tries again after midnight "
        "Pacific time, when it resets. Ask Google for more quota if this happens often."
    )
    assert error.retry_after == pytest.approx(http.seconds_until_pacific_midnight(), abs=2)


def test_contract_youtube_pacific_midnight_follows_daylight_saving():
    assert http.seconds_until_pacific_midnight(dt.datetime(2026, 11, 24, 7, 0, tzinfo=UTC)) == 3600  # 23:00 PST
    assert http.seconds_until_pacific_midnight(dt.datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == 3600  # 23:00 PDT


@pytest.mark.parametrize(
    ("status", "name", "kind", "code", "retry_after"),
    [
        (403, "error_rate.json", ErrorKind.RATE_LIMITED, "rateLimitExceeded", 60.0),
        (400, "error_upload_limit.json", ErrorKind.RATE_LIMITED, "uploadLimitExceeded", 86_400.0),
        (400, "error_invalid_title.json", ErrorKind.VALIDATION, "invalidTitle", None),
        (403, "error_forbidden.json", ErrorKind.AUTH_REVOKED, "insufficientPermissions", None),
        (401, "error_401.json", ErrorKind.AUTH_EXPIRED, "authError", None),
    ],
)
def test_contract_youtube_error_shapes_map_to_the_shared_kinds(
    respx_mock, connector, status, name, kind, code, retry_after
):
    respx_mock.post(UPLOAD).respond(status, json=payload(name))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, video_request())

    assert (caught.value.kind, caught.value.code, caught.value.retry_after) == (kind, code, retry_after)
    assert caught.value.outcome_unknown is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "YouTube needs a title: add one."),
        ({"media": []}, "A YouTube publication is one video file."),
        (
            {"options": {"privacy_status": "friends"}},
            "YouTube has no privacy status “friends”: choose public, unlisted or private.",
        ),
    ],
)
def test_contract_youtube_refuses_before_calling(respx_mock, connector, changes, message):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, video_request(**changes))

    assert (caught.value.kind, caught.value.message) == (ErrorKind.VALIDATION, message)
    assert len(respx_mock.calls) == 0


def test_contract_youtube_reconcile_looks_in_the_uploads_playlist(respx_mock, connector):
    channels = respx_mock.get(f"{DATA}/channels").respond(200, json=payload("channels_uploads.json"))
    items = respx_mock.get(f"{DATA}/playlistItems").respond(200, json=payload("playlist_items.json"))
    request = video_request(first_attempt_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC))

    answer = connector.reconcile(CREDS, request)

    assert answer.found == Found.PUBLISHED
    assert answer.result == PublishResult(
        remote_id="Xk3v9Ja2pLm",
        url="https://www.youtube.com/watch?v=Xk3v9Ja2pLm",
        published_at=dt.datetime(2026, 11, 24, 9, 31, 12, tzinfo=UTC),
    )
    assert dict(channels.calls.last.request.url.params) == {"part": "contentDetails", "mine": "true"}
    assert dict(items.calls.last.request.url.params) == {
        "part": "snippet",
        "playlistId": "UUv1r3oCyc1esLy0nFr4nce",
        "maxResults": "25",
    }
    later = video_request(first_attempt_at=dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert connector.reconcile(CREDS, later).found == Found.UNKNOWN


def test_contract_youtube_metrics_account_reply_delete_refresh(respx_mock, connector):
    stats = respx_mock.get(f"{DATA}/videos").respond(200, json=payload("videos_statistics.json"))
    respx_mock.get(f"{DATA}/channels").respond(200, json=payload("channels_mine.json"))
    thread = respx_mock.post(f"{DATA}/commentThreads").respond(200, json=payload("comment_thread.json"))
    delete = respx_mock.delete(f"{DATA}/videos").respond(204)
    token = respx_mock.post("https://oauth2.googleapis.com/token").respond(200, json=payload("token_refresh.json"))

    assert connector.read_metrics(CREDS, [RemoteRef("Xk3v9Ja2pLm"), RemoteRef("GoneVideo01")]) == {
        "Xk3v9Ja2pLm": PostMetrics(views=18420, likes=911, replies=57, saves=0)
    }
    assert dict(stats.calls.last.request.url.params) == {"part": "statistics", "id": "Xk3v9Ja2pLm,GoneVideo01"}
    assert connector.account_info(CREDS) == AccountInfo(
        account_id="UCv1r3oCyc1esLy0nFr4nce",
        handle="@vireocycles",
        display_name="Vireo Cycles",
        followers=48200,
        url="https://www.youtube.com/@vireocycles",
    )
    reply = connector.reply(
        CREDS, RemoteRef("Xk3v9Ja2pLm"), PublishRequest(text="Order links are in the description!", idempotency_key=KEY)
    )
    assert reply == PublishResult(
        remote_id="UgzX9aBcDeFgHiJkLmN4AaABAg", url="https://www.youtube.com/watch?v=Xk3v9Ja2pLm"
    )
    assert json.loads(thread.calls.last.request.content) == {
        "snippet": {
            "videoId": "Xk3v9Ja2pLm",
            "topLevelComment": {"snippet": {"textOriginal": "Order links are in the description!"}},
        }
    }
    connector.delete(CREDS, RemoteRef("Xk3v9Ja2pLm"))
    assert dict(delete.calls.last.request.url.params) == {"id": "Xk3v9Ja2pLm"}
    tokens = connector.refresh(CREDS)
    assert (tokens.access_token, tokens.refresh_token) == ("ya29.a0AfB_byC-yt-access-2", "")  # keep the stored one
    assert dict(httpx.QueryParams(token.calls.last.request.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": "yt-refresh-1",
        "client_id": "yt-client.apps.googleusercontent.com",
        "client_secret": "yt-secret",
    }
