"""The demo organization, assembled from each app's demo loader in dependency order."""

from __future__ import annotations

from django.db import transaction

from harmonie.approvals.demo import load_demo as load_approvals
from harmonie.content.demo import load_demo as load_content
from harmonie.governance.demo import load_demo as load_governance
from harmonie.governance.models import Organization
from harmonie.strategy.demo import load_demo as load_strategy


@transaction.atomic
def load_all() -> tuple[Organization, bool]:
    """Load (or complete) the demo organization. Returns (organization, whether anything was added)."""
    org, created = load_governance()
    added = load_strategy(org)
    added = load_content(org) or added
    added = load_approvals(org) or added
    return org, created or added
