"""The editorial calendar: month, week and list views in the viewer's time zone, filters kept in the URL,
drag-and-drop rescheduling (HTMX), cadence gaps per channel and public holidays per country market. The iCal
feeds are in ``calendar_feeds``.

Reads are constant in number whatever the number of posts: the visible range is turned into aware
datetimes in the viewer's zone, ``post_list`` is queried once, and posts are grouped by local day in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from harmonie.content import selectors
from harmonie.content.holidays import Holiday, holidays_between
from harmonie.content.models import Post, PostStatus
from harmonie.content.services import posts as post_services
from harmonie.content.timeutils import local_to_utc, utc_to_local
from harmonie.content.views import calendar_feeds
from harmonie.content.views.calendar_feeds import first_words
from harmonie.core.errors import DomainError, ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel, Market, Network
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

VIEWS = ("month", "week", "list")
MONTH_DAY_LIMIT = 8  # cards per day in the month grid; the rest behind "+N more" (the week view shows all)
LIST_LIMIT = 400  # cards in the list view; the days after it show "+N more" too
FILTERS = ("market", "channel", "campaign", "dimension", "status")


def zone_label(name: str) -> str:
    """``Europe/Paris`` -> ``Paris``, ``America/New_York`` -> ``New York``, ``UTC`` -> ``UTC``."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


