"""A post's first comment on a real Bluesky network on loopback (Bluesky's own PLC and PDS, started by the test
session: ``bluesky_pds``), read back from the PDS with ``com.atproto.repo.listRecords``: a reply record under its own
client-chosen record key, whose parent and root are the post, exactly once — also when the answer to the reply is
lost, and when the worker dies right after making it and another worker takes over.

The worker runs in the test's thread (SQLite or PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from harmonie.connectors import registry
from harmonie.connectors.base import ConnectorError, Credentials, ErrorKind, PublishRequest, PublishResult, RemoteRef
from harmonie.connectors.bluesky import BlueskyConnector
from harmonie.connectors.services import connection_connect_app_password
from harmonie.content.models import Post
from harmonie.governance.models import Channel
from harmonie.publishing.models import Publication
from harmonie.publishing.testing.setup import due_posts
from harmonie.sandbox.bluesky import LocalBluesky, list_records

COMMENT = "Toutes les infos : vireo.example/lyon #vireo"


@pytest.fixture
def bluesky_channel(bluesky_pds: LocalBluesky, persona, market, settings) -> Channel:
    """A demo channel on the local PDS: a fresh account, connected with an app password as a person would."""
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True
    handle = f"comment-{uuid.uuid4().hex[:8]}.test"
    password = f"{handle}-password"
    _did, handle = bluesky_pds.create_account(handle, password)
    app_password = bluesky_pds.create_app_password(handle, password, "Harmonie")
    channel = Channel.objects.create(
        organization=persona("hq_admin").organization, network="bluesky", handle=handle, display_name="Bluesky FR",
        owner_market=market("FR"), timezone="Europe/Paris",
    )  # fmt: skip
    connection_connect_app_password(actor=persona("hq_admin"), channel=channel, handle=handle,
                                    app_password=app_password, service_url=bluesky_pds.pds_url)  # fmt: skip
    return channel


def _post(channel: Channel, text: str) -> Post:
    post = due_posts(channel=channel, count=1, at=timezone.now() - dt.timedelta(seconds=1), text=text)[0]
    Post.objects.filter(pk=post.pk).update(first_comment=COMMENT)
    return post


def _records(network: LocalBluesky, channel: Channel) -> dict[str, dict[str, Any]]:
    return {r["uri"].rsplit("/", 1)[1]: r for r in list_records(network.pds_url, channel.handle, limit=100)}


def _replies_once(network: LocalBluesky, channel: Channel, pub: Publication) -> dict[str, Any]:
    """The post's record and its one reply, checked on the PDS; returns the reply record."""
    on_pds = _records(network, channel)
    post_record, reply_record = on_pds[pub.idempotency_key], on_pds[pub.comment_key]
    replies = [r for r in on_pds.values() if r["value"].get("reply", {}).get("parent", {}).get("uri") == pub.remote_uri]
    assert replies == [reply_record]  # one reply to this post, none twice
    assert reply_record["value"]["text"] == COMMENT
    strong_ref = {"$type": "com.atproto.repo.strongRef", "uri": post_record["uri"], "cid": post_record["cid"]}
    assert reply_record["value"]["reply"]["parent"] == strong_ref  # a reply to the post…
    assert reply_record["value"]["reply"]["root"] == strong_ref  # …which starts the thread
    assert "reply" not in post_record["value"]
    assert (pub.comment_status, pub.comment_remote_uri, pub.comment_remote_id) == (
        "published", reply_record["uri"], pub.comment_key,
    )  # fmt: skip
    return reply_record


def _kinds(pub: Publication) -> list[tuple[str, str]]:
    return [(a.kind, a.outcome) for a in pub.attempts.order_by("number")]


def _patch(monkeypatch: pytest.MonkeyPatch, after: Callable[[], None]) -> list[str]:
    """The Bluesky connector's ``reply``, wrapped: the real call to the PDS, then, the first time, ``after`` (which
    raises). Returns the record keys it was called with."""
    real = BlueskyConnector.reply
    calls: list[str] = []

    def reply(connector: BlueskyConnector, credentials: Credentials, to: RemoteRef,
              request: PublishRequest) -> PublishResult:  # fmt: skip
        calls.append(request.idempotency_key)
        result = real(connector, credentials, to, request)
        if len(calls) == 1:
            after()
        return result

    monkeypatch.setattr(BlueskyConnector, "reply", reply)
    return calls


def test_the_first_comment_is_a_reply_record_under_its_own_key(bluesky_pds, bluesky_channel, work):
    assert isinstance(registry.get("bluesky"), BlueskyConnector)
    post = _post(bluesky_channel, "Nouvelle usine à Lyon")
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status) == ("published", "published")
    assert pub.comment_key != pub.idempotency_key
    reply = _replies_once(bluesky_pds, bluesky_channel, pub)
    assert pub.comment_url == f"https://bsky.app/profile/{bluesky_channel.handle}/post/{pub.comment_key}"
    assert reply["uri"].endswith(f"/app.bsky.feed.post/{pub.comment_key}")
    assert _kinds(pub) == [("publish", "published"), ("comment", "published")]
    assert set(_records(bluesky_pds, bluesky_channel)) == {pub.idempotency_key, pub.comment_key}


def test_a_lost_answer_to_the_reply_is_reconciled_on_the_pds_and_never_sent_twice(
    bluesky_pds, bluesky_channel, work, monkeypatch
):
    def lose() -> None:
        raise ConnectorError(ErrorKind.TRANSIENT, "The answer was lost.", outcome_unknown=True)

    calls = _patch(monkeypatch, lose)
    post = _post(bluesky_channel, "Portes ouvertes à Lyon")
    work()
    pub = Publication.objects.get(post=post)
    assert calls == [pub.comment_key]  # the reply was made once; the engine asked the PDS for its key, not again
    assert _kinds(pub) == [("publish", "published"), ("comment", "unknown"), ("comment_check", "found")]
    _replies_once(bluesky_pds, bluesky_channel, pub)


def test_a_worker_killed_after_its_reply_is_taken_over_and_the_reply_stays_single(
    bluesky_pds, bluesky_channel, work, monkeypatch
):
    class Killed(BaseException):
        """kill -9 right after the reply reached the PDS, before its outcome was written."""

    def die() -> None:
        raise Killed

    _patch(monkeypatch, die)
    post = _post(bluesky_channel, "Visite de l'usine")
    with pytest.raises(Killed):
        work()
    monkeypatch.undo()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status, pub.comment_must_reconcile) == ("published", "sending", True)
    # Its worker was another process, gone: its lease runs out, the next worker takes the comment over.
    Publication.objects.filter(pk=pub.pk).update(claimed_by="dead-host:1:1",
                                                 lease_until=timezone.now() - dt.timedelta(seconds=1))  # fmt: skip
    work()
    pub.refresh_from_db()
    assert _kinds(pub) == [("publish", "published"), ("comment", "lost"), ("comment_check", "found")]
    assert pub.claimed_by == ""
    _replies_once(bluesky_pds, bluesky_channel, pub)
    post.refresh_from_db()
    assert post.status == "published"
