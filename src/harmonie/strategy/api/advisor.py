"""The platform advisor: which networks suit an objective, an audience and a market, and why."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from harmonie.core.api_auth import ERRORS
from harmonie.core.errors import ValidationFailed
from harmonie.strategy.advisor import AdvisorInput, AdvisorInputError, advise
from harmonie.strategy.api.schemas import AdvisorIn, AdvisorOut

router = Router(tags=["advisor"])


@router.post("/advisor", response={200: AdvisorOut, **ERRORS}, summary="Which networks, and why")
def advisor(request: HttpRequest, payload: AdvisorIn) -> dict[str, Any]:
    """Every network, best first, with a score from 0 to 100, the reasons (each with its signed weight) and
    the sources they rest on. Networks not available in the market, or needing formats you do not produce,
    come last with ``excluded: true``. Reads no data of your organization: any member may ask."""
    data = AdvisorInput(
        objectives=[o.value for o in payload.objectives],
        audience=payload.audience.value,
        age_band=payload.age_band.value if payload.age_band else None,
        market=payload.market,
        relation_mode=payload.relation_mode.value,
        formats=[f.value for f in payload.formats],
        weekly_hours=payload.weekly_hours,
        voice=payload.voice,
        approach=payload.approach.value if payload.approach else None,
    )
    try:
        recommendations = advise(data=data)
    except AdvisorInputError as exc:  # the schema checks the same choices; this is the advisor's last word
        raise ValidationFailed(str(exc)) from exc
    return {"recommendations": recommendations}
