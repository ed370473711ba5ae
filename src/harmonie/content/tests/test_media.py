"""The media library: real validation of real files (made here with Pillow, and a minimal MP4/QuickTime/WebM
built byte by byte), thumbnails, private storage and serving, scoping, rights, the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from harmonie.content import selectors
from harmonie.content.media import format_duration, thumbnail_size
from harmonie.content.models import MasterContent, MediaAsset, Post, PostStatus
from harmonie.content.services import media as services
from harmonie.content.services.posts import media_rights_problems
from harmonie.content.views import media as media_views
from harmonie.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel, Dimension

ACCEPTED = "send a JPEG, PNG, WebP or GIF image, or an MP4, QuickTime or WebM video"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


# --- real files ------------------------------------------------------------------------------------


def png(width: int = 640, height: int = 480, *, mode: str = "RGB", color: object = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")  # type: ignore[arg-type]
    return out.getvalue()


def jpeg_rotated(width: int = 640, height: int = 480, orientation: int = 6) -> bytes:
    """Left half red, right half blue, with an EXIF orientation tag."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def gif_transparent(width: int = 40, height: int = 30) -> bytes:
    image = Image.new("P", (width, height), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * (256 * 3 - 6))
    image.paste(1, (10, 10, 20, 20))
    out = io.BytesIO()
    image.save(out, "GIF", transparency=0)
    return out.getvalue()


def webp(width: int = 100, height: int = 50) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming ``width`` × ``height``, with no pixel data: a bomb's header."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def _box(tag: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + tag + payload


def mp4(
    width: int = 640, height: int = 360, *, timescale: int = 1000, duration: int = 2500, brand: bytes = b"isom"
) -> bytes:
    """The smallest ISO base media file hachoir reads: ftyp + moov(mvhd + trak(tkhd)). No media samples."""
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 512) + b"isom" + b"iso2" + b"avc1" + b"mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, timescale, duration)
        + struct.pack(">IH10x", 0x10000, 0x100) + matrix + b"\0" * 24 + struct.pack(">I", 2),
    )  # fmt: skip
    tkhd = _box(
        b"tkhd",
        struct.pack(">B3sIIIII", 0, b"\0\0\x03", 0, 0, 1, 0, duration) + b"\0" * 8 + struct.pack(">hhH2x", 0, 0, 0)
        + matrix + struct.pack(">II", width << 16, height << 16),
    )  # fmt: skip
    return ftyp + _box(b"moov", mvhd + _box(b"trak", tkhd))


def _ebml(id_hex: str, payload: bytes) -> bytes:
    size = len(payload)
    return (
        bytes.fromhex(id_hex)
        + (bytes([0x80 | size]) if size < 127 else bytes([0x40 | (size >> 8), size & 0xFF]))
        + payload
    )


