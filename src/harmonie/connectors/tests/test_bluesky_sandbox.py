"""``harmonie sandbox`` against the session's local Bluesky network: the demo's Bluesky channels get local accounts,
are connected through the connections service, and what they publish shows in ``harmonie sandbox --show``."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from harmonie.connectors.base import PublishRequest
from harmonie.connectors.bluesky import BlueskyConnector
from harmonie.connectors.models import ChannelConnection, ConnectionStatus
from harmonie.connectors.services import credentials_for
from harmonie.core import crypto
from harmonie.governance.models import Channel, Organization
from harmonie.sandbox.bluesky import LocalBluesky, list_records
from harmonie.sandbox.demo import local_handle

pytestmark = pytest.mark.django_db


def _sandbox(*args: str) -> str:
    out = io.StringIO()
    call_command("harmonie_sandbox", *args, stdout=out)
    return out.getvalue()


def test_local_handles() -> None:
    assert local_handle("vireo.bsky.social") == "vireo.test"
    assert local_handle("@Vireo-FR.bsky.social", "cmd-") == "cmd-vireo-fr.test"


def test_sandbox_connects_the_demo_bluesky_channels(
    bluesky_pds: LocalBluesky, demo_org: Organization, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", crypto.generate_key_entry("sandbox"))
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True  # the local network listens on 127.0.0.1
    pds = bluesky_pds.pds_url

    report = _sandbox("--pds-url", pds, "--handle-prefix", "cmd-", "--password", "sandbox-pass-1")
    _sandbox("--pds-url", pds, "--handle-prefix", "cmd-", "--password", "sandbox-pass-1")  # again: same accounts

    connections = ChannelConnection.objects.filter(channel__organization=demo_org).select_related("channel")
    rows = sorted((c.channel.handle, c.handle, c.service_url, c.status) for c in connections)
    assert rows == [
        ("vireo-fr.bsky.social", "cmd-vireo-fr.test", pds, ConnectionStatus.CONNECTED),
        ("vireo.bsky.social", "cmd-vireo.test", pds, ConnectionStatus.CONNECTED),
    ]
    dids = {c.handle: c.account_id for c in connections}
    assert all(did.startswith("did:plc:") for did in dids.values())
    reader = bluesky_pds.create_session("cmd-sandbox-reader.test", "sandbox-pass-1")["did"]
    follows = sorted(r["value"]["subject"] for r in list_records(pds, reader, "app.bsky.graph.follow"))
    assert follows == sorted(dids.values())  # followed once, even after the second run
    assert f"cmd-vireo.test               {dids['cmd-vireo.test']}" in report

    channel = Channel.objects.get(organization=demo_org, handle="vireo-fr.bsky.social")
    published = BlueskyConnector().publish(
        credentials_for(channel=channel),
        PublishRequest(text="Bonjour depuis le bac à sable", idempotency_key="3kzzzzzzzzz22"),
    )
    assert published.uri == f"at://{dids['cmd-vireo-fr.test']}/app.bsky.feed.post/3kzzzzzzzzz22"
    shown = _sandbox("--show")
    assert "Vireo France (Bluesky): cmd-vireo-fr.test on " + pds + ", latest 1" in shown
    assert "3kzzzzzzzzz22  Bonjour depuis le bac à sable" in shown
    assert "Vireo Group (Bluesky): cmd-vireo.test on " + pds + ", latest 0" in shown
