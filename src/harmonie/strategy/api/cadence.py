"""Cadence and resources: posts per week per channel, minutes per format, and the hours they add up to."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.governance import selectors as governance_selectors
from harmonie.strategy import selectors, services
from harmonie.strategy.api.schemas import (
    BenchmarkOut,
    BenchmarkQuery,
    CadenceIn,
    CadenceOut,
    FormatEffortIn,
    FormatEffortOut,
    MarketLoadOut,
)
from harmonie.strategy.knowledge import Benchmark, benchmarks, benchmarks_for
from harmonie.strategy.models import CadenceTarget, FormatEffort, PostFormat
from harmonie.strategy.selectors import MarketLoad

router = Router(tags=["cadence"])


def _load(load: MarketLoad) -> dict[str, Any]:
    return {
        "market_id": load.market.pk,
        "market_code": load.market.code,
        "market_name": load.market.name,
        "required_hours": load.required_hours,
        "available_hours": load.available_hours,
        "members": load.members,
        "overloaded": load.overloaded,
        "load_percent": load.load_percent,
        "channels": [
            {
                "channel_id": c.channel.pk,
                "network": c.channel.network,
                "handle": c.channel.handle,
                "display_name": c.channel.display_name,
                "posts_per_week": c.posts_per_week,
                "main_format": c.main_format,
                "minutes_per_post": c.minutes_per_post,
                "hours_per_week": c.hours_per_week,
                "has_target": c.has_target,
            }
            for c in load.channels
        ],
    }


@router.get("/resources", response={200: list[MarketLoadOut], **ERRORS}, summary="The resource plan")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def resource_plan(request: HttpRequest) -> list[dict[str, Any]]:
    """Per market in your scope, in tree order: the hours a week its channels' cadence needs (posts per week ×
    minutes per post of the main format) against the weekly hours of the members creating content there.
    Markets without channels or members are left out."""
    return [_load(load) for load in selectors.resource_plan(actor=actor_of(request))]


@router.put("/cadence/{channel_id}", response={200: CadenceOut, **ERRORS}, summary="Set a channel's cadence")
def cadence_set(request: HttpRequest, channel_id: int, payload: CadenceIn) -> CadenceTarget:
    """Needs strategy.manage in the channel's owner market."""
    actor = actor_of(request)
    return services.cadence_target_set(
        actor=actor,
        channel=governance_selectors.channel_get(actor=actor, pk=channel_id),
        posts_per_week=payload.posts_per_week,
        main_format=payload.main_format.value,
        basis=payload.basis,
    )


@router.get("/benchmarks", response={200: list[BenchmarkOut], **ERRORS}, summary="Cadence benchmarks")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def benchmark_list(request: HttpRequest, filters: Query[BenchmarkQuery]) -> list[Benchmark]:
    """Published posting frequencies, each with its source: benchmarks to compare with, never targets."""
    return benchmarks_for(filters.network) if filters.network else list(benchmarks())


@router.put("/format-efforts/{format}", response={200: FormatEffortOut, **ERRORS}, summary="Set a format's effort")
def format_effort_set(request: HttpRequest, format: PostFormat, payload: FormatEffortIn) -> FormatEffort:
    """Minutes one post of this format costs the team (writing, visuals, review, first replies). Needs
    strategy.manage at Global."""
    return services.format_effort_set(
        actor=actor_of(request), format=format.value, minutes_per_post=payload.minutes_per_post
    )
