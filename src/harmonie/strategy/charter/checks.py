"""One check per rule kind. Each takes validated params and returns the findings of one rule."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.strategy.charter.spec import Finding, LintContext, RuleKind, RuleSpec
from harmonie.strategy.charter.text import (
    Analyzed,
    Mode,
    hashtag_key,
    hashtags,
    is_emoji,
    links,
    term_spans,
)
from harmonie.strategy.charter.words import address_form_spans

Check = Callable[..., list[Finding]]


def _finding(rule: RuleSpec, text: Analyzed, span: tuple[int, int], message: str) -> Finding:
    start, end = span
    return Finding(
        rule_id=rule.id, kind=rule.kind, severity=rule.severity, message=message, start=start, end=end,
        rationale=rule.rationale, excerpt=text.original[start:end],
    )  # fmt: skip


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"“{v}”" for v in values)


def _whole(text: Analyzed) -> tuple[int, int]:
    return 0, len(text.original)


def _occurrences(text: Analyzed, terms: Iterable[str], mode: Mode) -> list[tuple[int, int, str]]:
    """Folded spans of every term, longest first where they overlap (one finding per place)."""
    found = [(s, e, term) for term in terms for s, e in term_spans(text, term, mode=mode)]
    found.sort(key=lambda f: (f[0], -f[1]))
    kept: list[tuple[int, int, str]] = []
    for start, end, term in found:
        if kept and start < kept[-1][1]:  # overlaps a longer or earlier match
            continue
        kept.append((start, end, term))
    return kept


def check_banned_term(*, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext) -> list[Finding]:
    exceptions = [(s, e) for term in params["exceptions"] for s, e in term_spans(text, term, mode=Mode.INFLECT)]
    findings = []
    for start, end, term in _occurrences(text, params["terms"], Mode.INFLECT):
        if any(es <= start and end <= ee for es, ee in exceptions):
            continue
        span = text.span(start, end)
        message = _("“%(found)s” matches the banned term “%(term)s”. Remove it or rephrase.") % {
            "found": text.original[span[0] : span[1]],
            "term": term,
        }
        findings.append(_finding(rule, text, span, message))
    return findings


def check_competitor(*, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext) -> list[Finding]:
    findings = []
    for start, end, name in _occurrences(text, params["names"], Mode.PLURAL):
        message = _("This names the competitor %(name)s. Remove the name, or have the comparison reviewed.") % {
            "name": name
        }
        findings.append(_finding(rule, text, text.span(start, end), message))
    return findings


def check_required_mention(
    *, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext
) -> list[Finding]:
    if any(term_spans(text, mention, mode=Mode.EXACT) for mention in params["mentions"]):
        return []
    accepted = _quoted(params["mentions"])
    if not params["when_any"]:
        message = _("The text carries none of the required mentions. Add one of: %(mentions)s.") % {
            "mentions": accepted
        }
        return [_finding(rule, text, _whole(text), message)]
    triggers = _occurrences(text, params["when_any"], Mode.INFLECT)
    if not triggers:
        return []
    start, end, trigger = triggers[0]
    message = _("The text mentions “%(trigger)s”, so it must carry one of: %(mentions)s. Add one.") % {
        "trigger": trigger,
        "mentions": accepted,
    }
    return [_finding(rule, text, text.span(start, end), message)]


def check_hashtags(*, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext) -> list[Finding]:
    tags = hashtags(text.original)
    findings = []
    limit = params["max"]
    if limit is not None and len(tags) > limit:
        for tag in tags[limit:]:
            message = _("%(tag)s is one hashtag too many: the charter allows %(max)d and the text has %(count)d. "
                        "Remove the extra ones.") % {"tag": tag.text, "max": limit, "count": len(tags)}  # fmt: skip
            findings.append(_finding(rule, text, (tag.start, tag.end), message))
    forbidden = {hashtag_key(t): t for t in params["forbidden"]}
    for tag in tags:
        if tag.key in forbidden:
            message = _("%(tag)s is a forbidden hashtag (%(rule)s). Remove it.") % {
                "tag": tag.text,
                "rule": forbidden[tag.key],
            }
            findings.append(_finding(rule, text, (tag.start, tag.end), message))
    present = {tag.key for tag in tags}
    missing = [t for t in params["required"] if hashtag_key(t) not in present]
    if missing:
        message = _("Add the required hashtag(s) %(tags)s.") % {"tags": ", ".join(missing)}
        findings.append(_finding(rule, text, _whole(text), message))
    return findings


def check_length(*, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext) -> list[Finding]:
    network = params["network"]
    if network is not None and (context.network or "").lower() != network:
        return []
    limit, graphemes = params["max"], text.graphemes
    if len(graphemes) <= limit:
        return []
    values = {"count": len(graphemes), "max": limit, "over": len(graphemes) - limit, "network": network}
    if network:
        message = _("The text is %(count)d characters long; %(network)s allows %(max)d. Cut %(over)d.") % values
    else:
        message = _("The text is %(count)d characters long; the charter allows %(max)d. Cut %(over)d.") % values
    return [_finding(rule, text, (graphemes[limit][0], len(text.original)), message)]


def check_utm(*, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext) -> list[Finding]:
    domains: list[str] = params["domains"]
    findings = []
    for link in links(text.original):
        host = link.host
        if domains and not any(host == d or host.endswith("." + d) for d in domains):
            continue
        present = {name.lower() for name, value in parse_qsl(link.query, keep_blank_values=True) if value.strip()}
        missing = [name for name in params["required"] if name not in present]
        if missing:
            message = _("This link has no %(missing)s. Add them so visits from this post are measured.") % {
                "missing": ", ".join(missing)
            }
            findings.append(_finding(rule, text, (link.start, link.end), message))
    return findings


def _address_message(*, language: str, form: str, word: str) -> str:
    if language == "fr" and form == "formal":
        message = _("“%(word)s” tutoie the reader; this charter says “vous”. Rewrite with vous, votre or vos.")
    elif language == "fr":
        message = _("“%(word)s” vouvoie the reader; this charter says “tu”. Rewrite with tu, te, ton, ta or tes.")
    elif form == "formal":
        message = _("“%(word)s” addresses the reader as “du”; this charter says “Sie”. Rewrite with Sie, Ihnen or Ihr.")
    else:
        message = _("“%(word)s” addresses the reader as “Sie”; this charter says “du”. Rewrite with du, dich or dein.")
    return message % {"word": word}


def check_address_form(
    *, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext
) -> list[Finding]:
    primary = (context.language or "").replace("_", "-").split("-", 1)[0].lower()
    language, form = params["language"], params["form"]
    if primary != language:
        return []
    return [
        _finding(rule, text, text.snap(start, end),
                 _address_message(language=language, form=form, word=text.original[start:end]))
        for start, end in address_form_spans(text.original, language=language, form=form)
    ]  # fmt: skip


def check_emoji(*, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext) -> list[Finding]:
    emoji = [(s, e) for s, e in text.graphemes if is_emoji(text.original[s:e])]
    limit = params["max"]
    findings = []
    for span in emoji[limit:]:
        message = _("One emoji too many: the charter allows %(max)d and the text has %(count)d. Remove the extra ones.")
        findings.append(_finding(rule, text, span, message % {"max": limit, "count": len(emoji)}))
    return findings


def check_quiet_period(
    *, rule: RuleSpec, params: dict[str, Any], text: Analyzed, context: LintContext
) -> list[Finding]:
    if params["dimensions"] and context.dimension not in params["dimensions"]:
        return []
    if params["networks"] and (context.network or "").lower() not in params["networks"]:
        return []
    at = context.at or timezone.now()
    start = datetime.datetime.fromisoformat(params["start"])
    end = datetime.datetime.fromisoformat(params["end"])
    if not start <= at < end:
        return []
    values = {
        "start": start.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "end": end.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "reason": params["reason"],
    }
    if params["reason"]:
        if not params["reason"].endswith((".", "!", "?", "…")):
            values["reason"] += "."
        message = _("Publishing is paused from %(start)s to %(end)s UTC. Reason: %(reason)s Schedule it after the end.")
    else:
        message = _("Publishing is paused from %(start)s to %(end)s UTC. Schedule it after the end.")
    return [_finding(rule, text, _whole(text), message % values)]


CHECKS: dict[RuleKind, Check] = {
    RuleKind.BANNED_TERM: check_banned_term,
    RuleKind.COMPETITOR: check_competitor,
    RuleKind.REQUIRED_MENTION: check_required_mention,
    RuleKind.HASHTAGS: check_hashtags,
    RuleKind.LENGTH: check_length,
    RuleKind.UTM: check_utm,
    RuleKind.ADDRESS_FORM: check_address_form,
    RuleKind.EMOJI: check_emoji,
    RuleKind.QUIET_PERIOD: check_quiet_period,
}
