"""Reads for link tracking and entered data, scoped to the acting member's markets (analytics.view)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.analytics.models.tracking import (
    LeadEntry,
    LinkClick,
    PromoCode,
    PromoRedemption,
    ShortLink,
    SpendEntry,
    UtmPreset,
)
from harmonie.core.errors import NotFound
from harmonie.governance.models import Budget, Market
from harmonie.governance.permissions import Actor, Perm


def _scope(actor: Actor, path: str = "market__path") -> Q:
    actor.require(Perm.ANALYTICS_VIEW)
    return actor.market_q(Perm.ANALYTICS_VIEW, path)


def utm_preset_list(*, actor: Actor) -> QuerySet[UtmPreset]:
    """Organization-wide presets and those of markets in scope (campaign presets without a market included)."""
    return (
        UtmPreset.objects.filter(organization=actor.organization)
        .filter(Q(market__isnull=True) | _scope(actor))
        .select_related("market", "campaign")
        .order_by("market__path", "campaign__name", "name")
    )


def utm_preset_get(*, actor: Actor, pk: int) -> UtmPreset:
    preset = utm_preset_list(actor=actor).filter(pk=pk).first()
    if preset is None:
        raise NotFound(_("No such UTM preset."))
    return preset


def link_list(
    *, actor: Actor, market_pk: int | None = None, campaign_pk: int | None = None, purpose: str | None = None
) -> QuerySet[ShortLink]:
    """Short links in scope with ``human_clicks`` and ``bot_clicks`` (one query)."""
    qs = ShortLink.objects.filter(organization=actor.organization).filter(_scope(actor))
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    if campaign_pk is not None:
        qs = qs.filter(campaign_id=campaign_pk)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.select_related("market", "campaign", "channel", "post").annotate(
        human_clicks=Count("clicks", filter=Q(clicks__is_bot=False)),
        bot_clicks=Count("clicks", filter=Q(clicks__is_bot=True)),
    )


def link_get(*, actor: Actor, pk: int) -> ShortLink:
    link = link_list(actor=actor).filter(pk=pk).first()
    if link is None:
        raise NotFound(_("No such short link."))
    return link


@dataclass(frozen=True)
class DayClicks:
    day: dt.date
    humans: int
    bots: int


def link_clicks_per_day(*, link: ShortLink, start: dt.date, end: dt.date) -> list[DayClicks]:
    """Clicks per calendar day in the link's market time zone, every day from ``start`` to ``end`` (zeros
    included). The caller got ``link`` through a scoped selector."""
    zone = zoneinfo.ZoneInfo(link.market.timezone)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    rows = (
        LinkClick.objects.filter(link=link, clicked_at__gte=since, clicked_at__lt=until)
        .annotate(local_day=TruncDate("clicked_at", tzinfo=zone))
        .values("local_day")
        .annotate(humans=Count("pk", filter=Q(is_bot=False)), bots=Count("pk", filter=Q(is_bot=True)))
    )
    counts = {r["local_day"]: (r["humans"], r["bots"]) for r in rows}
    days = (end - start).days + 1
    return [
        DayClicks(day=d, humans=counts.get(d, (0, 0))[0], bots=counts.get(d, (0, 0))[1])
        for d in (start + dt.timedelta(days=i) for i in range(max(days, 0)))
    ]


def link_referrers(*, link: ShortLink, limit: int = 10) -> list[tuple[str, int]]:
    rows = (
        LinkClick.objects.filter(link=link, is_bot=False)
        .values("referrer_host")
        .annotate(n=Count("pk"))
        .order_by("-n", "referrer_host")[:limit]
    )
    return [(r["referrer_host"], r["n"]) for r in rows]


def promo_code_list(*, actor: Actor, market_pk: int | None = None) -> QuerySet[PromoCode]:
    """Promo codes in scope with ``total_redemptions`` and ``total_revenue``."""
    qs = PromoCode.objects.filter(organization=actor.organization).filter(_scope(actor))
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    return qs.select_related("market", "campaign").annotate(
        total_redemptions=Sum("redemptions__count"), total_revenue=Sum("redemptions__revenue")
    )


def promo_code_get(*, actor: Actor, pk: int) -> PromoCode:
    promo = promo_code_list(actor=actor).filter(pk=pk).first()
    if promo is None:
        raise NotFound(_("No such promo code."))
    return promo


def redemption_list(*, actor: Actor, market_pk: int | None = None) -> QuerySet[PromoRedemption]:
    qs = PromoRedemption.objects.filter(promo_code__organization=actor.organization).filter(
        _scope(actor, "promo_code__market__path")
    )
    if market_pk is not None:
        qs = qs.filter(promo_code__market_id=market_pk)
    return qs.select_related("promo_code__market").order_by("-day", "promo_code__code")


def redemption_get(*, actor: Actor, pk: int) -> PromoRedemption:
    row = redemption_list(actor=actor).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such redemption entry."))
    return row


def lead_list(*, actor: Actor, market_pk: int | None = None) -> QuerySet[LeadEntry]:
    qs = LeadEntry.objects.filter(organization=actor.organization).filter(_scope(actor))
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    return qs.select_related("market", "campaign", "channel").order_by("-day", "market__code", "pk")


def lead_total(*, actor: Actor, market_pk: int | None = None) -> int:
    """The leads of every entry in scope (not only the listed ones), summed by the database."""
    total = lead_list(actor=actor, market_pk=market_pk).order_by().aggregate(total=Sum("count"))["total"]
    return int(total or 0)


def lead_get(*, actor: Actor, pk: int) -> LeadEntry:
    lead = lead_list(actor=actor).filter(pk=pk).first()
    if lead is None:
        raise NotFound(_("No such lead entry."))
    return lead


def spend_list(
    *, actor: Actor, market_pk: int | None = None, media_type: str | None = None, year: int | None = None
) -> QuerySet[SpendEntry]:
    qs = SpendEntry.objects.filter(organization=actor.organization).filter(_scope(actor))
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    if media_type:
        qs = qs.filter(media_type=media_type)
    if year is not None:
        qs = qs.filter(period_start__lte=dt.date(year, 12, 31), period_end__gte=dt.date(year, 1, 1))
    return qs.select_related("market", "budget__dimension", "campaign", "channel").order_by(
        "-period_start", "market__code", "media_type", "pk"
    )


def spend_totals(
    *, actor: Actor, market_pk: int | None = None, year: int | None = None
) -> list[tuple[str, str, Decimal]]:
    """(currency, media type, amount) over every entry in scope for the year, summed by the database."""
    rows = (
        spend_list(actor=actor, market_pk=market_pk, year=year)
        .order_by()
        .values("currency", "media_type")
        .annotate(total=Sum("amount"))
        .order_by("currency", "media_type")
    )
    return [(r["currency"], r["media_type"], r["total"] or Decimal(0)) for r in rows]


def spend_get(*, actor: Actor, pk: int) -> SpendEntry:
    entry = spend_list(actor=actor).filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("No such spend entry."))
    return entry


@dataclass(frozen=True)
class BudgetActual:
    budget: Budget
    actual: Decimal
    by_media: dict[str, Decimal]

    @property
    def remaining(self) -> Decimal:
        return self.budget.planned_amount - self.actual

    @property
    def percent(self) -> int:
        planned = self.budget.planned_amount
        return round(self.actual * 100 / planned) if planned else 0


def budget_actuals(*, actor: Actor, year: int, market_pk: int | None = None) -> list[BudgetActual]:
    """Planned vs actual spend for each budget in scope touching ``year`` (two queries)."""
    budgets = Budget.objects.filter(
        organization=actor.organization, period_start__lte=dt.date(year, 12, 31), period_end__gte=dt.date(year, 1, 1)
    ).filter(_scope(actor))
    if market_pk is not None:
        budgets = budgets.filter(market_id=market_pk)
    rows = list(budgets.select_related("market", "dimension").order_by("market__path", "period_start", "dimension"))
    sums: dict[int, dict[str, Decimal]] = {}
    spent = (
        SpendEntry.objects.filter(budget__in=[b.pk for b in rows])
        .values("budget_id", "media_type")
        .annotate(total=Sum("amount"))
    )
    for r in spent:
        sums.setdefault(r["budget_id"], {})[r["media_type"]] = r["total"]
    return [
        BudgetActual(budget=b, actual=sum(sums.get(b.pk, {}).values(), Decimal(0)), by_media=sums.get(b.pk, {}))
        for b in rows
    ]


def market_today(*, actor: Actor, market_pk: int | None = None) -> dt.date:
    """Today in the chosen market's time zone (one the member may see), else in the member's first market's
    (shortest path first), else in UTC."""
    markets = Market.objects.filter(organization=actor.organization)
    market = None
    if market_pk is not None:
        market = markets.filter(actor.market_q(Perm.ANALYTICS_VIEW, "path"), pk=market_pk).first()
    if market is None and actor.grants:
        first = min(actor.grants, key=lambda g: (len(g.market_path), g.market_path))
        market = markets.filter(pk=first.market_id).first()
    zone = zoneinfo.ZoneInfo(market.timezone) if market is not None else dt.UTC
    return timezone.localdate(timezone=zone)