def _ebml_uint(id_hex: str, value: int) -> bytes:
    return _ebml(id_hex, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def webm(width: int = 320, height: int = 240, *, duration_ms: float = 1500.0, doctype: bytes = b"webm") -> bytes:
    """EBML header + Segment(Info(TimecodeScale, Duration), Tracks(TrackEntry(Video(PixelWidth, PixelHeight))))."""
    header = _ebml(
        "1A45DFA3",
        _ebml_uint("4286", 1) + _ebml_uint("42F7", 1) + _ebml_uint("42F2", 4) + _ebml_uint("42F3", 8)
        + _ebml("4282", doctype) + _ebml_uint("4287", 2) + _ebml_uint("4285", 2),
    )  # fmt: skip
    info = _ebml("1549A966", _ebml_uint("2AD7B1", 1_000_000) + _ebml("4489", struct.pack(">d", duration_ms)))
    video = _ebml("E0", _ebml_uint("B0", width) + _ebml_uint("BA", height))
    track = _ebml(
        "AE", _ebml_uint("D7", 1) + _ebml_uint("73C5", 1) + _ebml_uint("83", 1) + _ebml("86", b"V_VP8") + video
    )
    return header + _ebml("18538067", info + _ebml("1654AE6B", track))


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media-root"
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def upload(persona, market):
    def do(
        data: bytes, name: str = "visual.png", *, who: str = "fr_community_manager", owner: str = "FR", **kw: object
    ) -> MediaAsset:
        return services.media_upload(
            actor=persona(who), owner_market=market(owner), file=ContentFile(data, name=name), **kw
        )  # type: ignore[arg-type]

    return do


def _thumb(asset: MediaAsset) -> Image.Image:
    with asset.thumbnail.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# --- images through the service ------------------------------------------------------------------


def test_png_is_stored_privately_with_its_real_metadata_a_thumbnail_and_an_audit_row(upload, market, media_root):
    data = png(640, 480)
    asset = upload(data, "Launch visual.png", title="Launch visual", tags=["Launch", " coat X ", "launch"],
                   alt_text="A blue panel.", rights_holder="Vireo SA")  # fmt: skip
    sha = hashlib.sha256(data).hexdigest()
    assert (asset.kind, asset.mime_type, asset.width, asset.height, asset.size_bytes, asset.sha256) == (
        "image", "image/png", 640, 480, len(data), sha,
    )  # fmt: skip
    assert (asset.original_name, asset.title, asset.tags, asset.duration_seconds) == (
        "Launch visual.png", "Launch visual", ["launch", "coat x"], None,
    )  # fmt: skip
    assert (asset.owner_market, asset.rights_holder, list(asset.allowed_markets.all())) == (
        market("FR"),
        "Vireo SA",
        [],
    )
    month = asset.created_at.strftime("%Y/%m")
    assert asset.file.name == f"media/{month}/{sha[:24]}.png"
    assert asset.thumbnail.name == f"thumbnails/{month}/{sha[:24]}-thumb.jpg"
    assert stored_files(media_root) == [asset.file.name, asset.thumbnail.name]
    assert (media_root / asset.file.name).read_bytes() == data
    thumb = _thumb(asset)
    assert (thumb.format, thumb.size) == ("JPEG", (320, 240))
    entry = AuditEntry.objects.get(action="media.upload", target_id=str(asset.pk))
    assert (entry.market_id, entry.target_label, entry.actor_label) == (
        market("FR").pk,
        "Launch visual",
        "Camille Durand",
    )
    assert entry.after["sha256"] == sha
    assert (entry.after["tags"], entry.after["allowed_markets"], entry.after["size_bytes"]) == (
        ["launch", "coat x"], [], len(data),
    )  # fmt: skip


def test_transparent_png_keeps_its_transparency_in_a_png_thumbnail(upload):
    asset = upload(png(640, 320, mode="RGBA", color=(255, 0, 0, 0)), "logo.png")
    thumb = _thumb(asset)
    assert (asset.mime_type, asset.width, asset.height) == ("image/png", 640, 320)
    assert asset.thumbnail.name.endswith("-thumb.png")
    assert (thumb.format, thumb.mode, thumb.size, thumb.getpixel((5, 5))[3]) == ("PNG", "RGBA", (320, 160), 0)


def test_an_opaque_rgba_png_gets_a_jpeg_thumbnail(upload):
    asset = upload(png(640, 320, mode="RGBA", color=(255, 0, 0, 255)), "screenshot.png")
    assert (_thumb(asset).format, asset.thumbnail.name.endswith("-thumb.jpg")) == ("JPEG", True)


def test_jpeg_exif_orientation_is_applied_to_dimensions_and_thumbnail(upload):
    asset = upload(jpeg_rotated(640, 480, orientation=6), "phone.jpg")
    # Stored 640 × 480; orientation 6 (rotate 90° clockwise) shows it 480 × 640, the left (red) half on top.
    assert (asset.mime_type, asset.width, asset.height) == ("image/jpeg", 480, 640)
    thumb = _thumb(asset)
    assert (thumb.format, thumb.size) == ("JPEG", (320, 427))
    top, bottom = thumb.getpixel((160, 40)), thumb.getpixel((160, 390))
    assert (top[0] > 200, top[2] < 60) == (True, True), top
    assert (bottom[2] > 200, bottom[0] < 60) == (True, True), bottom


def test_gif_and_webp_are_accepted_and_small_images_are_not_enlarged(upload):
    gif = upload(gif_transparent(40, 30), "anim.gif")
    assert (gif.mime_type, gif.width, gif.height, gif.file.name.endswith(".gif")) == ("image/gif", 40, 30, True)
    thumb = _thumb(gif)
    assert (thumb.format, thumb.size, thumb.mode) == ("PNG", (40, 30), "RGBA")
    web = upload(webp(100, 50), "banner.webp")
    assert (web.mime_type, web.width, web.height, web.file.name.endswith(".webp")) == ("image/webp", 100, 50, True)
    assert _thumb(web).size == (100, 50)


def test_the_type_comes_from_the_content_not_the_name(upload):
    asset = upload(jpeg_rotated(200, 100, orientation=1), "actually-a-jpeg.png")
    assert (asset.mime_type, asset.original_name, asset.file.name.endswith(".jpg")) == (
        "image/jpeg", "actually-a-jpeg.png", True,
    )  # fmt: skip


def _bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48)).save(out, "BMP")
    return out.getvalue()


