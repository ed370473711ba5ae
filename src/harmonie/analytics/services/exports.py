"""Exports on demand (CSV, XLSX) of the datasets in ``analytics.exports.datasets``.

A small export (up to ``HARMONIE_EXPORT_STREAM_MAX_ROWS`` rows, 5,000 by default) is written straight into the
response. A longer one becomes an ``ExportJob`` that a worker runs (``analytics.tasks.export_job_run_task``,
enqueued when the transaction commits): it counts the rows, writes them a chunk at a time to a file with a random
name under ``<var>/exports/`` and saves its progress after every chunk, so the page can show a progress bar. Only the
member who asked may download the file; files are removed after 7 days (``exports_cleanup``)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.analytics.exports.datasets import CHUNK, DATASETS, Dataset, ExportFilters
from harmonie.analytics.exports.writers import CONTENT_TYPES, Cell, csv_lines, write_csv, write_xlsx
from harmonie.analytics.models import ExportJob
from harmonie.analytics.models.reports import ExportStatus
from harmonie.core.audit import audit_record
from harmonie.core.errors import NotFound, ValidationFailed
from harmonie.governance.models import Market, Member
from harmonie.governance.permissions import Actor, Perm, actor_for

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
STREAM_MAX_ROWS = 5000
MAX_DAYS = 3 * 366 + 1
KEEP_DAYS = 7


def stream_max_rows() -> int:
    return int(getattr(settings, "HARMONIE_EXPORT_STREAM_MAX_ROWS", STREAM_MAX_ROWS))


def exports_dir() -> Path:
    configured = getattr(settings, "HARMONIE_EXPORTS_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "exports"


@dataclass(frozen=True)
class ExportFile:
    """A small export, produced while the response is sent."""

    file_name: str
    content_type: str
    chunks: Iterable[str | bytes]


def _dataset(kind: str) -> Dataset:
    try:
        return DATASETS[kind]
    except KeyError:
        raise ValidationFailed(
            _("Choose what to export: %(choices)s.") % {"choices": ", ".join(DATASETS)}, field="kind"
        ) from None


def export_filters_build(
    *, actor: Actor, date_from: dt.date, date_to: dt.date, market_id: int | None = None
) -> ExportFilters:
    """Checked filters: a period of at most three years, a market the member may read analytics of."""
    actor.require(Perm.ANALYTICS_VIEW)
    if date_to < date_from:
        raise ValidationFailed(_("The end date must be on or after the start date."), field="date_to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationFailed(_("Export at most three years at a time."), field="date_from")
    market = None
    if market_id is not None:
        market = Market.objects.filter(organization_id=actor.organization_id, pk=market_id).first()
        if market is None or not actor.can(Perm.ANALYTICS_VIEW, market):
            raise NotFound(_("No such market, or you may not read its analytics."))
    return ExportFilters(date_from=date_from, date_to=date_to, market=market)


def _file_name(actor: Actor, kind: str, filters: ExportFilters, file_format: str) -> str:
    scope = filters.market.code.lower() if filters.market else actor.organization.slug
    return f"{kind}-{scope}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.{file_format}"


def export_request(*, actor: Actor, kind: str, file_format: str, filters: ExportFilters) -> ExportFile | ExportJob:
    """The export itself when it is small, else a background job (returned; it runs once this commits)."""
    actor.require(Perm.ANALYTICS_VIEW)
    dataset = _dataset(kind)
    if file_format not in FORMATS:
        raise ValidationFailed(_("Choose CSV or XLSX."), field="file_format")
    total = dataset.count(actor, filters)
    name = _file_name(actor, kind, filters, file_format)
    if total <= stream_max_rows():
        rows = dataset.rows(actor, filters)
        if file_format == "csv":
            return ExportFile(name, CONTENT_TYPES["csv"], (piece.encode() for piece in csv_lines(dataset.header, rows)))
        buffer = io.BytesIO()
        write_xlsx(buffer, dataset.header, rows, title=kind)
        return ExportFile(name, CONTENT_TYPES["xlsx"], [buffer.getvalue()])
    return export_job_create(actor=actor, kind=kind, file_format=file_format, filters=filters, rows_total=total)


@transaction.atomic
def export_job_create(
    *, actor: Actor, kind: str, file_format: str, filters: ExportFilters, rows_total: int | None = None
) -> ExportJob:
    actor.require(Perm.ANALYTICS_VIEW)
    _dataset(kind)
    if file_format not in FORMATS:
        raise ValidationFailed(_("Choose CSV or XLSX."), field="file_format")
    job = ExportJob.objects.create(
        organization=actor.organization,
        requested_by=actor.user,
        kind=kind,
        file_format=file_format,
        params=filters.as_params(),
        rows_total=rows_total,
        file_name=_file_name(actor, kind, filters, file_format),
    )
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="export.request", target=job,
        after={"kind": kind, "format": file_format, **filters.as_params()},
        market_id=filters.market.pk if filters.market else None, target_label=job.file_name,
    )  # fmt: skip

    from harmonie.analytics.tasks import export_job_run_task  # noqa: PLC0415 - tasks import this module

    job_id = job.pk
    transaction.on_commit(lambda: export_job_run_task.enqueue(job_id))
    return job


def _job_actor(job: ExportJob) -> Actor:
    """The requester as they are now (a member who lost access exports nothing)."""
    member = Member.objects.select_related("organization", "user").get(
        organization_id=job.organization_id, user_id=job.requested_by_id
    )
    return actor_for(member)


def _job_filters(actor: Actor, params: dict[str, str | int | None]) -> ExportFilters:
    market_id = params.get("market_id")
    return export_filters_build(
        actor=actor,
        date_from=dt.date.fromisoformat(str(params["date_from"])),
        date_to=dt.date.fromisoformat(str(params["date_to"])),
        market_id=int(market_id) if market_id is not None else None,
    )


def _counting(job_id: int, rows: Iterator[list[Cell]], total: int) -> Iterator[list[Cell]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % CHUNK == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_done=min(done, total), updated_at=timezone.now())
    ExportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=max(done, total))


def export_job_run(*, job_id: int) -> ExportJob:
    """Run a queued job (the background task calls this). A job already started by another worker is left alone."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, updated_at=now
    )
    job = ExportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    folder = exports_dir()
    path = folder / f"{secrets.token_urlsafe(24)}.{job.file_format}"
    partial = path.with_suffix(path.suffix + ".part")
    try:
        actor = _job_actor(job)
        dataset = _dataset(job.kind)
        filters = _job_filters(actor, job.params)
        total = dataset.count(actor, filters)
        ExportJob.objects.filter(pk=job_id).update(rows_total=total, rows_done=0)
        folder.mkdir(parents=True, exist_ok=True)
        rows = _counting(job_id, dataset.rows(actor, filters), total)
        if job.file_format == "csv":
            with partial.open("w", encoding="utf-8", newline="") as stream:
                write_csv(stream, dataset.header, rows)
        else:
            write_xlsx(str(partial), dataset.header, rows, title=job.kind)
        partial.rename(path)
    except Exception as exc:  # the job records why it failed; the worker carries on with the next one
        logger.exception("Export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=str(message)[:2000], finished_at=timezone.now()
        )
    else:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.DONE, file_path=path.name, finished_at=timezone.now(), updated_at=timezone.now()
        )
    job.refresh_from_db()
    return job


