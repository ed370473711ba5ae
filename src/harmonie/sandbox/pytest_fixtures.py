"""Session fixtures that start a real local Bluesky network (loaded with ``-p harmonie.sandbox.pytest_fixtures``).

``bluesky_pds`` (PLC + PDS) and ``bluesky_full`` (+ AppView) start once per test session, on first use, and stop at
its end. Ports come from ``HARMONIE_BLUESKY_PORT_BASE`` (default 12582) so that two test sessions on one machine
can run side by side: the pds network takes base .. base + 1, the full one base + 10 .. base + 15 (PLC, PDS,
AppView = +10, +11, +12, Ozone +15), so both can run in one session. A network that does not come up fails the
tests that need it, with the end of its stderr; it never skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harmonie.sandbox.bluesky import DEFAULT_PORT_BASE, BlueskyNotReady, LocalBluesky

FULL_OFFSET = 10
READY_TIMEOUT = float(os.environ.get("HARMONIE_BLUESKY_READY_TIMEOUT", "120"))


def port_base() -> int:
    return int(os.environ.get("HARMONIE_BLUESKY_PORT_BASE", DEFAULT_PORT_BASE))


def _network(mode: str, base: int, database: str | None = None) -> Iterator[LocalBluesky]:
    network = LocalBluesky(mode, port_base=base, database=database)
    try:
        network.start(timeout=READY_TIMEOUT)
    except BlueskyNotReady as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield network
    finally:
        network.stop()


@pytest.fixture(scope="session")
def bluesky_pds() -> Iterator[LocalBluesky]:
    """A local PLC directory + PDS: accounts, records, blobs (no app.bsky.* reads)."""
    yield from _network("pds", port_base())


@pytest.fixture(scope="session")
def bluesky_full() -> Iterator[LocalBluesky]:
    """A local PLC + PDS + AppView (counts, profiles, notifications) on the machine's PostgreSQL. Its database is
    named after its ports, so a run killed before it could drop it is cleaned by the next run on those ports."""
    base = port_base() + FULL_OFFSET
    yield from _network("full", base, database=f"harmonie_bsky_test_{base}")
