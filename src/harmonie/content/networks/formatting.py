"""How the messages show numbers, sizes, durations and file types (localized through Django)."""

from __future__ import annotations

from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harmonie.content.networks.limits import ANY_VIDEO

TYPE_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
}
MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}


def number(value: float | Fraction) -> str:
    """A number in the active language: 63,206 / 0.5 in English, 63 206 / 0,5 in French."""
    as_float = float(value)
    return number_format(int(as_float) if as_float.is_integer() else as_float, force_grouping=True)


def size(n_bytes: int) -> str:
    """A file size in decimal units, one decimal: 16,777,216 → "16.8 MB"."""
    for factor, unit in ((10**9, _("%(value)s GB")), (10**6, _("%(value)s MB")), (10**3, _("%(value)s kB"))):
        if n_bytes >= factor:
            return unit % {"value": number(round(n_bytes / factor, 1))}
    return byte_count(n_bytes)


def byte_count(n_bytes: int) -> str:
    return ngettext("%(count)s byte", "%(count)s bytes", n_bytes) % {"count": number(n_bytes)}


def sizes(measured: int, limit: int) -> tuple[str, str]:
    """Both sizes, exact in bytes when rounding would show them equal."""
    if size(measured) == size(limit):
        return byte_count(measured), byte_count(limit)
    return size(measured), size(limit)


def duration(seconds: float) -> str:
    """A duration to the tenth of a second: 140 → "2 min 20 s", 0.5 → "0.5 s", 43200 → "12 h"."""
    hours, rest = divmod(round(seconds, 1), 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(_("%(count)s h") % {"count": number(hours)})
    if minutes:
        parts.append(_("%(count)s min") % {"count": number(minutes)})
    if secs or not parts:
        parts.append(_("%(count)s s") % {"count": number(round(secs, 1))})
    return " ".join(parts)


def join_or(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("%(names)s or %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def type_names(types: frozenset[str]) -> str:
    if ANY_VIDEO in types:
        return _("any video format")
    return join_or(sorted((TYPE_NAMES.get(t, t) for t in types), key=list(TYPE_NAMES.values()).index))


def mime(mime_type: str) -> str:
    """The bare, lower-case MIME type ("image/JPG; q=1" → "image/jpeg")."""
    bare = mime_type.split(";", 1)[0].strip().lower()
    return MIME_ALIASES.get(bare, bare)


def type_ok(mime_type: str, types: frozenset[str]) -> bool:
    return mime_type in types or f"{mime_type.split('/', 1)[0]}/*" in types
