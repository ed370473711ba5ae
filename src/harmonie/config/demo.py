"""The demo organization, assembled from each app's demo loader in dependency order."""

from __future__ import annotations

from django.db import transaction

from harmonie.analytics.demo_metrics import load_demo_metrics
from harmonie.analytics.demo_reports import load_demo_reports
from harmonie.analytics.demo_tracking import load_demo_tracking
from harmonie.approvals.demo import load_demo as load_approvals
from harmonie.content.demo import load_demo as load_content
from harmonie.governance.demo import load_demo as load_governance
from harmonie.governance.models import Organization
from harmonie.strategy.demo import load_demo as load_strategy


@transaction.atomic
def load_all(*, analytics: bool = True) -> tuple[Organization, bool]:
    """Load (or complete) the demo organization. Returns (organization, whether anything was added).

    ``analytics=False`` leaves out the year of metrics, links and reports (about 1,300 past posts): the shared
    test database does, so that tests count their own data; the analytics demo has its own tests."""
    org, created = load_governance()
    added = load_strategy(org)
    added = load_content(org) or added
    added = load_approvals(org) or added
    if analytics:
        added = load_demo_metrics(org) or added
        added = load_demo_tracking(org) or added
        added = load_demo_reports(org) or added
    return org, created or added