DAMAGED = "“{}” is a damaged or incomplete {} file and cannot be read: export it again and upload the new file."
BOMB = (
    "“{}” has more than 89 million pixels: it cannot be decoded safely (it may be a decompression bomb). "
    "Send a smaller image."
)
REFUSALS = [
    pytest.param(b"Hello, I am a text file.\n" * 20, "notes.png", f"“notes.png” is not an accepted file: {ACCEPTED}.",
                 id="text-as-png"),
    pytest.param(png(64, 48)[:-40], "cut.png", DAMAGED.format("cut.png", "PNG"), id="truncated-png"),
    pytest.param(png_header_only(100, 100), "empty.png", DAMAGED.format("empty.png", "PNG"), id="png-without-pixels"),
    pytest.param(png_header_only(11_000, 11_000), "bomb.png", BOMB.format("bomb.png"), id="bomb-warning"),
    pytest.param(png_header_only(40_000, 40_000), "bomb2.png", BOMB.format("bomb2.png"), id="bomb-error"),
    pytest.param(png(12_001, 10), "strip.png",
                 "“strip.png” is 12001 × 10 pixels: an image may be at most 12000 × 12000 pixels.", id="too-wide"),
    pytest.param(png(9, 40), "tiny.png", "“tiny.png” is 9 × 40 pixels: an image needs at least 10 × 10 pixels.",
                 id="too-small"),
    pytest.param(_bmp(), "old.bmp", f"“old.bmp” is a BMP image, which the library does not accept: {ACCEPTED}.",
                 id="bmp"),
    pytest.param(b"", "nothing.jpg", "“nothing.jpg” is empty.", id="empty"),
    pytest.param(webm(doctype=b"matroska"), "film.mkv",
                 f"“film.mkv” is a Matroska video, which the library does not accept: {ACCEPTED}.", id="matroska"),
    pytest.param(mp4()[:60], "cut.mp4",
                 "“cut.mp4”: the duration and frame size of this MP4 video cannot be read (damaged, or no video "
                 "track): export it again and upload the new file.", id="truncated-mp4"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "name", "message"), REFUSALS)
def test_refused_files_leave_nothing_behind(upload, media_root, data, name, message):
    before = MediaAsset.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        upload(data, name)
    assert (exc.value.message, exc.value.field) == (message, "file")
    assert MediaAsset.objects.count() == before
    assert stored_files(media_root) == []


