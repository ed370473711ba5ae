"""The editorial calendar: local days and times in the viewer's zone, filters, constant queries, drag-and-drop
moves that keep the channel's wall-clock time across DST, refusals, scope, holidays and iCal feeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from icalendar import Calendar

from harmonie.accounts.models import User
from harmonie.approvals.services import workflow
from harmonie.content import services
from harmonie.content.models import CalendarFeed, MasterContent, MediaAsset, Post
from harmonie.content.timeutils import local_to_utc
from harmonie.content.views import calendar as calendar_views
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Dimension, Market, Member

PARIS = "Europe/Paris"
EMAILS = {p.key: p.email for p in PERSONAS}
HX = {"HTTP_HX_REQUEST": "true"}
CALENDAR, MOVE, FEEDS = "/content/calendar/", "/content/calendar/move/", "/content/calendar/feeds/"


class _Text(HTMLParser):
    """The text of the element carrying ``data-testid=<testid>``, whitespace collapsed."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid, self.depth, self.parts, self.done = testid, 0, [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif not self.done and dict(attrs).get("data-testid") == self.testid:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            self.done = self.depth == 0

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(html: str, testid: str) -> str:
    parser = _Text(testid)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def days_of(html: str) -> dict[int, str]:
    """Post id -> the day (YYYY-MM-DD) whose cell or list section holds its card."""
    marks = [(m.start(), "day", m.group(1)) for m in re.finditer(r'data-testid="day-(\d{4}-\d\d-\d\d)"', html)]
    marks += [(m.start(), "post", m.group(1)) for m in re.finditer(r'data-post="(\d+)"', html)]
    out, day = {}, ""
    for _pos, kind, value in sorted(marks):
        if kind == "day":
            day = value
        else:
            out[int(value)] = day
    return out


def demo_monday() -> dt.date:
    """The Monday the demo's four weeks of posts start on (content/demo.py)."""
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def approvals_demo_posts() -> dict[str, Post]:
    """The approvals demo's posts in review or just approved (approvals/demo.py), by channel handle: the French
    LinkedIn post in review, the German one in review, the US X post with changes requested and the approved
    French Bluesky post. The approvals demo places them 9 to 15 days after the day it was loaded, not on the
    content demo's weeks: which of them fall in the week of ``demo_monday()`` depends on the weekday."""
    posts = Post.objects.filter(approval_requests__isnull=False).select_related("channel").distinct()
    return {p.channel.handle: p for p in posts}


def in_demo_week(*handles: str) -> int:
    """How many of the named approvals demo posts fall in the (UTC) week of ``demo_monday()``."""
    start = local_to_utc(demo_monday(), dt.time(0), "UTC")
    posts = approvals_demo_posts()
    return sum(1 for h in handles if start <= posts[h].scheduled_at < start + dt.timedelta(days=7))


FR_IN, FR_BSKY, DE_IN, US_CHANGES = "vireo-france", "vireo-fr.bsky.social", "vireo-deutschland", "@VireoUS"
APPROVALS_DEMO = (FR_IN, FR_BSKY, DE_IN, US_CHANGES)


def _client(key: str, *, tz: str = "UTC", language: str = "en") -> Client:
    user = User.objects.get(email=EMAILS[key])
    user.timezone, user.language = tz, language
    user.save(update_fields=["timezone", "language"])
    client = Client()
    client.force_login(user)
    return client


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def _first_post(handle: str) -> Post:
    return Post.objects.filter(channel__handle=handle).order_by("scheduled_at").first()


