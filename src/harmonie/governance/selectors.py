"""Every read in the governance domain, scoped to the acting member: organization first, then markets."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.core.errors import NotFound
from harmonie.core.models import AuditEntry
from harmonie.governance.matrix import Decision, RuleBook, can_create, can_localize, can_read_content
from harmonie.governance.models import (
    Budget,
    Channel,
    Dimension,
    GovernanceRule,
    Invitation,
    Market,
    Member,
    Ownership,
    RoleAssignment,
    Team,
)
from harmonie.governance.permissions import Actor, Perm


def _visible_market_q(actor: Actor) -> Q:
    """Markets in scope, plus the ancestors of the scope (so a French CM sees France under Europe under Global)."""
    q = actor.market_q(Perm.MARKETS_VIEW, "path")
    ancestor_ids: set[int] = set()
    for path in actor.scope_paths(Perm.MARKETS_VIEW):
        ancestor_ids.update(int(p) for p in path.strip("/").split("/") if p)
    return q | Q(pk__in=ancestor_ids)


def market_list(*, actor: Actor) -> QuerySet[Market]:
    actor.require(Perm.MARKETS_VIEW)
    return Market.objects.filter(organization=actor.organization).filter(_visible_market_q(actor))


def market_get(*, actor: Actor, pk: int) -> Market:
    market = market_list(actor=actor).filter(pk=pk).first()
    if market is None:
        raise NotFound(_("No such market."))
    return market


def market_root(*, actor: Actor) -> Market:
    return Market.objects.get(organization=actor.organization, parent__isnull=True)


def markets_manageable(*, actor: Actor, perm: Perm) -> QuerySet[Market]:
    """Markets where the actor holds ``perm`` (for form choices)."""
    return Market.objects.filter(organization=actor.organization).filter(actor.market_q(perm, "path"))


def team_list(*, actor: Actor) -> QuerySet[Team]:
    actor.require(Perm.TEAMS_VIEW)
    return (
        Team.objects.filter(organization=actor.organization)
        .filter(Q(market__isnull=True) | actor.market_q(Perm.TEAMS_VIEW, "market__path"))
        .select_related("market")
    )


def team_get(*, actor: Actor, pk: int) -> Team:
    team = team_list(actor=actor).filter(pk=pk).first()
    if team is None:
        raise NotFound(_("No such team."))
    return team


def member_list(*, actor: Actor) -> QuerySet[Member]:
    """Members holding a role in a market in scope (org admins see everyone)."""
    actor.require(Perm.MEMBERS_VIEW)
    base = Member.objects.filter(organization=actor.organization)
    if not actor.can_globally(Perm.MEMBERS_VIEW):
        in_scope = RoleAssignment.objects.filter(member__organization=actor.organization).filter(
            actor.market_q(Perm.MEMBERS_VIEW, "market__path")
        )
        base = base.filter(pk__in=in_scope.values("member_id"))
    return base.select_related("user", "team").prefetch_related(
        Prefetch("roles", queryset=RoleAssignment.objects.select_related("market"))
    )


def member_get(*, actor: Actor, pk: int) -> Member:
    member = member_list(actor=actor).filter(pk=pk).first()
    if member is None:
        raise NotFound(_("No such member."))
    return member


def role_assignment_get(*, actor: Actor, pk: int) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.filter(member__organization=actor.organization, pk=pk)
        .filter(actor.market_q(Perm.MEMBERS_VIEW, "market__path"))
        .select_related("member", "market")
        .first()
    )
    if assignment is None:
        raise NotFound(_("No such role."))
    return assignment


def invitation_list(*, actor: Actor, pending_only: bool = True) -> QuerySet[Invitation]:
    qs = Invitation.objects.filter(organization=actor.organization).filter(
        actor.market_q(Perm.MEMBERS_INVITE, "market__path")
    )
    if pending_only:
        qs = qs.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
    return qs.select_related("market", "team", "invited_by")


def invitation_get(*, actor: Actor, pk: int) -> Invitation:
    invitation = invitation_list(actor=actor, pending_only=False).filter(pk=pk).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    return invitation


def dimension_list(*, actor: Actor) -> QuerySet[Dimension]:
    actor.require(Perm.DIMENSIONS_VIEW)
    return Dimension.objects.filter(organization=actor.organization)


def dimension_get(*, actor: Actor, pk: int) -> Dimension:
    dimension = dimension_list(actor=actor).filter(pk=pk).first()
    if dimension is None:
        raise NotFound(_("No such dimension."))
    return dimension


@dataclass(frozen=True)
class MatrixCell:
    dimension: Dimension
    market: Market | None  # None = the default column (Global)
    rule: GovernanceRule
    overridden: bool  # the rule is this market's own
    source: Market | None  # where an inherited rule comes from (None = dimension default)


@dataclass(frozen=True)
class MatrixRow:
    dimension: Dimension
    cells: list[MatrixCell]


def governance_matrix(*, actor: Actor) -> tuple[list[Market], list[MatrixRow]]:
    """The dimension × market grid: the Global column (defaults) then each visible market. Two queries."""
    actor.require(Perm.GOVERNANCE_VIEW)
    markets = list(market_list(actor=actor))
    dimensions = list(dimension_list(actor=actor))
    book = RuleBook(GovernanceRule.objects.filter(organization=actor.organization).select_related("market"))
    rows: list[MatrixRow] = []
    for dimension in dimensions:
        cells: list[MatrixCell] = []
        for market in markets:
            if market.is_root:
                rule, source = book.effective(dimension, market)
                if rule is not None:
                    cells.append(MatrixCell(dimension, None, rule, overridden=True, source=None))
                continue
            rule, source = book.effective(dimension, market)
            if rule is None:
                continue
            own = book.override(dimension.pk, market.pk) is not None
            cells.append(MatrixCell(dimension, market, rule, overridden=own, source=None if own else source))
        rows.append(MatrixRow(dimension, cells))
    return markets, rows


def governance_cell(*, actor: Actor, dimension_pk: int, market_pk: int | None) -> MatrixCell:
    actor.require(Perm.GOVERNANCE_VIEW)
    dimension = dimension_get(actor=actor, pk=dimension_pk)
    book = RuleBook(GovernanceRule.objects.filter(organization=actor.organization).select_related("market"))
    market = market_root(actor=actor) if market_pk is None else market_get(actor=actor, pk=market_pk)
    rule, source = book.effective(dimension, market)
    if rule is None:
        raise NotFound(_("This dimension has no rule yet."))
    if market.is_root:
        return MatrixCell(dimension, None, rule, overridden=True, source=None)
    own = book.override(dimension.pk, market.pk) is not None
    return MatrixCell(dimension, market, rule, overridden=own, source=None if own else source)


@dataclass(frozen=True)
class ContentCheck:
    """What the matrix lets the actor do with content of one dimension in one market."""

    dimension: Dimension
    market: Market
    rule: GovernanceRule
    create: Decision
    localize: Decision
    read_content: Decision


def governance_check(*, actor: Actor, dimension: int | str, market: int | str) -> ContentCheck:
    """May ``actor`` create, localize, read content of ``dimension`` (id or key) in ``market`` (id or code)?

    The market may be any market of the organization, in the actor's scope or not: whether a member
    may read another market's drafts is the very question the matrix answers (cross-market
    visibility). Only the decisions and their reasons are returned. Three queries.
    """
    actor.require(Perm.GOVERNANCE_VIEW)
    dimensions = dimension_list(actor=actor)
    found_dimension = (
        dimensions.filter(pk=dimension) if isinstance(dimension, int) else dimensions.filter(key=dimension)
    ).first()
    if found_dimension is None:
        raise NotFound(_("No such dimension."))
    markets = Market.objects.filter(organization=actor.organization)
    found_market = (
        markets.filter(pk=market) if isinstance(market, int) else markets.filter(code=market.strip().upper())
    ).first()
    if found_market is None:
        raise NotFound(_("No such market."))
    book = RuleBook(GovernanceRule.objects.filter(organization=actor.organization).select_related("market"))
    rule, _source = book.effective(found_dimension, found_market)
    if rule is None:
        raise NotFound(_("This dimension has no rule yet."))
    return ContentCheck(
        dimension=found_dimension,
        market=found_market,
        rule=rule,
        create=can_create(actor, found_dimension, found_market, rule),
        localize=can_localize(actor, found_dimension, found_market, rule),
        read_content=can_read_content(actor, found_dimension, found_market, rule),
    )


def channel_list(*, actor: Actor, market_pk: int | None = None, network: str | None = None) -> QuerySet[Channel]:
    """Channels owned by, or serving, a market in scope."""
    actor.require(Perm.CHANNELS_VIEW)
    in_scope = Channel.objects.filter(organization=actor.organization).filter(
        actor.market_q(Perm.CHANNELS_VIEW, "owner_market__path")
        | actor.market_q(Perm.CHANNELS_VIEW, "served_markets__path")
    )
    qs = Channel.objects.filter(pk__in=in_scope.values("pk"))
    if market_pk is not None:
        qs = qs.filter(Q(owner_market_id=market_pk) | Q(served_markets__pk=market_pk)).distinct()
    if network:
        qs = qs.filter(network=network)
    return qs.select_related("owner_market").prefetch_related("served_markets")


def channel_get(*, actor: Actor, pk: int) -> Channel:
    channel = channel_list(actor=actor).filter(pk=pk).first()
    if channel is None:
        raise NotFound(_("No such channel."))
    return channel


def budget_list(
    *,
    actor: Actor,
    market_pk: int | None = None,
    dimension_pk: int | None = None,
    year: int | None = None,
) -> QuerySet[Budget]:
    actor.require(Perm.BUDGETS_VIEW)
    qs = Budget.objects.filter(organization=actor.organization).filter(
        actor.market_q(Perm.BUDGETS_VIEW, "market__path")
    )
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    if dimension_pk is not None:
        qs = qs.filter(dimension_id=dimension_pk)
    if year is not None:
        qs = qs.filter(period_start__lte=dt.date(year, 12, 31), period_end__gte=dt.date(year, 1, 1))
    return qs.select_related("market", "dimension")


def budget_get(*, actor: Actor, pk: int) -> Budget:
    budget = budget_list(actor=actor).filter(pk=pk).first()
    if budget is None:
        raise NotFound(_("No such budget."))
    return budget


def audit_list(
    *,
    actor: Actor,
    action: str | None = None,
    target_type: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Org-wide history for those who audit at Global; otherwise their markets' history only."""
    actor.require(Perm.AUDIT_VIEW)
    qs = AuditEntry.objects.filter(organization=actor.organization)
    if not actor.can_globally(Perm.AUDIT_VIEW):
        qs = qs.filter(actor.market_q(Perm.AUDIT_VIEW, "market__path"))
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    return qs.select_related("market")


