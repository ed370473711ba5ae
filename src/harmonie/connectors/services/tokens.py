"""Tokens at work: the credentials a call needs, refreshing them under a per-account lock, and "needs attention".

These run as the system (the publishing worker, the scheduled refresh): no actor.

**The refresh lock.** :func:`connection_refresh` takes the connection row with ``SELECT ... FOR UPDATE`` inside a
transaction and calls the network while holding it, so that two processes never refresh one account at once
(X and others rotate refresh tokens: a refresh token used twice can kill the grant). After taking the lock it reads
the row again: when ``token_version`` moved since the caller looked, another process refreshed meanwhile and its
tokens are used as they are. On SQLite the write transaction (``BEGIN IMMEDIATE``) serializes the same way, for the
whole database (``busy_timeout`` is 10 s): the lock is held for one token request (``oauth.TIMEOUT``: 8 s).

**Dead tokens are never silent.** A refresh the network refuses for good (``auth_revoked``, or any error that is not
worth retrying) marks the connection *needs attention* with the reason, in the audit log, and notifies the members
who can reconnect the channel; then the error is raised to the caller. Retryable failures (``transient``,
``rate_limited``) change nothing and are raised for the caller to retry later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.connectors import oauth, registry
from harmonie.connectors.base import Capability, ConnectorError, Credentials, ErrorKind, TokenRefresher, TokenSet
from harmonie.connectors.models import ChannelConnection, ConnectionStatus
from harmonie.connectors.services.common import (
    ChannelNotConnected,
    apply_tokens,
    connection_snapshot,
    credentials,
    network_label,
    set_needs_attention,
)
from harmonie.core import crypto
from harmonie.core.audit import audit_record
from harmonie.governance.models import Channel

logger = logging.getLogger(__name__)


def _not_connected(channel: Channel, connection: ChannelConnection | None) -> ChannelNotConnected:
    values = {"network": network_label(channel.network), "channel": channel.display_name}
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return ChannelNotConnected(
            _("The %(network)s channel %(channel)s is not connected: connect it on the Connections page.") % values
        )
    return ChannelNotConnected(
        _("The %(network)s channel %(channel)s needs attention (%(reason)s): reconnect it on the Connections page.")
        % (values | {"reason": connection.last_error or connection.get_status_display()})
    )


def _readable(connection: ChannelConnection, channel: Channel) -> Credentials:
    """Decrypt; a value that no longer decrypts (damaged, moved, or from a key that was replaced) puts the channel in
    *needs attention*. A key missing from the keyring is the operator's to fix and is raised as it is."""
    try:
        return credentials(connection, channel)
    except crypto.DecryptionFailed:
        logger.exception("Stored secrets of channel %s do not decrypt", channel.pk)
        with transaction.atomic():
            locked = ChannelConnection.objects.select_for_update().get(pk=connection.pk)
            set_needs_attention(
                locked,
                channel,
                kind=ErrorKind.AUTH_REVOKED,
                message=_("Its stored token can no longer be read."),
            )
            connection.status = locked.status
            connection.last_error = locked.last_error
        raise _not_connected(channel, connection) from None


def credentials_for(*, channel: Channel) -> Credentials:
    """The decrypted credentials of a connected channel, for a network call. Raises :class:`ChannelNotConnected`
    when it is not connected or needs attention. Use :func:`connection_refresh` instead to get tokens refreshed
    first when they are about to expire."""
    connection = ChannelConnection.objects.select_related("app").filter(channel=channel).first()
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        raise _not_connected(channel, connection)
    return _readable(connection, channel)


def _due(connection: ChannelConnection, network: str) -> bool:
    if connection.access_token_encrypted == "" and connection.secret_encrypted != "":
        return True  # an app password without a session yet (connected before the connector was there)
    if connection.expires_at is None:
        return False
    return connection.expires_at - oauth.refresh_margin(network) <= timezone.now()


