"""Labels for the strategy pages: formats, networks, minutes by format."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django import template
from django.utils import formats

from harmonie.governance.models import Network
from harmonie.strategy.models import PostFormat

register = template.Library()


@register.filter
def format_label(value: str) -> str:
    """``video`` -> the translated name of the post format."""
    return str(PostFormat(value).label) if value in PostFormat.values else value


@register.filter
def network_label(value: str) -> str:
    """``linkedin`` -> ``LinkedIn``."""
    return str(Network(value).label) if value in Network.values else value


@register.filter
def minutes_of(efforts: Mapping[str, int], fmt: str) -> int | str:
    return efforts.get(fmt, "—")


@register.filter
def num(value: Decimal | int | float | None) -> str:
    """A number as the reader writes it: ``120000.0000`` -> 120000, ``0.8000`` -> 0.8 (0,8 in French), None -> —."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return formats.number_format(number, use_l10n=True)
