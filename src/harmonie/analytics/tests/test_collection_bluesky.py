"""Metric collection end to end on a real Bluesky network on loopback (``bluesky_full``: PLC, PDS and AppView, started
by the test session): a post published through the connector, liked and reposted by another account that also
follows the channel, then one collection round; every figure comes from Bluesky's own AppView."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from harmonie.analytics.models import ChannelDailyStat, PostCollection, PostMetricSnapshot
from harmonie.analytics.scheduler import run_periodic
from harmonie.analytics.services.collection import local_day
from harmonie.connectors.base import PostMetrics, PublishRequest, RemoteRef
from harmonie.connectors.bluesky import BlueskyConnector
from harmonie.connectors.services import connection_connect_app_password, credentials_for
from harmonie.content.models import Post
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor
from harmonie.sandbox.bluesky import LocalBluesky, create_record

pytestmark = pytest.mark.django_db
connector = BlueskyConnector()


def _eventually[T](read: Callable[[], T], done: Callable[[T], bool], timeout: float = 30.0) -> T:
    """The AppView indexes writes a little later: read until ``done`` or the timeout."""
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def test_collection_reads_likes_reposts_and_followers_from_the_appview(
    bluesky_full: LocalBluesky,
    persona: Callable[[str], Actor],
    market: Callable[[str], Market],
    published_post: Callable[..., Post],
    settings: Any,
) -> None:
    settings.HARMONIE_ALLOW_LOOPBACK_SERVERS = True
    suffix = uuid.uuid4().hex[:6]
    handle, password = f"h7a-vireo-{suffix}.test", f"vireo-{suffix}-password"
    did, handle = bluesky_full.create_account(handle, password)
    app_password = bluesky_full.create_app_password(handle, password, "Harmonie")
    fan, fan_password = f"h7a-lea-{suffix}.test", f"lea-{suffix}-password"
    bluesky_full.create_account(fan, fan_password)
    fr = market("FR")
    channel = Channel.objects.create(
        organization=fr.organization, network="bluesky", handle=handle, display_name="Vireo France (local)",
        owner_market=fr, timezone="Europe/Paris",
    )  # fmt: skip
    connection_connect_app_password(actor=persona("hq_admin"), channel=channel, handle=handle,
                                    app_password=app_password, service_url=bluesky_full.pds_url)  # fmt: skip

    out = connector.publish(
        credentials_for(channel=channel),
        PublishRequest(text="Vireo Coat X : 35 % plus rapide", idempotency_key=connector.new_key()),
    )
    at = out.published_at or timezone.now()
    post = published_post(channel, at, out.remote_id, uri=out.uri, cid=out.cid)
    session = bluesky_full.create_session(fan, fan_password)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    subject = {"uri": out.uri, "cid": out.cid}
    create_record(bluesky_full.pds_url, session, "app.bsky.feed.like", {"subject": subject, "createdAt": stamp})
    create_record(bluesky_full.pds_url, session, "app.bsky.feed.repost", {"subject": subject, "createdAt": stamp})
    create_record(bluesky_full.pds_url, session, "app.bsky.graph.follow", {"subject": did, "createdAt": stamp})
    creds = credentials_for(channel=channel)
    _eventually(lambda: connector.read_metrics(creds, [RemoteRef(out.remote_id, uri=out.uri)]),
                lambda m: m.get(out.remote_id) == PostMetrics(likes=1, reposts=1, replies=0, quotes=0))  # fmt: skip
    _eventually(lambda: connector.account_info(creds), lambda info: info.followers == 1)
    now = at + dt.timedelta(hours=1, seconds=1)

    done = run_periodic(now=now)

    assert (done.posts_discovered, done.posts_collected, done.posts_failed) == (1, 1, 0), done.errors
    assert done.channels_collected >= 1
    snap = PostMetricSnapshot.objects.get(post=post)
    assert (snap.day, snap.likes, snap.reposts, snap.replies, snap.quotes, snap.impressions) == (
        local_day(now, "Europe/Paris"), 1, 1, 0, 0, None,
    )  # fmt: skip
    today = ChannelDailyStat.objects.get(channel=channel, day=local_day(now, "Europe/Paris"))
    assert (today.likes, today.reposts, today.replies, today.followers) == (1, 1, 0, 1)
    published_day = ChannelDailyStat.objects.get(channel=channel, day=local_day(at, "Europe/Paris"))
    assert published_day.posts_published == 1
    row = PostCollection.objects.get(post=post)
    assert (row.collections, row.failures, row.next_due_at) == (1, 0, now + dt.timedelta(hours=1))
