"""Budgets: planned amounts per market, dimension and period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.core.validation import validate_currency
from harmonie.governance.models import Budget, Dimension, Market
from harmonie.governance.permissions import Actor, Perm

BUDGET_FIELDS = ["market", "dimension", "period_start", "period_end", "planned_amount", "currency", "notes"]


def _clean(
    *,
    actor: Actor,
    market: Market,
    dimension: Dimension,
    period_start: dt.date,
    period_end: dt.date,
    planned_amount: Decimal | str | int | float,
    currency: str,
    exclude_pk: int | None = None,
) -> tuple[Decimal, str]:
    if market.organization_id != actor.organization_id or dimension.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a market and a dimension of this organization."))
    if period_end < period_start:
        raise ValidationFailed(_("The period ends before it starts: check the dates."), field="period_end")
    try:
        amount = Decimal(str(planned_amount)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationFailed(
            _("The planned amount must be a number, e.g. 12500.00."), field="planned_amount"
        ) from exc
    if amount < 0:
        raise ValidationFailed(_("The planned amount cannot be negative."), field="planned_amount")
    if amount >= Decimal("1e12"):
        raise ValidationFailed(_("The planned amount is too large."), field="planned_amount")
    overlapping = Budget.objects.filter(
        organization=actor.organization,
        market=market,
        dimension=dimension,
        period_start__lte=period_end,
        period_end__gte=period_start,
    )
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    clash = overlapping.first()
    if clash is not None:
        raise Conflict(
            _("%(market)s already has a %(dimension)s budget from %(start)s to %(end)s; periods may not overlap.")
            % {
                "market": market.name,
                "dimension": dimension.name,
                "start": clash.period_start,
                "end": clash.period_end,
            },
            field="period_start",
        )
    return amount, validate_currency(currency or market.currency)


@transaction.atomic
def budget_create(
    *,
    actor: Actor,
    market: Market,
    dimension: Dimension,
    period_start: dt.date,
    period_end: dt.date,
    planned_amount: Decimal | str | int | float,
    currency: str = "",
    notes: str = "",
) -> Budget:
    actor.require(Perm.BUDGETS_MANAGE, market)
    amount, currency = _clean(
        actor=actor, market=market, dimension=dimension, period_start=period_start, period_end=period_end,
        planned_amount=planned_amount, currency=currency,
    )  # fmt: skip
    budget = Budget.objects.create(
        organization=actor.organization, market=market, dimension=dimension, period_start=period_start,
        period_end=period_end, planned_amount=amount, currency=currency, notes=notes.strip(),
    )  # fmt: skip
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="budget.create", target=budget,
        after=snapshot(budget, BUDGET_FIELDS), market_id=market.pk,
    )  # fmt: skip
    return budget


@transaction.atomic
def budget_update(
    *,
    actor: Actor,
    budget: Budget,
    period_start: dt.date,
    period_end: dt.date,
    planned_amount: Decimal | str | int | float,
    currency: str = "",
    notes: str = "",
) -> Budget:
    actor.require(Perm.BUDGETS_MANAGE, budget.market)
    before = snapshot(budget, BUDGET_FIELDS)
    amount, currency = _clean(
        actor=actor, market=budget.market, dimension=budget.dimension, period_start=period_start,
        period_end=period_end, planned_amount=planned_amount, currency=currency, exclude_pk=budget.pk,
    )  # fmt: skip
    budget.period_start, budget.period_end = period_start, period_end
    budget.planned_amount, budget.currency, budget.notes = amount, currency, notes.strip()
    budget.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="budget.update", target=budget,
        before=before, after=snapshot(budget, BUDGET_FIELDS), market_id=budget.market_id,
    )  # fmt: skip
    return budget


@transaction.atomic
def budget_delete(*, actor: Actor, budget: Budget) -> None:
    actor.require(Perm.BUDGETS_MANAGE, budget.market)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="budget.delete", target=budget,
        before=snapshot(budget, BUDGET_FIELDS), market_id=budget.market_id,
    )  # fmt: skip
    budget.delete()
