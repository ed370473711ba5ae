"""What the engine asks of the connections service (``harmonie.connectors.services``): a channel's credentials
just before a call, a forced refresh after the network said the token expired (the service refreshes under its
per-account lock), and "this channel needs attention". A channel without a working connection comes back as
``ConnectorError(AUTH_REVOKED)`` with the service's message (which says what to do), so that the engine treats
every "nobody can act as this account" the same way: the post fails with the reason, never silently waits.

A worker keeps a channel's decrypted credentials for ``CACHE_SECONDS`` (a burst of posts to one account reads
and decrypts them once), never past ten minutes before they expire, and forgets them at once when the network
refuses them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.utils import timezone

from harmonie.connectors.base import Connector, ConnectorError, Credentials, ErrorKind
from harmonie.connectors.services import connection_mark_needs_attention, connection_refresh
from harmonie.core.errors import DomainError
from harmonie.governance.models import Channel

CACHE_SECONDS = 10.0
EXPIRY_MARGIN = dt.timedelta(minutes=10)
_cache: dict[int, tuple[float, Credentials]] = {}
_lock = threading.Lock()


def _remember(channel_id: int, found: Credentials) -> Credentials:
    with _lock:
        _cache[channel_id] = (time.monotonic(), found)
    return found


def forget(channel_id: int) -> None:
    with _lock:
        _cache.pop(channel_id, None)


def forget_all() -> None:
    with _lock:
        _cache.clear()


def credentials(*, channel: Channel, connector: Connector) -> Credentials:
    """The channel's decrypted credentials, refreshed first when they expire soon (``connector`` is the channel's:
    kept for connectors that will want a say)."""
    with _lock:
        hit = _cache.get(channel.pk)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        expires = hit[1].expires_at
        if expires is None or expires - timezone.now() > EXPIRY_MARGIN:
            return hit[1]
    try:
        return _remember(channel.pk, connection_refresh(channel=channel))
    except DomainError as exc:  # not connected, or needs attention already
        forget(channel.pk)
        raise ConnectorError(ErrorKind.AUTH_REVOKED, exc.message, code=exc.code) from exc


def refresh(*, channel: Channel, connector: Connector) -> Credentials:
    """New credentials after the network refused the token as expired."""
    forget(channel.pk)
    try:
        return _remember(channel.pk, connection_refresh(channel=channel, force=True))
    except DomainError as exc:
        raise ConnectorError(ErrorKind.AUTH_REVOKED, exc.message, code=exc.code) from exc


def mark_needs_attention(*, channel: Channel, kind: str, message: str) -> None:
    """Flag the channel's connection (shown on the Connections page, its managers told once)."""
    forget(channel.pk)
    connection_mark_needs_attention(channel=channel, kind=kind, message=message)
