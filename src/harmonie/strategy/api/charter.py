"""The editorial charter: its machine-checked rules, and ``lint``, which checks a text against them."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Dimension
from harmonie.strategy import selectors, services
from harmonie.strategy.api.schemas import (
    CharterRuleIn,
    CharterRuleOut,
    CharterRuleQuery,
    CharterRuleUpdateIn,
    LintIn,
    LintOut,
)
from harmonie.strategy.models import CharterRule

router = Router(tags=["charter"])


@router.get("/charter-rules", response={200: list[CharterRuleOut], **ERRORS}, summary="List charter rules")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def charter_rule_list(request: HttpRequest, filters: Query[CharterRuleQuery]) -> QuerySet[CharterRule]:
    """Rules of the markets in your scope and of the markets above them (Global's apply everywhere)."""
    return selectors.charter_rule_list(actor=actor_of(request), market_pk=filters.market_id)


@router.get("/charter-rules/{rule_id}", response={200: CharterRuleOut, **ERRORS}, summary="Get a charter rule")
def charter_rule_get(request: HttpRequest, rule_id: int) -> CharterRule:
    return selectors.charter_rule_get(actor=actor_of(request), pk=rule_id)


@router.post("/charter-rules", response={201: CharterRuleOut, **ERRORS}, summary="Create a charter rule")
def charter_rule_create(request: HttpRequest, payload: CharterRuleIn) -> Status[CharterRule]:
    """Needs charter.manage in the market. ``params`` depend on ``kind`` and are checked (400 on ``params``
    with what to write instead)."""
    actor = actor_of(request)
    market = ref(lambda: governance_selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    dimension_id = payload.dimension_id
    dimension = (
        None
        if dimension_id is None
        else ref(lambda: governance_selectors.dimension_get(actor=actor, pk=dimension_id), "dimension_id")
    )
    rule = services.charter_rule_create(
        actor=actor,
        market=market,
        name=payload.name,
        kind=payload.kind.value,
        severity=payload.severity.value,
        params=payload.params,
        rationale=payload.rationale,
        dimension=dimension,
        network=payload.network.value if payload.network else "",
    )
    return Status(201, rule)


@router.patch("/charter-rules/{rule_id}", response={200: CharterRuleOut, **ERRORS}, summary="Update a charter rule")
def charter_rule_update(request: HttpRequest, rule_id: int, payload: CharterRuleUpdateIn) -> CharterRule:
    """Switch a rule off with ``{"is_active": false}``."""
    actor = actor_of(request)
    rule = selectors.charter_rule_get(actor=actor, pk=rule_id)
    dimension: Dimension | None = rule.dimension
    dimension_id = payload.dimension_id
    if "dimension_id" in payload.model_fields_set:
        dimension = (
            None
            if dimension_id is None
            else ref(lambda: governance_selectors.dimension_get(actor=actor, pk=dimension_id), "dimension_id")
        )
    network = rule.network
    if "network" in payload.model_fields_set:
        network = payload.network.value if payload.network else ""
    return services.charter_rule_update(
        actor=actor,
        rule=rule,
        name=payload.name if payload.name is not None else rule.name,
        severity=payload.severity.value if payload.severity is not None else rule.severity,
        params=payload.params if payload.params is not None else rule.params,
        rationale=payload.rationale if payload.rationale is not None else rule.rationale,
        dimension=dimension,
        network=network,
        is_active=payload.is_active if payload.is_active is not None else rule.is_active,
    )


@router.delete("/charter-rules/{rule_id}", response={204: None, **ERRORS}, summary="Delete a charter rule")
def charter_rule_delete(request: HttpRequest, rule_id: int) -> Status[None]:
    actor = actor_of(request)
    services.charter_rule_delete(actor=actor, rule=selectors.charter_rule_get(actor=actor, pk=rule_id))
    return Status(204, None)


# --- lint ------------------------------------------------------------------------------------


def utf16_offsets(text: str) -> list[int]:
    """``offsets[i]`` is the UTF-16 index of code point ``i`` (and ``offsets[len(text)]`` the length in UTF-16):
    a character outside the Basic Multilingual Plane (most emoji) takes two UTF-16 code units."""
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + (2 if ord(char) > 0xFFFF else 1))
    return offsets


@router.post("/lint", response={200: LintOut, **ERRORS}, summary="Check a text against the charter")
def lint(request: HttpRequest, payload: LintIn) -> dict[str, Any]:
    """Every charter rule that applies in the market (and the markets above it), for the channel's network
    and the dimension, at the planned time. ``start``/``end`` are code point offsets (Python ``str`` indices,
    end exclusive); ``start_utf16``/``end_utf16`` are the same span in UTF-16 code units, for JavaScript."""
    actor = actor_of(request)
    market = ref(lambda: governance_selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    channel_id, dimension_id = payload.channel_id, payload.dimension_id
    result = selectors.charter_lint(
        actor=actor,
        text=payload.text,
        market=market,
        channel=None
        if channel_id is None
        else ref(lambda: governance_selectors.channel_get(actor=actor, pk=channel_id), "channel_id"),
        dimension=None
        if dimension_id is None
        else ref(lambda: governance_selectors.dimension_get(actor=actor, pk=dimension_id), "dimension_id"),
        at=payload.at,
        language=payload.language or None,
    )
    utf16 = utf16_offsets(payload.text)
    return {
        "blocking": result.blocking,
        "findings": [
            {
                "rule_id": f.rule_id,
                "rule_name": result.rules[int(f.rule_id)].name,
                "kind": f.kind,
                "severity": f.severity,
                "message": f.message,
                "rationale": f.rationale,
                "start": f.start,
                "end": f.end,
                "start_utf16": utf16[f.start],
                "end_utf16": utf16[f.end],
                "excerpt": f.excerpt,
            }
            for f in result.findings
        ],
    }
