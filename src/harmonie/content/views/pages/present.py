"""Presentation of the content pages, computed server side: the staggered launch timeline, the coverage
grid, the word diff, the live checks of a post (length as the network counts it, network problems, charter
findings highlighted) and the preview card of a post on its network.

Nothing here decides: the states, limits and findings come from the selectors and the network module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import urlsplit

import regex
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harmonie.approvals.consistency import VoiceReport, coverage_scores
from harmonie.approvals.onevoice import CONSISTENT_FROM, REVIEW_FROM, Grade
from harmonie.content import selectors
from harmonie.content.diff import DiffPart
from harmonie.content.models import CampaignLaunch, Localization, LocalizationState, MasterContent, MediaAsset
from harmonie.content.networks import MediaInfo, Problem, limits_for, measure, text_with_link, url_spans, validate_post
from harmonie.core.errors import NotPermitted
from harmonie.governance.models import Channel, Dimension, Market
from harmonie.governance.permissions import Actor
from harmonie.strategy import selectors as strategy_selectors
from harmonie.strategy.charter.spec import Finding
from harmonie.strategy.models import CharterRule

# --- launch timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchBar:
    market: Market
    day: dt.date
    offset: float  # percent of the timeline's width before the bar starts
    width: float  # percent


@dataclass(frozen=True)
class Timeline:
    bars: list[LaunchBar]
    start: dt.date | None
    end: dt.date | None
    today_offset: float | None  # where today falls, when it falls inside


def launch_timeline(launches: Iterable[CampaignLaunch], *, today: dt.date) -> Timeline:
    """One bar per market from its launch date to the end of the window (the last launch plus a week), so the
    staggered launches read as a staircase."""
    rows = sorted(launches, key=lambda x: (x.launch_date, x.market.path))
    if not rows:
        return Timeline([], None, None, None)
    start, end = rows[0].launch_date, rows[-1].launch_date + dt.timedelta(days=7)
    span = (end - start).days
    bars = []
    for launch in rows:
        offset = round(100 * (launch.launch_date - start).days / span, 1)
        bars.append(LaunchBar(launch.market, launch.launch_date, offset, round(100 - offset, 1)))
    today_offset = round(100 * (today - start).days / span, 1) if start <= today <= end else None
    return Timeline(bars, start, end, today_offset)


# --- coverage ----------------------------------------------------------------------------------

STATE_LABELS = {
    "adopted": gettext_lazy("adopted"),
    "adapted": gettext_lazy("adapted"),
    "declined": gettext_lazy("declined"),
    "pending": gettext_lazy("pending"),
    "outdated": gettext_lazy("outdated"),
    "missing": gettext_lazy("missing"),
}


def coverage_state(localization: Localization) -> str:
    """adopted / adapted / declined / pending, or outdated when adapted on an older version of the master."""
    return "outdated" if selectors.is_outdated(localization) else localization.state


def grade_of(score: int) -> Grade:
    """The grade the one-voice check gives a score (used for a master's average)."""
    if score >= CONSISTENT_FROM:
        return Grade.CONSISTENT
    return Grade.REVIEW if score >= REVIEW_FROM else Grade.OFF_MESSAGE


@dataclass(frozen=True)
class ScoreBand:
    grade: Grade
    low: int
    high: int


# The score legend of the coverage grid, best first.
SCORE_BANDS = (
    ScoreBand(Grade.CONSISTENT, CONSISTENT_FROM, 100),
    ScoreBand(Grade.REVIEW, REVIEW_FROM, CONSISTENT_FROM - 1),
    ScoreBand(Grade.OFF_MESSAGE, 0, REVIEW_FROM - 1),
)
TOP_REASONS = 3


@dataclass(frozen=True)
class CoverageItem:
    state: str
    localization: Localization | None = None
    voice: VoiceReport | None = None  # the one-voice report of an adopted or adapted localization

    @property
    def voice_hint(self) -> str:
        """What the score says on hover: the grade, then the first deductions."""
        if self.voice is None:
            return ""
        report = self.voice.report
        if not report.reasons:
            return _("%(grade)s: nothing deducted.") % {"grade": report.grade.label}
        reasons = "; ".join(report.reasons[:TOP_REASONS])
        more = len(report.reasons) - TOP_REASONS
        if more > 0:
            reasons += " " + _("(and %(count)s more)") % {"count": more}
        return _("%(grade)s: %(reasons)s") % {"grade": report.grade.label, "reasons": reasons}

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def hint(self) -> str:
        """What the badge says on hover: the decline reason, the versions of an outdated localization."""
        loc = self.localization
        if loc is None:
            return _("No localization requested yet.")
        if self.state == "declined":
            return loc.decline_reason
        if self.state == "outdated":
            return _("Made on version %(old)s; the master is at version %(new)s.") % {
                "old": loc.based_on_version,
                "new": loc.master.version,
            }
        return f"{loc.language} · v{loc.based_on_version}"


@dataclass(frozen=True)
class CoverageCell:
    market: Market
    applies: bool  # the market is under the master's market
    items: list[CoverageItem] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.items[0].state if len(self.items) == 1 else "several"


@dataclass(frozen=True)
class CoverageRow:
    master: MasterContent
    cells: list[CoverageCell]

    def count(self, state: str) -> int:
        return sum(1 for c in self.cells for i in c.items if i.state == state)

    @property
    def scores(self) -> list[int]:
        return [i.voice.score for c in self.cells for i in c.items if i.voice is not None]

    @property
    def average_score(self) -> int | None:
        """The mean one-voice score of the master's adopted and adapted localizations, rounded half up."""
        scores = self.scores
        if not scores:
            return None
        return (2 * sum(scores) + len(scores)) // (2 * len(scores))

    @property
    def average_grade(self) -> Grade | None:
        average = self.average_score
        return None if average is None else grade_of(average)


def coverage_voices(
    *, actor: Actor, masters: Iterable[MasterContent], markets: Sequence[Market]
) -> dict[int, VoiceReport]:
    """The one-voice reports of the grid's adopted and adapted localizations, keyed by localization id, in one
    pass: the masters come with their localizations and key messages prefetched, so the number of queries does not
    grow with the grid."""
    shown = {m.pk for m in markets}
    localizations = [
        loc for master in masters for loc in master.localizations.all() if loc.market_id in shown and is_usable(loc)
    ]
    return coverage_scores(actor=actor, localizations=localizations) if localizations else {}


def coverage_row(
    master: MasterContent, markets: Sequence[Market], voices: Mapping[int, VoiceReport] | None = None
) -> CoverageRow:
    """One cell per market: each of its localizations' state (and one-voice report, from ``voices``), or
    "missing"; markets outside the master's market do not apply. Reads the master's prefetched localizations
    (no query)."""
    voices = voices or {}
    by_market: dict[int, list[Localization]] = {}
    for loc in master.localizations.all():
        by_market.setdefault(loc.market_id, []).append(loc)
    cells = []
    for market in markets:
        if not market.path.startswith(master.market.path) or market.pk == master.market_id:
            cells.append(CoverageCell(market, applies=False))
            continue
        locs = sorted(by_market.get(market.pk, []), key=lambda x: x.language)
        items = [CoverageItem(coverage_state(loc), loc, voices.get(loc.pk)) for loc in locs]
        cells.append(CoverageCell(market, applies=True, items=items or [CoverageItem("missing")]))
    return CoverageRow(master, cells)


# --- diff --------------------------------------------------------------------------------------


def diff_html(parts: Iterable[DiffPart]) -> SafeString:
    """``<del>`` what the master dropped, ``<ins>`` what it added, escaped."""
    pieces = []
    for part in parts:
        if part.op == "delete":
            pieces.append(format_html("<del>{}</del>", part.text))
        elif part.op == "insert":
            pieces.append(format_html("<ins>{}</ins>", part.text))
        else:
            pieces.append(escape(part.text))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


# --- charter findings --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownFinding:
    number: int
    finding: Finding
    rule: CharterRule | None
    whole_text: bool


def highlight(text: str, findings: Sequence[ShownFinding]) -> SafeString:
    """The text, escaped, with each finding's span in a ``<mark>``. Spans are code-point offsets (Python indices);
    overlapping spans are cut where they meet so marks never nest, a piece covered by several findings carrying
    the most severe. Findings on the whole text are listed, not highlighted."""
    spans = [
        (f.finding.start, f.finding.end, f)
        for f in findings
        if not f.whole_text and 0 <= f.finding.start < f.finding.end <= len(text)
    ]
    bounds = sorted({0, len(text), *(s for s, _e, _f in spans), *(e for _s, e, _f in spans)})
    pieces: list[str] = []
    for start, end in pairwise(bounds):
        covering = [f for s, e, f in spans if s <= start and end <= e]
        if not covering:
            pieces.append(escape(text[start:end]))
            continue
        severity = "block" if any(f.finding.severity == "block" for f in covering) else "warn"
        pieces.append(
            format_html(
                '<mark data-testid="finding-span" data-severity="{}" data-findings="{}" title="{}">{}</mark>',
                severity,
                " ".join(str(f.number) for f in covering),
                "; ".join(f.rule.name if f.rule else str(f.finding.rule_id) for f in covering),
                text[start:end],
            )
        )
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


@dataclass(frozen=True)
class CharterCheck:
    highlighted: SafeString
    findings: list[ShownFinding]
    blocking: bool
    rule_count: int


def charter_check(
    *, actor: Actor, text: str, market: Market, channel: Channel, dimension: Dimension | None
) -> CharterCheck | None:
    """The charter findings of ``text`` for this market, channel and dimension (None when the member may
    not read the market's charter)."""
    try:
        result = strategy_selectors.charter_lint(
            actor=actor, text=text, market=market, channel=channel, dimension=dimension
        )
    except NotPermitted:
        return None
    shown = [
        ShownFinding(
            number=i,
            finding=f,
            rule=result.rules.get(f.rule_id) if isinstance(f.rule_id, int) else None,
            whole_text=(f.start, f.end) == (0, len(text)) and len(text) > 0,
        )
        for i, f in enumerate(result.findings, start=1)
    ]
    return CharterCheck(highlight(text, shown), shown, result.blocking, len(result.rules))


# --- network checks ----------------------------------------------------------------------------


def media_infos(media: Iterable[MediaAsset]) -> list[MediaInfo]:
    return [
        MediaInfo(
            kind=m.kind, mime_type=m.mime_type, size_bytes=m.size_bytes, width=m.width, height=m.height,
            duration_seconds=float(m.duration_seconds) if m.duration_seconds is not None else None,
            alt_text=m.alt_text,
        )
        for m in media
    ]  # fmt: skip


UNIT_NOTES = {
    "graphemes": gettext_lazy("characters"),
    "weighted": gettext_lazy("characters as X counts them (a link 23, an emoji or a CJK character 2)"),
    "chars": gettext_lazy("characters"),
    "utf16": gettext_lazy("characters (UTF-16 units: an emoji counts 2)"),
    "bytes": gettext_lazy("bytes (UTF-8)"),
    "emoji_bytes": gettext_lazy("characters (an emoji counts its UTF-8 bytes)"),
}


@dataclass(frozen=True)
class NetworkCheck:
    network: str
    label: str
    count: int
    limit: int
    unit: str
    link_added: bool
    problems: list[Problem]

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.limit)) if self.limit else 0


