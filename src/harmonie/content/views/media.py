"""The media library pages: the grid, upload (multipart, with progress under HTMX), edit of the
description and usage rights, delete, and the private file and thumbnail downloads.

Files are never public: ``media_file`` and ``media_thumbnail`` look the asset up through the scoped
selector (a member who may not see it gets a 404) and stream it with ``FileResponse``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from harmonie.content import selectors
from harmonie.content.media import format_duration, thumbnail_size
from harmonie.content.models import MediaAsset, MediaKind
from harmonie.content.services import media as services
from harmonie.content.timeutils import local_to_utc, utc_to_local
from harmonie.core.errors import DomainError, NotFound
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import MarketChoiceField, MarketMultipleChoiceField
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

PER_PAGE = 48
EXPIRING_DAYS = 30
ACCEPT = "image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime,video/webm"

# --- forms (they only parse input; the services validate and decide) --------------------------------


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


def _split_tags(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class MediaFilterForm(forms.Form):
    tag = forms.ChoiceField(label=gettext_lazy("Tag"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("Images and videos")), *MediaKind.choices],
        required=False,
    )

    def __init__(self, *args: Any, tags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["tag"]).choices = [("", _("All tags")), *((t, t) for t in tags)]


class _MediaFields(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    alt_text = forms.CharField(
        label=gettext_lazy("Alternative text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What the image shows, for people who cannot see it. Some networks require it."),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"), required=False, help_text=gettext_lazy("Separated by commas: launch, coat x.")
    )
    rights_holder = forms.CharField(label=gettext_lazy("Rights holder"), max_length=200, required=False)
    rights_expire_at = forms.DateTimeField(
        label=gettext_lazy("Usage rights expire"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("In the owner market's time zone; empty when the rights do not expire."),
    )
    allowed_markets = MarketMultipleChoiceField(
        label=gettext_lazy("Allowed markets"),
        queryset=Market.objects.none(),
        required=False,
        help_text=gettext_lazy("The owner market or markets below it; none chosen: every market."),
    )

    def clean_tags(self) -> list[str]:
        return _split_tags(self.cleaned_data["tags"])

    def clean_rights_expire_at(self) -> dt.datetime | None:
        """The wall-clock time as typed; the view places it in the owner market's time zone."""
        value: dt.datetime | None = self.cleaned_data["rights_expire_at"]
        if value is None:
            return None
        return timezone.make_naive(value) if timezone.is_aware(value) else value


