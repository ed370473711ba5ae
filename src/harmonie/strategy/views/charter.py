"""The editorial charter: its rules grouped by scope, their edition, and the lint box that checks a text
as it is typed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.core.errors import DomainError
from harmonie.governance.models import Network
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors, services
from harmonie.strategy.charter.engine import Finding, Severity
from harmonie.strategy.forms import KIND_LABELS, CharterRuleForm, LintForm, params_example
from harmonie.strategy.models import CharterRule
from harmonie.strategy.selectors import LintResult
from harmonie.strategy.views import common


@dataclass(frozen=True)
class RuleRow:
    rule: CharterRule
    kind_label: str
    params: str  # compact JSON, as stored


@dataclass
class RuleGroup:
    label: str
    rows: list[RuleRow] = field(default_factory=list)


def _scope_label(rule: CharterRule) -> str:
    parts = [rule.market.name]
    if rule.dimension is not None:
        parts.append(rule.dimension.name)
    if rule.network:
        parts.append(str(Network(rule.network).label) if rule.network in Network.values else rule.network)
    return " · ".join(parts)


def _groups(rules: list[CharterRule]) -> list[RuleGroup]:
    """Rules by scope: market (Global first, then down the tree), then dimension, then network."""
    ordered = sorted(
        rules,
        key=lambda r: (r.market.path, r.dimension.name if r.dimension else "", r.network, r.kind, r.name.casefold()),
    )
    groups: dict[str, RuleGroup] = {}
    for rule in ordered:
        label = _scope_label(rule)
        row = RuleRow(rule, str(KIND_LABELS.get(rule.kind, rule.kind)), json.dumps(rule.params, ensure_ascii=False))
        groups.setdefault(label, RuleGroup(label)).rows.append(row)
    return list(groups.values())


# --- highlighting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownFinding:
    number: int
    finding: Finding
    rule: CharterRule | None
    whole_text: bool


def highlight(text: str, findings: list[ShownFinding]) -> SafeString:
    """The text, escaped, with each finding's span in a ``<mark>``. Spans are code-point offsets (Python
    indices). Overlapping spans are cut where they meet, so marks never nest; a piece covered by several
    findings carries the most severe one. Findings on the whole text are listed, not highlighted."""
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
        severity = Severity.BLOCK if any(f.finding.severity == Severity.BLOCK for f in covering) else Severity.WARN
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


def _lint_context(text: str, result: LintResult | None) -> dict[str, Any]:
    if result is None:
        return {"lint": None}
    shown = [
        ShownFinding(
            number=i,
            finding=f,
            rule=result.rules.get(f.rule_id) if isinstance(f.rule_id, int) else None,
            whole_text=(f.start, f.end) == (0, len(text)) and len(text) > 0,
        )
        for i, f in enumerate(result.findings, start=1)
    ]
    return {
        "lint": {
            "highlighted": highlight(text, shown),
            "findings": shown,
            "blocking": result.blocking,
            "rule_count": len(result.rules),
            "empty": not text.strip(),
        }
    }


def _run_lint(actor: Actor, form: LintForm) -> LintResult:
    data = form.cleaned_data
    return selectors.charter_lint(
        actor=actor, text=data["text"], market=data["market"], channel=data["channel"], dimension=data["dimension"]
    )


# --- pages -----------------------------------------------------------------------------------------


def _charter_page(
    request: HttpRequest, actor: Actor, *, lint_form: LintForm | None = None, lint: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    rules = list(selectors.charter_rule_list(actor=actor))
    editable = {r.pk for r in rules if actor.can(Perm.CHARTER_MANAGE, r.market)}
    return render(
        request,
        "strategy/charter.html",
        {
            "groups": _groups(rules),
            "rule_count": len(rules),
            "editable": editable,
            "can_create": actor.can(Perm.CHARTER_MANAGE),
            "lint_form": lint_form or LintForm(actor=actor),
            **(lint or {"lint": None}),
        },
        status=status,
    )


@common.member_required
@require_GET
def charter(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _charter_page(request, actor)


@common.member_required
@require_POST
def charter_lint(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Check a text against the charter of a market (and a channel's network, a dimension). A read: HTMX
    posts it as the text is typed and swaps the findings in; without JavaScript the whole page comes back."""
    form = LintForm(request.POST, actor=actor)
    status, lint = 200, None
    if form.is_valid():
        lint = _lint_context(form.cleaned_data["text"], _run_lint(actor, form))
    else:
        status = 400
    if common.is_htmx(request):
        return render(request, "strategy/charter.html#lint_results", {"lint_form": form, **(lint or {"lint": None})},
                      status=status)  # fmt: skip
    return _charter_page(request, actor, lint_form=form, lint=lint, status=status)


