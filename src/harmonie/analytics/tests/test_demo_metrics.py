"""The demo's year of metrics: every active channel has 365 days up to yesterday in its time zone, about two posts a
week, global channels with larger audiences and a lower engagement rate than local ones on the same network; loaded
once, identical every time, in a few seconds."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
from django.db import transaction
from django.db.models import Count, Max, Min, Sum

from harmonie.analytics.demo_metrics import load_demo_metrics
from harmonie.analytics.models import ChannelDailyStat, ChannelMonthlyStat, PostMetricSnapshot
from harmonie.analytics.models.metrics import COUNTS
from harmonie.analytics.services.collection import collections_discover
from harmonie.content.models import Post
from harmonie.governance.models import Channel, Organization
from harmonie.publishing.models import Publication

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


class _Rollback(Exception):
    pass


def _clear(org: Organization) -> None:
    """Remove the demo metrics the session's demo loaded (``load_all``), to load them again at ``NOW``."""
    ChannelDailyStat.objects.filter(organization=org).delete()
    Post.objects.filter(organization=org, publications__idempotency_key__startswith="demo-").delete()


def _load_again(org: Organization, out: list[tuple[object, ...]]) -> None:
    """Load the demo metrics again from scratch, note their totals, roll back."""
    with transaction.atomic():
        _clear(org)
        assert load_demo_metrics(org, now=NOW) is True
        out.append(_totals(org)[:3])
        raise _Rollback


def _totals(org: Organization) -> tuple[object, ...]:
    stats = ChannelDailyStat.objects.filter(organization=org).aggregate(
        likes=Sum("likes"), impressions=Sum("impressions"), followers=Sum("followers"), posts=Sum("posts_published")
    )
    return (*stats.values(), PostMetricSnapshot.objects.filter(organization=org).count())


def test_a_year_per_channel_loaded_once_quickly_and_identically(demo_org: Organization) -> None:
    _clear(demo_org)
    started = time.monotonic()
    assert load_demo_metrics(demo_org, now=NOW) is True
    elapsed = time.monotonic() - started
    first = _totals(demo_org)
    assert load_demo_metrics(demo_org, now=NOW) is False
    assert _totals(demo_org) == first

    channels = Channel.objects.filter(organization=demo_org, is_active=True)
    spans = (
        ChannelDailyStat.objects.filter(organization=demo_org)
        .values("channel_id")
        .annotate(n=Count("pk"), first=Min("day"), last=Max("day"))
    )
    by_channel = {row["channel_id"]: row for row in spans}
    assert set(by_channel) == {c.pk for c in channels}
    for channel in channels:
        yesterday = NOW.astimezone(zoneinfo.ZoneInfo(channel.timezone)).date() - dt.timedelta(days=1)
        row = by_channel[channel.pk]
        assert (row["n"], row["last"], row["first"]) == (365, yesterday, yesterday - dt.timedelta(days=364))
    demo_posts = Post.objects.filter(organization=demo_org, publications__idempotency_key__startswith="demo-")
    assert set(demo_posts.values_list("status", flat=True)) == {"published"}
    posts = demo_posts.values("channel_id").annotate(n=Count("pk"))
    assert all(80 <= row["n"] <= 104 for row in posts), list(posts)
    published = Publication.objects.filter(organization=demo_org, idempotency_key__startswith="demo-")
    assert published.count() == sum(row["n"] for row in posts) == first[3]
    assert not published.exclude(remote_id="").exists()  # never on a network: collection leaves them alone
    assert collections_discover(now=NOW)[0] == 0
    print(f"demo metrics: {first[3]} posts, {first[4]} snapshots in {elapsed:.2f} s")  # noqa: T201
    assert elapsed < 10, f"the demo metrics took {elapsed:.1f} s"

    again: list[tuple[object, ...]] = []
    with pytest.raises(_Rollback):
        _load_again(demo_org, again)
    assert again == [first[:3]]  # the same figures again (seeded)


def test_the_months_are_the_sums_of_the_days(demo_org: Organization) -> None:
    _clear(demo_org)
    assert load_demo_metrics(demo_org, now=NOW) is True
    fields = ("posts_published", *COUNTS)
    expected: dict[tuple[int, dt.date], list[int]] = {}
    for channel_id, day, *values in ChannelDailyStat.objects.filter(organization=demo_org).values_list(
        "channel_id", "day", *fields
    ):
        key = (channel_id, day.replace(day=1))
        expected[key] = [a + b for a, b in zip(expected.get(key, [0] * len(fields)), values, strict=True)]
    months = {
        (channel_id, month): list(values)
        for channel_id, month, *values in ChannelMonthlyStat.objects.filter(organization=demo_org).values_list(
            "channel_id", "month", *fields
        )
    }
    assert months == expected
    assert len(months) == 13 * Channel.objects.filter(organization=demo_org, is_active=True).count()


def test_global_channels_reach_more_and_engage_less_on_each_network(demo_org: Organization) -> None:
    _clear(demo_org)
    assert load_demo_metrics(demo_org, now=NOW) is True
    rows = (
        ChannelDailyStat.objects.filter(organization=demo_org)
        .values("channel_id", "channel__network", "channel__owner_market__parent_id")
        .annotate(
            interactions=Sum("likes") + Sum("reposts") + Sum("replies") + Sum("quotes"),
            posts=Sum("posts_published"),
            audience=Max("followers"),
        )
    )
    compared = 0
    for network in ("linkedin", "x", "bluesky"):
        glob = [r for r in rows if r["channel__network"] == network and r["channel__owner_market__parent_id"] is None]
        local = [r for r in rows if r["channel__network"] == network and r["channel__owner_market__parent_id"]]
        for g in glob:
            for loc in local:
                g_rate = g["interactions"] / g["posts"] / g["audience"]
                l_rate = loc["interactions"] / loc["posts"] / loc["audience"]
                assert g["audience"] > 3 * loc["audience"]
                assert 0.3 < g_rate / l_rate < 0.8, (network, g_rate, l_rate)  # lower, not absurdly
                compared += 1
    assert compared >= 4
