"""Every write of the strategy domain, plus the lint and objectives-first checks content will call."""

from harmonie.strategy.services.brand import (
    brand_platform_update,
    key_message_adapt,
    key_message_create,
    key_message_delete,
    key_message_update,
    pillars_set,
)
from harmonie.strategy.services.cadence import cadence_target_set, format_effort_set
from harmonie.strategy.services.charter import (
    charter_rule_create,
    charter_rule_delete,
    charter_rule_update,
)
from harmonie.strategy.services.objectives import (
    audience_create,
    audience_delete,
    audience_update,
    kpi_create,
    kpi_delete,
    kpi_update,
    objective_create,
    objective_update,
    objectives_covering,
    objectives_covering_channels,
    objectives_first_check,
    objectives_first_refusal,
    strategy_policy_set,
)

__all__ = [
    "audience_create",
    "audience_delete",
    "audience_update",
    "brand_platform_update",
    "cadence_target_set",
    "charter_rule_create",
    "charter_rule_delete",
    "charter_rule_update",
    "format_effort_set",
    "key_message_adapt",
    "key_message_create",
    "key_message_delete",
    "key_message_update",
    "kpi_create",
    "kpi_delete",
    "kpi_update",
    "objective_create",
    "objective_update",
    "objectives_covering",
    "objectives_covering_channels",
    "objectives_first_check",
    "objectives_first_refusal",
    "pillars_set",
    "strategy_policy_set",
]
