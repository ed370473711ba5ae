"""Editorial charter rules checked by machine: see ``engine`` for the contract."""

from harmonie.strategy.charter.engine import (
    Finding,
    LintContext,
    RuleKind,
    RuleSpec,
    Severity,
    lint,
    validate_params,
)

__all__ = ["Finding", "LintContext", "RuleKind", "RuleSpec", "Severity", "lint", "validate_params"]
