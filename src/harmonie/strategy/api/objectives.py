"""The objectives-first policy and its check, objectives, KPIs and the metric dictionary."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor
from harmonie.strategy import selectors, services
from harmonie.strategy.api.schemas import (
    KPIIn,
    KPIOut,
    KPIUpdateIn,
    MetricOut,
    ObjectiveIn,
    ObjectiveOut,
    ObjectiveQuery,
    ObjectivesFirstOut,
    ObjectivesFirstQuery,
    ObjectiveUpdateIn,
    PolicyIn,
    PolicyOut,
)
from harmonie.strategy.knowledge import Metric, metrics
from harmonie.strategy.models import KPI, Audience, Objective, StrategyPolicy

router = Router(tags=["objectives"])

OBJECTIVES_FIRST = "objectives_first"  # the code of the check's refusal


def _channels(actor: Actor, ids: list[int], field: str) -> list[Channel]:
    """The channels with these ids, each visible to the actor, in the order sent; any other id is a 400."""
    wanted = list(dict.fromkeys(ids))
    found = {c.pk: c for c in governance_selectors.channel_list(actor=actor).filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such channel."), field=field)
    return [found[pk] for pk in wanted]


# --- policy and the check --------------------------------------------------------------------


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="The strategy policy", tags=["policy"])
def policy_get(request: HttpRequest) -> StrategyPolicy:
    return selectors.strategy_policy(actor=actor_of(request))


@router.put("/policy", response={200: PolicyOut, **ERRORS}, summary="Set the strategy policy", tags=["policy"])
def policy_set(request: HttpRequest, payload: PolicyIn) -> StrategyPolicy:
    """Org admins only (org.manage at Global)."""
    return services.strategy_policy_set(actor=actor_of(request), objectives_first=payload.objectives_first)


@router.get(
    "/objectives-first/check",
    response={200: ObjectivesFirstOut, **ERRORS},
    summary="May I schedule on this channel at this time?",
    tags=["policy"],
)
def objectives_first_check(request: HttpRequest, query: Query[ObjectivesFirstQuery]) -> dict[str, Any]:
    """Ask before scheduling: with the objectives-first policy on, a post may be scheduled only on a channel
    that an active objective with at least one KPI covers on that day (read in the objective market's time
    zone). A refusal is an answer, not an error: ``200 {"allowed": false, "message": ...}``."""
    channel = governance_selectors.channel_get(actor=actor_of(request), pk=query.channel_id)
    try:
        covering = services.objectives_first_check(channel=channel, at=query.at)
    except ValidationFailed as exc:
        if exc.code != OBJECTIVES_FIRST:
            raise
        return {"allowed": False, "objectives": [], "message": exc.message}
    return {"allowed": True, "objectives": covering, "message": None}


# --- objectives ------------------------------------------------------------------------------


@router.get("/objectives", response={200: list[ObjectiveOut], **ERRORS}, summary="List objectives")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def objective_list(request: HttpRequest, filters: Query[ObjectiveQuery]) -> QuerySet[Objective]:
    """Objectives of the markets in your scope and of the markets above them (Global's apply everywhere),
    with their KPIs; by market, then period."""
    return selectors.objective_list(
        actor=actor_of(request),
        market_pk=filters.market_id,
        status=filters.status.value if filters.status else None,
    )


@router.get("/objectives/{objective_id}", response={200: ObjectiveOut, **ERRORS}, summary="Get an objective")
def objective_get(request: HttpRequest, objective_id: int) -> Objective:
    return selectors.objective_get(actor=actor_of(request), pk=objective_id)


@router.post("/objectives", response={201: ObjectiveOut, **ERRORS}, summary="Create an objective")
def objective_create(request: HttpRequest, payload: ObjectiveIn) -> Status[Objective]:
    """Needs strategy.manage in the market. Channels must serve the market."""
    actor = actor_of(request)
    market = ref(lambda: governance_selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    audience_id = payload.audience_id
    audience = (
        None if audience_id is None else ref(lambda: selectors.audience_get(actor=actor, pk=audience_id), "audience_id")
    )
    objective = services.objective_create(
        actor=actor,
        market=market,
        name=payload.name,
        type=payload.type.value,
        period_start=payload.period_start,
        period_end=payload.period_end,
        description=payload.description,
        audience=audience,
        channels=_channels(actor, payload.channel_ids, "channel_ids"),
        relation_mode=payload.relation_mode.value if payload.relation_mode else "",
        approach=payload.approach.value if payload.approach else "",
        voice=payload.voice.value if payload.voice else "",
        status=payload.status.value,
    )
    return Status(201, objective)


def _choice(payload: ObjectiveUpdateIn, name: str, current: str) -> str:
    """A blank-able choice of a PATCH: unchanged when not sent, cleared by null."""
    if name not in payload.model_fields_set:
        return current
    value = getattr(payload, name)
    return str(value.value) if value is not None else ""


@router.patch("/objectives/{objective_id}", response={200: ObjectiveOut, **ERRORS}, summary="Update an objective")
def objective_update(request: HttpRequest, objective_id: int, payload: ObjectiveUpdateIn) -> Objective:
    """Archive an objective with ``{"status": "archived"}``: it stops counting for objectives first."""
    actor = actor_of(request)
    objective = selectors.objective_get(actor=actor, pk=objective_id)
    audience: Audience | None = objective.audience
    audience_id = payload.audience_id
    if "audience_id" in payload.model_fields_set:
        audience = (
            None
            if audience_id is None
            else ref(lambda: selectors.audience_get(actor=actor, pk=audience_id), "audience_id")
        )
    channels = (
        list(objective.channels.all())
        if payload.channel_ids is None
        else _channels(actor, payload.channel_ids, "channel_ids")
    )
    return services.objective_update(
        actor=actor,
        objective=objective,
        name=payload.name if payload.name is not None else objective.name,
        type=payload.type.value if payload.type is not None else objective.type,
        period_start=payload.period_start if payload.period_start is not None else objective.period_start,
        period_end=payload.period_end if payload.period_end is not None else objective.period_end,
        description=payload.description if payload.description is not None else objective.description,
        audience=audience,
        channels=channels,
        relation_mode=_choice(payload, "relation_mode", objective.relation_mode),
        approach=_choice(payload, "approach", objective.approach),
        voice=_choice(payload, "voice", objective.voice),
        status=payload.status.value if payload.status is not None else objective.status,
    )


# --- KPIs and the metric dictionary ----------------------------------------------------------


@router.post("/objectives/{objective_id}/kpis", response={201: KPIOut, **ERRORS}, summary="Add a KPI", tags=["kpis"])
def kpi_create(request: HttpRequest, objective_id: int, payload: KPIIn) -> Status[KPI]:
    """The metric comes from the dictionary (``GET /strategy/metrics``); the period, by default the
    objective's, must lie within it."""
    actor = actor_of(request)
    kpi = services.kpi_create(
        actor=actor,
        objective=selectors.objective_get(actor=actor, pk=objective_id),
        metric=payload.metric,
        target=payload.target,
        baseline=payload.baseline,
        period_start=payload.period_start,
        period_end=payload.period_end,
        note=payload.note,
    )
    return Status(201, kpi)


@router.patch("/kpis/{kpi_id}", response={200: KPIOut, **ERRORS}, summary="Update a KPI", tags=["kpis"])
def kpi_update(request: HttpRequest, kpi_id: int, payload: KPIUpdateIn) -> KPI:
    actor = actor_of(request)
    kpi = selectors.kpi_get(actor=actor, pk=kpi_id)
    return services.kpi_update(
        actor=actor,
        kpi=kpi,
        metric=payload.metric if payload.metric is not None else kpi.metric,
        target=payload.target if payload.target is not None else kpi.target,
        baseline=payload.baseline if "baseline" in payload.model_fields_set else kpi.baseline,
        period_start=payload.period_start if payload.period_start is not None else kpi.period_start,
        period_end=payload.period_end if payload.period_end is not None else kpi.period_end,
        note=payload.note if payload.note is not None else kpi.note,
    )


@router.delete("/kpis/{kpi_id}", response={204: None, **ERRORS}, summary="Delete a KPI", tags=["kpis"])
def kpi_delete(request: HttpRequest, kpi_id: int) -> Status[None]:
    actor = actor_of(request)
    services.kpi_delete(actor=actor, kpi=selectors.kpi_get(actor=actor, pk=kpi_id))
    return Status(204, None)


@router.get("/metrics", response={200: list[MetricOut], **ERRORS}, summary="The metric dictionary", tags=["kpis"])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def metric_list(request: HttpRequest) -> list[Metric]:
    """Every metric a KPI may use: key, name, unit, and whether higher (up) or lower (down) is better."""
    return list(metrics().values())
