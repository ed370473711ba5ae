"""Approval circuits (ordered steps; the governance matrix names one per dimension × market by its key) and the
conditions that add a circuit's steps to a post's review. Reading needs governance.view; changing them
governance.edit at Global."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.approvals import selectors
from harmonie.approvals.api.schemas import CircuitIn, CircuitOut, CircuitStepIn, ConditionIn, ConditionOut
from harmonie.approvals.models import ApprovalCircuit, CircuitCondition
from harmonie.approvals.services import circuits as services
from harmonie.approvals.services.circuits import StepSpec
from harmonie.content import selectors as content_selectors
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import NotFound
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.permissions import Actor

router = Router(tags=["circuits"])


def _step(actor: Actor, step: CircuitStepIn) -> StepSpec:
    """A step as sent, its team, market and member resolved in the actor's scope (else a 400 on ``steps``)."""
    team_id, market_id, member_id = step.team_id, step.market_id, step.member_id
    return StepSpec(
        name=step.name,
        mode=step.mode.value,
        role=step.role.value if step.role else "",
        team=None if team_id is None else ref(lambda: governance_selectors.team_get(actor=actor, pk=team_id), "steps"),
        market=None
        if market_id is None
        else ref(lambda: governance_selectors.market_get(actor=actor, pk=market_id), "steps"),
        member=None
        if member_id is None
        else ref(lambda: governance_selectors.member_get(actor=actor, pk=member_id), "steps"),
        external=step.external,
        response_hours=step.response_hours,
    )


def _save(actor: Actor, payload: CircuitIn, circuit: ApprovalCircuit | None = None) -> ApprovalCircuit:
    saved = services.circuit_save(
        actor=actor, name=payload.name, key=payload.key, description=payload.description,
        is_active=payload.is_active, steps=[_step(actor, s) for s in payload.steps], circuit=circuit,
    )  # fmt: skip
    return selectors.circuit_get(actor=actor, pk=saved.pk)


@router.get("/circuits", response={200: list[CircuitOut], **ERRORS}, summary="List circuits")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def circuit_list(request: HttpRequest) -> QuerySet[ApprovalCircuit]:
    """By name, each with its steps in order."""
    return selectors.circuit_list(actor=actor_of(request))


@router.get("/circuits/{circuit_id}", response={200: CircuitOut, **ERRORS}, summary="Get a circuit")
def circuit_get(request: HttpRequest, circuit_id: int) -> ApprovalCircuit:
    return selectors.circuit_get(actor=actor_of(request), pk=circuit_id)


@router.post("/circuits", response={201: CircuitOut, **ERRORS}, summary="Create a circuit")
def circuit_create(request: HttpRequest, payload: CircuitIn) -> Status[ApprovalCircuit]:
    """A key already used is a 409 on ``key``; a step without approvers (no role, team or member, and not external)
    a 400 on ``steps``."""
    return Status(201, _save(actor_of(request), payload))


@router.put("/circuits/{circuit_id}", response={200: CircuitOut, **ERRORS}, summary="Replace a circuit")
def circuit_update(request: HttpRequest, circuit_id: int, payload: CircuitIn) -> ApprovalCircuit:
    """The whole circuit: name, key (the matrix cells naming the old key follow), description, active, and every
    step. Reviews already open keep the steps they had."""
    actor = actor_of(request)
    return _save(actor, payload, selectors.circuit_get(actor=actor, pk=circuit_id))


@router.delete("/circuits/{circuit_id}", response={204: None, **ERRORS}, summary="Delete a circuit")
def circuit_delete(request: HttpRequest, circuit_id: int) -> Status[None]:
    """Refused (409) while the governance matrix names it or a crisis refers to it."""
    actor = actor_of(request)
    services.circuit_delete(actor=actor, circuit=selectors.circuit_get(actor=actor, pk=circuit_id))
    return Status(204, None)


@router.get("/conditions", response={200: list[ConditionOut], **ERRORS}, summary="List conditions")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def condition_list(request: HttpRequest) -> QuerySet[CircuitCondition]:
    """In the order they apply."""
    return selectors.condition_list(actor=actor_of(request))


@router.post("/conditions", response={201: ConditionOut, **ERRORS}, summary="Add a condition")
def condition_create(request: HttpRequest, payload: ConditionIn) -> Status[CircuitCondition]:
    """``kind``: ``network`` (with ``network``), ``campaign`` (with ``campaign_id``), ``charter_warn``, ``figures``
    or ``crisis``; ``dimension_id`` narrows it to one dimension."""
    actor = actor_of(request)
    campaign_id, dimension_id = payload.campaign_id, payload.dimension_id
    condition = services.condition_add(
        actor=actor,
        kind=payload.kind.value,
        circuit=ref(lambda: selectors.circuit_get(actor=actor, pk=payload.circuit_id), "circuit_id"),
        network=payload.network.value if payload.network else "",
        campaign=None
        if campaign_id is None
        else ref(lambda: content_selectors.campaign_get(actor=actor, pk=campaign_id), "campaign_id"),
        dimension=None
        if dimension_id is None
        else ref(lambda: governance_selectors.dimension_get(actor=actor, pk=dimension_id), "dimension_id"),
    )
    return Status(201, selectors.condition_list(actor=actor).get(pk=condition.pk))


@router.delete("/conditions/{condition_id}", response={204: None, **ERRORS}, summary="Remove a condition")
def condition_delete(request: HttpRequest, condition_id: int) -> Status[None]:
    actor = actor_of(request)
    condition = selectors.condition_list(actor=actor).filter(pk=condition_id).first()
    if condition is None:
        raise NotFound(_("No such condition."))
    services.condition_remove(actor=actor, condition=condition)
    return Status(204, None)
