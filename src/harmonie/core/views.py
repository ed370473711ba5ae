from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


def _workers() -> dict[str, Any]:
    from harmonie.publishing.selectors import worker_status  # noqa: PLC0415 - the kernel asks, it does not depend

    try:
        status = worker_status()
    except DatabaseError:  # tables not there yet
        return {"workers": [], "reason": _("The workers cannot be read: run `harmonie migrate`.")}
    report: dict[str, Any] = {
        "workers": [
            {"id": w.worker_id, "host": w.host, "pid": w.pid, "last_beat": w.last_beat.isoformat(),
             "seconds_since_beat": round(w.seconds_since_beat, 1)}
            for w in status.live
        ]
    }  # fmt: skip
    if not status.ok:
        report["reason"] = status.reason
    return report


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the database answers (else 503). Also the publishing workers that beat
    recently: with none, the status is ``degraded`` with the reason, still 200 (the web side works; scheduled
    posts wait for a worker)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db_ok = True
    except Exception:  # noqa: BLE001 - any failure means "not healthy", reported, not swallowed
        db_ok = False
    if not db_ok:
        return JsonResponse({"status": "error", "database": False}, status=503)
    workers = _workers()
    status = "degraded" if "reason" in workers else "ok"
    return JsonResponse({"status": status, "database": True, **workers})
