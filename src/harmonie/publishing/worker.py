"""The publishing worker: the loop behind ``harmonie worker``.

One process = one worker, named ``host:pid:start``. Its main thread claims due publications in short
transactions (``services.claims``, which also record each new publication's first attempt), hands them to a pool
of threads that make the network calls (``services.sending``), beats every few seconds (renewing the leases of
what it owns), and sleeps until the next piece of work falls due or its poll interval passes, whichever is
sooner. The pool is kept at most eight times as full as it has threads (a claim takes about half that at once);
per-account caps and budgets are applied by the claims, across all workers. One more thread, the recorder, writes
the successes in batches every ``RECORD_SECONDS`` (``services.outcomes``).

SIGTERM or SIGINT: stop claiming, give back what was claimed and not started (its lease ends at once), finish the
calls in flight, write what the recorder holds, say "stopped", exit. A second signal exits at once (what was in
flight, or published and not yet written, is reconciled by whoever takes it over when its lease ends).
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from importlib import metadata
from types import FrameType

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from harmonie.connectors import registry
from harmonie.publishing.models import Publication, PublicationAttempt
from harmonie.publishing.policy import Policy
from harmonie.publishing.services import (
    ClaimResult,
    claims_release,
    heartbeats_prune,
    next_due,
    publication_send,
    publications_claim,
    worker_beat,
    worker_stopped,
)
from harmonie.publishing.services.outcomes import Recorder

log = logging.getLogger(__name__)
CONNECTION_CHECK_SECONDS = 5.0
#: How often the recorder writes the successes it holds (a full batch is written at once).
RECORD_SECONDS = 0.05
#: Allocations between two collections of the youngest generation (Python's default: 700 in 3.12).
GC_THRESHOLD = 10_000
_thread_state = threading.local()


def _version() -> str:
    try:
        return metadata.version("harmonie")
    except metadata.PackageNotFoundError:
        return ""


class Worker:
    """``threads=0`` sends in the main thread (tests); ``once`` stops when nothing is due any more;
    ``max_seconds`` stops after that long."""

    def __init__(
        self,
        *,
        threads: int = 8,
        poll: float = 1.0,
        policy: Policy | None = None,
        once: bool = False,
        max_seconds: float | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.threads = max(0, threads)
        self.poll = max(0.01, poll)
        self.policy = policy or Policy.from_env()
        self.once = once
        self.max_seconds = max_seconds
        self.say = say or (lambda line: log.info("%s", line))
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.started_at = timezone.now()
        self.worker_id = f"{self.host}:{self.pid}:{int(self.started_at.timestamp())}"
        self.queue_limit = max(1, self.threads * 8)
        self.stopping = threading.Event()
        self.wakeup = threading.Event()
        self.handled = 0
        self.outcomes: dict[str, int] = {}
        self._lock = threading.Lock()
        self._futures: dict[Future[None], int] = {}
        self._last_beat = 0.0
        # With sending threads, successes are written in batches by the recorder thread; without (tests), at once.
        self.recorder = Recorder(worker_id=self.worker_id) if self.threads else None
        self._recording = threading.Event()

    # --- signals ------------------------------------------------------------------------------------------

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stopping.is_set():
            self.say(f"worker {self.worker_id}: {signal.strsignal(signum)} again, exiting now")
            os._exit(1)
        self.say(f"worker {self.worker_id}: {signal.strsignal(signum)}, finishing the calls in flight")
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.wakeup.set()

    # --- the loop -----------------------------------------------------------------------------------------

    def beat(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_beat < self.policy.heartbeat_seconds:
            return
        with self._lock:
            in_flight, handled = len(self._futures), self.handled
        worker_beat(worker_id=self.worker_id, host=self.host, pid=self.pid, started_at=self.started_at,
                    version=_version(), handled=handled, in_flight=in_flight, policy=self.policy)  # fmt: skip
        self._last_beat = time.monotonic()

    def _count(self, status: str) -> None:
        with self._lock:
            self.handled += 1
            key = str(status) or "lost"
            self.outcomes[key] = self.outcomes.get(key, 0) + 1

    def _send(
        self, publication_id: int, claimed: Publication | None = None, attempt: PublicationAttempt | None = None
    ) -> None:
        try:
            outcome = publication_send(
                publication_id=publication_id, worker_id=self.worker_id, policy=self.policy, claimed=claimed,
                attempt=attempt, recorder=self.recorder,
            )  # fmt: skip
            if not outcome.deferred:  # a deferred success is counted when the recorder writes it
                self._count(outcome.status)
        finally:
            if self.threads and time.monotonic() - getattr(_thread_state, "checked", 0.0) > CONNECTION_CHECK_SECONDS:
                close_old_connections()  # now and then, as Django does between requests
                _thread_state.checked = time.monotonic()

    def record(self) -> int:
        """Write the successes the recorder holds (all of them, batch after batch). Returns how many were written."""
        written = 0
        while self.recorder is not None and len(self.recorder):
            for item, recorded in self.recorder.flush():
                self._count(item.publication.status if recorded else "")
                written += 1
        return written

    def _record_loop(self) -> None:
        """The recorder thread: every ``RECORD_SECONDS`` (or at once when a batch is full), write what waits."""
        assert self.recorder is not None
        checked = time.monotonic()
        while not self._recording.is_set():
            self.recorder.ready.wait(RECORD_SECONDS)
            try:
                self.record()
            except Exception:  # never let the thread die: what it holds would stay "sending", its leases renewed
                log.exception("worker %s: could not record published posts, trying again", self.worker_id)
                close_old_connections()
                self._recording.wait(self.poll)
            if time.monotonic() - checked > CONNECTION_CHECK_SECONDS:
                close_old_connections()
                checked = time.monotonic()

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.pop(future, None)
            room = self.queue_limit - len(self._futures)
        if not future.cancelled() and future.exception() is not None:
            log.error("worker %s: a send failed", self.worker_id, exc_info=future.exception())
        if room * 2 >= self.queue_limit:
            self.wakeup.set()

    def _sleep_for(self, result: ClaimResult, room_left: int) -> float:
        """How long to wait before the next claim (a finished send wakes the loop early when the pool half-empties)."""
        if result.more:
            if result.claimed and room_left > 0:
                return 0.0  # more is due and there is room: claim again at once
            return self.poll if room_left <= 0 else 0.05  # full: wait for room; held by caps: look again soon
        due = next_due()
        if due is None:
            return self.poll
        return min(self.poll, max(0.005, (due - timezone.now()).total_seconds()))

    def run(self) -> int:
        """Work until stopped (or nothing is due with ``once``, or ``max_seconds`` passed). Returns how many
        publications this worker brought to an outcome."""
        deadline = time.monotonic() + self.max_seconds if self.max_seconds else None
        pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="publish") if self.threads else None
        registry.networks()  # import the connectors now, not in the first claim (seconds, holding its locks)
        # What is loaded by now (Django, the connectors, their SDKs) lives as long as the process: out of the garbage
        # collector's sight, and the young generation collected less often, as a burst of claims allocates a lot.
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        recording = None
        if self.recorder is not None:
            recording = threading.Thread(target=self._record_loop, name="publish-recorder", daemon=True)
            recording.start()
        self.beat(force=True)
        heartbeats_prune()
        self.say(f"worker {self.worker_id}: started ({self.threads} threads, poll {self.poll:g} s)")
        try:
            while not self.stopping.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                try:
                    self.beat()
                    with self._lock:
                        room = self.queue_limit - len(self._futures)
                    result = publications_claim(worker_id=self.worker_id, limit=room, policy=self.policy)
                    claimed = result.claimed
                    for publication_id in claimed:
                        preloaded = result.loaded.get(publication_id)
                        attempt = result.attempts.get(publication_id)
                        if pool is None:
                            self._send(publication_id, preloaded, attempt)
                            continue
                        future = pool.submit(self._send, publication_id, preloaded, attempt)
                        with self._lock:
                            self._futures[future] = publication_id
                        future.add_done_callback(self._done)
                    with self._lock:
                        busy, room_left = bool(self._futures), self.queue_limit - len(self._futures)
                    if self.once and not claimed and not busy:
                        break
                    timeout = 0.0 if pool is None and claimed else self._sleep_for(result, room_left)
                except DatabaseError:
                    log.exception("worker %s: database error, trying again", self.worker_id)
                    close_old_connections()
                    timeout = self.poll
                self.wakeup.wait(timeout)
                self.wakeup.clear()
        finally:
            self._shutdown(pool, recording)
        return self.handled

    def _shutdown(self, pool: ThreadPoolExecutor | None, recording: threading.Thread | None = None) -> None:
        with self._lock:
            queued = list(self._futures.items())
        waiting = [(f, pid) for f, pid in queued if f.cancel()]  # outside the lock: cancel() runs _done
        released = claims_release(worker_id=self.worker_id, publication_ids=[pid for _f, pid in waiting])
        if released:
            self.say(f"worker {self.worker_id}: gave back {released} claimed publication(s)")
        while True:
            with self._lock:
                running = [f for f in self._futures if not f.done()]
            if not running:
                break
            self.beat()  # keep the leases of the calls in flight while they finish
            wait(running, timeout=self.policy.heartbeat_seconds)
        if pool is not None:
            pool.shutdown(wait=True)
        self._recording.set()
        if recording is not None:
            recording.join(timeout=30)
        try:
            self.record()  # what the last calls published
        except Exception:  # left as they are: sending, attempt open, reconciled by whoever takes them over
            log.exception("worker %s: could not record the last published posts", self.worker_id)
        worker_stopped(worker_id=self.worker_id, handled=self.handled)
        self.say(f"worker {self.worker_id}: stopped after {self.handled} publication(s) {self.outcomes}")
