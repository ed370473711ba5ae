"""Entered and imported data: promo codes and their redemptions (drive to store), leads (data capture), and spend by
media type (paid / owned / earned) against budgets. Every write is scoped (analytics.manage in the row's market),
audited and atomic; an import with one wrong line writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.analytics.models.tracking import (
    LeadEntry,
    MediaType,
    Origin,
    PromoCode,
    PromoRedemption,
    SpendEntry,
)
from harmonie.analytics.services.tracking.parsing import (
    ImportFailed,
    parse_count,
    parse_day,
    parse_decimal,
    read_csv,
)
from harmonie.analytics.services.tracking.scope import check_campaign, check_channel
from harmonie.content.models import Campaign
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, DomainError, ValidationFailed
from harmonie.governance.models import Budget, Channel, Market
from harmonie.governance.permissions import Actor, Perm

PROMO_FIELDS = ["market", "campaign", "code", "description", "starts_on", "ends_on"]
REDEMPTION_FIELDS = ["promo_code", "day", "count", "revenue", "origin"]
LEAD_FIELDS = ["market", "campaign", "channel", "day", "count", "source", "origin"]
SPEND_FIELDS = [
    "market",
    "budget",
    "campaign",
    "channel",
    "media_type",
    "period_start",
    "period_end",
    "amount",
    "currency",
    "description",
    "impressions",
    "clicks",
    "engagements",
    "conversions",
    "origin",
]

# Documented CSV columns (header names, case-insensitive; "," ";" or tab separated, UTF-8).
PROMO_COLUMNS = (["code", "day", "redemptions"], ["revenue"])
LEAD_COLUMNS = (["market", "day", "leads"], ["source", "campaign", "channel"])
SPEND_COLUMNS = (
    ["market", "media_type", "from", "to", "amount", "currency"],
    ["budget", "campaign", "channel", "description", "impressions", "clicks", "engagements", "conversions"],
)
MAX_AMOUNT = Decimal("1e12")


@dataclass(frozen=True)
class ImportResult:
    created: int
    replaced: int

    @property
    def total(self) -> int:
        return self.created + self.replaced


def _same_org(actor: Actor, **objects: Any) -> None:
    for field, value in objects.items():
        if value is not None and value.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose a %(field)s of this organization.") % {"field": field}, field=field)


def _amount(raw: object, *, field: str, required: bool = True) -> Decimal | None:
    if raw in (None, "") and not required:
        return None
    try:
        value = parse_decimal(raw)
    except ValueError as exc:
        raise ValidationFailed(_("%(field)s: %(why)s.") % {"field": field, "why": exc}, field=field) from exc
    if value < 0:
        raise ValidationFailed(_("%(field)s cannot be negative.") % {"field": field}, field=field)
    if value >= MAX_AMOUNT:
        raise ValidationFailed(_("%(field)s is too large.") % {"field": field}, field=field)
    return value


# --- promo codes ------------------------------------------------------------------------------------------------


@transaction.atomic
def promo_code_create(
    *,
    actor: Actor,
    market: Market,
    code: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    campaign: Campaign | None = None,
    description: str = "",
) -> PromoCode:
    _same_org(actor, market=market, campaign=campaign)
    actor.require(Perm.ANALYTICS_MANAGE, market)
    check_campaign(campaign=campaign, market=market)
    code = (code or "").strip().upper()
    if not code or len(code) > 40 or any(ch.isspace() for ch in code):
        raise ValidationFailed(
            _("Write the code as customers type it, without spaces (40 characters at most)."), field="code"
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(_("The code ends before it starts: check the dates."), field="ends_on")
    if PromoCode.objects.filter(organization=actor.organization, code=code).exists():
        raise Conflict(_("The code %(code)s already exists in this organization.") % {"code": code}, field="code")
    promo = PromoCode.objects.create(
        organization=actor.organization,
        market=market,
        campaign=campaign,
        code=code,
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip()[:255],
        created_by=actor.user,
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="promo_code.create",
        target=promo,
        after=snapshot(promo, PROMO_FIELDS),
        market_id=market.pk,
    )
    return promo


def _redemption_put(
    *, actor: Actor, promo: PromoCode, day: dt.date, count: int, revenue: Decimal | None, origin: str
) -> tuple[PromoRedemption, bool]:
    existing = PromoRedemption.objects.filter(promo_code=promo, day=day).first()
    before = snapshot(existing, REDEMPTION_FIELDS) if existing else None
    row, created = PromoRedemption.objects.update_or_create(
        promo_code=promo,
        day=day,
        defaults={"count": count, "revenue": revenue, "origin": origin, "created_by": actor.user},
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="promo_redemption.create" if created else "promo_redemption.replace",
        target=row,
        before=before,
        after=snapshot(row, REDEMPTION_FIELDS),
        market_id=promo.market_id,
        target_label=f"{promo.code} {day}",
    )
    return row, created


@transaction.atomic
def promo_redemption_record(
    *, actor: Actor, promo_code: PromoCode, day: dt.date, count: int, revenue: Decimal | str | None = None
) -> PromoRedemption:
    """Redemptions of a code on one day; entering the same day again replaces it."""
    _same_org(actor, promo_code=promo_code)
    actor.require(Perm.ANALYTICS_MANAGE, promo_code.market)
    if count < 0:
        raise ValidationFailed(_("Redemptions cannot be negative."), field="count")
    value = _amount(revenue, field="revenue", required=False)
    row, _created = _redemption_put(
        actor=actor, promo=promo_code, day=day, count=count, revenue=value, origin=Origin.MANUAL
    )
    return row


def _run_rows[T](rows: list[tuple[int, dict[str, str]]], parse: Callable[[int, dict[str, str]], T]) -> list[T]:
    """Parse every row, collecting "Line N: ..." errors; raise them all at once."""
    parsed, errors = [], []
    for line, row in rows:
        try:
            parsed.append(parse(line, row))
        except (ValueError, DomainError) as exc:
            errors.append(_("Line %(line)d: %(why)s") % {"line": line, "why": exc})
    if errors:
        raise ImportFailed(errors)
    return parsed


def _cell(row: dict[str, str], column: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(row.get(column, ""))
    except ValueError as exc:
        raise ValueError(_("%(column)s: %(why)s.") % {"column": column, "why": exc}) from exc


@transaction.atomic
def promo_redemption_import(*, actor: Actor, data: bytes) -> ImportResult:
    """CSV ``code, day, redemptions[, revenue]``. Codes must exist and be in the actor's markets; the same code+day
    imported again replaces the earlier number; a code+day twice in one file is an error."""
    actor.require(Perm.ANALYTICS_MANAGE)
    table = read_csv(data, required=PROMO_COLUMNS[0], optional=PROMO_COLUMNS[1])
    codes = {p.code: p for p in PromoCode.objects.filter(organization=actor.organization).select_related("market")}
    seen: dict[tuple[int, dt.date], int] = {}

    def parse(line: int, row: dict[str, str]) -> tuple[PromoCode, dt.date, int, Decimal | None]:
        code = row["code"].strip().upper()
        promo = codes.get(code)
        if promo is None:
            raise ValueError(
                _("code: %(code)s is not a promo code of this organization; create it first.")
                % {"code": code or "(empty)"}
            )
        if not actor.can(Perm.ANALYTICS_MANAGE, promo.market):
            raise ValueError(
                _("code: %(code)s belongs to %(market)s, where you may not enter data.")
                % {"code": code, "market": promo.market.name}
            )
        day = _cell(row, "day", parse_day)
        count = _cell(row, "redemptions", parse_count)
        revenue = _cell(row, "revenue", lambda v: parse_decimal(v) if v else None)
        if revenue is not None and revenue < 0:
            raise ValueError(_("revenue cannot be negative."))
        key = (promo.pk, day)
        if key in seen:
            raise ValueError(
                _("%(code)s on %(day)s is already on line %(line)d.") % {"code": code, "day": day, "line": seen[key]}
            )
        seen[key] = line
        return promo, day, count, revenue

    created = replaced = 0
    for promo, day, count, revenue in _run_rows(table.rows, parse):
        _row, was_created = _redemption_put(
            actor=actor, promo=promo, day=day, count=count, revenue=revenue, origin=Origin.IMPORT
        )
        created, replaced = created + was_created, replaced + (not was_created)
    return ImportResult(created=created, replaced=replaced)


@transaction.atomic
def promo_redemption_delete(*, actor: Actor, redemption: PromoRedemption) -> None:
    promo = redemption.promo_code
    _same_org(actor, promo_code=promo)
    actor.require(Perm.ANALYTICS_MANAGE, promo.market)
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="promo_redemption.delete",
        target=redemption,
        before=snapshot(redemption, REDEMPTION_FIELDS),
        market_id=promo.market_id,
        target_label=f"{promo.code} {redemption.day}",
    )
    redemption.delete()


# --- leads ------------------------------------------------------------------------------------------------------


def _lead_checks(
    *, actor: Actor, market: Market, campaign: Campaign | None, channel: Channel | None, count: int, source: str
) -> str:
    _same_org(actor, market=market, campaign=campaign, channel=channel)
    actor.require(Perm.ANALYTICS_MANAGE, market)
    check_campaign(campaign=campaign, market=market)
    check_channel(channel=channel, market=market)
    if count < 0:
        raise ValidationFailed(_("Leads cannot be negative."), field="count")
    source = (source or "").strip()
    if len(source) > 120:
        raise ValidationFailed(_("Keep the source under 120 characters."), field="source")
    return source


def _lead_audit(actor: Actor, lead: LeadEntry, action: str, before: dict[str, Any] | None = None) -> None:
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action=action,
        target=lead,
        before=before,
        after=snapshot(lead, LEAD_FIELDS) if action != "lead.delete" else None,
        market_id=lead.market_id,
    )


@transaction.atomic
def lead_record(
    *,
    actor: Actor,
    market: Market,
    day: dt.date,
    count: int,
    source: str = "",
    campaign: Campaign | None = None,
    channel: Channel | None = None,
) -> LeadEntry:
    """Leads captured on one day in a market (optionally for a campaign and through a channel)."""
    source = _lead_checks(actor=actor, market=market, campaign=campaign, channel=channel, count=count, source=source)
    lead = LeadEntry.objects.create(
        organization=actor.organization,
        market=market,
        campaign=campaign,
        channel=channel,
        day=day,
        count=count,
        source=source,
        origin=Origin.MANUAL,
        created_by=actor.user,
    )
    _lead_audit(actor, lead, "lead.create")
    return lead


@transaction.atomic
def lead_delete(*, actor: Actor, lead: LeadEntry) -> None:
    _same_org(actor, lead=lead)
    actor.require(Perm.ANALYTICS_MANAGE, lead.market)
    _lead_audit(actor, lead, "lead.delete", before=snapshot(lead, LEAD_FIELDS))
    lead.delete()


def _lookups(actor: Actor) -> tuple[dict[str, Market], dict[str, Campaign], dict[str, Channel]]:
    markets = {m.code.upper(): m for m in Market.objects.filter(organization=actor.organization)}
    campaigns = {c.name.strip().lower(): c for c in Campaign.objects.filter(organization=actor.organization)}
    channels = {c.handle.lstrip("@").lower(): c for c in Channel.objects.filter(organization=actor.organization)}
    return markets, campaigns, channels


def _market_cell(actor: Actor, markets: dict[str, Market], raw: str) -> Market:
    market = markets.get(raw.strip().upper())
    if market is None:
        raise ValueError(
            _("market: %(code)s is not a market code of this organization (e.g. FR, DE).") % {"code": raw or "(empty)"}
        )
    if not actor.can(Perm.ANALYTICS_MANAGE, market):
        raise ValueError(_("market: you may not enter data for %(market)s.") % {"market": market.name})
    return market


def _optional(table: dict[str, Any], raw: str, column: str, hint: str) -> Any:
    key = raw.strip().lstrip("@").lower() if column == "channel" else raw.strip().lower()
    if not key:
        return None
    found = table.get(key)
    if found is None:
        raise ValueError(
            _("%(column)s: “%(value)s” is unknown; %(hint)s") % {"column": column, "value": raw, "hint": hint}
        )
    return found


@transaction.atomic
def lead_import(*, actor: Actor, data: bytes) -> ImportResult:
    """CSV ``market, day, leads[, source, campaign, channel]`` (market code, campaign name, channel handle). A row
    with the same market, day, source, campaign and channel as an earlier entry replaces it."""
    actor.require(Perm.ANALYTICS_MANAGE)
    table = read_csv(data, required=LEAD_COLUMNS[0], optional=LEAD_COLUMNS[1])
    markets, campaigns, channels = _lookups(actor)
    seen: dict[tuple[Any, ...], int] = {}

    def parse(line: int, row: dict[str, str]) -> dict[str, Any]:
        market = _market_cell(actor, markets, row["market"])
        values = {
            "market": market,
            "day": _cell(row, "day", parse_day),
            "count": _cell(row, "leads", parse_count),
            "source": row.get("source", "").strip()[:120],
            "campaign": _optional(campaigns, row.get("campaign", ""), "campaign", _("write the campaign's name.")),
            "channel": _optional(channels, row.get("channel", ""), "channel", _("write the channel's handle.")),
        }
        try:
            check_campaign(campaign=values["campaign"], market=market)
            check_channel(channel=values["channel"], market=market)
        except ValidationFailed as exc:
            raise ValueError(exc.message) from exc
        key = tuple(v.pk if hasattr(v, "pk") else v for k, v in values.items() if k != "count")
        if key in seen:
            raise ValueError(
                _("the same market, day, source, campaign and channel are on line %(line)d.") % {"line": seen[key]}
            )
        seen[key] = line
        return values

    created = replaced = 0
    for values in _run_rows(table.rows, parse):
        match = LeadEntry.objects.filter(
            organization=actor.organization, **{k: v for k, v in values.items() if k != "count"}
        )
        old = list(match)
        for lead in old:
            _lead_audit(actor, lead, "lead.delete", before=snapshot(lead, LEAD_FIELDS))
        match.delete()
        lead = LeadEntry.objects.create(
            organization=actor.organization, origin=Origin.IMPORT, created_by=actor.user, **values
        )
        _lead_audit(actor, lead, "lead.import")
        created, replaced = created + (not old), replaced + bool(old)
    return ImportResult(created=created, replaced=replaced)


# --- spend ------------------------------------------------------------------------------------------------------


def budget_for_spend(
    *,
    market: Market,
    period_start: dt.date,
    period_end: dt.date,
    campaign: Campaign | None = None,
    dimension_key: str | None = None,
) -> Budget | None:
    """The budget this spend counts against: of the market, covering the whole period; the campaign's budget (or
    the given dimension's) when several match; none when it stays ambiguous."""
    candidates = list(
        Budget.objects.filter(
            organization_id=market.organization_id,
            market=market,
            period_start__lte=period_start,
            period_end__gte=period_end,
        ).select_related("dimension")
    )
    if dimension_key:
        candidates = [b for b in candidates if b.dimension.key == dimension_key]
    if campaign is not None and campaign.budget_id is not None:
        chosen = [b for b in candidates if b.pk == campaign.budget_id]
        if chosen:
            return chosen[0]
    return candidates[0] if len(candidates) == 1 else None