def network_check(
    *, channel: Channel, text: str, link: str, first_comment: str, media: Sequence[MediaAsset]
) -> NetworkCheck:
    limits = limits_for(channel.network)
    body = text_with_link(channel.network, text.strip(), link, has_media=bool(media))
    unit = str(UNIT_NOTES.get(limits.text_unit, _("characters")))
    if limits.url_length is not None and limits.text_unit == "graphemes":
        unit = _("characters as %(network)s counts them (a link %(url)s)") % {
            "network": limits.label,
            "url": limits.url_length,
        }
    problems = validate_post(
        network=channel.network, text=text.strip(), media=media_infos(media), link=link, first_comment=first_comment
    )
    return NetworkCheck(
        network=channel.network,
        label=limits.label,
        count=measure(channel.network, body),
        limit=limits.text_max,
        unit=unit,
        link_added=body != text.strip(),
        problems=problems,
    )


# --- preview -----------------------------------------------------------------------------------

_HASHTAG_RE = regex.compile(r"(?<![\w&#＃])[#＃][\w\p{M}]+")
_MENTION_RE = regex.compile(r"(?<![\w@/=.])@[\w](?:[\w.-]*\w)?(?:@\w+(?:[.-]\w+)+)?")
SHORT_URL_NETWORKS = frozenset({"x", "mastodon"})
SHORT_URL_LENGTH = 23


