"""What each network accepts in one post, declared once, each with the section of
``docs/network-apis.md`` it comes from (``source``).

Where the doc gives no figure the value is a conservative one (it refuses rather than lets a publication fail
at the network), and ``source`` says so. Figures the doc gives in "MB"/"GB" are read as decimal units
(10**6, 10**9): the smaller reading, so never more than the network takes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
MP4, MOV, WEBM = "video/mp4", "video/quicktime", "video/webm"
ANY_VIDEO = "video/*"  # YouTube takes any video/* MIME type

TEXT_UNITS = ("graphemes", "weighted", "chars", "utf16", "bytes", "emoji_bytes")
LINK_MODES = ("text", "card", "none")


@dataclass(frozen=True)
class MediaInfo:
    """What the media library knows of an asset."""

    kind: str  # "image" | "video"
    mime_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    alt_text: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing the network would refuse. ``field``: "text" | "media" | "first_comment" | "link" | "title"."""

    code: str
    field: str
    message: str


@dataclass(frozen=True, kw_only=True)
class NetworkLimits:
    """What one network accepts in one post.

    ``text_unit`` says how ``text_max`` is counted:

    * ``graphemes``: user-perceived characters (Unicode extended grapheme clusters, ``regex`` ``\\X``);
      with ``url_length`` set (Mastodon) every http(s) URL counts that many and, with ``mentions_as_user``,
      ``@user@server`` counts as ``@user``;
    * ``weighted``: twitter-text v3 (X), see :func:`~harmonie.content.networks.counting.x_weighted_length`;
    * ``chars``: Unicode code points of the text as written (not normalized, so a decomposed accent counts 2);
    * ``utf16``: UTF-16 code units (an emoji outside the BMP counts 2);
    * ``bytes``: UTF-8 bytes;
    * ``emoji_bytes``: code points, except that an emoji counts its UTF-8 bytes (Threads).

    ``link_mode`` says where the post's link goes: ``text`` (always inside the text: it counts in the length),
    ``card`` (a link-card field of its own, which the network does not combine with media: with media the
    link goes into the text), ``none`` (the network publishes no link).
    """

    network: str
    label: str
    text_max: int
    text_unit: str
    text_max_bytes: int | None = None
    url_length: int | None = None
    mentions_as_user: bool = False
    max_images: int
    max_videos: int
    max_media: int | None = None  # images and videos together (carousels)
    mix_images_and_videos: bool
    gif_alone: bool = False  # a GIF takes the post's single video slot: nothing else beside it
    image_types: frozenset[str]
    image_max_bytes: int
    gif_max_bytes: int | None = None  # when GIFs have their own size limit
    image_max_pixels: int | None = None
    image_aspect_ratio: tuple[Fraction, Fraction] | None = None  # width / height, inclusive
    video_types: frozenset[str]
    video_max_bytes: int
    video_min_seconds: float | None = None
    video_max_seconds: float | None
    video_side_px: tuple[int, int] | None = None  # each side of the frame, inclusive
    max_hashtags: int | None = None
    max_mentions: int | None = None
    max_links: int | None = None
    requires_media: bool = False
    alt_text_max: int | None  # None: the network takes no alternative text
    first_comment: bool
    link_mode: str
    title_max: int | None = None
    source: str


