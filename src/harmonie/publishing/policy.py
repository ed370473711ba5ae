"""How patient the engine is: leases, retries, backoff, when a worker counts as gone. Read from the environment
(``HARMONIE_PUBLISH_*``), overridable per worker (``harmonie worker --lease …``) and per test."""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass(frozen=True)
class Policy:
    lease_seconds: float = 30.0  # a claim a worker does not renew within this is taken over
    max_attempts: int = 6  # publish calls before a retryable failure becomes final
    backoff_seconds: float = 5.0  # first wait after a retryable failure, doubled each time…
    backoff_max_seconds: float = 900.0  # …up to this
    heartbeat_seconds: float = 5.0
    stale_seconds: float = 30.0  # no beat for this long: the worker is gone (/health says "degraded")

    @classmethod
    def from_env(cls) -> Policy:
        return cls(
            lease_seconds=_env_float("HARMONIE_PUBLISH_LEASE_SECONDS", cls.lease_seconds),
            max_attempts=int(_env_float("HARMONIE_PUBLISH_MAX_ATTEMPTS", cls.max_attempts)),
            backoff_seconds=_env_float("HARMONIE_PUBLISH_BACKOFF_SECONDS", cls.backoff_seconds),
            backoff_max_seconds=_env_float("HARMONIE_PUBLISH_BACKOFF_MAX_SECONDS", cls.backoff_max_seconds),
            heartbeat_seconds=_env_float("HARMONIE_WORKER_HEARTBEAT_SECONDS", cls.heartbeat_seconds),
            stale_seconds=_env_float("HARMONIE_WORKER_STALE_SECONDS", cls.stale_seconds),
        )

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.lease_seconds)

    def backoff(self, attempt: int, retry_after: float | None = None) -> dt.timedelta:
        """The wait before the next try after ``attempt`` failed: what the network asked for (plus up to 10 % so
        that waiting workers do not all come back at the same instant), else exponential with jitter ("equal
        jitter": half fixed, half random)."""
        if retry_after is not None and retry_after > 0:
            return dt.timedelta(seconds=retry_after * (1 + random.random() / 10))  # noqa: S311 - not security
        ceiling = min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempt - 1))
        return dt.timedelta(seconds=ceiling / 2 + random.random() * ceiling / 2)  # noqa: S311


DEFAULT = Policy()
