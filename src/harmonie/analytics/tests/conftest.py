"""Analytics test fixtures: a scripted metrics network (answers and errors chosen by the test) and channels
connected to it, published posts with their publications."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from harmonie.connectors import registry
from harmonie.connectors.base import AccountInfo, Connector, ConnectorError, Credentials, PostMetrics, RemoteRef
from harmonie.content.models import MasterContent, Post
from harmonie.content.states import PostStatus
from harmonie.core.crypto import generate_key_entry
from harmonie.governance.models import Channel, Market, Organization
from harmonie.publishing import connections
from harmonie.publishing.models import Publication
from harmonie.publishing.states import PublicationStatus
from harmonie.publishing.testing.setup import connect_sink

SCRIPTED = "scripted"


@dataclass
class Script:
    """What the scripted network answers: counts per remote id, followers, and errors to raise first (in order)."""

    metrics: dict[str, PostMetrics] = field(default_factory=dict)
    followers: int | None = None
    errors: list[ConnectorError] = field(default_factory=list)
    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def _next_error(self) -> None:
        if self.errors:
            raise self.errors.pop(0)


class ScriptedConnector(Connector):
    """A network stand-in for collection tests: a MetricsReader and an AccountReader that answer from ``script``."""

    network: ClassVar[str] = SCRIPTED
    label: ClassVar[str] = "Scripted network (tests)"
    auth: ClassVar[str] = "token"
    script: ClassVar[Script] = Script()

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        self.script.calls.append(("metrics", tuple(r.remote_id for r in refs)))
        self.script._next_error()
        return {r.remote_id: self.script.metrics[r.remote_id] for r in refs if r.remote_id in self.script.metrics}

    def account_info(self, credentials: Credentials) -> AccountInfo:
        self.script.calls.append(("account", (credentials.handle,)))
        self.script._next_error()
        return AccountInfo(account_id="1", handle=credentials.handle, followers=self.script.followers)


@pytest.fixture(autouse=True)
def _encryption_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", generate_key_entry("analytics-test"))
    connections.forget_all()
    yield
    connections.forget_all()


@pytest.fixture
def script() -> Iterator[Script]:
    ScriptedConnector.script = Script()
    registry.register(ScriptedConnector)
    yield ScriptedConnector.script
    registry.unregister(SCRIPTED)


@pytest.fixture
def scripted_channel(demo_org: Organization, market: Callable[[str], Market], script: Script) -> Callable[..., Channel]:
    """``scripted_channel("FR")``: a channel of that market on the scripted network, connected."""

    def make(code: str = "FR", handle: str = "", tz: str = "") -> Channel:
        owner = market(code)
        channel = Channel.objects.create(
            organization=demo_org, network=SCRIPTED, handle=handle or f"scripted-{uuid.uuid4().hex[:6]}",
            display_name=f"Scripted {code}", owner_market=owner, timezone=tz or owner.timezone,
        )  # fmt: skip
        connect_sink(channel=channel, url="http://127.0.0.1:9")
        return channel

    return make


@pytest.fixture
def published_post() -> Callable[..., Post]:
    """``published_post(channel, at, remote_id)``: a published post and its publication (as the engine leaves
    them), text from the organization's first master."""

    def make(channel: Channel, at: dt.datetime, remote_id: str = "", *, uri: str = "", cid: str = "") -> Post:
        master = MasterContent.objects.filter(organization_id=channel.organization_id).order_by("pk").first()
        assert master is not None
        post = Post.objects.create(
            organization_id=channel.organization_id, channel=channel, market_id=channel.owner_market_id,
            master=master, text=master.body[:200], scheduled_at=at, status=PostStatus.PUBLISHED,
        )  # fmt: skip
        Publication.objects.create(
            organization_id=channel.organization_id, post=post, channel=channel, status=PublicationStatus.PUBLISHED,
            due_at=at, idempotency_key=uuid.uuid4().hex, remote_id=remote_id or uuid.uuid4().hex[:12],
            remote_uri=uri, remote_cid=cid, published_at=at,
        )  # fmt: skip
        return post

    return make
