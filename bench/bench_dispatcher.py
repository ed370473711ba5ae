"""Benchmark of the publishing dispatcher: real ``harmonie worker`` processes publishing to the loopback sink.

Run from the repository root:

    .venv/bin/python bench/bench_dispatcher.py                       # SQLite (a file in a temporary folder)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_dispatcher.py
    .venv/bin/python bench/bench_dispatcher.py --posts 1000 --workers 1 3 --threads 8 --sink-delay 0.005

On PostgreSQL it creates a database of its own on that server (``harmonie_bench_<pid>``) and drops it at the end;
on SQLite it uses a file under a temporary folder (``HARMONIE_VAR_DIR``), removed at the end.

For each number of workers: it migrates, loads the demo organization, makes 10 sink channels connected to a
loopback sink (``harmonie.publishing.testing.sink``, a tiny HTTP server on 127.0.0.1 that stores posts and
honours idempotency keys; ``--sink-delay`` is how long each of its answers takes), starts the workers, waits until
they beat, then writes N posts all due at the same second, a few seconds ahead (``bulk_create``, BYPASSING THE
SERVICES: no approval round, no network checks, no audit rows for their creation; what is measured starts when the
posts are due). It waits until every post is published and prints:

* throughput: posts published per second, from the due second to the last publication, in all and per worker;
* lateness: for each post, when the sink stored it minus when it was due: p50, p99, max;
* that every post was written once to the sink (no duplicate, none lost);
* the CPU time the worker processes used per post (user + system, Linux only): steadier than the throughput on a
  shared machine, where the throughput moves with what else runs.

Targets (issue 6): at least 200 posts/s per worker; p99 lateness under 2 s for 1,000 posts due at the same second.
"""

# ruff: noqa: T201, PLC0415
from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# This folder holds ``calendar.py`` (the calendar benchmark), named like the standard library's module that
# httpx imports: take the folder off the import path before anything else is imported.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

TARGET_RATE = 200.0  # posts/s per worker
TARGET_P99 = 2.0  # seconds
CHANNELS = 10