class MediaUploadForm(_MediaFields):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=gettext_lazy("JPEG, PNG, WebP or GIF images; MP4, QuickTime or WebM videos."),
    )
    owner_market = MarketChoiceField(label=gettext_lazy("Owner market"), queryset=Market.objects.none())
    field_order = ["file", "owner_market", "title", "alt_text", "tags", "rights_holder", "rights_expire_at"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creatable = governance_selectors.markets_manageable(actor=actor, perm=Perm.CONTENT_CREATE)
        _set_queryset(self, "owner_market", creatable)
        _set_queryset(self, "allowed_markets", creatable)
        if not self.is_bound and (top := creatable.first()) is not None:
            self.fields["owner_market"].initial = top.pk  # the member's own market (the top-most one)


class MediaEditForm(_MediaFields):
    def __init__(self, *args: Any, asset: MediaAsset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = asset.owner_market
        subtree = Market.objects.filter(organization_id=owner.organization_id, path__startswith=owner.path)
        _set_queryset(self, "allowed_markets", subtree)


# --- presentation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    state: str  # "valid", "expiring", "expired"
    label: str
    detail: str  # the expiry with its time zone, or ""


def now() -> dt.datetime:
    """The current time (aware, UTC); tests pin it."""
    return timezone.now()


def rights_status(asset: MediaAsset, at: dt.datetime) -> Rights:
    """The rights badge: valid (no expiry, or more than 30 days left), expires in N days, expired.

    Days are calendar days on the owner market's wall clock."""
    expiry = asset.rights_expire_at
    if expiry is None:
        return Rights("valid", _("Rights valid"), _("No expiry"))
    zone = asset.owner_market.timezone
    local_expiry = utc_to_local(expiry, zone)
    detail = f"{local_expiry:%Y-%m-%d %H:%M} {zone}"
    if expiry <= at:
        return Rights("expired", _("Rights expired"), detail)
    days = (local_expiry.date() - utc_to_local(at, zone).date()).days
    if days == 0:
        return Rights("expiring", _("Rights expire today"), detail)
    if days <= EXPIRING_DAYS:
        label = ngettext("Rights expire in %(days)s day", "Rights expire in %(days)s days", days) % {"days": days}
        return Rights("expiring", label, detail)
    return Rights("valid", _("Rights valid until %(date)s") % {"date": f"{local_expiry:%Y-%m-%d}"}, detail)


@dataclass(frozen=True)
class Card:
    asset: MediaAsset
    rights: Rights
    allowed: list[Market]
    duration: str
    thumb_width: int
    thumb_height: int
    can_edit: bool


def _card(asset: MediaAsset, *, actor: Actor, at: dt.datetime) -> Card:
    width, height = thumbnail_size(asset.width or 320, asset.height or 180)
    return Card(
        asset=asset,
        rights=rights_status(asset, at),
        allowed=list(asset.allowed_markets.all()),
        duration=format_duration(asset.duration_seconds) if asset.duration_seconds is not None else "",
        thumb_width=width,
        thumb_height=height,
        can_edit=actor.can(Perm.CONTENT_CREATE, asset.owner_market),
    )


def _library_tags(actor: Actor) -> list[str]:
    found: set[str] = set()
    for tags in selectors.media_list(actor=actor).values_list("tags", flat=True):
        found.update(str(t) for t in tags or [])
    return sorted(found)


def _expiry_in_market(value: dt.datetime | None, market: Market) -> dt.datetime | None:
    if value is None:
        return None
    return local_to_utc(value.date(), value.time(), market.timezone, field="rights_expire_at")


# --- pages -----------------------------------------------------------------------------------------


@common.member_required
@require_GET
def media_library(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters = MediaFilterForm(request.GET or None, tags=_library_tags(actor))
    tag = kind = ""
    status = 200
    if filters.is_bound:
        if filters.is_valid():
            tag, kind = filters.cleaned_data["tag"], filters.cleaned_data["kind"]
        else:
            status = 400
    assets: QuerySet[MediaAsset] | list[MediaAsset] = selectors.media_list(actor=actor, kind=kind or None)
    if tag:
        # Exact tag, filtered here: the selector's ``tags__icontains`` matches substrings and, on SQLite, misses
        # non-ASCII tags (the JSON text stores "café" as "caf\u00e9").
        assets = [a for a in assets if tag in a.tags]
    page = Paginator(assets, PER_PAGE).get_page(request.GET.get("page"))
    at = now()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "content/media.html",
        {
            "cards": [_card(a, actor=actor, at=at) for a in page.object_list],
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_upload": actor.can(Perm.CONTENT_CREATE),
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def media_upload(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.CONTENT_CREATE)
    form = MediaUploadForm(request.POST or None, request.FILES or None, actor=actor)

    def upload(data: dict[str, Any]) -> MediaAsset:
        owner: Market = data["owner_market"]
        return services.media_upload(
            actor=actor,
            owner_market=owner,
            file=data["file"],
            title=data["title"],
            alt_text=data["alt_text"],
            tags=data["tags"],
            rights_holder=data["rights_holder"],
            rights_expire_at=_expiry_in_market(data["rights_expire_at"], owner),
            allowed_markets=list(data["allowed_markets"]),
        )

    asset, status = common.submit(request, form, upload)
    if asset is not None:
        messages.success(request, _("“%(asset)s” added to the library.") % {"asset": asset})
        if common.is_htmx(request):
            return HttpResponseClientRedirect(reverse("content:media"))
        return redirect("content:media")
    template = "content/media_upload.html#upload_form" if common.is_htmx(request) else "content/media_upload.html"
    return render(request, template, {"form": form}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def media_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    asset = selectors.media_get(actor=actor, pk=pk)
    actor.require(Perm.CONTENT_CREATE, asset.owner_market)
    zone = asset.owner_market.timezone
    initial = {
        "title": asset.title,
        "alt_text": asset.alt_text,
        "tags": ", ".join(asset.tags),
        "rights_holder": asset.rights_holder,
        "rights_expire_at": (
            utc_to_local(asset.rights_expire_at, zone).replace(tzinfo=None) if asset.rights_expire_at else None
        ),
        "allowed_markets": [m.pk for m in asset.allowed_markets.all()],
    }
    form = MediaEditForm(request.POST or None, asset=asset, initial=initial)

    def update(data: dict[str, Any]) -> MediaAsset:
        return services.media_update(
            actor=actor,
            asset=asset,
            title=data["title"],
            alt_text=data["alt_text"],
            tags=data["tags"],
            rights_holder=data["rights_holder"],
            rights_expire_at=_expiry_in_market(data["rights_expire_at"], asset.owner_market),
            allowed_markets=list(data["allowed_markets"]),
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("“%(asset)s” saved.") % {"asset": updated})
        return redirect("content:media")
    return render(
        request,
        "content/media_edit.html",
        {"form": form, "card": _card(asset, actor=actor, at=now())},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def media_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    asset = selectors.media_get(actor=actor, pk=pk)
    actor.require(Perm.CONTENT_CREATE, asset.owner_market)
    error, status = None, 200
    if request.method == "POST":
        label = str(asset)
        try:
            services.media_delete(actor=actor, asset=asset)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("“%(asset)s” deleted.") % {"asset": label})
            return redirect("content:media")
    return render(
        request,
        "content/media_confirm_delete.html",
        {
            "card": _card(asset, actor=actor, at=now()),
            "used_in_contents": asset.masters.count(),
            "used_in_posts": asset.posts.count(),
            "error": error,
        },
        status=status,
    )


def _serve(field: Any, *, content_type: str, filename: str) -> FileResponse:
    if not field:
        raise NotFound(_("This file is missing from the storage."))
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(_("This file is missing from the storage.")) from exc
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response


@common.member_required
@require_GET
def media_file(request: HttpRequest, actor: Actor, pk: int) -> HttpResponseBase:
    """The original file, to members who may see the asset (``?download=1`` to save it)."""
    asset = selectors.media_get(actor=actor, pk=pk)
    response = _serve(asset.file, content_type=asset.mime_type, filename=asset.original_name)
    if request.GET.get("download"):
        response["Content-Disposition"] = response["Content-Disposition"].replace("inline", "attachment", 1)
    return response


@common.member_required
@require_GET
def media_thumbnail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponseBase:
    asset = selectors.media_get(actor=actor, pk=pk)
    name = asset.thumbnail.name or ""
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    return _serve(asset.thumbnail, content_type=content_type, filename=name.rsplit("/", 1)[-1])
