"""``harmonie worker`` processes on a test database, for the multi-process tests and the benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

from harmonie.content.models import Post
from harmonie.publishing.models import WorkerHeartbeat

FINAL = frozenset({"published", "failed", "unconfirmed"})


def database_url() -> str:
    """The URL of the database this process uses (the test database under pytest), for the workers."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Workers:
    """A group of ``harmonie worker`` processes; their output goes to ``<logs>/worker-<n>.log``."""

    def __init__(
        self,
        logs: Path,
        *,
        lease: float = 2.0,
        threads: int = 4,
        poll: float = 0.2,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.env.update(
            DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="harmonie.config.settings",
            HARMONIE_VAR_DIR=str(logs), HARMONIE_EXTRA_CONNECTORS="harmonie.publishing.testing.sink",
            HARMONIE_PUBLISH_LEASE_SECONDS=str(lease), HARMONIE_WORKER_HEARTBEAT_SECONDS="0.3",
            HARMONIE_LOG_LEVEL="WARNING",
        )  # fmt: skip
        self.env.update(extra_env or {})
        self.threads = threads
        self.poll = poll
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
        command = [sys.executable, "-m", "harmonie.config.cli", "worker", "--threads", str(self.threads), "--poll",
                   str(self.poll), "--no-tasks"]  # fmt: skip
        proc = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - ours
        self.procs.append(proc)
        return proc

    def wait_live(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` workers beat (they are up and polling)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(stopped_at__isnull=True, pid__in=self.pids()).count() >= count:
                return
            if any(p.poll() is not None for p in self.procs):
                raise AssertionError(f"a worker exited: {self.output()}")
            time.sleep(0.1)
        raise AssertionError(f"{count} workers did not start: {self.output()}")

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.logs.glob("worker-*.log")))

    def stop(self) -> list[int | None]:
        """SIGTERM to each, then wait (SIGKILL after 30 s). Returns their exit codes."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=30))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        return codes

    def kill_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def wait_final(posts: Iterable[Post], timeout: float, workers: Workers | None = None) -> dict[str, int]:
    """Until every post is published, failed or unconfirmed; returns the count per status."""
    ids = [p.pk for p in posts]
    deadline = time.monotonic() + timeout
    statuses: Counter[str] = Counter()
    while time.monotonic() < deadline:
        statuses = Counter(Post.objects.filter(pk__in=ids).values_list("status", flat=True))
        if set(statuses) <= FINAL:
            return dict(statuses)
        time.sleep(0.2)
    raise AssertionError(f"not done in {timeout} s: {dict(statuses)}\n{workers.output() if workers else ''}")
