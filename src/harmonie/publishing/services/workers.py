"""Workers' heartbeats: each running ``harmonie worker`` beats every few seconds (and renews the leases of what
it owns at the same time); ``/health`` and the publishing page read the beats."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from harmonie.publishing.models import WorkerHeartbeat
from harmonie.publishing.policy import DEFAULT, Policy
from harmonie.publishing.services.claims import leases_renew


@transaction.atomic
def worker_beat(
    *,
    worker_id: str,
    host: str,
    pid: int,
    started_at: dt.datetime,
    version: str = "",
    handled: int = 0,
    in_flight: int = 0,
    policy: Policy = DEFAULT,
) -> WorkerHeartbeat:
    """Say "alive" and keep the claims: the beat and the lease renewal go together, so a worker whose beats stop
    loses its claims ``policy.lease_seconds`` later, never before."""
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": host, "pid": pid, "started_at": started_at, "version": version, "last_beat": timezone.now(),
                  "handled": handled, "in_flight": in_flight, "stopped_at": None},
    )  # fmt: skip
    leases_renew(worker_id=worker_id, policy=policy)
    return beat


def worker_stopped(*, worker_id: str, handled: int = 0) -> None:
    """A worker that stops cleanly says so (it leaves the list of live workers at once)."""
    now = timezone.now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(stopped_at=now, last_beat=now, handled=handled,
                                                              in_flight=0)  # fmt: skip


def heartbeats_prune(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Forget workers gone for a week."""
    deleted, _by_model = WorkerHeartbeat.objects.filter(last_beat__lt=timezone.now() - older_than).delete()
    return deleted
