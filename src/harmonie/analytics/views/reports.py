"""Reports (scheduled, HTML/PDF, sent by e-mail) and exports (CSV/XLSX, long ones in the background)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.analytics.exports.writers import CONTENT_TYPES
from harmonie.analytics.forms_reports import ExportForm, ReportScheduleForm
from harmonie.analytics.models import ReportSchedule
from harmonie.analytics.services import exports as export_services
from harmonie.analytics.services import reports as services
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views.common import member_required, submit


@member_required
@require_GET
def schedules(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_VIEW)
    rows = [
        (s, services.report_schedule_can_manage(actor=actor, schedule=s))
        for s in services.report_schedule_list(actor=actor)
    ]
    can_create = actor.can(Perm.ANALYTICS_MANAGE)
    return render(request, "analytics/reports/schedules.html", {"rows": rows, "can_create": can_create})


def _schedule_form(request: HttpRequest, actor: Actor, schedule: ReportSchedule | None) -> HttpResponse:
    markets = governance_selectors.markets_manageable(actor=actor, perm=Perm.ANALYTICS_MANAGE)
    initial: dict[str, Any] = {"is_active": True, "language": request.LANGUAGE_CODE[:2]}
    if schedule is not None:
        initial = {
            "name": schedule.name, "market": schedule.market, "frequency": schedule.frequency,
            "language": schedule.language, "recipients": "\n".join(schedule.recipients),
            "is_active": schedule.is_active,
        }  # fmt: skip
    form = ReportScheduleForm(request.POST or None, initial=initial, markets=markets)

    def save(data: dict[str, Any]) -> ReportSchedule:
        values = {k: data[k] for k in ("name", "market", "frequency", "language", "recipients", "is_active")}
        if schedule is None:
            return services.report_schedule_create(actor=actor, **values)
        return services.report_schedule_update(actor=actor, schedule=schedule, **values)

    saved, status = submit(request, form, save)
    if saved is not None:
        messages.success(request, _("Report “%(name)s” saved.") % {"name": saved.name})
        return redirect("analytics:report_schedule", pk=saved.pk)
    return render(request, "analytics/reports/schedule_form.html", {"form": form, "schedule": schedule}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def schedule_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    return _schedule_form(request, actor, None)


@member_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    schedule = services.report_schedule_get(actor=actor, pk=pk)
    services.report_schedule_require_manage(actor=actor, schedule=schedule)
    return _schedule_form(request, actor, schedule)


@member_required
@require_GET
def schedule_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    schedule = services.report_schedule_get(actor=actor, pk=pk)
    context = {
        "schedule": schedule,
        "deliveries": services.report_delivery_list(schedule=schedule),
        "can_manage": services.report_schedule_can_manage(actor=actor, schedule=schedule),
    }
    return render(request, "analytics/reports/schedule.html", context)


@member_required
@require_POST
def schedule_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    schedule = services.report_schedule_get(actor=actor, pk=pk)
    services.report_schedule_delete(actor=actor, schedule=schedule)
    messages.success(request, _("Report “%(name)s” deleted.") % {"name": schedule.name})
    return redirect("analytics:report_schedules")


@member_required
@require_POST
def schedule_send_now(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    schedule = services.report_schedule_get(actor=actor, pk=pk)
    delivery = services.report_send_now(actor=actor, schedule=schedule)
    if delivery.error:
        messages.error(request, _("The report could not be sent: %(error)s") % {"error": delivery.error})
    else:
        messages.success(request, _("Report sent to %(count)s recipients.") % {"count": len(delivery.recipients)})
    return redirect("analytics:report_schedule", pk=schedule.pk)


@member_required
@require_GET
def report_page(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The last full period's report computed now, as the member may see it."""
    schedule = services.report_schedule_get(actor=actor, pk=pk)
    report = services.report_view(actor=actor, schedule=schedule)
    return render(request, "analytics/reports/report_page.html", {"schedule": schedule, "report": report})


@member_required
@require_GET
def report_pdf(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The PDF of the "view current" page (computed now); past deliveries serve the PDF that was sent."""
    schedule = services.report_schedule_get(actor=actor, pk=pk)
    report = services.report_view(actor=actor, schedule=schedule)
    response = HttpResponse(services.report_render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name("pdf")}"'
    return response


@member_required
@require_GET
def delivery_pdf(request: HttpRequest, actor: Actor, pk: int, delivery_pk: int) -> FileResponse:
    """The PDF exactly as it was sent for a past delivery."""
    _delivery, file_path, name = services.report_delivery_pdf(actor=actor, schedule_pk=pk, pk=delivery_pk)
    return FileResponse(file_path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# Exports ------------------------------------------------------------------------------------------------------------


def _exports_page(request: HttpRequest, actor: Actor, form: ExportForm, status: int = 200) -> HttpResponse:
    jobs = export_services.export_job_list(actor=actor)
    return render(request, "analytics/reports/exports.html", {"form": form, "jobs": jobs}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    actor.require(Perm.ANALYTICS_VIEW)
    markets = governance_selectors.markets_manageable(actor=actor, perm=Perm.ANALYTICS_VIEW)
    form = ExportForm(request.POST or None, markets=markets)

    def run(data: dict[str, Any]) -> Any:
        market = data["market"]
        filters = export_services.export_filters_build(
            actor=actor, date_from=data["date_from"], date_to=data["date_to"], market_id=market.pk if market else None
        )
        return export_services.export_request(
            actor=actor, kind=data["kind"], file_format=data["file_format"], filters=filters
        )

    result, status = submit(request, form, run)
    if isinstance(result, export_services.ExportFile):
        response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
        return response
    if result is not None:
        messages.info(request, _("This export is long: it is being prepared below. You can leave this page."))
        return redirect("analytics:exports")
    return _exports_page(request, actor, form, status)


@member_required
@require_GET
def export_progress(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    job = export_services.export_job_get(actor=actor, pk=pk)
    return render(request, "analytics/reports/exports.html#job", {"job": job})


@member_required
@require_GET
def export_download(request: HttpRequest, actor: Actor, pk: int) -> FileResponse:
    job, file_path = export_services.export_job_file(actor=actor, pk=pk)
    return FileResponse(
        file_path.open("rb"), as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[job.file_format]
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", schedules, name="report_schedules"),
    path("reports/new/", schedule_create, name="report_schedule_create"),
    path("reports/<int:pk>/", schedule_detail, name="report_schedule"),
    path("reports/<int:pk>/edit/", schedule_edit, name="report_schedule_edit"),
    path("reports/<int:pk>/delete/", schedule_delete, name="report_schedule_delete"),
    path("reports/<int:pk>/send/", schedule_send_now, name="report_schedule_send"),
    path("reports/<int:pk>/view/", report_page, name="report_view"),
    path("reports/<int:pk>/pdf/", report_pdf, name="report_pdf"),
    path("reports/<int:pk>/deliveries/<int:delivery_pk>/pdf/", delivery_pdf, name="report_delivery_pdf"),
    path("exports/", exports, name="exports"),
    path("exports/<int:pk>/progress/", export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", export_download, name="export_download"),
]
