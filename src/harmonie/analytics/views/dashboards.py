"""Dashboards: objectives and KPIs, cadence, pillar mix, global vs local, best time, paid/owned/earned, response time.

Every page takes the same GET filter (``market``: a market id, empty = all my markets; ``period``: this_month,
last_month, quarter, last_12_months or custom with ``start``/``end``). HTMX requests get the page body only, so
changing a filter swaps the body; without JavaScript the filter is a plain GET form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from harmonie.analytics import charts
from harmonie.analytics.kpis import Dashboard, objectives_dashboard
from harmonie.analytics.kpis.compute import Granularity, granularity_for
from harmonie.analytics.kpis.data import PERIOD_CHOICES
from harmonie.analytics.selectors import dashboards as selectors
from harmonie.core.errors import ValidationFailed
from harmonie.governance.permissions import Actor
from harmonie.governance.views.common import is_htmx, member_required

PERIOD_LABELS = {
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "quarter": gettext_lazy("This quarter"),
    "last_12_months": gettext_lazy("Last 12 months"),
    "custom": gettext_lazy("Custom"),
}


@dataclass(frozen=True)
class Filter:
    market: int | None
    period: str
    start: dt.date | None
    end: dt.date | None
    channel: int | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {"market": self.market, "period": self.period, "start": self.start, "end": self.end}


def _int(value: str | None, field: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(_("Choose a value from the list."), field=field) from None


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field=field) from None


def parse_filter(request: HttpRequest) -> Filter:
    period = request.GET.get("period") or "this_month"
    if period not in PERIOD_CHOICES:
        raise ValidationFailed(_("Choose a period from the list."), field="period")
    return Filter(
        market=_int(request.GET.get("market"), "market"),
        period=period,
        start=_date(request.GET.get("start"), "start"),
        end=_date(request.GET.get("end"), "end"),
        channel=_int(request.GET.get("channel"), "channel"),
    )


WEEKDAYS = (
    gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"), gettext_lazy("Thu"),
    gettext_lazy("Fri"), gettext_lazy("Sat"), gettext_lazy("Sun"),
)  # fmt: skip


def _label(day: dt.date, granularity: Granularity) -> str:
    """A chart point's label: the day ("24/11"), or for a point a month its month in the reader's language
    ("Nov. 2026", "nov. 2026")."""
    if granularity is Granularity.MONTH:
        return formats.date_format(day, "N Y")
    return day.strftime("%d/%m")


def _objective_charts(dashboard: Dashboard) -> dict[int, SafeString]:
    """One SVG per objective with a cumulative KPI: the actual so far against the straight target line."""
    out = {}
    for result in dashboard.objectives:
        chart = result.chart
        if chart is None:
            continue
        out[result.objective.pk] = charts.line_chart(
            chart_id=f"kpi-chart-{result.objective.pk}",
            title=_("%(metric)s: cumulative actual vs target") % {"metric": chart.name},
            desc=_("From %(start)s to %(end)s: actual %(actual)s, target for the period %(target)s.")
            % {
                "start": dashboard.start.isoformat(),
                "end": dashboard.end.isoformat(),
                "actual": chart.actual[-1] if chart.actual else 0,
                "target": chart.target[-1] if chart.target else 0,
            },
            labels=[_label(d, granularity_for(dashboard.start, dashboard.end)) for d in chart.labels],
            series=[
                charts.Series(_("Actual"), chart.actual),
                charts.Series(_("Target"), chart.target, color="#57606a", dashed=True),
            ],
        )
    return out


def _page(request: HttpRequest, name: str, context: dict[str, Any], flt: Filter) -> HttpResponse:
    context |= {"filter": flt, "periods": list(PERIOD_LABELS.items()), "tab": name}
    template = f"analytics/dashboards/_{name}_body.html" if is_htmx(request) else f"analytics/dashboards/{name}.html"
    return render(request, template, context)


@member_required
@require_GET
def objectives(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    dashboard = objectives_dashboard(actor=actor, **flt.as_kwargs())
    context = {"dashboard": dashboard, "scope": dashboard.scope, "data": dashboard}
    svgs = _objective_charts(dashboard)
    items = [(r, svgs.get(r.objective.pk)) for r in dashboard.objectives]
    return _page(request, "objectives", context | {"items": items}, flt)


@member_required
@require_GET
def cadence(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    data = selectors.cadence_compliance(actor=actor, **flt.as_kwargs())
    rows = [r for r in data.rows if r.target_per_week is not None][:30]
    chart = charts.bar_chart(
        chart_id="cadence-chart",
        title=_("Posts per week: actual vs target"),
        desc=_("Average posts published per week on each channel with a cadence target, and the target."),
        categories=[r.channel.handle for r in rows],
        series=[
            charts.Series(_("Actual"), [r.per_week for r in rows]),
            charts.Series(_("Target"), [r.target_per_week for r in rows], color="#57606a"),
        ],
    )
    return _page(request, "cadence", {"data": data, "scope": data.scope, "chart": chart}, flt)


@member_required
@require_GET
def pillars(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    data = selectors.pillar_mix(actor=actor, **flt.as_kwargs())
    chart = charts.bar_chart(
        chart_id="pillar-chart",
        title=_("Pillar mix: actual vs target share (%)"),
        desc=_("Share of the published posts per content pillar, and each pillar's target share."),
        categories=[r.name for r in data.rows],
        series=[
            charts.Series(_("Actual"), [r.share for r in data.rows]),
            charts.Series(_("Target"), [r.target_share for r in data.rows], color="#57606a"),
        ],
    )
    return _page(request, "pillars", {"data": data, "scope": data.scope, "chart": chart}, flt)


@member_required
@require_GET
def global_local(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    data = selectors.global_vs_local(actor=actor, **flt.as_kwargs())
    points = [
        charts.Point(r.followers, r.engagement_rate, r.channel.handle, group=0 if r.is_global else 1)
        for r in data.rows
        if r.followers is not None and r.engagement_rate is not None
    ]
    chart = charts.scatter_chart(
        chart_id="global-local-chart",
        title=_("Audience size vs engagement rate per channel"),
        desc=_("Each point is a channel: followers at the end of the period (log scale) against its engagement rate."),
        points=points,
        x_label=_("Followers"),
        y_label=_("Engagement rate (%)"),
        groups=[_("Global"), _("Local")],
        log_x=True,
    )
    return _page(request, "global_local", {"data": data, "scope": data.scope, "chart": chart}, flt)


@member_required
@require_GET
def best_time(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    data = selectors.best_time(actor=actor, market=flt.market, channel=flt.channel)
    chart = charts.heatmap(
        chart_id="best-time-chart",
        title=_("Mean interactions per post by weekday and hour"),
        desc=_("Hours in the channel's time zone; grey cells: no post published at that time."),
        rows=[str(d) for d in WEEKDAYS],
        columns=[f"{h:02d}" for h in range(24)],
        values=data.grid,
    )
    slots = [(f"{WEEKDAYS[s.weekday]} {s.hour:02d}:00", s) for s in data.best]
    context = {"data": data, "scope": data.scope, "chart": chart, "slots": slots}
    return _page(request, "best_time", context, flt)


@member_required
@require_GET
def media(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    data = selectors.media_breakdown(actor=actor, **flt.as_kwargs())
    chart = charts.bar_chart(
        chart_id="media-chart",
        title=_("Results by media type"),
        desc=_("Interactions from paid, owned and earned media over the period."),
        categories=[r.label for r in data.rows],
        series=[charts.Series(_("Results"), [r.results for r in data.rows])],
    )
    return _page(request, "media", {"data": data, "scope": data.scope, "chart": chart}, flt)


@member_required
@require_GET
def response_time(request: HttpRequest, actor: Actor) -> HttpResponse:
    flt = parse_filter(request)
    data = selectors.response_time(actor=actor, market=flt.market)
    return _page(request, "response", {"data": data, "scope": data.scope}, flt)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", objectives, name="dashboard"),
    path("dashboards/cadence/", cadence, name="dashboard_cadence"),
    path("dashboards/pillars/", pillars, name="dashboard_pillars"),
    path("dashboards/global-local/", global_local, name="dashboard_global_local"),
    path("dashboards/best-time/", best_time, name="dashboard_best_time"),
    path("dashboards/media/", media, name="dashboard_media"),
    path("dashboards/response-time/", response_time, name="dashboard_response"),
]
