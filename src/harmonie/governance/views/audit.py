"""The audit log: read, filter, export. Nothing here (or anywhere) edits or deletes an entry."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from harmonie.core.models import AuditEntry
from harmonie.governance import selectors
from harmonie.governance.forms import AuditFilterForm
from harmonie.governance.permissions import Actor
from harmonie.governance.views import common

PER_PAGE = 50
CSV_COLUMNS = ["when_utc", "who", "action", "target_type", "target_id", "target", "market", "before", "after"]


def _user_zone(request: HttpRequest) -> dt.tzinfo:
    name = getattr(request.user, "timezone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _filtered(request: HttpRequest, actor: Actor) -> tuple[AuditFilterForm, QuerySet[AuditEntry], int]:
    """The filter form and the entries it selects; days are the member's own (their profile's time zone)."""
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            zone = _user_zone(request)
            data = form.cleaned_data
            since, until = data.get("since"), data.get("until")
            filters = {
                "action": data.get("action") or None,
                "target_type": data.get("target_type") or None,
                "since": dt.datetime.combine(since, dt.time.min, tzinfo=zone) if since else None,
                "until": dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone) if until else None,
            }
        else:
            status = 400
    return form, selectors.audit_list(actor=actor, **filters), status


@common.member_required
@require_GET
def audit_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form, entries, status = _filtered(request, actor)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "governance/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in entries.iterator(chunk_size=500):
        yield writer.writerow(
            [
                e.created_at.astimezone(dt.UTC).isoformat(),
                e.actor_label,
                e.action,
                e.target_type,
                e.target_id,
                e.target_label,
                e.market.code if e.market else "",
                json.dumps(e.before, sort_keys=True, ensure_ascii=False) if e.before is not None else "",
                json.dumps(e.after, sort_keys=True, ensure_ascii=False) if e.after is not None else "",
            ]
        )


@common.member_required
@require_GET
def audit_export(request: HttpRequest, actor: Actor) -> HttpResponse | StreamingHttpResponse:
    form, entries, status = _filtered(request, actor)
    if status != 200:
        return render(request, "governance/audit.html", {"form": form, "page": None, "query": ""}, status=status)
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="harmonie-audit.csv"'
    return response
