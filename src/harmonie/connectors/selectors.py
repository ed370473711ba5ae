"""Reading connections, scoped to the acting member: the channels they can see, with their connection's state (never
a secret), the organization's apps, and the channels that need attention."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harmonie.connectors import oauth, registry
from harmonie.connectors.models import ChannelConnection, ConnectionStatus, NetworkApp
from harmonie.connectors.pinterest import Board, PinterestConnector
from harmonie.connectors.services.tokens import credentials_for
from harmonie.core.errors import NotFound
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel, Network
from harmonie.governance.permissions import Actor, Perm

# How each network connects: "app_password" (Bluesky), "instance" (Mastodon), "oauth" (an org app), "" (not yet).
APP_PASSWORD, INSTANCE, OAUTH = "app_password", "instance", "oauth"


def connect_kind(network: str) -> str:
    if network == Network.BLUESKY:
        return APP_PASSWORD
    if network == Network.MASTODON:
        return INSTANCE
    return OAUTH if oauth.supports_oauth(network) else ""


@dataclass(frozen=True)
class ConnectionRow:
    channel: Channel
    connection: ChannelConnection | None
    connect_kind: str
    has_app: bool  # OAuth networks: the organization has an app (else connecting is refused)
    can_manage: bool

    @property
    def status(self) -> str:
        return self.connection.status if self.connection else ConnectionStatus.DISCONNECTED


def channels_with_connections(*, actor: Actor) -> QuerySet[Channel]:
    """Channels the member can see, each with its connection (one query, plus the served markets)."""
    return governance_selectors.channel_list(actor=actor).select_related("connection")


def connection_rows(*, actor: Actor) -> list[ConnectionRow]:
    apps = networks_with_app(actor=actor)
    rows = []
    for channel in channels_with_connections(actor=actor):
        connection: ChannelConnection | None = getattr(channel, "connection", None)
        kind = connect_kind(channel.network)
        rows.append(
            ConnectionRow(
                channel=channel,
                connection=connection,
                connect_kind=kind,
                has_app=kind != OAUTH or channel.network in apps,
                can_manage=actor.can(Perm.CHANNELS_MANAGE, channel.owner_market),
            )
        )
    return rows


def connection_channel_get(*, actor: Actor, pk: int) -> Channel:
    """A channel the member can see, with its connection."""
    channel = channels_with_connections(actor=actor).filter(pk=pk).first()
    if channel is None:
        raise NotFound(_("No such channel."))
    return channel


def channels_needing_attention(*, actor: Actor) -> QuerySet[Channel]:
    """Channels the member can see whose connection needs attention (for a banner or a badge)."""
    return channels_with_connections(actor=actor).filter(connection__status=ConnectionStatus.NEEDS_ATTENTION)


def networks_with_app(*, actor: Actor) -> set[str]:
    """Networks on which the organization has an app (instance-registered Mastodon apps aside)."""
    return set(
        NetworkApp.objects.filter(organization_id=actor.organization_id, instance_url="").values_list(
            "network", flat=True
        )
    )


def network_app_list(*, actor: Actor) -> QuerySet[NetworkApp]:
    """The organization's apps (client secrets are never read here). Org admins only."""
    actor.require_global(Perm.ORG_MANAGE)
    return NetworkApp.objects.filter(organization_id=actor.organization_id).order_by("network", "instance_url")


def network_app_get(*, actor: Actor, network: str) -> NetworkApp | None:
    actor.require_global(Perm.ORG_MANAGE)
    return NetworkApp.objects.filter(organization_id=actor.organization_id, network=network, instance_url="").first()


def pinterest_boards(*, actor: Actor, channel: Channel) -> list[Board]:
    """The boards of a connected Pinterest channel's account, asked of Pinterest (``GET /boards``), to choose where
    its pins go. Raises ``DomainError`` when the channel is not connected, ``ConnectorError`` when Pinterest fails."""
    actor.require(Perm.CHANNELS_MANAGE, channel.owner_market)
    connector = registry.get(Network.PINTEREST)
    assert isinstance(connector, PinterestConnector)
    return connector.boards(credentials_for(channel=channel))
