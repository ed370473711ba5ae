"""Contract tests of the Mastodon connector against a loopback HTTP server that replays the payloads of
network-apis.md §2 (``payloads/mastodon``) and records what it was sent.

Mastodon.py speaks through ``requests``, which respx cannot intercept: the server here is a real one on
127.0.0.1, so the headers (Idempotency-Key, Authorization), the form fields and the multipart upload are the
ones that would reach an instance.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
from harmonie.connectors.mastodon import MastodonConnector
from harmonie.content.networks.limits import GIF, JPEG, MOV, MP4, PNG, WEBM, WEBP

PAYLOADS = Path(__file__).parent / "payloads" / "mastodon"
KEY = "5f0c3a9e2b7d4c61a8e9f1d2c3b4a596"
UTC = dt.UTC


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)

    def multipart(self) -> dict[str, tuple[str, bytes]]:
        """name -> (content type, bytes) of each part of a multipart/form-data body."""
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + self.body
        )
        parts: dict[str, tuple[str, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            parts[str(name)] = (part.get_content_type(), part.get_payload(decode=True))
        return parts


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Instance:
    """A Mastodon instance on loopback that answers from a script: for each (method, path) the queued replies
    in order, the last one repeated."""

    def __init__(self) -> None:
        self.script: dict[tuple[str, str], list[Reply]] = {}
        self.received: list[Received] = []
        instance = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                instance.received.append(
                    Received(
                        self.command,
                        url.path,
                        parse_qs(url.query),
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                queue = instance.script.get((self.command, url.path.rstrip("/")))
                reply = (
                    (queue.pop(0) if len(queue) > 1 else queue[0])
                    if queue
                    else Reply(404, {"error": "Record not found"})
                )
                if reply.delay:
                    time.sleep(reply.delay)
                data = json.dumps(reply.body).encode() if reply.body is not None else b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    return

        for verb in ("GET", "POST", "PUT", "DELETE"):
            setattr(Handler, f"do_{verb}", Handler._handle)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.script[(method, path)] = list(replies)

    def requests(self, method: str, path: str) -> list[Received]:
        return [r for r in self.received if (r.method, r.path.rstrip("/")) == (method, path)]


@pytest.fixture
def instance() -> Iterator[Instance]:
    server = Instance()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def connector() -> MastodonConnector:
    mastodon = MastodonConnector()
    mastodon.media_poll_seconds = 0.01
    return mastodon


def creds(instance: Instance) -> Credentials:
    return Credentials(
        network="mastodon",
        account_id="109302712947124596",
        handle="vireo@mastodon.social",
        access_token="mastodon-user-token",
        service_url=instance.url,
    )


def test_contract_mastodon_is_registered_with_its_capabilities():
    connector = registry.get("mastodon")
    assert isinstance(connector, MastodonConnector)
    assert connector.capabilities() == {
        Capability.PUBLISH,
        Capability.DELETE,
        Capability.METRICS,
        Capability.MENTIONS,
        Capability.REPLY,
        Capability.ACCOUNT,
    }
    assert (connector.budget.calls, connector.budget.seconds, connector.concurrency) == (30, 1800, 2)
    assert connector.limits is not None
    assert connector.limits.text_max == 500
    assert len(connector.new_key()) == 32
    assert connector.new_key() != connector.new_key()


def test_contract_mastodon_publish_text_sends_the_idempotency_key_and_the_form(instance, connector):
    instance.on("POST", "/api/v1/statuses", Reply(200, payload("status.json")))
    request = PublishRequest(
        text="Nouveau vélo urbain à Lyon",
        link="https://vireo.example/lyon",
        language="fr",
        idempotency_key=KEY,
        options={"visibility": "unlisted"},
    )

    result = connector.publish(creds(instance), request)

    assert result == PublishResult(
        remote_id="113592876411238745",
        url="https://mastodon.social/@vireo/113592876411238745",
        uri="https://mastodon.social/users/vireo/statuses/113592876411238745",
        published_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )
    [sent] = instance.received
    assert (sent.method, sent.path) == ("POST", "/api/v1/statuses")
    assert sent.headers["idempotency-key"] == KEY
    assert sent.headers["authorization"] == "Bearer mastodon-user-token"
    assert sent.form() == {
        "status": ["Nouveau vélo urbain à Lyon\n\nhttps://vireo.example/lyon"],
        "sensitive": ["0"],
        "visibility": ["unlisted"],
        "language": ["fr"],
    }


def test_contract_mastodon_image_is_uploaded_with_its_alt_text_then_attached(instance, connector):
    instance.on("POST", "/api/v2/media", Reply(200, payload("media_image.json")))
    instance.on("POST", "/api/v1/statuses", Reply(200, payload("status.json")))
    image = MediaItem(
        data=b"\xff\xd8\xff\xe0jpeg-bytes",
        mime_type="image/jpeg",
        filename="bike.jpg",
        alt_text="A red city bike leaning on a wall in Lyon",
    )

    result = connector.publish(creds(instance), PublishRequest(text="Nouveau vélo", idempotency_key=KEY, media=[image]))

    assert result.remote_id == "113592876411238745"
    upload, status = instance.received
    assert (upload.method, upload.path) == ("POST", "/api/v2/media")
    assert "idempotency-key" not in upload.headers
    parts = upload.multipart()
    assert parts["description"] == ("text/plain", b"A red city bike leaning on a wall in Lyon")
    assert parts["file"] == ("image/jpeg", b"\xff\xd8\xff\xe0jpeg-bytes")
    assert status.headers["idempotency-key"] == KEY
    assert status.form() == {"status": ["Nouveau vélo"], "media_ids[]": ["113592876300012345"], "sensitive": ["0"]}


def test_contract_mastodon_video_upload_202_is_polled_until_processed(instance, connector):
    instance.on("POST", "/api/v2/media", Reply(202, payload("media_202.json")))
    instance.on(
        "GET",
        "/api/v1/media/113592876300099999",
        Reply(206, payload("media_202.json")),
        Reply(200, payload("media_processed.json")),
    )
    instance.on("POST", "/api/v1/statuses", Reply(200, payload("status.json")))
    video = MediaItem(
        data=b"\x00\x00\x00\x18ftypmp42", mime_type="video/mp4", alt_text="Riding along the Rhône at sunset"
    )

    connector.publish(creds(instance), PublishRequest(text="", idempotency_key=KEY, media=[video]))

    assert [(r.method, r.path) for r in instance.received] == [
        ("POST", "/api/v2/media"),
        ("GET", "/api/v1/media/113592876300099999"),
        ("GET", "/api/v1/media/113592876300099999"),
        ("POST", "/api/v1/statuses"),
    ]
    assert instance.received[0].multipart()["description"] == (
        "text/plain",
        "Riding along the Rhône at sunset".encode(),
    )
    assert instance.received[-1].form()["media_ids[]"] == ["113592876300099999"]


def test_contract_mastodon_media_still_processing_after_the_polls_is_media_processing(instance, connector):
    instance.on("POST", "/api/v2/media", Reply(202, payload("media_202.json")))
    instance.on("GET", "/api/v1/media/113592876300099999", Reply(206, payload("media_202.json")))
    connector.media_poll_attempts = 3
    video = MediaItem(data=b"\x00\x00\x00\x18ftypmp42", mime_type="video/mp4")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(creds(instance), PublishRequest(text="Ride", idempotency_key=KEY, media=[video]))

    assert caught.value.kind == ErrorKind.MEDIA_PROCESSING
    assert len(instance.requests("GET", "/api/v1/media/113592876300099999")) == 3
    assert instance.requests("POST", "/api/v1/statuses") == []


@pytest.mark.parametrize(
    ("status", "name", "kind", "says"),
    [
        (401, "error_401.json", ErrorKind.AUTH_REVOKED, "The access token is invalid"),
        (422, "error_422.json", ErrorKind.VALIDATION, "Validation failed: Text can't be blank"),
        (422, "error_422_media.json", ErrorKind.MEDIA_PROCESSING, "have not finished processing"),
        (403, "error_401.json", ErrorKind.POLICY, "The access token is invalid"),
    ],
)
def test_contract_mastodon_error_shapes_map_to_the_shared_kinds(instance, connector, status, name, kind, says):
    instance.on("POST", "/api/v1/statuses", Reply(status, payload(name)))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(creds(instance), PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.kind == kind
    assert caught.value.http_status == status
    assert says in caught.value.message
    assert caught.value.outcome_unknown is False


def test_contract_mastodon_429_gives_the_wait_from_x_ratelimit_reset(instance, connector):
    reset = (dt.datetime.now(UTC) + dt.timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    instance.on("POST", "/api/v1/statuses", Reply(429, payload("error_429.json"), headers))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(creds(instance), PublishRequest(text="Hello", idempotency_key=KEY))

    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert caught.value.retryable
    assert caught.value.retry_after == pytest.approx(120, abs=2.5)  # the Date header has whole seconds
    assert len(instance.received) == 1  # thrown, not waited for


def test_contract_mastodon_5xx_on_a_post_leaves_the_outcome_unknown(instance, connector):
    instance.on("POST", "/api/v1/statuses", Reply(503, {"error": "Service Unavailable"}))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(creds(instance), PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)


def test_contract_mastodon_timeout_after_send_is_unknown_and_reconcile_republishes_with_the_same_key(
    instance, connector
):
    instance.on(
        "POST", "/api/v1/statuses", Reply(200, payload("status.json"), delay=1.5), Reply(200, payload("status.json"))
    )
    connector.request_timeout = 0.5
    request = PublishRequest(text="Hello Lyon", idempotency_key=KEY, first_attempt_at=dt.datetime.now(UTC))

    with pytest.raises(ConnectorError) as caught:
        connector.publish(creds(instance), request)
    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, True)

    answer = connector.reconcile(creds(instance), request)
    assert answer.found == Found.ABSENT
    assert "idempotency key" in answer.detail

    # The engine publishes again: the same key goes out, and the instance answers with the original status.
    assert connector.publish(creds(instance), request).remote_id == "113592876411238745"
    sent = instance.requests("POST", "/api/v1/statuses")
    assert [r.headers["idempotency-key"] for r in sent] == [KEY, KEY]


def test_contract_mastodon_reconcile_after_the_key_window_cannot_tell(instance, connector):
    late = PublishRequest(
        text="Hello", idempotency_key=KEY, first_attempt_at=dt.datetime.now(UTC) - dt.timedelta(minutes=56)
    )
    unknown_start = PublishRequest(text="Hello", idempotency_key=KEY)

    assert connector.reconcile(creds(instance), late).found == Found.UNKNOWN
    assert connector.reconcile(creds(instance), unknown_start).found == Found.UNKNOWN
    assert instance.received == []


def test_contract_mastodon_unreachable_instance_is_transient_and_certainly_not_sent(connector):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = Credentials(network="mastodon", access_token="t", service_url=f"http://127.0.0.1:{port}")

    with pytest.raises(ConnectorError) as caught:
        connector.publish(closed, PublishRequest(text="Hello", idempotency_key=KEY))

    assert (caught.value.kind, caught.value.outcome_unknown) == (ErrorKind.TRANSIENT, False)


def test_contract_mastodon_refuses_an_unknown_visibility_before_calling(instance, connector):
    with pytest.raises(ConnectorError) as caught:
        connector.publish(
            creds(instance), PublishRequest(text="Hi", idempotency_key=KEY, options={"visibility": "world"})
        )

    assert caught.value.kind == ErrorKind.VALIDATION
    assert caught.value.message == "Mastodon has no visibility “world”: choose public, unlisted, private or direct."
    assert instance.received == []


def test_contract_mastodon_instance_limits_come_from_the_instance_configuration(instance, connector):
    instance.on("GET", "/api/v2/instance", Reply(200, payload("instance_v2.json")))

    limits = connector.instance_limits(creds(instance))

    assert (limits.text_max, limits.max_images, limits.url_length, limits.alt_text_max) == (1000, 6, 23, 1500)
    assert (limits.image_max_bytes, limits.video_max_bytes, limits.image_max_pixels) == (
        16_777_216,
        103_809_024,
        33_177_600,
    )
    assert limits.image_types == {JPEG, PNG, GIF, WEBP}
    assert limits.video_types == {MP4, MOV, WEBM}
    assert limits.source.endswith(f"Media limits read from the configuration of {instance.url[7:]}.")
    assert "Text limit 1000 read from the instance configuration." in limits.source
    assert [(r.method, r.path) for r in instance.received] == [("GET", "/api/v2/instance/")]


def test_contract_mastodon_reply_names_the_status_replied_to(instance, connector):
    instance.on("POST", "/api/v1/statuses", Reply(200, payload("status_reply.json")))

    result = connector.reply(
        creds(instance),
        RemoteRef(remote_id="113592950000000777"),
        PublishRequest(
            text="@ana@fosstodon.org Thanks, it ships in March!",
            idempotency_key=KEY,
            options={"visibility": "unlisted"},
        ),
    )

    assert result.remote_id == "113592990000000001"
    assert instance.received[0].form() == {
        "status": ["@ana@fosstodon.org Thanks, it ships in March!"],
        "in_reply_to_id": ["113592950000000777"],
        "sensitive": ["0"],
        "visibility": ["unlisted"],
    }


def test_contract_mastodon_metrics_leave_out_statuses_gone(instance, connector):
    instance.on("GET", "/api/v1/statuses/113592876411238745", Reply(200, payload("status_counts.json")))
    instance.on("GET", "/api/v1/statuses/404404", Reply(404, {"error": "Record not found"}))

    metrics = connector.read_metrics(creds(instance), [RemoteRef("113592876411238745"), RemoteRef("404404")])

    assert metrics == {"113592876411238745": PostMetrics(likes=58, reposts=17, replies=4, quotes=2)}


def test_contract_mastodon_account_info_and_mentions(instance, connector):
    instance.on("GET", "/api/v1/accounts/verify_credentials", Reply(200, payload("verify_credentials.json")))
    instance.on("GET", "/api/v1/notifications", Reply(200, payload("notifications_mentions.json")))

    assert connector.account_info(creds(instance)) == AccountInfo(
        account_id="109302712947124596",
        handle="vireo",
        display_name="Vireo Cycles",
        followers=1204,
        url="https://mastodon.social/@vireo",
    )
    mentions = connector.read_mentions(creds(instance), since=dt.datetime(2026, 11, 22, tzinfo=UTC))

    assert mentions == [
        Mention(
            remote_id="113593100000000042",
            author_handle="ana@fosstodon.org",
            author_id="110000000000000042",
            text="@vireo When does it ship to Lyon & Grenoble?",
            created_at=dt.datetime(2026, 11, 24, 11, 15, 41, tzinfo=UTC),
            url="https://fosstodon.org/@ana/113593100000000042",
            uri="https://fosstodon.org/users/ana/statuses/113593100000000042",
            in_reply_to="113592876411238745",
        )
    ]
    [notifications] = instance.requests("GET", "/api/v1/notifications")
    assert notifications.query == {"types[]": ["mention"], "limit": ["80"]}


def test_contract_mastodon_delete_treats_an_already_deleted_status_as_done(instance, connector):
    instance.on("DELETE", "/api/v1/statuses/113592876411238745", Reply(200, payload("status.json")))
    instance.on("DELETE", "/api/v1/statuses/404404", Reply(404, {"error": "Record not found"}))
    instance.on("DELETE", "/api/v1/statuses/401401", Reply(401, payload("error_401.json")))

    connector.delete(creds(instance), RemoteRef("113592876411238745"))
    connector.delete(creds(instance), RemoteRef("404404"))
    with pytest.raises(ConnectorError) as caught:
        connector.delete(creds(instance), RemoteRef("401401"))

    assert caught.value.kind == ErrorKind.AUTH_REVOKED
    assert [r.path for r in instance.received] == [
        "/api/v1/statuses/113592876411238745",
        "/api/v1/statuses/404404",
        "/api/v1/statuses/401401",
    ]