LIMITS: dict[str, NetworkLimits] = {
    limits.network: limits
    for limits in (
        NetworkLimits(
            network="mastodon",
            label="Mastodon",
            text_max=500,
            text_unit="graphemes",
            url_length=23,
            mentions_as_user=True,
            max_images=4,
            max_videos=1,
            mix_images_and_videos=False,
            gif_alone=True,
            image_types=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=16_777_216,
            image_max_pixels=33_177_600,
            video_types=frozenset({MP4, MOV, WEBM}),
            video_max_bytes=103_809_024,
            video_max_seconds=None,  # Mastodon limits the size, not the duration
            alt_text_max=1500,
            first_comment=True,  # a reply to the post (in_reply_to_id)
            link_mode="text",
            source=(
                "network-apis.md §0 and §2.2 Publish [V]: instance configuration defaults, statuses.max_characters "
                "500, characters_reserved_per_url 23 (only the username of @user@domain counts), "
                "max_media_attachments 4, one video or GIF per post, image_size_limit 16,777,216 B, "
                "video_size_limit 103,809,024 B, image_matrix_limit 33,177,600 px, description_limit 1500; "
                "graphemes as Mastodon's StatusLengthValidator counts them, URLs with http(s):// only. "
                "Not in the doc: MIME types (each instance lists supported_mime_types; we take JPEG/PNG/GIF/WebP "
                "and MP4/MOV/WebM); Mastodon sets no duration limit."
            ),
        ),
        NetworkLimits(
            network="bluesky",
            label="Bluesky",
            text_max=300,
            text_unit="graphemes",
            text_max_bytes=3000,
            max_images=4,
            max_videos=1,
            mix_images_and_videos=False,  # embed is a union: images or video
            image_types=frozenset({JPEG, PNG, WEBP, GIF}),
            image_max_bytes=2_000_000,
            video_types=frozenset({MP4}),
            video_max_bytes=300_000_000,
            video_max_seconds=180,  # not in the doc: Bluesky's video service takes up to 3 minutes [K]
            alt_text_max=1000,  # not in the doc: conservative
            first_comment=True,  # a reply record
            link_mode="card",  # embed.external, exclusive with embed.images/video
            source=(
                "network-apis.md §0 and §3.2 Publish [V/T]: text ≤300 graphemes and ≤3000 bytes, "
                "app.bsky.embed.images ≤4 × 2,000,000 B, app.bsky.embed.video mp4 ≤300,000,000 B, one embed. "
                "Not in the doc: image types (lexicon accepts image/*; we take JPEG/PNG/WebP/GIF), video "
                "duration (180 s, the video service's limit [K]), alt text length (1000, conservative)."
            ),
        ),
        NetworkLimits(
            network="x",
            label="X",
            text_max=280,
            text_unit="weighted",
            url_length=23,
            max_images=4,
            max_videos=1,
            mix_images_and_videos=False,
            gif_alone=True,
            image_types=frozenset({JPEG, PNG, GIF, WEBP}),
            image_max_bytes=5_000_000,
            gif_max_bytes=15_000_000,
            video_types=frozenset({MP4}),
            video_max_bytes=512_000_000,
            video_min_seconds=0.5,
            video_max_seconds=140,
            alt_text_max=1000,
            first_comment=True,  # a reply
            link_mode="text",
            source=(
                "network-apis.md §0, §4.2 Publish [V] and §4.3 Media upload [V]: 280 weighted characters "
                "(twitter-text config v3, URLs 23), media_ids 1–4 (4 photos or 1 GIF or 1 video), image ≤5 MB "
                "JPG/PNG/GIF/WEBP, GIF ≤15 MB, video ≤512 MB 0.5–140 s, alt text ≤1000 [K]. Premium's 25,000 "
                "is not assumed. Not in the doc: video types (MP4 only, conservative); GIF frame count (≤350) "
                "is not checked."
            ),
        ),
        NetworkLimits(
            network="linkedin",
            label="LinkedIn",
            text_max=3000,
            text_unit="chars",
            max_images=20,
            max_videos=1,
            mix_images_and_videos=False,  # content is one of media / multiImage / article
            image_types=frozenset({JPEG, PNG, GIF}),
            image_max_bytes=5_000_000,  # not in the doc: conservative
            image_max_pixels=36_152_320,
            video_types=frozenset({MP4}),
            video_max_bytes=500_000_000,
            video_min_seconds=3,
            video_max_seconds=1800,
            alt_text_max=1000,  # not in the doc: conservative
            first_comment=True,  # socialActions comments
            link_mode="card",  # content.article, exclusive with media
            source=(
                "network-apis.md §0 and §5.2 Publish [V]: commentary ≤3000 characters, multiImage 2–20 images, "
                "images JPG/PNG/GIF ≤36,152,320 pixels [K], video MP4 3 s–30 min ≤500 MB [K]. Not in the doc: "
                "image file size (5 MB, conservative), alt text length (1000, conservative), how LinkedIn counts "
                "characters (code points here; the little-text escapes are added by the connector)."
            ),
        ),
        NetworkLimits(
            network="facebook",
            label="Facebook",
            text_max=63_206,
            text_unit="chars",
            max_images=10,  # not in the doc: conservative
            max_videos=1,
            mix_images_and_videos=False,
            image_types=frozenset({JPEG, PNG, GIF}),  # not in the doc: conservative
            image_max_bytes=4_000_000,  # not in the doc [K]
            video_types=frozenset({MP4, MOV}),  # not in the doc: conservative
            video_max_bytes=1_000_000_000,  # not in the doc: the non-resumable upload limit [K]
            video_max_seconds=1200,  # not in the doc: the non-resumable upload limit [K]
            alt_text_max=1000,  # not in the doc: conservative
            first_comment=True,  # comments edge
            link_mode="card",  # /feed link, not with photos or a video
            source=(
                "network-apis.md §0 and §7.2 Publish: text ≤63,206 characters, photos (multi-photo via "
                "attached_media) or one video. Not in the doc, conservative: 10 photos, JPEG/PNG/GIF ≤4 MB [K], "
                "MP4/MOV ≤1 GB and ≤20 min (non-resumable upload [K]), alt text ≤1000."
            ),
        ),
        NetworkLimits(
            network="instagram",
            label="Instagram",
            text_max=2200,
            text_unit="chars",
            max_images=10,
            max_videos=10,
            max_media=10,
            mix_images_and_videos=True,  # a carousel mixes them
            image_types=frozenset({JPEG}),
            image_max_bytes=8_000_000,
            image_aspect_ratio=(Fraction(4, 5), Fraction(191, 100)),
            video_types=frozenset({MP4, MOV}),
            video_max_bytes=300_000_000,
            video_min_seconds=3,
            video_max_seconds=900,
            max_hashtags=30,
            max_mentions=20,
            requires_media=True,
            alt_text_max=1000,  # not in the doc: conservative
            first_comment=True,  # a comment on the published media
            link_mode="none",  # links in captions are not clickable and the API has no link field
            source=(
                "network-apis.md §0 and §8.1 Publish [V]: caption ≤2,200 characters, ≤30 hashtags, ≤20 @-tags, "
                "a container needs an image or a video, carousel ≤10 items [K], images JPEG only ≤8 MB with "
                "aspect 4:5–1.91:1, reels MP4/MOV 3 s–15 min ≤300 MB [K]. Width 320–1440 px is not refused "
                "(Instagram rescales). Not in the doc: alt text length (1000, conservative)."
            ),
        ),
        NetworkLimits(
            network="threads",
            label="Threads",
            text_max=500,
            text_unit="emoji_bytes",
            max_images=20,
            max_videos=20,
            max_media=20,
            mix_images_and_videos=True,  # a carousel mixes them
            image_types=frozenset({JPEG, PNG}),
            image_max_bytes=8_000_000,
            video_types=frozenset({MP4, MOV}),
            video_max_bytes=1_000_000_000,
            video_max_seconds=300,
            max_links=5,
            alt_text_max=1000,  # not in the doc: conservative
            first_comment=True,  # a reply (reply_to_id)
            link_mode="card",  # link_attachment, text posts only
            source=(
                "network-apis.md §0 and §9.2 Publish [V]: text ≤500 characters with emoji counting their UTF-8 "
                "bytes, ≤5 links [K], carousel 2–20 items, images JPEG/PNG ≤8 MB [K], video MOV/MP4 ≤1 GB "
                "≤5 min [K]. Width 320–1440 px is not refused. Not in the doc: alt text length (1000, "
                "conservative)."
            ),
        ),
        NetworkLimits(
            network="youtube",
            label="YouTube",
            text_max=5000,
            text_unit="bytes",
            text_max_bytes=5000,
            max_images=0,
            max_videos=1,
            mix_images_and_videos=False,
            image_types=frozenset(),
            image_max_bytes=0,
            video_types=frozenset({ANY_VIDEO}),
            video_max_bytes=256_000_000_000,
            video_max_seconds=12 * 3600,
            requires_media=True,
            alt_text_max=None,
            first_comment=True,  # commentThreads.insert
            link_mode="text",  # in the description
            title_max=100,
            source=(
                "network-apis.md §0 and §10.2 Publish [V]: one video per upload (MIME video/*), ≤256 GB and "
                "≤12 h, snippet.title ≤100 characters without < or >, snippet.description ≤5000 bytes (the "
                "post's text)."
            ),
        ),
        NetworkLimits(
            network="tiktok",
            label="TikTok",
            text_max=2200,
            text_unit="utf16",
            max_images=35,
            max_videos=1,
            mix_images_and_videos=False,  # a video post or a photo post
            image_types=frozenset({JPEG, WEBP}),  # not in the doc: conservative
            image_max_bytes=20_000_000,  # not in the doc [K]
            video_types=frozenset({MP4, WEBM, MOV}),
            video_max_bytes=4_000_000_000,
            video_min_seconds=3,
            video_max_seconds=600,
            video_side_px=(360, 4096),
            requires_media=True,
            alt_text_max=None,
            first_comment=False,  # no comments API for this product
            link_mode="none",
            source=(
                "network-apis.md §0, §11.2 Publish [V] and §11.4: caption ≤2200 UTF-16 units, a video or photos "
                "(≤35 [K]), video MP4/WebM/MOV ≤4 GB, 3 s to the creator's max_video_post_duration_sec (at most "
                "10 min; creator_info is not known here), 360–4096 px [K]; no comments API. Not in the doc: "
                "photo types (JPEG/WebP, conservative) and size (20 MB [K]); frame rate (23–60 fps) is not "
                "checked."
            ),
        ),
        NetworkLimits(
            network="pinterest",
            label="Pinterest",
            text_max=500,  # the pin's description
            text_unit="chars",
            max_images=1,
            max_videos=0,  # video pins need the separate media upload flow, not built
            mix_images_and_videos=False,
            image_types=frozenset({JPEG, PNG}),
            image_max_bytes=10_000_000,  # conservative: Pinterest documents 20 MB [K]; base64 grows it by a third
            video_types=frozenset(),
            video_max_bytes=0,
            video_max_seconds=None,
            requires_media=True,
            alt_text_max=500,
            first_comment=False,  # API v5 has no endpoint to comment on a pin
            link_mode="card",  # the pin's destination link, a field of its own (it does go with the image)
            title_max=100,
            source=(
                "network-apis.md §0 has no Pinterest section: Pinterest API v5 as Pinterest documents it [K], "
                "conservative where unsure. A pin is one image (JPEG or PNG, sent as base64 or a public URL; "
                "10 MB here, below the 20 MB Pinterest states) on a board, with a description ≤500 characters, "
                "a title ≤100, alt text ≤500 and a destination link. No video pins (separate media upload), no "
                "carousels, no comments through the API."
            ),
        ),
    )
}

NETWORKS: tuple[str, ...] = tuple(LIMITS)


def limits_for(network: str, *, instance_text_max: int | None = None) -> NetworkLimits:
    """The limits of ``network``; for Mastodon, ``instance_text_max`` (the instance's
    ``configuration.statuses.max_characters``) replaces the default 500."""
    try:
        limits = LIMITS[network]
    except KeyError:
        raise ValueError(f"Unknown network {network!r}; expected one of {', '.join(NETWORKS)}.") from None
    if instance_text_max is None:
        return limits
    if network != "mastodon":
        raise ValueError(f"Only Mastodon has an instance text limit, not {network!r}.")
    if instance_text_max < 1:
        raise ValueError(f"An instance text limit must be positive, not {instance_text_max}.")
    return dataclasses.replace(
        limits,
        text_max=instance_text_max,
        source=f"{limits.source} Text limit {instance_text_max} read from the instance configuration.",
    )
