"""Calendar feeds: the management panel (create, with the URL shown once; list; revoke) and the iCal feed
itself, read by calendar apps without a login through its secret token."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from icalendar import Calendar, Event

from harmonie.content import selectors
from harmonie.content.models import CalendarFeed, Post, PostStatus
from harmonie.content.services import feeds
from harmonie.core.errors import DomainError
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

SUMMARY_WORDS = 8
FEED_PAST = dt.timedelta(days=30)  # a feed holds the scheduled posts from 30 days ago to 400 days ahead
FEED_FUTURE = dt.timedelta(days=400)


def first_words(text: str, count: int = SUMMARY_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def post_page_url(post: Post) -> str:
    return reverse("content:post", args=[post.pk])


class FeedForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Market or channel"))
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=120, required=False,
        help_text=gettext_lazy("As your calendar app will show it; empty: the market's or channel's name."),
    )  # fmt: skip

    def __init__(self, *args: Any, markets: list[Market], channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["scope"]).choices = [
            (_("Markets"), [(f"market:{m.pk}", f"{'— ' * m.depth}{m.name}") for m in markets]),
            (_("Channels"), [(f"channel:{c.pk}", str(c)) for c in channels]),
        ]


def feed_choices(actor: Actor) -> tuple[list[Market], list[Channel]]:
    """Markets where the member sees content, and the channels in scope."""
    markets = list(governance_selectors.markets_manageable(actor=actor, perm=Perm.CONTENT_VIEW))
    channels = list(governance_selectors.channel_list(actor=actor)) if actor.can(Perm.CHANNELS_VIEW) else []
    return markets, channels


def feeds_context(
    actor: Actor, *, markets: list[Market], channels: list[Channel], form: FeedForm | None = None, new_link: str = ""
) -> dict[str, Any]:
    """The panel's context; the calendar page passes the markets and channels it has already read."""
    rows = [
        (feed, feed.created_by_id == actor.member.user_id or actor.can(Perm.CONTENT_CREATE, feeds.feed_market(feed)))
        for feed in feeds.calendar_feed_list(actor=actor)
    ]
    return {"feed_form": form or FeedForm(markets=markets, channels=channels), "feed_rows": rows, "new_link": new_link}


def feed_link(token: str) -> str:
    return settings.HARMONIE_PUBLIC_URL.rstrip("/") + reverse("content:ical", args=[token])


@common.member_required
@require_http_methods(["GET", "POST"])
def calendar_feeds(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Create a feed (its URL is shown once), list the live ones, revoke."""
    actor.require(Perm.CONTENT_VIEW)
    markets, channels = feed_choices(actor)
    form = FeedForm(request.POST or None, markets=markets, channels=channels)

    def create(data: dict[str, Any]) -> tuple[CalendarFeed, str]:
        kind, _sep, pk = data["scope"].partition(":")
        if kind == "market":
            return feeds.calendar_feed_create(
                actor=actor, name=data["name"], market=next(m for m in markets if str(m.pk) == pk)
            )
        return feeds.calendar_feed_create(
            actor=actor, name=data["name"], channel=next(c for c in channels if str(c.pk) == pk)
        )

    created, status = common.submit(request, form, create)
    context = feeds_context(
        actor, markets=markets, channels=channels, form=None if created else form,
        new_link=feed_link(created[1]) if created else "",
    )  # fmt: skip
    template = "content/calendar_feeds.html#feeds" if common.is_htmx(request) else "content/calendar_feeds.html"
    return render(request, template, context, status=status)


@common.member_required
@require_POST
def calendar_feed_revoke(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    feed = feeds.calendar_feed_get(actor=actor, pk=pk)
    feeds.calendar_feed_revoke(actor=actor, feed=feed)
    if common.is_htmx(request):
        markets, channels = feed_choices(actor)
        return render(
            request, "content/calendar_feeds.html#feeds", feeds_context(actor, markets=markets, channels=channels)
        )
    messages.success(request, _("Feed “%(name)s” revoked: its URL no longer answers.") % {"name": feed.name})
    return redirect("content:calendar_feeds")


@require_GET
def ical(request: HttpRequest, token: str) -> HttpResponseBase:
    """The feed itself, without a login: one VEVENT per scheduled post, stable UID, DTSTART in UTC.

    Unknown and revoked tokens, and feeds whose creator lost the rights, answer 404 alike."""
    try:
        feed, reader = feeds.calendar_feed_by_token(token)
        now = timezone.now()
        posts = selectors.post_list(
            actor=reader, start=now - FEED_PAST, end=now + FEED_FUTURE, channel_pk=feed.channel_id,
            status=PostStatus.SCHEDULED,
        )  # fmt: skip
        if feed.market is not None:
            posts = posts.filter(market__path__startswith=feed.market.path)
        found = list(posts)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    base = settings.HARMONIE_PUBLIC_URL.rstrip("/")
    cal = Calendar()
    cal.add("prodid", "-//Harmonie//Editorial calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{feed.organization.name} · {feed.name}")
    for post in found:
        assert post.scheduled_at is not None  # scheduled posts have a time (check constraint)
        event = Event()
        event.add("uid", f"post-{post.pk}@{feed.organization.slug}.harmonie")
        event.add("dtstamp", post.updated_at.astimezone(dt.UTC))
        event.add("dtstart", post.scheduled_at.astimezone(dt.UTC))
        event.add("summary", f"[{post.channel}] {first_words(post.text)}")
        event.add("description", post.text)
        event.add("url", base + post_page_url(post))
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="harmonie.ics"'
    return response
