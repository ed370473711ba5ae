"""The charter engine's vocabulary: rule kinds, severities, what a rule gives and what a check returns."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class RuleKind(StrEnum):
    BANNED_TERM = "banned_term"
    COMPETITOR = "competitor"
    REQUIRED_MENTION = "required_mention"
    HASHTAGS = "hashtags"
    LENGTH = "length"
    UTM = "utm"
    ADDRESS_FORM = "address_form"
    EMOJI = "emoji"
    QUIET_PERIOD = "quiet_period"


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True)
class RuleSpec:
    """What the engine needs of a stored charter rule."""

    id: int | str
    kind: str
    severity: str
    params: Mapping[str, Any]
    name: str = ""
    rationale: str = ""


@dataclass(frozen=True)
class LintContext:
    """Where and when the text will be published."""

    language: str | None = None  # BCP 47 of the text ("fr-FR"); address-form rules use its primary subtag
    network: str | None = None  # network of the target channel ("bluesky", "x", "linkedin", ...)
    dimension: str | None = None  # dimension key ("financial")
    at: datetime.datetime | None = None  # planned publication time, aware; quiet periods use it (else now)


@dataclass(frozen=True)
class Finding:
    """One breach of one rule. ``start``/``end`` index the original text (code points, end exclusive)."""

    rule_id: int | str
    kind: str
    severity: str
    message: str
    start: int
    end: int
    rationale: str = ""
    excerpt: str = ""
