"""Markets (the Global > region > country tree) and teams."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.governance import selectors, services
from harmonie.governance.api.schemas import (
    MarketCreateIn,
    MarketOut,
    MarketUpdateIn,
    TeamIn,
    TeamOut,
    TeamUpdateIn,
)
from harmonie.governance.models import Market, Team

markets = Router(tags=["markets"])
teams = Router(tags=["teams"])


@markets.get("", response={200: list[MarketOut], **ERRORS}, summary="List markets")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def market_list(request: HttpRequest) -> QuerySet[Market]:
    """The markets in your scope and the markets above them, in tree order (Global first)."""
    return selectors.market_list(actor=actor_of(request))


@markets.get("/{market_id}", response={200: MarketOut, **ERRORS}, summary="Get a market")
def market_get(request: HttpRequest, market_id: int) -> Market:
    return selectors.market_get(actor=actor_of(request), pk=market_id)


@markets.post("", response={201: MarketOut, **ERRORS}, summary="Create a market")
def market_create(request: HttpRequest, payload: MarketCreateIn) -> Status[Market]:
    """A region or a country under ``parent_id``; needs markets.manage in the parent."""
    actor = actor_of(request)
    parent = ref(lambda: selectors.market_get(actor=actor, pk=payload.parent_id), "parent_id")
    market = services.market_create(
        actor=actor,
        parent=parent,
        kind=payload.kind.value,
        code=payload.code,
        name=payload.name,
        languages=payload.languages,
        timezone=payload.timezone,
        currency=payload.currency,
    )
    return Status(201, market)


@markets.patch("/{market_id}", response={200: MarketOut, **ERRORS}, summary="Update a market")
def market_update(request: HttpRequest, market_id: int, payload: MarketUpdateIn) -> Market:
    actor = actor_of(request)
    market = selectors.market_get(actor=actor, pk=market_id)
    parent_id = payload.parent_id
    parent = None
    if parent_id is not None:
        parent = ref(lambda: selectors.market_get(actor=actor, pk=parent_id), "parent_id")
    return services.market_update(
        actor=actor,
        market=market,
        name=payload.name if payload.name is not None else market.name,
        code=payload.code if payload.code is not None else market.code,
        languages=payload.languages if payload.languages is not None else list(market.languages),
        timezone=payload.timezone if payload.timezone is not None else market.timezone,
        currency=payload.currency if payload.currency is not None else market.currency,
        parent=parent,
    )


@teams.get("", response={200: list[TeamOut], **ERRORS}, summary="List teams")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def team_list(request: HttpRequest) -> QuerySet[Team]:
    """HQ and agency teams without a market, and the teams of the markets in your scope."""
    return selectors.team_list(actor=actor_of(request))


@teams.get("/{team_id}", response={200: TeamOut, **ERRORS}, summary="Get a team")
def team_get(request: HttpRequest, team_id: int) -> Team:
    return selectors.team_get(actor=actor_of(request), pk=team_id)


@teams.post("", response={201: TeamOut, **ERRORS}, summary="Create a team")
def team_create(request: HttpRequest, payload: TeamIn) -> Status[Team]:
    actor = actor_of(request)
    market_id = payload.market_id
    market = None
    if market_id is not None:
        market = ref(lambda: selectors.market_get(actor=actor, pk=market_id), "market_id")
    team = services.team_create(
        actor=actor, name=payload.name, kind=payload.kind.value, market=market, description=payload.description
    )
    return Status(201, team)


@teams.patch("/{team_id}", response={200: TeamOut, **ERRORS}, summary="Update a team")
def team_update(request: HttpRequest, team_id: int, payload: TeamUpdateIn) -> Team:
    actor = actor_of(request)
    team = selectors.team_get(actor=actor, pk=team_id)
    market: Market | None = team.market
    market_id = payload.market_id
    if "market_id" in payload.model_fields_set:
        market = (
            None if market_id is None else ref(lambda: selectors.market_get(actor=actor, pk=market_id), "market_id")
        )
    return services.team_update(
        actor=actor,
        team=team,
        name=payload.name if payload.name is not None else team.name,
        kind=payload.kind.value if payload.kind is not None else team.kind,
        market=market,
        description=payload.description if payload.description is not None else team.description,
    )


@teams.delete("/{team_id}", response={204: None, **ERRORS}, summary="Delete a team")
def team_delete(request: HttpRequest, team_id: int) -> Status[None]:
    """Members of the team stay, without a team."""
    actor = actor_of(request)
    services.team_delete(actor=actor, team=selectors.team_get(actor=actor, pk=team_id))
    return Status(204, None)
