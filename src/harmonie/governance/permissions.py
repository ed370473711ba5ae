"""Permission keys, the roles that carry them, and the acting member (``Actor``).

A role is held in one market and applies to that market and every market below it. Services ask
``actor.require(Perm.X, market)``; selectors ask ``actor.market_filter(Perm.X, "<market field>")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext as _

from harmonie.core.errors import NotPermitted
from harmonie.governance.models import Market, Member, Organization, Role


class Perm(StrEnum):
    ORG_MANAGE = "org.manage"
    MARKETS_VIEW = "markets.view"
    MARKETS_MANAGE = "markets.manage"
    TEAMS_VIEW = "teams.view"
    TEAMS_MANAGE = "teams.manage"
    MEMBERS_VIEW = "members.view"
    MEMBERS_INVITE = "members.invite"
    MEMBERS_MANAGE = "members.manage"
    DIMENSIONS_VIEW = "dimensions.view"
    DIMENSIONS_MANAGE = "dimensions.manage"
    GOVERNANCE_VIEW = "governance.view"
    GOVERNANCE_EDIT = "governance.edit"
    CHANNELS_VIEW = "channels.view"
    CHANNELS_MANAGE = "channels.manage"
    BUDGETS_VIEW = "budgets.view"
    BUDGETS_MANAGE = "budgets.manage"
    AUDIT_VIEW = "audit.view"
    CONTENT_VIEW = "content.view"
    CONTENT_CREATE = "content.create"
    CONTENT_APPROVE = "content.approve"
    ANALYTICS_VIEW = "analytics.view"
    ANALYTICS_MANAGE = "analytics.manage"
    STRATEGY_VIEW = "strategy.view"
    STRATEGY_MANAGE = "strategy.manage"
    CHARTER_MANAGE = "charter.manage"
    CRISIS_MANAGE = "crisis.manage"


_READ = frozenset(
    {
        Perm.MARKETS_VIEW,
        Perm.TEAMS_VIEW,
        Perm.MEMBERS_VIEW,
        Perm.DIMENSIONS_VIEW,
        Perm.GOVERNANCE_VIEW,
        Perm.CHANNELS_VIEW,
        Perm.CONTENT_VIEW,
        Perm.STRATEGY_VIEW,
    }
)
_APPROVER = _READ | {Perm.CONTENT_APPROVE}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ORG_ADMIN: frozenset(Perm),
    Role.MARKET_LEAD: _READ
    | {
        Perm.MARKETS_MANAGE,
        Perm.TEAMS_MANAGE,
        Perm.MEMBERS_INVITE,
        Perm.MEMBERS_MANAGE,
        Perm.CHANNELS_MANAGE,
        Perm.BUDGETS_VIEW,
        Perm.BUDGETS_MANAGE,
        Perm.AUDIT_VIEW,
        Perm.CONTENT_CREATE,
        Perm.CONTENT_APPROVE,
        Perm.ANALYTICS_VIEW,
        Perm.ANALYTICS_MANAGE,
        Perm.STRATEGY_MANAGE,
        Perm.CHARTER_MANAGE,
        Perm.CRISIS_MANAGE,
    },
    Role.COMMUNITY_MANAGER: _READ | {Perm.CONTENT_CREATE, Perm.ANALYTICS_VIEW},
    Role.CONTRIBUTOR: _READ | {Perm.CONTENT_CREATE},
    Role.APPROVER_LEGAL: _APPROVER,
    Role.APPROVER_COMPLIANCE: _APPROVER,
    Role.APPROVER_FINANCE: _APPROVER | {Perm.BUDGETS_VIEW},
    Role.APPROVER_BRAND: _APPROVER,
    Role.ANALYST: _READ | {Perm.BUDGETS_VIEW, Perm.ANALYTICS_VIEW, Perm.ANALYTICS_MANAGE, Perm.AUDIT_VIEW},
}

# Roles that may be granted by someone holding ``members.invite``/``members.manage`` in a market:
# a market lead cannot make anyone an org admin.
GRANTABLE_BY_MARKET_LEAD = frozenset(ROLE_PERMISSIONS) - {Role.ORG_ADMIN}

# How far each role may go in creating content, for the matrix's "who may create" setting.
CREATOR_RANK: dict[str, int] = {
    Role.ORG_ADMIN: 0,
    Role.MARKET_LEAD: 1,
    Role.COMMUNITY_MANAGER: 2,
    Role.CONTRIBUTOR: 3,
}


@dataclass(frozen=True)
class Grant:
    role: str
    market_id: int
    market_path: str


@dataclass
class Actor:
    """Who is acting, in which organization, with which scoped roles. Built once per request."""

    organization: Organization
    member: Member
    grants: list[Grant] = field(default_factory=list)

    @property
    def user(self):  # type: ignore[no-untyped-def]
        return self.member.user

    @property
    def organization_id(self) -> int:
        return self.organization.pk

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def grants_with(self, perm: Perm) -> list[Grant]:
        return [g for g in self.grants if perm in ROLE_PERMISSIONS.get(g.role, frozenset())]

    def scope_paths(self, perm: Perm) -> list[str]:
        """Top-most market paths where ``perm`` is held (nested paths are dropped)."""
        paths = sorted({g.market_path for g in self.grants_with(perm)}, key=len)
        tops: list[str] = []
        for p in paths:
            if not any(p.startswith(t) for t in tops):
                tops.append(p)
        return tops

    def can(self, perm: Perm, market: Market | None = None) -> bool:
        """Holds ``perm`` in ``market`` (or, with no market, anywhere / at Global for org-wide perms)."""
        if not self.member.is_active:
            return False
        grants = self.grants_with(perm)
        if market is None:
            return bool(grants)
        if market.organization_id != self.organization.pk:
            return False
        return any(market.path.startswith(g.market_path) for g in grants)

    def can_globally(self, perm: Perm) -> bool:
        """Holds ``perm`` at the root market (HQ level)."""
        return any(g.market_path.count("/") == 2 for g in self.grants_with(perm)) and self.member.is_active

    def require(self, perm: Perm, market: Market | None = None) -> None:
        if not self.can(perm, market):
            if market is None:
                raise NotPermitted(
                    _("You do not have the permission '%(perm)s'. Ask an org admin for the role you need.")
                    % {"perm": perm.value}
                )
            raise NotPermitted(
                _("You do not have the permission '%(perm)s' in %(market)s. Ask an org admin for the role you need.")
                % {"perm": perm.value, "market": market.name}
            )

    def require_global(self, perm: Perm) -> None:
        if not self.can_globally(perm):
            raise NotPermitted(_("Only members holding '%(perm)s' at Global level may do this.") % {"perm": perm.value})

    def market_q(self, perm: Perm, path_field: str) -> Q:
        """A filter matching rows whose market (``path_field`` = lookup to its ``path``) is in scope."""
        paths = self.scope_paths(perm) if self.member.is_active else []
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for p in paths:
            q |= Q(**{f"{path_field}__startswith": p})
        return q

    def best_creator_rank(self, market: Market) -> int | None:
        """The most senior content-creating role held in ``market`` (0 = org admin), or None."""
        ranks = [
            CREATOR_RANK[g.role]
            for g in self.grants
            if g.role in CREATOR_RANK and market.path.startswith(g.market_path)
        ]
        return min(ranks) if ranks else None


def actor_for(member: Member) -> Actor:
    grants = [
        Grant(role=r.role, market_id=r.market_id, market_path=r.market.path)
        for r in member.roles.select_related("market").all()
    ]
    return Actor(organization=member.organization, member=member, grants=grants)
