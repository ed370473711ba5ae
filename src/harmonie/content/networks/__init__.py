"""Per-network post validation: a pure module (no database) that the post services call before a post is
saved or scheduled.

* :mod:`.limits`: what each network accepts (:class:`NetworkLimits`, one per network, with its source in
  ``docs/network-apis.md``) and :func:`limits_for`;
* :mod:`.counting`: how each network measures a text (:func:`measure`, :func:`x_weighted_length`, graphemes,
  bytes) and finds hashtags, mentions and links;
* :mod:`.validation`: :func:`validate_post`, which returns every :class:`Problem` at once (text, link, first
  comment, title), with :mod:`.media` for the media checks and :mod:`.formatting` for localized figures.
"""

from harmonie.content.networks.counting import (
    count_hashtags,
    count_links,
    count_mentions,
    emoji_spans,
    grapheme_length,
    mastodon_length,
    measure,
    threads_length,
    url_spans,
    utf8_length,
    utf16_length,
    x_weighted_length,
)
from harmonie.content.networks.limits import LIMITS, NETWORKS, MediaInfo, NetworkLimits, Problem, limits_for
from harmonie.content.networks.validation import LINK_SEPARATOR, text_with_link, validate_post

__all__ = [
    "LIMITS",
    "LINK_SEPARATOR",
    "NETWORKS",
    "MediaInfo",
    "NetworkLimits",
    "Problem",
    "count_hashtags",
    "count_links",
    "count_mentions",
    "emoji_spans",
    "grapheme_length",
    "limits_for",
    "mastodon_length",
    "measure",
    "text_with_link",
    "threads_length",
    "url_spans",
    "utf8_length",
    "utf16_length",
    "validate_post",
    "x_weighted_length",
]