def _get(client: Client, **query: object) -> str:
    response = client.get(CALENDAR, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def fr_local(demo_org, persona, market) -> MasterContent:
    return services.master_create(
        actor=persona("fr_community_manager"), market=market("FR"),
        dimension=Dimension.objects.get(organization=demo_org, key="country"), kind="local",
        title="Visite d'usine", body="Venez visiter notre usine de Lyon au printemps.", source_language="fr",
    )  # fmt: skip


def _post_at(persona, fr_local: MasterContent, day: dt.date, hour: int = 9) -> Post:
    """A French local post, approved by the French market lead (its review circuit): scheduled."""
    post = services.post_create(
        actor=persona("fr_community_manager"), channel=_channel("vireo-france"), master=fr_local,
        scheduled_at=local_to_utc(day, dt.time(hour, 0), PARIS),
    )  # fmt: skip
    post = workflow.post_review(actor=persona("fr_market_lead"), post=post, verb="approve")
    assert post.status == "scheduled"
    return post


# --- views, local days and times --------------------------------------------------------------------


def test_a_paris_post_shows_at_nine_for_a_paris_viewer_and_three_for_a_new_york_viewer(demo_org):
    post = _first_post("vireo-france")
    monday = demo_monday()
    assert post.scheduled_at == local_to_utc(monday, dt.time(9), PARIS)
    day = f"{monday:%Y-%m-%d}"
    for view in ("month", "week", "list"):
        html = _get(_client("fr_community_manager", tz=PARIS), view=view, date=day)
        assert text_of(html, f"post-time-{post.pk}") == "09:00 Paris"
        assert days_of(html)[post.pk] == day
        html = _get(_client("fr_community_manager", tz="America/New_York"), view=view, date=day)
        assert text_of(html, f"post-time-{post.pk}") == "03:00 New York · 09:00 Paris"
        assert days_of(html)[post.pk] == day
    assert "Times are in your time zone, America/New_York" in text_of(html, "calendar-zone")


def test_days_are_the_viewers_days(demo_org):
    """09:00 in Tokyo on a Tuesday is Monday evening in New York and Tuesday morning in Paris."""
    post = _first_post("@Vireo_JP")
    tuesday = demo_monday() + dt.timedelta(days=1)
    assert post.scheduled_at == local_to_utc(tuesday, dt.time(9), "Asia/Tokyo")
    html = _get(_client("hq_admin", tz="America/New_York"), view="week", date=f"{tuesday:%Y-%m-%d}")
    assert days_of(html)[post.pk] == f"{tuesday - dt.timedelta(days=1):%Y-%m-%d}"
    assert text_of(html, f"post-time-{post.pk}") == "19:00 New York · 09:00 Tokyo"
    html = _get(_client("hq_admin", tz=PARIS), view="week", date=f"{tuesday:%Y-%m-%d}")
    assert days_of(html)[post.pk] == f"{tuesday:%Y-%m-%d}"
    assert text_of(html, f"post-time-{post.pk}") == "01:00 Paris · 09:00 Tokyo"


def test_week_month_and_list_hold_the_demo_posts(demo_org):
    client = _client("hq_admin")
    monday = demo_monday()
    week = _get(client, view="week", date=f"{monday:%Y-%m-%d}")
    # FR LinkedIn 3 + FR Bluesky 2 + DE 3 + US X 5 + US Facebook 1 + JP X 2, and the approvals demo's posts
    # (in review, changes requested, approved) that fall in this week.
    count = 16 + in_demo_week(*APPROVALS_DEMO)
    assert len(days_of(week)) == count
    assert text_of(week, "calendar-count") == f"{count} posts in this period."
    expected = set(
        Post.objects.filter(scheduled_at__gte=local_to_utc(monday, dt.time(0), "UTC"),
                            scheduled_at__lt=local_to_utc(monday + dt.timedelta(days=7), dt.time(0), "UTC"))
        .values_list("pk", flat=True)
    )  # fmt: skip
    assert set(days_of(week)) == expected
    listing = _get(client, view="list", date=f"{monday:%Y-%m-%d}")
    month = _get(client, view="month", date=f"{monday:%Y-%m-%d}")
    assert set(days_of(listing)) == set(days_of(month)) >= expected


# The content demo's posts of the week, plus the approvals demo's posts that match (counted if in that week).
@pytest.mark.parametrize(
    ("key", "query", "count", "approvals_demo"),
    [
        ("hq_admin", {}, 16, APPROVALS_DEMO),
        ("hq_admin", {"market": "FR"}, 5, (FR_IN, FR_BSKY)),
        ("hq_admin", {"market": "EUROPE"}, 8, (FR_IN, FR_BSKY, DE_IN)),  # France and Germany: the market's subtree
        ("hq_admin", {"channel": "vireo-france"}, 3, (FR_IN,)),
        ("hq_admin", {"status": "scheduled"}, 16, (FR_BSKY,)),
        ("hq_admin", {"status": "in_review"}, 0, (FR_IN, DE_IN)),
        ("hq_admin", {"status": "draft"}, 0, ()),
        ("hq_admin", {"campaign": "Vireo Coat X launch"}, 11, (FR_IN, DE_IN, US_CHANGES)),
        ("hq_admin", {"dimension": "country"}, 5, (FR_BSKY,)),
        ("hq_admin", {"market": "US", "dimension": "country"}, 1, ()),
        # France, and Germany's product posts that the matrix opens
        ("fr_community_manager", {}, 8, (FR_IN, FR_BSKY, DE_IN)),
        ("fr_community_manager", {"market": "FR"}, 5, (FR_IN, FR_BSKY)),
        ("fr_community_manager", {"channel": "vireo-fr.bsky.social"}, 2, (FR_BSKY,)),
    ],
)
def test_filters_give_exact_counts(demo_org, key, query, count, approvals_demo):
    ids = {
        "market": lambda v: Market.objects.get(organization=demo_org, code=v).pk,
        "channel": lambda v: _channel(v).pk,
        "campaign": lambda v: demo_org.campaigns.get(name=v).pk,
        "dimension": lambda v: Dimension.objects.get(organization=demo_org, key=v).pk,
        "status": lambda v: v,
    }
    params = {k: ids[k](v) for k, v in query.items()}
    html = _get(_client(key), view="week", date=f"{demo_monday():%Y-%m-%d}", **params)
    assert len(days_of(html)) == count + in_demo_week(*approvals_demo)
    # The filters stay in the URL of the navigation links.
    for k, v in params.items():
        assert f"{k}={v}" in html.split('data-testid="calendar-next"')[0].rsplit("href=", 1)[1]


def test_an_invalid_filter_is_a_400_with_the_unfiltered_calendar(demo_org):
    response = _client("hq_admin").get(CALENDAR, {"market": "999999", "view": "week"})
    assert response.status_code == 400
    assert len(days_of(response.content.decode())) == len(days_of(_get(_client("hq_admin"), view="week")))


# --- a constant number of queries -------------------------------------------------------------------


def _bulk_posts(org, count: int, month: dt.date) -> None:
    template = _first_post("vireo-france")
    channels = list(Channel.objects.filter(organization=org, handle__in=["vireo-france", "vireo-fr.bsky.social"]))
    Post.objects.bulk_create(
        Post(
            organization=org, channel=channels[i % 2], market=template.market, master=template.master,
            localization=template.localization, text=f"Post {i}", status="scheduled",
            scheduled_at=local_to_utc(month + dt.timedelta(days=i % 28), dt.time(8 + i % 10), PARIS),
        )
        for i in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("key", ["hq_admin", "fr_community_manager"])
@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_the_calendar_reads_in_a_constant_number_of_queries(demo_org, django_assert_num_queries, key, view):
    client = _client(key, tz=PARIS)
    month = dt.date(2027, 5, 1)  # no demo post there
    # The matrix openings cost 3 more; every page reads 3 for approvals (notifications, review queue, crises)
    # and 1 for the channels whose connection needs attention.
    expected = {"hq_admin": 18, "fr_community_manager": 21}[key]
    _bulk_posts(demo_org, 10, month)
    with django_assert_num_queries(expected):
        first = client.get(CALENDAR, {"view": view, "date": "2027-05-10"})
    _bulk_posts(demo_org, 190, month)
    with django_assert_num_queries(expected):
        second = client.get(CALENDAR, {"view": view, "date": "2027-05-10"})
    assert len(days_of(second.content.decode())) > len(days_of(first.content.decode())) > 0


def test_a_busy_day_shows_eight_cards_and_the_rest_behind_a_link(demo_org, monkeypatch):
    template = _first_post("vireo-france")
    Post.objects.bulk_create(
        Post(
            organization=demo_org, channel=template.channel, market=template.market, master=template.master,
            localization=template.localization, text=f"Post {i}", status="scheduled",
            scheduled_at=local_to_utc(dt.date(2027, 5, 12), dt.time(8, i), PARIS),
        )
        for i in range(12)
    )  # fmt: skip
    client = _client("hq_admin", tz=PARIS)
    month = _get(client, view="month", date="2027-05-12")
    assert list(days_of(month).values()).count("2027-05-12") == 8
    assert text_of(month, "more-2027-05-12") == "+4 more"
    assert 'href="?view=week&amp;date=2027-05-12" data-testid="more-2027-05-12"' in month
    assert list(days_of(_get(client, view="week", date="2027-05-12")).values()).count("2027-05-12") == 12
    monkeypatch.setattr(calendar_views, "LIST_LIMIT", 5)
    listing = _get(client, view="list", date="2027-05-12")
    assert len(days_of(listing)) == 5
    assert text_of(listing, "more-2027-05-12") == "+7 more"
    assert text_of(listing, "calendar-count") == "12 posts in this period."


# --- moves --------------------------------------------------------------------------------------------


def _move(client: Client, post: Post, day: str, **extra: str) -> tuple[int, str]:
    response = client.post(MOVE, {"post": post.pk, "to": day, "view": "week", "date": day, **extra}, **HX)
    return response.status_code, response.content.decode()


def test_moving_across_the_dst_change_keeps_nine_in_paris(demo_org, persona, fr_local):
    # Paris moves to summer time on Sunday 28 March 2027: 09:00 is 08:00 UTC before, 07:00 UTC after.
    post = _post_at(persona, fr_local, dt.date(2027, 3, 24))
    assert post.scheduled_at == dt.datetime(2027, 3, 24, 8, 0, tzinfo=dt.UTC)
    status, html = _move(_client("fr_community_manager", tz=PARIS), post, "2027-03-31")
    assert status == 200
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime(2027, 3, 31, 7, 0, tzinfo=dt.UTC)
    assert text_of(html, "calendar-message") == "Vireo France (LinkedIn): moved to March 31, 2027, 09:00 Paris."
    assert days_of(html)[post.pk] == "2027-03-31"
    assert text_of(html, f"post-time-{post.pk}") == "09:00 Paris"
    entry = AuditEntry.objects.filter(action="post.schedule", target_id=str(post.pk)).latest("id")
    assert (entry.before["scheduled_at"], entry.after["scheduled_at"]) == (
        "2027-03-24T08:00:00+00:00", "2027-03-31T07:00:00+00:00",
    )  # fmt: skip


def test_a_new_york_viewer_moving_a_paris_post_keeps_the_paris_time(demo_org, persona, fr_local):
    post = _post_at(persona, fr_local, dt.date(2027, 3, 24))
    status, html = _move(_client("fr_community_manager", tz="America/New_York"), post, "2027-04-07")
    assert status == 200
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime(2027, 4, 7, 7, 0, tzinfo=dt.UTC)
    assert text_of(html, f"post-time-{post.pk}") == "03:00 New York · 09:00 Paris"


def test_a_move_to_a_past_day_is_refused_and_changes_nothing(demo_org, persona, fr_local):
    post = _post_at(persona, fr_local, dt.date(2027, 3, 24))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    status, html = _move(_client("fr_community_manager", tz=PARIS), post, f"{yesterday:%Y-%m-%d}", date="2027-03-24")
    assert status == 400
    assert text_of(html, "calendar-message") == "This time is in the past: choose a time to come."
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime(2027, 3, 24, 8, 0, tzinfo=dt.UTC)
    assert days_of(html)[post.pk] == "2027-03-24"  # the card is back on its day


def test_a_move_past_the_media_rights_is_refused(demo_org, persona, fr_local, market):
    post = _post_at(persona, fr_local, dt.date(2027, 3, 24))
    expiry = dt.datetime(2027, 3, 26, 12, 0, tzinfo=dt.UTC)
    asset = MediaAsset.objects.create(
        organization=demo_org, owner_market=market("FR"), file="media/2026/11/usine.jpg", original_name="usine.jpg",
        kind="image", mime_type="image/jpeg", size_bytes=120_000, width=1200, height=627, sha256="0" * 64,
        title="Usine de Lyon", alt_text="L'usine de Lyon", rights_expire_at=expiry,
    )  # fmt: skip
    post.media.add(asset)
    status, html = _move(_client("fr_community_manager", tz=PARIS), post, "2027-03-31")
    assert status == 400
    with override("en"):
        when = date_format(expiry, "DATETIME_FORMAT")
    assert text_of(html, "calendar-message") == (
        f"The usage rights of “Usine de Lyon” expire on {when}, before this publication: "
        "choose another asset or renew the rights."
    )
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime(2027, 3, 24, 8, 0, tzinfo=dt.UTC)


def test_a_non_htmx_move_redirects_back_with_the_message(demo_org, persona, fr_local):
    post = _post_at(persona, fr_local, dt.date(2027, 3, 24))
    client = _client("fr_community_manager", tz=PARIS)
    response = client.post(MOVE, {"post": post.pk, "to": "2027-03-25", "view": "week", "date": "2027-03-25"})
    assert response.status_code == 302
    assert response["Location"] == "/content/calendar/?view=week&date=2027-03-25"
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime(2027, 3, 25, 8, 0, tzinfo=dt.UTC)


def test_fr_community_manager_cannot_move_german_posts(demo_org, persona, market):
    client = _client("fr_community_manager", tz=PARIS)
    monday = f"{demo_monday():%Y-%m-%d}"
    # Germany's product posts: the matrix lets France read them, not change them.
    de_product = (
        Post.objects.filter(channel__handle="vireo-deutschland", master__dimension__key="product")
        .order_by("scheduled_at")
        .first()
    )
    html = _get(client, view="week", date=monday)
    assert de_product.pk in days_of(html)
    assert f'data-post="{de_product.pk}" data-date="{monday}" data-testid="post-{de_product.pk}">' in html  # no drag
    status, body = _move(client, de_product, f"{demo_monday() + dt.timedelta(days=1):%Y-%m-%d}")
    assert status == 403
    assert text_of(body, "calendar-message") == (
        "You do not have the permission 'content.create' in Germany. Ask an org admin for the role you need."
    )
    # Germany's own country content: France does not even see it.
    de_cm = persona("de_community_manager")
    local = services.master_create(
        actor=de_cm, market=market("DE"), dimension=Dimension.objects.get(organization=demo_org, key="country"),
        kind="local", title="Werksführung", body="Besuchen Sie unser Werk in Köln.", source_language="de",
    )  # fmt: skip
    de_local = services.post_create(
        actor=de_cm, channel=_channel("vireo-deutschland"), master=local,
        scheduled_at=local_to_utc(demo_monday() + dt.timedelta(days=5), dt.time(10), "Europe/Berlin"),
    )  # fmt: skip
    de_local = workflow.post_review(actor=persona("de_market_lead"), post=de_local, verb="approve")
    assert de_local.status == "scheduled"
    assert de_local.pk not in days_of(_get(client, view="week", date=monday))
    assert de_local.pk in days_of(_get(_client("hq_admin"), view="week", date=monday))
    status, body = _move(client, de_local, f"{demo_monday() + dt.timedelta(days=6):%Y-%m-%d}")
    assert status == 404
    assert text_of(body, "calendar-message") == "No such post."
    for post, before in ((de_product, de_product.scheduled_at), (de_local, de_local.scheduled_at)):
        post.refresh_from_db()
        assert post.scheduled_at == before


# --- cadence and holidays ----------------------------------------------------------------------------


def test_cadence_gaps_per_channel_and_week(demo_org):
    monday = demo_monday()
    html = _get(_client("hq_admin"), view="week", date=f"{monday:%Y-%m-%d}")
    week = f"{monday:%Y-%m-%d}"
    expected = {
        "vireo-france": "3 of 3",
        "vireo-fr.bsky.social": f"{2 + in_demo_week(FR_BSKY)} of 3",  # + the approvals demo's approved post
        "vireo-deutschland": "3 of 3",
        "vireo_de@mastodon.social": "0 of 2",
        "@VireoUS": "5 of 10",
        "VireoUSA": "1 of 3.6",
        "@Vireo_JP": "2 of 14",
        "vireo-group": "0 of 5",
        "VireoIndustries": "0 of 0.5",
    }
    for handle, text in expected.items():
        assert text_of(html, f"cadence-{_channel(handle).pk}-{week}") == text
    assert 'class="badge cad-met" data-testid="cadence-{}-{}"'.format(_channel("vireo-france").pk, week) in html
    assert 'class="badge cad-short" data-testid="cadence-{}-{}"'.format(_channel("@VireoUS").pk, week) in html
    # Filtered on France: only the channels serving France.
    fr = Market.objects.get(organization=demo_org, code="FR").pk
    html = _get(_client("hq_admin"), view="week", date=week, market=fr)
    rows = set(re.findall(r'<tr data-testid="cadence-(\d+)">', html))
    served = {"vireo-france", "vireo-fr.bsky.social", "vireo-group", "@VireoGroup", "vireo.bsky.social"}
    assert rows == {str(_channel(h).pk) for h in served}


def test_public_holidays_of_each_country_market_in_its_language(demo_org):
    html = _get(_client("hq_admin"), view="month", date="2026-12-01")
    christmas = text_of(html, "day-2026-12-25")
    for name in ("FR · Noël", "DE · Erster Weihnachtstag", "US · Christmas Day", "BR · Natal"):
        assert name in christmas
    assert re.search(r'class="cal-day[^"]* holiday"[^>]*data-testid="day-2026-12-25"', html)  # marked as such
    html = _get(_client("hq_admin"), view="week", date="2027-01-01")
    assert text_of(html, "day-2027-01-01").startswith("1 Jan FR · Jour de l'an DE · Neujahr US · New Year's Day")
    assert "JP · 元日" in text_of(html, "day-2027-01-01")
    # A French community manager sees France's holidays only.
    html = _get(_client("fr_community_manager"), view="month", date="2026-12-01")
    assert "FR · Noël" in text_of(html, "day-2026-12-25")
    assert "DE ·" not in html


# --- iCal feeds ------------------------------------------------------------------------------------------


def _create_feed(client: Client, scope: str, name: str = "") -> str:
    response = client.post(FEEDS, {"scope": scope, "name": name}, **HX)
    assert response.status_code == 200
    url = text_of(response.content.decode(), "feed-url")
    assert url.startswith(settings.HARMONIE_PUBLIC_URL.rstrip("/") + "/content/calendar/ical/")
    return url.split("/content/calendar/ical/", 1)[1].removesuffix(".ics")


def test_a_market_feed_holds_exactly_its_scheduled_posts_in_utc(demo_org, persona, fr_local):
    client = _client("fr_community_manager", tz=PARIS)
    fr = Market.objects.get(organization=demo_org, code="FR")
    draft = services.post_create(
        actor=persona("fr_community_manager"), channel=_channel("vireo-france"), master=fr_local
    )
    token = _create_feed(client, f"market:{fr.pk}")
    feed = CalendarFeed.objects.get()
    assert (feed.name, feed.market, feed.channel, feed.created_by.email) == (
        "France",
        fr,
        None,
        EMAILS["fr_community_manager"],
    )
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    entry = AuditEntry.objects.get(action="calendar_feed.create")
    assert entry.after == {"name": "France", "market": fr.pk, "channel": None}
    assert token not in str(entry.after)

    response = Client().get(f"/content/calendar/ical/{token}.ics")  # no login
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    events = Calendar.from_ical(response.content).walk("VEVENT")
    now = timezone.now()
    expected = list(
        Post.objects.filter(market=fr, status="scheduled", scheduled_at__gte=now - dt.timedelta(days=30),
                            scheduled_at__lt=now + dt.timedelta(days=400)).select_related("channel")
    )  # fmt: skip
    assert len(expected) == 21  # four weeks of 3 LinkedIn and 2 Bluesky posts, and the approved Bluesky post
    assert draft.pk not in {p.pk for p in expected}
    assert sorted(str(e["UID"]) for e in events) == sorted(f"post-{p.pk}@vireo.harmonie" for p in expected)
    first = min(expected, key=lambda p: p.scheduled_at)
    event = next(e for e in events if str(e["UID"]) == f"post-{first.pk}@vireo.harmonie")
    assert event.decoded("DTSTART") == first.scheduled_at
    assert f"DTSTART:{first.scheduled_at:%Y%m%dT%H%M%S}Z" in body
    assert len(re.findall(r"^DTSTART:\d{8}T\d{6}Z\r?$", body, flags=re.M)) == 21
    assert str(event["SUMMARY"]) == f"[{first.channel}] " + " ".join(first.text.split()[:8]) + "…"
    assert str(event["DESCRIPTION"]) == first.text
    assert str(event["URL"]) == settings.HARMONIE_PUBLIC_URL.rstrip("/") + f"/content/posts/{first.pk}/"


def test_a_channel_feed_and_revoking_it(demo_org):
    client = _client("fr_community_manager", tz=PARIS)
    bsky = _channel("vireo-fr.bsky.social")
    token = _create_feed(client, f"channel:{bsky.pk}", name="Bluesky FR")
    events = Calendar.from_ical(Client().get(f"/content/calendar/ical/{token}.ics").content).walk("VEVENT")
    assert len(events) == 9  # four weeks of 2 posts, and the approvals demo's approved one
    assert {str(e["SUMMARY"]).split("]")[0] for e in events} == {"[Vireo France (Bluesky)"}
    feed = CalendarFeed.objects.get(name="Bluesky FR")
    html = client.get(CALENDAR).content.decode()
    assert text_of(html, f"feed-{feed.pk}").startswith("Bluesky FR by Camille Durand Vireo France (Bluesky)")
    response = client.post(f"/content/calendar/feeds/{feed.pk}/revoke/", **HX)
    assert response.status_code == 200
    assert text_of(response.content.decode(), "feed-none") == "No feed yet."
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert AuditEntry.objects.filter(action="calendar_feed.revoke", target_id=str(feed.pk)).count() == 1
    assert Client().get(f"/content/calendar/ical/{token}.ics").status_code == 404
    assert Client().get("/content/calendar/ical/not-a-token.ics").status_code == 404


def test_feeds_stay_in_scope(demo_org):
    client = _client("fr_community_manager", tz=PARIS)
    de = Market.objects.get(organization=demo_org, code="DE")
    response = client.post(FEEDS, {"scope": f"market:{de.pk}"}, **HX)
    assert response.status_code == 400
    assert "Select a valid choice." in text_of(response.content.decode(), "error-scope")
    assert not CalendarFeed.objects.exists()
    # Someone else's feed in another market is neither listed nor revocable.
    de_token = _create_feed(_client("de_market_lead"), f"market:{de.pk}")
    de_feed = CalendarFeed.objects.get(market=de)
    assert f'data-testid="feed-{de_feed.pk}"' not in client.get(CALENDAR).content.decode()
    assert client.post(f"/content/calendar/feeds/{de_feed.pk}/revoke/", **HX).status_code == 404
    assert Client().get(f"/content/calendar/ical/{de_token}.ics").status_code == 200


def test_a_feed_dies_with_its_creators_membership(demo_org):
    de = Market.objects.get(organization=demo_org, code="DE")
    token = _create_feed(_client("de_market_lead"), f"market:{de.pk}")
    assert Client().get(f"/content/calendar/ical/{token}.ics").status_code == 200
    Member.objects.filter(organization=demo_org, user__email=EMAILS["de_market_lead"]).update(is_active=False)
    assert Client().get(f"/content/calendar/ical/{token}.ics").status_code == 404


def test_the_calendar_is_in_the_navigation(demo_org):
    html = _client("analyst").get("/").content.decode()
    assert 'data-testid="nav-content-calendar"' in html
