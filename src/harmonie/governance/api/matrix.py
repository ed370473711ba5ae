"""Dimensions and the governance matrix: the grid, cells, overrides, presets, and the "may I?" check."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors, services
from harmonie.governance.api.schemas import (
    CellIn,
    CellOut,
    CheckOut,
    CheckQuery,
    DimensionIn,
    DimensionOut,
    DimensionUpdateIn,
    MatrixOut,
    PresetIn,
    PresetOut,
)
from harmonie.governance.models import Dimension, GovernanceRule, Market

dimensions = Router(tags=["dimensions"])
governance = Router(tags=["governance"])

DEFAULT = "default"


@dimensions.get("", response={200: list[DimensionOut], **ERRORS}, summary="List dimensions")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def dimension_list(request: HttpRequest) -> QuerySet[Dimension]:
    return selectors.dimension_list(actor=actor_of(request))


@dimensions.get("/{dimension_id}", response={200: DimensionOut, **ERRORS}, summary="Get a dimension")
def dimension_get(request: HttpRequest, dimension_id: int) -> Dimension:
    return selectors.dimension_get(actor=actor_of(request), pk=dimension_id)


@dimensions.post("", response={201: DimensionOut, **ERRORS}, summary="Create a dimension")
def dimension_create(request: HttpRequest, payload: DimensionIn) -> Status[Dimension]:
    """Needs dimensions.manage at Global. The new dimension's default cell comes from the organization's preset."""
    dimension = services.dimension_create(
        actor=actor_of(request), name=payload.name, key=payload.key, description=payload.description
    )
    return Status(201, dimension)


@dimensions.patch("/{dimension_id}", response={200: DimensionOut, **ERRORS}, summary="Update a dimension")
def dimension_update(request: HttpRequest, dimension_id: int, payload: DimensionUpdateIn) -> Dimension:
    actor = actor_of(request)
    dimension = selectors.dimension_get(actor=actor, pk=dimension_id)
    return services.dimension_update(
        actor=actor,
        dimension=dimension,
        name=payload.name if payload.name is not None else dimension.name,
        description=payload.description if payload.description is not None else dimension.description,
    )


@dimensions.delete("/{dimension_id}", response={204: None, **ERRORS}, summary="Delete a dimension")
def dimension_delete(request: HttpRequest, dimension_id: int) -> Status[None]:
    """Built-in dimensions cannot be deleted (400), nor dimensions with budgets (409)."""
    actor = actor_of(request)
    services.dimension_delete(actor=actor, dimension=selectors.dimension_get(actor=actor, pk=dimension_id))
    return Status(204, None)


# --- the matrix ------------------------------------------------------------------------------


def _cell(
    rule: GovernanceRule, *, dimension_id: int, market: Market | None, overridden: bool, source: Market | None
) -> dict[str, Any]:
    return {
        "dimension_id": dimension_id,
        "market_id": market.pk if market else None,
        "market_code": market.code if market else None,
        "ownership": rule.ownership,
        "creators": rule.creators,
        "local_variants": rule.local_variants,
        "cross_market_visibility": rule.cross_market_visibility,
        "approval_circuit": rule.approval_circuit,
        "overridden": overridden,
        "source_market_id": source.pk if source else None,
        "source_market_code": source.code if source else None,
    }


def _found(cell: selectors.MatrixCell) -> dict[str, Any]:
    return _cell(
        cell.rule, dimension_id=cell.dimension.pk, market=cell.market, overridden=cell.overridden, source=cell.source
    )


def _market_pk(market: str) -> int | None:
    """``default`` (the dimension's default, the Global column) or a market id."""
    if market == DEFAULT:
        return None
    if not market.isdigit():
        raise ValidationFailed(_("Give a market id, or 'default' for the dimension's default."), field="market")
    return int(market)


@governance.get("/matrix", response={200: MatrixOut, **ERRORS}, summary="The governance matrix")
def matrix(request: HttpRequest) -> dict[str, Any]:
    """Dimensions × markets: the Global column (each dimension's default), then every market in your scope,
    with the rule that applies there, whether it is the market's own (``overridden``) and where an inherited
    rule comes from."""
    actor = actor_of(request)
    markets, rows = selectors.governance_matrix(actor=actor)
    return {
        "preset": actor.organization.governance_preset,
        "markets": markets,
        "rows": [{"dimension": row.dimension, "cells": [_found(c) for c in row.cells]} for row in rows],
    }


@governance.get("/cells/{dimension_id}/{market}", response={200: CellOut, **ERRORS}, summary="Get a cell")
def cell_get(request: HttpRequest, dimension_id: int, market: str) -> dict[str, Any]:
    """``market``: a market id, or ``default`` for the dimension's default."""
    found = selectors.governance_cell(actor=actor_of(request), dimension_pk=dimension_id, market_pk=_market_pk(market))
    return _found(found)


@governance.put("/cells/{dimension_id}/{market}", response={200: CellOut, **ERRORS}, summary="Set a cell")
def cell_set(request: HttpRequest, dimension_id: int, market: str, payload: CellIn) -> dict[str, Any]:
    """Set the dimension's default (``default``) or a market's override. Needs governance.edit at Global.
    The organization's preset becomes ``custom``."""
    actor = actor_of(request)
    market_pk = _market_pk(market)
    dimension = selectors.dimension_get(actor=actor, pk=dimension_id)
    target = None if market_pk is None else selectors.market_get(actor=actor, pk=market_pk)
    rule = services.governance_rule_set(
        actor=actor,
        dimension=dimension,
        market=target,
        ownership=payload.ownership.value,
        creators=payload.creators.value,
        local_variants=payload.local_variants.value,
        cross_market_visibility=payload.cross_market_visibility,
        approval_circuit=payload.approval_circuit,
    )
    shown = None if target is None or target.is_root else target
    return _cell(rule, dimension_id=dimension.pk, market=shown, overridden=True, source=None)


@governance.delete("/cells/{dimension_id}/{market}", response={204: None, **ERRORS}, summary="Remove an override")
def cell_clear(request: HttpRequest, dimension_id: int, market: str) -> Status[None]:
    """The market follows the rule above it again. The default cannot be removed."""
    actor = actor_of(request)
    market_pk = _market_pk(market)
    if market_pk is None:
        raise ValidationFailed(_("The default cell cannot be removed; change it instead."), field="market")
    services.governance_rule_clear(
        actor=actor,
        dimension=selectors.dimension_get(actor=actor, pk=dimension_id),
        market=selectors.market_get(actor=actor, pk=market_pk),
    )
    return Status(204, None)


@governance.post("/preset", response={200: PresetOut, **ERRORS}, summary="Apply a preset")
def preset_apply(request: HttpRequest, payload: PresetIn) -> dict[str, Any]:
    """Reset every default cell to the preset (centralized, mixed or decentralized) and remove all market
    overrides. Needs governance.edit at Global."""
    changed = services.governance_preset_apply(actor=actor_of(request), preset=payload.preset.value)
    return {"preset": payload.preset, "changed_cells": len(changed)}


@governance.get("/check", response={200: CheckOut, **ERRORS}, summary="May I create, localize, read?")
def check(request: HttpRequest, query: Query[CheckQuery]) -> dict[str, Any]:
    """What the matrix lets you do with content of a dimension in a market: create original content,
    make a local variant of master content, read drafts. Give the dimension by ``dimension_id`` or
    ``dimension_key`` and the market by ``market_id`` or ``market_code``."""
    dimension = query.dimension_id if query.dimension_id is not None else query.dimension_key
    market = query.market_id if query.market_id is not None else query.market_code
    if dimension is None:
        raise ValidationFailed(_("Give dimension_id or dimension_key."), field="dimension_id")
    if market is None:
        raise ValidationFailed(_("Give market_id or market_code."), field="market_id")
    found = selectors.governance_check(actor=actor_of(request), dimension=dimension, market=market)
    return {
        "dimension_id": found.dimension.pk,
        "dimension_key": found.dimension.key,
        "market_id": found.market.pk,
        "market_code": found.market.code,
        "create": found.create,
        "localize": found.localize,
        "read_content": found.read_content,
    }
