"""Platform advisor: which networks suit an objective, an audience and a market, and why.

The method (seeds 002, 003 and 004): choose platforms from the objectives and the target, by the kind of
relation sought (visibility, expertise, proximity), the voice (the brand or a person), attract or push,
and the means the team has. The knowledge lives in versioned data files (``data/platforms/*.toml``, see
``data/README.md``), never in this module: here we only validate those files and score.

Scoring (weights in ``scoring.toml``): ``score = base + sum of the reasons' weights``, clamped to 0–100
and rounded half up. Every reason carries its signed contribution, so the UI can show + and −.
A network is excluded (score 0, listed last) when the market blocks it or lacks it, or when the team has
none of the formats it requires. Each network is scored on its own: the weekly hours are what the team
could give to that one network.

Pure Python: no models, no database. Sentences go through gettext with English source strings; claims and
notes from the data files go through gettext too (they are English in the files).
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

DATA_DIR = Path(__file__).parent / "data" / "platforms"
FILES = ("sources.toml", "scoring.toml", "networks.toml", "markets.toml")


class Objective(StrEnum):
    AWARENESS = "awareness"
    IMAGE = "image"
    ENGAGEMENT = "engagement"
    DRIVE_TO_WEB = "drive_to_web"
    DRIVE_TO_STORE = "drive_to_store"
    DATA_CAPTURE = "data_capture"
    SALES = "sales"
    LOYALTY = "loyalty"
    CUSTOMER_SERVICE = "customer_service"
    RECRUITMENT = "recruitment"


AUDIENCES = ("b2b", "b2c")
AGE_BANDS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
RELATION_MODES = ("visibility", "expertise", "proximity")
FORMATS = ("text", "image", "video", "live")
VOICES = ("brand", "person")
PERSON_VOICES = ("person", "executive", "expert", "community_manager")  # the Voice choices of strategy.models
APPROACHES = ("attract", "push")
SCORED_LEVELS = ("dominant", "major", "present", "minor")
EXCLUDING_LEVELS = ("absent", "blocked")
LEVELS = SCORED_LEVELS + EXCLUDING_LEVELS
WEIGHTS = (
    "objectives", "market", "audience", "age_band", "relation", "voice", "approach", "format",
    "capacity_penalty", "capacity_bonus",
)  # fmt: skip

_OBJECTIVE_LABELS = {
    Objective.AWARENESS: gettext_noop("awareness"),
    Objective.IMAGE: gettext_noop("image"),
    Objective.ENGAGEMENT: gettext_noop("engagement"),
    Objective.DRIVE_TO_WEB: gettext_noop("drive to web"),
    Objective.DRIVE_TO_STORE: gettext_noop("drive to store"),
    Objective.DATA_CAPTURE: gettext_noop("data capture"),
    Objective.SALES: gettext_noop("sales"),
    Objective.LOYALTY: gettext_noop("loyalty"),
    Objective.CUSTOMER_SERVICE: gettext_noop("customer service"),
    Objective.RECRUITMENT: gettext_noop("recruitment"),
}
_LEVEL_LABELS = {
    "dominant": gettext_noop("dominant"),
    "major": gettext_noop("major"),
    "present": gettext_noop("present"),
    "minor": gettext_noop("minor"),
}
_FORMAT_LABELS = {
    "text": gettext_noop("text"),
    "image": gettext_noop("image"),
    "video": gettext_noop("video"),
    "live": gettext_noop("live"),
}
_RELATION_LABELS = {
    "visibility": gettext_noop("visibility"),
    "expertise": gettext_noop("expertise"),
    "proximity": gettext_noop("proximity"),
}
# One sentence per fit level (0 poor .. 3 strong).
_OBJECTIVE_TEXTS = (
    gettext_noop("Poor fit for {objective}."),
    gettext_noop("Weak fit for {objective}."),
    gettext_noop("Good fit for {objective}."),
    gettext_noop("Strong fit for {objective}."),
)
_AUDIENCE_TEXTS = (
    gettext_noop("Rarely used for {audience} audiences."),
    gettext_noop("Limited reach with {audience} audiences."),
    gettext_noop("Works with {audience} audiences."),
    gettext_noop("Strong with {audience} audiences."),
)
_AGE_TEXTS = (
    gettext_noop("Few users aged {band}."),
    gettext_noop("Limited reach among people aged {band}."),
    gettext_noop("Reaches people aged {band}."),
    gettext_noop("Strong among people aged {band}."),
)
_RELATION_TEXTS = (
    gettext_noop("Not suited to {relation} relations with {who}."),
    gettext_noop("Weak for {relation} relations with {who}."),
    gettext_noop("Works for {relation} relations with {who}."),
    gettext_noop("Fits {relation} relations with {who}."),
)
_VOICE_LABELS = {
    "brand": gettext_noop("the brand's own voice"),
    "person": gettext_noop("a person speaking for the brand (an executive, an expert, a community manager)"),
}
_APPROACH_LABELS = {
    "attract": gettext_noop("attracting the audience (expertise, exclusivity, rewards, humour)"),
    "push": gettext_noop("pushing news to the audience"),
}


# --- Input and output ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvisorInput:
    objectives: Sequence[str]
    audience: str  # "b2b" | "b2c"
    age_band: str | None  # "13-17", "18-24", "25-34", "35-44", "45-54", "55+"
    market: str  # ISO 3166-1 alpha-2
    relation_mode: str  # "visibility" | "expertise" | "proximity"
    formats: Sequence[str]  # subset of "text", "image", "video", "live"
    weekly_hours: float
    voice: str | None = None  # "brand", or a person: "person", "executive", "expert", "community_manager"
    approach: str | None = None  # "attract" | "push"


@dataclass(frozen=True)
class Reason:
    text: str
    weight: float  # signed contribution to the score, so the UI can show + and −


@dataclass(frozen=True)
class Recommendation:
    network: str
    name: str
    score: int
    reasons: list[Reason]
    sources: list[str]
    excluded: bool = False


class AdvisorInputError(ValueError):
    """The advisor was asked about an unknown objective, audience, format, ..."""


class KnowledgeError(ValueError):
    """A data file is missing, unreadable or wrong; the message names the file and the key."""


# --- Knowledge ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    key: str
    publisher: str
    title: str
    year: int | None
    url: str | None
    editorial: bool

    def cite(self) -> str:
        parts = [self.publisher, f"“{self.title}”"]
        parts += [str(self.year)] if self.year is not None else []
        parts += [self.url] if self.url else []
        return ", ".join(parts)


@dataclass(frozen=True)
class Presence:
    level: str
    claim: str | None
    note: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class NetworkProfile:
    key: str
    name: str
    requires: tuple[str, ...]
    supports: tuple[str, ...]
    primary_format: str
    posts_per_week: float
    weekly_hours: float
    default_presence: str
    sources: tuple[str, ...]
    objectives: Mapping[str, int]
    audience: Mapping[str, int]
    age_bands: Mapping[str, int]
    relations: Mapping[str, Mapping[str, int]]
    voice: Mapping[str, int]
    approach: Mapping[str, int]


@dataclass(frozen=True)
class Scoring:
    base: float
    weights: Mapping[str, float]
    fit_values: tuple[float, ...]  # index = fit 0..3
    presence_values: Mapping[str, float]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Knowledge:
    networks: Mapping[str, NetworkProfile]  # in file order
    markets: Mapping[str, Mapping[str, Presence]]
    sources: Mapping[str, Source]
    scoring: Scoring
    versions: Mapping[str, tuple[int, dt.date]]  # file name -> (version, updated)

    def presence(self, network: str, market: str) -> tuple[Presence, bool]:
        """The network's presence in the market, and whether it comes from market data (not the default)."""
        entry = self.markets.get(market, {}).get(network)
        if entry is not None:
            return entry, True
        profile = self.networks[network]
        return Presence(profile.default_presence, None, None, profile.sources), False


