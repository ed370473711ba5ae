"""Objectives dashboard: each objective's KPIs actual vs target over the chosen period (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from harmonie.analytics.dictionary import CUMULATIVE, METRIC_SOURCES, UNMEASURED_REASONS, Source, network_metrics
from harmonie.analytics.kpis.compute import (
    STATUS_LABELS,
    ChannelTotals,
    Status,
    days_between,
    engagement_rate,
    follower_growth,
    granularity_for,
    kpi_status,
    mean_rate,
    overlap_days,
    percent_of_target,
    q2,
    ratio_percent,
)
from harmonie.analytics.kpis.compute import buckets as make_buckets
from harmonie.analytics.kpis.data import Figures, Scope, load_figures, period_dates, resolve_scope
from harmonie.analytics.models.tracking import LinkPurpose
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor
from harmonie.strategy.knowledge import metrics as metric_dictionary
from harmonie.strategy.models import KPI, Objective, ObjectiveStatus

# The result an objective's type is about (cost per result divides spend by it).
RESULT_METRIC: dict[str, str | None] = {
    "awareness": "impressions",
    "image": "engagements",
    "engagement": "engagements",
    "drive_to_web": "clicks",
    "drive_to_store": "store_visits",
    "data_capture": "leads",
    "sales": "conversions",
    "loyalty": "engagements",
    "customer_service": None,
    "recruitment": "clicks",
}


@dataclass(frozen=True)
class KPIResult:
    kpi: KPI
    metric: str
    name: str
    unit: str
    direction: str
    baseline: Decimal | None
    target: Decimal  # the KPI's target over its own period
    target_for_period: Decimal  # prorated to the chosen period for cumulative metrics
    actual: Decimal | None  # None: no data (or not measurable: see ``note``)
    percent_of_target: Decimal | None
    status: Status
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class Chart:
    """Cumulative actual per bucket vs the straight target line, for one cumulative KPI."""

    metric: str
    name: str
    labels: list[dt.date]
    actual: list[Decimal]
    target: list[Decimal]


@dataclass
class ObjectiveResult:
    objective: Objective
    channel_count: int
    kpis: list[KPIResult] = field(default_factory=list)
    chart: Chart | None = None


@dataclass
class Dashboard:
    scope: Scope
    start: dt.date
    end: dt.date
    today: dt.date
    objectives: list[ObjectiveResult]

    @property
    def market(self) -> Market | None:
        return self.scope.market

    @property
    def timezone_name(self) -> str:
        return str(self.scope.timezone)


class _Measure:
    """The figures of one objective: its channels and markets inside the selection."""

    def __init__(
        self, figures: Figures, scope: Scope, objective: Objective, explicit: set[int], cache: dict[Any, Any]
    ) -> None:
        path = objective.market.path
        self.path = path
        self.scope = scope
        self.figures = figures
        in_market = cache.get(("channels", path))
        if in_market is None:
            in_market = cache[("channels", path)] = frozenset(c.id for c in scope.channels if c.in_market(path))
        self.channel_ids = set(in_market & explicit) if explicit else set(in_market)
        self.totals = [figures.channel_totals[cid] for cid in self.channel_ids if cid in figures.channel_totals]
        self.currency = objective.market.currency
        # Objectives of the same market share their figures: computed once per (metric, channels, market).
        self._cache = cache
        self._key = (frozenset(self.channel_ids), path)

    def series(self, metric: str) -> dict[dt.date, Decimal]:
        key = ("series", metric, self._key)
        if key not in self._cache:
            self._cache[key] = self._series(metric)
        return self._cache[key]  # type: ignore[no-any-return]

    def total(self, metric: str) -> Decimal | None:
        key = ("total", metric, self._key)
        if key not in self._cache:
            self._cache[key] = self._total(metric)
        return self._cache[key]  # type: ignore[no-any-return]

    def _market_ok(self, market_id: int) -> bool:
        return self.scope.market_under(market_id, self.path)

    def _link_ok(self, market_id: int, channel_id: int | None) -> bool:
        return channel_id in self.channel_ids if channel_id is not None else self._market_ok(market_id)

    # cumulative metrics, per bucket (a single bucket = the period when the figures have no granularity)
    def _series(self, metric: str) -> dict[dt.date, Decimal]:  # noqa: PLR0912 - one branch per metric
        out: dict[dt.date, int] = {}

        def add(bucket: dt.date, value: int) -> None:
            out[bucket] = out.get(bucket, 0) + value

        def from_channels(get: Callable[[ChannelTotals, dict[str, int]], int]) -> None:
            for t in self.totals:
                for bucket, values in self.figures.channel_series.get(t.channel_id, {}).items():
                    add(bucket, get(t, values))

        if metric == "engagements":
            from_channels(lambda t, v: v["likes"] + v["reposts"] + v["replies"] + v["quotes"] + v["saves"])
        elif metric == "impressions":
            from_channels(lambda t, v: _displays(t.network, v))
        elif metric == "video_views":
            from_channels(lambda t, v: 0 if _views_are_displays(t.network) else v["views"])
        elif metric == "clicks":
            from_channels(lambda t, v: v["clicks"])
            for (market_id, channel_id, purpose, bucket), n in self.figures.link_clicks.items():
                if purpose != LinkPurpose.QR and self._link_ok(market_id, channel_id):
                    add(bucket, n)
        elif metric == "store_visits":
            for (market_id, channel_id, purpose, bucket), n in self.figures.link_clicks.items():
                if purpose == LinkPurpose.QR and self._link_ok(market_id, channel_id):
                    add(bucket, n)
            for (market_id, bucket), n in self.figures.redemptions.items():
                if self._market_ok(market_id):
                    add(bucket, n)
        elif metric == "leads":
            for (market_id, _channel_id, bucket), n in self.figures.leads.items():
                if self._market_ok(market_id):
                    add(bucket, n)
        return {bucket: Decimal(value) for bucket, value in out.items()}

    def _total(self, metric: str) -> Decimal | None:  # noqa: PLR0912 - one branch per metric
        """The period's actual of ``metric``; None when nothing measures it here."""
        if metric in {"engagements", "impressions", "video_views", "clicks"}:
            if not self.totals and metric != "clicks":
                return None
            t = self.totals
            if metric == "engagements":
                value = Decimal(sum(x.interactions for x in t))
            elif metric == "impressions":
                value = Decimal(sum(x.displays for x in t))
            elif metric == "video_views":
                value = Decimal(sum(x.video_views for x in t))
            else:
                value = Decimal(sum(x.clicks for x in t)) + self._first_party(qr=False)
            return value
        if metric == "store_visits":
            return self._first_party(qr=True) + sum(
                (Decimal(n) for (m, _b), n in self.figures.redemptions.items() if self._market_ok(m)), Decimal(0)
            )
        if metric == "leads":
            return sum((Decimal(n) for (m, c, _b), n in self.figures.leads.items() if self._market_ok(m)), Decimal(0))
        if metric == "conversions":
            rows = [r for r in self.figures.spend if self._market_ok(r.market_id) and "conversions" in r.reported]
            return sum((r.conversions for r in rows), Decimal(0)) if rows else None
        if metric == "engagement_rate":
            return mean_rate(engagement_rate(t) for t in self.totals)
        if metric == "ctr":
            with_impressions = [t for t in self.totals if t.impressions]
            return ratio_percent(sum(t.clicks for t in with_impressions), sum(t.impressions for t in with_impressions))
        if metric in {"followers", "follower_growth"}:
            known = [t for t in self.totals if t.followers_first is not None and t.followers_last is not None]
            if not known:
                return None
            last = sum(t.followers_last or 0 for t in known)
            if metric == "followers":
                return Decimal(last)
            return follower_growth(sum(t.followers_first or 0 for t in known), last)
        return None

    def _first_party(self, *, qr: bool) -> Decimal:
        return Decimal(
            sum(
                n
                for (market_id, channel_id, purpose, _b), n in self.figures.link_clicks.items()
                if (purpose == LinkPurpose.QR) == qr and self._link_ok(market_id, channel_id)
            )
        )

    def spend(self) -> tuple[Decimal, list[str]]:
        """Spend in the objective market's currency, and the other currencies left out (no exchange rates)."""
        rows = [r for r in self.figures.spend if self._market_ok(r.market_id)]
        amount = sum((r.amount for r in rows if r.currency == self.currency), Decimal(0))
        return amount, sorted({r.currency for r in rows if r.currency != self.currency})