def _rule_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "severity": data["severity"],
        "params": data["params"],
        "rationale": data["rationale"],
        "dimension": data["dimension"],
        "network": data["network"],
    }


@common.member_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.CHARTER_MANAGE)
    kind = request.POST.get("kind") or request.GET.get("kind") or None
    form = CharterRuleForm(request.POST or None, actor=actor, kind=kind)
    if not form.is_bound:
        form.initial = {"kind": form.rule_kind, "params": params_example(form.rule_kind), "severity": "warn"}

    def create(data: dict[str, Any]) -> CharterRule:
        return services.charter_rule_create(actor=actor, market=data["market"], kind=data["kind"], **_rule_values(data))

    rule, status = common.submit(request, form, create)
    if rule is not None:
        messages.success(request, _("Charter rule %(name)s created.") % {"name": rule.name})
        return redirect("strategy:charter")
    return render(request, "strategy/rule_form.html", {"form": form, "rule": None}, status=status)


@common.member_required
@require_GET
def rule_params(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The parameters field for another kind (HTMX swaps it in when the kind changes): its example and help."""
    actor.require(Perm.CHARTER_MANAGE)
    form = CharterRuleForm(actor=actor, kind=request.GET.get("kind") or None)
    form.initial = {"params": params_example(form.rule_kind)}
    return render(request, "strategy/rule_form.html#params_field", {"field": form["params"], "form": form})


@common.member_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    rule = selectors.charter_rule_get(actor=actor, pk=pk)
    actor.require(Perm.CHARTER_MANAGE, rule.market)
    initial = {
        "name": rule.name,
        "severity": rule.severity,
        "params": json.dumps(rule.params, ensure_ascii=False, indent=2),
        "rationale": rule.rationale,
        "dimension": rule.dimension_id,
        "network": rule.network,
        "is_active": rule.is_active,
    }
    form = CharterRuleForm(request.POST or None, actor=actor, editing=True, kind=rule.kind, initial=initial)

    def update(data: dict[str, Any]) -> CharterRule:
        return services.charter_rule_update(actor=actor, rule=rule, is_active=data["is_active"], **_rule_values(data))

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Charter rule %(name)s saved.") % {"name": updated.name})
        return redirect("strategy:charter")
    return render(
        request,
        "strategy/rule_form.html",
        {"form": form, "rule": rule, "kind_label": KIND_LABELS.get(rule.kind, rule.kind)},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    rule = selectors.charter_rule_get(actor=actor, pk=pk)
    actor.require(Perm.CHARTER_MANAGE, rule.market)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.charter_rule_delete(actor=actor, rule=rule)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Charter rule %(name)s deleted.") % {"name": rule.name})
            return redirect("strategy:charter")
    return render(
        request,
        "strategy/confirm_delete.html",
        {
            "title": _("Delete the charter rule %(name)s?") % {"name": rule.name},
            "explanation": _("Texts are no longer checked against it. To pause it instead, edit it and untick Active."),
            "cancel_href": reverse("strategy:charter"),
            "error": error,
        },
        status=status,
    )
