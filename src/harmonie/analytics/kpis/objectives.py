"""Objectives dashboard: each objective's KPIs actual vs target over the chosen period (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
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
    first_party_clicks_count,
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
from harmonie.analytics.kpis.data import (
    SERIES_FIELDS,
    Figures,
    Scope,
    SpendRow,
    followers_over,
    load_figures,
    period_dates,
    resolve_scope,
)
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
    """The figures of one objective: its channels and markets inside the selection, over the chosen period or, with
    a ``window`` (a KPI's overlap with it), over that part of the period: chart buckets inside the window count in
    full, a bucket the window cuts (a month, when the period is longer than 31 days) counts for its days inside
    the window (spread evenly, as targets are); followers are read at the window's own ends."""

    def __init__(
        self,
        figures: Figures,
        scope: Scope,
        objective: Objective,
        explicit: set[int],
        cache: dict[Any, Any],
        *,
        window: tuple[dt.date, dt.date] | None = None,
        followers: dict[int, tuple[int | None, int | None]] | None = None,
    ) -> None:
        path = objective.market.path
        self.path = path
        self.scope = scope
        self.figures = figures
        in_market = cache.get(("channels", path))
        if in_market is None:
            in_market = cache[("channels", path)] = frozenset(c.id for c in scope.channels if c.in_market(path))
        self.channel_ids = set(in_market & explicit) if explicit else set(in_market)
        self.networks = {c.id: c.network for c in scope.channels}
        self.currency = objective.market.currency
        self.window = window if window != (figures.start, figures.end) else None
        self._weights: dict[dt.date, Decimal] = {}
        if self.window is None:
            self.totals = [figures.channel_totals[cid] for cid in self.channel_ids if cid in figures.channel_totals]
        else:
            self._weights = _bucket_weights(figures, *self.window)
            self.totals = [
                _window_totals(figures, cid, self._weights, (followers or {}).get(cid, (None, None)))
                for cid in self.channel_ids
                if cid in figures.channel_totals
            ]
        # Objectives of the same market share their figures: computed once per (metric, channels, market, window).
        self._cache = cache
        self._key = (frozenset(self.channel_ids), path, self.window)

    def weight(self, bucket: dt.date) -> Decimal:
        """The share of ``bucket`` inside the window (1 without one)."""
        return self._weights.get(bucket, Decimal(0)) if self.window is not None else Decimal(1)

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
        out: dict[dt.date, Decimal] = {}

        def add(bucket: dt.date, value: int) -> None:
            out[bucket] = out.get(bucket, Decimal(0)) + value * self.weight(bucket)

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
                if purpose != LinkPurpose.QR and self._first_party_click(market_id, channel_id):
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
        return out

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
                (n * self.weight(b) for (m, b), n in self.figures.redemptions.items() if self._market_ok(m)),
                Decimal(0),
            )
        if metric == "leads":
            return sum(
                (n * self.weight(b) for (m, c, b), n in self.figures.leads.items() if self._market_ok(m)), Decimal(0)
            )
        if metric == "conversions":
            rows = [r for r in self.figures.spend if self._market_ok(r.market_id) and "conversions" in r.reported]
            return sum((self._spend_part(r)[1] for r in rows), Decimal(0)) if rows else None
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

    def _first_party_click(self, market_id: int, channel_id: int | None) -> bool:
        """Whether a short-link click adds to ``clicks``: links without a channel always; links of a channel only
        when its network gives no click count (else the network's figure already has them)."""
        if not self._link_ok(market_id, channel_id):
            return False
        return channel_id is None or first_party_clicks_count(self.networks.get(channel_id))

    def _first_party(self, *, qr: bool) -> Decimal:
        return sum(
            (
                n * self.weight(b)
                for (market_id, channel_id, purpose, b), n in self.figures.link_clicks.items()
                if (purpose == LinkPurpose.QR) == qr
                and (self._link_ok(market_id, channel_id) if qr else self._first_party_click(market_id, channel_id))
            ),
            Decimal(0),
        )

    def _spend_part(self, row: SpendRow) -> tuple[Decimal, Decimal]:
        return row.part(*self.window) if self.window is not None else (row.amount, row.conversions)

    def spend(self) -> tuple[Decimal, list[str]]:
        """Spend in the objective market's currency, and the other currencies left out (no exchange rates)."""
        rows = [r for r in self.figures.spend if self._market_ok(r.market_id)]
        amount = sum((self._spend_part(r)[0] for r in rows if r.currency == self.currency), Decimal(0))
        return amount, sorted({r.currency for r in rows if r.currency != self.currency})


