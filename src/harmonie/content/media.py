"""What a media file really is: validation, probing and thumbnails for the library.

Nothing here trusts the file name or the browser's content type. Images are decoded with Pillow (open,
``verify()``, then opened again and fully ``load()``-ed); the type comes from the decoded format. Videos
are probed with hachoir (pure Python) for the real container (MP4, QuickTime, WebM), the duration and the
frame size. Every refusal is a :class:`~harmonie.core.errors.ValidationFailed` whose message says what is
accepted. Nothing is written to the storage here: the service stores the file once it has been accepted.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from hachoir.core import log as hachoir_log  # type: ignore[import-untyped]
from hachoir.metadata import extractMetadata  # type: ignore[import-untyped]
from hachoir.parser.container import MkvFile, MP4File  # type: ignore[import-untyped]
from hachoir.stream import InputIOStream  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFile, ImageFont, ImageOps, UnidentifiedImageError

from harmonie.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

MIN_SIDE = 10
MAX_SIDE = 12_000
THUMBNAIL_WIDTH = 320
THUMBNAIL_MAX_HEIGHT = 3 * THUMBNAIL_WIDTH  # a very tall image gets a narrower thumbnail, not a 12000 px strip
_CHUNK = 1024 * 1024

# Decoded Pillow format -> (MIME type, file extension, label shown to people).
IMAGE_FORMATS: dict[str, tuple[str, str, str]] = {
    "JPEG": ("image/jpeg", "jpg", "JPEG"),
    "PNG": ("image/png", "png", "PNG"),
    "WEBP": ("image/webp", "webp", "WebP"),
    "GIF": ("image/gif", "gif", "GIF"),
}
MP4 = ("video/mp4", "mp4", "MP4")
QUICKTIME = ("video/quicktime", "mov", "QuickTime")
WEBM = ("video/webm", "webm", "WebM")

# First atoms of an ISO base media file (MP4) or a QuickTime movie, at bytes 4..8.
_ISO_ATOMS = frozenset({b"ftyp", b"moov", b"free", b"skip", b"wide", b"mdat", b"pnot"})
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def _hachoir_to_logging(level: int, prefix: str, text: str, ctxt: Any) -> None:
    logger.debug("hachoir %s %s", prefix, text)


# hachoir writes its parser warnings straight to stderr; send them to the logging system instead.
hachoir_log.log.use_print = False
hachoir_log.log.on_new_message = _hachoir_to_logging


@dataclass(frozen=True)
class Probed:
    """What an accepted file is. ``width``/``height`` are as displayed (EXIF orientation applied)."""

    kind: str  # "image" or "video" (MediaKind values)
    mime_type: str
    extension: str
    label: str
    size_bytes: int
    sha256: str
    width: int
    height: int
    duration_seconds: Decimal | None = None
    exif_transposed: bool = False


def accepted_text() -> str:
    return _("send a JPEG, PNG, WebP or GIF image, or an MP4, QuickTime or WebM video")


def _refuse_type(name: str) -> ValidationFailed:
    return ValidationFailed(
        _("“%(name)s” is not an accepted file: %(accepted)s.") % {"name": name, "accepted": accepted_text()},
        field="file",
        code="media_type",
    )


def _damaged(name: str, label: str) -> ValidationFailed:
    return ValidationFailed(
        _("“%(name)s” is a damaged or incomplete %(format)s file and cannot be read: export it again and "
          "upload the new file.")
        % {"name": name, "format": label},
        field="file",
        code="media_damaged",
    )  # fmt: skip


def _file_size(upload: IO[bytes]) -> int:
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def sha256_of(upload: IO[bytes]) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    while chunk := upload.read(_CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_size(name: str, size: int, *, limit: int, kind: str) -> None:
    if size > limit:
        message = (
            _("“%(name)s” weighs %(size)s; images may weigh at most %(max)s.")
            if kind == "image"
            else _("“%(name)s” weighs %(size)s; videos may weigh at most %(max)s.")
        )
        raise ValidationFailed(
            message % {"name": name, "size": filesizeformat(size), "max": filesizeformat(limit)},
            field="file",
            code="media_too_large",
        )


def _check_dimensions(name: str, width: int, height: int) -> None:
    values = {"name": name, "width": width, "height": height}
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ValidationFailed(
            _("“%(name)s” is %(width)s × %(height)s pixels: an image needs at least %(min)s × %(min)s pixels.")
            % (values | {"min": MIN_SIDE}),
            field="file",
            code="media_dimensions",
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValidationFailed(
            _("“%(name)s” is %(width)s × %(height)s pixels: an image may be at most %(max)s × %(max)s pixels.")
            % (values | {"max": MAX_SIDE}),
            field="file",
            code="media_dimensions",
        )


def _max_pixels() -> int:
    return Image.MAX_IMAGE_PIXELS or MAX_SIDE * MAX_SIDE


def _bomb(name: str) -> ValidationFailed:
    return ValidationFailed(
        _("“%(name)s” has more than %(limit)s million pixels: it cannot be decoded safely (it may be a "
          "decompression bomb). Send a smaller image.")
        % {"name": name, "limit": _max_pixels() // 1_000_000},
        field="file",
        code="media_dimensions",
    )  # fmt: skip


@contextmanager
def _decoding(name: str, label: str) -> Iterator[None]:
    """Decoders of untrusted files fail in many ways (OSError, SyntaxError, struct.error, zlib.error,
    EOFError, IndexError...): any failure while decoding means the file is damaged, and says so."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(name) from exc
    except ValidationFailed:
        raise
    except Exception as exc:  # see the docstring: a decoder's failure is the file's fault
        raise _damaged(name, label) from exc