def _views_are_displays(network: str) -> bool:
    return network_metrics(network).views_are_displays


def _displays(network: str, values: dict[str, int]) -> int:
    return values["impressions"] + (values["views"] if _views_are_displays(network) else 0)


def _kpi_result(
    kpi: KPI, measure: _Measure, objective: Objective, *, start: dt.date, end: dt.date, today: dt.date
) -> KPIResult:
    spec = metric_dictionary().get(kpi.metric)
    name = _(spec.name) if spec else kpi.metric
    unit = spec.unit if spec else ""
    direction = spec.direction if spec else "up"
    source = METRIC_SOURCES.get(kpi.metric, Source.NONE)
    cumulative = kpi.metric in CUMULATIVE
    kpi_days = days_between(kpi.period_start, kpi.period_end)
    target_for_period = (
        kpi.target * overlap_days(start, end, kpi.period_start, kpi.period_end) / kpi_days if cumulative else kpi.target
    )
    target_for_period = q2(target_for_period)

    def result(actual: Decimal | None, percent: Decimal | None, status: Status, note: str = "") -> KPIResult:
        return KPIResult(
            kpi=kpi, metric=kpi.metric, name=name, unit=unit, direction=direction, baseline=kpi.baseline,
            target=kpi.target, target_for_period=target_for_period, actual=actual, percent_of_target=percent,
            status=status, note=note,
        )  # fmt: skip

    if source in UNMEASURED_REASONS:
        return result(None, None, Status.NOT_MEASURED, str(UNMEASURED_REASONS[source]))
    note = ""
    if kpi.metric == "cost_per_result":
        result_metric = RESULT_METRIC.get(objective.type)
        if result_metric is None:
            return result(
                None, None, Status.NOT_MEASURED, _("Results of this objective type are measured once the inbox exists.")
            )
        results = measure.total(result_metric)
        amount, other = measure.spend()
        actual = amount / results if results else None
        result_name = metric_dictionary()[result_metric].name
        note = _("Spend in %(currency)s ÷ %(results)s.") % {
            "currency": measure.currency,
            "results": _(result_name).lower(),
        }
        if other:
            note += " " + _("Spend in %(currencies)s left out (no exchange rates).") % {"currencies": ", ".join(other)}
    else:
        actual = measure.total(kpi.metric)
    actual = q2(actual) if actual is not None else None
    elapsed_days = max(0, min(days_between(start, min(today, end)), days_between(start, end)))
    elapsed = Decimal(elapsed_days) / days_between(start, end)
    status = kpi_status(
        actual=actual, target=target_for_period, baseline=kpi.baseline, direction=direction,
        cumulative=cumulative, elapsed=elapsed, finished=today > end,
    )  # fmt: skip
    percent = percent_of_target(actual, target_for_period, direction=direction)
    return result(actual, q2(percent) if percent is not None else None, status, note)