def _spend_values(
    *,
    actor: Actor,
    market: Market,
    media_type: str,
    period_start: dt.date,
    period_end: dt.date,
    amount: object,
    currency: str,
    budget: Budget | None,
    campaign: Campaign | None,
    channel: Channel | None,
    results: dict[str, int | None],
    description: str,
) -> dict[str, Any]:
    _same_org(actor, market=market, budget=budget, campaign=campaign, channel=channel)
    actor.require(Perm.ANALYTICS_MANAGE, market)
    check_campaign(campaign=campaign, market=market)
    check_channel(channel=channel, market=market)
    if media_type not in MediaType.values:
        raise ValidationFailed(
            _("media_type must be one of %(v)s.") % {"v": ", ".join(MediaType.values)}, field="media_type"
        )
    if period_end < period_start:
        raise ValidationFailed(_("The period ends before it starts: check the dates."), field="period_end")
    value = _amount(amount, field="amount")
    if budget is None:
        budget = budget_for_spend(market=market, period_start=period_start, period_end=period_end, campaign=campaign)
    else:
        if budget.market_id != market.pk:
            raise ValidationFailed(_("That budget belongs to another market."), field="budget")
        if budget.period_start > period_start or budget.period_end < period_end:
            raise ValidationFailed(
                _("The budget runs from %(start)s to %(end)s; the spend's period must lie within it.")
                % {"start": budget.period_start, "end": budget.period_end},
                field="budget",
            )
    currency = (currency or "").strip().upper() or (budget.currency if budget else market.currency)
    allowed = {market.currency} | ({budget.currency} if budget else set())
    if currency not in allowed:
        raise ValidationFailed(
            _("currency must be %(allowed)s (the market's or the budget's), not %(currency)s: convert the amount.")
            % {"allowed": " or ".join(sorted(allowed)), "currency": currency},
            field="currency",
        )
    if budget is not None and currency != budget.currency:
        # Actuals are summed per budget: they must all be in the budget's currency.
        raise ValidationFailed(
            _(
                "This spend counts against the %(dimension)s budget of %(market)s, kept in %(budget_currency)s: "
                "enter the amount in %(budget_currency)s (convert it from %(currency)s)."
            )
            % {
                "dimension": budget.dimension.name,
                "market": market.name,
                "budget_currency": budget.currency,
                "currency": currency,
            },
            field="currency",
        )
    for key, number in results.items():
        if number is not None and number < 0:
            raise ValidationFailed(_("%(field)s cannot be negative.") % {"field": key}, field=key)
    return {
        "market": market,
        "budget": budget,
        "campaign": campaign,
        "channel": channel,
        "media_type": media_type,
        "period_start": period_start,
        "period_end": period_end,
        "amount": value,
        "currency": currency,
        "description": (description or "").strip()[:255],
        **results,
    }


