"""Publishing test fixtures: a loopback sink server, sink channels connected to it, a patient policy."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from harmonie.core.crypto import generate_key_entry
from harmonie.governance.models import Channel, Market, Organization
from harmonie.publishing import connections
from harmonie.publishing.policy import Policy
from harmonie.publishing.services import blocking
from harmonie.publishing.testing import sink as sink_module
from harmonie.publishing.testing.setup import connect_sink, sink_channel
from harmonie.publishing.testing.sink import SinkServer
from harmonie.publishing.worker import Worker

assert sink_module.NETWORK == "sink"  # importing the module registers the sink's connector


@pytest.fixture(autouse=True)
def _encryption_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tokens are encrypted with a key of the test's own, not one written under var/; no credentials a previous
    test's worker kept in memory."""
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", generate_key_entry("test"))
    connections.forget_all()
    blocking.forget()
    yield
    connections.forget_all()
    blocking.forget()


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    with SinkServer() as server:
        yield server


@pytest.fixture
def sink_for(demo_org: Organization, market: Callable[[str], Market], sink: SinkServer) -> Callable[..., Channel]:
    """``sink_for("FR", "vireo-fr-sink")``: a sink channel owned by that market, connected to the sink server."""

    def make(code: str, handle: str, **tokens: str) -> Channel:
        channel = sink_channel(organization=demo_org, market=market(code), handle=handle)
        connect_sink(channel=channel, url=sink.url, **tokens)
        return channel

    return make


@pytest.fixture
def fr_sink(sink_for: Callable[..., Channel]) -> Channel:
    return sink_for("FR", "vireo-fr-sink")


@pytest.fixture
def policy() -> Policy:
    return Policy(lease_seconds=30, max_attempts=4, backoff_seconds=10, backoff_max_seconds=600,
                  heartbeat_seconds=0, stale_seconds=30)  # fmt: skip


@pytest.fixture
def work(policy: Policy) -> Callable[..., Worker]:
    """Run a worker in this thread until nothing is due any more."""

    def run(**overrides: object) -> Worker:
        worker = Worker(threads=0, poll=0.01, policy=overrides.pop("policy", policy), once=True)  # type: ignore[arg-type]
        worker.run()
        return worker

    return run
