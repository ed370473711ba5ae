"""Objectives with their KPIs, and audiences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from harmonie.core.errors import DomainError
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors, services
from harmonie.strategy.forms import AudienceForm, KPIForm, ObjectiveForm
from harmonie.strategy.models import KPI, Audience, Objective
from harmonie.strategy.views import common

# --- objectives ------------------------------------------------------------------------------


@common.member_required
@require_GET
def objective_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    objectives = list(selectors.objective_list(actor=actor))
    return render(
        request,
        "strategy/objectives.html",
        {"objectives": objectives, "can_create": actor.can(Perm.STRATEGY_MANAGE)},
    )


def _objective_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "type": data["type"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "description": data["description"],
        "audience": data["audience"],
        "channels": list(data["channels"]),
        "relation_mode": data["relation_mode"],
        "approach": data["approach"],
        "voice": data["voice"],
        "status": data["status"],
    }


@common.member_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.STRATEGY_MANAGE)
    year = common.now().year
    initial = {"period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31)}
    form = ObjectiveForm(request.POST or None, actor=actor, initial=initial)

    def create(data: dict[str, Any]) -> Objective:
        return services.objective_create(actor=actor, market=data["market"], **_objective_values(data))

    objective, status = common.submit(request, form, create)
    if objective is not None:
        messages.success(
            request,
            _("Objective %(name)s created. Add at least one KPI: until then it does not count for objectives first.")
            % {"name": objective.name},
        )
        return redirect("strategy:objective", pk=objective.pk)
    return render(request, "strategy/objective_form.html", {"form": form, "objective": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, pk=pk)
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    initial = {
        "name": objective.name,
        "type": objective.type,
        "description": objective.description,
        "period_start": objective.period_start,
        "period_end": objective.period_end,
        "audience": objective.audience_id,
        "channels": [c.pk for c in objective.channels.all()],
        "relation_mode": objective.relation_mode,
        "approach": objective.approach,
        "voice": objective.voice,
        "status": objective.status,
    }
    form = ObjectiveForm(request.POST or None, actor=actor, editing=True, initial=initial)

    def update(data: dict[str, Any]) -> Objective:
        return services.objective_update(actor=actor, objective=objective, **_objective_values(data))

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Objective %(name)s saved.") % {"name": updated.name})
        return redirect("strategy:objective", pk=updated.pk)
    return render(request, "strategy/objective_form.html", {"form": form, "objective": objective}, status=status)


def _objective_page(
    request: HttpRequest, actor: Actor, objective: Objective, *, kpi_form: KPIForm | None = None, status: int = 200
) -> HttpResponse:
    can_manage = actor.can(Perm.STRATEGY_MANAGE, objective.market)
    return render(
        request,
        "strategy/objective.html",
        {
            "objective": objective,
            "can_manage": can_manage,
            "kpi_form": (kpi_form or KPIForm()) if can_manage else None,
        },
        status=status,
    )


@common.member_required
@require_GET
def objective_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _objective_page(request, actor, selectors.objective_get(actor=actor, pk=pk))


def _kpi_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "metric": data["metric"],
        "baseline": data["baseline"],
        "target": data["target"],
        "period_start": data["period_start"],
        "period_end": data["period_end"],
        "note": data["note"],
    }


@common.member_required
@require_http_methods(["GET", "POST"])
def kpi_create(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    objective = selectors.objective_get(actor=actor, pk=pk)
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    form = KPIForm(request.POST or None)

    def create(data: dict[str, Any]) -> KPI:
        return services.kpi_create(actor=actor, objective=objective, **_kpi_values(data))

    kpi, status = common.submit(request, form, create)
    if kpi is not None:
        messages.success(request, _("KPI added to %(name)s.") % {"name": objective.name})
        return redirect("strategy:objective", pk=objective.pk)
    return render(request, "strategy/kpi_form.html", {"form": form, "objective": objective, "kpi": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    kpi = selectors.kpi_get(actor=actor, pk=pk)
    objective = kpi.objective
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    initial = {
        "metric": kpi.metric,
        "baseline": kpi.baseline,
        "target": kpi.target,
        "period_start": kpi.period_start,
        "period_end": kpi.period_end,
        "note": kpi.note,
    }
    form = KPIForm(request.POST or None, initial=initial)

    def update(data: dict[str, Any]) -> KPI:
        return services.kpi_update(actor=actor, kpi=kpi, **_kpi_values(data))

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("KPI saved."))
        return redirect("strategy:objective", pk=objective.pk)
    return render(request, "strategy/kpi_form.html", {"form": form, "objective": objective, "kpi": kpi}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def kpi_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    kpi = selectors.kpi_get(actor=actor, pk=pk)
    objective = kpi.objective
    actor.require(Perm.STRATEGY_MANAGE, objective.market)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.kpi_delete(actor=actor, kpi=kpi)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("KPI deleted."))
            return redirect("strategy:objective", pk=objective.pk)
    return render(
        request,
        "strategy/confirm_delete.html",
        {
            "title": _("Delete this KPI of %(name)s?") % {"name": objective.name},
            "explanation": _("An objective without a KPI does not count for objectives first."),
            "cancel_href": reverse("strategy:objective", args=[objective.pk]),
            "error": error,
        },
        status=status,
    )


# --- audiences -------------------------------------------------------------------------------


def _can_manage_audience(actor: Actor, audience: Audience) -> bool:
    """As the services decide: every market of the audience, or Global for an organization-wide one."""
    markets = list(audience.markets.all())
    if not markets:
        return actor.can_globally(Perm.STRATEGY_MANAGE)
    return all(actor.can(Perm.STRATEGY_MANAGE, m) for m in markets)


def _require_audience_manage(actor: Actor, audience: Audience) -> None:
    markets = list(audience.markets.all())
    for market in markets:
        actor.require(Perm.STRATEGY_MANAGE, market)
    if not markets:
        actor.require_global(Perm.STRATEGY_MANAGE)


@common.member_required
@require_GET
def audience_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    audiences = list(selectors.audience_list(actor=actor))
    editable = {a.pk for a in audiences if _can_manage_audience(actor, a)}
    return render(
        request,
        "strategy/audiences.html",
        {"audiences": audiences, "editable": editable, "can_create": actor.can(Perm.STRATEGY_MANAGE)},
    )


def _audience_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "age_band": data["age_band"],
        "markets": list(data["markets"]),
        "description": data["description"],
        "relation_mode": data["relation_mode"],
        "approach": data["approach"],
        "voice": data["voice"],
    }


@common.member_required
@require_http_methods(["GET", "POST"])
def audience_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.STRATEGY_MANAGE)
    form = AudienceForm(request.POST or None, actor=actor)

    def create(data: dict[str, Any]) -> Audience:
        return services.audience_create(actor=actor, **_audience_values(data))

    audience, status = common.submit(request, form, create)
    if audience is not None:
        messages.success(request, _("Audience %(name)s created.") % {"name": audience.name})
        return redirect("strategy:audiences")
    return render(request, "strategy/audience_form.html", {"form": form, "audience": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def audience_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    audience = selectors.audience_get(actor=actor, pk=pk)
    initial = {
        "name": audience.name,
        "kind": audience.kind,
        "age_band": audience.age_band,
        "markets": [m.pk for m in audience.markets.all()],
        "description": audience.description,
        "relation_mode": audience.relation_mode,
        "approach": audience.approach,
        "voice": audience.voice,
    }
    _require_audience_manage(actor, audience)
    form = AudienceForm(request.POST or None, actor=actor, initial=initial)

    def update(data: dict[str, Any]) -> Audience:
        return services.audience_update(actor=actor, audience=audience, **_audience_values(data))

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Audience %(name)s saved.") % {"name": updated.name})
        return redirect("strategy:audiences")
    return render(request, "strategy/audience_form.html", {"form": form, "audience": audience}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def audience_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    audience = selectors.audience_get(actor=actor, pk=pk)
    _require_audience_manage(actor, audience)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.audience_delete(actor=actor, audience=audience)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Audience %(name)s deleted.") % {"name": audience.name})
            return redirect("strategy:audiences")
    return render(
        request,
        "strategy/confirm_delete.html",
        {
            "title": _("Delete the audience %(name)s?") % {"name": audience.name},
            "explanation": _("Objectives aimed at it keep their other settings and lose their audience."),
            "cancel_href": reverse("strategy:audiences"),
            "error": error,
        },
        status=status,
    )
