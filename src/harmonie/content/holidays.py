"""Public holidays per country market, from the ``holidays`` package (offline, no network call).

A country market's ``code`` is its ISO 3166 code (FR, DE, JP). Names come in the market's main language
when the package has it (``fr-FR`` -> ``fr``, ``pt-BR`` -> ``pt_BR``), else in English, else in the
package's default language for that country. Regions and Global have no holidays of their own.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import holidays as holidays_package

from harmonie.governance.models import Market, MarketKind

ENGLISH = ("en_US", "en_GB")


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    market_code: str
    name: str


def holiday_language(language_tag: str, supported: Sequence[str]) -> str | None:
    """The package language closest to a BCP 47 tag, or English, or None (the country's default)."""
    wanted = language_tag.replace("-", "_")
    primary = wanted.split("_", 1)[0].lower()
    by_lower = {s.lower(): s for s in supported}
    for candidate in (wanted.lower(), primary):
        if candidate in by_lower:
            return by_lower[candidate]
    regional = sorted(s for s in supported if s.lower().startswith(primary + "_"))
    if primary and regional:
        return regional[0]
    return next((s for s in ENGLISH if s in supported), None)


@functools.lru_cache(maxsize=512)
def _year(code: str, language_tag: str, year: int) -> tuple[tuple[dt.date, str], ...]:
    """Every holiday of one country and year as (day, name), several names on one day split apart."""
    try:
        probe = holidays_package.country_holidays(code.upper(), years=[])
    except NotImplementedError:
        return ()
    language = holiday_language(language_tag, probe.supported_languages) if language_tag else None
    found = holidays_package.country_holidays(code.upper(), years=[year], language=language)
    return tuple(
        (day, name.strip()) for day, names in sorted(found.items()) for name in str(names).split(";") if name.strip()
    )


def holidays_between(markets: Iterable[Market], start: dt.date, end: dt.date) -> dict[dt.date, list[Holiday]]:
    """Holidays of the country ``markets`` from ``start`` to ``end`` (exclusive), by day, in market order."""
    out: dict[dt.date, list[Holiday]] = {}
    years = range(start.year, end.year + 1)
    for market in markets:
        if market.kind != MarketKind.COUNTRY:
            continue
        language = market.languages[0] if market.languages else ""
        for year in years:
            for day, name in _year(market.code, language, year):
                if start <= day < end:
                    out.setdefault(day, []).append(Holiday(day=day, market_code=market.code, name=name))
    return out
