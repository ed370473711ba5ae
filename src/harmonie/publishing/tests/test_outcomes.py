"""What the engine does with each answer of the network, driven over HTTP by the loopback sink's scripted faults:
unknown outcomes are reconciled (found, absent, cannot tell), retryable errors wait (honouring Retry-After),
expired tokens are refreshed, revoked ones put the channel in *needs attention*, refusals fail with the network's
message."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from harmonie.connectors.models import ChannelConnection
from harmonie.core.models import AuditEntry
from harmonie.publishing import services
from harmonie.publishing.models import Publication, Throttle
from harmonie.publishing.policy import Policy
from harmonie.publishing.testing.setup import due_posts
from harmonie.publishing.testing.sink import Fault, SinkConnector

ACCOUNT = "vireo-fr-sink"


def _past(seconds: float = 1) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def _attempts(pub: Publication) -> list[tuple[str, str, str, int | None]]:
    return [(a.kind, a.outcome, a.error_kind, a.http_status) for a in pub.attempts.order_by("number")]


def _post_status(pub: Publication) -> tuple[str, str]:
    pub.post.refresh_from_db()
    return pub.post.status, pub.post.status_note


# --- outcome unknown: reconcile first ---------------------------------------------------------------------


def test_stored_then_500_is_found_by_the_reconciliation_and_never_sent_twice(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("error_after_store"))
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "unknown", "transient", 500), ("reconcile", "found", "", None)]
    (stored,) = sink.posts(ACCOUNT)
    assert (pub.status, pub.remote_id, pub.must_reconcile) == ("published", stored.id, False)
    assert sink.state.writes == {(ACCOUNT, pub.idempotency_key): 1}
    assert sink.replayed() == {}
    assert _post_status(pub) == ("published", "")


def test_a_dropped_connection_after_storing_is_found_too(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("drop_after_store"))
    work()
    pub = Publication.objects.get(post=post)
    assert [(k, o) for k, o, _e, _h in _attempts(pub)] == [("publish", "unknown"), ("reconcile", "found")]
    assert (pub.status, len(sink.posts(ACCOUNT)), sink.replayed()) == ("published", 1, {})


def test_500_before_storing_is_absent_then_published_again_with_the_same_key(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("error_before_store"))
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [
        ("publish", "unknown", "transient", 500),
        ("reconcile", "absent", "", None),
        ("publish", "published", "", None),
    ]
    (stored,) = sink.posts(ACCOUNT)
    assert (pub.status, stored.key, sink.replayed()) == ("published", pub.idempotency_key, {})


def test_when_the_network_cannot_tell_the_post_is_unconfirmed_then_a_person_confirms_it(persona, fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("error_after_store"))
    sink.reconcile_next(ACCOUNT, "unknown")
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "unknown", "transient", 500), ("reconcile", "undetermined", "", None)]
    note = (
        "Unconfirmed: the network did not say whether the post went out (The sink cannot tell.). Check the channel, "
        "then confirm it with its address or publish it again."
    )
    assert (pub.status, pub.last_error) == ("unconfirmed", note)
    assert _post_status(pub) == ("unconfirmed", note)
    work()  # nobody sends an unconfirmed publication again on their own
    assert (Publication.objects.get(pk=pub.pk).attempt_count, len(sink.posts(ACCOUNT))) == (2, 1)

    camille = persona("fr_community_manager")
    services.publication_confirm(actor=camille, publication=pub, url="https://sink.invalid/x/1")
    pub.refresh_from_db()
    assert (pub.status, pub.remote_url, pub.confirmed_by) == ("published", "https://sink.invalid/x/1", camille.user)
    assert _post_status(pub) == ("published", "Confirmed published by Camille Durand: https://sink.invalid/x/1")
    entry = AuditEntry.objects.get(action="publication.confirm", target_id=str(pub.pk))
    assert (entry.before, entry.after) == (
        {"status": "unconfirmed", "remote_url": ""},
        {"status": "published", "remote_url": "https://sink.invalid/x/1"},
    )


def test_publish_again_after_unconfirmed_uses_the_same_key_and_the_network_recognises_it(persona, fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("error_after_store"))
    sink.reconcile_next(ACCOUNT, "unknown")
    work()
    pub = Publication.objects.get(post=post)
    services.publication_publish_again(actor=persona("fr_community_manager"), publication=pub)
    pub.refresh_from_db()
    assert (pub.status, _post_status(pub)[0]) == ("pending", "scheduled")
    work()
    pub.refresh_from_db()
    assert (pub.status, pub.attempt_count) == ("published", 3)
    assert (len(sink.posts(ACCOUNT)), sink.replayed()) == (1, {(ACCOUNT, pub.idempotency_key): 1})
    assert Publication.objects.filter(post=post).count() == 1


def test_a_worker_killed_after_recording_its_attempt_is_reconciled_by_the_next_one(fr_sink, sink, work, policy):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    short = Policy(**{**policy.__dict__, "lease_seconds": 0.2})
    claimed = services.publications_claim(worker_id="dead-host:1:1", limit=5, policy=short).claimed
    pub = Publication.objects.get(pk=claimed[0])  # the claim committed the publication and its first attempt…
    assert (pub.status, pub.must_reconcile, pub.claimed_by) == ("sending", True, "dead-host:1:1")
    assert list(pub.attempts.values_list("kind", "worker", "finished_at")) == [("publish", "dead-host:1:1", None)]
    sink.store(ACCOUNT, pub.idempotency_key, {"text": post.text})  # …then the call reached the sink, and the worker
    # died (kill -9) before it could write the outcome.
    work()  # its lease has not run out: nobody touches it
    assert Publication.objects.get(pk=pub.pk).claimed_by == "dead-host:1:1"
    Publication.objects.filter(pk=pub.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    work()
    pub.refresh_from_db()
    assert _attempts(pub) == [("publish", "lost", "", None), ("reconcile", "found", "", None)]
    assert pub.attempts.get(number=1).message == "The worker dead-host:1:1 stopped during the call."
    assert (pub.status, len(sink.posts(ACCOUNT)), sink.replayed()) == ("published", 1, {})


def test_a_worker_killed_before_its_call_left_is_reconciled_absent_then_published(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    claimed = services.publications_claim(worker_id="dead-host:2:1", limit=5).claimed  # the attempt is recorded…
    # …and the worker died before its call left (its lease runs out).
    Publication.objects.filter(pk=claimed[0]).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    work()
    pub = Publication.objects.get(post=post)
    assert [(k, o) for k, o, _e, _h in _attempts(pub)] == [
        ("publish", "lost"),
        ("reconcile", "absent"),
        ("publish", "published"),
    ]
    assert (pub.status, len(sink.posts(ACCOUNT))) == ("published", 1)


def test_where_reconciling_is_not_exact_the_attempt_is_recorded_at_the_call_so_a_killed_worker_leaves_no_doubt(
    fr_sink, sink, work, monkeypatch
):
    # A network that cannot say "certainly absent" (Facebook, Instagram, LinkedIn, X…): a post claimed by a worker
    # killed before its call must be sent by the next one, not turned *unconfirmed* by a reconciliation.
    monkeypatch.setattr(SinkConnector, "exact_reconcile", False)
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    claimed = services.publications_claim(worker_id="dead-host:4:1", limit=5).claimed
    pub = Publication.objects.get(pk=claimed[0])
    assert (pub.status, pub.must_reconcile, pub.attempt_count, pub.attempts.count()) == ("claimed", False, 0, 0)
    Publication.objects.filter(pk=pub.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))  # killed
    work()
    pub.refresh_from_db()
    assert (_attempts(pub), pub.status, pub.attempt_count) == ([("publish", "published", "", None)], "published", 1)
    assert (len(sink.posts(ACCOUNT)), sink.state.writes) == (1, {(ACCOUNT, pub.idempotency_key): 1})
    post.refresh_from_db()
    assert post.status == "published"


def test_a_claim_never_started_is_taken_over_without_reconciling(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    claimed = services.publications_claim(worker_id="gone:3:1", limit=5).claimed
    assert services.claims_release(worker_id="gone:3:1", publication_ids=claimed) == 1
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.claimed_by, pub.must_reconcile) == ("claimed", "", False)
    work()
    pub.refresh_from_db()
    assert pub.attempts.get(number=1).message == "The worker gone:3:1 stopped before making this call."
    assert (_attempts(pub), pub.status) == (
        [("publish", "not_sent", "", None), ("publish", "published", "", None)], "published",
    )  # fmt: skip


# --- retryable errors ---------------------------------------------------------------------------------------


def test_rate_limited_waits_as_long_as_the_network_says_and_pauses_the_account(fr_sink, sink, work):
    first, second = due_posts(channel=fr_sink, count=2, at=timezone.now())
    sink.fail_next(ACCOUNT, Fault("rate_limited", retry_after=120, message="Rate Limit Exceeded"))
    before = timezone.now()
    work()
    pub = Publication.objects.get(post=first)
    assert _attempts(pub) == [("publish", "retry", "rate_limited", 429)]
    assert (pub.status, pub.last_error_kind, pub.last_error) == ("retry_wait", "rate_limited", "Rate Limit Exceeded")
    assert before + dt.timedelta(seconds=120) <= pub.next_attempt_at <= timezone.now() + dt.timedelta(seconds=132)
    blocked = Throttle.objects.get(scope=f"channel:{fr_sink.pk}").blocked_until
    assert blocked == pub.next_attempt_at
    assert _post_status(pub)[0] == "publishing"
    second.refresh_from_db()  # the account waits: the second post was not sent into the limit
    assert (second.status, sink.state.calls["publish"]) == ("scheduled", 1)

    Publication.objects.filter(pk=pub.pk).update(next_attempt_at=timezone.now())
    Throttle.objects.filter(scope=f"channel:{fr_sink.pk}").update(blocked_until=timezone.now())
    work()
    pub.refresh_from_db()
    assert (pub.status, [o for _k, o, _e, _h in _attempts(pub)]) == ("published", ["retry", "published"])
    second.refresh_from_db()
    assert second.status == "published"


def test_transient_errors_back_off_exponentially_then_fail_with_the_reason(fr_sink, sink, work, policy):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, *[Fault("unavailable", message="Service Unavailable")] * 4)
    waits = []
    for _n in range(4):
        before = timezone.now()
        work()
        pub = Publication.objects.get(post=post)
        if pub.status == "retry_wait":
            waits.append((pub.next_attempt_at - before).total_seconds())
            Publication.objects.filter(pk=pub.pk).update(next_attempt_at=timezone.now())
    assert len(waits) == 3
    # backoff_seconds=10: attempt n waits between 10·2^(n-1)/2 and 10·2^(n-1) seconds ("equal jitter").
    for n, wait in enumerate(waits, start=1):
        assert 10 * 2 ** (n - 1) / 2 <= wait <= 10 * 2 ** (n - 1) + 1
    assert _attempts(pub) == [("publish", "retry", "transient", 503)] * 3 + [("publish", "failed", "transient", 503)]
    note = "Not published after 4 attempts: Service Unavailable"
    assert (pub.status, pub.last_error) == ("failed", note)
    assert _post_status(pub) == ("failed", note)
    assert sink.posts() == []


# --- tokens -------------------------------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_by_the_connections_service_then_the_post_goes_out(sink_for, sink, work):
    channel = sink_for("FR", ACCOUNT, access_token="old-token", refresh_token="refresh-1")
    sink.set_account(ACCOUNT, access_token="current-token", refresh_token="refresh-1")
    post = due_posts(channel=channel, count=1, at=timezone.now())[0]
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "retry", "auth_expired", 401), ("publish", "published", "", None)]
    assert (pub.status, sink.state.calls["refresh"]) == ("published", 1)
    connection = ChannelConnection.objects.get(channel=channel)
    assert (connection.status, connection.token_version) == ("connected", 2)  # 1 when connected, 2 once refreshed
    assert AuditEntry.objects.filter(action="connection.refresh", target_id=str(channel.pk)).count() == 1


def test_a_revoked_token_puts_the_channel_in_needs_attention_and_fails_the_post_visibly(sink_for, sink, work):
    channel = sink_for("FR", ACCOUNT, access_token="token", refresh_token="refresh-1")
    sink.set_account(ACCOUNT, access_token="token", refresh_token="refresh-1")
    sink.revoke(ACCOUNT)
    post = due_posts(channel=channel, count=1, at=timezone.now())[0]
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "failed", "auth_revoked", 401)]
    note = "Reconnect the channel Sink vireo-fr-sink (sink): Token could not be verified"
    assert (pub.status, pub.last_error) == ("failed", note)
    assert _post_status(pub) == ("failed", note)
    connection = ChannelConnection.objects.get(channel=channel)
    assert (connection.status, connection.last_error_kind, connection.last_error) == (
        "needs_attention", "auth_revoked", "Token could not be verified",
    )  # fmt: skip
    # The next post of that channel fails at once with the connections service's reason, without calling.
    later = due_posts(channel=channel, count=1, at=timezone.now())[0]
    work()
    later.refresh_from_db()
    assert later.status == "failed"
    assert later.status_note.startswith("Reconnect the channel Sink vireo-fr-sink (sink): The sink channel")
    assert sink.state.calls["publish"] == 1


def test_an_expired_token_whose_refresh_is_refused_needs_attention(sink_for, sink, work):
    channel = sink_for("FR", ACCOUNT, access_token="old", refresh_token="stale-refresh")
    sink.set_account(ACCOUNT, access_token="current", refresh_token="refresh-2")
    post = due_posts(channel=channel, count=1, at=timezone.now())[0]
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "retry", "auth_expired", 401)]
    assert (pub.status, pub.last_error_kind) == ("failed", "auth_revoked")
    assert ChannelConnection.objects.get(channel=channel).status == "needs_attention"
    assert _post_status(pub)[0] == "failed"


# --- refusals and duplicates -------------------------------------------------------------------------------


def test_a_refusal_fails_with_the_networks_message_on_the_post(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("validation", message="Text too long: 312 graphemes (max 300)."))
    work()
    pub = Publication.objects.get(post=post)
    note = "Loopback sink (tests) refused the post: Text too long: 312 graphemes (max 300)."
    assert (_attempts(pub), pub.status) == ([("publish", "failed", "validation", 400)], "failed")
    assert _post_status(pub) == ("failed", note)


def test_a_duplicate_naming_the_existing_post_is_published(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    claimed = services.publications_claim(worker_id="w:1:1", limit=1).claimed
    key = Publication.objects.get(pk=claimed[0]).idempotency_key
    existing, _replay = sink.store(ACCOUNT, key, {"text": post.text})
    services.claims_release(worker_id="w:1:1", publication_ids=claimed)
    sink.fail_next(ACCOUNT, Fault("duplicate"))
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.remote_id, pub.remote_url) == ("published", existing.id, existing.url)
    assert _attempts(pub) == [("publish", "not_sent", "", None), ("publish", "found", "duplicate", 409)]


def test_a_duplicate_without_the_post_is_reconciled(fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    sink.fail_next(ACCOUNT, Fault("duplicate"))
    sink.reconcile_next(ACCOUNT, "unknown")
    work()
    pub = Publication.objects.get(post=post)
    assert _attempts(pub) == [("publish", "unknown", "duplicate", 409), ("reconcile", "undetermined", "", None)]
    assert (pub.status, _post_status(pub)[0]) == ("unconfirmed", "unconfirmed")


def test_one_success_that_cannot_be_written_does_not_hold_back_the_others_and_is_reconciled_later(fr_sink, sink, work):
    from harmonie.connectors.base import PublishResult
    from harmonie.publishing.services.outcomes import Published, Recorder

    posts = due_posts(channel=fr_sink, count=3, at=timezone.now())
    claim = services.publications_claim(worker_id="w:1:1", limit=5)
    recorder = Recorder(worker_id="w:1:1")
    items = []
    for post in posts:
        pub = claim.loaded[Publication.objects.get(post=post).pk]
        item = Published(publication=pub, post=pub.post, attempt=claim.attempts[pub.pk],
                         result=PublishResult(remote_id=f"r{post.pk}", url=f"https://sink.example/{post.pk}"),
                         outcome="published")  # fmt: skip
        recorder.add(item)
        items.append(item)
    items[1].post.status = "draft"  # a poison row: its post cannot move to published, so the batch fails

    assert [(i.post.pk, ok) for i, ok in recorder.flush()] == [(posts[0].pk, True), (posts[1].pk, False),
                                                              (posts[2].pk, True)]  # fmt: skip
    assert len(recorder) == 0
    first, stuck, third = (Publication.objects.get(post=p) for p in posts)
    assert (first.status, first.remote_id, third.status, third.remote_id) == (
        "published", f"r{posts[0].pk}", "published", f"r{posts[2].pk}",
    )  # fmt: skip
    assert (stuck.status, stuck.claimed_by, stuck.must_reconcile) == ("sending", "", True)
    attempt = stuck.attempts.get()
    assert (attempt.outcome, attempt.message) == (
        "unknown", "The network took it, but the worker w:1:1 could not record it (ValidationFailed): checked again.",
    )  # fmt: skip

    work()  # the next claim takes it over and asks the network (the sink never got it here: absent, sent once)
    stuck.refresh_from_db()
    assert (stuck.status, [(a.kind, a.outcome) for a in stuck.attempts.order_by("number")]) == (
        "published", [("publish", "unknown"), ("reconcile", "absent"), ("publish", "published")],
    )  # fmt: skip
    assert len(sink.posts(ACCOUNT)) == 1


def test_a_post_that_cannot_be_prepared_fails_with_the_reason_instead_of_staying_claimed(
    demo_org, market, fr_sink, sink, work
):
    from django.core.files.base import ContentFile

    from harmonie.content.models import MediaAsset, Post

    asset = MediaAsset.objects.create(
        organization=demo_org, owner_market=market("FR"), file=ContentFile(b"\x89PNG fake", name="gone.png"),
        original_name="gone.png", kind="image", mime_type="image/png", size_bytes=9, sha256="1" * 64, alt_text="x",
    )  # fmt: skip
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    post.media.add(asset)
    asset.file.storage.delete(asset.file.name)  # the storage lost the file
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.claimed_by, pub.must_reconcile, pub.last_error_kind) == ("failed", "", False, "validation")
    assert pub.last_error.startswith("Harmonie could not prepare it for sending (")
    assert pub.last_error.endswith("). Fix it, then publish it again.")
    assert [(a.kind, a.outcome) for a in pub.attempts.all()] == [("publish", "not_sent")]  # no call was made
    assert (Post.objects.get(pk=post.pk).status, sink.posts(ACCOUNT)) == ("failed", [])
