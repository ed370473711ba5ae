"""The dashboard: the organization at a glance, as the acting member may see it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harmonie.governance import selectors
from harmonie.governance.models import Network, Ownership
from harmonie.governance.permissions import Actor
from harmonie.governance.views import common


@common.member_required
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    summary = selectors.dashboard_summary(actor=actor, year=common.current_year())
    network_labels = dict(Network.choices)
    network_bars = common.bars(
        summary.channels_by_network,
        label=lambda item: str(network_labels.get(item[0], item[0])),
        value=lambda item: item[1],
    )
    budget_bars = (
        common.bars(
            summary.budget_by_market,
            label=lambda row: row.market.name,
            value=lambda row: row.planned,
            unit=lambda row: row.currency,
        )
        if summary.budget_by_market is not None
        else None
    )
    ownership_labels = dict(Ownership.choices)
    cells_total = sum(count for _value, count in summary.ownership_counts)
    ownership = [
        {"value": value, "label": ownership_labels[value], "count": count, "percent": round(100 * count / cells_total)}
        for value, count in summary.ownership_counts
        if cells_total
    ]
    return render(
        request,
        "governance/dashboard.html",
        {
            "summary": summary,
            "network_bars": network_bars,
            "budget_bars": budget_bars,
            "ownership": ownership,
            "cells_total": cells_total,
            "preset_label": actor.organization.get_governance_preset_display(),
        },
    )
