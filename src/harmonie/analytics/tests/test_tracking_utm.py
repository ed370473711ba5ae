"""UTM presets: resolution (campaign > market > parents > organization), scope, and the tracked link of a post when
the charter requires one (a real charter rule created through the strategy services)."""

from __future__ import annotations

import pytest

from harmonie.analytics.models.tracking import ShortLink
from harmonie.analytics.services import tracking as services
from harmonie.content.models import Campaign, Localization, Post
from harmonie.core.errors import Conflict, NotPermitted
from harmonie.governance.models import Channel
from harmonie.strategy.models import CharterRule
from harmonie.strategy.services.charter import charter_rule_create


@pytest.fixture
def campaign(demo_org):
    return Campaign.objects.filter(organization=demo_org).order_by("pk").first()


@pytest.fixture
def presets(persona, market, campaign):
    hq = persona("hq_admin")
    services.utm_preset_create(
        actor=hq,
        name="Org",
        values={"utm_source": "harmonie", "utm_medium": "social", "utm_campaign": "always-on", "utm_term": "org"},
    )
    services.utm_preset_create(
        actor=hq, name="Europe", market=market("EUROPE"), values={"utm_medium": "social-eu", "utm_content": "europe"}
    )
    services.utm_preset_create(
        actor=persona("fr_market_lead"), name="France", market=market("FR"), values={"utm_source": "vireo-fr"}
    )
    services.utm_preset_create(actor=hq, name="Campaign", campaign=campaign, values={"utm_campaign": "coat-x"})


def test_most_specific_preset_wins_per_key(presets, demo_org, market, campaign):
    assert services.utm_for(organization=demo_org, market=market("FR"), campaign=campaign) == {
        "utm_source": "vireo-fr",
        "utm_medium": "social-eu",
        "utm_campaign": "coat-x",
        "utm_term": "org",
        "utm_content": "europe",
    }
    assert services.utm_for(organization=demo_org, market=market("DE"), campaign=None) == {
        "utm_source": "harmonie",
        "utm_medium": "social-eu",
        "utm_campaign": "always-on",
        "utm_term": "org",
        "utm_content": "europe",
    }
    assert services.utm_for(organization=demo_org, market=market("US"), campaign=None) == {
        "utm_source": "harmonie",
        "utm_medium": "social",
        "utm_campaign": "always-on",
        "utm_term": "org",
    }


def test_preset_scope_and_uniqueness(persona, market, presets):
    with pytest.raises(NotPermitted):
        services.utm_preset_create(actor=persona("fr_market_lead"), name="Org 2", values={"utm_source": "x"})
    with pytest.raises(NotPermitted):
        services.utm_preset_create(
            actor=persona("fr_market_lead"), name="DE", market=market("DE"), values={"utm_source": "x"}
        )
    with pytest.raises(Conflict) as exc:
        services.utm_preset_create(
            actor=persona("fr_market_lead"), name="France 2", market=market("FR"), values={"utm_source": "x"}
        )
    assert (
        exc.value.message
        == "“France” already sets the UTM values for this scope: edit it rather than adding a second one."
    )


@pytest.fixture(autouse=True)
def _no_demo_utm_rule(demo_org):
    """The demo charter has a Global "Tracked links" rule; these tests set their own."""
    CharterRule.objects.filter(organization=demo_org, kind="utm").update(is_active=False)


def _fr_post(persona, demo_org, *, link: str, utm: dict[str, str] | None = None) -> Post:
    from harmonie.content import services as content

    loc = Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="FR")
    post = content.post_create(
        actor=persona("fr_community_manager"),
        channel=Channel.objects.get(handle="vireo-france"),
        localization=loc,
        text="Vireo Coat X durcit plus vite.",
    )
    Post.objects.filter(pk=post.pk).update(link=link, utm=utm or {})
    post.refresh_from_db()
    return post


def test_post_link_without_a_utm_rule_is_only_tagged(persona, demo_org):
    post = _fr_post(persona, demo_org, link="https://vireo.example/fr?a=1", utm={"utm_source": "bluesky"})
    assert services.post_tracked_link(post=post) == "https://vireo.example/fr?a=1&utm_source=bluesky"
    assert not ShortLink.objects.filter(post=post).exists()


def test_post_link_becomes_a_tracked_short_link_when_the_charter_requires_it(persona, demo_org, market, presets):
    charter_rule_create(
        actor=persona("fr_market_lead"),
        market=market("FR"),
        name="Tracked links",
        kind="utm",
        severity="warn",
        params={"domains": ["vireo.example"]},
        rationale="Measure every visit from social.",
    )
    post = _fr_post(
        persona, demo_org, link="https://shop.vireo.example/coat?utm_source=manual", utm={"utm_content": "post-a"}
    )
    url = services.post_tracked_link(post=post)
    link = ShortLink.objects.get(post=post)
    assert url == f"http://127.0.0.1:8000/l/{link.code}"
    assert (link.purpose, link.market.code, link.channel.handle, link.campaign_id) == (
        "post",
        "FR",
        "vireo-france",
        post.master.campaign_id,
    )
    campaign = post.master.campaign.name if post.master.campaign else None
    assert link.destination == (
        "https://shop.vireo.example/coat?utm_source=manual"
        f"&utm_campaign={'coat-x' if campaign == Campaign.objects.order_by('pk').first().name else 'always-on'}"
        "&utm_content=post-a&utm_medium=social-eu&utm_term=org"
    )
    assert services.post_tracked_link(post=post) == url  # idempotent
    assert ShortLink.objects.filter(post=post).count() == 1
    Post.objects.filter(pk=post.pk).update(link="https://vireo.example/other")
    post.refresh_from_db()
    second = services.post_tracked_link(post=post)
    assert second != url
    assert ShortLink.objects.filter(post=post).count() == 2
    # A link outside the rule's domains is only tagged.
    Post.objects.filter(pk=post.pk).update(link="https://partner.example/x")
    post.refresh_from_db()
    assert services.post_tracked_link(post=post) == "https://partner.example/x?utm_content=post-a"
