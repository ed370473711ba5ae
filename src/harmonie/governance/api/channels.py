"""Channels (one account on one network), budgets (planned spend) and the audit log (read only)."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance import selectors, services
from harmonie.governance.api.schemas import (
    AuditEntryOut,
    AuditQuery,
    BudgetIn,
    BudgetOut,
    BudgetQuery,
    BudgetUpdateIn,
    ChannelIn,
    ChannelOut,
    ChannelQuery,
    ChannelUpdateIn,
)
from harmonie.governance.models import Budget, Channel, Market
from harmonie.governance.permissions import Actor

channels = Router(tags=["channels"])
budgets = Router(tags=["budgets"])
audit = Router(tags=["audit"])


def _markets(actor: Actor, ids: list[int], field: str) -> list[Market]:
    """The markets with these ids, each visible to the actor; any other id is a 400 on ``field``."""
    wanted = set(ids)
    found = list(selectors.market_list(actor=actor).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such market."), field=field)
    return found


@channels.get("", response={200: list[ChannelOut], **ERRORS}, summary="List channels")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def channel_list(request: HttpRequest, filters: Query[ChannelQuery]) -> QuerySet[Channel]:
    """Channels owned by, or serving, a market in your scope."""
    return selectors.channel_list(
        actor=actor_of(request),
        market_pk=filters.market_id,
        network=filters.network.value if filters.network else None,
    )


@channels.get("/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="Get a channel")
def channel_get(request: HttpRequest, channel_id: int) -> Channel:
    return selectors.channel_get(actor=actor_of(request), pk=channel_id)


@channels.post("", response={201: ChannelOut, **ERRORS}, summary="Create a channel")
def channel_create(request: HttpRequest, payload: ChannelIn) -> Status[Channel]:
    """Needs channels.manage in the owner market. The handle is checked against the network's rules."""
    actor = actor_of(request)
    owner = ref(lambda: selectors.market_get(actor=actor, pk=payload.owner_market_id), "owner_market_id")
    channel = services.channel_create(
        actor=actor,
        network=payload.network.value,
        handle=payload.handle,
        display_name=payload.display_name,
        owner_market=owner,
        served_markets=_markets(actor, payload.served_market_ids, "served_market_ids"),
        timezone=payload.timezone,
    )
    return Status(201, channel)


@channels.patch("/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="Update a channel")
def channel_update(request: HttpRequest, channel_id: int, payload: ChannelUpdateIn) -> Channel:
    actor = actor_of(request)
    channel = selectors.channel_get(actor=actor, pk=channel_id)
    served = (
        list(channel.served_markets.all())
        if payload.served_market_ids is None
        else _markets(actor, payload.served_market_ids, "served_market_ids")
    )
    return services.channel_update(
        actor=actor,
        channel=channel,
        display_name=payload.display_name if payload.display_name is not None else channel.display_name,
        served_markets=served,
        timezone=payload.timezone if payload.timezone is not None else channel.timezone,
        is_active=payload.is_active if payload.is_active is not None else channel.is_active,
    )


@budgets.get("", response={200: list[BudgetOut], **ERRORS}, summary="List budgets")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def budget_list(request: HttpRequest, filters: Query[BudgetQuery]) -> QuerySet[Budget]:
    """Budgets of the markets in your scope, by period start."""
    return selectors.budget_list(
        actor=actor_of(request), market_pk=filters.market_id, dimension_pk=filters.dimension_id, year=filters.year
    )


@budgets.get("/{budget_id}", response={200: BudgetOut, **ERRORS}, summary="Get a budget")
def budget_get(request: HttpRequest, budget_id: int) -> Budget:
    return selectors.budget_get(actor=actor_of(request), pk=budget_id)


@budgets.post("", response={201: BudgetOut, **ERRORS}, summary="Create a budget")
def budget_create(request: HttpRequest, payload: BudgetIn) -> Status[Budget]:
    """Periods of one market and dimension may not overlap (409)."""
    actor = actor_of(request)
    market = ref(lambda: selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    dimension = ref(lambda: selectors.dimension_get(actor=actor, pk=payload.dimension_id), "dimension_id")
    budget = services.budget_create(
        actor=actor,
        market=market,
        dimension=dimension,
        period_start=payload.period_start,
        period_end=payload.period_end,
        planned_amount=payload.planned_amount,
        currency=payload.currency,
        notes=payload.notes,
    )
    return Status(201, budget)


@budgets.patch("/{budget_id}", response={200: BudgetOut, **ERRORS}, summary="Update a budget")
def budget_update(request: HttpRequest, budget_id: int, payload: BudgetUpdateIn) -> Budget:
    """Period, amount, currency and notes; the market and dimension of a budget do not change."""
    actor = actor_of(request)
    budget = selectors.budget_get(actor=actor, pk=budget_id)
    return services.budget_update(
        actor=actor,
        budget=budget,
        period_start=payload.period_start if payload.period_start is not None else budget.period_start,
        period_end=payload.period_end if payload.period_end is not None else budget.period_end,
        planned_amount=payload.planned_amount if payload.planned_amount is not None else budget.planned_amount,
        currency=payload.currency if payload.currency is not None else budget.currency,
        notes=payload.notes if payload.notes is not None else budget.notes,
    )


@budgets.delete("/{budget_id}", response={204: None, **ERRORS}, summary="Delete a budget")
def budget_delete(request: HttpRequest, budget_id: int) -> Status[None]:
    actor = actor_of(request)
    services.budget_delete(actor=actor, budget=selectors.budget_get(actor=actor, pk=budget_id))
    return Status(204, None)


@audit.get("", response={200: list[AuditEntryOut], **ERRORS}, summary="List audit entries")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def audit_list(request: HttpRequest, filters: Query[AuditQuery]) -> QuerySet[AuditEntry]:
    """Newest first. The log is append-only: there is no way to write, change or delete an entry here."""
    return selectors.audit_list(
        actor=actor_of(request),
        action=filters.action,
        target_type=filters.target_type,
        since=filters.since,
        until=filters.until,
    )