def load_knowledge(path: Path | None = None) -> Knowledge:
    """Read and validate the data files of ``path`` (a folder; default: the shipped data). Cached."""
    return _load((path or DATA_DIR).resolve())


@cache
def _load(folder: Path) -> Knowledge:
    docs = {name: _Doc.read(folder / name) for name in FILES}
    sources = _parse_sources(docs["sources.toml"])
    scoring = _parse_scoring(docs["scoring.toml"], sources)
    networks = _parse_networks(docs["networks.toml"], sources)
    markets = _parse_markets(docs["markets.toml"], networks, sources)
    versions = {name: (doc.version, doc.updated) for name, doc in docs.items()}
    return Knowledge(networks, markets, sources, scoring, versions)


class _Doc:
    """One parsed TOML file, with helpers that fail with '<file>: <key>: <problem>'."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.version = self.integer(data, "version", lo=1, hi=None)
        updated = self.get(data, "updated")
        if isinstance(updated, str):
            try:
                updated = dt.date.fromisoformat(updated)
            except ValueError:
                raise self.error("updated", f"must be a date like 2026-01-31, got {updated!r}") from None
        if not isinstance(updated, dt.date) or isinstance(updated, dt.datetime):
            raise self.error("updated", f"must be a date like 2026-01-31, got {updated!r}")
        self.updated = updated

    @classmethod
    def read(cls, path: Path) -> _Doc:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise KnowledgeError(f"{path}: file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise KnowledgeError(f"{path}: not valid TOML: {exc}") from None
        return cls(path, data)

    def error(self, key: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{self.path}: {key}: {problem}")

    def get(self, table: Mapping[str, Any], key: str, prefix: str = "") -> Any:  # the raw TOML value
        if key not in table:
            raise self.error(prefix + key, "missing")
        return table[key]

    def table(self, table: Mapping[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
        value = self.get(table, key, prefix)
        if not isinstance(value, dict):
            raise self.error(prefix + key, "must be a table")
        return value

    def text(self, table: Mapping[str, Any], key: str, prefix: str = "") -> str:
        value = self.get(table, key, prefix)
        if not isinstance(value, str) or not value.strip():
            raise self.error(prefix + key, "must be a non-empty string")
        return value

    def optional_text(self, table: Mapping[str, Any], key: str, prefix: str = "") -> str | None:
        return self.text(table, key, prefix) if key in table else None

    def integer(self, table: Mapping[str, Any], key: str, prefix: str = "", *, lo: int, hi: int | None) -> int:
        value = self.get(table, key, prefix)
        if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi is not None and value > hi):
            bounds = f"from {lo} to {hi}" if hi is not None else f"of at least {lo}"
            raise self.error(prefix + key, f"must be an integer {bounds}, got {value!r}")
        return value

    def number(self, table: Mapping[str, Any], key: str, prefix: str = "", *, lo: float, hi: float) -> float:
        value = self.get(table, key, prefix)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.error(prefix + key, f"must be a number from {lo:g} to {hi:g}, got {value!r}")
        return float(value)

    def choice(self, table: Mapping[str, Any], key: str, prefix: str, allowed: Sequence[str]) -> str:
        value = self.get(table, key, prefix)
        if value not in allowed:
            raise self.error(prefix + key, f"must be one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def choices(self, table: Mapping[str, Any], key: str, prefix: str, allowed: Sequence[str]) -> tuple[str, ...]:
        value = self.get(table, key, prefix)
        if not isinstance(value, list) or not value or any(item not in allowed for item in value):
            raise self.error(prefix + key, f"must be a non-empty list of {', '.join(allowed)}, got {value!r}")
        return tuple(str(item) for item in value)

    def fits(self, table: Mapping[str, Any], key: str, prefix: str, names: Sequence[str]) -> dict[str, int]:
        """A table giving a fit from 0 to 3 for exactly ``names``."""
        value = self.table(table, key, prefix)
        for extra in value.keys() - set(names):
            raise self.error(f"{prefix}{key}.{extra}", f"unknown key; expected one of {', '.join(names)}")
        return {name: self.integer(value, name, f"{prefix}{key}.", lo=0, hi=3) for name in names}

    def source_keys(self, table: Mapping[str, Any], prefix: str, known: Mapping[str, Source]) -> tuple[str, ...]:
        value = self.get(table, "sources", prefix)
        if not isinstance(value, list) or not value:
            raise self.error(prefix + "sources", "must be a non-empty list of source keys (see sources.toml)")
        for item in value:
            if item not in known:
                raise self.error(prefix + "sources", f"unknown source {item!r} (not in sources.toml)")
        return tuple(value)


def _parse_sources(doc: _Doc) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for key, raw in doc.table(doc.data, "sources").items():
        prefix = f"sources.{key}."
        if not isinstance(raw, dict):
            raise doc.error(f"sources.{key}", "must be a table")
        year = doc.integer(raw, "year", prefix, lo=1900, hi=2100) if "year" in raw else None
        url = doc.optional_text(raw, "url", prefix)
        if url is not None and not url.startswith(("https://", "http://")):
            raise doc.error(prefix + "url", f"must start with http:// or https://, got {url!r}")
        editorial = raw.get("editorial", False)
        if not isinstance(editorial, bool):
            raise doc.error(prefix + "editorial", f"must be true or false, got {editorial!r}")
        out[key] = Source(key, doc.text(raw, "publisher", prefix), doc.text(raw, "title", prefix), year, url, editorial)
    return out


def _parse_scoring(doc: _Doc, sources: Mapping[str, Source]) -> Scoring:
    weights_table = doc.table(doc.data, "weights")
    for extra in weights_table.keys() - set(WEIGHTS):
        raise doc.error(f"weights.{extra}", f"unknown weight; expected one of {', '.join(WEIGHTS)}")
    weights = {name: doc.number(weights_table, name, "weights.", lo=0, hi=100) for name in WEIGHTS}
    fit_table = doc.table(doc.data, "fit_values")
    values = doc.get(fit_table, "values", "fit_values.")
    if not isinstance(values, list) or len(values) != 4:
        raise doc.error("fit_values.values", "must list 4 numbers, for fits 0, 1, 2 and 3")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or not -1 <= value <= 1:
            raise doc.error("fit_values.values", f"each value must be a number from -1 to 1, got {value!r}")
    fit_values = tuple(float(v) for v in values)
    presence_table = doc.table(doc.data, "presence_values")
    presence = {level: doc.number(presence_table, level, "presence_values.", lo=-1, hi=1) for level in SCORED_LEVELS}
    return Scoring(
        base=doc.number(doc.data, "base", lo=0, hi=100),
        weights=weights,
        fit_values=fit_values,
        presence_values=presence,
        sources=doc.source_keys(doc.data, "", sources),
    )


def _parse_networks(doc: _Doc, sources: Mapping[str, Source]) -> dict[str, NetworkProfile]:
    out: dict[str, NetworkProfile] = {}
    for key, raw in doc.table(doc.data, "networks").items():
        p = f"networks.{key}."
        if not isinstance(raw, dict):
            raise doc.error(f"networks.{key}", "must be a table")
        requires = doc.choices(raw, "requires", p, FORMATS)
        supports = doc.choices(raw, "supports", p, FORMATS)
        if missing := set(requires) - set(supports):
            raise doc.error(p + "requires", f"{', '.join(sorted(missing))} must also be in supports")
        relations_table = doc.table(raw, "relations", p)
        out[key] = NetworkProfile(
            key=key,
            name=doc.text(raw, "name", p),
            requires=requires,
            supports=supports,
            primary_format=doc.choice(raw, "primary_format", p, supports),
            posts_per_week=doc.number(raw, "posts_per_week", p, lo=0.1, hi=200),
            weekly_hours=doc.number(raw, "weekly_hours", p, lo=0.1, hi=80),
            default_presence=doc.choice(raw, "default_presence", p, LEVELS),
            sources=doc.source_keys(raw, p, sources),
            objectives=doc.fits(raw, "objectives", p, list(Objective)),
            audience=doc.fits(raw, "audience", p, AUDIENCES),
            age_bands=doc.fits(raw, "age_bands", p, AGE_BANDS),
            relations={a: doc.fits(relations_table, a, f"{p}relations.", RELATION_MODES) for a in AUDIENCES},
            voice=doc.fits(raw, "voice", p, VOICES),
            approach=doc.fits(raw, "approach", p, APPROACHES),
        )
    return out


def _parse_markets(
    doc: _Doc, networks: Mapping[str, NetworkProfile], sources: Mapping[str, Source]
) -> dict[str, dict[str, Presence]]:
    out: dict[str, dict[str, Presence]] = {}
    for code, entries in doc.table(doc.data, "markets").items():
        if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.isupper():
            raise doc.error(f"markets.{code}", "must be an ISO 3166-1 alpha-2 code such as FR or JP")
        if not isinstance(entries, dict):
            raise doc.error(f"markets.{code}", "must be a table")
        out[code] = {}
        for network, raw in entries.items():
            p = f"markets.{code}.{network}."
            if network not in networks:
                raise doc.error(f"markets.{code}.{network}", "unknown network (not in networks.toml)")
            if not isinstance(raw, dict):
                raise doc.error(f"markets.{code}.{network}", "must be a table")
            out[code][network] = Presence(
                level=doc.choice(raw, "level", p, LEVELS),
                claim=doc.optional_text(raw, "claim", p),
                note=doc.optional_text(raw, "note", p),
                sources=doc.source_keys(raw, p, sources),
            )
    return out


# --- Advice -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    objectives: tuple[Objective, ...]
    audience: str
    age_band: str | None
    market: str
    relation_mode: str
    formats: frozenset[str]
    weekly_hours: float
    voice: str | None
    approach: str | None


def advise(*, data: AdvisorInput, knowledge: Knowledge | None = None) -> list[Recommendation]:
    """Every network of the knowledge, best first; excluded ones last (by name), each with its reasons."""
    kb = knowledge if knowledge is not None else load_knowledge()
    query = _query(data)
    scored = [_recommend(profile, query, kb) for profile in kb.networks.values()]
    kept = sorted((s for s in scored if not s[0].excluded), key=lambda s: (-s[1], s[0].name.casefold()))
    dropped = sorted((s for s in scored if s[0].excluded), key=lambda s: s[0].name.casefold())
    return [rec for rec, _raw in kept + dropped]


def _query(data: AdvisorInput) -> _Query:
    def check(value: object, allowed: Sequence[str], what: str) -> None:
        if value not in allowed:
            raise AdvisorInputError(f"Unknown {what} {value!r}; expected one of: {', '.join(allowed)}.")

    if not data.objectives:
        raise AdvisorInputError("Give at least one objective.")
    for objective in data.objectives:
        check(objective, list(Objective), "objective")
    check(data.audience, AUDIENCES, "audience")
    if data.age_band is not None:
        check(data.age_band, AGE_BANDS, "age band")
    check(data.relation_mode, RELATION_MODES, "relation mode")
    for fmt in data.formats:
        check(fmt, FORMATS, "format")
    if data.voice is not None:
        check(data.voice, ("brand", *PERSON_VOICES), "voice")
    if data.approach is not None:
        check(data.approach, APPROACHES, "approach")
    market = data.market.strip().upper()
    if len(market) != 2 or not market.isascii() or not market.isalpha():
        raise AdvisorInputError(f"Market {data.market!r} is not an ISO 3166-1 alpha-2 code such as FR or JP.")
    if not math.isfinite(data.weekly_hours) or data.weekly_hours < 0:
        raise AdvisorInputError(f"Weekly hours must be zero or more, got {data.weekly_hours!r}.")
    return _Query(
        objectives=tuple(dict.fromkeys(Objective(o) for o in data.objectives)),
        audience=data.audience,
        age_band=data.age_band,
        market=market,
        relation_mode=data.relation_mode,
        formats=frozenset(data.formats),
        weekly_hours=float(data.weekly_hours),
        voice=None if data.voice is None else ("brand" if data.voice == "brand" else "person"),
        approach=data.approach,
    )


def _recommend(profile: NetworkProfile, q: _Query, kb: Knowledge) -> tuple[Recommendation, float]:
    presence, from_market_data = kb.presence(profile.key, q.market)
    keys = dict.fromkeys(presence.sources + profile.sources + kb.scoring.sources)
    sources = [kb.sources[key].cite() for key in keys]
    note = [Reason(gettext(presence.note), 0.0)] if presence.note else []
    country = _country_name(q.market)

    blockers: list[Reason] = []
    if presence.level == "blocked":
        text = gettext("{network} is not available in {country}: access is blocked.")
        blockers += [Reason(text.format(network=profile.name, country=country), 0.0), *note]
    elif presence.level == "absent":
        text = gettext("{network} is not available in {country}.")
        blockers += [Reason(text.format(network=profile.name, country=country), 0.0), *note]
    if not q.formats & set(profile.requires):
        blockers.append(Reason(_missing_formats(profile.requires), 0.0))
    if blockers:
        return Recommendation(profile.key, profile.name, 0, blockers, sources, excluded=True), 0.0

    s = kb.scoring
    w, fit = s.weights, s.fit_values
    level = gettext(_LEVEL_LABELS[presence.level])
    if presence.claim:
        market_text = gettext("{claim} (market presence: {level}).").format(claim=gettext(presence.claim), level=level)
    elif from_market_data:
        market_text = gettext("Market presence in {country}: {level}.").format(country=country, level=level)
    else:
        market_text = gettext("No market data for {country}; assumed presence: {level}.").format(
            country=country, level=level
        )
    reasons = [Reason(market_text, w["market"] * s.presence_values[presence.level]), *note]

    share = w["objectives"] / len(q.objectives)
    for objective in q.objectives:
        f = profile.objectives[objective]
        text = gettext(_OBJECTIVE_TEXTS[f]).format(objective=gettext(_OBJECTIVE_LABELS[objective]))
        reasons.append(Reason(text, share * fit[f]))
    f = profile.audience[q.audience]
    reasons.append(Reason(gettext(_AUDIENCE_TEXTS[f]).format(audience=q.audience.upper()), w["audience"] * fit[f]))
    if q.age_band is not None:
        f = profile.age_bands[q.age_band]
        band = q.age_band.replace("-", "–")
        reasons.append(Reason(gettext(_AGE_TEXTS[f]).format(band=band), w["age_band"] * fit[f]))
    f = profile.relations[q.audience][q.relation_mode]
    who = gettext("B2B decision makers") if q.audience == "b2b" else gettext("consumers")
    relation = gettext(_RELATION_LABELS[q.relation_mode])
    reasons.append(Reason(gettext(_RELATION_TEXTS[f]).format(relation=relation, who=who), w["relation"] * fit[f]))
    for chosen, fits, labels, weight in (
        (q.voice, profile.voice, _VOICE_LABELS, w["voice"]),
        (q.approach, profile.approach, _APPROACH_LABELS, w["approach"]),
    ):
        if chosen is not None:
            f = fits[chosen]
            text = gettext("Suits {what}.") if f >= 2 else gettext("Less suited to {what}.")
            reasons.append(Reason(text.format(what=gettext(labels[chosen])), weight * fit[f]))
    reasons.append(_format_reason(profile, q.formats, w["format"]))
    reasons.append(_capacity_reason(profile, q.weekly_hours, w["capacity_bonus"], w["capacity_penalty"]))

    raw = s.base + sum(r.weight for r in reasons)
    score = math.floor(min(100.0, max(0.0, raw)) + 0.5)
    rounded = [Reason(r.text, round(r.weight, 2)) for r in reasons]
    return Recommendation(profile.key, profile.name, score, rounded, sources), raw


def _missing_formats(requires: Sequence[str]) -> str:
    labels = [gettext(_FORMAT_LABELS[f]) for f in requires]
    if len(labels) == 1:
        return gettext("Needs {format}: you have no {format} format.").format(format=labels[0])
    needs = gettext("{formats} or {last}").format(formats=", ".join(labels[:-1]), last=labels[-1])
    return gettext("Needs {formats}: you have none of these formats.").format(formats=needs)


def _format_reason(profile: NetworkProfile, formats: frozenset[str], weight: float) -> Reason:
    main = gettext(_FORMAT_LABELS[profile.primary_format])
    if profile.primary_format in formats:
        return Reason(gettext("Its main format, {format}, is one you produce.").format(format=main), weight)
    usable = ", ".join(gettext(_FORMAT_LABELS[f]) for f in FORMATS if f in formats and f in profile.supports)
    text = gettext("Its main format is {format}, which you do not produce; you can still post {usable}.")
    return Reason(text.format(format=main, usable=usable), -weight)


def _capacity_reason(profile: NetworkProfile, hours: float, bonus: float, penalty: float) -> Reason:
    posts = round(profile.posts_per_week)
    text = ngettext(
        "About {need} h/week needed for its usual cadence ({posts} post a week); you have {have} h.",
        "About {need} h/week needed for its usual cadence ({posts} posts a week); you have {have} h.",
        posts,
    ).format(need=_hours(profile.weekly_hours), posts=posts, have=_hours(hours))
    if hours >= profile.weekly_hours:
        return Reason(text, bonus)
    return Reason(text, -penalty * (1 - hours / profile.weekly_hours))


def _hours(value: float) -> str:
    return f"{round(value, 1):g}"


def _country_name(code: str) -> str:
    return _country_names((get_language() or "en").replace("-", "_")).get(code, code)


@cache
def _country_names(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    return {str(code): str(name) for code, name in locale.territories.items()}