# Reading ------------------------------------------------------------------------------------------------------------


def _readable_jobs(actor: Actor) -> QuerySet[ExportJob]:
    """The member's own jobs they may still read: analytics.view now (a member who lost it downloads nothing, not
    even files made before), and, for a job of one market, analytics.view in that market now. A job of "all my
    markets" holds what the member could see when it ran; it stays readable while they keep analytics.view."""
    actor.require(Perm.ANALYTICS_VIEW)
    markets = Market.objects.filter(actor.market_q(Perm.ANALYTICS_VIEW, "path"), organization_id=actor.organization_id)
    allowed = Q(params__market_id=None) | Q(params__market_id__isnull=True)
    allowed |= Q(params__market_id__in=list(markets.values_list("pk", flat=True)))
    return ExportJob.objects.filter(allowed, organization_id=actor.organization_id, requested_by_id=actor.user.pk)


def export_job_list(*, actor: Actor, limit: int = 50) -> QuerySet[ExportJob]:
    """The member's own recent jobs (those they may still read: ``_readable_jobs``)."""
    return _readable_jobs(actor)[:limit]


def export_job_get(*, actor: Actor, pk: int) -> ExportJob:
    job = _readable_jobs(actor).filter(pk=pk).first()
    if job is None:
        raise NotFound(_("No such export."))
    return job


def export_job_file(*, actor: Actor, pk: int) -> tuple[ExportJob, Path]:
    """The finished file of one of the member's jobs."""
    job = export_job_get(actor=actor, pk=pk)
    path = exports_dir() / job.file_path if job.file_path else None
    if job.status != ExportStatus.DONE or path is None or not path.is_file():
        raise NotFound(_("This export has no file (not ready yet, failed, or removed after 7 days)."))
    return job, path


def exports_cleanup(*, now: dt.datetime) -> int:
    """Remove export files (and their jobs) older than 7 days, and stray files in the folder. Returns the count
    of jobs removed."""
    cutoff = now - dt.timedelta(days=KEEP_DAYS)
    old = ExportJob.objects.filter(created_at__lt=cutoff)
    folder = exports_dir()
    for file_path in old.exclude(file_path="").values_list("file_path", flat=True):
        (folder / file_path).unlink(missing_ok=True)
    removed, _detail = old.delete()
    if folder.is_dir():
        for stray in folder.iterdir():
            if stray.is_file() and dt.datetime.fromtimestamp(stray.stat().st_mtime, tz=dt.UTC) < cutoff:
                stray.unlink(missing_ok=True)
    return removed