def memberships_for_user(*, user_id: int) -> QuerySet[Member]:
    """The organizations a user may switch between (for the org switcher)."""
    return Member.objects.filter(user_id=user_id, is_active=True).select_related("organization")


@dataclass(frozen=True)
class BudgetByMarket:
    market: Market
    currency: str
    planned: Decimal


@dataclass(frozen=True)
class DashboardSummary:
    """What the dashboard shows, already scoped. Budget and audit parts are None without the permission."""

    year: int
    markets: int
    active_members: int
    channels: int
    channels_by_network: list[tuple[str, int]]
    budget_totals: list[tuple[str, Decimal]] | None
    budget_by_market: list[BudgetByMarket] | None
    ownership_counts: list[tuple[str, int]]
    latest_audit: list[AuditEntry] | None


def dashboard_summary(*, actor: Actor, year: int) -> DashboardSummary:
    """Figures for the dashboard, each read through the scoped selectors above; a fixed number of queries."""
    markets = list(market_list(actor=actor))
    active_members = member_list(actor=actor).filter(is_active=True).count()
    channels = channel_list(actor=actor).filter(is_active=True)
    by_network = Counter(channels.values_list("network", flat=True))
    channels_by_network = sorted(by_network.items(), key=lambda item: (-item[1], item[0]))

    budget_totals: list[tuple[str, Decimal]] | None = None
    budget_by_market: list[BudgetByMarket] | None = None
    if actor.can(Perm.BUDGETS_VIEW):
        per_currency: dict[str, Decimal] = {}
        per_market: dict[tuple[int, str], Decimal] = {}
        market_by_pk: dict[int, Market] = {}
        for budget in budget_list(actor=actor, year=year).order_by("market__path"):
            per_currency[budget.currency] = per_currency.get(budget.currency, Decimal(0)) + budget.planned_amount
            key = (budget.market_id, budget.currency)
            per_market[key] = per_market.get(key, Decimal(0)) + budget.planned_amount
            market_by_pk[budget.market_id] = budget.market
        home = next((m.currency for m in markets if m.is_root), "")
        budget_totals = sorted(per_currency.items(), key=lambda item: (item[0] != home, item[0]))
        budget_by_market = [
            BudgetByMarket(market_by_pk[pk], currency, amount) for (pk, currency), amount in per_market.items()
        ]

    _markets, rows = governance_matrix(actor=actor)
    ownership = Counter(cell.rule.ownership for row in rows for cell in row.cells)
    ownership_counts = [(value, ownership.get(value, 0)) for value in Ownership.values]

    latest_audit = list(audit_list(actor=actor)[:10]) if actor.can(Perm.AUDIT_VIEW) else None
    return DashboardSummary(
        year=year,
        markets=len(markets),
        active_members=active_members,
        channels=channels.count(),
        channels_by_network=channels_by_network,
        budget_totals=budget_totals,
        budget_by_market=budget_by_market,
        ownership_counts=ownership_counts,
        latest_audit=latest_audit,
    )
