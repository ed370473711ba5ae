"""What can be exported, each dataset scoped to the acting member's markets (``analytics.view``).

A dataset knows its header (stable column names, the same in every language, so that a spreadsheet or a script
reading the file keeps working), how many rows it has and how to produce them in order, a chunk at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from harmonie.analytics.exports.writers import Cell
from harmonie.analytics.models import ChannelDailyStat, LinkClick, PostMetricSnapshot, ShortLink
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm

CHUNK = 1000  # rows read from the database at a time; progress is saved after each chunk


@dataclass(frozen=True)
class ExportFilters:
    date_from: dt.date
    date_to: dt.date
    market: Market | None = None  # None: every market in the member's scope

    def as_params(self) -> dict[str, str | int | None]:
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "market_id": self.market.pk if self.market else None,
        }


@dataclass(frozen=True)
class Dataset:
    key: str
    label: Promise
    header: list[str]
    count: Callable[[Actor, ExportFilters], int]
    rows: Callable[[Actor, ExportFilters], Iterator[list[Cell]]]


def _market_scope(actor: Actor, filters: ExportFilters, path_field: str) -> Q:
    q = actor.market_q(Perm.ANALYTICS_VIEW, path_field)
    if filters.market is not None:
        q &= Q(**{f"{path_field}__startswith": filters.market.path})
    return q


# Channel daily stats ------------------------------------------------------------------------------------------------

_DAILY_COUNTS = ["likes", "reposts", "replies", "quotes", "impressions", "views", "clicks", "saves"]


def _channel_daily_qs(actor: Actor, filters: ExportFilters) -> QuerySet[ChannelDailyStat]:
    return ChannelDailyStat.objects.filter(
        _market_scope(actor, filters, "channel__owner_market__path"),
        organization_id=actor.organization_id,
        day__gte=filters.date_from,
        day__lte=filters.date_to,
    )


def _channel_daily_rows(actor: Actor, filters: ExportFilters) -> Iterator[list[Cell]]:
    fields = ["day", "channel__display_name", "channel__network", "channel__owner_market__code", "followers",
              "posts_published", *_DAILY_COUNTS]  # fmt: skip
    qs = _channel_daily_qs(actor, filters).order_by("day", "channel__display_name", "channel_id")
    for row in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        yield list(row)


# Post metrics (the latest snapshot of each post up to the end of the period) ----------------------------------------


def _post_metrics_qs(actor: Actor, filters: ExportFilters) -> QuerySet[PostMetricSnapshot]:
    latest = (
        PostMetricSnapshot.objects.filter(post=OuterRef("post"), day__lte=filters.date_to)
        .order_by("-day")
        .values("day")[:1]
    )
    return PostMetricSnapshot.objects.filter(
        _market_scope(actor, filters, "channel__owner_market__path"),
        organization_id=actor.organization_id,
        day__gte=filters.date_from,
        day__lte=filters.date_to,
        day=Subquery(latest),
    )


def _post_metrics_rows(actor: Actor, filters: ExportFilters) -> Iterator[list[Cell]]:
    fields = ["post_id", "day", "captured_at", "channel__display_name", "channel__network",
              "channel__owner_market__code", "post__text", *_DAILY_COUNTS]  # fmt: skip
    qs = _post_metrics_qs(actor, filters).order_by("day", "post_id")
    for row in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        values = list(row)
        values[6] = " ".join(str(values[6]).split())[:280]  # the post's text on one line
        yield values


# Link clicks per day (the day in the link's market time zone; bots apart) -------------------------------------------


def _link_click_groups(actor: Actor, filters: ExportFilters) -> list[list[Cell]]:
    links = ShortLink.objects.filter(
        _market_scope(actor, filters, "market__path"), organization_id=actor.organization_id
    )
    zones = sorted(set(links.values_list("market__timezone", flat=True)))
    rows: list[list[Cell]] = []
    for name in zones:
        zone = ZoneInfo(name)
        start = dt.datetime.combine(filters.date_from, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        grouped = (
            LinkClick.objects.filter(
                link__in=links.filter(market__timezone=name), clicked_at__gte=start, clicked_at__lt=end
            )
            .annotate(day=TruncDate("clicked_at", tzinfo=zone))
            .values(
                "day", "link__code", "link__label", "link__destination", "link__market__code", "link__campaign__name"
            )
            .annotate(clicks=Count("pk", filter=Q(is_bot=False)), bots=Count("pk", filter=Q(is_bot=True)))
            .order_by()
        )
        rows.extend(
            [
                g["day"],
                g["link__code"],
                g["link__label"],
                g["link__destination"],
                g["link__market__code"],
                g["link__campaign__name"] or "",
                g["clicks"],
                g["bots"],
            ]
            for g in grouped
        )
    rows.sort(key=lambda r: (str(r[0]), str(r[1])))
    return rows


def _link_clicks_count(actor: Actor, filters: ExportFilters) -> int:
    return len(_link_click_groups(actor, filters))


def _link_clicks_rows(actor: Actor, filters: ExportFilters) -> Iterator[list[Cell]]:
    yield from _link_click_groups(actor, filters)


# KPI table for the period -------------------------------------------------------------------------------------------


def _kpi_rows_list(actor: Actor, filters: ExportFilters) -> list[list[Cell]]:
    from harmonie.analytics.services.reports import kpi_table_rows  # noqa: PLC0415 - the report owns the KPI table

    return kpi_table_rows(actor=actor, market=filters.market, start=filters.date_from, end=filters.date_to)


DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in [
        Dataset(
            "channel_daily",
            _("Channel daily stats"),
            ["day", "channel", "network", "market", "followers", "posts", *_DAILY_COUNTS],
            lambda actor, filters: _channel_daily_qs(actor, filters).count(),
            _channel_daily_rows,
        ),
        Dataset(
            "post_metrics",
            _("Post metrics (latest snapshot per post)"),
            ["post_id", "snapshot_day", "captured_at_utc", "channel", "network", "market", "text", *_DAILY_COUNTS],
            lambda actor, filters: _post_metrics_qs(actor, filters).count(),
            _post_metrics_rows,
        ),
        Dataset(
            "link_clicks",
            _("Link clicks per day"),
            ["day", "code", "label", "destination", "market", "campaign", "clicks", "bot_requests"],
            _link_clicks_count,
            _link_clicks_rows,
        ),
        Dataset(
            "kpi_table",
            _("KPI table for the period"),
            [
                "objective",
                "objective_market",
                "kpi",
                "unit",
                "baseline",
                "target",
                "target_for_period",
                "actual",
                "percent_of_target",
                "status",
                "period_start",
                "period_end",
            ],
            lambda actor, filters: len(_kpi_rows_list(actor, filters)),
            lambda actor, filters: iter(_kpi_rows_list(actor, filters)),
        ),
    ]
}