def _chart(
    measure: _Measure, results: list[KPIResult], *, start: dt.date, end: dt.date, figures: Figures
) -> Chart | None:
    chartable = [r for r in results if r.metric in CUMULATIVE and r.metric != "conversions"]
    if not chartable or figures.granularity is None:
        return None
    first = chartable[0]
    labels = make_buckets(start, end, figures.granularity)
    per_bucket = measure.series(first.metric)
    actual: list[Decimal] = []
    running = Decimal(0)
    for b in labels:
        running += per_bucket.get(b, Decimal(0))
        actual.append(running)
    total_days = days_between(start, end)
    ends = [*(b - dt.timedelta(days=1) for b in labels[1:]), end]
    target = [q2(first.target_for_period * days_between(start, e) / total_days) for e in ends]
    return Chart(metric=first.metric, name=first.name, labels=labels, actual=actual, target=target)


def objectives_dashboard(
    *,
    actor: Actor,
    market: Market | int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: str = "custom",
    today: dt.date | None = None,
) -> Dashboard:
    """Every active objective in view with its KPIs actual vs target over ``start..end`` (see the package doc).

    ``period``: "custom" (give ``start`` and ``end``) or a choice of ``period_for``, resolved with today's date in
    the chosen market's time zone (``today`` overrides it, for tests and reports)."""
    scope = resolve_scope(actor=actor, market=market)
    start, end, today = period_dates(scope, period=period, start=start, end=end, today=today)
    # Objectives of the selection, of markets below it, and of markets above it (Global's apply everywhere).
    ancestor_ids: set[int] = set()
    for p in scope.paths:
        ancestor_ids.update(int(x) for x in p.strip("/").split("/") if x)
    in_view = Q(market_id__in=ancestor_ids)
    for p in scope.paths:
        in_view |= Q(market__path__startswith=p)
    objectives = list(
        Objective.objects.filter(
            in_view,
            organization=actor.organization,
            status=ObjectiveStatus.ACTIVE,
            period_start__lte=end,
            period_end__gte=start,
        )
        .select_related("market")
        .prefetch_related(
            Prefetch(
                "kpis",
                queryset=KPI.objects.filter(period_start__lte=end, period_end__gte=start).order_by("metric", "pk"),
            ),
            Prefetch("channels", queryset=Channel.objects.only("pk")),
        )
        .order_by("market__path", "period_start", "name")
    )
    figures = load_figures(scope=scope, start=start, end=end, granularity=granularity_for(start, end))
    results: list[ObjectiveResult] = []
    cache: dict[Any, Any] = {}
    for objective in objectives:
        measure = _Measure(figures, scope, objective, {c.pk for c in objective.channels.all()}, cache)
        kpis = [_kpi_result(k, measure, objective, start=start, end=end, today=today) for k in objective.kpis.all()]
        results.append(
            ObjectiveResult(
                objective=objective,
                channel_count=len(measure.channel_ids),
                kpis=kpis,
                chart=_chart(measure, kpis, start=start, end=end, figures=figures),
            )
        )
    return Dashboard(scope=scope, start=start, end=end, today=today, objectives=results)