def short_url(url: str, length: int = SHORT_URL_LENGTH) -> str:
    """How X and Mastodon show a link: without the scheme, cut to ``length`` characters with an ellipsis
    (they count every link as 23 characters)."""
    shown = url.split("://", 1)[-1]
    return shown if len(shown) <= length else shown[: length - 1] + "…"


def _tags_html(text: str) -> str:
    """Hashtags and mentions of a piece of text without links, escaped, each in a span."""
    spans = sorted(
        [(m.start(), m.end(), "hashtag") for m in _HASHTAG_RE.finditer(text)]
        + [(m.start(), m.end(), "mention") for m in _MENTION_RE.finditer(text)]
    )
    pieces, at = [], 0
    for start, end, kind in spans:
        if start < at:
            continue
        pieces.append(escape(text[at:start]))
        pieces.append(format_html('<span class="pv-{}">{}</span>', kind, text[start:end]))
        at = end
    pieces.append(escape(text[at:]))
    return "".join(pieces)


def rich_text(text: str, *, shorten_urls: bool) -> SafeString:
    """The text as a network shows it: links, hashtags and mentions highlighted, everything escaped."""
    pieces, at = [], 0
    for start, end in url_spans(text):
        pieces.append(_tags_html(text[at:start]))
        url = text[start:end]
        shown = short_url(url) if shorten_urls else url
        pieces.append(format_html('<span class="pv-link" title="{}" data-testid="preview-link">{}</span>', url, shown))
        at = end
    pieces.append(_tags_html(text[at:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


@dataclass(frozen=True)
class PreviewMedia:
    asset: MediaAsset
    url: str | None  # the thumbnail, when the media library serves one


@dataclass(frozen=True)
class LinkCard:
    url: str
    domain: str


@dataclass(frozen=True)
class Preview:
    network: str
    network_label: str
    display_name: str
    handle: str
    initial: str
    text: SafeString
    link_card: LinkCard | None
    media: list[PreviewMedia]
    short_urls: bool
    first_comment: str


def _thumbnail_url(asset: MediaAsset) -> str | None:
    for name in ("content:media_thumbnail", "content:media_file"):
        try:
            return reverse(name, args=[asset.pk])
        except NoReverseMatch:
            continue
    return None


def preview_for(
    *, channel: Channel, text: str, link: str, media: Sequence[MediaAsset], first_comment: str = ""
) -> Preview:
    """How the post will look on its channel's network: the text with the link where the network puts it,
    a link card where the network makes one (and no media is attached), the images as thumbnails."""
    limits = limits_for(channel.network)
    link = link.strip()
    body = text_with_link(channel.network, text.strip(), link, has_media=bool(media))
    card = None
    if link and limits.link_mode == "card" and link not in body:
        card = LinkCard(url=link, domain=urlsplit(link).hostname or link)
    shorten = channel.network in SHORT_URL_NETWORKS
    name = channel.display_name or channel.handle
    return Preview(
        network=channel.network,
        network_label=limits.label,
        display_name=name,
        handle=channel.handle,
        initial=(name.strip().lstrip("@") or "?")[0].upper(),
        text=rich_text(body, shorten_urls=shorten),
        link_card=card,
        media=[PreviewMedia(asset, _thumbnail_url(asset)) for asset in media],
        short_urls=shorten,
        first_comment=first_comment.strip() if limits.first_comment else "",
    )


def is_usable(localization: Localization) -> bool:
    return localization.state in (LocalizationState.ADOPTED, LocalizationState.ADAPTED)
