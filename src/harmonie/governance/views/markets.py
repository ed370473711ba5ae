"""Markets (the tree) and teams."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harmonie.core.errors import DomainError
from harmonie.governance import selectors, services
from harmonie.governance.forms import MarketCreateForm, MarketEditForm, TeamForm
from harmonie.governance.models import Market, Team
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

# --- markets ---------------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET"])
def market_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    markets = selectors.market_list(actor=actor)
    return render(request, "governance/markets.html", {"markets": markets})


@common.member_required
@require_http_methods(["GET", "POST"])
def market_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.MARKETS_MANAGE)
    form = MarketCreateForm(request.POST or None, actor=actor)

    def create(data: dict[str, Any]) -> Market:
        return services.market_create(
            actor=actor,
            parent=data["parent"],
            kind=data["kind"],
            code=data["code"],
            name=data["name"],
            languages=data["languages"],
            timezone=data["timezone"],
            currency=data["currency"],
        )

    market, status = common.submit(request, form, create)
    if market is not None:
        messages.success(request, _("Market %(name)s created.") % {"name": market.name})
        return redirect("governance:markets")
    return render(request, "governance/market_form.html", {"form": form, "market": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def market_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    market = selectors.market_get(actor=actor, pk=pk)
    actor.require(Perm.MARKETS_MANAGE, market)
    form = MarketEditForm(request.POST or None, actor=actor, market=market)

    def update(data: dict[str, Any]) -> Market:
        return services.market_update(
            actor=actor,
            market=market,
            name=data["name"],
            code=data["code"],
            languages=data["languages"],
            timezone=data["timezone"],
            currency=data["currency"],
            parent=data.get("parent"),
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Market %(name)s saved.") % {"name": updated.name})
        return redirect("governance:markets")
    return render(request, "governance/market_form.html", {"form": form, "market": market}, status=status)


# --- teams -----------------------------------------------------------------------------------


def _require_team_manage(actor: Actor, team: Team) -> None:
    """A market team is managed from its market; HQ and agency teams without one, from Global."""
    if team.market is not None:
        actor.require(Perm.TEAMS_MANAGE, team.market)
    else:
        actor.require_global(Perm.TEAMS_MANAGE)


@common.member_required
@require_http_methods(["GET"])
def team_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    teams = selectors.team_list(actor=actor)
    return render(request, "governance/teams.html", {"teams": teams})


@common.member_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.TEAMS_MANAGE)
    form = TeamForm(request.POST or None, actor=actor)

    def create(data: dict[str, Any]) -> Team:
        return services.team_create(
            actor=actor, name=data["name"], kind=data["kind"], market=data["market"], description=data["description"]
        )

    team, status = common.submit(request, form, create)
    if team is not None:
        messages.success(request, _("Team %(name)s created.") % {"name": team.name})
        return redirect("governance:teams")
    return render(request, "governance/team_form.html", {"form": form, "team": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    team = selectors.team_get(actor=actor, pk=pk)
    _require_team_manage(actor, team)
    initial = {"name": team.name, "kind": team.kind, "market": team.market_id, "description": team.description}
    form = TeamForm(request.POST or None, actor=actor, initial=initial)

    def update(data: dict[str, Any]) -> Team:
        return services.team_update(
            actor=actor,
            team=team,
            name=data["name"],
            kind=data["kind"],
            market=data["market"],
            description=data["description"],
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Team %(name)s saved.") % {"name": updated.name})
        return redirect("governance:teams")
    return render(request, "governance/team_form.html", {"form": form, "team": team}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def team_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    team = selectors.team_get(actor=actor, pk=pk)
    _require_team_manage(actor, team)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.team_delete(actor=actor, team=team)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Team %(name)s deleted.") % {"name": team.name})
            return redirect("governance:teams")
    return render(
        request,
        "governance/confirm_delete.html",
        {
            "object": team,
            "title": _("Delete the team %(name)s?") % {"name": team.name},
            "explanation": _("Its members stay in the organization, without a team."),
            "cancel_url": "governance:teams",
            "error": error,
        },
        status=status,
    )
