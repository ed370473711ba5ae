"""Cadence and resources: how often each channel publishes, what it costs in hours, what each market's team
can give; the minutes each format costs; the published benchmarks (benchmarks, not targets)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.core.errors import NotFound
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import knowledge, selectors, services
from harmonie.strategy.forms import CadenceForm, FormatEffortsForm
from harmonie.strategy.models import CadenceTarget, PostFormat
from harmonie.strategy.selectors import ChannelLoad, MarketLoad
from harmonie.strategy.views import common


@dataclass
class LoadPanel:
    load: MarketLoad
    required_percent: int
    available_percent: int
    editable: set[int]  # channels whose cadence the member may set


def _panel(actor: Actor, load: MarketLoad) -> LoadPanel:
    largest = max(load.required_hours, load.available_hours)

    def percent(value: Decimal) -> int:
        return round(100 * value / largest) if largest else 0

    editable = {c.channel.pk for c in load.channels if actor.can(Perm.STRATEGY_MANAGE, c.channel.owner_market)}
    return LoadPanel(load, percent(load.required_hours), percent(load.available_hours), editable)


def _panels(actor: Actor) -> list[LoadPanel]:
    return [_panel(actor, load) for load in selectors.resource_plan(actor=actor)]


def _find(actor: Actor, channel_pk: int) -> tuple[LoadPanel, ChannelLoad]:
    """The market panel holding the channel, and the channel's row, as the resource plan counts them."""
    for panel in _panels(actor):
        for row in panel.load.channels:
            if row.channel.pk == channel_pk:
                return panel, row
    raise NotFound(_("No such channel."))


@common.member_required
@require_GET
def cadence(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _cadence_page(request, actor)


def _cadence_page(
    request: HttpRequest, actor: Actor, *, efforts_form: FormatEffortsForm | None = None, status: int = 200
) -> HttpResponse:
    efforts = selectors.format_efforts(actor=actor)
    return render(
        request,
        "strategy/cadence.html",
        {
            "panels": _panels(actor),
            "efforts": efforts,
            "formats": PostFormat.choices,
            "can_set_efforts": actor.can_globally(Perm.STRATEGY_MANAGE),
            "efforts_form": efforts_form or FormatEffortsForm(initial=efforts),
            "benchmarks": knowledge.benchmarks(),
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def cadence_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """A channel's cadence, edited in place (HTMX swaps the market's panel), or on its own page."""
    channel = governance_selectors.channel_get(actor=actor, pk=pk)
    panel, row = _find(actor, channel.pk)
    actor.require(Perm.STRATEGY_MANAGE, channel.owner_market)
    initial = {
        "posts_per_week": row.posts_per_week,
        "main_format": row.main_format,
        "basis": channel.cadence.basis if row.has_target else "",
    }
    form = CadenceForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> CadenceTarget:
        return services.cadence_target_set(
            actor=actor,
            channel=channel,
            posts_per_week=data["posts_per_week"],
            main_format=data["main_format"],
            basis=data["basis"],
        )

    target, status = common.submit(request, form, save)
    htmx = common.is_htmx(request)
    if target is not None:
        if not htmx:
            messages.success(request, _("Cadence of %(channel)s saved.") % {"channel": channel})
            return redirect("strategy:cadence")
        fresh, _row = _find(actor, channel.pk)
        return render(request, "strategy/cadence.html#panel", {"panel": fresh})
    if htmx:
        context = {"panel": panel, "editing": channel.pk, "form": form}
        return render(request, "strategy/cadence.html#panel", context, status=status)
    return render(request, "strategy/cadence_form.html", {"form": form, "channel": channel}, status=status)


@common.member_required
@require_GET
def cadence_panel(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """A market's panel as shown on the page (HTMX swaps it back in on cancel)."""
    for panel in _panels(actor):
        if panel.load.market.pk == pk:
            return render(request, "strategy/cadence.html#panel", {"panel": panel})
    raise NotFound(_("No such market."))


@common.member_required
@require_POST
def efforts_set(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require_global(Perm.STRATEGY_MANAGE)
    form = FormatEffortsForm(request.POST)

    @transaction.atomic
    def save(data: dict[str, Any]) -> list[object]:
        return [
            services.format_effort_set(actor=actor, format=fmt, minutes_per_post=data[fmt]) for fmt in PostFormat.values
        ]

    saved, status = common.submit(request, form, save)
    if saved is not None:
        messages.success(request, _("Minutes per post saved."))
        return redirect("strategy:cadence")
    return _cadence_page(request, actor, efforts_form=form, status=status)
