"""What the connection services share: reading and writing the encrypted columns, credentials, the audit snapshot,
who is told when a channel needs attention, the callback URL, URL checks."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.notify import notify
from harmonie.connectors import oauth
from harmonie.connectors.base import Credentials, TokenSet
from harmonie.connectors.models import ChannelConnection, ConnectionStatus, NetworkApp
from harmonie.core import crypto
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import Channel, Network, RoleAssignment
from harmonie.governance.permissions import ROLE_PERMISSIONS, Actor, Perm

# What the audit log records of a connection: never a token, only that the tokens changed (``token_version``).
CONNECTION_FIELDS = [
    "status",
    "method",
    "account_id",
    "handle",
    "service_url",
    "expires_at",
    "scopes",
    "token_version",
    "last_error_kind",
]
NOTIFICATION_KIND = "channel_needs_attention"
CONNECTIONS_URL = "/connections/"


class ChannelNotConnected(Conflict):
    """The channel has no working connection: someone who manages its market's channels must (re)connect it."""

    code = "channel_not_connected"


def connection_snapshot(connection: ChannelConnection) -> dict[str, object]:
    return snapshot(connection, CONNECTION_FIELDS)


def network_label(network: str) -> str:
    return str(Network(network).label) if network in Network.values else network


def require_manage(actor: Actor, channel: Channel) -> None:
    """Who may connect a channel: who may manage the channels of the market that owns it."""
    if channel.organization_id != actor.organization_id:
        raise ValidationFailed(_("No such channel."), field="channel")
    actor.require(Perm.CHANNELS_MANAGE, channel.owner_market)


def callback_url(base_url: str = "") -> str:
    """The OAuth redirect URI: ``<base>/connections/oauth/callback/`` (``HARMONIE_PUBLIC_URL`` by default). Register
    exactly this address in each network's developer portal."""
    base = (base_url or settings.HARMONIE_PUBLIC_URL).rstrip("/")
    return base + reverse("connectors:oauth_callback")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clean_server_url(raw: str, *, field: str) -> str:
    """``https://host[:port]`` (a scheme is added when missing). Plain HTTP is accepted only for a server on this
    machine and only when ``HARMONIE_ALLOW_LOOPBACK_SERVERS`` is on (``DEBUG`` by default): the sandbox and tests."""
    text = (raw or "").strip().rstrip("/")
    if not text:
        raise ValidationFailed(_("Give the server's address, such as https://mastodon.social."), field=field)
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme not in {"https", "http"} or not host or parts.username or parts.password:
        raise ValidationFailed(
            _("'%(url)s' is not a server address: write it as https://example.social.") % {"url": raw}, field=field
        )
    allow_loopback = bool(getattr(settings, "HARMONIE_ALLOW_LOOPBACK_SERVERS", settings.DEBUG))
    if _loopback(host) and not allow_loopback:
        raise ValidationFailed(
            _("Harmonie does not connect to servers on its own machine (%(host)s) outside development.")
            % {"host": host},
            field=field,
        )
    if parts.scheme == "http" and not _loopback(host):
        raise ValidationFailed(
            _("Use https:// for %(host)s: tokens never travel in clear.") % {"host": host}, field=field
        )
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host and parts.port is None:
        netloc = f"[{host}]"
    elif ":" in host:
        netloc = f"[{host}]:{parts.port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


# --- secrets ------------------------------------------------------------------------------------------------


def app_secret(app: NetworkApp) -> str:
    return crypto.decrypt(app.client_secret_encrypted, aad=app.aad("client_secret"))


def set_app_secret(app: NetworkApp, secret: str) -> None:
    app.client_secret_encrypted = crypto.encrypt(secret, aad=app.aad("client_secret"))


def oauth_app(app: NetworkApp) -> oauth.OAuthApp:
    return oauth.OAuthApp(
        client_id=app.client_id,
        client_secret=app_secret(app),
        service_url=app.instance_url,
        settings={str(k): str(v) for k, v in (app.options or {}).items()},
    )


