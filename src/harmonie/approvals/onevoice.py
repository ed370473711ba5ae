"""The one-voice check: does a localization still say what its master says? Pure Python, no database.

``one_voice_report`` compares a variant (a market's local text) with its master and reports, section by
section: key messages covered, figures (numbers, percentages, prices, dates) preserved across locales,
links and hashtags kept or mapped to their local forms, brand names spelled exactly, and the charter
findings computed elsewhere. Each problem costs points (``WEIGHTS``); the score gives a grade.

Figures are read with the conventions of their text's locale (Babel's decimal and group symbols, month
names and short date pattern): "1,500" is 1500 in English and 1.5 in French, "03/12/2027" is 12 March
in en-US and 3 December in fr. Not handled: times of day, ranges, negative numbers, dates without a day
("March 2027" reads as the number 2027 in every language, so it still compares).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

# ``regex`` and ``babel`` ship no type hints (see the mypy overrides); their use is kept to this module.
import regex
from babel import Locale, UnknownLocaleError, localedata
from babel.dates import get_date_format, get_month_names
from babel.numbers import get_currency_symbol, get_decimal_symbol, get_group_symbol
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from harmonie.strategy.charter.text import Analyzed, ascii_host, fold, hashtag_key, hashtags, links

__all__ = [
    "KEY_MESSAGE_THRESHOLD",
    "WEIGHTS",
    "CharterFindingRef",
    "Figure",
    "FigureCheck",
    "FigureKind",
    "Grade",
    "HashtagCheck",
    "KeyMessageCheck",
    "KeyMessageRef",
    "LinkCheck",
    "NameCheck",
    "OneVoiceReport",
    "Status",
    "Weights",
    "extract_figures",
    "one_voice_report",
    "significant_words",
]


# --- Public types ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Weights:
    """Points one problem costs; the score starts at 100 and stops at 0."""

    missing_key_message: int = 25
    changed_figure: int = 20
    missing_figure: int = 15
    missing_link: int = 10
    missing_hashtag: int = 5
    misspelled_name: int = 10
    missing_name: int = 10
    charter_block: int = 20
    charter_warn: int = 5


WEIGHTS: Final = Weights()
# A key message is covered when at least this share of its significant words appears in the variant.
KEY_MESSAGE_THRESHOLD: Final = Fraction(3, 5)
CONSISTENT_FROM: Final = 85
REVIEW_FROM: Final = 60


class Status(StrEnum):
    COVERED = "covered"  # key messages
    PRESERVED = "preserved"  # figures, links, hashtags, names
    MAPPED = "mapped"  # links and hashtags: an accepted local form
    CHANGED = "changed"  # figures: the same kind of figure with another value
    MISSPELLED = "misspelled"  # names: a near form
    MISSING = "missing"

    @property
    def label(self) -> str:
        labels = {
            Status.COVERED: pgettext("one-voice status", "covered"),
            Status.PRESERVED: pgettext("one-voice status", "preserved"),
            Status.MAPPED: pgettext("one-voice status", "mapped"),
            Status.CHANGED: pgettext("one-voice status", "changed"),
            Status.MISSPELLED: pgettext("one-voice status", "misspelled"),
            Status.MISSING: pgettext("one-voice status", "missing"),
        }
        return labels[self]


class Grade(StrEnum):
    CONSISTENT = "consistent"
    REVIEW = "review"
    OFF_MESSAGE = "off_message"

    @property
    def label(self) -> str:
        labels = {Grade.CONSISTENT: _("Consistent"), Grade.REVIEW: _("To review"), Grade.OFF_MESSAGE: _("Off message")}
        return labels[self]


class FigureKind(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    MONEY = "money"
    DATE = "date"


@dataclass(frozen=True)
class KeyMessageRef:
    id: int | str
    label: str
    wording: str  # how the key message is said in the variant's language


@dataclass(frozen=True)
class CharterFindingRef:
    severity: Literal["block", "warn"]
    message: str

    def __post_init__(self) -> None:
        if self.severity not in ("block", "warn"):
            raise ValueError(f"Charter finding severity must be 'block' or 'warn', not {self.severity!r}.")


@dataclass(frozen=True)
class Figure:
    """A figure normalized across locales. ``unit``: "%" (percent), an ISO 4217 code (money), None (number,
    date). A date's ``value`` is YYYYMMDD (MMDD when the text gives no year): 12 March 2027 -> 20270312."""

    kind: FigureKind
    value: Decimal
    unit: str | None
    text: str  # as written

    @property
    def key(self) -> tuple[FigureKind, Decimal, str | None]:
        return (self.kind, self.value, self.unit)


