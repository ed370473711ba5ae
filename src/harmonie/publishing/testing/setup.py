"""Setting up sink channels and due posts for tests and benchmarks (not for production use).

Rows are written directly, bypassing the content and connection services (no approval round, no network limits,
no OAuth dance): what is tested with them is the publishing engine, from "a post is scheduled and due" on.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from harmonie.connectors.base import TokenSet
from harmonie.connectors.models import ChannelConnection, ConnectionMethod, ConnectionStatus
from harmonie.connectors.services.common import apply_tokens
from harmonie.content.models import MasterContent, Post
from harmonie.content.states import PostStatus
from harmonie.governance.models import Channel, Market, Organization
from harmonie.publishing.testing.sink import NETWORK


def sink_channel(*, organization: Organization, market: Market, handle: str, timezone_name: str = "") -> Channel:
    channel, _created = Channel.objects.get_or_create(
        organization=organization, network=NETWORK, handle=handle,
        defaults={"display_name": f"Sink {handle}", "owner_market": market,
                  "timezone": timezone_name or market.timezone},
    )  # fmt: skip
    return channel


SINK_TOKEN = "sink-token"  # noqa: S105 - the loopback sink takes any token


def connect_sink(*, channel: Channel, url: str, access_token: str = SINK_TOKEN, refresh_token: str = "") -> None:
    """A connection for a sink channel, its tokens encrypted like any other (the sink accepts any token unless
    the test gave the account one)."""
    connection = ChannelConnection.objects.filter(channel=channel).first() or ChannelConnection(channel=channel)
    connection.method = ConnectionMethod.OAUTH2
    connection.status = ConnectionStatus.CONNECTED
    connection.handle = channel.handle
    connection.service_url = url
    connection.last_error_kind, connection.last_error = "", ""
    apply_tokens(connection, TokenSet(access_token=access_token, refresh_token=refresh_token))
    connection.save()


def due_posts(
    *, channel: Channel, count: int, at: dt.datetime | None = None, text: str = "Post {n}", prefix: str = ""
) -> list[Post]:
    """``count`` scheduled posts on ``channel``, due at ``at`` (now by default)."""
    at = at or timezone.now()
    master = MasterContent.objects.filter(organization_id=channel.organization_id).order_by("pk").first()
    assert master is not None, "the organization needs one master content"
    posts = [
        Post(organization_id=channel.organization_id, channel=channel, market_id=channel.owner_market_id,
             master=master, text=f"{prefix}{text.format(n=n)}", scheduled_at=at, status=PostStatus.SCHEDULED)
        for n in range(count)
    ]  # fmt: skip
    return Post.objects.bulk_create(posts, batch_size=500)