@transaction.atomic
def spend_record(
    *,
    actor: Actor,
    market: Market,
    media_type: str,
    period_start: dt.date,
    period_end: dt.date,
    amount: object,
    currency: str = "",
    budget: Budget | None = None,
    campaign: Campaign | None = None,
    channel: Channel | None = None,
    description: str = "",
    impressions: int | None = None,
    clicks: int | None = None,
    engagements: int | None = None,
    conversions: int | None = None,
) -> SpendEntry:
    """Actual spend over a period, linked to the market's budget covering it (given, or found: see
    ``budget_for_spend``). The currency is the market's or the budget's."""
    values = _spend_values(
        actor=actor,
        market=market,
        media_type=media_type,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=currency,
        budget=budget,
        campaign=campaign,
        channel=channel,
        description=description,
        results={"impressions": impressions, "clicks": clicks, "engagements": engagements, "conversions": conversions},
    )
    entry = SpendEntry.objects.create(
        organization=actor.organization, origin=Origin.MANUAL, created_by=actor.user, **values
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="spend.create",
        target=entry,
        after=snapshot(entry, SPEND_FIELDS),
        market_id=market.pk,
    )
    return entry


@transaction.atomic
def spend_delete(*, actor: Actor, entry: SpendEntry) -> None:
    _same_org(actor, entry=entry)
    actor.require(Perm.ANALYTICS_MANAGE, entry.market)
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="spend.delete",
        target=entry,
        before=snapshot(entry, SPEND_FIELDS),
        market_id=entry.market_id,
    )
    entry.delete()


