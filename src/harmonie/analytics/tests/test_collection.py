"""Metric collection: the schedule by age, discovery, the daily rollups (days in the channel's time zone, DST
included), claims, and what errors do. The network is a scripted stand-in (``conftest.ScriptedConnector``); the
collection against a real network is ``test_collection_bluesky.py``."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django import db
from django.core.management import call_command

from harmonie.analytics.models import (
    ChannelCollection,
    ChannelDailyStat,
    ChannelMonthlyStat,
    PostCollection,
    PostMetricSnapshot,
)
from harmonie.analytics.scheduler import run_periodic
from harmonie.analytics.services import collection as c
from harmonie.connectors.base import ConnectorError, ErrorKind, PostMetrics
from harmonie.connectors.models import ChannelConnection, ConnectionStatus
from harmonie.content.models import Post
from harmonie.governance.models import Channel

from .conftest import Script

pytestmark = pytest.mark.django_db
UTC = dt.UTC
T0 = dt.datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 10:00 in Paris


# --- schedule ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "wait"),
    [
        (dt.timedelta(minutes=59), dt.timedelta(hours=1)),
        (dt.timedelta(hours=23, minutes=59), dt.timedelta(hours=1)),
        (dt.timedelta(hours=24), dt.timedelta(days=1)),
        (dt.timedelta(days=29), dt.timedelta(days=1)),
        (dt.timedelta(days=30), dt.timedelta(days=7)),
        (dt.timedelta(days=400), dt.timedelta(days=7)),
    ],
)
def test_next_collection_slows_with_age(age: dt.timedelta, wait: dt.timedelta) -> None:
    now = T0 + age
    assert c.next_collection_at(published_at=T0, now=now) == now + wait


def test_backoff_doubles_up_to_a_day_and_follows_retry_after() -> None:
    assert [c.backoff(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (5, 10, 20)]
    assert c.backoff(12) == dt.timedelta(days=1)
    assert c.backoff(3, retry_after=90) == dt.timedelta(seconds=90)


def test_increase_is_never_negative_and_none_adds_nothing() -> None:
    assert c.increase(5, 3) == 2
    assert c.increase(3, 5) == 0  # a like withdrawn
    assert c.increase(None, 5) == 0
    assert c.increase(4, None) == 4  # first reading
    assert c.increase(0, 0) == 0


def test_local_day_across_the_paris_dst_changes() -> None:
    paris = "Europe/Paris"
    # Spring forward, Sunday 29 March 2026: local midnight is 23:00 UTC before, 22:00 UTC after.
    assert c.local_day(dt.datetime(2026, 3, 28, 22, 59, tzinfo=UTC), paris) == dt.date(2026, 3, 28)
    assert c.local_day(dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC), paris) == dt.date(2026, 3, 29)
    assert c.local_day(dt.datetime(2026, 3, 29, 21, 59, tzinfo=UTC), paris) == dt.date(2026, 3, 29)
    assert c.local_day(dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC), paris) == dt.date(2026, 3, 30)
    # Fall back, Sunday 25 October 2026: that day lasts 25 hours, 22:00 UTC Saturday to 23:00 UTC Sunday.
    assert c.local_day(dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC), paris) == dt.date(2026, 10, 24)
    assert c.local_day(dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC), paris) == dt.date(2026, 10, 25)
    assert c.local_day(dt.datetime(2026, 10, 25, 22, 59, tzinfo=UTC), paris) == dt.date(2026, 10, 25)
    assert c.local_day(dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC), paris) == dt.date(2026, 10, 26)


# --- discovery ---------------------------------------------------------------------------------------------------


def test_discovery_tracks_published_posts_and_connected_channels(
    scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    post = published_post(channel, T0, "r1")
    unpublished = published_post(channel, T0, "r2")
    unpublished.publications.update(status="failed", remote_id="")
    inactive = scripted_channel("DE")
    published_post(inactive, T0, "r3")
    Channel.objects.filter(pk=inactive.pk).update(is_active=False)

    assert c.collections_discover(now=T0) == (1, 1)
    assert c.collections_discover(now=T0) == (0, 0)  # once only

    row = PostCollection.objects.get()
    assert (row.post_id, row.channel_id, row.published_at, row.next_due_at) == (post.pk, channel.pk, T0, T0 + c.HOURLY)
    assert list(ChannelCollection.objects.values_list("channel_id", "next_due_at")) == [(channel.pk, T0)]


def test_discovery_counts_posts_not_publications(
    scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    """The count is of distinct posts whose tracking row was created. (Two *published* publications of one post
    cannot exist: ``one_live_publication_per_post``; a failed earlier attempt with a remote id is the case here.)"""
    from harmonie.publishing.models import Publication

    channel = scripted_channel("FR")
    post = published_post(channel, T0, "r1")
    Publication.objects.create(
        organization_id=post.organization_id, post=post, channel=channel, status="failed", due_at=T0,
        idempotency_key="earlier", remote_id="r1-old", published_at=T0 - dt.timedelta(hours=1),
    )  # fmt: skip
    other = published_post(channel, T0 + dt.timedelta(minutes=5), "r2")

    assert c.collections_discover(now=T0) == (2, 1)
    assert c.collections_discover(now=T0) == (0, 0)
    rows = list(PostCollection.objects.order_by("post_id").values_list("post_id", "published_at"))
    assert rows == [(post.pk, T0), (other.pk, T0 + dt.timedelta(minutes=5))]


# --- rollups -----------------------------------------------------------------------------------------------------


def _stat(channel: Channel, day: dt.date) -> tuple[int, int, int, int, int | None]:
    s = ChannelDailyStat.objects.get(channel=channel, day=day)
    return (s.posts_published, s.likes, s.reposts, s.impressions, s.followers)


def _collect(script: Script, at: dt.datetime, **counts: int | None) -> c.CollectResult:
    script.metrics["r1"] = PostMetrics(**counts)
    PostCollection.objects.update(next_due_at=at)
    return c.post_metrics_collect(now=at)


def test_rollups_same_day_next_day_decrease_and_none(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")  # Europe/Paris
    post = published_post(channel, T0, "r1")
    c.collections_discover(now=T0)

    first = _collect(script, T0 + dt.timedelta(hours=1), likes=3, reposts=1, impressions=None)
    _collect(script, T0 + dt.timedelta(hours=2), likes=5, reposts=1, impressions=None)  # same day
    june_10, june_11 = dt.date(2026, 6, 10), dt.date(2026, 6, 11)
    assert (first.collected, first.failed) == (1, 0)
    assert _stat(channel, june_10) == (1, 5, 1, 0, None)  # 3 then +2; the post counted once
    snap = PostMetricSnapshot.objects.get(post=post, day=june_10)
    assert (snap.likes, snap.reposts, snap.impressions, snap.captured_at) == (5, 1, None, T0 + dt.timedelta(hours=2))

    _collect(script, T0 + dt.timedelta(days=1), likes=7, reposts=3, impressions=None)  # next day
    assert _stat(channel, june_11) == (0, 2, 2, 0, None)
    _collect(script, T0 + dt.timedelta(days=1, hours=1), likes=6, reposts=3, impressions=None)  # a like withdrawn
    assert _stat(channel, june_11) == (0, 2, 2, 0, None)
    assert PostMetricSnapshot.objects.get(post=post, day=june_11).likes == 6
    assert PostMetricSnapshot.objects.filter(post=post).count() == 2  # history kept, one row per day

    row = PostCollection.objects.get()
    assert (row.collections, row.failures, row.last_error) == (4, 0, "")
    assert row.next_due_at == T0 + dt.timedelta(days=2, hours=1)  # read when a day and an hour old: daily


def test_days_and_published_count_follow_the_channel_time_zone_across_dst(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR", tz="Europe/Paris")
    # Published 23:30 local on Saturday 24 October 2026 (21:30 UTC, summer time); read at 00:30 local on the 25th
    # (22:30 UTC, still summer time) and at 23:30 local on the 25th (22:30 UTC, winter time: same UTC hour, same day).
    published = dt.datetime(2026, 10, 24, 21, 30, tzinfo=UTC)
    published_post(channel, published, "r1")
    c.collections_discover(now=published)

    _collect(script, dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC), likes=2)
    _collect(script, dt.datetime(2026, 10, 25, 22, 30, tzinfo=UTC), likes=5)
    _collect(script, dt.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), likes=6)  # 00:30 on the 26th

    assert _stat(channel, dt.date(2026, 10, 24)) == (1, 0, 0, 0, None)  # published that day, nothing read then
    assert _stat(channel, dt.date(2026, 10, 25)) == (0, 5, 0, 0, None)
    assert _stat(channel, dt.date(2026, 10, 26)) == (0, 1, 0, 0, None)


def test_months_gain_what_their_days_gain_across_a_month_boundary(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR", tz="Europe/Paris")
    # Published 23:30 local on Saturday 31 October 2026 (22:30 UTC, winter time since the 25th); read at 23:45 local
    # (October), then at 00:30 and 10:00 local on 1 November (November), then the followers alone.
    published = dt.datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
    published_post(channel, published, "r1")
    c.collections_discover(now=published)

    _collect(script, dt.datetime(2026, 10, 31, 22, 45, tzinfo=UTC), likes=2, impressions=40)
    _collect(script, dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC), likes=5, impressions=90)
    _collect(script, dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC), likes=6, impressions=90, reposts=1)
    script.followers = 321
    ChannelCollection.objects.update(next_due_at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    assert c.channel_metrics_collect(now=dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)).collected == 1

    assert _stat(channel, dt.date(2026, 10, 31)) == (1, 2, 0, 40, None)
    assert _stat(channel, dt.date(2026, 11, 1)) == (0, 4, 1, 50, 321)
    months = ChannelMonthlyStat.objects.filter(channel=channel).order_by("month")
    assert list(months.values_list("month", "posts_published", "likes", "reposts", "impressions")) == [
        (dt.date(2026, 10, 1), 1, 2, 0, 40),
        (dt.date(2026, 11, 1), 0, 4, 1, 50),
    ]
    assert c.channel_months_rebuild(channel_ids=[channel.pk]) == 2
    assert list(months.values_list("month", "posts_published", "likes", "reposts", "impressions")) == [
        (dt.date(2026, 10, 1), 1, 2, 0, 40),
        (dt.date(2026, 11, 1), 0, 4, 1, 50),
    ]  # what the days say


def test_followers_alone_write_no_month(script: Script, scripted_channel: Callable[..., Channel]) -> None:
    channel = scripted_channel("FR")
    script.followers = 77
    c.collections_discover(now=T0)
    assert c.channel_metrics_collect(now=T0).collected == 1
    assert _stat(channel, dt.date(2026, 6, 10)) == (0, 0, 0, 0, 77)
    assert not ChannelMonthlyStat.objects.filter(channel=channel).exists()


# --- claims -----------------------------------------------------------------------------------------------------


def test_two_claims_never_share_rows(
    scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    for n in range(5):
        published_post(channel, T0, f"r{n}")
    c.collections_discover(now=T0)
    now = T0 + dt.timedelta(hours=1)

    first = c.post_collections_claim(now=now, limit=3)
    second = c.post_collections_claim(now=now, limit=3)
    third = c.post_collections_claim(now=now, limit=3)

    assert (len(first), len(second), third) == (3, 2, [])
    assert not set(first) & set(second)
    assert set(PostCollection.objects.values_list("next_due_at", flat=True)) == {now + c.CLAIM_LEASE}
    assert c.post_collections_claim(now=now + c.CLAIM_LEASE, limit=10) != []  # a dead claimer's rows come back


# --- errors -----------------------------------------------------------------------------------------------------


def test_rate_limit_waits_for_retry_after_without_counting_a_failure(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    published_post(channel, T0, "r1")
    c.collections_discover(now=T0)
    now = T0 + dt.timedelta(hours=1)
    script.errors.append(ConnectorError(ErrorKind.RATE_LIMITED, "Slow down", retry_after=120))

    result = c.post_metrics_collect(now=now)

    row = PostCollection.objects.get()
    assert (result.collected, result.failed) == (0, 1)
    assert (row.failures, row.next_due_at) == (0, now + dt.timedelta(seconds=120))
    assert row.last_error == "scripted asked Harmonie to slow down; collection resumes after the wait."


def test_refused_token_backs_off_marks_the_channel_and_keeps_history(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    post = published_post(channel, T0, "r1")
    c.collections_discover(now=T0)
    _collect(script, T0 + dt.timedelta(hours=1), likes=4)
    now = T0 + dt.timedelta(hours=2)
    PostCollection.objects.update(next_due_at=now)
    script.errors.append(ConnectorError(ErrorKind.AUTH_REVOKED, "Token revoked by the user"))

    c.post_metrics_collect(now=now)

    row = PostCollection.objects.get()
    assert (row.failures, row.next_due_at) == (1, now + dt.timedelta(minutes=5))
    assert row.last_error == (
        f"Harmonie cannot act as {channel} any more: reconnect the channel. (Token revoked by the user)"
    )
    link = ChannelConnection.objects.get(channel=channel)
    assert (link.status, link.last_error) == (ConnectionStatus.NEEDS_ATTENTION, "Token revoked by the user")
    assert PostMetricSnapshot.objects.get(post=post).likes == 4  # nothing lost

    later = now + dt.timedelta(minutes=5)
    c.post_metrics_collect(now=later)  # the connection needs attention now: refused before any call
    row.refresh_from_db()
    assert (row.failures, row.next_due_at) == (2, later + dt.timedelta(minutes=10))
    assert script.calls == [("metrics", ("r1",)), ("metrics", ("r1",))]


def test_transient_error_retries_with_backoff_then_success_resets(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    published_post(channel, T0, "r1")
    c.collections_discover(now=T0)
    now = T0 + dt.timedelta(hours=1)
    script.errors.append(ConnectorError(ErrorKind.TRANSIENT, "502 Bad Gateway"))

    c.post_metrics_collect(now=now)
    row = PostCollection.objects.get()
    assert (row.failures, row.next_due_at, row.last_error) == (
        1, now + dt.timedelta(minutes=5), "scripted could not be read for now: 502 Bad Gateway",
    )  # fmt: skip

    script.metrics["r1"] = PostMetrics(likes=1)
    c.post_metrics_collect(now=now + dt.timedelta(minutes=5))
    row.refresh_from_db()
    assert (row.failures, row.last_error, row.collections) == (0, "", 1)


def test_a_post_the_network_no_longer_shows_is_noted(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    published_post(channel, T0, "gone")
    c.collections_discover(now=T0)

    result = c.post_metrics_collect(now=T0 + dt.timedelta(hours=1))

    row = PostCollection.objects.get()
    assert (result.collected, result.failed, row.failures) == (0, 1, 1)
    assert row.last_error == "The network no longer shows this post (deleted, or hidden from Harmonie)."


# --- channels, the round, the command ----------------------------------------------------------------------------


def test_followers_land_on_the_channel_day_and_the_round_reports(
    script: Script, scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("JP")  # Asia/Tokyo: 23:30 UTC is the next morning there
    published_post(channel, dt.datetime(2026, 6, 10, 22, 0, tzinfo=UTC), "r1")
    script.followers, script.metrics["r1"] = 1234, PostMetrics(likes=2, reposts=0, replies=1)
    now = dt.datetime(2026, 6, 10, 23, 30, tzinfo=UTC)

    done = run_periodic(now=now)

    assert (done.posts_discovered, done.channels_discovered) == (1, 1)
    assert (done.posts_collected, done.channels_collected) == (1, 1)
    stat = ChannelDailyStat.objects.get(channel=channel)
    assert (stat.day, stat.followers, stat.posts_published, stat.likes, stat.replies) == (
        dt.date(2026, 6, 11), 1234, 1, 2, 1,
    )  # fmt: skip
    assert ChannelCollection.objects.get(channel=channel).next_due_at == now + c.DAILY


def test_collect_command_runs_one_round(script: Script, scripted_channel: Callable[..., Channel]) -> None:
    scripted_channel("FR")
    script.followers = 10
    out = io.StringIO()
    call_command("harmonie_collect", "--once", stdout=out)
    assert out.getvalue().startswith("collect: discovered 0 post(s) and 1 channel(s); posts read 0, failed 0; "
                                      "channels read 1, failed 0")  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in {"postgres", "postgresql", "pgsql"},
    reason="concurrent claims from several connections need PostgreSQL (set DATABASE_URL=postgres://…)",
)
def test_concurrent_claims_on_postgresql_share_out_the_rows(
    scripted_channel: Callable[..., Channel], published_post: Callable[..., Post]
) -> None:
    channel = scripted_channel("FR")
    for n in range(40):
        published_post(channel, T0, f"r{n}")
    c.collections_discover(now=T0)
    now = T0 + dt.timedelta(hours=1)
    start = threading.Barrier(4)

    def claim() -> list[int]:
        try:
            start.wait()
            return c.post_collections_claim(now=now, limit=15)
        finally:
            db.connection.close()

    with ThreadPoolExecutor(4) as pool:
        claimed = list(pool.map(lambda _n: claim(), range(4)))

    every = [pk for ids in claimed for pk in ids]
    assert len(every) == len(set(every)) == 40  # each row to exactly one claimer
