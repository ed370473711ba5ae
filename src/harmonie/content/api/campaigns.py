"""Campaigns and their launch date per market."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.content import selectors, services
from harmonie.content.api.schemas import CampaignIn, CampaignOut, CampaignUpdateIn, LaunchOut, LaunchSetIn
from harmonie.content.models import Campaign, CampaignLaunch
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Budget, Market
from harmonie.governance.permissions import Actor
from harmonie.strategy import selectors as strategy_selectors
from harmonie.strategy.models import Objective

router = Router(tags=["campaigns"])


def _objectives(actor: Actor, ids: list[int]) -> list[Objective]:
    """The objectives with these ids, each visible to the actor; any other id is a 400 on ``objective_ids``."""
    wanted = set(ids)
    found = list(strategy_selectors.objective_list(actor=actor).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such objective."), field="objective_ids")
    return found


def _market(actor: Actor, market_id: int, field: str) -> Market:
    return ref(lambda: governance_selectors.market_get(actor=actor, pk=market_id), field)


def _budget(actor: Actor, budget_id: int | None) -> Budget | None:
    if budget_id is None:
        return None
    return ref(lambda: governance_selectors.budget_get(actor=actor, pk=budget_id), "budget_id")


@router.get("", response={200: list[CampaignOut], **ERRORS}, summary="List campaigns")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def campaign_list(request: HttpRequest) -> QuerySet[Campaign]:
    """Campaigns of the organization, newest first, each with its launch date per market."""
    return selectors.campaign_list(actor=actor_of(request))


@router.get("/{campaign_id}", response={200: CampaignOut, **ERRORS}, summary="Get a campaign")
def campaign_get(request: HttpRequest, campaign_id: int) -> Campaign:
    return selectors.campaign_get(actor=actor_of(request), pk=campaign_id)


@router.post("", response={201: CampaignOut, **ERRORS}, summary="Create a campaign")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    """Needs content.create at Global. ``launches``: a launch date per market (staggered by zone)."""
    actor = actor_of(request)
    dimension = ref(lambda: governance_selectors.dimension_get(actor=actor, pk=payload.dimension_id), "dimension_id")
    launches = [(_market(actor, launch.market_id, "launches"), launch.launch_date) for launch in payload.launches]
    campaign = services.campaign_create(
        actor=actor,
        name=payload.name,
        dimension=dimension,
        description=payload.description,
        objectives=_objectives(actor, payload.objective_ids),
        budget=_budget(actor, payload.budget_id),
        launches=launches,
        status=payload.status.value,
    )
    return Status(201, selectors.campaign_get(actor=actor, pk=campaign.pk))


@router.patch("/{campaign_id}", response={200: CampaignOut, **ERRORS}, summary="Update a campaign")
def campaign_update(request: HttpRequest, campaign_id: int, payload: CampaignUpdateIn) -> Campaign:
    """Needs content.create at Global."""
    actor = actor_of(request)
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    dimension = campaign.dimension
    dimension_id = payload.dimension_id
    if dimension_id is not None:
        dimension = ref(lambda: governance_selectors.dimension_get(actor=actor, pk=dimension_id), "dimension_id")
    budget = campaign.budget
    if "budget_id" in payload.model_fields_set:
        budget = _budget(actor, payload.budget_id)
    objectives = (
        list(campaign.objectives.all()) if payload.objective_ids is None else _objectives(actor, payload.objective_ids)
    )
    services.campaign_update(
        actor=actor,
        campaign=campaign,
        name=payload.name if payload.name is not None else campaign.name,
        dimension=dimension,
        description=payload.description if payload.description is not None else campaign.description,
        objectives=objectives,
        budget=budget,
        status=payload.status.value if payload.status is not None else campaign.status,
    )
    return selectors.campaign_get(actor=actor, pk=campaign.pk)


@router.put(
    "/{campaign_id}/launches/{market_id}",
    response={200: LaunchOut, 204: None, **ERRORS},
    summary="Set a market's launch date",
)
def campaign_launch_set(
    request: HttpRequest, campaign_id: int, market_id: int, payload: LaunchSetIn
) -> CampaignLaunch | Status[None]:
    """Set or move a market's launch date (``content.create`` in that market: a market lead moves their own);
    ``{"launch_date": null}`` removes it (204)."""
    actor = actor_of(request)
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    market = governance_selectors.market_get(actor=actor, pk=market_id)
    launch = services.campaign_launch_set(
        actor=actor, campaign=campaign, market=market, launch_date=payload.launch_date
    )
    if launch is None:
        return Status(204, None)
    return launch