def _open_image(upload: IO[bytes], name: str) -> Image.Image:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(name) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _refuse_type(name) from exc


_TRANSPOSING = frozenset({5, 6, 7, 8})  # EXIF orientations that swap width and height


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)  # ExifTags.Base.Orientation
    except (OSError, SyntaxError, ValueError, TypeError):
        return 1
    return value if isinstance(value, int) else 1


def _probe_image(upload: IO[bytes], name: str, size: int) -> Probed:
    image = _open_image(upload, name)
    fmt = image.format or ""
    if fmt not in IMAGE_FORMATS:
        raise ValidationFailed(
            _("“%(name)s” is a %(format)s image, which the library does not accept: %(accepted)s.")
            % {"name": name, "format": fmt or _("unknown"), "accepted": accepted_text()},
            field="file",
            code="media_type",
        )
    mime_type, extension, label = IMAGE_FORMATS[fmt]
    _check_size(name, size, limit=settings.HARMONIE_MAX_IMAGE_BYTES, kind="image")
    width, height = image.size
    _check_dimensions(name, width, height)
    if width * height > _max_pixels():
        raise _bomb(name)
    with _decoding(name, label):
        image.verify()
    upload.seek(0)
    # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES when it is imported (for PDFs); a library upload
    # must decode completely whatever else the process has loaded.
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with _decoding(name, label):
            image = Image.open(upload)
            image.load()
            orientation = _orientation(image)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    if orientation in _TRANSPOSING:
        width, height = height, width
    upload.seek(0)
    return Probed(
        kind="image",
        mime_type=mime_type,
        extension=extension,
        label=label,
        size_bytes=size,
        sha256=sha256_of(upload),
        width=width,
        height=height,
        exif_transposed=orientation != 1,
    )


def _metadata_value(metadata: Any, key: str) -> Any:
    """The first value of ``key`` in hachoir's metadata or in one of its groups (tracks)."""
    if metadata is None:
        return None
    if metadata.has(key):
        return metadata.get(key)
    for group in metadata.iterGroups() if hasattr(metadata, "iterGroups") else ():
        if group.has(key):
            return group.get(key)
    return None


def _video_container(head: bytes) -> tuple[type[Any], tuple[str, str, str]] | None:
    if head[:4] == _EBML_MAGIC:
        return MkvFile, WEBM
    if len(head) >= 8 and head[4:8] in _ISO_ATOMS:
        # An ISO base media file names its brand in ``ftyp``; QuickTime's is "qt  " (or no ftyp at all).
        if head[4:8] == b"ftyp" and head[8:12] != b"qt  ":
            return MP4File, MP4
        return MP4File, QUICKTIME
    return None


def _probe_video(
    upload: IO[bytes], name: str, size: int, parser_class: type[Any], container: tuple[str, str, str]
) -> Probed:
    mime_type, extension, label = container
    upload.seek(0)
    try:
        parser = parser_class(InputIOStream(upload, source=f"<upload {name}>", tags=[]))
    except Exception as exc:  # hachoir's parsers refuse a stream with many exception types
        raise _refuse_type(name) from exc
    if parser_class is MkvFile:
        doctype = _metadata_doctype(parser)
        if doctype != "webm":
            raise ValidationFailed(
                _("“%(name)s” is a Matroska video, which the library does not accept: %(accepted)s.")
                % {"name": name, "accepted": accepted_text()},
                field="file",
                code="media_type",
            )
    _check_size(name, size, limit=settings.HARMONIE_MAX_VIDEO_BYTES, kind="video")
    try:
        metadata = extractMetadata(parser)
    except Exception as exc:  # as above: any failure means the container cannot be read
        raise _damaged(name, label) from exc
    duration = _metadata_value(metadata, "duration")
    width = _metadata_value(metadata, "width")
    height = _metadata_value(metadata, "height")
    if duration is None or not width or not height or duration.total_seconds() <= 0:
        raise ValidationFailed(
            _("“%(name)s”: the duration and frame size of this %(format)s video cannot be read (damaged, or no "
              "video track): export it again and upload the new file.")
            % {"name": name, "format": label},
            field="file",
            code="media_damaged",
        )  # fmt: skip
    seconds = Decimal(str(duration.total_seconds())).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    upload.seek(0)
    return Probed(
        kind="video",
        mime_type=mime_type,
        extension=extension,
        label=label,
        size_bytes=size,
        sha256=sha256_of(upload),
        width=int(width),
        height=int(height),
        duration_seconds=seconds,
    )


