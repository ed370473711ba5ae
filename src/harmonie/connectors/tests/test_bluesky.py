"""The Bluesky connector end to end, against a real Bluesky network started by the test session on loopback
(``bluesky_pds``: PLC + PDS; ``bluesky_full``: + AppView). Nothing is mocked: every answer comes from Bluesky's
own server code, read back with plain XRPC calls."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import io
import json
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from harmonie.connectors import registry
from harmonie.connectors.base import (
    AccountInfo,
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
from harmonie.connectors.bluesky import BlueskyConnector
from harmonie.sandbox.bluesky import JWT_SECRET, LocalBluesky, create_record, list_records

POST = "app.bsky.feed.post"
connector = BlueskyConnector()


@dataclass(frozen=True)
class Account:
    did: str
    handle: str
    password: str
    app_password: str
    credentials: Credentials


def _account(network: LocalBluesky, handle: str) -> Account:
    """An account as a person connects it: an app password, then a session opened by the connector."""
    password = f"{handle}-main-password"
    did, handle = network.create_account(handle, password)
    app_password = network.create_app_password(handle, password, "Harmonie")
    bare = Credentials(network="bluesky", handle=handle, secret=app_password, service_url=network.pds_url)
    tokens = connector.refresh(bare)
    credentials = dataclasses.replace(
        bare, account_id=tokens.account_id, access_token=tokens.access_token, refresh_token=tokens.refresh_token
    )
    return Account(did, handle, password, app_password, credentials)


def _get_record(network: LocalBluesky, repo: str, rkey: str) -> httpx.Response:
    return httpx.get(
        f"{network.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": POST, "rkey": rkey},
        timeout=10,
    )


def _facets(record: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    """(byteStart, byteEnd, feature type, uri/did/tag) of each facet of a record as stored."""
    rows = []
    for facet in record.get("facets", []):
        for feature in facet["features"]:
            value = feature.get("uri") or feature.get("did") or feature.get("tag")
            rows.append((facet["index"]["byteStart"], facet["index"]["byteEnd"], feature["$type"], value))
    return rows


def _image(fmt: str, size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def _forged_token(token: str, **claims: Any) -> str:
    """The same access token with other claims, signed with the local PDS's own key (dev-env's JWT secret): the
    server's verifier then judges it for real (here: an expiry in the past)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header, payload, _signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) | claims
    signing_input = f"{header}.{b64(json.dumps(body).encode())}"
    signature = hmac.new(JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _eventually[T](read: Callable[[], T], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    """The AppView indexes writes a little later: read until ``done`` or the timeout, and return the last value."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.05)
        value = read()
    return value


# --- PDS mode ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pds(bluesky_pds: LocalBluesky) -> dict[str, Account]:
    return {name: _account(bluesky_pds, f"{name}.test") for name in ("conn-vireo", "conn-camille", "conn-dup")}


def test_registered_with_its_capabilities() -> None:
    bluesky = registry.get("bluesky")
    assert type(bluesky) is BlueskyConnector
    assert sorted(bluesky.capabilities()) == [
        "account", "delete", "mentions", "metrics", "publish", "refresh", "reply"
    ]  # fmt: skip
    assert (bluesky.auth, bluesky.limits.text_max, bluesky.limits.max_images) == ("app_password", 300, 4)  # type: ignore[union-attr]
    assert (bluesky.budget.calls, bluesky.budget.seconds) == (1666, 3600)


def test_publish_text_with_link_mention_and_hashtag_at_utf8_byte_offsets(
    bluesky_pds: LocalBluesky, pds: dict[str, Account]
) -> None:
    vireo, camille = pds["conn-vireo"], pds["conn-camille"]
    text = "Économie 🇫🇷 café ☕ — lisez https://vireo.example/fr/rapport?x=1. Merci @conn-camille.test et @personne.test #Développement"  # noqa: E501
    key = connector.new_key()

    result = connector.publish(vireo.credentials, PublishRequest(text=text, idempotency_key=key, language="fr-FR"))

    uri = f"at://{vireo.did}/{POST}/{key}"
    assert (result.remote_id, result.uri) == (key, uri)
    assert result.url == f"https://bsky.app/profile/conn-vireo.test/post/{key}"
    stored = _get_record(bluesky_pds, vireo.did, key).json()
    assert (stored["uri"], stored["cid"]) == (uri, result.cid)
    record = stored["value"]
    assert (record["text"], record["langs"]) == (text, ["fr-FR"])
    assert _facets(record) == [
        (39, 75, "app.bsky.richtext.facet#link", "https://vireo.example/fr/rapport?x=1"),
        (83, 101, "app.bsky.richtext.facet#mention", camille.did),  # @personne.test does not resolve: plain text
        (120, 135, "app.bsky.richtext.facet#tag", "Développement"),
    ]
    encoded = text.encode()
    assert [encoded[start:end].decode() for start, end, *_rest in _facets(record)] == [
        "https://vireo.example/fr/rapport?x=1", "@conn-camille.test", "#Développement"
    ]  # fmt: skip
    # A link and no image: a link card.
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert (record["embed"]["external"]["uri"], record["embed"]["external"]["title"]) == (
        "https://vireo.example/fr/rapport?x=1",
        "vireo.example",
    )


def test_images_with_alt_text_and_aspect_ratio(bluesky_pds: LocalBluesky, pds: dict[str, Account]) -> None:
    vireo = pds["conn-vireo"]
    png, jpeg = _image("PNG", (64, 48), (200, 30, 30)), _image("JPEG", (30, 90), (20, 120, 220))
    request = PublishRequest(
        text="Notre nouvelle usine https://vireo.example/usine",
        idempotency_key=connector.new_key(),
        link="https://vireo.example/usine",
        media=[
            MediaItem(data=png, mime_type="image/png", alt_text="Un carré rouge"),
            MediaItem(data=jpeg, mime_type="image/jpeg", alt_text="A tall blue bar", width=30, height=90),
        ],
    )

    result = connector.publish(vireo.credentials, request)

    embed = _get_record(bluesky_pds, vireo.did, result.remote_id).json()["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"  # images win over the link card
    ratio = "app.bsky.embed.defs#aspectRatio"
    assert [(i["alt"], i["image"]["mimeType"], i["image"]["size"], i["aspectRatio"]) for i in embed["images"]] == [
        ("Un carré rouge", "image/png", len(png), {"$type": ratio, "width": 64, "height": 48}),
        ("A tall blue bar", "image/jpeg", len(jpeg), {"$type": ratio, "width": 30, "height": 90}),
    ]
    blob = httpx.get(
        f"{bluesky_pds.pds_url}/xrpc/com.atproto.sync.getBlob",
        params={"did": vireo.did, "cid": embed["images"][0]["image"]["ref"]["$link"]},
        timeout=10,
    )
    assert blob.content == png


def _mp4() -> bytes:
    """The smallest MP4 the PDS recognises as video/mp4 (it sniffs the bytes): an ftyp box, then an empty mdat."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    return box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41") + box(b"mdat", bytes(64))


def test_a_video_with_alt_text(bluesky_pds: LocalBluesky, pds: dict[str, Account]) -> None:
    vireo, clip = pds["conn-vireo"], _mp4()
    video = MediaItem(data=clip, mime_type="video/mp4", alt_text="La ligne de montage", width=1920, height=1080)

    result = connector.publish(
        vireo.credentials, PublishRequest(text="En vidéo", idempotency_key=connector.new_key(), media=[video])
    )

    embed = _get_record(bluesky_pds, vireo.did, result.remote_id).json()["value"]["embed"]
    assert (embed["$type"], embed["alt"], embed["video"]["mimeType"], embed["video"]["size"]) == (
        "app.bsky.embed.video",
        "La ligne de montage",
        "video/mp4",
        len(clip),
    )
    assert (embed["aspectRatio"]["width"], embed["aspectRatio"]["height"]) == (1920, 1080)


def test_too_much_media_is_refused_before_any_upload(bluesky_pds: LocalBluesky, pds: dict[str, Account]) -> None:
    vireo = pds["conn-vireo"]
    png = MediaItem(data=_image("PNG", (8, 8), (0, 0, 0)), mime_type="image/png", alt_text="dot")
    video = MediaItem(data=_mp4(), mime_type="video/mp4")
    for media in ([png] * 5, [png, video]):
        key = connector.new_key()
        with pytest.raises(ConnectorError) as refused:
            connector.publish(vireo.credentials, PublishRequest(text="Trop", idempotency_key=key, media=media))
        assert (refused.value.kind, refused.value.message) == (
            ErrorKind.VALIDATION,
            "A Bluesky post holds up to 4 images or one video, not both: remove some media.",
        )
        assert _get_record(bluesky_pds, vireo.did, key).status_code == 400


def test_reply_points_at_its_parent_and_the_thread_root(bluesky_pds: LocalBluesky, pds: dict[str, Account]) -> None:
    vireo, camille = pds["conn-vireo"], pds["conn-camille"]
    root = connector.publish(vireo.credentials, PublishRequest(text="Question ?", idempotency_key=connector.new_key()))
    first = connector.reply(
        camille.credentials,
        RemoteRef(root.remote_id, uri=root.uri, cid=root.cid),
        PublishRequest(text="Réponse", idempotency_key=connector.new_key()),
    )
    second = connector.reply(
        vireo.credentials,
        RemoteRef(first.remote_id, uri=first.uri),  # no CID: the connector reads it
        PublishRequest(text="Merci !", idempotency_key=connector.new_key()),
    )

    reply = _get_record(bluesky_pds, vireo.did, second.remote_id).json()["value"]["reply"]
    assert (reply["root"]["uri"], reply["root"]["cid"]) == (root.uri, root.cid)
    assert (reply["parent"]["uri"], reply["parent"]["cid"]) == (first.uri, first.cid)
    assert first.uri.startswith(f"at://{camille.did}/")


def test_delete_removes_the_record(bluesky_pds: LocalBluesky, pds: dict[str, Account]) -> None:
    vireo = pds["conn-vireo"]
    request = PublishRequest(text="Bientôt supprimé", idempotency_key=connector.new_key())
    result = connector.publish(vireo.credentials, request)
    assert _get_record(bluesky_pds, vireo.did, result.remote_id).status_code == 200

    connector.delete(vireo.credentials, RemoteRef(result.remote_id, uri=result.uri))

    gone = _get_record(bluesky_pds, vireo.did, result.remote_id)
    assert (gone.status_code, gone.json()["error"]) == (400, "RecordNotFound")
    assert connector.reconcile(vireo.credentials, request).found is Found.ABSENT


def test_same_key_twice_makes_no_duplicate_and_reconcile_finds_the_post(
    bluesky_pds: LocalBluesky, pds: dict[str, Account]
) -> None:
    dup = pds["conn-dup"]
    request = PublishRequest(text="Une seule fois", idempotency_key=connector.new_key())
    first = connector.publish(dup.credentials, request)

    with pytest.raises(ConnectorError) as again:
        connector.publish(dup.credentials, request)

    assert (again.value.kind, again.value.outcome_unknown, again.value.http_status) == (ErrorKind.TRANSIENT, True, 500)
    found = connector.reconcile(dup.credentials, request)
    assert found.found is Found.PUBLISHED
    assert found.result == PublishResult(
        remote_id=first.remote_id, url=first.url, uri=first.uri, cid=first.cid, published_at=first.published_at
    )
    assert [r["uri"] for r in list_records(bluesky_pds.pds_url, dup.did)] == [first.uri]


def test_reconcile_a_key_never_used_is_absent(pds: dict[str, Account]) -> None:
    request = PublishRequest(text="", idempotency_key=connector.new_key())
    found = connector.reconcile(pds["conn-vireo"].credentials, request)
    assert (found.found, found.result) == (Found.ABSENT, None)
    assert found.detail == f"Bluesky has no post with the key {request.idempotency_key}: it was not published."


def test_expired_and_invalid_tokens_ask_for_a_refresh(pds: dict[str, Account]) -> None:
    credentials = pds["conn-vireo"].credentials
    now = int(time.time())
    expired = dataclasses.replace(credentials, access_token=_forged_token(credentials.access_token, exp=now - 60))
    garbage = dataclasses.replace(credentials, access_token="not-a-token")
    request = PublishRequest(text="Jamais publié", idempotency_key=connector.new_key())

    with pytest.raises(ConnectorError) as late:
        connector.publish(expired, request)
    with pytest.raises(ConnectorError) as bad:
        connector.publish(garbage, request)

    assert (late.value.kind, late.value.code, late.value.http_status) == (ErrorKind.AUTH_EXPIRED, "ExpiredToken", 400)
    assert (bad.value.kind, bad.value.code, bad.value.http_status) == (ErrorKind.AUTH_EXPIRED, "InvalidToken", 400)
    assert (late.value.outcome_unknown, bad.value.outcome_unknown) == (False, False)
    assert connector.reconcile(credentials, request).found is Found.ABSENT


def test_refresh_rotates_the_session(pds: dict[str, Account]) -> None:
    credentials = pds["conn-camille"].credentials
    before = time.time()

    tokens = connector.refresh(credentials)

    assert tokens.account_id == pds["conn-camille"].did
    assert tokens.access_token not in {"", credentials.access_token}
    assert tokens.refresh_token not in {"", credentials.refresh_token}
    assert tokens.expires_at is not None
    assert before + 7200 - 5 <= tokens.expires_at.timestamp() <= time.time() + 7200  # 2-hour access tokens
    renewed = dataclasses.replace(credentials, access_token=tokens.access_token, refresh_token=tokens.refresh_token)
    posted = connector.publish(renewed, PublishRequest(text="Nouvelle session", idempotency_key=connector.new_key()))
    assert posted.uri.startswith(f"at://{pds['conn-camille'].did}/")


def test_refused_refresh_token_falls_back_to_the_app_password(pds: dict[str, Account]) -> None:
    credentials = dataclasses.replace(pds["conn-vireo"].credentials, refresh_token="not-a-token")
    tokens = connector.refresh(credentials)
    assert tokens.account_id == pds["conn-vireo"].did
    assert tokens.refresh_token != ""


def test_refused_refresh_token_without_an_app_password_needs_a_person(pds: dict[str, Account]) -> None:
    credentials = dataclasses.replace(pds["conn-vireo"].credentials, refresh_token="not-a-token", secret="")
    with pytest.raises(ConnectorError) as refused:
        connector.refresh(credentials)
    assert (refused.value.kind, refused.value.code, refused.value.http_status) == (
        ErrorKind.AUTH_REVOKED,
        "InvalidToken",
        400,
    )


def test_revoked_app_password_is_auth_revoked(bluesky_pds: LocalBluesky) -> None:
    account = _account(bluesky_pds, "conn-revoked.test")
    main = bluesky_pds.create_session(account.handle, account.password)
    revoked = httpx.post(
        f"{bluesky_pds.pds_url}/xrpc/com.atproto.server.revokeAppPassword",
        json={"name": "Harmonie"},
        headers={"Authorization": f"Bearer {main['accessJwt']}"},
        timeout=10,
    )
    assert revoked.status_code == 200

    with pytest.raises(ConnectorError) as refused:
        connector.refresh(account.credentials)

    assert (refused.value.kind, refused.value.code, refused.value.http_status) == (
        ErrorKind.AUTH_REVOKED,
        "AuthenticationRequired",
        401,
    )
    assert "create a new app password" in refused.value.message


def test_text_too_long_and_blob_too_big(pds: dict[str, Account]) -> None:
    credentials = pds["conn-vireo"].credentials
    with pytest.raises(ConnectorError) as long_text:
        connector.publish(credentials, PublishRequest(text="é" * 301, idempotency_key=connector.new_key()))
    noise = Image.frombytes("RGB", (1000, 1000), bytes(range(256)) * 11718 + bytes(192))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)  # about 3 MB: over Bluesky's 2,000,000-byte image limit
    big = MediaItem(data=buffer.getvalue(), mime_type="image/png", alt_text="noise")
    with pytest.raises(ConnectorError) as too_big:
        connector.publish(credentials, PublishRequest(text="", idempotency_key=connector.new_key(), media=[big]))

    assert (long_text.value.kind, long_text.value.code, long_text.value.outcome_unknown) == (
        ErrorKind.VALIDATION,
        "InvalidRequest",
        False,
    )
    assert "grapheme too big (maximum 300, got 301)" in long_text.value.message
    assert (too_big.value.kind, too_big.value.http_status) == (ErrorKind.MEDIA_PROCESSING, 400)
    assert f"blob too big (maximum 2000000, got {len(buffer.getvalue())})" in too_big.value.message


