"""The platform advisor: which networks suit the objectives, the target and the market, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.views.decorators.http import require_GET

from harmonie.core.errors import DomainError
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import advisor, selectors
from harmonie.strategy.forms import AdvisorForm
from harmonie.strategy.models import Objective
from harmonie.strategy.views import common


@dataclass(frozen=True)
class ShownReason:
    text: str
    weight: float

    @property
    def sign(self) -> str:
        return "plus" if self.weight > 0 else "minus" if self.weight < 0 else "note"

    @property
    def points(self) -> str:
        """+15.0, −4.5 (a real minus sign), or nothing for a note that does not count."""
        if self.weight == 0:
            return ""
        return f"{'+' if self.weight > 0 else '−'}{formats.number_format(abs(self.weight), decimal_pos=1)}"


def _initial_from(objective: Objective) -> dict[str, Any]:
    """Start from an objective: its type, its audience, its market's country, its relation, voice, approach."""
    audience = objective.audience
    initial: dict[str, Any] = {"objectives": [objective.type]}
    if audience is not None:
        initial |= {"audience": audience.kind, "age_band": audience.age_band}
    relation = objective.relation_mode or (audience.relation_mode if audience else "")
    if relation:
        initial["relation_mode"] = relation
    voice = objective.voice or (audience.voice if audience else "")
    if voice:
        initial["voice"] = "brand" if voice == "brand" else "person"
    approach = objective.approach or (audience.approach if audience else "")
    if approach:
        initial["approach"] = approach
    if objective.market.kind == "country" and len(objective.market.code) == 2:
        initial["market"] = objective.market.code.upper()
    return initial


@common.member_required
@require_GET
def advisor_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.STRATEGY_VIEW)
    bound = "objectives" in request.GET
    initial: dict[str, Any] = {}
    objective = None
    wanted = request.GET.get("objective", "")
    if not bound and wanted.isdigit():
        try:
            objective = selectors.objective_get(actor=actor, pk=int(wanted))
        except DomainError:
            objective = None
        else:
            initial = _initial_from(objective)
    form = AdvisorForm(request.GET if bound else None, actor=actor, initial=initial)
    recommendations: list[dict[str, Any]] | None = None
    status = 200
    if bound:
        if form.is_valid():
            try:
                advice = advisor.advise(data=form.advisor_input())
            except advisor.AdvisorInputError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                recommendations = [
                    {
                        "rec": rec,
                        "reasons": [ShownReason(r.text, r.weight) for r in rec.reasons],
                        "rank": i if not rec.excluded else None,
                    }
                    for i, rec in enumerate(advice, start=1)
                ]
        else:
            status = 400
    return render(
        request,
        "strategy/advisor.html",
        {"form": form, "recommendations": recommendations, "from_objective": objective},
        status=status,
    )