def credentials(connection: ChannelConnection, channel: Channel) -> Credentials:
    """The decrypted credentials of a connection (with its app's client credentials, for refreshing)."""
    app = connection.app
    return Credentials(
        network=channel.network,
        account_id=connection.account_id,
        handle=connection.handle or channel.handle,
        access_token=crypto.decrypt(connection.access_token_encrypted, aad=connection.aad("access_token")),
        refresh_token=crypto.decrypt(connection.refresh_token_encrypted, aad=connection.aad("refresh_token")),
        expires_at=connection.expires_at,
        secret=crypto.decrypt(connection.secret_encrypted, aad=connection.aad("secret")),
        service_url=connection.service_url,
        client_id=app.client_id if app else "",
        client_secret=app_secret(app) if app else "",
        extra={str(k): str(v) for k, v in ((app.options or {}) if app else {}).items()},
    )


def apply_tokens(connection: ChannelConnection, tokens: TokenSet) -> None:
    """Store new tokens (encrypted). An empty refresh token keeps the stored one: a network that does not send it
    again (Google, LinkedIn) must not wipe it."""
    connection.access_token_encrypted = crypto.encrypt(tokens.access_token, aad=connection.aad("access_token"))
    if tokens.refresh_token:
        connection.refresh_token_encrypted = crypto.encrypt(tokens.refresh_token, aad=connection.aad("refresh_token"))
    connection.expires_at = tokens.expires_at
    if tokens.scopes:
        connection.scopes = tokens.scopes[:2000]
    if tokens.account_id:
        connection.account_id = tokens.account_id[:300]
    connection.token_version += 1
    connection.refreshed_at = timezone.now()


def clear_secrets(connection: ChannelConnection) -> None:
    had = connection.access_token_encrypted or connection.refresh_token_encrypted or connection.secret_encrypted
    connection.access_token_encrypted = ""
    connection.refresh_token_encrypted = ""
    connection.secret_encrypted = ""
    connection.expires_at = None
    if had:
        connection.token_version += 1


# --- needs attention ----------------------------------------------------------------------------------------


def channel_managers(channel: Channel) -> list[int]:
    """Members who can reconnect the channel: holding ``channels.manage`` in its market or a market above it (its
    market leads, and the org admins)."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CHANNELS_MANAGE in perms]
    return sorted(
        set(
            RoleAssignment.objects.filter(
                member__organization_id=channel.organization_id,
                member__is_active=True,
                role__in=roles,
                market_id__in=channel.owner_market.ancestor_ids(),
            ).values_list("member_id", flat=True)
        )
    )


def set_needs_attention(connection: ChannelConnection, channel: Channel, *, kind: str, message: str) -> bool:
    """Mark the (locked) connection as needing attention, with the reason; audit it, and tell the people who can
    reconnect it when it was working until now. Returns whether it changed status."""
    if (
        connection.status == ConnectionStatus.NEEDS_ATTENTION
        and connection.last_error_kind == str(kind)[:30]
        and connection.last_error == message[:2000]
    ):
        return False  # already recorded, with the same reason: nothing new to say
    before = connection_snapshot(connection)
    was_connected = connection.status == ConnectionStatus.CONNECTED
    connection.status = ConnectionStatus.NEEDS_ATTENTION
    connection.last_error_kind = str(kind)[:30]
    connection.last_error = message[:2000]
    connection.last_error_at = timezone.now()
    connection.save()
    audit_record(
        organization_id=channel.organization_id,
        actor=None,
        action="connection.needs_attention",
        target=channel,
        before=before,
        after=connection_snapshot(connection),
        market_id=channel.owner_market_id,
    )
    if was_connected:
        name, network, reason = channel.display_name, network_label(channel.network), message

        def text() -> str:
            return _(
                "The %(network)s channel %(channel)s needs attention: %(reason)s Reconnect it on the Connections page."
            ) % {"network": network, "channel": name, "reason": reason}

        notify(
            member_ids=channel_managers(channel), post=None, kind=NOTIFICATION_KIND, message=text, url=CONNECTIONS_URL
        )
    return was_connected
