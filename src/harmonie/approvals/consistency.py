"""One-voice reports from the database: what a localization or a post says compared with its master.

The engine (:mod:`harmonie.approvals.onevoice`) is pure; this module gathers its inputs — the master's text and
language, the key messages it carries worded for the variant's market and language, the brand names, the charter
findings — and caches what many reports share (rules per market, wordings) for the coverage view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.onevoice import CharterFindingRef, KeyMessageRef, OneVoiceReport, covers, one_voice_report
from harmonie.content.models import Localization, LocalizationState, MasterContent, Post
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.charter import LintContext, RuleSpec, lint
from harmonie.strategy.models import BrandPlatform, CharterRule, KeyMessageAdaptation


def _primary(language: str) -> str:
    return (language or "").split("-")[0].lower()


@dataclass
class VoiceReport:
    """The engine's report plus what could not be checked (no wording in the variant's language)."""

    report: OneVoiceReport
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.report.score

    @property
    def grade(self) -> str:
        return str(self.report.grade)


class VoiceChecker:
    """Builds one-voice reports for one organization, loading shared data once."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        platform = BrandPlatform.objects.filter(organization_id=actor.organization_id).first()
        self.names: list[str] = list(platform.names) if platform else []
        root = Market.objects.filter(organization_id=actor.organization_id, parent__isnull=True).first()
        # Key messages are written in the organization's main language (Global's first language).
        self.base_language = _primary(root.languages[0]) if root and root.languages else "en"
        self._adaptations: dict[tuple[int, int], str] = {
            (a.key_message_id, a.market_id): a.text
            for a in KeyMessageAdaptation.objects.filter(key_message__organization_id=actor.organization_id)
        }
        self._rules: dict[tuple[int, str | None, int], list[RuleSpec]] = {}
        self._active_rules: list[CharterRule] | None = None

    def _wording(self, message_id: int, text: str, market: Market, language: str) -> str | None:
        for market_id in market.ancestor_ids():
            adapted = self._adaptations.get((message_id, market_id))
            if adapted:
                return adapted
        return text if _primary(language) == self.base_language else None

    def _applicable_rules(self, market: Market, network: str | None, dimension_id: int | None) -> list[CharterRule]:
        """:func:`harmonie.strategy.selectors.applicable_rules` read from the organization's active rules, loaded
        once: a coverage grid of any size costs one query for its rules."""
        if self._active_rules is None:
            self._active_rules = list(
                CharterRule.objects.filter(organization_id=self.actor.organization_id, is_active=True).order_by(
                    "market__path", "id"
                )
            )
        above = set(market.ancestor_ids())
        return [
            r for r in self._active_rules
            if r.market_id in above
            and (r.dimension_id is None or (dimension_id is not None and r.dimension_id == dimension_id))
            and r.network in ("", network or "")
        ]  # fmt: skip

    def _specs(self, market: Market, network: str | None, master: MasterContent) -> list[RuleSpec]:
        key = (market.pk, network, master.dimension_id)
        if key not in self._rules:
            rules = self._applicable_rules(market, network, master.dimension_id)
            self._rules[key] = [
                RuleSpec(id=r.pk, kind=r.kind, severity=r.severity, params=r.params, name=r.name,
                         rationale=r.rationale)
                for r in rules
            ]  # fmt: skip
        return self._rules[key]

    def check(
        self, *, master: MasterContent, text: str, language: str, market: Market, channel: Channel | None = None
    ) -> VoiceReport:
        notes: list[str] = []
        refs: list[KeyMessageRef] = []
        for message in master.key_messages.all():
            in_master = self._wording(message.pk, message.text, master.market, master.source_language)
            if in_master is not None and not covers(master.body, in_master):
                notes.append(
                    _("The master itself does not say the key message “%(message)s”: it is not asked of the "
                      "local version.") % {"message": message.text}
                )  # fmt: skip
                continue
            wording = self._wording(message.pk, message.text, market, language)
            if wording is None:
                notes.append(
                    _("Key message “%(message)s” has no wording for %(market)s in %(language)s: add one in the "
                      "brand platform so it can be checked.")
                    % {"message": message.text, "market": market.name, "language": language}
                )  # fmt: skip
                continue
            refs.append(KeyMessageRef(id=message.pk, label=message.text, wording=wording))
        specs = self._specs(market, channel.network if channel else None, master)
        context = LintContext(
            language=language, network=channel.network if channel else None, dimension=master.dimension.key,
            at=timezone.now(),
        )  # fmt: skip
        by_id = {str(s.id): s for s in specs}
        findings = [
            CharterFindingRef(
                severity="block" if f.severity == "block" else "warn",
                message=f"{by_id[str(f.rule_id)].name}: {f.message}" if str(f.rule_id) in by_id else f.message,
            )
            for f in lint(text=text, rules=specs, context=context)
        ]
        report = one_voice_report(
            master_text=master.body, master_language=master.source_language, variant_text=text,
            variant_language=language, key_messages=refs, brand_names=self.names, charter_findings=findings,
        )  # fmt: skip
        return VoiceReport(report=report, notes=notes)

    def localization(self, localization: Localization) -> VoiceReport | None:
        """The report of an adopted or adapted localization (None for pending or declined ones)."""
        if localization.state not in (LocalizationState.ADOPTED, LocalizationState.ADAPTED):
            return None
        text = localization.body if localization.state == LocalizationState.ADAPTED else localization.master.body
        return self.check(
            master=localization.master, text=text or localization.master.body, language=localization.language,
            market=localization.market,
        )  # fmt: skip

    def post(self, post: Post) -> VoiceReport | None:
        """The report of a post derived from a master through a localization (None for local content)."""
        if post.localization_id is None or post.localization is None:
            return None
        return self.check(
            master=post.master, text=post.text, language=post.localization.language, market=post.market,
            channel=post.channel,
        )  # fmt: skip


def localization_report(*, actor: Actor, localization: Localization) -> VoiceReport | None:
    actor.require(Perm.CONTENT_VIEW, localization.market)
    return VoiceChecker(actor).localization(localization)


def post_report(*, actor: Actor, post: Post) -> VoiceReport | None:
    actor.require(Perm.CONTENT_VIEW, post.market)
    return VoiceChecker(actor).post(post)


def coverage_scores(*, actor: Actor, localizations: Iterable[Localization]) -> dict[int, VoiceReport]:
    """Reports for many localizations at once (the coverage grid), keyed by localization id."""
    checker = VoiceChecker(actor)
    out: dict[int, VoiceReport] = {}
    for localization in localizations:
        report = checker.localization(localization)
        if report is not None:
            out[localization.pk] = report
    return out
