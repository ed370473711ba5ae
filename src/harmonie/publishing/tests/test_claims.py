"""Claims: what a worker takes, and what it must leave. Crises (declared before the claim, behind its back, or
after it), per-account and per-network budgets, per-account concurrency caps, two workers claiming at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from harmonie.approvals.models import CrisisEvent
from harmonie.approvals.selectors import held_posts
from harmonie.approvals.services import crisis as crisis_services
from harmonie.connectors import registry
from harmonie.connectors.base import RateBudget
from harmonie.content.models import Post
from harmonie.publishing import services
from harmonie.publishing.models import Publication, Throttle
from harmonie.publishing.testing.setup import due_posts
from harmonie.publishing.testing.sink import SinkConnector

ACCOUNT = "vireo-fr-sink"


def _statuses(posts: list[Post]) -> list[str]:
    return list(Post.objects.filter(pk__in=[p.pk for p in posts]).order_by("pk").values_list("status", flat=True))


# --- crises -------------------------------------------------------------------------------------------------


def test_a_crisis_declared_between_scheduling_and_dispatch_keeps_the_post_off_the_network(
    persona, market, fr_sink, sink, work
):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now() - dt.timedelta(seconds=1))[0]
    crisis, held = crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="Incendie à Lyon",
                                                  reason="Un incendie.", markets=[market("FR")])  # fmt: skip
    assert post.pk in [p.pk for p in held]
    work()
    post.refresh_from_db()
    assert (post.status, Publication.objects.filter(post=post).count(), sink.posts()) == ("on_hold", 0, [])
    assert post in held_posts(crisis)


def test_the_claim_rechecks_the_crisis_for_a_post_scheduled_behind_its_back(persona, market, fr_sink, sink, work):
    crisis, _held = crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="Incendie à Lyon",
                                                   reason="Un incendie.", markets=[market("FR")])  # fmt: skip
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]  # written straight as "scheduled"
    work()
    post.refresh_from_db()
    assert (post.status, post.held_from) == ("on_hold", "scheduled")
    assert post.status_note == "Not published at its time: The crisis “Incendie à Lyon” covers this post."
    event = CrisisEvent.objects.get(crisis=crisis, post=post)
    assert (event.kind, event.actor_label, event.actor) == ("held", "Publishing worker", None)
    assert post in held_posts(crisis)  # on the crisis console, to be released, rescheduled or cancelled
    assert (Publication.objects.filter(post=post).count(), sink.posts()) == (0, [])


def test_a_crisis_declared_after_the_claim_stops_the_send(persona, market, fr_sink, sink):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now())[0]
    claim = services.publications_claim(worker_id="w:1:1", limit=5)
    (pub_id,) = claim.claimed
    crisis_services.crisis_declare(actor=persona("hq_admin"), title="Rappel produit", reason="Un rappel.")
    outcome = services.publication_send(publication_id=pub_id, worker_id="w:1:1", claimed=claim.loaded[pub_id],
                                        attempt=claim.attempts[pub_id])  # fmt: skip
    note = "Not published: The crisis “Rappel produit” covers this post. Reschedule it when the crisis allows."
    pub = Publication.objects.get(pk=pub_id)
    assert (outcome.status, pub.status, pub.last_error, pub.attempt_count) == ("failed", "failed", note, 1)
    # The claim recorded the attempt; the sender looked once more before the call and did not make it.
    assert list(pub.attempts.values_list("kind", "outcome", "message")) == [("publish", "not_sent", note)]
    post.refresh_from_db()
    assert (post.status, post.status_note, sink.posts()) == ("failed", note, [])


def test_a_post_released_during_the_crisis_goes_out(persona, market, fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=timezone.now() + dt.timedelta(minutes=5))[0]
    julien = persona("fr_market_lead")
    crisis, _held = crisis_services.crisis_declare(actor=julien, title="T", reason="R", markets=[market("FR")])
    post.refresh_from_db()
    assert crisis_services.crisis_release(actor=julien, crisis=crisis, post=post).status == "scheduled"
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())  # …and its time has come
    work()
    post.refresh_from_db()
    assert (post.status, len(sink.posts(ACCOUNT))) == ("published", 1)


# --- two workers ------------------------------------------------------------------------------------------


def test_two_workers_never_claim_the_same_post(fr_sink):
    posts = due_posts(channel=fr_sink, count=5, at=timezone.now())
    first = services.publications_claim(worker_id="a:1:1", limit=3).claimed
    second = services.publications_claim(worker_id="b:2:1", limit=10).claimed
    assert (len(first), len(second), set(first) & set(second)) == (3, 2, set())
    owners = dict(Publication.objects.filter(post__in=posts).values_list("pk", "claimed_by"))
    assert sorted(owners.values()) == ["a:1:1"] * 3 + ["b:2:1"] * 2
    assert services.publications_claim(worker_id="c:3:1", limit=10).claimed == []
    assert _statuses(posts) == ["publishing"] * 5


# --- budgets and caps -------------------------------------------------------------------------------------


class TightSink(SinkConnector):
    budget = RateBudget(calls=2, seconds=3600)
    concurrency = 1


class SharedNetworkSink(SinkConnector):
    budget = RateBudget(calls=10, seconds=3600)
    network_budget = RateBudget(calls=3, seconds=3600)


@pytest.fixture
def connector_class() -> Iterator[None]:
    yield
    registry.register(SinkConnector)


def test_an_accounts_budget_is_kept_across_claims(fr_sink, sink, work, connector_class):
    registry.register(TightSink)
    Throttle.objects.filter(scope=f"channel:{fr_sink.pk}").delete()
    posts = due_posts(channel=fr_sink, count=5, at=timezone.now())
    work()
    assert _statuses(posts) == ["published"] * 2 + ["scheduled"] * 3
    bucket = Throttle.objects.get(scope=f"channel:{fr_sink.pk}")
    assert (bucket.capacity, round(bucket.rate * 3600, 6)) == (2.0, 2.0)
    assert bucket.tokens < 1
    # Half an hour later the bucket holds one more call.
    Throttle.objects.filter(pk=bucket.pk).update(refilled_at=bucket.refilled_at - dt.timedelta(minutes=30))
    work()
    assert _statuses(posts) == ["published"] * 3 + ["scheduled"] * 2


def test_an_accounts_concurrency_cap_holds_across_workers(fr_sink, connector_class):
    registry.register(TightSink)
    due_posts(channel=fr_sink, count=2, at=timezone.now())
    assert len(services.publications_claim(worker_id="a:1:1", limit=10).claimed) == 1
    assert services.publications_claim(worker_id="b:2:1", limit=10).claimed == []  # one in flight already


def test_a_networks_budget_is_shared_by_its_accounts(sink_for, sink, work, connector_class):
    registry.register(SharedNetworkSink)
    channels = [sink_for("FR", "fr-a"), sink_for("DE", "de-b")]
    posts = [p for ch in channels for p in due_posts(channel=ch, count=2, at=timezone.now())]
    work()
    assert sorted(_statuses(posts)) == ["published"] * 3 + ["scheduled"]
    assert Throttle.objects.get(scope="network:sink").tokens < 1
