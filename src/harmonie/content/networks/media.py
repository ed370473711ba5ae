"""Media checks: how many images and videos, which types, how heavy, how long, what shape."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harmonie.content.networks.formatting import duration, mime, number, sizes, type_names, type_ok
from harmonie.content.networks.limits import GIF, MediaInfo, NetworkLimits, Problem


def _count_problems(limits: NetworkLimits, media: Sequence[MediaInfo]) -> list[Problem]:
    problems: list[Problem] = []
    name = {"network": limits.label}
    images = [m for m in media if m.kind == "image"]
    videos = [m for m in media if m.kind == "video"]
    if limits.requires_media and not media:
        if limits.max_images == 0:
            message = _("%(network)s needs a video: add one.")
        elif limits.max_videos == 0:
            message = _("%(network)s needs an image: add one.")
        else:
            message = _("%(network)s needs an image or a video: add one.")
        problems.append(Problem("media_required", "media", message % name))
    if limits.max_media is not None and len(media) > limits.max_media:
        message = _(
            "%(network)s takes at most %(max)s images and videos in one post; this post has %(count)s. Remove %(over)s."
        )
        over = len(media) - limits.max_media
        values = {**name, "max": number(limits.max_media), "count": number(len(media)), "over": number(over)}
        problems.append(Problem("too_many_media", "media", message % values))
    for code, items, limit in (
        ("too_many_images", images, limits.max_images),
        ("too_many_videos", videos, limits.max_videos),
    ):
        if len(items) <= limit or (limits.max_media is not None and limit >= limits.max_media):
            continue
        values = {**name, "max": number(limit), "count": number(len(items)), "over": number(len(items) - limit)}
        if code == "too_many_images" and limit == 0:
            message = ngettext(
                "%(network)s takes no images; remove the image.",
                "%(network)s takes no images; remove the %(count)s images.",
                len(items),
            )
        elif code == "too_many_images":
            message = _(
                "%(network)s takes at most %(max)s images in one post; this post has %(count)s. Remove %(over)s."
            )
        else:
            message = ngettext(
                "%(network)s takes at most %(max)s video in one post; this post has %(count)s. Remove %(over)s.",
                "%(network)s takes at most %(max)s videos in one post; this post has %(count)s. Remove %(over)s.",
                limit,
            )
        problems.append(Problem(code, "media", message % values))
    gifs = [m for m in images if mime(m.mime_type) == GIF]
    if limits.gif_alone and gifs and len(media) > 1:
        problems.append(
            Problem("gif_alone", "media", _("%(network)s takes a GIF on its own: post it without other media.") % name)
        )
    elif images and videos and not limits.mix_images_and_videos and limits.max_images > 0:
        problems.append(
            Problem(
                "media_mix",
                "media",
                _("%(network)s does not mix images and videos in one post: keep the images or the video.") % name,
            )
        )
    return problems


def _image_problems(limits: NetworkLimits, item: MediaInfo, values: dict[str, str]) -> list[Problem]:
    mime_type = mime(item.mime_type)
    if not type_ok(mime_type, limits.image_types):
        message = _("Media %(n)s (%(type)s) is not an image type %(network)s accepts: use %(types)s.")
        return [Problem("image_type", "media", message % {**values, "types": type_names(limits.image_types)})]
    problems: list[Problem] = []
    is_gif = mime_type == GIF and limits.gif_max_bytes is not None
    max_bytes = limits.gif_max_bytes if is_gif and limits.gif_max_bytes is not None else limits.image_max_bytes
    if item.size_bytes > max_bytes:
        size, limit = sizes(item.size_bytes, max_bytes)
        message = (
            _("Media %(n)s weighs %(size)s; %(network)s accepts GIFs up to %(max)s. Shorten or resize it.")
            if is_gif
            else _("Media %(n)s weighs %(size)s; %(network)s accepts images up to %(max)s. Compress or resize it.")
        )
        problems.append(
            Problem(
                "gif_too_large" if is_gif else "image_too_large",
                "media",
                message % {**values, "size": size, "max": limit},
            )
        )
    if item.width and item.height:
        dims = {**values, "width": number(item.width), "height": number(item.height)}
        pixels = item.width * item.height
        if limits.image_max_pixels is not None and pixels > limits.image_max_pixels:
            message = _(
                "Media %(n)s is %(width)s×%(height)s (%(pixels)s pixels); %(network)s accepts up to %(max)s "
                "pixels. Resize it."
            )
            problems.append(
                Problem(
                    "image_too_many_pixels",
                    "media",
                    message % {**dims, "pixels": number(pixels), "max": number(limits.image_max_pixels)},
                )
            )
        if limits.image_aspect_ratio is not None:
            low, high = limits.image_aspect_ratio
            ratio = Fraction(item.width, item.height)
            if not low <= ratio <= high:
                message = _(
                    "Media %(n)s is %(width)s×%(height)s (%(ratio)s:1); %(network)s accepts images from %(low)s:1 "
                    "to %(high)s:1. Crop it."
                )
                values_ratio = {
                    **dims,
                    "ratio": number(round(float(ratio), 2)),
                    "low": number(low),
                    "high": number(high),
                }
                problems.append(Problem("image_aspect_ratio", "media", message % values_ratio))
    return problems


def _video_problems(limits: NetworkLimits, item: MediaInfo, values: dict[str, str]) -> list[Problem]:
    if not type_ok(mime(item.mime_type), limits.video_types):
        message = _("Media %(n)s (%(type)s) is not a video type %(network)s accepts: use %(types)s.")
        return [Problem("video_type", "media", message % {**values, "types": type_names(limits.video_types)})]
    problems: list[Problem] = []
    if item.size_bytes > limits.video_max_bytes:
        size, limit = sizes(item.size_bytes, limits.video_max_bytes)
        message = _("Media %(n)s weighs %(size)s; %(network)s accepts videos up to %(max)s. Compress or shorten it.")
        problems.append(Problem("video_too_large", "media", message % {**values, "size": size, "max": limit}))
    seconds = item.duration_seconds
    if seconds is not None and limits.video_max_seconds is not None and seconds > limits.video_max_seconds:
        message = _("Media %(n)s lasts %(duration)s; %(network)s accepts videos up to %(max)s. Cut %(over)s.")
        over = math.ceil(round((seconds - limits.video_max_seconds) * 10, 6)) / 10  # tenths, rounded up
        problems.append(
            Problem(
                "video_too_long",
                "media",
                message
                % {
                    **values,
                    "duration": duration(seconds),
                    "max": duration(limits.video_max_seconds),
                    "over": duration(over),
                },
            )
        )
    if seconds is not None and limits.video_min_seconds is not None and seconds < limits.video_min_seconds:
        message = _("Media %(n)s lasts %(duration)s; %(network)s needs videos of at least %(min)s.")
        problems.append(
            Problem(
                "video_too_short",
                "media",
                message % {**values, "duration": duration(seconds), "min": duration(limits.video_min_seconds)},
            )
        )
    if limits.video_side_px is not None and item.width and item.height:
        low, high = limits.video_side_px
        if min(item.width, item.height) < low or max(item.width, item.height) > high:
            message = _(
                "Media %(n)s is %(width)s×%(height)s; %(network)s needs each side between %(low)s and %(high)s "
                "pixels. Resize it."
            )
            problems.append(
                Problem(
                    "video_dimensions",
                    "media",
                    message
                    % {
                        **values,
                        "width": number(item.width),
                        "height": number(item.height),
                        "low": number(low),
                        "high": number(high),
                    },
                )
            )
    return problems


def media_problems(limits: NetworkLimits, media: Sequence[MediaInfo]) -> list[Problem]:
    """The count and mixing problems of ``media``, then each item's (numbered from 1, in the post's order).
    A size, duration or dimension that the library does not know (None) is not checked."""
    problems = _count_problems(limits, media)
    for position, item in enumerate(media, start=1):
        values = {"network": limits.label, "n": number(position), "type": item.mime_type, "kind": item.kind}
        if item.kind == "image" and limits.max_images > 0:
            problems += _image_problems(limits, item, values)
        elif item.kind == "video" and limits.max_videos > 0:
            problems += _video_problems(limits, item, values)
        elif item.kind not in ("image", "video"):
            message = _("Media %(n)s is of kind “%(kind)s”; %(network)s takes images and videos only.")
            problems.append(Problem("media_kind", "media", message % values))
        if limits.alt_text_max is not None and len(item.alt_text) > limits.alt_text_max:
            message = _(
                "The alternative text of media %(n)s has %(count)s characters; %(network)s allows %(max)s. "
                "Shorten it by %(over)s."
            )
            count = len(item.alt_text)
            over = count - limits.alt_text_max
            problems.append(
                Problem(
                    "alt_text_too_long",
                    "media",
                    message
                    % {**values, "count": number(count), "max": number(limits.alt_text_max), "over": number(over)},
                )
            )
    return problems
