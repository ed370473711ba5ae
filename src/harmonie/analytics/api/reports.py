"""The reports and exports REST API, mounted under ``/api/v1/analytics``: scheduled reports (list, create, send
now) and export jobs (create, list, progress, download).

Endpoints only parse input and call one service or selector of ``analytics.services.reports`` / ``exports``, which
check the permissions (analytics.view to read, analytics.manage for schedules) and write the audit rows; anything
outside the caller's scope is a 404.
"""

# No "from __future__ import annotations": Ninja reads the parameter types at import time.
import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.analytics.exports.writers import CONTENT_TYPES
from harmonie.analytics.models import ExportJob, ReportDelivery, ReportSchedule
from harmonie.analytics.models.reports import ExportStatus
from harmonie.analytics.services import exports as export_services
from harmonie.analytics.services import reports as services
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm

router = Router(tags=["reports"])


# --- schemas ---------------------------------------------------------------------------------------------------------


class ScheduleOut(Schema):
    id: int
    name: str
    market_id: int | None = Field(description="None: the whole organization.")
    market_code: str | None
    frequency: str = Field(description="weekly (Monday-Sunday, sent Monday 07:00) or monthly (sent the 1st 07:00).")
    language: str
    recipients: list[str]
    is_active: bool
    next_run_at: dt.datetime

    @staticmethod
    def resolve_market_code(obj: ReportSchedule) -> str | None:
        return obj.market.code if obj.market else None


class ScheduleIn(Schema):
    name: str
    market_id: int | None = Field(None, description="A market where you hold analytics.manage; null: the whole "
                                  "organization (analytics.manage at Global).")  # fmt: skip
    frequency: str = Field(description="weekly or monthly.")
    recipients: list[str] = Field(description="E-mail addresses, at most 50.")
    language: str = Field("en", description="en or fr.")
    is_active: bool = True


class DeliveryOut(Schema):
    id: int
    schedule_id: int
    period_start: dt.date
    period_end: dt.date
    status: str = Field(description="sent, failed or sending.")
    sent_at: dt.datetime | None
    recipients: list[str]
    error: str
    pdf_url: str | None = Field(description="The PDF as it was sent (null until sent).")

    @staticmethod
    def resolve_status(obj: ReportDelivery) -> str:
        return "sent" if obj.sent_at else ("failed" if obj.error else "sending")

    @staticmethod
    def resolve_pdf_url(obj: ReportDelivery) -> str | None:
        if not obj.pdf_path:
            return None
        return reverse("api:analytics_delivery_pdf", args=[obj.schedule_id, obj.pk])


class ExportIn(Schema):
    kind: str = Field(description="channel_daily, post_metrics, link_clicks or kpi_table.")
    file_format: str = Field("xlsx", description="csv or xlsx.")
    date_from: dt.date
    date_to: dt.date
    market_id: int | None = Field(None, description="null: every market you may read analytics of.")


