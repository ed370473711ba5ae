"""Input and output schemas of the strategy API. Dates are ISO 8601; datetimes are aware (UTC out, any offset in).

Decimals (KPI values, shares, hours) are strings in responses, like the governance API's amounts.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from harmonie.governance.models import Network
from harmonie.strategy.charter.engine import RuleKind, Severity
from harmonie.strategy.models import (
    AgeBand,
    Approach,
    AudienceKind,
    ObjectiveStatus,
    ObjectiveType,
    PostFormat,
    RelationMode,
    Voice,
)

# --- datetimes with an offset ----------------------------------------------------------------

# In a query string an unencoded "+" arrives as a space: "2026-12-03T10:00:00 09:00". Read it as the "+" it was.
_SPACED_OFFSET = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def _restore_plus(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACED_OFFSET.sub(r"\1+\2", value.strip())
    return value


def _require_offset(value: dt.datetime) -> dt.datetime:
    if value.utcoffset() is None:
        raise PydanticCustomError(
            "naive_datetime",
            "add the time zone offset, e.g. 2026-12-03T10:00:00+09:00 or 2026-12-03T01:00:00Z "
            "(a time without an offset is ambiguous)",
        )
    return value


OffsetDatetime = Annotated[dt.datetime, BeforeValidator(_restore_plus), AfterValidator(_require_offset)]


# --- policy and the objectives-first check ---------------------------------------------------


class PolicyOut(Schema):
    objectives_first: bool = Field(
        description="Refuse to schedule posts on a channel that no active objective with a KPI covers."
    )


class PolicyIn(Schema):
    objectives_first: bool


class ObjectivesFirstQuery(Schema):
    channel_id: int
    at: OffsetDatetime = Field(
        description="The planned publication time, ISO 8601 with its offset (URL-encode '+' as %2B).",
        examples=["2026-12-03T10:00:00+09:00"],
    )


class ObjectiveRefOut(Schema):
    id: int
    name: str
    market_id: int
    market_code: str

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)


class ObjectivesFirstOut(Schema):
    allowed: bool = Field(description="Whether a post may be scheduled on this channel at this time.")
    objectives: list[ObjectiveRefOut] = Field(
        description="The active objectives with a KPI that cover the channel that day (empty when refused)."
    )
    message: str | None = Field(description="Why it is refused and what to do; null when allowed.")


# --- objectives and KPIs ---------------------------------------------------------------------


class MetricOut(Schema):
    key: str = Field(examples=["reach"])
    name: str
    unit: str = Field(description="people, count, percent, minutes, currency, score…")
    direction: Literal["up", "down"] = Field(description="Whether higher (up) or lower (down) is better.")
    description: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return gettext(obj.name)

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return gettext(obj.description)


class KPIOut(Schema):
    id: int
    objective_id: int
    metric: str = Field(description="A key of the metric dictionary (GET /strategy/metrics).")
    baseline: Decimal | None
    target: Decimal
    period_start: dt.date
    period_end: dt.date
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


# What a KPI value column holds (16 digits, 4 after the point).
KPIValue = Annotated[Decimal, Field(gt=-(10**12), lt=10**12)]


class KPIIn(Schema):
    metric: str = Field(examples=["reach"])
    target: KPIValue
    baseline: KPIValue | None = None
    period_start: dt.date | None = Field(None, description="Empty: the objective's period.")
    period_end: dt.date | None = Field(None, description="Empty: the objective's period.")
    note: str = ""


class KPIUpdateIn(Schema):
    """Only the fields sent are changed; send ``baseline: null`` to remove the baseline."""

    metric: str | None = None
    target: KPIValue | None = None
    baseline: KPIValue | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    note: str | None = None


class ObjectiveOut(Schema):
    id: int
    market_id: int
    market_code: str
    name: str
    type: ObjectiveType
    description: str
    period_start: dt.date
    period_end: dt.date
    audience_id: int | None
    channel_ids: list[int] = Field(description="The channels it measures; empty: every channel of its market.")
    relation_mode: RelationMode | None
    approach: Approach | None
    voice: Voice | None
    status: ObjectiveStatus
    kpis: list[KPIOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_channel_ids(obj: Any) -> list[int]:
        return sorted(c.pk for c in obj.channels.all())

    @staticmethod
    def resolve_relation_mode(obj: Any) -> str | None:
        return obj.relation_mode or None

    @staticmethod
    def resolve_approach(obj: Any) -> str | None:
        return obj.approach or None

    @staticmethod
    def resolve_voice(obj: Any) -> str | None:
        return obj.voice or None

    @staticmethod
    def resolve_kpis(obj: Any) -> list[Any]:
        return list(obj.kpis.all())


class ObjectiveIn(Schema):
    market_id: int = Field(description="Global or a market; needs strategy.manage there.")
    name: str
    type: ObjectiveType
    period_start: dt.date
    period_end: dt.date
    description: str = ""
    audience_id: int | None = None
    channel_ids: list[int] = Field(default_factory=list, description="Channels of the market; empty: all of them.")
    relation_mode: RelationMode | None = None
    approach: Approach | None = None
    voice: Voice | None = None
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE


class ObjectiveUpdateIn(Schema):
    """Only the fields sent are changed; send ``audience_id: null`` (or ``relation_mode: null``…) to clear it.
    The market of an objective does not change."""

    name: str | None = None
    type: ObjectiveType | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    description: str | None = None
    audience_id: int | None = None
    channel_ids: list[int] | None = None
    relation_mode: RelationMode | None = None
    approach: Approach | None = None
    voice: Voice | None = None
    status: ObjectiveStatus | None = None


class ObjectiveQuery(Schema):
    market_id: int | None = Field(None, description="Objectives of this very market.")
    status: ObjectiveStatus | None = None


# --- audiences -------------------------------------------------------------------------------


class AudienceOut(Schema):
    id: int
    name: str
    kind: AudienceKind
    age_band: AgeBand | None
    market_ids: list[int] = Field(description="Empty: every market.")
    market_codes: list[str]
    description: str
    relation_mode: RelationMode
    approach: Approach
    voice: Voice
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_age_band(obj: Any) -> str | None:
        return obj.age_band or None

    @staticmethod
    def resolve_market_ids(obj: Any) -> list[int]:
        return [m.pk for m in sorted(obj.markets.all(), key=lambda m: m.path)]

    @staticmethod
    def resolve_market_codes(obj: Any) -> list[str]:
        return [m.code for m in sorted(obj.markets.all(), key=lambda m: m.path)]


class AudienceIn(Schema):
    name: str
    kind: AudienceKind
    relation_mode: RelationMode
    approach: Approach
    voice: Voice = Voice.BRAND
    age_band: AgeBand | None = None
    market_ids: list[int] = Field(default_factory=list, description="Empty: every market (needs Global rights).")
    description: str = ""


class AudienceUpdateIn(Schema):
    """Only the fields sent are changed; send ``age_band: null`` to clear it."""

    name: str | None = None
    kind: AudienceKind | None = None
    relation_mode: RelationMode | None = None
    approach: Approach | None = None
    voice: Voice | None = None
    age_band: AgeBand | None = None
    market_ids: list[int] | None = None
    description: str | None = None


# --- brand platform, key messages, pillars ---------------------------------------------------


class BrandOut(Schema):
    dna: str
    story: str
    value_proposition: str
    tone_of_voice: str


class BrandIn(Schema):
    dna: str
    story: str
    value_proposition: str
    tone_of_voice: str


class AdaptationOut(Schema):
    market_id: int
    market_code: str
    text: str

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)


class KeyMessageOut(Schema):
    id: int
    text: str
    position: int
    is_active: bool
    adaptations: list[AdaptationOut] = Field(description="Local wordings of the markets in your scope.")

    @staticmethod
    def resolve_adaptations(obj: Any) -> list[Any]:
        return list(obj.adaptations.all())


class KeyMessageIn(Schema):
    text: str


class KeyMessageUpdateIn(Schema):
    text: str | None = None
    is_active: bool | None = None


class AdaptationIn(Schema):
    text: str = Field(description="The market's wording; empty removes it.")


class PillarOut(Schema):
    name: str
    description: str
    target_share: Decimal = Field(description="Percent of the publications; the mix adds up to 100.")


class PillarIn(Schema):
    name: str
    target_share: Decimal
    description: str = ""


class PillarsOut(Schema):
    pillars: list[PillarOut]


class PillarsIn(Schema):
    pillars: list[PillarIn] = Field(description="The whole mix, in order; replaces the current one.")


# --- charter rules and lint ------------------------------------------------------------------


class CharterRuleOut(Schema):
    id: int
    market_id: int
    market_code: str
    dimension_id: int | None
    dimension_key: str | None
    network: Network | None = Field(description="Null: every network.")
    name: str
    kind: RuleKind
    severity: Severity
    params: dict[str, Any]
    rationale: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: Any) -> str:
        return str(obj.market.code)

    @staticmethod
    def resolve_dimension_key(obj: Any) -> str | None:
        return obj.dimension.key if obj.dimension is not None else None

    @staticmethod
    def resolve_network(obj: Any) -> str | None:
        return obj.network or None


class CharterRuleIn(Schema):
    market_id: int
    name: str
    kind: RuleKind
    severity: Severity
    params: dict[str, Any] = Field(default_factory=dict, description="Depends on the kind; see docs/api.md.")
    rationale: str = Field(description="Why the rule exists: shown with every finding.")
    dimension_id: int | None = Field(None, description="Only content of this dimension; null: all.")
    network: Network | None = Field(None, description="Only channels of this network; null: all.")


class CharterRuleUpdateIn(Schema):
    """Only the fields sent are changed; ``dimension_id: null`` or ``network: null`` widens the rule to all.
    The market and kind of a rule do not change."""

    name: str | None = None
    severity: Severity | None = None
    params: dict[str, Any] | None = None
    rationale: str | None = None
    dimension_id: int | None = None
    network: Network | None = None
    is_active: bool | None = None


class CharterRuleQuery(Schema):
    market_id: int | None = Field(None, description="Rules of this very market.")


class LintIn(Schema):
    text: str = Field(max_length=100_000, description="The post text, as it will be published.")
    market_id: int = Field(description="Rules of this market and the markets above it apply.")
    channel_id: int | None = Field(None, description="Adds the rules of its network.")
    dimension_id: int | None = Field(None, description="Adds the rules of this dimension (quiet periods…).")
    at: OffsetDatetime | None = Field(None, description="Planned publication time, with its offset; default: now.")
    language: str | None = Field(None, description="BCP 47 tag of the text; default: the market's main language.")


class FindingOut(Schema):
    rule_id: int
    rule_name: str
    kind: RuleKind
    severity: Severity
    message: str
    rationale: str
    start: int = Field(description="Unicode code point offset in text (a Python str index), inclusive.")
    end: int = Field(description="Unicode code point offset, exclusive.")
    start_utf16: int = Field(description="The same start in UTF-16 code units (a JavaScript string index).")
    end_utf16: int = Field(description="The same end in UTF-16 code units, exclusive.")
    excerpt: str = Field(description="text[start:end].")


class LintOut(Schema):
    blocking: bool = Field(description="True when a finding has severity block: the text may not be published.")
    findings: list[FindingOut] = Field(description="Sorted by position.")


# --- advisor ---------------------------------------------------------------------------------


class AdvisorIn(Schema):
    objectives: list[ObjectiveType] = Field(min_length=1)
    audience: AudienceKind
    age_band: AgeBand | None = None
    market: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country code.", examples=["DE"])
    relation_mode: RelationMode
    formats: list[PostFormat] = Field(description="The formats the team produces.")
    weekly_hours: float = Field(ge=0, le=168, description="Hours a week the team could give one network.")
    voice: Literal["brand", "person", "executive", "expert", "community_manager"] | None = None
    approach: Approach | None = None


class ReasonOut(Schema):
    text: str
    weight: float = Field(description="Signed contribution to the score.")


class RecommendationOut(Schema):
    network: str
    name: str
    score: int = Field(description="0 to 100.")
    reasons: list[ReasonOut]
    sources: list[str]
    excluded: bool = Field(description="Not available in the market, or none of its required formats.")


class AdvisorOut(Schema):
    recommendations: list[RecommendationOut] = Field(description="Best first; excluded networks last.")


# --- cadence and resources -------------------------------------------------------------------


class ChannelLoadOut(Schema):
    channel_id: int
    network: Network
    handle: str
    display_name: str
    posts_per_week: Decimal
    main_format: PostFormat
    minutes_per_post: int
    hours_per_week: Decimal
    has_target: bool = Field(description="False: no cadence set yet (0 posts a week assumed).")


class MarketLoadOut(Schema):
    market_id: int
    market_code: str
    market_name: str
    required_hours: Decimal = Field(description="Hours a week the cadence needs.")
    available_hours: Decimal = Field(description="Weekly hours of the members creating content in this market.")
    members: int
    overloaded: bool
    load_percent: int
    channels: list[ChannelLoadOut]


class CadenceIn(Schema):
    posts_per_week: Decimal
    main_format: PostFormat
    basis: str = Field("", description="The benchmark or reason behind the figure.")


class CadenceOut(Schema):
    channel_id: int
    posts_per_week: Decimal
    main_format: PostFormat
    basis: str
    updated_at: dt.datetime


class BenchmarkOut(Schema):
    network: str
    posts_per_week: Decimal
    label: str
    source: str


class BenchmarkQuery(Schema):
    network: str | None = Field(None, examples=["facebook"])


class FormatEffortIn(Schema):
    minutes_per_post: int = Field(description="1 to 2400.")


class FormatEffortOut(Schema):
    format: PostFormat
    minutes_per_post: int


# --- the strategy document -------------------------------------------------------------------


class DocumentFormat(StrEnum):
    MARKDOWN = "md"
    HTML = "html"
    PDF = "pdf"


class DocumentQuery(Schema):
    market_id: int | None = Field(None, description="One market (and Global); empty: everything in your scope.")
    format: DocumentFormat = DocumentFormat.MARKDOWN