def _metadata_doctype(parser: Any) -> str:
    try:
        return str(parser[0]["DocType/string"].value)
    except Exception:  # noqa: BLE001 — an unreadable EBML header is simply not WebM
        return ""


def probe(upload: IO[bytes], *, name: str) -> Probed:
    """Validate ``upload`` and say what it is, or raise ValidationFailed with the reason and what is accepted.

    Images: JPEG, PNG, WebP, GIF; at most ``HARMONIE_MAX_IMAGE_BYTES``; between 10 × 10 and 12000 × 12000
    pixels and no more than Pillow's ``Image.MAX_IMAGE_PIXELS`` (decompression bombs are refused before any
    pixel is decoded); fully decoded once. Videos: MP4, QuickTime, WebM with a readable duration and frame
    size; at most ``HARMONIE_MAX_VIDEO_BYTES``.
    """
    size = _file_size(upload)
    if size == 0:
        raise ValidationFailed(_("“%(name)s” is empty.") % {"name": name}, field="file", code="media_type")
    head = upload.read(16)
    upload.seek(0)
    video = _video_container(head)
    if video is not None:
        return _probe_video(upload, name, size, *video)
    return _probe_image(upload, name, size)


# --- thumbnails ----------------------------------------------------------------------------------


def _has_transparency(image: Image.Image) -> bool:
    """A transparent colour, or an alpha channel that is not fully opaque (an opaque RGBA screenshot gets a JPEG)."""
    if "transparency" in image.info:
        return True
    if image.mode not in ("RGBA", "LA", "PA", "RGBa", "La"):
        return False
    low = image.getchannel("A").getextrema()[0]  # one band: (min, max)
    return isinstance(low, int | float) and low < 255


def _encode(image: Image.Image, *, transparent: bool) -> tuple[bytes, str]:
    out = io.BytesIO()
    if transparent:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "jpg"


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """320 px wide (never enlarged), keeping the ratio; very tall images are bounded at 960 px high."""
    new_width = min(THUMBNAIL_WIDTH, width)
    new_height = max(1, round(height * new_width / width))
    if new_height > THUMBNAIL_MAX_HEIGHT:
        new_width = max(1, round(new_width * THUMBNAIL_MAX_HEIGHT / new_height))
        new_height = THUMBNAIL_MAX_HEIGHT
    return new_width, new_height


def image_thumbnail(upload: IO[bytes]) -> tuple[bytes, str]:
    """A JPEG thumbnail 320 px wide with the EXIF orientation applied, or a PNG when the image has
    transparency (kept). Returns (bytes, extension). Call it on a file that :func:`probe` accepted."""
    upload.seek(0)
    with Image.open(upload) as source:
        source.seek(0)  # the first frame of an animated GIF or WebP
        transparent = _has_transparency(source)
        image = ImageOps.exif_transpose(source)
        if transparent and image.mode not in ("RGBA", "LA"):
            image = image.convert("RGBA")
        elif not transparent and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image = image.resize(thumbnail_size(*image.size), Image.Resampling.LANCZOS)
    upload.seek(0)
    return _encode(image, transparent=transparent)


def format_duration(seconds: Decimal | float) -> str:
    """``2.5`` -> ``0:03``; ``3725`` -> ``1:02:05`` (rounded to the second, half up)."""
    total = int(Decimal(str(seconds)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def video_placeholder(*, width: int, height: int, duration_seconds: Decimal) -> tuple[bytes, str]:
    """A neutral PNG placeholder for a video: a grey frame with a play sign and the duration on it.

    No frame is extracted: that would need ffmpeg, which Harmonie does not require. The placeholder has
    the video's aspect ratio, 320 px wide (height bounded between 90 and 960 px).
    """
    thumb_width = THUMBNAIL_WIDTH
    thumb_height = min(THUMBNAIL_MAX_HEIGHT, max(90, round(height * thumb_width / width)))
    image = Image.new("RGB", (thumb_width, thumb_height), (71, 80, 94))
    draw = ImageDraw.Draw(image)
    cx, cy = thumb_width // 2, thumb_height // 2 - 12
    r = max(12, min(thumb_width, thumb_height) // 6)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(236, 239, 244))
    draw.polygon([(cx - r // 3, cy - r // 2), (cx - r // 3, cy + r // 2), (cx + r // 2, cy)], fill=(71, 80, 94))
    text = format_duration(duration_seconds)
    font = ImageFont.load_default(size=22)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    tw, th = right - left, bottom - top
    ty = min(thumb_height - th - 8, cy + r + 8)
    draw.rounded_rectangle((cx - tw // 2 - 8, ty - 4, cx + tw // 2 + 8, ty + th + 8), radius=6, fill=(31, 41, 55))
    draw.text((cx - tw // 2 - left, ty - top + 2), text, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), "png"


def thumbnail_for(upload: IO[bytes], probed: Probed, *, name: str) -> tuple[bytes, str]:
    """The thumbnail of an accepted file: (bytes, extension)."""
    if probed.kind == "image":
        with _decoding(name, probed.label):
            return image_thumbnail(upload)
    assert probed.duration_seconds is not None
    return video_placeholder(width=probed.width, height=probed.height, duration_seconds=probed.duration_seconds)
