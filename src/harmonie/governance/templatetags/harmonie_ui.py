"""Small presentation helpers for the governance templates: money, audit changes, market labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django import template
from django.utils import translation

from harmonie.core.models import AuditEntry
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm

register = template.Library()


def _locale() -> str:
    return (translation.get_language() or "en").replace("-", "_")


@register.filter
def money(amount: Decimal | int | float | None, currency: str = "") -> str:
    """``18000`` + ``"EUR"`` -> ``€18,000`` (English) or ``18 000 €`` (French); cents only when there are some."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    locale = Locale.parse(_locale())
    whole = value == value.to_integral_value()
    if not currency:
        return format_decimal(value, format="#,##0" if whole else "#,##0.00", locale=locale)
    if not whole:
        return format_currency(value, currency, locale=locale)
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    return format_currency(value, currency, locale=locale, format=pattern.replace(".00", ""), currency_digits=False)


@register.filter
def languages(tags: list[str] | None) -> str:
    return ", ".join(tags or [])


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


@register.filter
def audit_changes(entry: AuditEntry) -> list[dict[str, str]]:
    """The keys that changed between ``before`` and ``after``, in a readable form."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    changes = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if entry.before is not None and entry.after is not None and old == new:
            continue
        changes.append(
            {
                "key": key,
                "before": _show(old) if entry.before is not None else "",
                "after": _show(new) if entry.after is not None else "",
            }
        )
    return changes


@register.simple_tag
def may(actor: Actor | None, perm: str, market: Market | None = None, *, at_global: bool = False) -> bool:
    """``{% may actor "channels.manage" channel.owner_market as ok %}``: show an action only where it works."""
    if actor is None:
        return False
    if at_global or market is None:
        return actor.can_globally(Perm(perm))
    return actor.can(Perm(perm), market)
