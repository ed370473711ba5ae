"""Worker processes publishing to a real Bluesky network on loopback (Bluesky's own PLC directory and PDS, started by
the test session: ``bluesky_pds``), counted on the PDS itself with ``com.atproto.repo.listRecords``:

* three workers, 200 due posts on two accounts: every post is on the PDS exactly once;
* one worker killed with SIGKILL at random moments during a 200-post run and restarted: no record twice, none
  missing; each post ends published, or unconfirmed and then reconciled.

PostgreSQL only (the workers share the test database). Set ``HARMONIE_BLUESKY_PORT_BASE`` to keep off the ports of
another session's network.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import timezone

from harmonie.connectors.services import connection_connect_app_password
from harmonie.content.models import Post
from harmonie.governance.models import Channel
from harmonie.publishing import services
from harmonie.publishing.models import AttemptOutcome, Publication, PublicationAttempt
from harmonie.publishing.testing.processes import Workers, wait_final
from harmonie.publishing.testing.setup import due_posts
from harmonie.sandbox.bluesky import LocalBluesky

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in {"postgres", "postgresql", "pgsql"},
        reason="worker processes share the test database only on PostgreSQL (set DATABASE_URL=postgres://…)",
    ),
]
POST = "app.bsky.feed.post"


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(**kwargs: Any) -> Workers:
        made.append(Workers(tmp_path, **kwargs))
        return made[-1]

    yield make
    for group in made:
        group.kill_all()


@pytest.fixture
def bluesky_channels(bluesky_pds: LocalBluesky, persona, market, settings) -> Callable[[int], list[Channel]]:
    """``n`` demo channels on the local PDS, each a fresh account connected with an app password through the
    connections service, as a person would."""
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True

    def make(n: int) -> list[Channel]:
        channels = []
        for i, code in zip(range(n), ["FR", "DE", "US", "BR"], strict=False):
            handle = f"pub{i}-{uuid.uuid4().hex[:8]}.test"
            password = f"{handle}-password"
            _did, handle = bluesky_pds.create_account(handle, password)
            app_password = bluesky_pds.create_app_password(handle, password, "Harmonie")
            channel = Channel.objects.create(
                organization=persona("hq_admin").organization, network="bluesky", handle=handle,
                display_name=f"Bluesky {code}", owner_market=market(code), timezone=market(code).timezone,
            )  # fmt: skip
            connection_connect_app_password(actor=persona("hq_admin"), channel=channel, handle=handle,
                                            app_password=app_password, service_url=bluesky_pds.pds_url)  # fmt: skip
            channels.append(channel)
        return channels

    return make


def records(pds_url: str, repo: str) -> dict[str, dict[str, Any]]:
    """Every post record of the account on the PDS, by record key (listRecords, page by page)."""
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params = {"repo": repo, "collection": POST, "limit": 100} | ({"cursor": cursor} if cursor else {})
        answer = httpx.get(f"{pds_url}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        for record in body["records"]:
            rkey = record["uri"].rsplit("/", 1)[1]
            assert rkey not in found
            found[rkey] = record
        cursor = body.get("cursor")
        if not body["records"] or not cursor:
            return found


def on_the_pds_exactly_once(network: LocalBluesky, channels: list[Channel], posts: list[Post]) -> None:
    pubs = list(Publication.objects.filter(post__in=posts).select_related("post"))
    assert len(pubs) == len(posts)
    assert {p.status for p in pubs} == {"published"}
    for channel in channels:
        on_pds = records(network.pds_url, channel.handle)
        mine = [p for p in pubs if p.channel_id == channel.pk]
        assert len(on_pds) == len(mine)  # as many records as posts: none twice, none missing
        assert set(on_pds) == {p.idempotency_key for p in mine}  # each under its publication's record key
        assert {on_pds[p.idempotency_key]["value"]["text"] for p in mine} == {p.post.text for p in mine}
        assert {p.remote_uri for p in mine} == {r["uri"] for r in on_pds.values()}


def test_three_workers_publish_200_posts_to_bluesky_exactly_once(bluesky_pds, bluesky_channels, workers):
    channels = bluesky_channels(2)
    group = workers(lease=10)
    for _n in range(3):
        group.start()
    group.wait_live(3)
    at = timezone.now()
    posts = [p for ch in channels for p in due_posts(channel=ch, count=100, at=at, text=f"{ch.handle} post {{n}}")]
    assert wait_final(posts, 240, group) == {"published": 200}, group.output()
    assert group.stop() == [0, 0, 0]
    on_the_pds_exactly_once(bluesky_pds, channels, posts)
    workers_used = set(PublicationAttempt.objects.filter(publication__post__in=posts).values_list("worker", flat=True))
    assert len(workers_used) == 3


def test_a_worker_killed_at_random_moments_never_duplicates_on_bluesky(bluesky_pds, bluesky_channels, workers, persona):
    rng = random.Random(os.environ.get("HARMONIE_FAULT_SEED", "7"))  # noqa: S311 - test randomness
    channels = bluesky_channels(2)
    group = workers(lease=1.5)
    posts = [p for ch in channels for p in due_posts(channel=ch, count=100, at=timezone.now(),
                                                     text=f"{ch.handle} post {{n}}")]  # fmt: skip
    ids = [p.pk for p in posts]
    proc, kills = group.start(), 0
    while kills < 5:
        before = Post.objects.filter(pk__in=ids, status="published").count()
        deadline = time.monotonic() + 90
        while Post.objects.filter(pk__in=ids, status="published").count() < before + 10:
            assert time.monotonic() < deadline, group.output()
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        if Post.objects.filter(pk__in=ids, status="published").count() > 170:
            break
        proc = group.start()
    if proc.poll() is not None:
        group.start()
    outcome = wait_final(posts, 240, group)
    # Unconfirmed ones (the PDS could not say) are reconciled: publishing again with the same record key.
    unconfirmed = list(Publication.objects.filter(post__in=posts, status="unconfirmed"))
    for pub in unconfirmed:
        services.publication_publish_again(actor=persona("hq_admin"), publication=pub)
    if unconfirmed:
        outcome = wait_final(posts, 120, group)
    assert outcome == {"published": 200}, group.output()
    group.stop()
    on_the_pds_exactly_once(bluesky_pds, channels, posts)
    assert kills >= 3
    lost = PublicationAttempt.objects.filter(publication__post__in=posts, outcome=AttemptOutcome.LOST)
    assert lost.exists(), "no kill landed during a call"
    for attempt in lost:
        following = attempt.publication.attempts.filter(number=attempt.number + 1).first()
        assert following is not None
        assert following.kind == "reconcile"