def _bucket_weights(figures: Figures, start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
    """Each chart bucket's share inside ``start..end``: 1 for a bucket wholly inside, days inside ÷ its days for
    one the window cuts, none for one outside. Without a granularity the period is a single bucket."""
    labels = make_buckets(figures.start, figures.end, figures.granularity) if figures.granularity else [figures.start]
    ends = [*(b - dt.timedelta(days=1) for b in labels[1:]), figures.end]
    weights: dict[dt.date, Decimal] = {}
    for b, e in zip(labels, ends, strict=True):
        inside = overlap_days(start, end, b, e)
        if inside:
            weights[b] = Decimal(1) if inside == days_between(b, e) else Decimal(inside) / days_between(b, e)
    return weights


def _window_totals(
    figures: Figures, channel_id: int, weights: dict[dt.date, Decimal], followers: tuple[int | None, int | None]
) -> ChannelTotals:
    """One channel's totals over a window of the period, from its chart buckets (a cut bucket's counts prorated
    and rounded to whole numbers) and the followers at the window's ends."""
    sums = dict.fromkeys(SERIES_FIELDS, Decimal(0))
    for bucket, values in figures.channel_series.get(channel_id, {}).items():
        w = weights.get(bucket)
        if w:
            for name in SERIES_FIELDS:
                sums[name] += values[name] * w
    whole = {name: int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for name, v in sums.items()}
    posts = whole.pop("posts")
    return ChannelTotals(
        channel_id=channel_id,
        network=figures.channel_totals[channel_id].network,
        **whole,
        posts=posts,
        followers_first=followers[0],
        followers_last=followers[1],
    )


def _views_are_displays(network: str) -> bool:
    return network_metrics(network).views_are_displays


def _displays(network: str, values: dict[str, int]) -> int:
    return values["impressions"] + (values["views"] if _views_are_displays(network) else 0)


def _kpi_result(
    kpi: KPI, measure: _Measure | None, objective: Objective, *, start: dt.date, end: dt.date, today: dt.date
) -> KPIResult:
    """``start..end``: the KPI's own period inside the chosen one (``measure`` measures over it); ``measure`` is
    None when the two do not overlap."""
    spec = metric_dictionary().get(kpi.metric)
    name = _(spec.name) if spec else kpi.metric
    unit = spec.unit if spec else ""
    direction = spec.direction if spec else "up"
    source = METRIC_SOURCES.get(kpi.metric, Source.NONE)
    cumulative = kpi.metric in CUMULATIVE
    kpi_days = days_between(kpi.period_start, kpi.period_end)
    target_for_period = kpi.target * max(0, days_between(start, end)) / kpi_days if cumulative else kpi.target
    target_for_period = q2(target_for_period)

    def result(actual: Decimal | None, percent: Decimal | None, status: Status, note: str = "") -> KPIResult:
        return KPIResult(
            kpi=kpi, metric=kpi.metric, name=name, unit=unit, direction=direction, baseline=kpi.baseline,
            target=kpi.target, target_for_period=target_for_period, actual=actual, percent_of_target=percent,
            status=status, note=note,
        )  # fmt: skip

    if source in UNMEASURED_REASONS:
        return result(None, None, Status.NOT_MEASURED, str(UNMEASURED_REASONS[source]))
    if measure is None or end < start:
        return result(None, None, Status.NO_DATA, _("The KPI's period is outside the period shown."))
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


def _window(kpi: KPI, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The part of ``start..end`` inside the KPI's own period (ends before it starts when they do not overlap)."""
    return max(start, kpi.period_start), min(end, kpi.period_end)


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
    # A KPI is measured over its own period inside the chosen one: followers at those windows' ends in one query.
    windows = {_window(k, start, end) for o in objectives for k in o.kpis.all()}
    partial = sorted(w for w in windows if w != (start, end) and w[0] <= w[1])
    followers = followers_over(scope=scope, ranges=partial) if partial else {}
    for objective in objectives:
        explicit = {c.pk for c in objective.channels.all()}
        measure = _Measure(figures, scope, objective, explicit, cache)
        measures: dict[tuple[dt.date, dt.date], _Measure] = {(start, end): measure}
        kpis = []
        for k in objective.kpis.all():
            w_start, w_end = w = _window(k, start, end)
            if w not in measures and w_start <= w_end:
                measures[w] = _Measure(
                    figures, scope, objective, explicit, cache, window=w, followers=followers.get(w, {})
                )
            kpis.append(_kpi_result(k, measures.get(w), objective, start=w_start, end=w_end, today=today))
        results.append(
            ObjectiveResult(
                objective=objective,
                channel_count=len(measure.channel_ids),
                kpis=kpis,
                chart=_chart(measure, kpis, start=start, end=end, figures=figures),
            )
        )
    return Dashboard(scope=scope, start=start, end=end, today=today, objectives=results)
