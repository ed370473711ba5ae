"""Contract tests of the Facebook Pages connector on the recorded payloads of network-apis.md §6–§7
(``payloads/facebook``)."""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
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
from harmonie.connectors.meta import FacebookConnector

PAYLOADS = Path(__file__).parent / "payloads" / "facebook"
GRAPH = "https://graph.facebook.com/v23.0"
PAGE = "104729018374651"
POST = f"{PAGE}_122134567890123456"
CREDS = Credentials(network="facebook", account_id=PAGE, handle="vireocycles", access_token="page-token")
KEY = "3c2b1a09-8f7e-4d6c-5b4a-392817160504"
UTC = dt.UTC


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def form(request: httpx.Request) -> dict[str, str]:
    return dict(httpx.QueryParams(request.content.decode()))


def multipart(request: httpx.Request) -> dict[str, tuple[str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
    )
    return {
        str(part.get_param("name", header="content-disposition")): (
            part.get_content_type(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


@pytest.fixture
def connector() -> FacebookConnector:
    return FacebookConnector()


def test_contract_facebook_is_registered_with_its_capabilities():
    connector = registry.get("facebook")
    assert isinstance(connector, FacebookConnector)
    assert connector.capabilities() == {
        Capability.PUBLISH,
        Capability.DELETE,
        Capability.METRICS,
        Capability.MENTIONS,
        Capability.REPLY,
        Capability.ACCOUNT,
    }  # Page tokens do not expire: no refresh (§7.1)


def test_contract_facebook_publish_text_and_link_on_the_feed(respx_mock, connector):
    route = respx_mock.post(f"{GRAPH}/{PAGE}/feed").respond(200, json=payload("feed_created.json"))

    result = connector.publish(
        CREDS, PublishRequest(text="Nouveau vélo urbain à Lyon", link="https://vireo.example/lyon", idempotency_key=KEY)
    )

    assert result == PublishResult(remote_id=POST, url=f"https://www.facebook.com/{PAGE}/posts/122134567890123456")
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer page-token"
    assert form(sent) == {"message": "Nouveau vélo urbain à Lyon", "link": "https://vireo.example/lyon"}


def test_contract_facebook_one_photo_with_alt_text(respx_mock, connector):
    route = respx_mock.post(f"{GRAPH}/{PAGE}/photos").respond(200, json=payload("photo_created.json"))
    photo = MediaItem(data=b"\xff\xd8jpeg", mime_type="image/jpeg", filename="bike.jpg", alt_text="A red bike")

    result = connector.publish(
        CREDS, PublishRequest(text="Vélo", link="https://vireo.example", idempotency_key=KEY, media=[photo])
    )

    assert result == PublishResult(
        remote_id=POST, url=f"https://www.facebook.com/{PAGE}/posts/122134567890123456", uri="122134567890999001"
    )
    assert multipart(route.calls.last.request) == {
        "message": ("text/plain", "Vélo\n\nhttps://vireo.example".encode()),
        "published": ("text/plain", b"true"),
        "alt_text_custom": ("text/plain", b"A red bike"),
        "source": ("image/jpeg", b"\xff\xd8jpeg"),
    }


def test_contract_facebook_several_photos_are_attached_to_one_feed_post(respx_mock, connector):
    photos = respx_mock.post(f"{GRAPH}/{PAGE}/photos").mock(
        side_effect=[
            httpx.Response(200, json=payload("photo_unpublished.json")),
            httpx.Response(200, json={"id": "122134567890999003"}),
        ]
    )
    feed = respx_mock.post(f"{GRAPH}/{PAGE}/feed").respond(200, json=payload("feed_created.json"))
    images = [MediaItem(data=b"one", mime_type="image/jpeg"), MediaItem(data=b"two", mime_type="image/png")]

    connector.publish(CREDS, PublishRequest(text="Deux vues", idempotency_key=KEY, media=images))

    assert [multipart(c.request)["published"] for c in photos.calls] == [("text/plain", b"false")] * 2
    assert form(feed.calls.last.request) == {
        "message": "Deux vues",
        "attached_media[0]": '{"media_fbid": "122134567890999002"}',
        "attached_media[1]": '{"media_fbid": "122134567890999003"}',
    }


def test_contract_facebook_video_goes_to_the_videos_edge(respx_mock, connector):
    route = respx_mock.post(f"{GRAPH}/{PAGE}/videos").respond(200, json=payload("video_created.json"))
    video = MediaItem(data=b"mp4", mime_type="video/mp4", filename="ride.mp4")

    result = connector.publish(CREDS, PublishRequest(text="Ride", title="Lyon", idempotency_key=KEY, media=[video]))

    assert result == PublishResult(
        remote_id="1290387465019283", url=f"https://www.facebook.com/{PAGE}/videos/1290387465019283/"
    )
    assert multipart(route.calls.last.request) == {
        "description": ("text/plain", b"Ride"),
        "title": ("text/plain", b"Lyon"),
        "source": ("video/mp4", b"mp4"),
    }


@pytest.mark.parametrize(
    ("status", "name", "kind", "code", "unknown"),
    [
        (401, "error_190_expired.json", ErrorKind.AUTH_EXPIRED, "190/463", False),
        (401, "error_190_password.json", ErrorKind.AUTH_REVOKED, "190/460", False),
        (403, "error_permission.json", ErrorKind.AUTH_REVOKED, "200", False),
        (400, "error_policy.json", ErrorKind.POLICY, "368/1390008", False),
        (400, "error_duplicate.json", ErrorKind.DUPLICATE, "506/1455006", False),
        (500, "error_transient.json", ErrorKind.TRANSIENT, "2", True),
        (400, "error_invalid_parameter.json", ErrorKind.VALIDATION, "100/1349125", False),
    ],
)
def test_contract_facebook_graph_errors_map_to_the_shared_kinds(
    respx_mock, connector, status, name, kind, code, unknown
):
    respx_mock.post(f"{GRAPH}/{PAGE}/feed").respond(status, json=payload(name))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code, caught.value.outcome_unknown) == (kind, code, unknown)


def test_contract_facebook_duplicate_message_shows_the_networks_words(respx_mock, connector):
    respx_mock.post(f"{GRAPH}/{PAGE}/feed").respond(400, json=payload("error_duplicate.json"))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.message == (
        "Facebook refuses this post as a duplicate of the page's last post. Facebook said: “This status update is "
        "identical to the last one you posted. Try posting something different, or delete your previous update.”"
    )


def test_contract_facebook_page_rate_limit_waits_as_the_business_use_case_header_says(respx_mock, connector):
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 18,
                "estimated_time_to_regain_access": 12,
            }
        ]
    }
    headers = {"X-Business-Use-Case-Usage": json.dumps(usage), "X-App-Usage": '{"call_count":7,"total_cputime":1}'}
    respx_mock.post(f"{GRAPH}/{PAGE}/feed").respond(400, json=payload("error_rate_page.json"), headers=headers)

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code, caught.value.retry_after) == (ErrorKind.RATE_LIMITED, "32", 720.0)


