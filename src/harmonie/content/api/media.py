"""The media library, read only: metadata and usage rights (uploading stays in the pages)."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from harmonie.content import selectors
from harmonie.content.api.schemas import MediaOut, MediaQuery
from harmonie.content.models import MediaAsset
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.core.errors import ValidationFailed
from harmonie.governance.permissions import Actor

router = Router(tags=["media"])


def media_refs(actor: Actor, ids: list[int], field: str = "media_ids") -> list[MediaAsset]:
    """The library assets with these ids, in the order given, each visible to the actor; any other id is a 400 on
    ``field``."""
    wanted = list(dict.fromkeys(ids))
    found = {m.pk: m for m in selectors.media_list(actor=actor).filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such asset."), field=field)
    return [found[pk] for pk in wanted]


@router.get("", response={200: list[MediaOut], **ERRORS}, summary="List media")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def media_list(request: HttpRequest, filters: Query[MediaQuery]) -> QuerySet[MediaAsset]:
    """Assets owned by your markets or the markets above them, newest first; filters ``tag``, ``kind``."""
    return selectors.media_list(
        actor=actor_of(request), tag=filters.tag, kind=filters.kind.value if filters.kind else None
    )


@router.get("/{media_id}", response={200: MediaOut, **ERRORS}, summary="Get a media asset")
def media_get(request: HttpRequest, media_id: int) -> MediaAsset:
    return selectors.media_get(actor=actor_of(request), pk=media_id)