# --- full mode (AppView) ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full(bluesky_full: LocalBluesky) -> dict[str, Account]:
    return {name: _account(bluesky_full, f"{name}.test") for name in ("full-vireo", "full-lea")}


def test_metrics_count_a_like_a_repost_and_a_reply(bluesky_full: LocalBluesky, full: dict[str, Account]) -> None:
    vireo, lea = full["full-vireo"], full["full-lea"]
    post = connector.publish(
        vireo.credentials, PublishRequest(text="Comptez-nous", idempotency_key=connector.new_key())
    )
    other = connector.publish(vireo.credentials, PublishRequest(text="Sans écho", idempotency_key=connector.new_key()))
    session = bluesky_full.create_session(lea.handle, lea.password)
    subject = {"uri": post.uri, "cid": post.cid}
    now = "2026-11-24T06:00:00.000Z"
    create_record(bluesky_full.pds_url, session, "app.bsky.feed.like", {"subject": subject, "createdAt": now})
    create_record(bluesky_full.pds_url, session, "app.bsky.feed.repost", {"subject": subject, "createdAt": now})
    connector.reply(
        lea.credentials,
        RemoteRef(post.remote_id, uri=post.uri, cid=post.cid),
        PublishRequest(text="Bravo", idempotency_key=connector.new_key()),
    )
    refs = [RemoteRef(post.remote_id, uri=post.uri), RemoteRef(other.remote_id), RemoteRef("3zzzzzzzzzzzz")]

    metrics = _eventually(
        lambda: connector.read_metrics(vireo.credentials, refs),
        lambda m: m.get(post.remote_id) == PostMetrics(likes=1, reposts=1, replies=1, quotes=0),
    )

    assert metrics == {
        post.remote_id: PostMetrics(likes=1, reposts=1, replies=1, quotes=0),
        other.remote_id: PostMetrics(likes=0, reposts=0, replies=0, quotes=0),
    }  # a post the network does not have is left out