@transaction.atomic
def spend_import(*, actor: Actor, data: bytes) -> ImportResult:
    """CSV ``market, media_type, from, to, amount, currency[, budget, campaign, channel, description, impressions,
    clicks, engagements, conversions]``. ``budget`` is the budget's dimension key (e.g. product): the market's
    budget of that dimension covering the period. A row with the same market, media type, period, budget, campaign
    and channel as an earlier entry replaces it."""
    actor.require(Perm.ANALYTICS_MANAGE)
    table = read_csv(data, required=SPEND_COLUMNS[0], optional=SPEND_COLUMNS[1])
    markets, campaigns, channels = _lookups(actor)
    seen: dict[tuple[Any, ...], int] = {}
    key_fields = ("market", "media_type", "period_start", "period_end", "budget", "campaign", "channel")

    def parse(line: int, row: dict[str, str]) -> dict[str, Any]:
        market = _market_cell(actor, markets, row["market"])
        start, end = _cell(row, "from", parse_day), _cell(row, "to", parse_day)
        campaign = _optional(campaigns, row.get("campaign", ""), "campaign", _("write the campaign's name."))
        budget = None
        if row.get("budget", "").strip():
            budget = budget_for_spend(
                market=market,
                period_start=start,
                period_end=end,
                campaign=campaign,
                dimension_key=row["budget"].strip().lower(),
            )
            if budget is None:
                raise ValueError(
                    _("budget: %(market)s has no “%(key)s” budget covering %(start)s to %(end)s.")
                    % {"market": market.code, "key": row["budget"], "start": start, "end": end}
                )
        media = row["media_type"].strip().lower()
        try:
            values = _spend_values(
                actor=actor,
                market=market,
                media_type=media,
                period_start=start,
                period_end=end,
                amount=row["amount"],
                currency=row["currency"],
                budget=budget,
                campaign=campaign,
                channel=_optional(channels, row.get("channel", ""), "channel", _("write the channel's handle.")),
                description=row.get("description", ""),
                results={
                    k: _cell(row, k, lambda v: parse_count(v, required=False))
                    for k in ("impressions", "clicks", "engagements", "conversions")
                },
            )
        except ValidationFailed as exc:
            raise ValueError(exc.message) from exc
        key = tuple(getattr(values[k], "pk", values[k]) for k in key_fields)
        if key in seen:
            raise ValueError(
                _("the same market, media type, period, budget, campaign and channel are on line %(line)d.")
                % {"line": seen[key]}
            )
        seen[key] = line
        return values

    created = replaced = 0
    for values in _run_rows(table.rows, parse):
        match = SpendEntry.objects.filter(organization=actor.organization, **{k: values[k] for k in key_fields})
        old = list(match)
        for entry in old:
            audit_record(
                organization_id=actor.organization_id,
                actor=actor.user,
                action="spend.delete",
                target=entry,
                before=snapshot(entry, SPEND_FIELDS),
                market_id=entry.market_id,
            )
        match.delete()
        entry = SpendEntry.objects.create(
            organization=actor.organization, origin=Origin.IMPORT, created_by=actor.user, **values
        )
        audit_record(
            organization_id=actor.organization_id,
            actor=actor.user,
            action="spend.import",
            target=entry,
            after=snapshot(entry, SPEND_FIELDS),
            market_id=entry.market_id,
        )
        created, replaced = created + (not old), replaced + bool(old)
    return ImportResult(created=created, replaced=replaced)
