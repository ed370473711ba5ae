"""The media library's writes: upload (validated, stored privately, thumbnailed), metadata and usage
rights, delete. Files are written to the default storage under MEDIA_ROOT and served only through the
``content:media_file``/``content:media_thumbnail`` views, which check that the member may see the asset."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harmonie.content import media as probing
from harmonie.content import selectors
from harmonie.content.models import MediaAsset, Post, PostStatus
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, NotFound, ValidationFailed
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm

MEDIA_FIELDS = [
    "owner_market",
    "original_name",
    "kind",
    "mime_type",
    "size_bytes",
    "width",
    "height",
    "duration_seconds",
    "sha256",
    "title",
    "alt_text",
    "tags",
    "rights_holder",
    "rights_expire_at",
]
MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def _snapshot(asset: MediaAsset, allowed: Sequence[Market]) -> dict[str, Any]:
    return snapshot(asset, MEDIA_FIELDS) | {"allowed_markets": sorted(m.pk for m in allowed)}


def _clean_text(value: str, *, field: str, too_long: str) -> str:
    text = (value or "").strip()
    if len(text) > 200:
        raise ValidationFailed(too_long % {"max": 200}, field=field)
    return text


def _clean_title(value: str) -> str:
    return _clean_text(value, field="title", too_long=_("A title has at most %(max)s characters."))


def _clean_holder(value: str) -> str:
    return _clean_text(value, field="rights_holder", too_long=_("A rights holder has at most %(max)s characters."))


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Trimmed, lower-case, without duplicates, in the order given."""
    out: list[str] = []
    for raw in tags:
        tag = " ".join(str(raw).split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                _("The tag “%(tag)s” is too long: %(max)s characters at most.") % {"tag": tag, "max": MAX_TAG_LENGTH},
                field="tags",
            )
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise ValidationFailed(_("An asset has at most %(max)s tags.") % {"max": MAX_TAGS}, field="tags")
    return out


def _clean_allowed(*, actor: Actor, owner_market: Market, allowed_markets: Sequence[Market]) -> list[Market]:
    """The owner market itself or markets below it; empty means every market."""
    out: list[Market] = []
    for market in allowed_markets:
        if market.organization_id != actor.organization_id or not market.path.startswith(owner_market.path):
            raise ValidationFailed(
                _("%(market)s is not %(owner)s or a market below it: an asset may be allowed only where its owner "
                  "market speaks.")
                % {"market": market.name, "owner": owner_market.name},
                field="allowed_markets",
            )  # fmt: skip
        if all(m.pk != market.pk for m in out):
            out.append(market)
    return sorted(out, key=lambda m: m.path)


