"""``harmonie worker``: publish due posts and run background tasks, in one process.

The publishing loop (:mod:`harmonie.publishing.worker`) runs in the main thread with its pool of sender threads.
When the tasks backend is django-tasks-db's database backend, its worker runs in the same process on one more
thread (the same loop as ``manage.py db_worker``), so one ``harmonie worker`` does all background work. With
another tasks backend (RQ, Celery: a settings change), that backend's own workers run the tasks and this
command publishes only. Unless ``--no-collect`` (or ``--no-tasks``), a third thread runs the analytics rounds
(:mod:`harmonie.analytics.scheduler`): metric collection as posts age, and scheduled reports.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.tasks import task_backends
from django.utils.crypto import get_random_string

from harmonie.analytics.scheduler import start_scheduler_thread
from harmonie.publishing.policy import Policy
from harmonie.publishing.worker import Worker

log = logging.getLogger(__name__)


def start_tasks_thread(worker_id: str) -> tuple[Any, threading.Thread] | None:
    """django-tasks-db's worker on a daemon thread, or None when the tasks backend is not the database."""
    from django_tasks_db.backend import DatabaseBackend  # noqa: PLC0415 - only when that backend is installed
    from django_tasks_db.management.commands.db_worker import Worker as TasksWorker  # noqa: PLC0415

    if not isinstance(task_backends["default"], DatabaseBackend):
        return None
    tasks = TasksWorker(
        queue_names=["*"], interval=1.0, batch=False, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id=f"{worker_id[:40]}:{get_random_string(8)}", excluded_queue_names=[],
    )  # fmt: skip
    thread = threading.Thread(target=tasks.run, name="tasks", daemon=True)
    thread.start()
    return tasks, thread


class Command(BaseCommand):
    help = "Publish due posts (and run background tasks): one worker; start several, on one machine or many."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=8, help="network calls at once (default 8)")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks when idle (default 1)")
        parser.add_argument("--once", action="store_true", help="stop when nothing is due any more")
        parser.add_argument("--max-seconds", type=float, default=None, help="stop after this many seconds")
        parser.add_argument("--lease", type=float, default=None, help="seconds a claim lasts without a beat")
        parser.add_argument("--no-tasks", action="store_true", help="publish only, run no background task")
        parser.add_argument(
            "--no-collect", action="store_true", help="do not collect metrics nor send scheduled reports"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        policy = Policy.from_env()
        if options["lease"]:
            policy = Policy(**{**policy.__dict__, "lease_seconds": options["lease"]})

        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        worker = Worker(threads=options["threads"], poll=options["poll"], policy=policy, once=options["once"],
                        max_seconds=options["max_seconds"], say=say)  # fmt: skip
        worker.install_signals()
        tasks = None if options["no_tasks"] or options["once"] else start_tasks_thread(worker.worker_id)
        # Metric collection and scheduled reports (analytics), one round a minute; claims keep workers apart.
        quiet = options["no_tasks"] or options["no_collect"] or options["once"]
        scheduler = None if quiet else start_scheduler_thread(worker.worker_id)
        try:
            worker.run()
        finally:
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=10)
            if tasks is not None:
                tasks_worker, thread = tasks
                tasks_worker.running = False
                thread.join(timeout=10)
