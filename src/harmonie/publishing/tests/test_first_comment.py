"""A post's first comment, published as a reply once the post is out, against the loopback sink (a real HTTP server
on 127.0.0.1 with scripted faults): its own key and attempts, reconciled before it is sent again, retried, and never
a reason to send the post again or to call it failed. The Bluesky version (real reply records on a local Bluesky
network) is in ``test_first_comment_bluesky.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from harmonie.connectors import registry
from harmonie.content.models import Post
from harmonie.content.networks.limits import limits_for
from harmonie.core.errors import ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.publishing import services
from harmonie.publishing.models import Publication
from harmonie.publishing.testing.setup import due_posts
from harmonie.publishing.testing.sink import Fault, SinkConnector

ACCOUNT = "vireo-fr-sink"
COMMENT = "Plus d'infos sur vireo.example/lyon"


def _post_with_comment(channel, text: str = "Nouvelle usine à Lyon") -> Post:
    post = due_posts(channel=channel, count=1, at=timezone.now() - dt.timedelta(seconds=1), text=text)[0]
    Post.objects.filter(pk=post.pk).update(first_comment=COMMENT)
    return post


def _attempts(pub: Publication) -> list[tuple[str, str, str]]:
    return [(a.kind, a.outcome, a.error_kind) for a in pub.attempts.order_by("number")]


def _status(post: Post) -> str:
    post.refresh_from_db()
    return post.status


def test_the_first_comment_is_a_reply_with_its_own_key_after_the_post(fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    worker = work()
    pub = Publication.objects.get(post=post)
    by_key = {p.key: p for p in sink.posts(ACCOUNT)}
    assert set(by_key) == {pub.idempotency_key, pub.comment_key}  # two posts, each under its own key
    assert pub.comment_key != pub.idempotency_key
    main, reply = by_key[pub.idempotency_key], by_key[pub.comment_key]
    assert (main.text, main.reply_to) == ("Nouvelle usine à Lyon", "")
    assert (reply.text, reply.reply_to) == (COMMENT, main.id)
    assert (pub.status, pub.remote_id, pub.claimed_by, pub.lease_until) == ("published", main.id, "", None)
    assert (pub.comment_status, pub.comment_remote_id, pub.comment_url, pub.comment_error) == (
        "published", reply.id, reply.url, "",
    )  # fmt: skip
    assert _attempts(pub) == [("publish", "published", ""), ("comment", "published", "")]
    assert _status(post) == "published"
    assert sink.state.writes == {(ACCOUNT, pub.idempotency_key): 1, (ACCOUNT, pub.comment_key): 1}
    assert worker.outcomes == {"published": 1}


def test_a_post_without_first_comment_makes_no_reply(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.comment_key, pub.comment_status, len(sink.posts(ACCOUNT))) == ("", "", 1)


def test_a_refused_first_comment_leaves_the_post_published_and_says_why_then_a_person_sends_it_again(
    persona, fr_sink, sink, work
):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("validation", message="Reply text too long."))  # the post, the reply
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.last_error, _status(post)) == ("published", "", "published")
    assert (pub.comment_status, pub.comment_error) == ("failed", "First comment failed: Reply text too long.")
    assert (pub.claimed_by, pub.lease_until) == ("", None)
    assert _attempts(pub) == [("publish", "published", ""), ("comment", "failed", "validation")]
    work()  # nobody sends a failed first comment again on their own
    assert len(sink.posts(ACCOUNT)) == 1

    camille = persona("fr_community_manager")
    services.publication_comment_retry(actor=camille, publication=pub)
    pub.refresh_from_db()
    assert (pub.comment_status, pub.claimed_by) == ("pending", "")
    entry = AuditEntry.objects.get(action="publication.comment_retry", target_id=str(pub.pk))
    assert (entry.before["comment_status"], entry.after) == ("failed", {"comment_status": "pending"})
    work()
    pub.refresh_from_db()
    assert (pub.status, pub.comment_status, pub.comment_error) == ("published", "published", "")
    assert _attempts(pub) == [("publish", "published", ""), ("comment", "failed", "validation"),
                              ("comment", "published", "")]  # fmt: skip
    # The post went out once; its first comment once.
    assert sink.state.writes == {(ACCOUNT, pub.idempotency_key): 1, (ACCOUNT, pub.comment_key): 1}
    assert _status(post) == "published"


def test_only_a_failed_or_unconfirmed_first_comment_can_be_sent_again(persona, fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    work()
    pub = Publication.objects.get(post=post)
    with pytest.raises(ValidationFailed) as exc:
        services.publication_comment_retry(actor=persona("fr_community_manager"), publication=pub)
    assert exc.value.message == (
        "Only a first comment that failed or is unconfirmed can be sent again; this one is published."
    )


def test_a_first_comment_stored_then_500_is_found_by_reconciling_and_never_sent_twice(fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("error_after_store"))
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "published", ""), ("comment", "unknown", "transient"),
                              ("comment_check", "found", "")]  # fmt: skip
    assert (pub.comment_status, pub.comment_must_reconcile) == ("published", False)
    assert sink.state.writes == {(ACCOUNT, pub.idempotency_key): 1, (ACCOUNT, pub.comment_key): 1}
    assert sink.replayed() == {}


def test_a_first_comment_the_network_cannot_confirm_is_unconfirmed_and_the_post_stays_published(fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("error_after_store"))
    sink.reconcile_next(ACCOUNT, "unknown")
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, _status(post), pub.comment_status) == ("published", "published", "unconfirmed")
    assert pub.comment_error == (
        "First comment unconfirmed: the network did not say whether it went out (The sink cannot tell.). Check the "
        "post, then send the comment again if it is not there."
    )


def test_a_rate_limited_first_comment_waits_then_a_claim_sends_it_alone(fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("rate_limited", retry_after=60, message="Slow down"))
    before = timezone.now()
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status, pub.comment_error) == (
        "published", "retry_wait", "First comment waiting to retry: Slow down",
    )  # fmt: skip
    assert before + dt.timedelta(seconds=60) <= pub.comment_next_attempt_at <= timezone.now() + dt.timedelta(seconds=67)
    assert services.next_due() == pub.comment_next_attempt_at
    Publication.objects.filter(pk=pub.pk).update(comment_next_attempt_at=timezone.now())
    work()
    pub.refresh_from_db()
    assert (pub.comment_status, pub.claimed_by) == ("published", "")
    assert _attempts(pub) == [("publish", "published", ""), ("comment", "retry", "rate_limited"),
                              ("comment", "published", "")]  # fmt: skip
    assert sink.state.writes == {(ACCOUNT, pub.idempotency_key): 1, (ACCOUNT, pub.comment_key): 1}


def test_a_worker_lost_during_the_first_comment_is_reconciled_by_the_next_one(fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("drop_after_store"))
    real = services.sending.CommentRun.after_error

    class Killed(BaseException):
        """The worker dies right after its reply reached the network (kill -9)."""

    def die(self, attempt, exc, request):  # type: ignore[no-untyped-def]
        raise Killed

    services.sending.CommentRun.after_error = die  # type: ignore[method-assign]
    try:
        with pytest.raises(Killed):
            work()
    finally:
        services.sending.CommentRun.after_error = real  # type: ignore[method-assign]
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status, pub.comment_must_reconcile) == ("published", "sending", True)
    assert pub.claimed_by != ""
    # That worker was another process (the next worker here would otherwise have the same name: host, pid, second).
    Publication.objects.filter(pk=pub.pk).update(claimed_by="dead-host:9:1")
    work()  # its lease has not run out: nobody touches it
    assert Publication.objects.get(pk=pub.pk).comment_status == "sending"
    Publication.objects.filter(pk=pub.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    work()
    pub.refresh_from_db()
    assert _attempts(pub) == [("publish", "published", ""), ("comment", "lost", ""), ("comment_check", "found", "")]
    assert (pub.comment_status, pub.claimed_by) == ("published", "")
    assert sink.state.writes == {(ACCOUNT, pub.idempotency_key): 1, (ACCOUNT, pub.comment_key): 1}
    assert sink.replayed() == {}


class NoCommentSink(SinkConnector):
    limits = limits_for("pinterest")  # a network whose API has no way to comment


@pytest.fixture
def no_comment_network() -> Iterator[None]:
    registry.register(NoCommentSink)
    yield
    registry.register(SinkConnector)


def test_a_network_without_first_comments_publishes_the_post_and_says_to_add_it_by_hand(
    fr_sink, sink, work, no_comment_network
):
    post = _post_with_comment(fr_sink)
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, _status(post), pub.comment_key) == ("published", "published", "")
    assert (pub.comment_status, pub.comment_error) == (
        "failed", "First comment failed: Loopback sink (tests) has no first comment Harmonie can publish: add it "
        "by hand.",
    )  # fmt: skip
    assert len(sink.posts(ACCOUNT)) == 1


def test_confirming_a_post_by_hand_says_its_first_comment_must_be_added_by_hand(persona, fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("error_after_store"))
    sink.reconcile_next(ACCOUNT, "unknown")
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status) == ("unconfirmed", "")
    services.publication_confirm(actor=persona("fr_community_manager"), publication=pub, url="https://sink.invalid/1")
    pub.refresh_from_db()
    assert (pub.status, pub.comment_status) == ("published", "failed")
    assert pub.comment_error.startswith("First comment not published: the post was confirmed by hand")


def test_a_first_comment_due_on_a_network_that_lost_its_connector_fails_and_the_worker_goes_on(fr_sink, sink, work):
    post = _post_with_comment(fr_sink)
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("rate_limited", retry_after=60, message="Slow down"))
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status) == ("published", "retry_wait")
    Publication.objects.filter(pk=pub.pk).update(comment_next_attempt_at=timezone.now())
    registry.unregister(SinkConnector.network)  # the module is gone from the install
    try:
        work()
    finally:
        registry.register(SinkConnector)
    pub.refresh_from_db()
    assert (pub.status, pub.comment_status, pub.claimed_by, pub.lease_until) == ("published", "failed", "", None)
    assert pub.comment_error == (
        "First comment failed: Harmonie cannot publish to sink any more: publish this post by hand."
    )
    assert _status(post) == "published"