def _refresher(network: str) -> Callable[[Credentials], TokenSet]:
    """The connector's ``refresh`` when it has one, else the generic OAuth refresh for the network."""
    if registry.supports(network, Capability.REFRESH):
        connector = registry.get(network)
        assert isinstance(connector, TokenRefresher)
        return connector.refresh
    if oauth.supports_oauth(network):
        return lambda creds: oauth.refresh_tokens(network, creds)

    def cannot(_creds: Credentials) -> TokenSet:
        raise ConnectorError(
            ErrorKind.AUTH_REVOKED,
            _("Harmonie cannot renew %(network)s tokens: reconnect the channel.") % {"network": network_label(network)},
        )

    return cannot


def connection_refresh(*, channel: Channel, force: bool = False) -> Credentials:
    """Fresh credentials for ``channel``: refreshed when they expire soon (at 80 % of their life), or when
    ``force`` (after the network said the token expired). See the module's notes on the lock."""
    connection = ChannelConnection.objects.filter(channel=channel).first()
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        raise _not_connected(channel, connection)
    seen_version = connection.token_version
    if not force and not _due(connection, channel.network):
        return credentials_for(channel=channel)
    outcome: Credentials | Exception
    with transaction.atomic():
        locked = ChannelConnection.objects.select_for_update(of=("self",)).select_related("app").get(pk=connection.pk)
        if locked.status != ConnectionStatus.CONNECTED:
            outcome = _not_connected(channel, locked)
        else:
            outcome = _refresh_locked(locked, channel, force=force, seen_version=seen_version)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _refresh_locked(
    locked: ChannelConnection, channel: Channel, *, force: bool, seen_version: int
) -> Credentials | Exception:
    """Inside the lock: the credentials to use, or the error to raise once the transaction has committed (so that
    a *needs attention* marking is kept). Retryable network errors are raised at once (nothing was written)."""
    try:
        current = credentials(locked, channel)
    except crypto.DecryptionFailed:
        logger.exception("Stored secrets of channel %s do not decrypt", channel.pk)
        set_needs_attention(
            locked, channel, kind=ErrorKind.AUTH_REVOKED, message=_("Its stored token can no longer be read.")
        )
        return _not_connected(channel, locked)
    if locked.token_version != seen_version:
        return current  # another process refreshed while we waited for the lock: use its tokens
    if not force and not _due(locked, channel.network):
        return current
    before = connection_snapshot(locked)
    try:
        tokens = _refresher(channel.network)(current)
    except ConnectorError as exc:
        if exc.retryable:
            raise
        set_needs_attention(locked, channel, kind=exc.kind, message=exc.message)
        return exc
    apply_tokens(locked, tokens)
    locked.save()
    audit_record(
        organization_id=channel.organization_id,
        actor=None,
        action="connection.refresh",
        target=channel,
        before=before,
        after=connection_snapshot(locked) | {"tokens": "changed"},
        market_id=channel.owner_market_id,
    )
    return credentials(locked, channel)


@transaction.atomic
def connection_mark_needs_attention(*, channel: Channel, kind: str, message: str) -> ChannelConnection | None:
    """The publishing worker met an authentication error it cannot fix: the channel needs attention (reason shown
    on the Connections page; its managers are notified once, when it stops working). A channel that is not
    connected stays as it is (None when it has no connection)."""
    connection = ChannelConnection.objects.select_for_update().filter(channel=channel).first()
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return connection
    set_needs_attention(connection, channel, kind=kind, message=message)
    return connection


def connections_refresh_due(*, limit: int = 200) -> int:
    """Refresh every connected channel whose token expires soon (for a periodic task). Returns how many were
    refreshed; failures are handled by :func:`connection_refresh` (needs attention) or left for the next run."""
    now = timezone.now()
    soon = Q()
    for network in set(oauth.SPECS) | set(oauth.OTHER_LIFETIMES):
        soon |= Q(channel__network=network, expires_at__lte=now + oauth.refresh_margin(network))
    due = (
        ChannelConnection.objects.filter(status=ConnectionStatus.CONNECTED)
        .filter(soon)
        .select_related("channel", "channel__owner_market")
        .order_by("expires_at")[:limit]
    )
    refreshed = 0
    for connection in due:
        try:
            connection_refresh(channel=connection.channel)
        except ConnectorError as exc:
            logger.warning("Refreshing channel %s failed: %s", connection.channel_id, exc.kind)
        except ChannelNotConnected:
            continue
        else:
            refreshed += 1
    return refreshed
