"""Network-specific options of a publication (``PublishRequest.options``), from the channel and the post:

* the channel's connection settings (``ChannelConnection.settings``), chosen on the Connections page: a Pinterest
  channel's ``board_id``. A channel without a setting its network requires is refused before anything is sent
  (:func:`missing_setting`: the claim fails the post at once, with what to do);
* ``media_urls`` for the networks that fetch media from public addresses instead of taking uploaded bytes
  (Instagram, Threads): one signed, expiring address per media of the post, under ``HARMONIE_PUBLIC_URL``
  (``/publishing/media/<token>/``, served without login to whoever holds the token, only for a media of that
  publication's post, for ``MEDIA_URL_DAYS``). ``HARMONIE_PUBLIC_URL`` must then be reachable from the internet;
* ``first_comment``: the post's first comment (published as a reply once the post is out: ``comments.py``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from harmonie.content.models import MediaAsset, Post
from harmonie.governance.models import Channel
from harmonie.publishing.models import Publication

#: Networks that fetch each media from a public address (network-apis.md §1.4).
MEDIA_BY_URL = frozenset({"instagram", "threads"})
MEDIA_URL_DAYS = 7
_SALT = "harmonie.publishing.media"


def _required() -> dict[str, list[tuple[str, str]]]:
    """network -> (setting, what to do when it is missing)."""
    return {
        "pinterest": [
            (
                "board_id",
                _("Choose a Pinterest board for this channel (Publishing › Connections): a pin goes on a board."),
            )
        ],
    }


def channel_settings(channel: Channel) -> dict[str, str]:
    """The channel's connection settings (read with the channel by the claim: ``channel__connection``)."""
    connection = getattr(channel, "connection", None)
    found = (connection.settings or {}) if connection is not None else {}
    return {str(k): str(v) for k, v in found.items() if v not in (None, "")}


def _loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def missing_public_address(post: Post) -> str | None:
    """Why a post of a network that fetches its media from Harmonie cannot go out: ``HARMONIE_PUBLIC_URL`` is a
    loopback address the network cannot reach (the default of a local install). None for other networks, posts
    without media, or a public address."""
    if post.channel.network not in MEDIA_BY_URL or not _loopback(str(settings.HARMONIE_PUBLIC_URL)):
        return None
    if not post.media.exists():
        return None
    return _(
        "%(network)s fetches the media from Harmonie's public address, and HARMONIE_PUBLIC_URL (%(url)s) cannot be "
        "reached from the internet: set it to Harmonie's public address (docs/deployment.md), then publish again."
    ) % {"network": post.channel.get_network_display(), "url": settings.HARMONIE_PUBLIC_URL}


def missing_setting(channel: Channel) -> str | None:
    """Why the channel's posts cannot go out before someone chooses a setting (a Pinterest board), or None."""
    present = channel_settings(channel)
    for name, reason in _required().get(channel.network, []):
        if not present.get(name):
            return reason
    return None


def media_token(*, publication: Publication, asset: MediaAsset) -> str:
    return signing.dumps([publication.pk, asset.pk], salt=_SALT, compress=True)


def media_url(*, publication: Publication, asset: MediaAsset) -> str:
    token = media_token(publication=publication, asset=asset)
    return str(settings.HARMONIE_PUBLIC_URL).rstrip("/") + reverse("publishing:media", args=[token])


def media_for_token(token: str) -> MediaAsset | None:
    """The media a signed address names, when the signature holds, it has not expired, and the media is one of
    that publication's post; else None."""
    try:
        publication_id, asset_id = signing.loads(token, salt=_SALT, max_age=dt.timedelta(days=MEDIA_URL_DAYS))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return MediaAsset.objects.filter(pk=asset_id, posts__publications__pk=publication_id).first()


def publication_options(
    *, publication: Publication, post: Post, channel: Channel, media: Sequence[MediaAsset]
) -> dict[str, Any]:
    options: dict[str, Any] = dict(channel_settings(channel))
    if channel.network in MEDIA_BY_URL and media:
        options["media_urls"] = [media_url(publication=publication, asset=asset) for asset in media]
    if post.first_comment:
        options["first_comment"] = post.first_comment
    return options
