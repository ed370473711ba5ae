"""Every write in the governance domain. Keyword-only, typed, one transaction each, audited."""

from harmonie.governance.services.budgets import budget_create, budget_delete, budget_update
from harmonie.governance.services.channels import channel_create, channel_update
from harmonie.governance.services.markets import market_create, market_update
from harmonie.governance.services.matrix import (
    dimension_create,
    dimension_delete,
    dimension_update,
    governance_preset_apply,
    governance_rule_clear,
    governance_rule_set,
)
from harmonie.governance.services.members import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    member_update,
    role_assign,
    role_revoke,
    team_create,
    team_delete,
    team_update,
)
from harmonie.governance.services.organizations import organization_create

__all__ = [
    "budget_create",
    "budget_delete",
    "budget_update",
    "channel_create",
    "channel_update",
    "dimension_create",
    "dimension_delete",
    "dimension_update",
    "governance_preset_apply",
    "governance_rule_clear",
    "governance_rule_set",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "market_create",
    "market_update",
    "member_update",
    "organization_create",
    "role_assign",
    "role_revoke",
    "team_create",
    "team_delete",
    "team_update",
]