def _clean_expiry(value: dt.datetime | None, *, previous: dt.datetime | None = None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValidationFailed(_("Give the rights' expiry with its time zone."), field="rights_expire_at")
    if value != previous and value <= timezone.now():
        raise ValidationFailed(
            _("This expiry is in the past: give a date to come, or leave it empty when the rights do not expire."),
            field="rights_expire_at",
        )
    return value


def _refuse_duplicate(*, actor: Actor, sha256: str) -> None:
    existing = (
        MediaAsset.objects.filter(organization=actor.organization, sha256=sha256).select_related("owner_market").first()
    )
    if existing is None:
        return
    try:
        selectors.media_get(actor=actor, pk=existing.pk)
    except NotFound:
        raise Conflict(
            _("This file is already in the library of %(market)s: ask them to allow it for your market.")
            % {"market": existing.owner_market.name},
            field="file",
            code="duplicate",
        ) from None
    raise Conflict(
        _("This file is already in the library as “%(asset)s”.") % {"asset": existing}, field="file", code="duplicate"
    )


def _original_name(file: File[bytes]) -> str:
    name = os.path.basename((file.name or "").replace("\\", "/")).strip() or "upload"
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name


@transaction.atomic
def media_upload(
    *,
    actor: Actor,
    owner_market: Market,
    file: File[bytes],
    title: str = "",
    alt_text: str = "",
    tags: Sequence[str] = (),
    rights_holder: str = "",
    rights_expire_at: dt.datetime | None = None,
    allowed_markets: Sequence[Market] = (),
) -> MediaAsset:
    """Add a file to the library of ``owner_market`` (``content.create`` there).

    The file is validated and probed first (see :mod:`harmonie.content.media`); a refused file leaves
    nothing behind. The stored name comes from its checksum and real type, never from the sent name.
    """
    actor.require(Perm.CONTENT_CREATE, owner_market)
    name = _original_name(file)
    title = _clean_title(title)
    rights_holder = _clean_holder(rights_holder)
    alt_text = (alt_text or "").strip()
    clean = clean_tags(tags)
    allowed = _clean_allowed(actor=actor, owner_market=owner_market, allowed_markets=allowed_markets)
    expiry = _clean_expiry(rights_expire_at)

    probed = probing.probe(file, name=name)
    _refuse_duplicate(actor=actor, sha256=probed.sha256)
    thumb_bytes, thumb_ext = probing.thumbnail_for(file, probed, name=name)

    asset = MediaAsset(
        organization=actor.organization, owner_market=owner_market, original_name=name, kind=probed.kind,
        mime_type=probed.mime_type, size_bytes=probed.size_bytes, width=probed.width, height=probed.height,
        duration_seconds=probed.duration_seconds, sha256=probed.sha256, title=title, alt_text=alt_text, tags=clean,
        rights_holder=rights_holder, rights_expire_at=expiry, uploaded_by=actor.user,
    )  # fmt: skip
    stem = probed.sha256[:24]
    written: list[str] = []
    try:
        file.seek(0)
        asset.file.save(f"{stem}.{probed.extension}", file, save=False)
        written.append(asset.file.name or "")
        asset.thumbnail.save(f"{stem}-thumb.{thumb_ext}", ContentFile(thumb_bytes), save=False)
        written.append(asset.thumbnail.name or "")
        asset.save()
        asset.allowed_markets.set(allowed)
        audit_record(
            organization_id=actor.organization_id, actor=actor.user, action="media.upload", target=asset,
            after=_snapshot(asset, allowed), market_id=owner_market.pk,
        )  # fmt: skip
    except BaseException:
        # The row is rolled back with the transaction; the files are not, so remove them here.
        for stored in filter(None, written):
            default_storage.delete(stored)
        raise
    return asset


@transaction.atomic
def media_update(
    *,
    actor: Actor,
    asset: MediaAsset,
    title: str,
    alt_text: str,
    tags: Sequence[str],
    rights_holder: str,
    rights_expire_at: dt.datetime | None,
    allowed_markets: Sequence[Market],
) -> MediaAsset:
    """Change an asset's description and usage rights (``content.create`` in its owner market)."""
    actor.require(Perm.CONTENT_CREATE, asset.owner_market)
    before_allowed = list(asset.allowed_markets.all())
    before = _snapshot(asset, before_allowed)
    asset.title = _clean_title(title)
    asset.rights_holder = _clean_holder(rights_holder)
    asset.alt_text = (alt_text or "").strip()
    asset.tags = clean_tags(tags)
    allowed = _clean_allowed(actor=actor, owner_market=asset.owner_market, allowed_markets=allowed_markets)
    asset.rights_expire_at = _clean_expiry(rights_expire_at, previous=asset.rights_expire_at)
    asset.save()
    asset.allowed_markets.set(allowed)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="media.update", target=asset,
        before=before, after=_snapshot(asset, allowed), market_id=asset.owner_market_id,
    )  # fmt: skip
    return asset


@transaction.atomic
def media_delete(*, actor: Actor, asset: MediaAsset) -> None:
    """Remove an asset and its files, unless a scheduled post still uses it. Drafts and contents that
    used it lose it; the files are deleted once the transaction is committed."""
    actor.require(Perm.CONTENT_CREATE, asset.owner_market)
    scheduled = list(
        Post.objects.filter(media=asset, status=PostStatus.SCHEDULED).select_related("channel").order_by("scheduled_at")
    )
    if scheduled:
        channels = ", ".join(dict.fromkeys(str(p.channel) for p in scheduled))
        raise Conflict(
            ngettext(
                "“%(asset)s” is used by %(count)s scheduled post (%(channels)s): cancel it or take the asset out "
                "of it before deleting the asset.",
                "“%(asset)s” is used by %(count)s scheduled posts (%(channels)s): cancel them or take the asset out "
                "of them before deleting the asset.",
                len(scheduled),
            )
            % {"asset": asset, "count": len(scheduled), "channels": channels},
            code="media_in_use",
        )
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="media.delete", target=asset,
        before=_snapshot(asset, list(asset.allowed_markets.all())), market_id=asset.owner_market_id,
    )  # fmt: skip
    names = [n for n in (asset.file.name, asset.thumbnail.name) if n]
    asset.delete()

    def remove_files() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove_files)
