"""The strategy document: one organization (or one market) on paper, as HTML, PDF or Markdown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Market, Organization
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.selectors import MatrixRow
from harmonie.strategy import selectors
from harmonie.strategy.advisor import AdvisorInput, Recommendation, advise
from harmonie.strategy.knowledge import Metric, metrics
from harmonie.strategy.models import Audience, CharterRule, Objective
from harmonie.strategy.selectors import BrandView, MarketLoad


@dataclass
class PlatformChoice:
    objective: Objective
    recommendations: list[Recommendation]


@dataclass
class StrategyDocument:
    organization: Organization
    market: Market | None
    generated_at: dt.datetime
    objectives: list[Objective]
    metrics: dict[str, Metric]
    audiences: list[Audience]
    matrix_markets: list[Market]
    matrix_rows: list[MatrixRow]
    brand: BrandView
    charter: list[CharterRule]
    platforms: list[PlatformChoice]
    resources: list[MarketLoad]


def _country_code(market: Market) -> str:
    return market.code if market.kind == "country" else "US"


def strategy_document(*, actor: Actor, market: Market | None = None) -> StrategyDocument:
    """Gather everything a strategy document shows, scoped to the actor (and to ``market`` if given)."""
    actor.require(Perm.STRATEGY_VIEW, market)
    objectives = list(selectors.objective_list(actor=actor, status="active"))
    charter = list(selectors.charter_rule_list(actor=actor))
    resources = selectors.resource_plan(actor=actor)
    matrix_markets, matrix_rows = governance_selectors.governance_matrix(actor=actor)
    if market is not None:
        keep = set(market.ancestor_ids())
        objectives = [o for o in objectives if o.market_id in keep or o.market.path.startswith(market.path)]
        charter = [r for r in charter if r.market_id in keep]
        resources = [r for r in resources if r.market.path.startswith(market.path)]
        visible = [m for m in matrix_markets if m.pk in keep or m.path.startswith(market.path)]
        ids = {m.pk for m in visible}
        matrix_rows = [
            MatrixRow(row.dimension, [c for c in row.cells if c.market is None or c.market.pk in ids])
            for row in matrix_rows
        ]
        matrix_markets = visible
    platforms: list[PlatformChoice] = []
    for objective in objectives:
        audience = objective.audience
        formats = sorted({r.main_format for r in _cadence_formats(resources)} or {"text", "image"})
        advice = advise(
            data=AdvisorInput(
                objectives=[objective.type],
                audience=audience.kind if audience else "b2b",
                age_band=(audience.age_band or None) if audience else None,
                market=_country_code(objective.market),
                relation_mode=objective.relation_mode or (audience.relation_mode if audience else "visibility"),
                formats=formats,
                weekly_hours=10.0,
            )
        )
        platforms.append(PlatformChoice(objective, [r for r in advice if not r.excluded][:3]))
    return StrategyDocument(
        organization=actor.organization,
        market=market,
        generated_at=timezone.now(),
        objectives=objectives,
        metrics=metrics(),
        audiences=list(selectors.audience_list(actor=actor)),
        matrix_markets=matrix_markets,
        matrix_rows=matrix_rows,
        brand=selectors.brand_view(actor=actor),
        charter=charter,
        platforms=platforms,
        resources=resources,
    )


def _cadence_formats(resources: list[MarketLoad]) -> list[selectors.ChannelLoad]:
    return [c for load in resources for c in load.channels]


def render_html(document: StrategyDocument, *, for_pdf: bool = False) -> str:
    return render_to_string("strategy/document/document.html", {"doc": document, "for_pdf": for_pdf})


def render_markdown(document: StrategyDocument) -> str:
    return render_to_string("strategy/document/document.md", {"doc": document})


def render_pdf(document: StrategyDocument) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    return bytes(HTML(string=render_html(document, for_pdf=True)).write_pdf())
