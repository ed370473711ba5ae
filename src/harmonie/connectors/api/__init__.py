"""The connections REST API, mounted under ``/api/v1/connections``: list the channels' connections (never a secret),
start OAuth (answers the network's authorization address), connect Bluesky with an app password, start a Mastodon
connection on an instance, disconnect. Permissions are the pages': whoever may manage a channel's market's
channels may connect it; a channel outside the caller's scope is a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from harmonie.connectors import selectors, services
from harmonie.connectors.api.schemas import AppPasswordIn, AuthorizeOut, ConnectionOut, MastodonIn
from harmonie.connectors.selectors import ConnectionRow
from harmonie.core.api_auth import ERRORS, actor_of
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor, Perm

router = Router(tags=["connections"])


def _out(row: ConnectionRow) -> dict[str, Any]:
    channel, conn = row.channel, row.connection
    return {
        "channel_id": channel.pk,
        "network": channel.network,
        "channel_handle": channel.handle,
        "display_name": channel.display_name,
        "owner_market_code": channel.owner_market.code,
        "status": row.status,
        "method": conn.method if conn else "",
        "connect_with": row.connect_kind,
        "account_id": conn.account_id if conn else "",
        "account_handle": conn.handle if conn else "",
        "service_url": conn.service_url if conn else "",
        "scopes": conn.scopes.split() if conn else [],
        "expires_at": conn.expires_at if conn else None,
        "refreshed_at": conn.refreshed_at if conn else None,
        "connected_at": conn.connected_at if conn else None,
        "last_error_kind": conn.last_error_kind if conn else "",
        "last_error": conn.last_error if conn else "",
        "last_error_at": conn.last_error_at if conn else None,
        "can_manage": row.can_manage,
    }


def _row(actor: Actor, channel_id: int) -> dict[str, Any]:
    channel = selectors.connection_channel_get(actor=actor, pk=channel_id)
    return _out(
        ConnectionRow(
            channel=channel,
            connection=getattr(channel, "connection", None),
            connect_kind=selectors.connect_kind(channel.network),
            has_app=True,
            can_manage=actor.can(Perm.CHANNELS_MANAGE, channel.owner_market),
        )
    )


def _channel(actor: Actor, channel_id: int) -> Channel:
    return selectors.connection_channel_get(actor=actor, pk=channel_id)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.get("", response={200: list[ConnectionOut], **ERRORS}, summary="List connections")
def connection_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every channel the caller can see, with its connection's state; ``needs_attention`` ones say why."""
    return [_out(row) for row in selectors.connection_rows(actor=actor_of(request))]


@router.get("/{channel_id}", response={200: ConnectionOut, **ERRORS}, summary="Get a channel's connection")
def connection_get(request: HttpRequest, channel_id: int) -> dict[str, Any]:
    return _row(actor_of(request), channel_id)


@router.post("/{channel_id}/oauth", response={200: AuthorizeOut, **ERRORS}, summary="Start connecting with OAuth")
def connection_oauth_start(request: HttpRequest, channel_id: int) -> dict[str, str]:
    """Answers the network's authorization address; the network sends the member back to
    ``/connections/oauth/callback/`` (the browser session of the same member finishes the connection). Refused (400
    ``no_network_app``) when the organization has no app on that network."""
    actor = actor_of(request)
    url = services.oauth_start(actor=actor, channel=_channel(actor, channel_id), request_base_url=_base_url(request))
    return {"authorize_url": url}


@router.post(
    "/{channel_id}/app-password", response={200: ConnectionOut, **ERRORS}, summary="Connect Bluesky (app password)"
)
def connection_app_password(request: HttpRequest, channel_id: int, payload: AppPasswordIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.connection_connect_app_password(
        actor=actor,
        channel=_channel(actor, channel_id),
        handle=payload.handle,
        app_password=payload.app_password,
        service_url=payload.service_url,
    )
    return _row(actor, channel_id)


@router.post(
    "/{channel_id}/mastodon", response={200: AuthorizeOut, **ERRORS}, summary="Start connecting Mastodon on an instance"
)
def connection_mastodon(request: HttpRequest, channel_id: int, payload: MastodonIn) -> dict[str, str]:
    actor = actor_of(request)
    url = services.connection_connect_mastodon(
        actor=actor,
        channel=_channel(actor, channel_id),
        instance_url=payload.instance_url,
        request_base_url=_base_url(request),
    )
    return {"authorize_url": url}


@router.post("/{channel_id}/disconnect", response={200: ConnectionOut, **ERRORS}, summary="Disconnect a channel")
def connection_disconnect(request: HttpRequest, channel_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    services.connection_disconnect(actor=actor, channel=_channel(actor, channel_id))
    return _row(actor, channel_id)
