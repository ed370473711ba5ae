"""The publishing engine against the loopback sink (a real HTTP server on 127.0.0.1): claims, the request built from
the post, outcomes, reconciliation, retries, tokens, crises, budgets. Workers run in the test's thread here;
``test_workers.py`` runs them as processes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from harmonie.analytics.models import ShortLink
from harmonie.connectors.models import ChannelConnection
from harmonie.content.models import MediaAsset, Post
from harmonie.core.errors import ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.publishing import services
from harmonie.publishing.models import Publication
from harmonie.publishing.services.sending import tagged_link
from harmonie.publishing.states import check_transition
from harmonie.publishing.testing.setup import due_posts


def _attempts(pub: Publication) -> list[tuple[str, str, str, int | None]]:
    return [(a.kind, a.outcome, a.error_kind, a.http_status) for a in pub.attempts.order_by("number")]


def _one(post: Post) -> Publication:
    return Publication.objects.get(post=post)


def _past(seconds: float = 1) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


# --- the state machine ---------------------------------------------------------------------------------------


def test_refused_transitions_say_what_is_allowed():
    with pytest.raises(ValidationFailed) as exc:
        check_transition("published", "sending")
    assert (exc.value.code, exc.value.message) == (
        "invalid_transition",
        "A publication that is published cannot become sending. From published it can become: nothing (this status "
        "is final).",
    )
    with pytest.raises(ValidationFailed) as exc:
        check_transition("retry_wait", "published")
    assert exc.value.message == (
        "A publication that is waiting to retry cannot become published. From waiting to retry it can become: "
        "cancelled, claimed by a worker, failed."
    )


def test_confirming_a_publication_that_is_not_unconfirmed_is_refused(persona, fr_sink, sink, work):
    post = due_posts(channel=fr_sink, count=1, at=_past())[0]
    work()
    pub = _one(post)
    with pytest.raises(ValidationFailed) as exc:
        services.publication_confirm(actor=persona("fr_community_manager"), publication=pub, url="https://x.example/1")
    assert exc.value.message == "Only an unconfirmed publication can be confirmed; this one is published."
    with pytest.raises(ValidationFailed) as exc:
        services.publication_publish_again(actor=persona("fr_community_manager"), publication=pub)
    assert exc.value.message == (
        "Only an unconfirmed or failed publication can be published again; this one is published."
    )


# --- publishing -----------------------------------------------------------------------------------------------


def test_a_due_post_is_published_once_with_what_the_post_says(demo_org, market, fr_sink, sink, work):
    asset = MediaAsset.objects.create(
        organization=demo_org, owner_market=market("FR"), file=ContentFile(b"\x89PNG fake", name="plant.png"),
        original_name="plant.png", kind="image", mime_type="image/png", size_bytes=9, sha256="0" * 64,
        alt_text="The Lyon plant at dawn",
    )  # fmt: skip
    post = due_posts(channel=fr_sink, count=1, at=_past(), text="Nouvelle usine à Lyon #vireo")[0]
    Post.objects.filter(pk=post.pk).update(link="https://vireo.example/lyon?ref=x", utm={"utm_source": "sink"})
    post.media.add(asset)
    later = due_posts(channel=fr_sink, count=1, at=timezone.now() + dt.timedelta(hours=1), text="Later")[0]

    worker = work()

    pub = _one(post)
    (stored,) = sink.posts("vireo-fr-sink")
    # The demo's charter requires tracked links on vireo.example: the post carries its short link, which leads to
    # the link tagged with the post's UTM over the presets (test_tracked_links.py has the rule's other cases).
    short = ShortLink.objects.get(post=post)
    assert (stored.text, stored.link, stored.language) == (
        "Nouvelle usine à Lyon #vireo", f"http://127.0.0.1:8000/l/{short.code}", post.master.source_language,
    )  # fmt: skip
    assert short.destination.startswith("https://vireo.example/lyon?ref=x&")
    assert "utm_source=sink" in short.destination.split("&")
    assert stored.media == [{"mime_type": "image/png", "alt": "The Lyon plant at dawn", "size": 9}]
    assert stored.key == pub.idempotency_key
    assert (pub.status, pub.remote_id, pub.remote_url, pub.attempt_count, pub.claimed_by) == (
        "published", stored.id, stored.url, 1, "",
    )  # fmt: skip
    assert _attempts(pub) == [("publish", "published", "", None)]
    post.refresh_from_db()
    assert post.status == "published"
    assert list(
        AuditEntry.objects.filter(target_type="content.post", target_id=str(post.pk), action="post.transition")
        .order_by("id").values_list("after__status", flat=True)
    ) == ["publishing", "published"]  # fmt: skip
    later.refresh_from_db()
    assert (later.status, Publication.objects.filter(post=later).count()) == ("scheduled", 0)
    assert sink.state.writes == {("vireo-fr-sink", pub.idempotency_key): 1}
    assert (worker.handled, worker.outcomes) == (1, {"published": 1})


def test_tagged_link_keeps_what_the_link_has():
    assert tagged_link("https://a.example/p?utm_source=x&q=1", {"utm_source": "y", "utm_medium": "social"}) == (
        "https://a.example/p?utm_source=x&q=1&utm_medium=social"
    )
    assert tagged_link("", {"utm_source": "y"}) == ""


def test_a_post_on_a_network_without_connector_fails_with_the_reason(demo_org, market, work):
    from harmonie.governance.models import Channel

    channel = Channel.objects.create(organization=demo_org, network="tiktok", handle="vireo-tt", display_name="TT",
                                     owner_market=market("FR"), timezone="Europe/Paris")  # fmt: skip
    post = due_posts(channel=channel, count=1, at=_past())[0]
    work()
    post.refresh_from_db()
    assert (post.status, post.status_note) == (
        "failed",
        "Harmonie cannot publish to TikTok yet: publish this post by hand.",
    )
    assert _one(post).status == "failed"


def test_a_channel_that_is_not_connected_fails_its_post_with_what_to_do(fr_sink, sink, work):
    ChannelConnection.objects.filter(channel=fr_sink).delete()
    post = due_posts(channel=fr_sink, count=1, at=_past())[0]
    work()
    post.refresh_from_db()
    assert post.status == "failed"
    assert post.status_note == (
        "Reconnect the channel Sink vireo-fr-sink (sink): The sink channel Sink vireo-fr-sink is not connected: "
        "connect it on the Connections page."
    )
    assert sink.posts() == []