@dataclass(frozen=True)
class KeyMessageCheck:
    key_message: KeyMessageRef
    status: Status  # COVERED or MISSING
    found: int  # significant words of the wording found in the variant
    total: int
    missing_words: tuple[str, ...]  # folded


@dataclass(frozen=True)
class FigureCheck:
    figure: Figure  # from the master
    status: Status  # PRESERVED, CHANGED or MISSING
    found: Figure | None  # the variant's figure (preserved or changed)


@dataclass(frozen=True)
class LinkCheck:
    url: str
    status: Status  # PRESERVED, MAPPED or MISSING
    found: str | None


@dataclass(frozen=True)
class HashtagCheck:
    tag: str  # with its '#', as the master writes it
    status: Status  # PRESERVED, MAPPED or MISSING
    found: str | None


@dataclass(frozen=True)
class NameCheck:
    name: str
    status: Status  # PRESERVED, MISSPELLED or MISSING
    found: tuple[str, ...]  # the near forms when misspelled


@dataclass(frozen=True)
class OneVoiceReport:
    score: int
    grade: Grade
    reasons: tuple[str, ...]
    key_messages: tuple[KeyMessageCheck, ...]
    figures: tuple[FigureCheck, ...]
    extra_figures: tuple[Figure, ...]  # in the variant and not in the master
    links: tuple[LinkCheck, ...]
    hashtags: tuple[HashtagCheck, ...]
    names: tuple[NameCheck, ...]
    charter_findings: tuple[CharterFindingRef, ...]
    charter_blocks: int
    charter_warnings: int


# --- The report --------------------------------------------------------------------------------------------
def one_voice_report(
    *,
    master_text: str,
    master_language: str,
    variant_text: str,
    variant_language: str,
    key_messages: Sequence[KeyMessageRef] = (),
    brand_names: Sequence[str] = (),
    link_map: Mapping[str, Sequence[str]] = MappingProxyType({}),
    hashtag_map: Mapping[str, Sequence[str]] = MappingProxyType({}),
    charter_findings: Sequence[CharterFindingRef] = (),
) -> OneVoiceReport:
    """How far ``variant_text`` still says what ``master_text`` says (languages are BCP 47 tags)."""
    variant_stems = set(_stems_of(variant_text))
    key_checks = tuple(_key_message_check(km, variant_stems) for km in key_messages)
    figure_checks, extras = _figure_checks(
        extract_figures(master_text, language=master_language),
        extract_figures(variant_text, language=variant_language),
    )
    link_checks = _link_checks(master_text, variant_text, link_map)
    hashtag_checks = _hashtag_checks(master_text, variant_text, hashtag_map)
    name_checks = _name_checks(master_text, variant_text, brand_names)
    blocks = sum(1 for f in charter_findings if f.severity == "block")
    warnings = len(charter_findings) - blocks

    deductions = list(
        itertools.chain(
            _key_message_deductions(key_checks),
            _figure_deductions(figure_checks),
            _link_deductions(link_checks, hashtag_checks),
            _name_deductions(name_checks),
            _charter_deductions(charter_findings),
        )
    )
    score = max(0, 100 - sum(points for points, _reason in deductions))
    if score >= CONSISTENT_FROM:
        grade = Grade.CONSISTENT
    elif score >= REVIEW_FROM:
        grade = Grade.REVIEW
    else:
        grade = Grade.OFF_MESSAGE
    return OneVoiceReport(
        score=score,
        grade=grade,
        reasons=tuple(reason for _points, reason in deductions),
        key_messages=key_checks,
        figures=figure_checks,
        extra_figures=extras,
        links=link_checks,
        hashtags=hashtag_checks,
        names=name_checks,
        charter_findings=tuple(charter_findings),
        charter_blocks=blocks,
        charter_warnings=warnings,
    )


