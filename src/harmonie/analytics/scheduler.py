"""The periodic analytics loop: discover what to track, read the metrics due, send the reports due.

``run_periodic`` does one round; ``start_scheduler_thread`` runs rounds on a daemon thread of ``harmonie worker``
(every ``interval`` seconds until its stop flag is set); ``harmonie collect`` runs them from the command line (once,
for cron, or in a loop). Several workers may run the loop at once: every piece of work is claimed in the database
first (see ``services.collection``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from harmonie.analytics.services import collection

log = logging.getLogger(__name__)
REPORTS_MODULE = "harmonie.analytics.services.reports"
REPORTS_HOOK = "report_schedules_run_due"


@dataclass
class Round:
    """What one round did."""

    posts_discovered: int = 0
    channels_discovered: int = 0
    posts_collected: int = 0
    posts_failed: int = 0
    channels_collected: int = 0
    channels_failed: int = 0
    reports: object = None  # what the reports hook returned (None: no hook yet)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"discovered {self.posts_discovered} post(s) and {self.channels_discovered} channel(s); "
            f"posts read {self.posts_collected}, failed {self.posts_failed}; "
            f"channels read {self.channels_collected}, failed {self.channels_failed}"
        )


def _reports_hook() -> Callable[..., object] | None:
    """The reports engineer's ``report_schedules_run_due``, when it exists."""
    try:
        module = importlib.import_module(REPORTS_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != REPORTS_MODULE:
            raise  # the module exists but something it imports does not: a real error
        return None
    hook = getattr(module, REPORTS_HOOK, None)
    return hook if callable(hook) else None


def run_periodic(*, now: dt.datetime | None = None, post_limit: int = 500, channel_limit: int = 200) -> Round:
    """One round: discover, collect the posts due, collect the channels due, run the reports due."""
    now = now or timezone.now()
    done = Round()
    done.posts_discovered, done.channels_discovered = collection.collections_discover(now=now)
    posts = collection.post_metrics_collect(now=now, limit=post_limit)
    channels = collection.channel_metrics_collect(now=now, limit=channel_limit)
    done.posts_collected, done.posts_failed = posts.collected, posts.failed
    done.channels_collected, done.channels_failed = channels.collected, channels.failed
    done.errors = [*posts.errors, *channels.errors]
    hook = _reports_hook()
    if hook is not None:
        done.reports = hook(now=now)
    return done


class SchedulerThread(threading.Thread):
    """Rounds every ``interval`` seconds until ``stop()``; a failed round is logged and the next one runs."""

    def __init__(self, worker_id: str, interval: float = 60.0) -> None:
        super().__init__(name="analytics", daemon=True)
        self.worker_id = worker_id
        self.interval = max(1.0, interval)
        self.stopping = threading.Event()
        self.rounds = 0

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        log.info("analytics scheduler started on %s (every %g s)", self.worker_id, self.interval)
        try:
            while not self.stopping.is_set():
                try:
                    done = run_periodic()
                    self.rounds += 1
                    if done.posts_collected or done.channels_collected or done.errors:
                        log.info("analytics round on %s: %s", self.worker_id, done.summary())
                except DatabaseError:
                    log.exception("analytics round on %s: database error, trying again", self.worker_id)
                except Exception:  # a bug must not stop collection for good: logged, the next round runs
                    log.exception("analytics round on %s failed", self.worker_id)
                finally:
                    close_old_connections()
                self.stopping.wait(self.interval)
        finally:
            close_old_connections()


def start_scheduler_thread(worker_id: str, interval: float = 60.0) -> SchedulerThread:
    """Start the loop on a daemon thread; ``thread.stop()`` then ``thread.join()`` to end it."""
    thread = SchedulerThread(worker_id, interval)
    thread.start()
    return thread
