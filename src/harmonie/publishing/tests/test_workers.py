"""Workers as real processes (``harmonie worker``) on the test database, publishing to the loopback sink: three
workers at once, a worker killed with SIGKILL at random moments and restarted, a worker stopped with SIGTERM.

PostgreSQL only: the processes must share the test database, which on SQLite lives in the test process's memory.
(CI runs the suite on PostgreSQL too.) The Bluesky versions of the first two are in ``test_bluesky_workers.py``.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from harmonie.content.models import Post
from harmonie.governance.models import Channel
from harmonie.publishing.models import AttemptOutcome, Publication, PublicationAttempt, WorkerHeartbeat
from harmonie.publishing.testing.processes import Workers, wait_final
from harmonie.publishing.testing.setup import due_posts
from harmonie.publishing.testing.sink import SinkServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in {"postgres", "postgresql", "pgsql"},
        reason="worker processes share the test database only on PostgreSQL (set DATABASE_URL=postgres://…)",
    ),
]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(**kwargs: float) -> Workers:
        made.append(Workers(tmp_path, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for group in made:
        group.kill_all()


def published_exactly_once(sink: SinkServer, channels: list[Channel], posts: list[Post]) -> None:
    """Every post is on the sink once, under its publication's key, and the database says where."""
    pubs = list(Publication.objects.filter(post__in=posts))
    assert len(pubs) == len(posts)
    assert {p.status for p in pubs} == {"published"}
    writes = sink.state.writes
    assert set(writes.values()) == {1}  # no key was ever written twice…
    assert sink.replayed() == {}  # …nor even sent again once written
    for channel in channels:
        on_sink = {p.key: p.id for p in sink.posts(channel.handle)}
        in_db = {p.idempotency_key: p.remote_id for p in pubs if p.channel_id == channel.pk}
        assert on_sink == in_db


def test_three_workers_publish_200_posts_exactly_once(sink_for, sink, workers):
    channels = [sink_for("FR", "fr-one"), sink_for("DE", "de-two")]
    group = workers()
    for _n in range(3):
        group.start()
    group.wait_live(3)
    sink.delay = 0.01
    posts = [p for ch in channels for p in due_posts(channel=ch, count=100, at=timezone.now())]
    assert wait_final(posts, 120, group) == {"published": 200}
    assert group.stop() == [0, 0, 0]
    published_exactly_once(sink, channels, posts)
    attempts = PublicationAttempt.objects.filter(publication__post__in=posts)
    assert attempts.count() == 200  # one call each: no worker ever called for a post another one had
    assert len(set(attempts.values_list("worker", flat=True))) == 3  # and all three worked
    # 12 sending threads in all, at most 8 calls in flight per account (SinkConnector.concurrency), across workers
    assert max(sink.state.max_in_flight.values()) <= 8


def test_a_worker_killed_at_random_moments_loses_nothing_and_duplicates_nothing(sink_for, sink, workers):
    rng = random.Random(os.environ.get("HARMONIE_FAULT_SEED", "6"))  # noqa: S311 - test randomness
    channels = [sink_for("FR", "fr-one"), sink_for("DE", "de-two")]
    group = workers(lease=1.5)
    sink.delay = 0.03
    posts = [p for ch in channels for p in due_posts(channel=ch, count=100, at=timezone.now())]
    ids = [p.pk for p in posts]
    kills = 0
    proc = group.start()
    while kills < 5:
        done_before = Post.objects.filter(pk__in=ids, status="published").count()
        deadline = time.monotonic() + 60
        while Post.objects.filter(pk__in=ids, status="published").count() < done_before + 10:
            assert time.monotonic() < deadline, group.output()
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.4))  # a random moment while it works
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        if Post.objects.filter(pk__in=ids, status="published").count() > 170:
            break
        proc = group.start()
    if proc.poll() is not None:
        group.start()
    assert wait_final(posts, 180, group) == {"published": 200}
    group.stop()
    published_exactly_once(sink, channels, posts)
    lost = PublicationAttempt.objects.filter(publication__post__in=posts, outcome=AttemptOutcome.LOST)
    assert kills >= 3
    assert lost.exists(), "no kill landed during a call"
    # Each call a killed worker left unfinished was followed by a reconciliation before anything else.
    for attempt in lost:
        following = attempt.publication.attempts.filter(number=attempt.number + 1).first()
        assert following is not None
        assert following.kind == "reconcile"


def test_sigterm_finishes_the_calls_in_flight_and_gives_back_the_rest(fr_sink, sink, workers):
    group = workers(threads=2)
    proc = group.start()
    group.wait_live(1)
    sink.delay = 0.5
    posts = due_posts(channel=fr_sink, count=10, at=timezone.now())
    deadline = time.monotonic() + 30
    while not Publication.objects.filter(post__in=posts, status="sending").exists():
        assert time.monotonic() < deadline, group.output()
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    statuses = Counter(Publication.objects.filter(post__in=posts).values_list("status", flat=True))
    assert statuses["sending"] == 0  # the calls in flight were finished…
    assert statuses["published"] >= 1
    released = Publication.objects.filter(post__in=posts, status="claimed")
    assert all(p.lease_until is not None and p.lease_until <= timezone.now() for p in released)  # …the rest given back
    assert not PublicationAttempt.objects.filter(publication__post__in=posts, outcome=AttemptOutcome.LOST).exists()
    assert WorkerHeartbeat.objects.get(pid=proc.pid).stopped_at is not None
    sink.delay = 0
    group.start()
    assert wait_final(posts, 60, group) == {"published": 10}
    group.stop()
    assert (len(sink.posts(fr_sink.handle)), sink.replayed()) == (10, {})
