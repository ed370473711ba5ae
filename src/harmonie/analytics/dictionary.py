"""The normalized metric dictionary across networks.

Every connector maps what its network gives into ``connectors.base.PostMetrics`` (likes, reposts, replies, quotes,
impressions, views, clicks, saves; ``None`` where the network does not give the figure). This module says, for each
network, which of those counts exist, and how the **engagement rate** is defined there, with the reason:

* interactions = likes + reposts + replies + quotes + saves (reactions, comments, shares, bookmarks/saves — the
  ``engagements`` metric of ``strategy/data/metrics.toml``; link clicks are counted apart, as ``clicks``);
* where the network gives the times a post was displayed (``impressions`` on LinkedIn, X, Pinterest; ``views`` on
  Instagram, Threads, YouTube, TikTok, which replaced impressions there), the rate is interactions ÷ those displays;
* where it does not (Bluesky and Mastodon have no impressions in their protocols; Facebook deprecated post
  impressions in June 2025 and the Page connector reads reactions, comments and shares only), the rate is
  interactions per post ÷ followers: interactions ÷ (posts published in the period × followers at the end).

Rates of the two kinds are not the same thing; pages that put channels side by side say which definition each
channel uses. KPI metric names are those of ``strategy/data/metrics.toml`` (``METRIC_SOURCES`` says where each one
is measured from, or why it cannot be yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from harmonie.governance.models import Network

INTERACTIONS = ("likes", "reposts", "replies", "quotes", "saves")


class Denominator(StrEnum):
    IMPRESSIONS = "impressions"
    VIEWS = "views"
    FOLLOWERS = "followers"


@dataclass(frozen=True)
class NetworkMetrics:
    network: str
    counts: frozenset[str]  # what the connector fills in PostMetrics
    denominator: Denominator
    reason: Promise
    # ``views`` here are displays of any post (they replaced impressions), not video plays.
    views_are_displays: bool = False

    @property
    def definition(self) -> Promise:
        if self.denominator is Denominator.FOLLOWERS:
            return _("interactions per post ÷ followers")
        if self.denominator is Denominator.VIEWS:
            return _("interactions ÷ views")
        return _("interactions ÷ impressions")


NETWORK_METRICS: dict[str, NetworkMetrics] = {
    Network.BLUESKY: NetworkMetrics(
        Network.BLUESKY,
        frozenset({"likes", "reposts", "replies", "quotes"}),
        Denominator.FOLLOWERS,
        _("The AT Protocol has no impressions, views or clicks: followers are the only audience figure."),
    ),
    Network.MASTODON: NetworkMetrics(
        Network.MASTODON,
        frozenset({"likes", "reposts", "replies", "quotes"}),
        Denominator.FOLLOWERS,
        _("Mastodon gives no impressions or reach anywhere: followers are the only audience figure."),
    ),
    Network.X: NetworkMetrics(
        Network.X,
        frozenset({"likes", "reposts", "replies", "quotes", "impressions", "clicks", "saves"}),
        Denominator.IMPRESSIONS,
        _("X gives impression_count for every post."),
    ),
    Network.LINKEDIN: NetworkMetrics(
        Network.LINKEDIN,
        frozenset({"likes", "reposts", "replies", "impressions", "clicks"}),
        Denominator.IMPRESSIONS,
        _("LinkedIn share statistics give impressionCount for organization posts."),
    ),
    Network.FACEBOOK: NetworkMetrics(
        Network.FACEBOOK,
        frozenset({"likes", "reposts", "replies"}),
        Denominator.FOLLOWERS,
        _(
            "Post impressions were deprecated in June 2025 and the Page connector reads reactions, comments and "
            "shares only."
        ),
    ),
    Network.INSTAGRAM: NetworkMetrics(
        Network.INSTAGRAM,
        frozenset({"likes", "reposts", "replies", "saves", "views"}),
        Denominator.VIEWS,
        _("Instagram insights give views, which replaced impressions in 2025."),
        views_are_displays=True,
    ),
    Network.THREADS: NetworkMetrics(
        Network.THREADS,
        frozenset({"likes", "reposts", "replies", "quotes", "views"}),
        Denominator.VIEWS,
        _("Threads insights give views for every post."),
        views_are_displays=True,
    ),
    Network.YOUTUBE: NetworkMetrics(
        Network.YOUTUBE,
        frozenset({"likes", "replies", "saves", "views"}),
        Denominator.VIEWS,
        _("YouTube gives view counts (no impressions in the public API)."),
    ),
    Network.TIKTOK: NetworkMetrics(
        Network.TIKTOK,
        frozenset({"likes", "reposts", "replies", "views"}),
        Denominator.VIEWS,
        _("TikTok's Display API gives views, likes, comments and shares."),
    ),
    Network.PINTEREST: NetworkMetrics(
        Network.PINTEREST,
        frozenset({"impressions", "saves", "clicks"}),
        Denominator.IMPRESSIONS,
        _("Pinterest pin analytics give impressions, saves and outbound clicks."),
    ),
}


def network_metrics(network: str) -> NetworkMetrics:
    try:
        return NETWORK_METRICS[network]
    except KeyError:
        raise ValueError(f"No metric dictionary entry for network {network!r}: add it to NETWORK_METRICS.") from None


class Source(StrEnum):
    """Where a KPI metric is measured from."""

    CHANNELS = "channels"  # ChannelDailyStat
    LINKS = "links"  # network clicks + first-party short-link clicks
    STORE = "store"  # QR scans + promo redemptions
    LEADS = "leads"
    SPEND = "spend"
    LISTENING = "listening"
    INBOX = "inbox"
    NONE = "none"


# metrics.toml names -> source. Cumulative metrics add up day by day (their target is prorated to the period).
METRIC_SOURCES: dict[str, Source] = {
    "reach": Source.NONE,
    "impressions": Source.CHANNELS,
    "engagement_rate": Source.CHANNELS,
    "engagements": Source.CHANNELS,
    "clicks": Source.LINKS,
    "ctr": Source.CHANNELS,
    "follower_growth": Source.CHANNELS,
    "followers": Source.CHANNELS,
    "share_of_voice": Source.LISTENING,
    "sentiment": Source.LISTENING,
    "first_response_time": Source.INBOX,
    "response_rate": Source.INBOX,
    "conversions": Source.SPEND,
    "store_visits": Source.STORE,
    "leads": Source.LEADS,
    "video_views": Source.CHANNELS,
    "applications": Source.NONE,
    "cost_per_result": Source.SPEND,
}

CUMULATIVE = frozenset({"impressions", "engagements", "clicks", "conversions", "store_visits", "leads", "video_views"})

UNMEASURED_REASONS: dict[Source, Promise] = {
    Source.LISTENING: _("Measured once listening exists."),
    Source.INBOX: _("Measured once the inbox exists."),
    Source.NONE: _("Not collected: no network or entered data gives this figure yet."),
}