# --- filters (they only parse input) -----------------------------------------------------------------


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    cast("forms.ChoiceField", form.fields[name]).choices = choices


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(choices=[(v, v) for v in VIEWS], required=False, widget=forms.HiddenInput)
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"], widget=forms.HiddenInput)
    market = forms.TypedChoiceField(label=gettext_lazy("Market"), coerce=int, required=False, empty_value=None)
    channel = forms.TypedChoiceField(label=gettext_lazy("Channel"), coerce=int, required=False, empty_value=None)
    campaign = forms.TypedChoiceField(label=gettext_lazy("Campaign"), coerce=int, required=False, empty_value=None)
    dimension = forms.TypedChoiceField(label=gettext_lazy("Dimension"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self, "market", [("", _("All markets")), *((m.pk, f"{'— ' * m.depth}{m.name}") for m in scope.markets)]
        )
        _set_choices(self, "channel", [("", _("All channels")), *((c.pk, str(c)) for c in scope.channels)])
        _set_choices(self, "campaign", [("", _("All campaigns")), *scope.campaigns])
        _set_choices(self, "dimension", [("", _("All dimensions")), *scope.dimensions])
        _set_choices(self, "status", [("", _("Drafts and scheduled")), *PostStatus.choices])


class MoveForm(forms.Form):
    post = forms.IntegerField(min_value=1)
    to = forms.DateField(input_formats=["%Y-%m-%d"])


@dataclass
class Scope:
    """What the member may filter on, read once per request (one query per list)."""

    markets: list[Market]
    channels: list[Channel]  # with their cadence target (select_related) and served markets
    campaigns: list[tuple[int, str]]
    dimensions: list[tuple[int, str]]

    @classmethod
    def of(cls, actor: Actor) -> Scope:
        markets = list(governance_selectors.market_list(actor=actor)) if actor.can(Perm.MARKETS_VIEW) else []
        channels = (
            list(governance_selectors.channel_list(actor=actor).select_related("cadence"))
            if actor.can(Perm.CHANNELS_VIEW)
            else []
        )
        campaigns = list(selectors.campaign_list(actor=actor).prefetch_related(None).values_list("pk", "name"))
        dimensions = (
            list(governance_selectors.dimension_list(actor=actor).values_list("pk", "name"))
            if actor.can(Perm.DIMENSIONS_VIEW)
            else []
        )
        return cls(markets, channels, campaigns, dimensions)


# --- presentation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A post as the calendar shows it: plain values, read without building model instances."""

    pk: str  # strings render without number formatting (thousands of cards)
    status: str
    status_label: str
    channel: str
    network: str
    market: str
    text: str
    summary: str
    url: str
    date: str  # the viewer's local day, YYYY-MM-DD
    time: str  # the viewer's local time, HH:MM
    channel_time: str  # the channel's local time, HH:MM
    channel_zone: str
    same_zone: bool
    utc: str
    movable: bool


@dataclass
class Day:
    date: dt.date
    iso: str
    in_period: bool
    is_today: bool
    is_past: bool
    cards: list[Card] = field(default_factory=list)
    holidays: list[Holiday] = field(default_factory=list)
    more: int = 0


@dataclass(frozen=True)
class CadenceCell:
    monday: str  # YYYY-MM-DD
    planned: int
    label: str  # "2 of 3", or "2" without a target
    state: str  # "met", "short", "none"


@dataclass(frozen=True)
class CadenceRow:
    channel: Channel
    target: Decimal | None
    cells: list[CadenceCell]


@dataclass
class Period:
    view: str
    anchor: dt.date
    start: dt.date
    end: dt.date  # exclusive
    previous: dt.date
    following: dt.date

    @classmethod
    def of(cls, view: str, anchor: dt.date) -> Period:
        if view == "week":
            start = anchor - dt.timedelta(days=anchor.weekday())
            return cls(view, anchor, start, start + dt.timedelta(days=7), anchor - dt.timedelta(days=7),
                       anchor + dt.timedelta(days=7))  # fmt: skip
        first = anchor.replace(day=1)
        next_month = (first + dt.timedelta(days=32)).replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        end = next_month + dt.timedelta(days=(7 - next_month.weekday()) % 7)
        return cls(view, anchor, start, end, previous, next_month)

    def in_period(self, day: dt.date) -> bool:
        return self.view == "week" or day.month == self.anchor.month

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def mondays(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=7 * i) for i in range((self.end - self.start).days // 7)]


def _subtree(markets: list[Market], pk: int | None) -> list[Market]:
    root = next((m for m in markets if m.pk == pk), None)
    return [m for m in markets if root is None or m.path.startswith(root.path)]


def _channel_in(channel: Channel, markets: list[Market]) -> bool:
    paths = [m.path for m in markets]
    own = [channel.owner_market.path, *(m.path for m in channel.served_markets.all())]
    return any(p.startswith(root) for p in own for root in paths)


def _cadence(channels: list[Channel], planned: Counter[tuple[int, dt.date]], period: Period) -> list[CadenceRow]:
    """Scheduled posts per channel and week (Monday) against the channel's cadence target."""
    with_posts = {channel_id for channel_id, _monday in planned}
    rows: list[CadenceRow] = []
    for channel in channels:
        target_row = getattr(channel, "cadence", None)  # select_related: no query, None when missing
        target = target_row.posts_per_week if target_row is not None else None
        if channel.pk not in with_posts and (target is None or not channel.is_active):
            continue
        target_label = floatformat(target, -1) if target is not None else ""
        cells = []
        for monday in period.mondays:
            count = planned[channel.pk, monday]
            if target is None:
                cells.append(CadenceCell(f"{monday:%Y-%m-%d}", count, str(count), "none"))
            else:
                label = _("%(planned)s of %(target)s") % {"planned": count, "target": target_label}
                cells.append(CadenceCell(f"{monday:%Y-%m-%d}", count, label, "met" if count >= target else "short"))
        rows.append(CadenceRow(channel, target, cells))
    return rows


CARD_FIELDS = (
    "pk", "scheduled_at", "status", "text", "channel_id", "channel__display_name", "channel__network",
    "channel__timezone", "market_id", "market__code",
)  # fmt: skip
_PK = 987654321  # reverse() once per request, not once per card (thousands of posts in a busy month)


class _CardBuilder:
    def __init__(self, *, zone_name: str, now: dt.datetime, movable_markets: set[int]) -> None:
        self.zone_name, self.now, self.movable_markets = zone_name, now, movable_markets
        self.url = reverse("content:post", args=[_PK]).replace(str(_PK), "{pk}")
        self.networks = dict(Network.choices)
        self.statuses = dict(PostStatus.choices)

    def __call__(self, row: tuple[Any, ...], local: dt.datetime) -> Card:
        pk, at, status, text, _channel_id, name, network, channel_zone, market_id, market_code = row
        channel_local = utc_to_local(at, channel_zone)
        return Card(
            pk=str(pk), status=status, status_label=str(self.statuses.get(status, status)),
            channel=f"{name} ({self.networks.get(network, network)})", network=network, market=market_code,
            text=text[:300],
            summary=first_words(text), url=self.url.format(pk=pk), date=f"{local:%Y-%m-%d}", time=f"{local:%H:%M}",
            channel_time=f"{channel_local:%H:%M}", channel_zone=zone_label(channel_zone),
            same_zone=channel_zone == self.zone_name, utc=f"{at.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}",
            movable=status == PostStatus.SCHEDULED and at > self.now and market_id in self.movable_markets,
        )  # fmt: skip


def _context(request: HttpRequest, actor: Actor, data: QueryDict) -> tuple[dict[str, Any], int]:
    """Everything the calendar body shows, from the filters and view in ``data`` (GET or POST)."""
    scope = Scope.of(actor)
    form = CalendarFilterForm(data, scope=scope)
    status = 200 if form.is_valid() else 400  # an invalid filter is left out; the valid ones still apply
    cleaned: dict[str, Any] = form.cleaned_data
    today = timezone.localdate()
    view = cleaned.get("view") or "month"
    period = Period.of(view, cleaned.get("date") or today)
    zone = timezone.get_current_timezone()
    zone_name = timezone.get_current_timezone_name()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end, dt.time.min, tzinfo=zone)
    status_filter = cleaned.get("status") or None
    posts: QuerySet[Post] = selectors.post_list(
        actor=actor, start=start, end=end, channel_pk=cleaned.get("channel"), campaign_pk=cleaned.get("campaign"),
        dimension_pk=cleaned.get("dimension"), status=status_filter,
    )  # fmt: skip
    markets = _subtree(scope.markets, cleaned.get("market"))
    if cleaned.get("market"):
        posts = posts.filter(market__path__startswith=markets[0].path if markets else "-")
    if status_filter is None:
        posts = posts.exclude(status=PostStatus.CANCELLED)
    dates = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days)]
    days = {
        d: Day(date=d, iso=f"{d:%Y-%m-%d}", in_period=period.in_period(d), is_today=d == today, is_past=d < today)
        for d in dates
    }
    movable_markets = {m.pk for m in scope.markets if actor.can(Perm.CONTENT_CREATE, m)}
    planned: Counter[tuple[int, dt.date]] = Counter()
    count = 0
    build = _CardBuilder(zone_name=zone_name, now=timezone.now(), movable_markets=movable_markets)
    for row in posts.values_list(*CARD_FIELDS):
        count += 1
        local = timezone.localtime(row[1], zone)
        day = days[local.date()]
        if row[2] == PostStatus.SCHEDULED:
            planned[row[4], day.date - dt.timedelta(days=day.date.weekday())] += 1
        if (view == "month" and len(day.cards) >= MONTH_DAY_LIMIT) or (view == "list" and count > LIST_LIMIT):
            day.more += 1
        else:
            day.cards.append(build(row, local))
    channel_pk = cleaned.get("channel")
    channels = [c for c in scope.channels if (channel_pk is None or c.pk == channel_pk) and _channel_in(c, markets)]
    holiday_markets = markets
    if channel_pk is not None:
        holiday_markets = [m for m in markets if any(_channel_in(c, [m]) for c in channels)]
    for day_date, found in holidays_between(holiday_markets, period.start, period.end).items():
        days[day_date].holidays = found
    query = {k: v for k in FILTERS if (v := data.get(k))}
    context = {
        "scope": scope,
        "links": _links(view, period, today, query),
        "holiday_count": sum(len(d.holidays) for d in days.values()),
        "form": form,
        "period": period,
        "view": view,
        "weeks": [list(days.values())[i : i + 7] for i in range(0, len(days), 7)],
        "list_days": [d for d in days.values() if d.cards or d.holidays or d.more],
        "post_count": count,
        "cadence": _cadence(channels, planned, period),
        "zone_name": zone_name,
        "zone_label": zone_label(zone_name),
        "today": today,
        "filters_query": urlencode(query),
    }
    return context, status