def test_account_info_counts_a_follower(bluesky_full: LocalBluesky, full: dict[str, Account]) -> None:
    vireo, lea = full["full-vireo"], full["full-lea"]
    session = bluesky_full.create_session(lea.handle, lea.password)
    follow = {"subject": vireo.did, "createdAt": "2026-11-24T06:00:00.000Z"}
    create_record(bluesky_full.pds_url, session, "app.bsky.graph.follow", follow)

    info = _eventually(lambda: connector.account_info(vireo.credentials), lambda i: i.followers == 1)

    assert info == AccountInfo(
        account_id=vireo.did,
        handle="full-vireo.test",
        display_name="",
        followers=1,
        url="https://bsky.app/profile/full-vireo.test",
    )


def test_read_mentions_sees_a_mention(full: dict[str, Account]) -> None:
    vireo, lea = full["full-vireo"], full["full-lea"]
    said = connector.publish(
        lea.credentials,
        PublishRequest(text="Allô @full-vireo.test, une question", idempotency_key=connector.new_key()),
    )

    mentions = _eventually(
        lambda: connector.read_mentions(vireo.credentials), lambda found: any(m.uri == said.uri for m in found)
    )

    mention = next(m for m in mentions if m.uri == said.uri)
    assert (mention.remote_id, mention.author_handle, mention.author_id, mention.text, mention.cid) == (
        said.remote_id,
        "full-lea.test",
        lea.did,
        "Allô @full-vireo.test, une question",
        said.cid,
    )
    assert (mention.created_at, mention.in_reply_to) == (said.published_at, "")
    assert mention.url == f"https://bsky.app/profile/full-lea.test/post/{said.remote_id}"
    assert said.uri not in {m.uri for m in connector.read_mentions(vireo.credentials, since=mention.created_at)}


def test_appview_reads_fail_cleanly_without_an_appview(pds: dict[str, Account]) -> None:
    with pytest.raises(ConnectorError) as no_appview:
        connector.account_info(pds["conn-vireo"].credentials)
    assert (no_appview.value.kind, no_appview.value.http_status, no_appview.value.outcome_unknown) == (
        ErrorKind.TRANSIENT,
        502,
        False,
    )
