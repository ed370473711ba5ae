"""Reading the governance matrix: which rule applies to a dimension in a market, and what it allows.

The nearest rule wins: a market's own override, else its region's, else the dimension default.
Content services (drafts, localizations, posts) ask these questions before any write or read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from harmonie.governance.models import (
    Creators,
    Dimension,
    GovernanceRule,
    LocalVariants,
    Market,
    Ownership,
)
from harmonie.governance.permissions import Actor, Perm

CREATOR_MAX_RANK = {
    Creators.GLOBAL_TEAM: 0,
    Creators.MARKET_LEADS: 1,
    Creators.COMMUNITY_MANAGERS: 2,
    Creators.CONTRIBUTORS: 3,
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


class RuleBook:
    """Every rule of one organization, loaded once, answering "which rule applies here?"."""

    def __init__(self, rules: Iterable[GovernanceRule]) -> None:
        self._rules: dict[tuple[int, int | None], GovernanceRule] = {(r.dimension_id, r.market_id): r for r in rules}

    @classmethod
    def for_organization(cls, organization_id: int) -> RuleBook:
        return cls(GovernanceRule.objects.filter(organization_id=organization_id))

    def override(self, dimension_id: int, market_id: int) -> GovernanceRule | None:
        return self._rules.get((dimension_id, market_id))

    def default(self, dimension_id: int) -> GovernanceRule | None:
        return self._rules.get((dimension_id, None))

    def effective(self, dimension: Dimension, market: Market) -> tuple[GovernanceRule | None, Market | None]:
        """The rule that applies and the market it comes from (None = the dimension default)."""
        for market_id in market.ancestor_ids():
            rule = self._rules.get((dimension.pk, market_id))
            if rule is not None:
                return rule, rule.market
        return self._rules.get((dimension.pk, None)), None


def _rule(dimension: Dimension, market: Market) -> GovernanceRule:
    rule, _source = RuleBook.for_organization(dimension.organization_id).effective(dimension, market)
    if rule is None:  # Every dimension gets a default rule when it is created.
        raise LookupError(f"dimension {dimension.pk} has no default rule")
    return rule


def can_create(actor: Actor, dimension: Dimension, market: Market, rule: GovernanceRule | None = None) -> Decision:
    """May ``actor`` create original content in ``dimension`` for ``market``?"""
    if not actor.can(Perm.CONTENT_CREATE, market):
        return Decision(False, _("You have no role that creates content in %(market)s.") % {"market": market.name})
    rule = rule or _rule(dimension, market)
    if not market.is_root and rule.ownership == Ownership.GLOBAL_ONLY:
        return Decision(
            False,
            _("%(dimension)s content is kept global: only the global team publishes it.")
            % {"dimension": dimension.name},
        )
    rank = actor.best_creator_rank(market)
    if rule.creators == Creators.GLOBAL_TEAM:
        if actor.can_globally(Perm.CONTENT_CREATE):
            return Decision(True, _("Allowed: you are on the global team."))
        return Decision(False, _("Only the global team creates %(dimension)s content.") % {"dimension": dimension.name})
    if rank is None or rank > CREATOR_MAX_RANK[Creators(rule.creators)]:
        return Decision(
            False,
            _("In %(market)s, %(dimension)s content is created by: %(who)s.")
            % {"market": market.name, "dimension": dimension.name, "who": Creators(rule.creators).label},
        )
    return Decision(True, _("Allowed by the governance matrix."))


def can_localize(actor: Actor, dimension: Dimension, market: Market, rule: GovernanceRule | None = None) -> Decision:
    """May ``actor`` make a local variant of master content in ``dimension`` for ``market``?"""
    if not actor.can(Perm.CONTENT_CREATE, market):
        return Decision(False, _("You have no role that creates content in %(market)s.") % {"market": market.name})
    rule = rule or _rule(dimension, market)
    if rule.local_variants == LocalVariants.NOT_ALLOWED:
        return Decision(
            False,
            _("%(dimension)s content is published as is: local variants are not allowed.")
            % {"dimension": dimension.name},
        )
    return Decision(True, _("Allowed by the governance matrix."))


def can_read_content(
    actor: Actor, dimension: Dimension, market: Market, rule: GovernanceRule | None = None
) -> Decision:
    """May ``actor`` read drafts of ``dimension`` in ``market``? Own markets yes; others only if the
    matrix opens that cell to other markets."""
    if actor.can(Perm.CONTENT_VIEW, market):
        return Decision(True, _("Your own market."))
    rule = rule or _rule(dimension, market)
    if rule.cross_market_visibility and actor.can(Perm.CONTENT_VIEW):
        return Decision(True, _("The governance matrix opens this cell to other markets (read only)."))
    return Decision(False, _("Drafts of %(market)s are not open to other markets.") % {"market": market.name})


def can_change_content(
    actor: Actor, dimension: Dimension, market: Market, rule: GovernanceRule | None = None
) -> Decision:
    """Changing is never opened across markets: it needs the right to create there."""
    return can_create(actor, dimension, market, rule)
