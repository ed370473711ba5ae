"""Channels (one account on one network) and budgets (planned spend per market and dimension)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harmonie.core.errors import DomainError
from harmonie.governance import selectors, services
from harmonie.governance.forms import (
    BudgetFilterForm,
    BudgetForm,
    ChannelCreateForm,
    ChannelEditForm,
    ChannelFilterForm,
)
from harmonie.governance.models import Budget, Channel
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

# --- channels --------------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET"])
def channel_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters = ChannelFilterForm(request.GET or None, actor=actor)
    market = network = None
    status = 200
    if filters.is_bound:
        if filters.is_valid():
            market, network = filters.cleaned_data["market"], filters.cleaned_data["network"] or None
        else:
            status = 400
    channels = selectors.channel_list(actor=actor, market_pk=market.pk if market else None, network=network)
    return render(request, "governance/channels.html", {"channels": channels, "filters": filters}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def channel_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.CHANNELS_MANAGE)
    form = ChannelCreateForm(request.POST or None, actor=actor)

    def create(data: dict[str, Any]) -> Channel:
        return services.channel_create(
            actor=actor,
            network=data["network"],
            handle=data["handle"],
            display_name=data["display_name"],
            owner_market=data["owner_market"],
            served_markets=list(data["served_markets"]),
            timezone=data["timezone"],
        )

    channel, status = common.submit(request, form, create)
    if channel is not None:
        messages.success(request, _("Channel %(name)s created.") % {"name": channel})
        return redirect("governance:channels")
    return render(request, "governance/channel_form.html", {"form": form, "channel": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    channel = selectors.channel_get(actor=actor, pk=pk)
    actor.require(Perm.CHANNELS_MANAGE, channel.owner_market)
    initial = {
        "display_name": channel.display_name,
        "served_markets": [m.pk for m in channel.served_markets.all()],
        "timezone": channel.timezone,
        "is_active": channel.is_active,
    }
    form = ChannelEditForm(request.POST or None, actor=actor, initial=initial)

    def update(data: dict[str, Any]) -> Channel:
        return services.channel_update(
            actor=actor,
            channel=channel,
            display_name=data["display_name"],
            served_markets=list(data["served_markets"]),
            timezone=data["timezone"],
            is_active=data["is_active"],
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Channel %(name)s saved.") % {"name": updated})
        return redirect("governance:channels")
    return render(request, "governance/channel_form.html", {"form": form, "channel": channel}, status=status)


# --- budgets ---------------------------------------------------------------------------------


def _totals(budgets: list[Budget]) -> tuple[list[common.Bar], list[common.Bar]]:
    """Planned totals per market and per dimension, each in its currency, as bars."""
    per_market: dict[tuple[int, str], tuple[str, Decimal]] = {}
    per_dimension: dict[tuple[int, str], tuple[str, Decimal]] = {}
    for b in budgets:
        for table, key, name in (
            (per_market, (b.market_id, b.currency), b.market.name),
            (per_dimension, (b.dimension_id, b.currency), b.dimension.name),
        ):
            previous = table.get(key, (name, Decimal(0)))[1]
            table[key] = (name, previous + b.planned_amount)

    def as_bars(table: dict[tuple[int, str], tuple[str, Decimal]], *, by_currency: bool) -> list[common.Bar]:
        rows = [(name, amount, currency) for (_pk, currency), (name, amount) in table.items()]
        if by_currency:
            rows.sort(key=lambda r: (r[2], -r[1]))
        return common.bars(rows, label=lambda r: r[0], value=lambda r: r[1], unit=lambda r: r[2])

    return as_bars(per_market, by_currency=False), as_bars(per_dimension, by_currency=True)


@common.member_required
@require_http_methods(["GET"])
def budget_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    this_year = common.current_year()
    filters = BudgetFilterForm(request.GET or None, actor=actor, current_year=this_year)
    year, market, status = this_year, None, 200
    if filters.is_bound:
        if filters.is_valid():
            year = filters.cleaned_data["year"] or this_year
            market = filters.cleaned_data["market"]
        else:
            status = 400
    budgets = list(selectors.budget_list(actor=actor, year=year, market_pk=market.pk if market else None))
    by_market, by_dimension = _totals(budgets)
    return render(
        request,
        "governance/budgets.html",
        {
            "budgets": budgets,
            "filters": filters,
            "year": year,
            "by_market": by_market,
            "by_dimension": by_dimension,
            "can_manage": actor.can(Perm.BUDGETS_MANAGE),
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def budget_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.BUDGETS_MANAGE)
    year = common.current_year()
    initial = {"period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31)}
    form = BudgetForm(request.POST or None, actor=actor, initial=initial)

    def create(data: dict[str, Any]) -> Budget:
        return services.budget_create(
            actor=actor,
            market=data["market"],
            dimension=data["dimension"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            planned_amount=data["planned_amount"],
            currency=data["currency"],
            notes=data["notes"],
        )

    budget, status = common.submit(request, form, create)
    if budget is not None:
        messages.success(request, _("Budget saved: %(budget)s.") % {"budget": budget})
        return redirect("governance:budgets")
    return render(request, "governance/budget_form.html", {"form": form, "budget": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    budget = selectors.budget_get(actor=actor, pk=pk)
    actor.require(Perm.BUDGETS_MANAGE, budget.market)
    initial = {
        "period_start": budget.period_start,
        "period_end": budget.period_end,
        "planned_amount": budget.planned_amount,
        "currency": budget.currency,
        "notes": budget.notes,
    }
    form = BudgetForm(request.POST or None, actor=actor, editing=True, initial=initial)

    def update(data: dict[str, Any]) -> Budget:
        return services.budget_update(
            actor=actor,
            budget=budget,
            period_start=data["period_start"],
            period_end=data["period_end"],
            planned_amount=data["planned_amount"],
            currency=data["currency"],
            notes=data["notes"],
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Budget saved: %(budget)s.") % {"budget": updated})
        return redirect("governance:budgets")
    return render(request, "governance/budget_form.html", {"form": form, "budget": budget}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def budget_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    budget = selectors.budget_get(actor=actor, pk=pk)
    actor.require(Perm.BUDGETS_MANAGE, budget.market)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.budget_delete(actor=actor, budget=budget)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Budget deleted: %(budget)s.") % {"budget": budget})
            return redirect("governance:budgets")
    return render(
        request,
        "governance/confirm_delete.html",
        {
            "object": budget,
            "title": _("Delete this budget?"),
            "explanation": str(budget),
            "cancel_url": "governance:budgets",
            "error": error,
        },
        status=status,
    )