@dataclass
class Result:
    workers: int
    posts: int
    seconds: float
    p50: float
    p99: float
    worst: float
    first: float  # the first post's lateness: how long the worker took to wake up and make its first call
    duplicates: int
    missing: int
    cpu_ms: float  # CPU time the workers used per post (user + system), from the due second to the last post

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds else 0.0

    @property
    def per_worker(self) -> float:
        return self.rate / self.workers


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux ``/proc``; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _pg_database(url: str, name: str, *, create: bool) -> str:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_once(workers: int, posts: int, threads: int, sink_delay: float, var_dir: Path) -> Result:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from harmonie.config.demo import load_all
    from harmonie.governance.models import Market
    from harmonie.publishing.models import Publication
    from harmonie.publishing.testing.processes import Workers, wait_final
    from harmonie.publishing.testing.setup import connect_sink, due_posts, sink_channel
    from harmonie.publishing.testing.sink import SinkServer

    call_command("flush", interactive=False, verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):  # the demo's e-mails go to the console backend
        org, _created = load_all()
    markets = list(Market.objects.filter(organization=org, code__in=["FR", "DE", "US", "BR", "JP"]))
    with SinkServer(delay=sink_delay) as sink:
        channels = []
        for i in range(CHANNELS):
            channel = sink_channel(organization=org, market=markets[i % len(markets)], handle=f"bench-{i:02d}")
            connect_sink(channel=channel, url=sink.url)
            channels.append(channel)
        logs = var_dir / f"logs-{workers}"
        logs.mkdir(exist_ok=True)
        group = Workers(logs, threads=threads, poll=0.5, lease=30)
        try:
            for _n in range(workers):
                group.start()
            group.wait_live(workers, timeout=120)
            due = (timezone.now() + dt.timedelta(seconds=3)).replace(microsecond=0)
            made = []
            for i, channel in enumerate(channels):
                share = posts // CHANNELS + (1 if i < posts % CHANNELS else 0)
                made += due_posts(channel=channel, count=share, at=due, text="Bench post {n} on " + channel.handle)
            connection.close()  # the workers write; this process only reads from here on
            cpu_before = _cpu_seconds(group.pids())
            wait_final(made, 600, group)
            cpu = _cpu_seconds(group.pids()) - cpu_before
        finally:
            codes = group.stop()
        if any(codes):
            print(group.output())
        pubs = list(Publication.objects.filter(post__in=made).values_list("published_at", "due_at", "status"))
        lateness = [(p - d).total_seconds() for p, d, s in pubs if s == "published" and p is not None]
        last = max(p for p, _d, s in pubs if s == "published" and p is not None)
        writes = sink.state.writes
        return Result(
            workers=workers, posts=len(lateness), seconds=(last - due).total_seconds(),
            p50=statistics.median(lateness), p99=_percentile(lateness, 0.99), worst=max(lateness), first=min(lateness),
            duplicates=sum(1 for n in writes.values() if n > 1) + len(sink.replayed()),
            missing=len(made) - len(writes), cpu_ms=cpu * 1000 / max(1, len(made)),
        )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000, help="posts due at the same second (default 1000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3], help="worker counts to run (default 1 3)")
    parser.add_argument("--threads", type=int, default=8, help="sending threads per worker (default 8)")
    parser.add_argument("--sink-delay", type=float, default=0.0, help="seconds each sink answer takes (default 0)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and PostgreSQL database)")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="harmonie-bench-dispatcher-"))
    os.environ["HARMONIE_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "harmonie.config.settings"
    os.environ.setdefault("HARMONIE_LOG_LEVEL", "ERROR")
    os.environ["HARMONIE_EXTRA_CONNECTORS"] = "harmonie.publishing.testing.sink"
    from harmonie.core.crypto import generate_key_entry

    os.environ["HARMONIE_ENCRYPTION_KEYS"] = generate_key_entry("bench")
    base_url = os.environ.get("DATABASE_URL", "")
    pg_name = f"harmonie_bench_{os.getpid()}"
    if base_url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = _pg_database(base_url, pg_name, create=True)
        backend = "PostgreSQL"
    else:
        os.environ.pop("DATABASE_URL", None)
        backend = "SQLite (WAL, file)"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"dispatcher benchmark on {backend}, {os.cpu_count()} CPU(s): {args.posts} posts due at the same "
              f"second, {CHANNELS} sink channels, {args.threads} threads per worker, "
              f"sink answer delay {args.sink_delay * 1000:.0f} ms")  # fmt: skip
        results = [run_once(n, args.posts, args.threads, args.sink_delay, var_dir) for n in args.workers]
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            if base_url.startswith(("postgres://", "postgresql://")):
                _pg_database(base_url, pg_name, create=False)
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            print(f"kept {var_dir}")
    ok = True
    print(f"{'workers':>7} {'posts':>6} {'seconds':>8} {'posts/s':>8} {'per worker':>10} {'p50 late':>9} "
          f"{'p99 late':>9} {'max late':>9} {'first':>7} {'dup':>4} {'lost':>4} {'CPU/post':>9}")  # fmt: skip
    for r in results:
        print(f"{r.workers:>7} {r.posts:>6} {r.seconds:>8.2f} {r.rate:>8.0f} {r.per_worker:>10.0f} {r.p50:>8.2f}s "
              f"{r.p99:>8.2f}s {r.worst:>8.2f}s {r.first:>6.2f}s {r.duplicates:>4} {r.missing:>4} "
              f"{r.cpu_ms:>6.2f} ms")  # fmt: skip
    for r in results:
        rate_ok, late_ok = r.per_worker >= TARGET_RATE, r.p99 < TARGET_P99
        ok = ok and r.duplicates == 0 and r.missing == 0
        once = "PASS" if not (r.duplicates or r.missing) else "FAIL"
        print(f"{r.workers} worker(s): throughput {r.per_worker:.0f} posts/s per worker (target >= {TARGET_RATE:.0f}): "
              f"{'PASS' if rate_ok else 'MISS'}; p99 lateness {r.p99:.2f} s (target < {TARGET_P99:.0f} s): "
              f"{'PASS' if late_ok else 'MISS'}; exactly once: {once}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
