"""Approval circuits: the list (steps, where the governance matrix uses each, the conditions that add one), a
circuit's page with its ordered steps, its deletion, and adding or removing conditions. Everyone who reads the
governance matrix reads this; members holding ``governance.edit`` at Global change it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from harmonie.approvals import selectors
from harmonie.approvals.circuit_forms import (
    BaseStepFormSet,
    CircuitForm,
    ConditionForm,
    StepForm,
    StepFormSet,
    step_formset_with_extra_row,
)
from harmonie.approvals.models import ApprovalCircuit, CircuitCondition, CircuitStep, ConditionKind, StepMode
from harmonie.approvals.services import circuits as services
from harmonie.core.errors import DomainError, NotFound
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import add_domain_error
from harmonie.governance.models import Network
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

STEPS_PREFIX = "steps"


def step_summary(step: CircuitStep) -> str:
    """``1. Brand — any of role Approver (brand) @ Global, 24 h``: who approves a step, in one line."""
    if step.external:
        who = _("an external reviewer, through a review link")
    else:
        parts = []
        if step.role:
            where = step.market.name if step.market is not None else _("the post's market")
            parts.append(_("role %(role)s @ %(market)s") % {"role": step.get_role_display(), "market": where})
        if step.team is not None:
            parts.append(_("team %(team)s") % {"team": step.team.name})
        if step.member is not None:
            parts.append(str(step.member.user.get_full_name() or step.member.user.email))
        mode = _("all of") if step.mode == StepMode.ALL else _("any of")
        who = f"{mode} {' · '.join(parts)}"
    return _("%(position)s. %(name)s — %(who)s, %(hours)s h") % {
        "position": step.position,
        "name": step.name,
        "who": who,
        "hours": step.response_hours,
    }


def condition_summary(condition: CircuitCondition) -> str:
    """What the condition is about: the network, the campaign, or nothing more than its kind."""
    if condition.kind == ConditionKind.NETWORK:
        return str(Network(condition.network).label) if condition.network in Network.values else condition.network
    if condition.kind == ConditionKind.CAMPAIGN and condition.campaign is not None:
        return condition.campaign.name
    return ""


@dataclass
class CircuitRow:
    circuit: ApprovalCircuit
    steps: list[str]
    used_in: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConditionRow:
    condition: CircuitCondition
    about: str


def _matrix_usage(actor: Actor) -> dict[str, list[str]]:
    """Circuit key -> the matrix cells (dimension × market) whose own rule names it."""
    markets, rows = governance_selectors.governance_matrix(actor=actor)
    root = next(m for m in markets if m.is_root)
    usage: dict[str, list[str]] = {}
    for row in rows:
        for cell in row.cells:
            if cell.market is not None and not cell.overridden:
                continue
            key = cell.rule.approval_circuit
            if key:
                market = cell.market or root
                usage.setdefault(key, []).append(f"{row.dimension.name} × {market.name}")
    return usage


def _list_page(
    request: HttpRequest, actor: Actor, *, condition_form: ConditionForm | None = None, status: int = 200
) -> HttpResponse:
    can_edit = actor.can_globally(Perm.GOVERNANCE_EDIT)
    usage = _matrix_usage(actor)
    circuits = [
        CircuitRow(circuit=c, steps=[step_summary(s) for s in c.steps.all()], used_in=usage.get(c.key, []))
        for c in selectors.circuit_list(actor=actor)
    ]
    conditions = [ConditionRow(condition=c, about=condition_summary(c)) for c in selectors.condition_list(actor=actor)]
    context = {
        "circuits": circuits,
        "conditions": conditions,
        "can_edit": can_edit,
        "condition_form": (condition_form or ConditionForm(actor=actor)) if can_edit else None,
    }
    return render(request, "approvals/circuits.html", context, status=status)


@common.member_required
@require_http_methods(["GET"])
def circuit_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor)


def _step_formset(request: HttpRequest, actor: Actor, circuit: ApprovalCircuit | None) -> BaseStepFormSet:
    if request.method != "POST":
        initial = [StepForm.initial_for(s) for s in circuit.steps.all()] if circuit else []
        return StepFormSet(initial=initial, prefix=STEPS_PREFIX, actor=actor)
    data = step_formset_with_extra_row(request.POST, STEPS_PREFIX) if "add_step" in request.POST else request.POST
    return StepFormSet(data, prefix=STEPS_PREFIX, actor=actor)


def _circuit_form_page(request: HttpRequest, actor: Actor, circuit: ApprovalCircuit | None) -> HttpResponse:
    actor.require_global(Perm.GOVERNANCE_EDIT)
    initial = CircuitForm.initial_for(circuit) if circuit else None
    form = CircuitForm(request.POST or None, initial=initial)
    steps = _step_formset(request, actor, circuit)
    status = 200
    if request.method == "POST" and "add_step" not in request.POST:
        form_ok, steps_ok = form.is_valid(), steps.is_valid()
        if form_ok and steps_ok:
            data = form.cleaned_data
            try:
                saved = services.circuit_save(
                    actor=actor, circuit=circuit, name=data["name"], key=data["key"],
                    description=data["description"], is_active=data["is_active"], steps=steps.specs(),
                )  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Circuit %(name)s saved.") % {"name": saved.name})
                return redirect("approvals:circuits")
        else:
            status = 400
    context = {"form": form, "steps": steps, "circuit": circuit}
    return render(request, "approvals/circuit_form.html", context, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def circuit_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _circuit_form_page(request, actor, None)


@common.member_required
@require_http_methods(["GET", "POST"])
def circuit_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _circuit_form_page(request, actor, selectors.circuit_get(actor=actor, pk=pk))


@common.member_required
@require_http_methods(["GET", "POST"])
def circuit_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    circuit = selectors.circuit_get(actor=actor, pk=pk)
    actor.require_global(Perm.GOVERNANCE_EDIT)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.circuit_delete(actor=actor, circuit=circuit)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Circuit %(name)s deleted.") % {"name": circuit.name})
            return redirect("approvals:circuits")
    context = {"circuit": circuit, "error": error, "used_in": _matrix_usage(actor).get(circuit.key, [])}
    return render(request, "approvals/circuit_confirm_delete.html", context, status=status)


@common.member_required
@require_POST
def condition_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require_global(Perm.GOVERNANCE_EDIT)
    form = ConditionForm(request.POST, actor=actor)

    def add(data: dict[str, Any]) -> CircuitCondition:
        return services.condition_add(
            actor=actor, kind=data["kind"], circuit=data["circuit"], network=data["network"],
            campaign=data["campaign"], dimension=data["dimension"],
        )  # fmt: skip

    condition, status = common.submit(request, form, add)
    if condition is not None:
        messages.success(request, _("Condition added: %(kind)s → %(circuit)s.") % {
            "kind": condition.get_kind_display(), "circuit": condition.circuit.name,
        })  # fmt: skip
        return redirect("approvals:circuits")
    return _list_page(request, actor, condition_form=form, status=status)


@common.member_required
@require_POST
def condition_remove(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    condition = selectors.condition_list(actor=actor).filter(pk=pk).first()
    if condition is None:
        raise NotFound(_("No such condition."))
    services.condition_remove(actor=actor, condition=condition)
    messages.success(request, _("Condition removed: %(kind)s → %(circuit)s.") % {
        "kind": condition.get_kind_display(), "circuit": condition.circuit.name,
    })  # fmt: skip
    return redirect("approvals:circuits")
