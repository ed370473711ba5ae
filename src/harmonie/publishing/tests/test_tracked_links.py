"""The link a post publishes: a first-party short link when the charter requires tracked links (issue 7), sent by
the worker to the loopback sink (a real HTTP server on 127.0.0.1) and followed through ``/l/<code>``."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from harmonie.analytics.models import ShortLink
from harmonie.content.models import Post
from harmonie.publishing.models import Publication
from harmonie.publishing.testing.setup import due_posts
from harmonie.strategy.models import CharterRule
from harmonie.strategy.services.charter import charter_rule_create

ACCOUNT = "vireo-fr-sink"


def _tracked_links_rule(persona, demo_org, market) -> None:
    CharterRule.objects.filter(organization=demo_org, kind="utm").update(is_active=False)
    charter_rule_create(
        actor=persona("fr_market_lead"), market=market("FR"), name="Tracked links", kind="utm", severity="warn",
        params={"domains": ["vireo.example"]}, rationale="Measure every visit from social.",
    )  # fmt: skip


def _due_post(channel, link: str) -> Post:
    post = due_posts(channel=channel, count=1, at=timezone.now() - dt.timedelta(seconds=1), text="Le manteau X")[0]
    Post.objects.filter(pk=post.pk).update(link=link, utm={"utm_content": "coat-x"})
    return post


def test_a_post_under_a_tracked_links_rule_publishes_a_short_link_that_counts_its_clicks(
    persona, demo_org, market, fr_sink, sink, work
):
    _tracked_links_rule(persona, demo_org, market)
    post = _due_post(fr_sink, "https://shop.vireo.example/coat?ref=social")
    work()
    link = ShortLink.objects.get(post=post)
    (sent,) = sink.posts(ACCOUNT)
    assert sent.link == f"http://127.0.0.1:8000/l/{link.code}"
    assert (link.purpose, link.market.code, link.channel_id) == ("post", "FR", fr_sink.pk)
    assert link.destination.startswith("https://shop.vireo.example/coat?ref=social&")
    assert "utm_content=coat-x" in link.destination.split("?", 1)[1].split("&")
    assert Publication.objects.get(post=post).status == "published"

    answer = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").get(f"/l/{link.code}")
    assert (answer.status_code, answer["Location"]) == (302, link.destination)
    assert link.clicks.count() == 1


def test_a_link_outside_the_rules_domains_is_only_tagged_and_not_shortened(
    persona, demo_org, market, fr_sink, sink, work
):
    _tracked_links_rule(persona, demo_org, market)
    post = _due_post(fr_sink, "https://partner.example/page")
    work()
    (sent,) = sink.posts(ACCOUNT)
    assert sent.link == "https://partner.example/page?utm_content=coat-x"
    assert not ShortLink.objects.filter(post=post).exists()
