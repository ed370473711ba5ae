"""Which review steps a post must pass, and why.

The governance matrix names a circuit for the post's dimension × market (nearest rule wins); conditions then
add circuits: the network, the campaign, a charter warning, figures or financial terms, an active crisis.
Steps are kept in that order; a step already required (same approvers, same mode) is not asked twice.
Approvers are fixed here, at submission: never the post's author or its editors (four-eyes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from harmonie.approvals.models import (
    ApprovalCircuit,
    CircuitCondition,
    CircuitStep,
    ConditionKind,
    Crisis,
    CrisisEvent,
    CrisisEventKind,
    CrisisStatus,
)
from harmonie.approvals.reasons import Why, describe_reason
from harmonie.content.models import Post
from harmonie.core.models import AuditEntry
from harmonie.governance.matrix import RuleBook
from harmonie.governance.models import Dimension, Market, Member, Role, RoleAssignment
from harmonie.governance.permissions import Perm, actor_for

# Percentages and amounts with a currency sign or code, in the ways EN/FR/DE/PT/ES write them.
_NUMBER = r"\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?"
_FIGURE = re.compile(
    rf"(?:{_NUMBER}\s?(?:%|‰|€|\$|£|¥|EUR|USD|GBP|JPY|BRL|CHF))"
    rf"|(?:(?:€|\$|£|¥|R\$|US\$|EUR|USD|GBP|BRL)\s?{_NUMBER})",
    re.IGNORECASE,
)
# Words that make a post financial communication, whatever its dimension.
FINANCIAL_TERMS = (
    # English
    "revenue", "earnings", "profit", "dividend", "guidance", "ebitda", "turnover", "share price", "quarterly results",
    # French
    "chiffre d'affaires", "résultat net", "bénéfice", "dividende", "cours de l'action", "résultats trimestriels",
    # German
    "umsatz", "gewinn", "dividende", "aktienkurs", "quartalszahlen",
    # Portuguese / Spanish
    "receita", "lucro", "dividendos", "ingresos", "beneficio",
)  # fmt: skip


def figures_in(text: str) -> list[str]:
    """The figures (percentages, amounts) and financial terms a text contains, as written."""
    found = [m.group(0).strip() for m in _FIGURE.finditer(text)]
    folded = text.casefold()
    found += [term for term in FINANCIAL_TERMS if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", folded)]
    return found


@dataclass
class ResolvedStep:
    name: str
    mode: str
    external: bool
    approver_ids: list[int]
    response_hours: int
    why: Why
    circuit_key: str
    signature: tuple[object, ...] = field(default=())

    @property
    def reason(self) -> str:
        return describe_reason(self.why)


@dataclass
class Resolution:
    steps: list[ResolvedStep]
    reasons: list[dict[str, object]]  # [{"circuit": key, "name": ..., "why": Why}]
    excluded_user_ids: set[int]
    crisis: Crisis | None = None
    crisis_reviewed: bool = False  # a crisis covers the post and a crisis circuit reviews it

    @property
    def needs_review(self) -> bool:
        return bool(self.steps)


def active_crises_covering(post: Post) -> list[Crisis]:
    """The organization's active crises whose scope covers the post's market or channel, except those that
    released or rescheduled this very post (someone judged it fit to go on)."""
    found = []
    cleared = set(
        CrisisEvent.objects.filter(post_id=post.pk, kind__in=[CrisisEventKind.RELEASED, CrisisEventKind.RESCHEDULED])
        .values_list("crisis_id", flat=True)
    ) if post.pk else set()  # fmt: skip
    crises = Crisis.objects.filter(organization_id=post.organization_id, status=CrisisStatus.ACTIVE).prefetch_related(
        "markets", "channels"
    )
    for crisis in crises:
        if crisis.pk not in cleared and crisis_covers(crisis, market=post.market, channel_id=post.channel_id):
            found.append(crisis)
    return found


def crisis_covers(crisis: Crisis, *, market: Market, channel_id: int) -> bool:
    markets = list(crisis.markets.all())
    channels = list(crisis.channels.all())
    if not markets and not channels:
        return True
    return any(market.path.startswith(m.path) for m in markets) or any(c.pk == channel_id for c in channels)


def post_editor_ids(post: Post) -> set[int]:
    """Everyone who wrote the post: its creator and whoever changed its text."""
    ids = {post.created_by_id} if post.created_by_id else set()
    ids |= {
        uid
        for uid in AuditEntry.objects.filter(
            target_type="content.post", target_id=str(post.pk), action__in=["post.create", "post.update"]
        ).values_list("actor_id", flat=True)
        if uid is not None
    }
    return ids


def step_approvers(step: CircuitStep, *, post_market: Market, excluded_user_ids: Iterable[int]) -> list[int]:
    """Active members who may approve ``step`` for a post of ``post_market`` (ids, sorted), minus the excluded."""
    if step.external:
        return []
    excluded = set(excluded_user_ids)
    members = Member.objects.filter(organization_id=post_market.organization_id, is_active=True)
    if step.member_id is not None:
        members = members.filter(pk=step.member_id)
    if step.team_id is not None:
        members = members.filter(team_id=step.team_id)
    if step.role:
        target = step.market or post_market
        holders = RoleAssignment.objects.filter(role=step.role, market__path__in=target.ancestor_paths())
        members = members.filter(pk__in=holders.values("member_id"))
    elif step.member_id is None:
        # A team alone: its members who approve content in the post's market.
        members = members.select_related("organization", "user")
        kept = [m.pk for m in members if actor_for(m).can(Perm.CONTENT_APPROVE, post_market)]
        members = Member.objects.filter(pk__in=kept)
    return sorted(members.exclude(user_id__in=excluded).values_list("pk", flat=True))


def org_admins(organization_id: int, *, excluded_user_ids: Iterable[int]) -> list[int]:
    """Active org admins (role held at Global) other than the excluded users."""
    holders = RoleAssignment.objects.filter(role=Role.ORG_ADMIN, market__parent__isnull=True,
                                            member__organization_id=organization_id)  # fmt: skip
    return sorted(
        Member.objects.filter(pk__in=holders.values("member_id"), is_active=True)
        .exclude(user_id__in=set(excluded_user_ids))
        .values_list("pk", flat=True)
    )


def _steps_of(circuit: ApprovalCircuit, reason: Why, *, post_market: Market, excluded: set[int]) -> list[ResolvedStep]:
    out = []
    for step in circuit.steps.select_related("market").all():
        approvers = step_approvers(step, post_market=post_market, excluded_user_ids=excluded)
        why = dict(reason)
        if not approvers and not step.external:
            # Nobody but the authors holds the step here (a market lead's own post, a market without a lead):
            # the step escalates to the org admins rather than letting the author approve or blocking for good.
            approvers = org_admins(post_market.organization_id, excluded_user_ids=excluded)
            if approvers:
                why["escalated"] = True
        out.append(
            ResolvedStep(
                name=step.name, mode=step.mode, external=step.external, approver_ids=approvers,
                response_hours=step.response_hours, why=why, circuit_key=circuit.key,
                signature=(step.role, step.team_id, step.market_id, step.member_id, step.external, step.mode),
            )
        )  # fmt: skip
    return out


def matrix_circuit_key(book: RuleBook, dimension: Dimension, market: Market) -> tuple[str, str]:
    """The circuit key the matrix gives ``dimension`` in ``market`` and the market whose cell sets it ("" for the
    dimension's default). A cell without a circuit inherits its parent's (up to the dimension default):
    overriding who creates does not drop the review."""
    for market_id in market.ancestor_ids():
        rule = book.override(dimension.pk, market_id)
        if rule is not None and rule.approval_circuit:
            return rule.approval_circuit, rule.market.name if rule.market else ""
    default = book.default(dimension.pk)
    if default is not None and default.approval_circuit:
        return default.approval_circuit, ""
    return "", ""


def _conditional_circuits(
    post: Post, *, charter_warnings: Sequence[str], crisis: Crisis | None
) -> list[tuple[ApprovalCircuit, Why]]:
    """The circuits the organization's conditions add for ``post``, each with the reason."""
    figures = figures_in(post.text)
    out: list[tuple[ApprovalCircuit, Why]] = []
    conditions = CircuitCondition.objects.filter(organization_id=post.organization_id, circuit__is_active=True)
    for condition in conditions.select_related("circuit", "campaign", "dimension"):
        if condition.dimension_id is not None and condition.dimension_id != post.master.dimension_id:
            continue
        why: Why = {}
        if condition.kind == ConditionKind.NETWORK and condition.network == post.channel.network:
            why = {"code": "network", "network": post.channel.network}
        elif condition.kind == ConditionKind.CAMPAIGN and condition.campaign_id == post.master.campaign_id:
            assert condition.campaign is not None
            why = {"code": "campaign", "campaign": condition.campaign.name}
        elif condition.kind == ConditionKind.CHARTER_WARN and charter_warnings:
            why = {"code": "charter_warn", "warnings": "; ".join(charter_warnings)}
        elif condition.kind == ConditionKind.FIGURES and figures:
            why = {"code": "figures", "figures": ", ".join(figures[:5])}
        elif condition.kind == ConditionKind.CRISIS and crisis is not None and crisis.circuit_id is None:
            why = {"code": "crisis", "crisis": crisis.title, "crisis_id": crisis.pk}
        if why:
            out.append((condition.circuit, why))
    return out


def resolve(post: Post, *, submitter_id: int | None, charter_warnings: Sequence[str] = ()) -> Resolution:
    """The steps ``post`` must pass, each with the reason it is there."""
    organization_id = post.organization_id
    excluded = post_editor_ids(post) | ({submitter_id} if submitter_id else set())
    dimension = post.master.dimension
    circuits: list[tuple[ApprovalCircuit, Why]] = []
    reasons: list[dict[str, object]] = []

    key, where = matrix_circuit_key(RuleBook.for_organization(organization_id), dimension, post.market)
    if key:
        circuit = ApprovalCircuit.objects.filter(organization_id=organization_id, key=key, is_active=True).first()
        if circuit is not None:
            circuits.append((circuit, {"code": "matrix", "dimension": dimension.name, "where": where}))

    crises = active_crises_covering(post)
    crisis = crises[0] if crises else None
    circuits += _conditional_circuits(post, charter_warnings=charter_warnings, crisis=crisis)
    if crisis is not None and crisis.circuit is not None:
        circuits.append((crisis.circuit, {"code": "crisis", "crisis": crisis.title, "crisis_id": crisis.pk}))

    steps: list[ResolvedStep] = []
    seen: set[tuple[object, ...]] = set()
    for circuit, why in circuits:
        reasons.append({"circuit": circuit.key, "name": circuit.name, "why": why})
        for step in _steps_of(circuit, why, post_market=post.market, excluded=excluded):
            if step.signature in seen:
                continue
            seen.add(step.signature)
            steps.append(step)
    crisis_reviewed = crisis is not None and any(
        why.get("code") == "crisis" and why.get("crisis_id") == crisis.pk for _c, why in circuits
    )
    return Resolution(
        steps=steps, reasons=reasons, excluded_user_ids=excluded, crisis=crisis, crisis_reviewed=crisis_reviewed
    )