def _links(view: str, period: Period, today: dt.date, query: dict[str, str]) -> dict[str, Any]:
    base = reverse("content:calendar")

    def url(v: str, day: dt.date, filters: dict[str, str] = query) -> str:
        return f"{base}?{urlencode({'view': v, 'date': f'{day:%Y-%m-%d}', **filters})}"

    labels = {"month": _("Month"), "week": _("Week"), "list": _("List")}
    return {
        "previous": url(view, period.previous),
        "following": url(view, period.following),
        "today": url(view, today),
        "reset": url(view, period.anchor, {}),
        "views": [(v, labels[v], url(v, period.anchor)) for v in VIEWS],
    }


def _calendar_url(data: QueryDict) -> str:
    query = {k: v for k in ("view", "date", *FILTERS) if (v := data.get(k))}
    return reverse("content:calendar") + (f"?{urlencode(query)}" if query else "")


# --- pages -------------------------------------------------------------------------------------------


@common.member_required
@require_GET
def calendar(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.CONTENT_VIEW)
    context, status = _context(request, actor, request.GET)
    scope: Scope = context["scope"]
    markets = [m for m in scope.markets if actor.can(Perm.CONTENT_VIEW, m)]  # no query: the scope's reads
    context.update(calendar_feeds.feeds_context(actor, markets=markets, channels=scope.channels))
    return render(request, "content/calendar.html", context, status=status)