type _Deductions = Iterable[tuple[int, str]]


def _key_message_deductions(checks: Sequence[KeyMessageCheck]) -> _Deductions:
    points = WEIGHTS.missing_key_message
    for check in checks:
        if check.status is Status.MISSING:
            label = check.key_message.label
            yield points, _("Key message “%(label)s” is missing (−%(points)d)") % {"label": label, "points": points}


def _figure_deductions(checks: Sequence[FigureCheck]) -> _Deductions:
    for check in checks:
        if check.status is Status.CHANGED and check.found is not None:
            points = WEIGHTS.changed_figure
            values = {"master": check.figure.text, "variant": check.found.text, "points": points}
            yield points, _("Figure “%(master)s” became “%(variant)s” (−%(points)d)") % values
        elif check.status is Status.MISSING:
            points = WEIGHTS.missing_figure
            values = {"figure": check.figure.text, "points": points}
            yield points, _("Figure “%(figure)s” is missing (−%(points)d)") % values


def _link_deductions(link_checks: Sequence[LinkCheck], hashtag_checks: Sequence[HashtagCheck]) -> _Deductions:
    for link in link_checks:
        if link.status is Status.MISSING:
            points = WEIGHTS.missing_link
            yield points, _("Link %(url)s is missing (−%(points)d)") % {"url": link.url, "points": points}
    for tag in hashtag_checks:
        if tag.status is Status.MISSING:
            points = WEIGHTS.missing_hashtag
            yield points, _("Hashtag %(tag)s is missing (−%(points)d)") % {"tag": tag.tag, "points": points}


def _name_deductions(checks: Sequence[NameCheck]) -> _Deductions:
    for check in checks:
        if check.status is Status.MISSPELLED:
            points = WEIGHTS.misspelled_name
            values = {"name": check.name, "found": "”, “".join(check.found), "points": points}
            yield points, _("Name “%(name)s” is misspelled as “%(found)s” (−%(points)d)") % values
        elif check.status is Status.MISSING:
            points = WEIGHTS.missing_name
            yield points, _("Name “%(name)s” is missing (−%(points)d)") % {"name": check.name, "points": points}


def _charter_deductions(findings: Sequence[CharterFindingRef]) -> _Deductions:
    for finding in findings:
        if finding.severity == "block":
            points = WEIGHTS.charter_block
            values = {"message": finding.message, "points": points}
            yield points, _("Charter rule blocks: %(message)s (−%(points)d)") % values
        else:
            points = WEIGHTS.charter_warn
            values = {"message": finding.message, "points": points}
            yield points, _("Charter warning: %(message)s (−%(points)d)") % values


