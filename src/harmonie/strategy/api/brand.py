"""The brand platform: its texts, the key messages with their local wordings, and the content pillars."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.governance import selectors as governance_selectors
from harmonie.strategy import selectors, services
from harmonie.strategy.api.schemas import (
    AdaptationIn,
    AdaptationOut,
    BrandIn,
    BrandOut,
    KeyMessageIn,
    KeyMessageOut,
    KeyMessageUpdateIn,
    PillarsIn,
    PillarsOut,
)
from harmonie.strategy.models import BrandPlatform, KeyMessage, KeyMessageAdaptation
from harmonie.strategy.services.brand import PillarInput

router = Router(tags=["brand"])


@router.get("/brand", response={200: BrandOut, **ERRORS}, summary="The brand platform")
def brand_get(request: HttpRequest) -> BrandPlatform:
    """DNA, story, value proposition and tone of voice (empty texts until someone writes them)."""
    return selectors.brand_view(actor=actor_of(request)).platform


@router.put("/brand", response={200: BrandOut, **ERRORS}, summary="Set the brand platform")
def brand_set(request: HttpRequest, payload: BrandIn) -> BrandPlatform:
    """Needs strategy.manage at Global. Send all four texts."""
    return services.brand_platform_update(
        actor=actor_of(request),
        dna=payload.dna,
        story=payload.story,
        value_proposition=payload.value_proposition,
        tone_of_voice=payload.tone_of_voice,
    )


# --- key messages ----------------------------------------------------------------------------


@router.get("/key-messages", response={200: list[KeyMessageOut], **ERRORS}, summary="List key messages")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def key_message_list(request: HttpRequest) -> list[KeyMessage]:
    """The global key messages in order, each with the local wordings of the markets in your scope."""
    return selectors.brand_view(actor=actor_of(request)).key_messages


# Creating and changing key messages needs strategy.manage at Global, whose scope is every market: the
# adaptations these answers show (all of the message's) are the ones the caller may see.


@router.post("/key-messages", response={201: KeyMessageOut, **ERRORS}, summary="Add a key message")
def key_message_create(request: HttpRequest, payload: KeyMessageIn) -> Status[KeyMessage]:
    """Needs strategy.manage at Global; the message goes last."""
    return Status(201, services.key_message_create(actor=actor_of(request), text=payload.text))


@router.patch("/key-messages/{message_id}", response={200: KeyMessageOut, **ERRORS}, summary="Update a key message")
def key_message_update(request: HttpRequest, message_id: int, payload: KeyMessageUpdateIn) -> KeyMessage:
    actor = actor_of(request)
    message = selectors.key_message_get(actor=actor, pk=message_id)
    return services.key_message_update(
        actor=actor,
        message=message,
        text=payload.text if payload.text is not None else message.text,
        is_active=payload.is_active if payload.is_active is not None else message.is_active,
    )


@router.delete("/key-messages/{message_id}", response={204: None, **ERRORS}, summary="Delete a key message")
def key_message_delete(request: HttpRequest, message_id: int) -> Status[None]:
    """Its local wordings go with it."""
    actor = actor_of(request)
    services.key_message_delete(actor=actor, message=selectors.key_message_get(actor=actor, pk=message_id))
    return Status(204, None)


@router.put(
    "/key-messages/{message_id}/adaptations/{market_id}",
    response={200: AdaptationOut, 204: None, **ERRORS},
    summary="Set a market's wording",
)
def key_message_adapt(
    request: HttpRequest, message_id: int, market_id: int, payload: AdaptationIn
) -> KeyMessageAdaptation | Status[None]:
    """Needs strategy.manage in the market. An empty text removes the market's wording (204)."""
    actor = actor_of(request)
    adaptation = services.key_message_adapt(
        actor=actor,
        message=selectors.key_message_get(actor=actor, pk=message_id),
        market=governance_selectors.market_get(actor=actor, pk=market_id),
        text=payload.text,
    )
    return Status(204, None) if adaptation is None else adaptation


# --- content pillars -------------------------------------------------------------------------


@router.get("/pillars", response={200: PillarsOut, **ERRORS}, summary="The content pillars")
def pillars_get(request: HttpRequest) -> dict[str, Any]:
    """The target mix: each pillar's share of the publications, in percent (they add up to 100)."""
    return {"pillars": selectors.brand_view(actor=actor_of(request)).pillars}


@router.put("/pillars", response={200: PillarsOut, **ERRORS}, summary="Set the content pillars")
def pillars_set(request: HttpRequest, payload: PillarsIn) -> dict[str, Any]:
    """Replace the whole mix. Needs strategy.manage at Global; the shares must add up to 100 (an empty list
    removes every pillar)."""
    pillars: list[PillarInput] = [
        {"name": p.name, "target_share": p.target_share, "description": p.description} for p in payload.pillars
    ]
    return {"pillars": services.pillars_set(actor=actor_of(request), pillars=pillars)}
