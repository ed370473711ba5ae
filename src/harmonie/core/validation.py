"""Validators shared by every app: IANA time zones, BCP 47 language tags, ISO 4217 currencies."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from django.utils.translation import gettext as _

from harmonie.core.errors import ValidationFailed

_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?$")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str, *, field: str = "timezone") -> str:
    name = (name or "").strip()
    if name not in _zones():
        raise ValidationFailed(
            _("'%(name)s' is not an IANA time zone. Use a name such as Europe/Paris or America/Sao_Paulo.")
            % {"name": name},
            field=field,
        )
    return name


def normalize_language_tag(tag: str, *, field: str = "languages") -> str:
    """Return ``tag`` in canonical BCP 47 case (``pt-br`` -> ``pt-BR``) or raise."""
    raw = (tag or "").strip().replace("_", "-")
    if not _BCP47.match(raw):
        raise ValidationFailed(
            _("'%(tag)s' is not a BCP 47 language tag. Use a form such as fr, de-CH, pt-BR or zh-Hant.") % {"tag": tag},
            field=field,
        )
    parts = raw.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 else part.upper())
    canonical = "-".join(out)
    try:
        Locale.parse(canonical, sep="-")
    except (UnknownLocaleError, ValueError) as exc:
        raise ValidationFailed(_("'%(tag)s' is not a known language.") % {"tag": tag}, field=field) from exc
    return canonical


def normalize_languages(tags: list[str], *, field: str = "languages") -> list[str]:
    if not tags:
        raise ValidationFailed(_("Give at least one language (BCP 47, e.g. fr or pt-BR)."), field=field)
    seen: list[str] = []
    for tag in tags:
        canonical = normalize_language_tag(tag, field=field)
        if canonical not in seen:
            seen.append(canonical)
    return seen


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def validate_currency(code: str, *, field: str = "currency") -> str:
    code = (code or "").strip().upper()
    if code not in _currencies():
        raise ValidationFailed(
            _("'%(code)s' is not an ISO 4217 currency code (e.g. EUR, USD, BRL, JPY).") % {"code": code}, field=field
        )
    return code
