"""The local Bluesky network itself: loopback only, and a start that fails says why."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from harmonie.sandbox.bluesky import BlueskyNotReady, LocalBluesky


def _listening(port: int) -> set[str]:
    """Local addresses of the TCP sockets listening on ``port`` (Linux /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_every_service_listens_on_loopback_only(bluesky_pds: LocalBluesky) -> None:
    ports = bluesky_pds.info["ports"]
    assert _listening(ports["plc"]) == {"0100007F"}  # 127.0.0.1, nothing on 0.0.0.0 or ::
    assert _listening(ports["pds"]) == {"0100007F"}
    health = httpx.get(f"{bluesky_pds.pds_url}/xrpc/_health", timeout=10)
    assert health.json() == {"version": "0.5.35"}
    assert bluesky_pds.pds_url == f"http://127.0.0.1:{bluesky_pds.port_base + 1}"


def test_a_network_that_cannot_start_fails_with_its_stderr(bluesky_pds: LocalBluesky) -> None:
    second = LocalBluesky("pds", port_base=bluesky_pds.port_base)  # the same ports: taken
    with pytest.raises(BlueskyNotReady) as failed:
        second.start(timeout=60)
    message = str(failed.value)
    assert message.startswith(
        f"The local Bluesky network (pds mode, ports from {bluesky_pds.port_base}) exited with code 1."
    )
    assert re.search(rf"EADDRINUSE: address already in use 127\.0\.0\.1:{bluesky_pds.port_base}\b", message)
    assert not second.running
    assert bluesky_pds.running
