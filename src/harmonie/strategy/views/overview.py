"""The strategy overview: the objectives-first policy, key figures, channel coverage, and the publication check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors, services
from harmonie.strategy.forms import PolicyForm, PublicationCheckForm
from harmonie.strategy.models import Objective, StrategyPolicy
from harmonie.strategy.views import common


@dataclass
class ChannelCoverage:
    channel: Channel
    objectives: list[Objective]  # the covering objectives the member may see
    hidden: int  # covering objectives of markets outside the member's scope
    refusal: str | None  # the objectives-first message a post would get, if it would be refused

    @property
    def covered(self) -> bool:
        return bool(self.objectives) or self.hidden > 0


@dataclass
class CheckResult:
    channel: Channel
    at: dt.datetime
    refusal: str | None = None
    objectives: list[Objective] = field(default_factory=list)
    hidden: int = 0
    policy_off: bool = False


def _coverage(actor: Actor, policy: StrategyPolicy, at: dt.datetime, visible: set[int]) -> list[ChannelCoverage]:
    channels = list(governance_selectors.channel_list(actor=actor).filter(is_active=True))
    covering = services.objectives_covering_channels(channels=channels, at=at)
    rows = []
    for channel in channels:
        found = covering.get(channel.pk, [])
        shown = [o for o in found if o.pk in visible]
        refusal = None
        if not found and policy.objectives_first:
            refusal = services.objectives_first_refusal(channel=channel, at=at).message
        rows.append(ChannelCoverage(channel, shown, len(found) - len(shown), refusal))
    return rows


def _overview_page(
    request: HttpRequest,
    actor: Actor,
    *,
    policy_form: PolicyForm | None = None,
    check_form: PublicationCheckForm | None = None,
    check: CheckResult | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = selectors.strategy_policy(actor=actor)
    at = common.now()
    objectives = list(selectors.objective_list(actor=actor, status="active"))
    coverage = _coverage(actor, policy, at, {o.pk for o in objectives})
    context: dict[str, Any] = {
        "policy": policy,
        "can_set_policy": actor.can_globally(Perm.ORG_MANAGE),
        "policy_form": policy_form or PolicyForm(initial={"objectives_first": policy.objectives_first}),
        "now": at,
        "objectives": objectives,
        "kpi_count": sum(len(o.kpis.all()) for o in objectives),
        "without_kpi": [o for o in objectives if not o.kpis.all()],
        "audience_count": selectors.audience_list(actor=actor).count(),
        "rule_count": selectors.charter_rule_list(actor=actor).filter(is_active=True).count(),
        "coverage": coverage,
        "covered_count": sum(1 for row in coverage if row.covered),
        "refused_count": sum(1 for row in coverage if row.refusal),
        "check_form": check_form or PublicationCheckForm(actor=actor),
        "check": check,
    }
    return render(request, "strategy/overview.html", context, status=status)


@common.member_required
@require_GET
def overview(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _overview_page(request, actor)


@common.member_required
@require_POST
def policy_set(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PolicyForm(request.POST)

    def save(data: dict[str, Any]) -> StrategyPolicy:
        return services.strategy_policy_set(actor=actor, objectives_first=data["objectives_first"])

    policy, status = common.submit(request, form, save)
    if policy is not None:
        if policy.objectives_first:
            messages.success(request, _("Objectives first is on: posts need an active objective with a KPI."))
        else:
            messages.success(
                request, _("Objectives first is off: posts are no longer refused for lack of an objective.")
            )
        return redirect("strategy:overview")
    return _overview_page(request, actor, policy_form=form, status=status)


@common.member_required
@require_GET
def publication_check(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Would a post on this channel at this local time pass the objectives-first rule? A read: nothing is saved."""
    form = PublicationCheckForm(request.GET or None, actor=actor)
    check, status = None, 200
    if form.is_bound:
        if form.is_valid():
            channel, at = form.cleaned_data["channel"], form.cleaned_data["at"]
            check = CheckResult(channel=channel, at=at)
            visible = set(selectors.objective_list(actor=actor).values_list("pk", flat=True))
            try:
                found = services.objectives_first_check(channel=channel, at=at)
            except ValidationFailed as exc:
                check.refusal = exc.message
            else:
                check.objectives = [o for o in found if o.pk in visible]
                check.hidden = len(found) - len(check.objectives)
                check.policy_off = not found
        else:
            status = 400
    if common.is_htmx(request):
        return render(request, "strategy/overview.html#check", {"check_form": form, "check": check}, status=status)
    return _overview_page(request, actor, check_form=form, check=check, status=status)
