"""Short links: codes, destinations, the redirect and its click counting, clicks per day in the market's zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from harmonie.analytics.models.tracking import LinkClick, ShortLink
from harmonie.analytics.selectors import tracking as selectors
from harmonie.analytics.services import tracking as services
from harmonie.analytics.services.tracking import links as links_module
from harmonie.core.errors import NotPermitted, ValidationFailed

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


@pytest.fixture
def fr_link(persona, market):
    return services.short_link_create(
        actor=persona("fr_market_lead"),
        market=market("FR"),
        destination="https://vireo.example/fr/coat?ref=x",
        utm={"utm_source": "linkedin", "utm_medium": "social", "ref": "ignored"},
        label="Coat X",
    )


def test_a_link_gets_a_random_url_safe_code_and_a_tagged_destination(fr_link):
    assert len(fr_link.code) == 8
    assert fr_link.code.isascii()
    assert fr_link.code.isalnum()
    assert fr_link.destination == "https://vireo.example/fr/coat?ref=x&utm_medium=social&utm_source=linkedin"
    assert services.short_url(fr_link.code) == f"http://127.0.0.1:8000/l/{fr_link.code}"


def test_a_code_collision_draws_again(persona, market, monkeypatch, fr_link):
    drawn = iter([fr_link.code, "Zz9Zz9Zz"])
    monkeypatch.setattr(links_module, "new_code", lambda: next(drawn))
    second = services.short_link_create(
        actor=persona("fr_market_lead"), market=market("FR"), destination="https://vireo.example/b"
    )
    assert second.code == "Zz9Zz9Zz"


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        (
            "javascript:alert(1)",
            "Only web addresses starting with https:// or http:// can be shortened (got “javascript:”).",
        ),
        (
            "ftp://vireo.example/x",
            "Only web addresses starting with https:// or http:// can be shortened (got “ftp:”).",
        ),
        ("https:///nohost", "The address has no site name: write it as https://vireo.example/page."),
        ("https://user:pw@vireo.example/", "Remove the user name and password from the address."),
        ("", "Give the address to send people to, such as https://vireo.example/offer."),
        ("http://127.0.0.1:8000/l/abcdefgh", "This is already a short link: shorten its destination instead."),
    ],
)
def test_destinations_must_be_public_web_addresses(persona, market, destination, message):
    with pytest.raises(ValidationFailed) as exc:
        services.short_link_create(actor=persona("fr_market_lead"), market=market("FR"), destination=destination)
    assert exc.value.message == message


def test_loopback_destinations_are_refused_outside_development(persona, market, settings):
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = False
    for url in ("http://localhost:8000/x", "http://127.0.0.1/x", "http://[::1]/x", "http://0.0.0.0/"):
        with pytest.raises(ValidationFailed) as exc:
            services.short_link_create(actor=persona("fr_market_lead"), market=market("FR"), destination=url)
        assert "is this machine's own address" in exc.value.message
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True
    link = services.short_link_create(
        actor=persona("fr_market_lead"), market=market("FR"), destination="http://localhost:8000/x"
    )
    assert link.destination == "http://localhost:8000/x"


def test_only_analytics_managers_of_the_market_create_links(persona, market):
    with pytest.raises(NotPermitted):
        services.short_link_create(
            actor=persona("fr_community_manager"), market=market("FR"), destination="https://vireo.example"
        )
    with pytest.raises(NotPermitted):
        services.short_link_create(
            actor=persona("fr_market_lead"), market=market("DE"), destination="https://vireo.example"
        )


def test_redirect_counts_people_apart_from_bots_and_ignores_head(fr_link, django_assert_num_queries):
    client = Client()
    url = f"/l/{fr_link.code}"
    with django_assert_num_queries(2):
        response = client.get(url, HTTP_USER_AGENT=BROWSER, HTTP_REFERER="https://www.linkedin.com/feed/?x=1")
    assert response.status_code == 302
    assert response["Location"] == fr_link.destination
    assert "no-store" in response["Cache-Control"]
    client.get(url, HTTP_USER_AGENT=SLACK)
    client.get(url)  # no user agent: a script
    with django_assert_num_queries(1):
        assert client.head(url, HTTP_USER_AGENT=BROWSER).status_code == 302
    clicks = list(LinkClick.objects.filter(link=fr_link).order_by("pk").values_list("is_bot", "referrer_host"))
    assert clicks == [(False, "www.linkedin.com"), (True, ""), (True, "")]
    listed = selectors.link_list(actor=_actor_admin(fr_link)).get(pk=fr_link.pk)
    assert (listed.human_clicks, listed.bot_clicks) == (1, 2)


def _actor_admin(link: ShortLink):
    from harmonie.governance.models import Member
    from harmonie.governance.permissions import actor_for

    return actor_for(
        Member.objects.get(organization_id=link.organization_id, user__email="claire.martin@vireo.example")
    )


@pytest.mark.parametrize("code", ["unknown1", "abc-def_g", "a" * 40, "%00"])
def test_unknown_codes_answer_404_without_leaking(db, code):
    response = Client().get(f"/l/{code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404
    assert b"This short link does not exist or is no longer active" in response.content
    assert LinkClick.objects.count() == 0


def test_an_inactive_link_answers_404_and_counts_nothing(fr_link, persona):
    services.short_link_set_active(actor=persona("fr_market_lead"), link=fr_link, active=False)
    response = Client().get(f"/l/{fr_link.code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 404
    assert LinkClick.objects.filter(link=fr_link).count() == 0


def test_clicks_per_day_follow_the_market_zone_across_dst(fr_link):
    # Paris leaves summer time on 2026-10-25 at 03:00 local (01:00 UTC).
    utc = dt.UTC
    at = [
        dt.datetime(2026, 10, 24, 21, 30, tzinfo=utc),  # 23:30 CEST on the 24th
        dt.datetime(2026, 10, 24, 22, 30, tzinfo=utc),  # 00:30 CEST on the 25th
        dt.datetime(2026, 10, 25, 22, 30, tzinfo=utc),  # 23:30 CET on the 25th
        dt.datetime(2026, 10, 25, 23, 30, tzinfo=utc),  # 00:30 CET on the 26th
    ]
    LinkClick.objects.bulk_create([LinkClick(link=fr_link, clicked_at=t) for t in at])
    LinkClick.objects.create(link=fr_link, clicked_at=at[2], is_bot=True)
    days = selectors.link_clicks_per_day(link=fr_link, start=dt.date(2026, 10, 24), end=dt.date(2026, 10, 26))
    assert [(d.day.isoformat(), d.humans, d.bots) for d in days] == [
        ("2026-10-24", 1, 0),
        ("2026-10-25", 2, 1),
        ("2026-10-26", 1, 0),
    ]


def test_redirect_route_is_the_public_one(fr_link):
    assert reverse("short_link", args=[fr_link.code]) == f"/l/{fr_link.code}"
