"""Audiences: who the objectives address, and how (relation mode, attract or push, voice)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor
from harmonie.strategy import selectors, services
from harmonie.strategy.api.schemas import AudienceIn, AudienceOut, AudienceUpdateIn
from harmonie.strategy.models import Audience

router = Router(tags=["audiences"])


def _markets(actor: Actor, ids: list[int], field: str) -> list[Market]:
    """The markets with these ids, each visible to the actor; any other id is a 400 on ``field``."""
    wanted = set(ids)
    found = list(governance_selectors.market_list(actor=actor).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such market."), field=field)
    return found


@router.get("", response={200: list[AudienceOut], **ERRORS}, summary="List audiences")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def audience_list(request: HttpRequest) -> QuerySet[Audience]:
    """Audiences of every market (no market set) and audiences of a market in your scope, by name."""
    return selectors.audience_list(actor=actor_of(request))


@router.get("/{audience_id}", response={200: AudienceOut, **ERRORS}, summary="Get an audience")
def audience_get(request: HttpRequest, audience_id: int) -> Audience:
    return selectors.audience_get(actor=actor_of(request), pk=audience_id)


@router.post("", response={201: AudienceOut, **ERRORS}, summary="Create an audience")
def audience_create(request: HttpRequest, payload: AudienceIn) -> Status[Audience]:
    """Needs strategy.manage in each of its markets, or at Global for an audience of every market."""
    actor = actor_of(request)
    audience = services.audience_create(
        actor=actor,
        name=payload.name,
        kind=payload.kind.value,
        relation_mode=payload.relation_mode.value,
        approach=payload.approach.value,
        voice=payload.voice.value,
        age_band=payload.age_band.value if payload.age_band else "",
        markets=_markets(actor, payload.market_ids, "market_ids"),
        description=payload.description,
    )
    return Status(201, audience)


@router.patch("/{audience_id}", response={200: AudienceOut, **ERRORS}, summary="Update an audience")
def audience_update(request: HttpRequest, audience_id: int, payload: AudienceUpdateIn) -> Audience:
    actor = actor_of(request)
    audience = selectors.audience_get(actor=actor, pk=audience_id)
    age_band = audience.age_band
    if "age_band" in payload.model_fields_set:
        age_band = payload.age_band.value if payload.age_band else ""
    markets = (
        list(audience.markets.all())
        if payload.market_ids is None
        else _markets(actor, payload.market_ids, "market_ids")
    )
    return services.audience_update(
        actor=actor,
        audience=audience,
        name=payload.name if payload.name is not None else audience.name,
        kind=payload.kind.value if payload.kind is not None else audience.kind,
        relation_mode=payload.relation_mode.value if payload.relation_mode is not None else audience.relation_mode,
        approach=payload.approach.value if payload.approach is not None else audience.approach,
        voice=payload.voice.value if payload.voice is not None else audience.voice,
        age_band=age_band,
        markets=markets,
        description=payload.description if payload.description is not None else audience.description,
    )


@router.delete("/{audience_id}", response={204: None, **ERRORS}, summary="Delete an audience")
def audience_delete(request: HttpRequest, audience_id: int) -> Status[None]:
    """Objectives addressing it keep going, without an audience."""
    actor = actor_of(request)
    services.audience_delete(actor=actor, audience=selectors.audience_get(actor=actor, pk=audience_id))
    return Status(204, None)