def test_contract_facebook_app_rate_limit_without_an_estimate_waits_the_hourly_window(respx_mock, connector):
    headers = {"X-App-Usage": '{"call_count":100,"total_cputime":25,"total_time":25}'}
    respx_mock.post(f"{GRAPH}/{PAGE}/feed").respond(
        400,
        json={"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}},
        headers=headers,
    )

    with pytest.raises(ConnectorError) as caught:
        connector.publish(CREDS, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.code, caught.value.retry_after) == (ErrorKind.RATE_LIMITED, "4", 3600.0)


def test_contract_facebook_timeout_after_send_then_reconcile_finds_the_post_after_the_first_attempt(
    respx_mock, connector
):
    respx_mock.post(f"{GRAPH}/{PAGE}/feed").mock(side_effect=httpx.ReadTimeout("timed out"))
    posts = respx_mock.get(f"{GRAPH}/{PAGE}/posts").respond(200, json=payload("posts.json"))
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
        remote_id=POST,
        url=f"https://www.facebook.com/{PAGE}/posts/122134567890123456",
        published_at=dt.datetime(2026, 11, 24, 9, 30, 2, tzinfo=UTC),
    )
    assert dict(posts.calls.last.request.url.params) == {
        "fields": "id,message,created_time,permalink_url",
        "limit": "25",
        "since": str(int(dt.datetime(2026, 11, 24, 9, 28, tzinfo=UTC).timestamp())),
    }


