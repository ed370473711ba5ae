"""Dashboards over the API, mounted under ``/api/v1/analytics``: the objectives dashboard (KPIs actual vs target)
and the global-vs-local comparison, with the same filter as the pages (market, period or from/to)."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from harmonie.analytics.kpis import Dashboard, KPIResult, objectives_dashboard
from harmonie.analytics.selectors import dashboards as selectors
from harmonie.core.api_auth import ERRORS, actor_of

router = Router(tags=["analytics"])

Period = Literal["this_month", "last_month", "quarter", "last_12_months", "custom"]


class DashboardQuery(Schema):
    market: int | None = None  # none: all the markets you may analyse
    period: Period = "this_month"
    start: dt.date | None = None  # with period=custom
    end: dt.date | None = None


class KPIOut(Schema):
    kpi_id: int
    metric: str
    name: str
    unit: str
    direction: str
    baseline: Decimal | None
    target: Decimal
    target_for_period: Decimal
    actual: Decimal | None
    percent_of_target: Decimal | None
    status: str
    note: str


class ObjectiveOut(Schema):
    objective_id: int
    name: str
    type: str
    market_code: str
    channel_count: int
    kpis: list[KPIOut]


class DashboardOut(Schema):
    market_code: str | None
    timezone: str
    start: dt.date
    end: dt.date
    objectives: list[ObjectiveOut]


class ClaimOut(Schema):
    holds: bool | None
    global_median: Decimal | None
    local_median: Decimal | None


class ChannelAudienceOut(Schema):
    channel_id: int
    network: str
    handle: str
    is_global: bool
    followers: int | None
    engagement_rate: Decimal | None
    definition: str


class GlobalLocalOut(Schema):
    start: dt.date
    end: dt.date
    audience: ClaimOut
    engagement: ClaimOut
    channels: list[ChannelAudienceOut]


def _kpi(k: KPIResult) -> dict[str, Any]:
    return {
        "kpi_id": k.kpi.pk, "metric": k.metric, "name": k.name, "unit": k.unit, "direction": k.direction,
        "baseline": k.baseline, "target": k.target, "target_for_period": k.target_for_period, "actual": k.actual,
        "percent_of_target": k.percent_of_target, "status": k.status.value, "note": k.note,
    }  # fmt: skip


def _channel(r: selectors.AudienceRow) -> dict[str, Any]:
    return {
        "channel_id": r.channel.id, "network": r.channel.network, "handle": r.channel.handle,
        "is_global": r.is_global, "followers": r.followers, "engagement_rate": r.engagement_rate,
        "definition": r.definition,
    }  # fmt: skip


def _dashboard(d: Dashboard) -> dict[str, Any]:
    return {
        "market_code": d.market.code if d.market else None,
        "timezone": d.timezone_name,
        "start": d.start,
        "end": d.end,
        "objectives": [
            {
                "objective_id": r.objective.pk,
                "name": r.objective.name,
                "type": r.objective.type,
                "market_code": r.objective.market.code,
                "channel_count": r.channel_count,
                "kpis": [_kpi(k) for k in r.kpis],
            }
            for r in d.objectives
        ],
    }


@router.get("/dashboard", response={200: DashboardOut, **ERRORS}, summary="Objectives: KPIs actual vs target")
def dashboard(request: HttpRequest, filters: Query[DashboardQuery]) -> dict[str, Any]:
    """Each active objective in view (the market's, those below it, and Global's) with its KPIs over the period:
    actual, target (prorated to the period for counts), percent of target and status (met, on_track, behind,
    missed, no_data, not_measured). Dates are in the chosen market's time zone."""
    actor = actor_of(request)
    return _dashboard(objectives_dashboard(actor=actor, **filters.dict()))


@router.get("/global-vs-local", response={200: GlobalLocalOut, **ERRORS}, summary="Global vs local channels")
def global_vs_local(request: HttpRequest, filters: Query[DashboardQuery]) -> dict[str, Any]:
    """Audience size and engagement rate per channel, and whether "global channels reach larger audiences with a
    lower engagement rate" holds on your data (null: a side has no channel with the figure)."""
    data = selectors.global_vs_local(actor=actor_of(request), **filters.dict())

    def claim(part: selectors.ClaimPart) -> dict[str, Any]:
        return {"holds": part.holds, "global_median": part.global_median, "local_median": part.local_median}

    return {
        "start": data.start,
        "end": data.end,
        "audience": claim(data.audience),
        "engagement": claim(data.engagement),
        "channels": [_channel(r) for r in data.rows],
    }
