"""Connections of channels to their networks: every write goes through here (see each module).

* :mod:`.apps` — the organization's app credentials per network;
* :mod:`.connect` — connecting a channel (Bluesky app password, OAuth start and callback, Mastodon instance),
  disconnecting it;
* :mod:`.tokens` — credentials for network calls, refreshing under a per-account lock, *needs attention*;
* :mod:`.rotation` — re-encrypting every stored secret with the current key;
* :mod:`.channel_settings` — what a network needs to know about a channel's posts (a Pinterest board).
"""

from harmonie.connectors.services.apps import network_app_save
from harmonie.connectors.services.channel_settings import connection_board_set
from harmonie.connectors.services.common import ChannelNotConnected, callback_url, channel_managers
from harmonie.connectors.services.connect import (
    OAUTH_REQUEST_TTL,
    connection_connect_app_password,
    connection_connect_mastodon,
    connection_disconnect,
    oauth_callback,
    oauth_denied,
    oauth_start,
)
from harmonie.connectors.services.rotation import encryption_rotate
from harmonie.connectors.services.tokens import (
    connection_mark_needs_attention,
    connection_refresh,
    connections_refresh_due,
    credentials_for,
)

__all__ = [
    "OAUTH_REQUEST_TTL",
    "ChannelNotConnected",
    "callback_url",
    "channel_managers",
    "connection_board_set",
    "connection_connect_app_password",
    "connection_connect_mastodon",
    "connection_disconnect",
    "connection_mark_needs_attention",
    "connection_refresh",
    "connections_refresh_due",
    "credentials_for",
    "encryption_rotate",
    "network_app_save",
    "oauth_callback",
    "oauth_denied",
    "oauth_start",
]
