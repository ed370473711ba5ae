"""Schemas of the connections API. No secret ever appears here: only whether and how a channel is connected."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from harmonie.connectors.models import ConnectionStatus


class ConnectionOut(Schema):
    """A channel the caller can see, and the state of its connection."""

    channel_id: int
    network: str
    channel_handle: str
    display_name: str
    owner_market_code: str
    status: ConnectionStatus = Field(description="connected, needs_attention, or disconnected (never connected too).")
    method: str = Field(description="oauth2 or app_password; empty when never connected.")
    connect_with: str = Field(description="How it connects: app_password (Bluesky), instance (Mastodon), oauth.")
    account_id: str = Field(description="The network's id of the account (a DID, a user id, a URN).")
    account_handle: str
    service_url: str = Field(description="The account's server (Mastodon instance, Bluesky PDS), if any.")
    scopes: list[str]
    expires_at: dt.datetime | None = Field(description="When the access token expires (UTC); null: never.")
    refreshed_at: dt.datetime | None
    connected_at: dt.datetime | None
    last_error_kind: str = Field(description="Why it needs attention, from the shared error set (auth_revoked…).")
    last_error: str
    last_error_at: dt.datetime | None
    can_manage: bool = Field(description="Whether the caller may connect or disconnect it.")


class AuthorizeOut(Schema):
    authorize_url: str = Field(description="Send the member's browser there; the network comes back to the callback.")


class AppPasswordIn(Schema):
    handle: str
    app_password: str
    service_url: str = "https://bsky.social"


class MastodonIn(Schema):
    instance_url: str
