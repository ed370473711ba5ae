"""The metric dictionary: every network has an entry, engagement rate definitions per network with exact values,
and every KPI metric of strategy/data/metrics.toml has a source."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harmonie.analytics.dictionary import METRIC_SOURCES, NETWORK_METRICS, Denominator, network_metrics
from harmonie.analytics.kpis.compute import ChannelTotals, engagement_rate, follower_growth
from harmonie.governance.models import Network
from harmonie.strategy.knowledge import metrics


def test_every_network_and_metric_is_covered() -> None:
    assert set(NETWORK_METRICS) == set(Network.values)
    assert set(METRIC_SOURCES) == set(metrics())
    with pytest.raises(ValueError, match="NETWORK_METRICS"):
        network_metrics("myspace")


@pytest.mark.parametrize(
    ("network", "denominator"),
    [
        ("bluesky", Denominator.FOLLOWERS), ("mastodon", Denominator.FOLLOWERS), ("facebook", Denominator.FOLLOWERS),
        ("linkedin", Denominator.IMPRESSIONS), ("x", Denominator.IMPRESSIONS), ("pinterest", Denominator.IMPRESSIONS),
        ("instagram", Denominator.VIEWS), ("threads", Denominator.VIEWS), ("youtube", Denominator.VIEWS),
        ("tiktok", Denominator.VIEWS),
    ],
)  # fmt: skip
def test_denominators(network: str, denominator: Denominator) -> None:
    spec = network_metrics(network)
    assert spec.denominator is denominator
    assert str(spec.reason)  # every definition says why
    if denominator is not Denominator.FOLLOWERS:
        assert denominator.value in spec.counts  # the connector gives the figure it divides by


def test_counts_match_the_connectors() -> None:
    assert network_metrics("bluesky").counts == {"likes", "reposts", "replies", "quotes"}
    assert network_metrics("x").counts == {"likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves"}
    assert network_metrics("instagram").counts == {"likes", "reposts", "replies", "saves", "views"}


def test_engagement_rate_exact_per_network() -> None:
    # LinkedIn: (10 + 5 + 5) ÷ 1000 impressions = 2 %
    assert engagement_rate(ChannelTotals(1, "linkedin", likes=10, reposts=5, replies=5, impressions=1000)) == 2
    # X: saves (bookmarks) and quotes count, clicks do not: (3 + 1 + 1) ÷ 200 = 2.5 %
    assert engagement_rate(ChannelTotals(1, "x", likes=3, quotes=1, saves=1, clicks=50, impressions=200)) == Decimal(
        "2.5"
    )
    # Instagram: ÷ views (400 views, 12 interactions) = 3 %
    assert engagement_rate(ChannelTotals(1, "instagram", likes=10, saves=2, views=400)) == 3
    # Bluesky: 30 interactions over 3 posts ÷ 500 followers = 2 % per post
    bsky = ChannelTotals(1, "bluesky", likes=20, reposts=6, replies=3, quotes=1, posts=3, followers_last=500)
    assert engagement_rate(bsky) == 2
    # Mastodon without posts in the period, or LinkedIn without impressions: no rate, not zero
    assert engagement_rate(ChannelTotals(1, "mastodon", likes=5, posts=0, followers_last=100)) is None
    assert engagement_rate(ChannelTotals(1, "linkedin", likes=5)) is None
    # Instagram views are displays (impressions), YouTube views are video views
    assert ChannelTotals(1, "instagram", views=400, impressions=0).displays == 400
    assert ChannelTotals(1, "youtube", views=400).video_views == 400
    assert ChannelTotals(1, "youtube", views=400).displays == 0


def test_follower_growth() -> None:
    assert follower_growth(1000, 1100) == 10
    assert follower_growth(0, 10) is None
    assert follower_growth(None, 10) is None
