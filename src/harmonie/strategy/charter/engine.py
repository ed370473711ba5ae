"""The editorial-charter lint engine: pure Python, no models, no database.

``lint`` checks a post text against charter rules and returns findings with spans of the original text
(Python ``str`` indices, end exclusive) that the UI highlights. ``validate_params`` normalizes a rule's
parameters before they are stored. The strategy services and selectors call both.

Modules: ``spec`` (the public types), ``params`` (validation), ``checks`` (one check per kind),
``text`` (folding with an index map, inflections, graphemes, hashtags, links, emoji), ``words`` (tu/vous,
du/Sie).
"""

from __future__ import annotations

from collections.abc import Sequence

from harmonie.core.errors import ValidationFailed
from harmonie.strategy.charter.checks import CHECKS
from harmonie.strategy.charter.params import validate_params
from harmonie.strategy.charter.spec import Finding, LintContext, RuleKind, RuleSpec, Severity
from harmonie.strategy.charter.text import Analyzed

__all__ = ["Finding", "LintContext", "RuleKind", "RuleSpec", "Severity", "lint", "validate_params"]


def lint(*, text: str, rules: Sequence[RuleSpec], context: LintContext) -> list[Finding]:
    """All findings of ``rules`` on ``text``, sorted by (start, end, rule_id).

    Raises ``ValueError`` for a rule that cannot be checked (unknown kind or severity, invalid params)
    and for a naive ``context.at``: a rule is never skipped silently.
    """
    if context.at is not None and context.at.utcoffset() is None:
        raise ValueError("LintContext.at must be an aware datetime (the planned publication time, with its zone).")
    analyzed = Analyzed(text)
    findings: list[Finding] = []
    for rule in rules:
        try:
            kind = RuleKind(rule.kind)
        except ValueError:
            known = ", ".join(k.value for k in RuleKind)
            raise ValueError(
                f"Charter rule {rule.id!r} has unknown kind {rule.kind!r}; known kinds: {known}."
            ) from None
        if rule.severity not in (Severity.BLOCK, Severity.WARN):
            raise ValueError(f"Charter rule {rule.id!r} has severity {rule.severity!r}; use 'block' or 'warn'.")
        try:
            params = validate_params(kind=kind, params=rule.params)
        except ValidationFailed as exc:
            raise ValueError(f"Charter rule {rule.id!r} ({kind}) has invalid params: {exc.message}") from exc
        findings.extend(CHECKS[kind](rule=rule, params=params, text=analyzed, context=context))
    findings.sort(key=lambda f: (f.start, f.end, isinstance(f.rule_id, str), f.rule_id))
    return findings
