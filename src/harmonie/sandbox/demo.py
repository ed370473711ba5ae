"""The sandbox's accounts: each of the demo organization's Bluesky channels gets an account on a local Bluesky
network (``vireo.bsky.social`` -> ``vireo.test``) and is connected to it with an app password, through the
connections service, as a person would do it; a *reader* account follows them (to like, repost and answer).

The network is ephemeral (a new start is a new, empty world), so running this again on the same network reuses
the accounts and reconnects the channels with fresh app passwords.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from harmonie.connectors.selectors import channels_with_connections
from harmonie.connectors.services import connection_connect_app_password
from harmonie.governance.models import Channel, Network
from harmonie.governance.permissions import Actor
from harmonie.sandbox.bluesky import (
    BlueskyAccountError,
    create_account,
    create_app_password,
    create_record,
    create_session,
    list_records,
)

READER = "sandbox-reader"  # "reader" alone is a handle the PDS reserves
FOLLOW = "app.bsky.graph.follow"


@dataclass(frozen=True)
class SandboxAccount:
    handle: str
    did: str
    channel: Channel | None  # None: the reader


def local_handle(handle: str, prefix: str = "") -> str:
    """``vireo-fr.bsky.social`` -> ``vireo-fr.test`` (local handles end in ``.test``)."""
    return f"{prefix}{handle.lstrip('@').split('.')[0].lower()}.test"


def _account(pds_url: str, handle: str, password: str) -> tuple[str, str]:
    """Create the account, or find it again when an earlier run on this network made it."""
    try:
        return create_account(pds_url, handle, password)
    except BlueskyAccountError as exc:
        if not exc.message.startswith("Handle already taken"):
            raise
        session = create_session(pds_url, handle, password)
        return str(session["did"]), str(session["handle"])


def bluesky_channels(*, actor: Actor) -> list[Channel]:
    return list(channels_with_connections(actor=actor).filter(network=Network.BLUESKY).order_by("pk"))


def sandbox_connect(*, actor: Actor, pds_url: str, password: str, handle_prefix: str = "") -> list[SandboxAccount]:
    """One local account per Bluesky channel the actor sees, each connected with a new app password, and a reader
    following them all. Returns the accounts, the reader last."""
    accounts = []
    for channel in bluesky_channels(actor=actor):
        did, handle = _account(pds_url, local_handle(channel.handle, handle_prefix), password)
        name = f"Harmonie sandbox {_now()}"  # app password names are unique per account
        app_password = create_app_password(pds_url, handle, password, name)
        connection_connect_app_password(
            actor=actor, channel=channel, handle=handle, app_password=app_password, service_url=pds_url
        )
        accounts.append(SandboxAccount(handle=handle, did=did, channel=channel))
    did, handle = _account(pds_url, f"{handle_prefix}{READER}.test", password)
    reader = create_session(pds_url, handle, password)
    followed = {r["value"]["subject"] for r in list_records(pds_url, did, FOLLOW, limit=100)}
    for account in accounts:
        if account.did not in followed:
            follow = {"subject": account.did, "createdAt": _now()}
            create_record(pds_url, reader, FOLLOW, follow)
    return [*accounts, SandboxAccount(handle=handle, did=did, channel=None)]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