class ExportJobOut(Schema):
    id: int
    kind: str
    file_format: str
    status: str = Field(description="queued, running, done or failed.")
    rows_done: int
    rows_total: int | None
    percent: int | None = Field(description="Progress, 0-100 (null while the total is unknown).")
    file_name: str
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    download_url: str | None = Field(description="Set once the file is ready.")

    @staticmethod
    def resolve_percent(obj: ExportJob) -> int | None:
        if obj.status == ExportStatus.DONE:
            return 100
        if not obj.rows_total:
            return None
        return min(100, obj.rows_done * 100 // obj.rows_total)

    @staticmethod
    def resolve_download_url(obj: ExportJob) -> str | None:
        return reverse("api:analytics_export_download", args=[obj.pk]) if obj.status == ExportStatus.DONE else None


# --- report schedules ------------------------------------------------------------------------------------------------


def _manageable_market(actor: Actor, market_id: int | None) -> Market | None:
    if market_id is None:
        return None
    market = governance_selectors.markets_manageable(actor=actor, perm=Perm.ANALYTICS_MANAGE).filter(pk=market_id)
    found = market.first()
    if found is None:
        raise ValidationFailed(_("No such market, or you may not manage analytics there."), field="market_id")
    return found


@router.get("/report-schedules", response={200: list[ScheduleOut], **ERRORS}, summary="List report schedules")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def schedule_list(request: HttpRequest) -> QuerySet[ReportSchedule]:
    """The schedules of the markets where you read analytics (the organization's ones for Global members)."""
    actor = actor_of(request)
    actor.require(Perm.ANALYTICS_VIEW)
    return services.report_schedule_list(actor=actor)


@router.post("/report-schedules", response={201: ScheduleOut, **ERRORS}, summary="Schedule a report")
def schedule_create(request: HttpRequest, payload: ScheduleIn) -> Status[ReportSchedule]:
    """Needs analytics.manage in the market (at Global for the whole organization). The report shows what you may
    see in analytics: you become its author."""
    actor = actor_of(request)
    schedule = services.report_schedule_create(
        actor=actor, name=payload.name, market=_manageable_market(actor, payload.market_id),
        frequency=payload.frequency, recipients=payload.recipients, language=payload.language,
        is_active=payload.is_active,
    )  # fmt: skip
    return Status(201, schedule)


@router.get(
    "/report-schedules/{schedule_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="List a schedule's deliveries",
)
def delivery_list(request: HttpRequest, schedule_id: int) -> QuerySet[ReportDelivery]:
    schedule = services.report_schedule_get(actor=actor_of(request), pk=schedule_id)
    return services.report_delivery_list(schedule=schedule)


@router.post(
    "/report-schedules/{schedule_id}/send", response={200: DeliveryOut, **ERRORS}, summary="Send the report now"
)
def schedule_send_now(request: HttpRequest, schedule_id: int) -> ReportDelivery:
    """Sends the last full period's report to the recipients now (analytics.manage). A failure to send is not an
    HTTP error: the delivery comes back with ``status: failed`` and the ``error`` saying what to fix."""
    actor = actor_of(request)
    schedule = services.report_schedule_get(actor=actor, pk=schedule_id)
    return services.report_send_now(actor=actor, schedule=schedule)


@router.get(
    "/report-schedules/{schedule_id}/deliveries/{delivery_id}/pdf",
    response={200: Any, **ERRORS},
    summary="Download a delivery's PDF as it was sent",
    url_name="analytics_delivery_pdf",
)
def delivery_pdf(request: HttpRequest, schedule_id: int, delivery_id: int) -> FileResponse:
    _delivery, file_path, name = services.report_delivery_pdf(
        actor=actor_of(request), schedule_pk=schedule_id, pk=delivery_id
    )
    return FileResponse(file_path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# --- exports ---------------------------------------------------------------------------------------------------------


@router.get("/exports", response={200: list[ExportJobOut], **ERRORS}, summary="List my export jobs")
def export_list(request: HttpRequest) -> QuerySet[ExportJob]:
    """Your 50 most recent export jobs (files are kept 7 days)."""
    return export_services.export_job_list(actor=actor_of(request))


@router.post("/exports", response={201: ExportJobOut, **ERRORS}, summary="Start an export job")
def export_create(request: HttpRequest, payload: ExportIn) -> Status[ExportJob]:
    """Always a background job (the web page streams small exports instead): poll ``GET /exports/{id}`` for the
    progress, then download from ``download_url``."""
    actor = actor_of(request)
    filters = export_services.export_filters_build(
        actor=actor, date_from=payload.date_from, date_to=payload.date_to, market_id=payload.market_id
    )
    job = export_services.export_job_create(
        actor=actor, kind=payload.kind, file_format=payload.file_format, filters=filters
    )
    return Status(201, job)


@router.get("/exports/{job_id}", response={200: ExportJobOut, **ERRORS}, summary="An export job's progress")
def export_get(request: HttpRequest, job_id: int) -> ExportJob:
    return export_services.export_job_get(actor=actor_of(request), pk=job_id)


@router.get(
    "/exports/{job_id}/download",
    response={200: Any, **ERRORS},
    summary="Download an export's file",
    url_name="analytics_export_download",
)
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    job, file_path = export_services.export_job_file(actor=actor_of(request), pk=job_id)
    return FileResponse(
        file_path.open("rb"), as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[job.file_format]
    )