def same_local_time_on(post: Post, day: dt.date) -> dt.datetime:
    """``day`` at the post's time of day on its channel's wall clock (09:00 Paris stays 09:00 Paris)."""
    if post.scheduled_at is None or post.status != PostStatus.SCHEDULED:
        raise ValidationFailed(_("Only scheduled posts move in the calendar; schedule this one from its page."))
    zone = post.channel.timezone
    return local_to_utc(day, utc_to_local(post.scheduled_at, zone).time(), zone)


@common.member_required
@require_POST
def calendar_move(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A card dropped on another day: same local time (in the channel's zone) on that day, every check of
    ``post_schedule`` applied. HTMX gets the calendar body again, with the result or the refusal."""
    move = MoveForm(request.POST)
    message, status = "", 200
    if not move.is_valid():
        message, status = _("Drop the post on a day of the calendar."), 400
    else:
        try:
            post = selectors.post_get(actor=actor, pk=move.cleaned_data["post"])
            moved = post_services.post_schedule(
                actor=actor, post=post, scheduled_at=same_local_time_on(post, move.cleaned_data["to"])
            )
        except DomainError as exc:
            message, status = exc.message, exc.status_code
        else:
            assert moved.scheduled_at is not None
            zone = moved.channel.timezone
            local = utc_to_local(moved.scheduled_at, zone)
            message = _("%(channel)s: moved to %(day)s, %(time)s %(zone)s.") % {
                "channel": moved.channel, "day": date_format(local.date(), "DATE_FORMAT"),
                "time": f"{local:%H:%M}", "zone": zone_label(zone),
            }  # fmt: skip
    if not common.is_htmx(request):
        (messages.success if status == 200 else messages.error)(request, message)
        return redirect(_calendar_url(request.POST))
    context, _status = _context(request, actor, request.POST)
    context.update({"message": message, "message_ok": status == 200})
    return render(request, "content/calendar.html#body", context, status=status)