def test_contract_facebook_reconcile_cannot_tell_when_the_post_is_not_listed(respx_mock, connector):
    respx_mock.get(f"{GRAPH}/{PAGE}/posts").respond(200, json=payload("posts.json"))
    # The only identical message is older than the first attempt: another post, not ours.
    request = PublishRequest(
        text="Nouveau vélo urbain à Lyon",
        link="https://vireo.example/lyon",
        idempotency_key=KEY,
        first_attempt_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    )

    assert connector.reconcile(CREDS, request).found == Found.UNKNOWN


def test_contract_facebook_metrics_account_mentions_reply_delete(respx_mock, connector):
    metrics_route = respx_mock.get(f"{GRAPH}/").respond(200, json=payload("metrics.json"))
    respx_mock.get(f"{GRAPH}/{PAGE}").respond(200, json=payload("page.json"))
    respx_mock.get(f"{GRAPH}/{PAGE}/tagged").respond(200, json=payload("tagged.json"))
    comment = respx_mock.post(f"{GRAPH}/{POST}/comments").respond(200, json=payload("comment_created.json"))
    delete = respx_mock.delete(f"{GRAPH}/{POST}").respond(200, json={"success": True})
    second = f"{PAGE}_122134567890777777"

    assert connector.read_metrics(CREDS, [RemoteRef(POST), RemoteRef(second)]) == {
        POST: PostMetrics(likes=143, replies=12, reposts=7),
        second: PostMetrics(likes=5, replies=0, reposts=0),
    }
    assert dict(metrics_route.calls.last.request.url.params) == {
        "ids": f"{POST},{second}",
        "fields": "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)",
    }
    assert connector.account_info(CREDS) == AccountInfo(
        account_id=PAGE,
        handle="vireocycles",
        display_name="Vireo Cycles",
        followers=12840,
        url="https://www.facebook.com/vireocycles",
    )
    assert connector.read_mentions(CREDS) == [
        Mention(
            remote_id="100044455566677_987654321012345",
            author_handle="Ana Lopez",
            author_id="100044455566677",
            text="Just picked up my new bike from Vireo Cycles!",
            created_at=dt.datetime(2026, 11, 24, 11, 15, 41, tzinfo=UTC),
            url="https://www.facebook.com/100044455566677/posts/987654321012345",
        )
    ]
    reply = connector.reply(CREDS, RemoteRef(POST), PublishRequest(text="Merci !", idempotency_key=KEY))
    assert reply == PublishResult(remote_id="122134567890123456_1029384756")
    assert form(comment.calls.last.request) == {"message": "Merci !"}
    connector.delete(CREDS, RemoteRef(POST))
    assert delete.call_count == 1


def test_contract_facebook_delete_of_a_post_already_gone_is_done(respx_mock, connector):
    gone = {
        "error": {
            "message": "Unsupported delete request. Object with ID '104729018374651_1' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
            "fbtrace_id": "M1a2B3c4",
        }
    }
    respx_mock.delete(f"{GRAPH}/{PAGE}_1").respond(400, json=gone)
    respx_mock.delete(f"{GRAPH}/{PAGE}_2").respond(401, json=payload("error_190_password.json"))

    connector.delete(CREDS, RemoteRef(f"{PAGE}_1"))
    with pytest.raises(ConnectorError) as caught:
        connector.delete(CREDS, RemoteRef(f"{PAGE}_2"))

    assert caught.value.kind == ErrorKind.AUTH_REVOKED