# --- Key messages ------------------------------------------------------------------------------------------
# Folded (no accents) stop words.
_STOP_WORDS_BY_LANGUAGE: Final = MappingProxyType(
    {
        "en": """a an the and or of to in on at by for from with as is are was be been it its this that these
            those our your their we you they he she his her not no nor so than then per more most very into over
            up out all""",
        "fr": """le la les l un une des du de d et ou en au aux pour par sur avec dans est sont ce cet cette ces son
            sa ses notre nos votre vos leur leurs qui que qu ne pas se s y plus tres il elle ils elles nous vous on""",
        "de": """der die das den dem des ein eine einen einem einer eines und oder im am an auf aus bei mit von vom
            zu zum zur fur ist sind wird werden als wie nicht auch ab pro um unser unsere ihr ihre sie er es wir
            noch mehr sehr""",
        "pt": """o a os as um uma uns umas de do da dos das em no na nos nas e ou para por pelo pela pelos pelas
            com que ao aos mais muito seu sua seus suas nosso nossa""",
        "es": """el la los las un una unos unas y o de del al en con por para que es son mas su sus nuestro
            nuestra muy""",
    }
)
_STOP_WORDS: Final = frozenset(itertools.chain.from_iterable(w.split() for w in _STOP_WORDS_BY_LANGUAGE.values()))
# Endings stripped once (longest first) before a word is cut to its first letters.
_SUFFIXES: Final = tuple(
    sorted(
        ("ements", "ement", "ations", "ation", "ungen", "ung", "ness", "ments", "ment", "ingly", "ings", "ing",
         "edly", "ed", "ers", "er", "ern", "es", "en", "em", "e", "s", "ly", "heit", "keit", "mente", "coes", "oes",
         "aes"),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_MIN_STEM = 4
_STEM_LENGTH = 5
_WORD = regex.compile(r"\p{N}+(?:[.,]\p{N}+)*|[\p{L}\p{M}]+")


def _stem(word: str) -> str:
    if not word.isalpha():
        return word.replace(",", ".")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    return word[:_STEM_LENGTH]


def _stems_of(text: str) -> list[str]:
    return [_stem(str(w)) for w in _WORD.findall(fold(text))]


def significant_words(text: str) -> list[tuple[str, str]]:
    """(folded word, stem) of the words that carry meaning, in order, each stem once: stop words of
    en/fr/de/pt/es and single letters dropped, digits kept ("Cures 30% faster" -> cures/cure, 30/30,
    faster/fast)."""
    seen: set[str] = set()
    words: list[tuple[str, str]] = []
    for match in _WORD.findall(fold(text)):
        word = str(match)
        if word in _STOP_WORDS or (len(word) == 1 and word.isalpha()):
            continue
        stem = _stem(word)
        if stem not in seen:
            seen.add(stem)
            words.append((word, stem))
    return words


def covers(text: str, wording: str) -> bool:
    """Whether ``text`` says the key message worded as ``wording`` (the same test as the report's)."""
    check = _key_message_check(KeyMessageRef(id=0, label="", wording=wording), set(_stems_of(text)))
    return check.status == Status.COVERED


def _key_message_check(key_message: KeyMessageRef, variant_stems: set[str]) -> KeyMessageCheck:
    words = significant_words(key_message.wording)
    missing = tuple(word for word, stem in words if stem not in variant_stems)
    found = len(words) - len(missing)
    covered = not words or Fraction(found, len(words)) >= KEY_MESSAGE_THRESHOLD
    return KeyMessageCheck(
        key_message=key_message,
        status=Status.COVERED if covered else Status.MISSING,
        found=found,
        total=len(words),
        missing_words=missing,
    )


# --- Figures -----------------------------------------------------------------------------------------------
_SP = "[ \u00a0\u202f]"  # a space, a no-break space or a narrow no-break space
_SPACES = frozenset(" \u00a0\u202f")
_APOSTROPHES = frozenset("'’")
_GROUPING = " \u00a0\u202f'’"  # separators that group digits by three ("1 299", "1'299"), never decimals
_MAX_DIGITS = 20
_CURRENCIES = ("EUR", "USD", "GBP", "BRL", "CHF", "CAD", "AUD", "JPY", "MXN")  # first wins a shared symbol ($)
_SYMBOL_LOCALES = ("en", "en_GB", "fr", "de", "pt", "pt_BR", "es")


@dataclass(frozen=True)
class _LocaleInfo:
    language: str
    decimal: str
    groups: frozenset[str]
    month_first: bool  # numeric dates: 03/12/2027 is 12 March


@lru_cache(maxsize=64)
def _locale_info(tag: str) -> _LocaleInfo:
    locale = _parse_locale(tag)
    pattern = str(get_date_format("short", locale=locale).pattern)
    return _LocaleInfo(
        language=str(locale.language),
        decimal=str(get_decimal_symbol(locale)),
        groups=frozenset({str(get_group_symbol(locale))}) | _SPACES | _APOSTROPHES,
        month_first=pattern.find("M") < pattern.find("d"),
    )


def _parse_locale(tag: str) -> Locale:
    for candidate in (tag.strip().replace("_", "-"), tag.strip().split("-")[0].split("_")[0], "en"):
        try:
            return Locale.parse(candidate, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    raise AssertionError("unreachable: 'en' is always a locale")  # pragma: no cover


@lru_cache(maxsize=1)
def _currency_symbols() -> dict[str, str]:
    """Symbol or code -> ISO code, longest first: "US$", "R$", "€", "$", "EUR"..."""
    symbols: dict[str, str] = {}
    for code in _CURRENCIES:
        symbols.setdefault(code, code)
        for locale in _SYMBOL_LOCALES:
            symbols.setdefault(str(get_currency_symbol(code, locale=locale)), code)
    return dict(sorted(symbols.items(), key=lambda item: (-len(item[0]), item[0])))


@lru_cache(maxsize=1)
def _figure_pattern() -> Any:
    currency = "|".join(str(regex.escape(s)) for s in _currency_symbols())
    numeral = rf"\d+(?:(?:[.,]|[{_GROUPING}](?=\d{{3}}(?!\d)))\d+)*"
    percent_words = r"percent|per cent|pour cent|prozent|por cento|por ciento"
    return regex.compile(
        rf"(?:(?<![\p{{L}}\p{{N}}])(?P<pre>{currency}){_SP}?)?"
        rf"(?<![\p{{L}}\p{{N}}_.,])(?P<num>(?>{numeral}))(?![\p{{L}}\p{{N}}_]|[.,]\d)"
        rf"(?:{_SP}?(?P<pct>[%％])|{_SP}?(?P<suf>{currency})(?![\p{{L}}])"
        rf"|{_SP}(?P<word>(?i:{percent_words}|euros?))(?![\p{{L}}]))?"
    )


def _months(language: str, *, wide_only: bool) -> dict[str, int]:
    """Folded month name (no trailing dot) -> month number, in ``language`` and English."""
    names: dict[str, int] = {}
    for lang in dict.fromkeys((language, "en")):
        widths: tuple[Literal["wide", "abbreviated"], ...] = ("wide",) if wide_only else ("wide", "abbreviated")
        for width in widths:
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, lang).items():
                    names.setdefault(fold(str(name)).rstrip("."), int(number))
    return names


@lru_cache(maxsize=32)
def _date_patterns(language: str) -> tuple[Any, Any, Any]:
    def alternatives(names: Iterable[str]) -> str:
        return "|".join(str(regex.escape(n)) for n in sorted(names, key=lambda n: (-len(n), n)))

    # Folded text has no accents: "Marz", "marco" and "fevrier" are the names people also type.
    months = alternatives(_months(language, wide_only=False))
    day_suffix = r"(?:\.|er|st|nd|rd|th|o|°)?"  # folded: "1º" is "1o"
    before, after = r"(?<![\p{L}\p{N}_.,/-])", r"(?![\p{L}\p{N}_]|[./-]\d)"
    numeric = regex.compile(
        rf"{before}(?:(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})"
        rf"|(?P<a>\d{{1,2}})(?P<sep>[./-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}})){after}"
    )
    day_month = regex.compile(
        rf"{before}(?P<d>\d{{1,2}}){day_suffix}(?:{_SP}+de)?{_SP}*(?P<m>{months})(?![\p{{L}}])(?P<dot>\.)?"
        rf"(?:,?{_SP}+(?:de{_SP}+)?(?P<y>\d{{4}})(?![\p{{N}}]))?",
        regex.IGNORECASE,
    )
    month_day = regex.compile(
        rf"(?<![\p{{L}}\p{{N}}])(?P<m>{months})(?![\p{{L}}])\.?{_SP}+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
        rf",?{_SP}+(?P<y>\d{{4}})(?![\p{{N}}])",
        regex.IGNORECASE,
    )
    return numeric, day_month, month_day


def _date_value(year: int | None, month: int, day: int) -> Decimal | None:
    try:
        dt.date(year or 2000, month, day)  # a leap year when none is written: 29 February is a date
    except ValueError:
        return None
    return Decimal((year or 0) * 10000 + month * 100 + day)


def _dates(folded: str, info: _LocaleInfo) -> list[tuple[int, int, Decimal]]:
    """(start, end, value) of the dates of a folded text (same length as the original: see _mask)."""
    numeric, day_month, month_day = _date_patterns(info.language)
    months, wide = _months(info.language, wide_only=False), _months(info.language, wide_only=True)
    found: list[tuple[int, int, Decimal]] = []

    def add(start: int, end: int, value: Decimal | None) -> None:
        if value is not None and not any(s < end and start < e for s, e, _v in found):
            found.append((start, end, value))

    for m in numeric.finditer(folded):
        if m.group("iy"):
            add(m.start(), m.end(), _date_value(int(m.group("iy")), int(m.group("im")), int(m.group("id"))))
            continue
        a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y"))
        first, second = (b, a) if info.month_first else (a, b)  # (day, month)
        add(m.start(), m.end(), _date_value(year, second, first) or _date_value(year, first, second))
    for m in day_month.finditer(folded):
        name = str(m.group("m")).lower()
        # Without a year only a full month name makes a date: "3 out of 5" is no date in Portuguese.
        if m.group("y") or (name in wide and not m.group("dot")):
            written_year = int(m.group("y")) if m.group("y") else None
            add(m.start(), m.end(), _date_value(written_year, months[name], int(m.group("d"))))
    for m in month_day.finditer(folded):
        add(m.start(), m.end(), _date_value(int(m.group("y")), months[str(m.group("m")).lower()], int(m.group("d"))))
    return found


def _numeral_value(token: str, info: _LocaleInfo) -> Decimal | None:
    """The value of "1,299.50", "1 299,50", "1.299,50", "1,5"... read with the locale's symbols first."""
    parts = regex.split(r"(\D)", token)
    digits, seps = [str(p) for p in parts[0::2]], ["'" if p in _APOSTROPHES else str(p) for p in parts[1::2]]
    seps = [" " if s in _SPACES else s for s in seps]
    if sum(len(d) for d in digits) > _MAX_DIGITS:
        return None
    if not seps:
        return Decimal(token)
    groups = {" " if s in _SPACES else "'" if s in _APOSTROPHES else s for s in info.groups}

    def grouped(ds: list[str], ss: list[str], allowed: set[str]) -> bool:
        return len(set(ss)) == 1 and ss[0] in allowed and 1 <= len(ds[0]) <= 3 and all(len(d) == 3 for d in ds[1:])

    def decimal(int_digits: list[str], fraction: str) -> Decimal:
        return Decimal("".join(int_digits) + "." + fraction)

    head_d, head_s, last = digits[:-1], seps[:-1], seps[-1]
    if last == info.decimal and (not head_s or grouped(head_d, head_s, groups)):
        return decimal(head_d, digits[-1])
    if grouped(digits, seps, groups):
        return Decimal("".join(digits))
    # Written with another convention: a last "." or "," that cannot be a group is a decimal point
    # ("1.5" in German, "1,5" or "1.299,50" in English).
    foreign_groups = ({".", ","} | {" ", "'"}) - {last}
    if last in ".," and last not in head_s:
        if head_s and grouped(head_d, head_s, foreign_groups):
            return decimal(head_d, digits[-1])
        if not head_s and len(digits[-1]) != 3:
            return decimal(head_d, digits[-1])
    if grouped(digits, seps, {".", ","}):  # "1.500" in French: a thousand written the German way
        return Decimal("".join(digits))
    return None


def _canonical(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` replaced by NUL (same length, read as no word)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\0" * (end - start)
    return "".join(chars)


def _link_and_tag_spans(text: str) -> list[tuple[int, int]]:
    found = links(text)
    return [(link.start, link.end) for link in found] + [(tag.start, tag.end) for tag in hashtags(text, outside=found)]


def extract_figures(text: str, *, language: str) -> list[Figure]:
    """The figures of ``text`` in order, read with the conventions of ``language`` (BCP 47). Links and
    hashtags hold no figures; a year inside a date is not counted again."""
    info = _locale_info(language)
    masked = _mask(text, _link_and_tag_spans(text))
    # Case folding keeps the length except for a few letters (ß, İ...): match dates on a per-character fold.
    folded = "".join(c.lower() if len(fold(c)) != 1 else fold(c) for c in masked)
    found: list[tuple[int, Figure]] = [
        (start, Figure(kind=FigureKind.DATE, value=value, unit=None, text=text[start:end]))
        for start, end, value in _dates(folded, info)
    ]
    masked = _mask(masked, [(start, start + len(figure.text)) for start, figure in found])
    symbols = _currency_symbols()
    for m in _figure_pattern().finditer(masked):
        value = _numeral_value(str(m.group("num")), info)
        if value is None:
            continue
        word = str(m.group("word") or "").lower()
        currency = m.group("pre") or m.group("suf")
        if m.group("pct") or (word and not word.startswith("euro")):
            kind, unit = FigureKind.PERCENT, "%"
        elif currency or word:
            kind, unit = FigureKind.MONEY, symbols[str(currency)] if currency else "EUR"
        else:
            kind, unit = FigureKind.NUMBER, None
        figure = Figure(kind=kind, value=_canonical(value), unit=unit, text=text[m.start() : m.end()])
        found.append((m.start(), figure))
    return [figure for _start, figure in sorted(found, key=lambda item: item[0])]


def _figure_checks(master: list[Figure], variant: list[Figure]) -> tuple[tuple[FigureCheck, ...], tuple[Figure, ...]]:
    free = list(range(len(variant)))
    matched: dict[int, tuple[Status, Figure]] = {}
    for i, figure in enumerate(master):  # the same figure, wherever it stands
        j = next((j for j in free if variant[j].key == figure.key), None)
        if j is not None:
            free.remove(j)
            matched[i] = (Status.PRESERVED, variant[j])
    for i, figure in enumerate(master):  # then a figure of the same kind, same unit first, in order
        if i in matched:
            continue
        same_kind = [j for j in free if variant[j].kind is figure.kind]
        same_unit = [j for j in same_kind if variant[j].unit == figure.unit]
        if same_unit or same_kind:
            j = (same_unit or same_kind)[0]
            free.remove(j)
            matched[i] = (Status.CHANGED, variant[j])
    checks = tuple(
        FigureCheck(figure=figure, status=matched[i][0], found=matched[i][1])
        if i in matched
        else FigureCheck(figure=figure, status=Status.MISSING, found=None)
        for i, figure in enumerate(master)
    )
    return checks, tuple(variant[j] for j in free)


# --- Links and hashtags ------------------------------------------------------------------------------------
_LOCALE_SEGMENT = regex.compile(r"(?i)(?P<lang>[a-z]{2})(?:[-_][a-z]{2})?")
type _LinkKey = tuple[str, str, str, str, str]


def _link_key(url: str) -> _LinkKey:
    """(scheme, host, path, query, fragment): no trailing slash, no utm_* parameters."""
    parts = urlsplit(url.strip() if "://" in url else "http://" + url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")]
    host = ascii_host(parts.hostname or "")
    return (parts.scheme.lower(), host, parts.path.rstrip("/"), urlencode(query), parts.fragment)


def _is_locale_segment(segment: str) -> bool:
    match = _LOCALE_SEGMENT.fullmatch(segment)
    return match is not None and bool(localedata.exists(str(match.group("lang")).lower()))


def _without_locale(key: _LinkKey) -> tuple[str, str, str, str]:
    _scheme, host, path, query, fragment = key
    path = "/".join(s for s in path.split("/") if not _is_locale_segment(s))
    return (host.removeprefix("www."), path, query, fragment)


def _link_checks(master: str, variant: str, link_map: Mapping[str, Sequence[str]]) -> tuple[LinkCheck, ...]:
    variant_links = [(link.url, _link_key(link.url)) for link in links(variant)]
    accepted: dict[_LinkKey, set[_LinkKey]] = {}
    for source, targets in link_map.items():
        accepted.setdefault(_link_key(source), set()).update(_link_key(t) for t in targets)
    checks: list[LinkCheck] = []
    seen: set[_LinkKey] = set()
    for link in links(master):
        key = _link_key(link.url)
        if key in seen:
            continue
        seen.add(key)
        same = next((url for url, k in variant_links if k == key), None)
        mapped = next(
            (
                url
                for url, k in variant_links
                if k in accepted.get(key, set()) or _without_locale(k) == _without_locale(key)
            ),
            None,
        )
        if same is not None:
            checks.append(LinkCheck(url=link.url, status=Status.PRESERVED, found=same))
        elif mapped is not None:
            checks.append(LinkCheck(url=link.url, status=Status.MAPPED, found=mapped))
        else:
            checks.append(LinkCheck(url=link.url, status=Status.MISSING, found=None))
    return tuple(checks)


def _hashtag_checks(master: str, variant: str, hashtag_map: Mapping[str, Sequence[str]]) -> tuple[HashtagCheck, ...]:
    variant_tags: dict[str, str] = {}
    for tag in hashtags(variant):
        variant_tags.setdefault(tag.key, tag.text)
    accepted: dict[str, list[str]] = {}
    for source, targets in hashtag_map.items():
        accepted.setdefault(hashtag_key(source), []).extend(hashtag_key(t) for t in targets)
    checks: list[HashtagCheck] = []
    seen: set[str] = set()
    for tag in hashtags(master):
        if tag.key in seen:
            continue
        seen.add(tag.key)
        mapped = next((variant_tags[k] for k in accepted.get(tag.key, []) if k in variant_tags), None)
        if tag.key in variant_tags:
            checks.append(HashtagCheck(tag=tag.text, status=Status.PRESERVED, found=variant_tags[tag.key]))
        elif mapped is not None:
            checks.append(HashtagCheck(tag=tag.text, status=Status.MAPPED, found=mapped))
        else:
            checks.append(HashtagCheck(tag=tag.text, status=Status.MISSING, found=None))
    return tuple(checks)


# --- Brand and product names -------------------------------------------------------------------------------
_NAME_SEPARATORS = frozenset(" \u00a0\u202f\t-\u2010\u2011_.·")
_WORD_CHARS = r"\p{L}\p{N}\p{M}_"


def _bounded(body: str, name: str) -> Any:
    before = rf"(?<![{_WORD_CHARS}])" if name[0].isalnum() else ""
    after = rf"(?![{_WORD_CHARS}])" if name[-1].isalnum() else ""
    return regex.compile(before + body + after)


@lru_cache(maxsize=256)
def _exact_pattern(name: str) -> Any:
    return _bounded(r"\s".join(str(regex.escape(w)) for w in name.split()), name)


@lru_cache(maxsize=256)
def _near_pattern(name: str) -> Any | None:
    """Case, accents and separators free: "Vireo Coat X" -> "vireo coat-x", "VireoCoatX", "VIRÉO COAT X"."""
    chars = [c for c in fold(name) if c not in _NAME_SEPARATORS]
    if not chars:
        return None
    separator = "[\\s\\-\u2010\u2011_.·]?"
    return _bounded(separator.join(str(regex.escape(c)) for c in chars), "".join(chars))


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return not any(s < span[1] and span[0] < e for s, e in taken)


def _name_checks(master: str, variant: str, brand_names: Sequence[str]) -> tuple[NameCheck, ...]:
    """Longest names first, so that "Vireo" inside "Vireo Coat X" is not another "Vireo"."""
    names = sorted(dict.fromkeys(n.strip() for n in brand_names if n.strip()), key=len, reverse=True)
    master_masked = _mask(master, _link_and_tag_spans(master))
    variant_masked = _mask(variant, _link_and_tag_spans(variant))
    variant_folded = Analyzed(variant_masked)
    master_taken: list[tuple[int, int]] = []
    variant_taken: list[tuple[int, int]] = []
    checks: list[NameCheck] = []
    for name in names:
        in_master = [
            (m.start(), m.end()) for m in _exact_pattern(name).finditer(master_masked) if _free(m.span(), master_taken)
        ]
        master_taken.extend(in_master)
        exact = [
            (m.start(), m.end())
            for m in _exact_pattern(name).finditer(variant_masked)
            if _free(m.span(), variant_taken)
        ]
        variant_taken.extend(exact)
        near_pattern = _near_pattern(name)
        near: list[tuple[int, int]] = []
        if near_pattern is not None:
            for m in near_pattern.finditer(variant_folded.folded):
                span = variant_folded.span(m.start(), m.end())
                if _free(span, variant_taken):
                    near.append(span)
        variant_taken.extend(near)
        if not in_master:
            continue
        if near:
            forms = tuple(dict.fromkeys(variant[s:e] for s, e in near))
            checks.append(NameCheck(name=name, status=Status.MISSPELLED, found=forms))
        elif exact:
            checks.append(NameCheck(name=name, status=Status.PRESERVED, found=()))
        else:
            checks.append(NameCheck(name=name, status=Status.MISSING, found=()))
    return tuple(checks)