def test_truncated_images_are_refused_even_after_weasyprint_relaxed_pillow(upload, media_root, monkeypatch):
    """Importing WeasyPrint (strategy PDFs) sets Pillow's global LOAD_TRUNCATED_IMAGES; uploads stay strict."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ValidationFailed) as exc:
        upload(png_header_only(100, 100), "empty.png")
    assert exc.value.message == DAMAGED.format("empty.png", "PNG")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint
    assert stored_files(media_root) == []


def test_size_limits_come_from_the_settings(upload, settings, media_root):
    settings.HARMONIE_MAX_IMAGE_BYTES = 1000
    data = png(640, 480)
    with pytest.raises(ValidationFailed) as exc:
        upload(data, "big.png")
    assert (len(data), exc.value.message) == (
        1949,
        "“big.png” weighs 1.9\xa0KB; images may weigh at most 1000\xa0bytes.",
    )
    settings.HARMONIE_MAX_VIDEO_BYTES = 100
    with pytest.raises(ValidationFailed) as exc:
        upload(mp4(), "clip.mp4")
    assert exc.value.message == "“clip.mp4” weighs 248\xa0bytes; videos may weigh at most 100\xa0bytes."
    assert stored_files(media_root) == []


# --- videos --------------------------------------------------------------------------------------


def test_mp4_is_probed_for_container_duration_and_frame_size_with_a_placeholder_thumbnail(upload):
    data = mp4(640, 360, timescale=1000, duration=2500)
    asset = upload(data, "teaser.mov")  # the name says QuickTime; the content is MP4
    assert (asset.kind, asset.mime_type, asset.width, asset.height, asset.duration_seconds, asset.size_bytes) == (
        "video", "video/mp4", 640, 360, Decimal("2.500"), len(data),
    )  # fmt: skip
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    assert asset.file.name.endswith(".mp4")
    thumb = _thumb(asset)
    assert (thumb.format, thumb.size) == ("PNG", (320, 180))
    assert len(thumb.getcolors(10_000) or []) > 2  # not a blank frame: a play sign and the duration are drawn


def test_quicktime_and_webm_are_recognised(upload):
    mov = upload(mp4(1920, 1080, timescale=600, duration=7200, brand=b"qt  "), "interview.mp4")
    assert (mov.mime_type, mov.width, mov.height, mov.duration_seconds) == (
        "video/quicktime",
        1920,
        1080,
        Decimal("12.000"),
    )
    clip = upload(webm(320, 240, duration_ms=1500.0), "loop.webm")
    assert (clip.kind, clip.mime_type, clip.width, clip.height, clip.duration_seconds) == (
        "video", "video/webm", 320, 240, Decimal("1.500"),
    )  # fmt: skip
    assert _thumb(clip).size == (320, 240)


def test_duration_format():
    assert [format_duration(Decimal(s)) for s in ("2.5", "59.4", "61", "3725")] == ["0:03", "0:59", "1:01", "1:02:05"]
    assert thumbnail_size(100, 12_000) == (8, 960)


# --- duplicates, scoping, permissions -------------------------------------------------------------


def test_a_duplicate_is_refused_with_the_existing_asset_name(upload, media_root):
    data = png(300, 200)
    first = upload(data, "a.png", title="Launch visual")
    files = stored_files(media_root)
    with pytest.raises(Conflict) as exc:
        upload(data, "copy-of-a.png", who="fr_market_lead")
    assert (exc.value.message, exc.value.status_code) == (
        "This file is already in the library as “Launch visual”.",
        409,
    )
    assert list(MediaAsset.objects.filter(sha256=first.sha256)) == [first]
    assert stored_files(media_root) == files
    # A file Germany holds: France cannot see that asset, so its name is not shown.
    upload(png(310, 200), "de.png", who="de_community_manager", owner="DE", title="Werk Köln")
    with pytest.raises(Conflict) as exc:
        upload(png(310, 200), "again.png")
    assert exc.value.message == "This file is already in the library of Germany: ask them to allow it for your market."


def test_scoping_france_uploads_for_france_not_for_germany_and_does_not_see_germany(
    upload, persona, market, media_root
):
    fr = upload(png(200, 200), "fr.png")
    with pytest.raises(NotPermitted) as exc:
        upload(png(201, 200), "de.png", owner="DE")
    assert (exc.value.status_code, exc.value.message) == (
        403, "You do not have the permission 'content.create' in Germany. Ask an org admin for the role you need.",
    )  # fmt: skip
    de = upload(png(202, 200), "de.png", who="de_market_lead", owner="DE")
    hq = upload(png(203, 200), "hq.png", who="hq_admin", owner="GLOBAL")
    cm = persona("fr_community_manager")
    seen = set(selectors.media_list(actor=cm).values_list("pk", flat=True))
    assert {fr.pk, hq.pk} <= seen
    assert de.pk not in seen
    with pytest.raises(NotFound):
        selectors.media_get(actor=cm, pk=de.pk)
    assert {fr.pk, de.pk, hq.pk} <= set(selectors.media_list(actor=persona("hq_admin")).values_list("pk", flat=True))


def test_allowed_markets_stay_within_the_owner_market(upload, market):
    asset = upload(
        png(220, 200), "eu.png", who="hq_admin", owner="EUROPE", allowed_markets=[market("FR"), market("DE")]
    )
    assert [m.code for m in asset.allowed_markets.all()] == ["FR", "DE"]
    with pytest.raises(ValidationFailed) as exc:
        upload(png(221, 200), "fr.png", allowed_markets=[market("FR"), market("US")])
    assert (exc.value.message, exc.value.field) == (
        "United States is not France or a market below it: an asset may be allowed only where its owner market speaks.",
        "allowed_markets",
    )  # fmt: skip


def test_expiry_must_be_aware_and_to_come(upload):
    with pytest.raises(ValidationFailed) as exc:
        upload(png(230, 200), "a.png", rights_expire_at=dt.datetime(2099, 1, 1, 12, 0))  # noqa: DTZ001
    assert exc.value.message == "Give the rights' expiry with its time zone."
    with pytest.raises(ValidationFailed) as exc:
        upload(png(230, 200), "a.png", rights_expire_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert exc.value.message == (
        "This expiry is in the past: give a date to come, or leave it empty when the rights do not expire."
    )


# --- rights when scheduling ---------------------------------------------------------------------


def test_media_rights_problems_for_an_expired_asset_and_a_market_not_allowed(upload, market):
    asset = upload(png(240, 200), "a.png", who="fr_market_lead", title="Launch visual", allowed_markets=[market("FR")],
                   rights_expire_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    MediaAsset.objects.filter(pk=asset.pk).update(rights_expire_at=dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC))
    asset.refresh_from_db()
    assert media_rights_problems(media=[asset], market=market("FR"), at=NOW) == [
        "The usage rights of “Launch visual” expire on March 1, 2025, noon, before this publication: choose another "
        "asset or renew the rights."
    ]
    assert media_rights_problems(media=[asset], market=market("DE"), at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC)) == [
        "“Launch visual” may be used in France only, not in Germany."
    ]
    assert media_rights_problems(media=[asset], market=market("FR"), at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC)) == []


# --- update and delete ---------------------------------------------------------------------------


def test_update_changes_description_and_rights_with_an_audit_row(upload, persona, market):
    asset = upload(png(250, 200), "a.png", who="hq_admin", owner="EUROPE", title="Old")
    expiry = dt.datetime(2099, 6, 1, 8, 0, tzinfo=dt.UTC)
    services.media_update(
        actor=persona("hq_admin"), asset=asset, title="Plant tour", alt_text="The Lyon plant.", tags=["Plant", "tour"],
        rights_holder="Studio Nord", rights_expire_at=expiry, allowed_markets=[market("DE")],
    )  # fmt: skip
    asset.refresh_from_db()
    assert (asset.title, asset.alt_text, asset.tags, asset.rights_holder, asset.rights_expire_at) == (
        "Plant tour", "The Lyon plant.", ["plant", "tour"], "Studio Nord", expiry,
    )  # fmt: skip
    assert [m.code for m in asset.allowed_markets.all()] == ["DE"]
    entry = AuditEntry.objects.get(action="media.update", target_id=str(asset.pk))
    assert (entry.before["title"], entry.after["title"]) == ("Old", "Plant tour")
    assert (entry.before["allowed_markets"], entry.after["allowed_markets"]) == ([], [market("DE").pk])
    assert (entry.before["rights_expire_at"], entry.after["rights_expire_at"]) == (None, "2099-06-01T08:00:00+00:00")
    with pytest.raises(NotPermitted):
        services.media_update(actor=persona("fr_community_manager"), asset=asset, title="x", alt_text="", tags=[],
                              rights_holder="", rights_expire_at=None, allowed_markets=[])  # fmt: skip


def test_an_expired_asset_can_still_be_described_without_renewing_its_rights(upload, persona):
    asset = upload(png(255, 200), "a.png", rights_expire_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    expired = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    MediaAsset.objects.filter(pk=asset.pk).update(rights_expire_at=expired)
    asset.refresh_from_db()
    services.media_update(actor=persona("fr_community_manager"), asset=asset, title="", alt_text="Now described.",
                          tags=[], rights_holder="", rights_expire_at=expired, allowed_markets=[])  # fmt: skip
    asset.refresh_from_db()
    assert (asset.alt_text, asset.rights_expire_at) == ("Now described.", expired)


def _scheduled_post(demo_org, market, asset: MediaAsset, *, code: str = "FR", handle: str = "vireo-france") -> Post:
    master = MasterContent.objects.create(
        organization=demo_org, kind="local", market=market(code), title="Salon", body="Retrouvez-nous au salon.",
        dimension=Dimension.objects.get(organization=demo_org, key="product"), source_language="fr-FR",
    )  # fmt: skip
    post = Post.objects.create(
        organization=demo_org, channel=Channel.objects.get(organization=demo_org, handle=handle),
        market=market(code), master=master, text="Retrouvez-nous au salon.", status=PostStatus.SCHEDULED,
        scheduled_at=dt.datetime(2099, 5, 4, 8, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    post.media.add(asset)
    return post


def test_delete_is_refused_while_a_scheduled_post_uses_the_asset(
    upload, persona, market, demo_org, media_root, django_capture_on_commit_callbacks
):
    asset = upload(png(260, 200), "a.png", title="Launch visual")
    post = _scheduled_post(demo_org, market, asset)
    cm = persona("fr_community_manager")
    with pytest.raises(Conflict) as exc:
        services.media_delete(actor=cm, asset=asset)
    assert exc.value.message == (
        "“Launch visual” is used by 1 scheduled post (Vireo France (LinkedIn)): cancel it or take the asset out of it "
        "before deleting the asset."
    )
    assert len(stored_files(media_root)) == 2
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    pk = asset.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.media_delete(actor=cm, asset=asset)
    assert not MediaAsset.objects.filter(pk=pk).exists()
    assert list(post.media.all()) == []
    assert stored_files(media_root) == []
    entry = AuditEntry.objects.get(action="media.delete", target_id=str(pk))
    assert (entry.before["title"], entry.after) == ("Launch visual", None)


# --- pages ---------------------------------------------------------------------------------------


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_upload_through_the_page_multipart_with_exact_metadata(client_for, market, media_root):
    data = png(800, 600)
    client = client_for("fr_community_manager")
    page = client.get("/content/media/upload/")
    assert page.status_code == 200
    body = _html(page)
    assert 'hx-encoding="multipart/form-data"' in body
    assert 'enctype="multipart/form-data"' in body
    assert "<progress" in body
    response = client.post(
        "/content/media/upload/",
        {
            "file": SimpleUploadedFile("hall.png", data, content_type="application/octet-stream"),
            "owner_market": market("FR").pk, "title": "Hall 4", "tags": "salon, Lyon", "alt_text": "Our stand.",
            "rights_holder": "Vireo", "rights_expire_at": "2099-07-01T18:30", "allowed_markets": [market("FR").pk],
        },
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/content/media/")
    asset = MediaAsset.objects.get(original_name="hall.png")
    assert (asset.kind, asset.mime_type, asset.width, asset.height, asset.size_bytes, asset.sha256) == (
        "image", "image/png", 800, 600, len(data), hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    # 18:30 on the owner market's clock (Paris, summer time) is 16:30 UTC.
    assert (asset.title, asset.tags, asset.rights_expire_at) == (
        "Hall 4", ["salon", "lyon"], dt.datetime(2099, 7, 1, 16, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    assert [m.code for m in asset.allowed_markets.all()] == ["FR"]
    assert _thumb(asset).size == (320, 240)
    assert len(stored_files(media_root)) == 2


def test_upload_through_htmx_redirects_the_client(client_for, market):
    client = client_for("fr_community_manager")
    response = client.post(
        "/content/media/upload/",
        {"file": SimpleUploadedFile("x.png", png(120, 90)), "owner_market": market("FR").pk},
        headers={"HX-Request": "true"},
    )
    assert (response.status_code, response["HX-Redirect"]) == (200, "/content/media/")


def test_a_corrupt_upload_through_the_page_shows_the_message_and_stores_nothing(client_for, market, media_root):
    client = client_for("de_community_manager")  # reads Harmonie in English
    before = MediaAsset.objects.count()
    response = client.post(
        "/content/media/upload/",
        {
            "file": SimpleUploadedFile("notes.png", b"just text" * 50, content_type="image/png"),
            "owner_market": market("DE").pk,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    body = _html(response)
    assert f'data-testid="error-file">“notes.png” is not an accepted file: {ACCEPTED}.</small>' in body
    assert body.lstrip().startswith("<form")  # the partial only, swapped in place
    assert (MediaAsset.objects.count(), stored_files(media_root)) == (before, [])


def test_the_page_offers_only_markets_where_the_member_creates(client_for, market, media_root):
    client = client_for("fr_community_manager")
    response = client.post(
        "/content/media/upload/", {"file": SimpleUploadedFile("x.png", png(120, 90)), "owner_market": market("DE").pk}
    )
    assert response.status_code == 400
    # Camille reads Harmonie in French (Django's own message for a choice not offered).
    assert (
        'data-testid="error-owner_market">Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux '
        "disponibles.</small>"
    ) in _html(response)
    assert stored_files(media_root) == []
    assert client_for("analyst").get("/content/media/upload/").status_code == 403


def test_file_and_thumbnail_are_served_only_to_members_who_see_the_asset(upload, client_for, media_root):
    data = png(330, 200)
    de = upload(data, "werk.png", who="de_community_manager", owner="DE")
    german = client_for("de_community_manager")
    response = german.get(f"/content/media/{de.pk}/file/")
    assert (response.status_code, response["Content-Type"], b"".join(response.streaming_content)) == (
        200,
        "image/png",
        data,
    )
    assert response["Content-Disposition"] == 'inline; filename="werk.png"'
    assert response["Cache-Control"] == "private, max-age=3600"
    thumb = german.get(f"/content/media/{de.pk}/thumbnail/")
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")
    french = client_for("fr_community_manager")
    assert french.get(f"/content/media/{de.pk}/file/").status_code == 404
    assert french.get(f"/content/media/{de.pk}/thumbnail/").status_code == 404
    assert french.get(f"/content/media/{de.pk}/edit/").status_code == 404
    (media_root / de.file.name).unlink()
    missing = german.get(f"/content/media/{de.pk}/file/")
    assert missing.status_code == 404
    assert "This file is missing from the storage." in _html(missing)
    anonymous = Client().get(f"/content/media/{de.pk}/file/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        f"/accounts/login/?next=/content/media/{de.pk}/file/",
    )


def test_library_page_shows_cards_rights_badges_and_filters(upload, client_for, market, monkeypatch):
    monkeypatch.setattr(media_views, "now", lambda: NOW)
    far = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    de = {"who": "de_community_manager", "owner": "DE"}  # Jonas reads Harmonie in English
    a = upload(png(400, 300), "a.png", title="Stand", tags=["salon"], rights_expire_at=far, **de)
    b = upload(mp4(), "b.mp4", title="Teaser", tags=["launch"], allowed_markets=[market("DE")], **de)
    c = upload(png(410, 300), "c.png", title="Old photo", tags=["Salon", "Café"], rights_expire_at=far, **de)
    MediaAsset.objects.filter(pk=a.pk).update(rights_expire_at=dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC))
    MediaAsset.objects.filter(pk=c.pk).update(rights_expire_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    client = client_for("de_community_manager")
    body = _html(client.get("/content/media/"))
    assert 'data-testid="nav-content-media" aria-current="page"' in body
    assert f'data-testid="media-rights-{a.pk}">Rights expire in 5 days</span>' in body
    assert f'data-testid="media-rights-{b.pk}">Rights valid</span>' in body
    assert f'data-testid="media-rights-{c.pk}">Rights expired</span>' in body
    assert '<span class="badge" title="Germany">DE</span>' in body
    assert f'data-testid="media-facts-{b.pk}">Video · video/mp4 · 248\xa0bytes · 640 × 360 · 0:03</small>' in body
    assert f'src="/content/media/{a.pk}/thumbnail/"' in body
    salon = _html(client.get("/content/media/?tag=salon"))
    shown = {pk for pk in (a.pk, b.pk, c.pk) if f'data-testid="media-{pk}"' in salon}
    assert shown == {a.pk, c.pk}
    cafe = _html(client.get("/content/media/?tag=café"))
    assert {pk for pk in (a.pk, b.pk, c.pk) if f'data-testid="media-{pk}"' in cafe} == {c.pk}
    videos = _html(client.get("/content/media/?kind=video"))
    assert (f'data-testid="media-{a.pk}"' in videos, f'data-testid="media-{b.pk}"' in videos) == (False, True)
    assert client.get("/content/media/?tag=nope").status_code == 400


def test_library_page_query_count_does_not_grow_with_assets(upload, client_for, market):
    client = client_for("fr_community_manager")
    upload(png(500, 300), "1.png", allowed_markets=[market("FR")])
    client.get("/content/media/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/content/media/").status_code == 200
    for i in range(4):
        upload(png(501 + i, 300), f"{i}.png", tags=[f"t{i}"], allowed_markets=[market("FR")])
    with CaptureQueriesContext(connection) as five:
        assert client.get("/content/media/").status_code == 200
    assert len(five) == len(one)


def test_edit_through_the_page_uses_the_owner_market_clock(upload, client_for, market):
    asset = upload(png(340, 200), "a.png", title="Before")
    client = client_for("fr_community_manager")
    assert client.get(f"/content/media/{asset.pk}/edit/").status_code == 200
    response = client.post(
        f"/content/media/{asset.pk}/edit/",
        {"title": "After", "alt_text": "Alt", "tags": "one, Two", "rights_holder": "Me",
         "rights_expire_at": "2099-01-15T09:00", "allowed_markets": []},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/content/media/")
    asset.refresh_from_db()
    assert (asset.title, asset.tags, asset.rights_expire_at) == (
        "After", ["one", "two"], dt.datetime(2099, 1, 15, 8, 0, tzinfo=dt.UTC),  # Paris in winter: UTC+1
    )  # fmt: skip
    form = _html(client.get(f"/content/media/{asset.pk}/edit/"))
    assert 'value="2099-01-15T09:00"' in form


def test_delete_through_the_page_with_confirmation(upload, client_for, demo_org, market, media_root):
    asset = upload(png(350, 200), "a.png", title="Launch visual", who="de_community_manager", owner="DE")
    client = client_for("de_community_manager")  # reads Harmonie in English
    assert client.get(f"/content/media/{asset.pk}/delete/").status_code == 200
    post = _scheduled_post(demo_org, market, asset, code="DE", handle="vireo-deutschland")
    refused = client.post(f"/content/media/{asset.pk}/delete/")
    assert refused.status_code == 409
    assert (
        'data-testid="form-error">“Launch visual” is used by 1 scheduled post (Vireo Deutschland (LinkedIn)): cancel '
        "it or take the asset out of it before deleting the asset.</p>"
    ) in _html(refused)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.CANCELLED)
    response = client.post(f"/content/media/{asset.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, "/content/media/")
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()
