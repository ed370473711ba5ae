"""Demo report schedules: a monthly organization report for the HQ lead, a weekly French report for France."""

from __future__ import annotations

from harmonie.analytics.models import ReportSchedule
from harmonie.analytics.models.reports import Frequency
from harmonie.analytics.services.reports import report_schedule_create
from harmonie.governance.models import Market, Member, Organization
from harmonie.governance.permissions import actor_for

HQ_LEAD = "claire.martin@vireo.example"
FR_LEAD = "julien.bernard@vireo.example"


def load_demo_reports(org: Organization) -> bool:
    """Create the demo schedules once. Returns False when they already exist."""
    if ReportSchedule.objects.filter(organization=org).exists():
        return False
    admin = actor_for(Member.objects.select_related("organization", "user").get(organization=org, user__email=HQ_LEAD))
    report_schedule_create(
        actor=admin, name="Vireo — monthly report", market=None, frequency=Frequency.MONTHLY,
        recipients=[HQ_LEAD], language="en",
    )  # fmt: skip
    report_schedule_create(
        actor=admin, name="France — rapport hebdomadaire", market=Market.objects.get(organization=org, code="FR"),
        frequency=Frequency.WEEKLY, recipients=[FR_LEAD], language="fr",
    )  # fmt: skip
    return True
