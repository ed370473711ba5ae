"""Scheduled reports (weekly or monthly, for the organization or one market, e-mailed as HTML + PDF) and exports
that run in the background with their progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harmonie.core.models import TimeStampedModel


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReportSchedule(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("governance.Market", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    recipients = models.JSONField(_("recipients"), default=list)  # e-mail addresses
    language = models.CharField(_("language"), max_length=8, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name


class ReportDelivery(models.Model):
    """One report sent for one period: the unique constraint means a period is never sent twice, even with several
    workers."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="deliveries")
    period_start = models.DateField()
    period_end = models.DateField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list)
    error = models.TextField(blank=True)
    # The PDF that was sent, under the reports folder (a random name, never a user's path); empty: nothing sent.
    pdf_path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "period_start"], name="delivery_one_per_period")]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start}–{self.period_end}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    file_format = models.CharField(max_length=4)  # csv | xlsx
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_path = models.CharField(max_length=500, blank=True)  # under the exports folder, never a user's path
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.kind}, {self.status})"
