"""Background tasks of the analytics app: thin wrappers around services."""

from __future__ import annotations

from django.tasks import task

from harmonie.analytics.services import exports


@task()
def export_job_run_task(job_id: int) -> str:
    """Write an export's file (enqueued when the request that created the job commits)."""
    return exports.export_job_run(job_id=job_id).status
