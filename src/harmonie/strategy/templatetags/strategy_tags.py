from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from harmonie.strategy.knowledge import metrics

register = template.Library()


@register.filter
def metric_name(key: str) -> str:
    metric = metrics().get(key)
    return _(metric.name) if metric else key


@register.filter
def metric_unit(key: str) -> str:
    metric = metrics().get(key)
    return metric.unit if metric else ""


@register.filter
def bar_width(value: Decimal | int | float, maximum: Decimal | int | float) -> str:
    """A CSS width in % of ``value`` against ``maximum`` (capped at 100)."""
    if not maximum:
        return "0"
    return f"{min(100.0, float(value) / float(maximum) * 100):.1f}"


@register.filter
def md_cell(value: object) -> str:
    """Text safe for a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ").strip()


@register.filter
def plain_number(value: Decimal | int | float | None) -> str:
    """12.5000 -> 12.5, 120000.0000 -> 120000, None -> —."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    return format(number.normalize(), "f")
