"""Posts: list with filters, get, create (a time with its offset, or a local date and time on the channel's
clock), update, schedule or reschedule, cancel; and the network check of a text without saving anything."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.content import selectors, services
from harmonie.content.api.media import media_refs
from harmonie.content.api.schemas import CheckIn, CheckOut, PostIn, PostOut, PostQuery, PostUpdateIn, ScheduleIn, WhenIn
from harmonie.content.models import Post
from harmonie.content.networks import MediaInfo, limits_for, measure, text_with_link, validate_post
from harmonie.content.timeutils import local_to_utc
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor

router = Router(tags=["posts"])


def _channel(actor: Actor, channel_id: int) -> Channel:
    return ref(lambda: governance_selectors.channel_get(actor=actor, pk=channel_id), "channel_id")


def _when(when: WhenIn, channel: Channel) -> dt.datetime | None:
    """``scheduled_at`` as sent, or ``local_date`` + ``local_time`` on the channel's wall clock (a time that does not
    exist there, when the clocks go forward, is refused with the time to choose)."""
    local_date, local_time = when.local_date, when.local_time
    if when.scheduled_at is not None:
        if local_date is not None or local_time is not None:
            raise ValidationFailed(
                _("Send scheduled_at, or local_date and local_time, not both."), field="scheduled_at"
            )
        return when.scheduled_at
    if local_date is None and local_time is None:
        return None
    if local_date is None or local_time is None:
        raise ValidationFailed(
            _("Send local_date and local_time together."), field="local_date" if local_date is None else "local_time"
        )
    return local_to_utc(local_date, local_time, channel.timezone, field="local_time")


@router.get("", response={200: list[PostOut], **ERRORS}, summary="List posts")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def post_list(request: HttpRequest, filters: Query[PostQuery]) -> QuerySet[Post]:
    """Posts of your markets (and of cells the governance matrix opens), by scheduled time; filters ``market_id``,
    ``channel_id``, ``campaign_id``, ``dimension_id``, ``status``, ``from`` and ``to`` (ISO 8601 with an offset,
    ``to`` exclusive)."""
    return selectors.post_list(
        actor=actor_of(request),
        start=filters.from_,
        end=filters.to,
        market_pk=filters.market_id,
        channel_pk=filters.channel_id,
        campaign_pk=filters.campaign_id,
        dimension_pk=filters.dimension_id,
        status=filters.status.value if filters.status else None,
    ).prefetch_related("media")


@router.post("/check", response={200: CheckOut, **ERRORS}, summary="Check a text against a channel's network")
def post_check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    """The text's length as the channel's network counts it, its limit, and every problem the network would find
    (text, media, first comment, link). Nothing is saved; ``ok`` is true when there is no problem."""
    actor = actor_of(request)
    channel = _channel(actor, payload.channel_id)
    assets = media_refs(actor, payload.media_ids)
    infos = [
        MediaInfo(
            kind=a.kind, mime_type=a.mime_type, size_bytes=a.size_bytes, width=a.width, height=a.height,
            duration_seconds=float(a.duration_seconds) if a.duration_seconds is not None else None,
            alt_text=a.alt_text,
        )
        for a in assets
    ]  # fmt: skip
    text = payload.text.strip()
    limits = limits_for(channel.network)
    shown = text_with_link(channel.network, text, payload.link, has_media=bool(assets))
    problems = validate_post(
        network=channel.network, text=text, media=infos, link=payload.link, first_comment=payload.first_comment
    )
    return {
        "network": channel.network,
        "label": limits.label,
        "count": measure(channel.network, shown),
        "limit": limits.text_max,
        "unit": limits.text_unit,
        "link_added": shown != text,
        "ok": not problems,
        "problems": problems,
    }


@router.get("/{post_id}", response={200: PostOut, **ERRORS}, summary="Get a post")
def post_get(request: HttpRequest, post_id: int) -> Post:
    return selectors.post_get(actor=actor_of(request), pk=post_id)


@router.post("", response={201: PostOut, **ERRORS}, summary="Create a post")
def post_create(request: HttpRequest, payload: PostIn) -> Status[Post]:
    """A draft, or scheduled at once when a time is sent: ``scheduled_at`` with its offset, or ``local_date`` and
    ``local_time`` on the channel's clock. Refused with the reason (400) for the network's limits (``network_limits``),
    media rights (``media_rights``), objectives first (``objectives_first``) or the charter (``charter``); 403 when
    the governance matrix or your roles do not let you post in the market."""
    actor = actor_of(request)
    channel = _channel(actor, payload.channel_id)
    localization_id, master_id = payload.localization_id, payload.master_id
    localization = (
        None
        if localization_id is None
        else ref(lambda: selectors.localization_get(actor=actor, pk=localization_id), "localization_id")
    )
    master = None if master_id is None else ref(lambda: selectors.master_get(actor=actor, pk=master_id), "master_id")
    post = services.post_create(
        actor=actor,
        channel=channel,
        localization=localization,
        master=master,
        text=payload.text,
        link=payload.link,
        first_comment=payload.first_comment,
        utm=payload.utm,
        media=None if payload.media_ids is None else media_refs(actor, payload.media_ids),
        scheduled_at=_when(payload, channel),
    )
    return Status(201, selectors.post_get(actor=actor, pk=post.pk))


@router.patch("/{post_id}", response={200: PostOut, **ERRORS}, summary="Update a post")
def post_update(request: HttpRequest, post_id: int, payload: PostUpdateIn) -> Post:
    actor = actor_of(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    services.post_update(
        actor=actor,
        post=post,
        text=payload.text if payload.text is not None else post.text,
        link=payload.link if payload.link is not None else post.link,
        first_comment=payload.first_comment if payload.first_comment is not None else post.first_comment,
        utm=payload.utm if payload.utm is not None else post.utm,
        media=None if payload.media_ids is None else media_refs(actor, payload.media_ids),
    )
    return selectors.post_get(actor=actor, pk=post.pk)


@router.post("/{post_id}/schedule", response={200: PostOut, **ERRORS}, summary="Schedule or reschedule a post")
def post_schedule(request: HttpRequest, post_id: int, payload: ScheduleIn) -> Post:
    """Every scheduling check runs again for the new time."""
    actor = actor_of(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    at = _when(payload, post.channel)
    if at is None:
        raise ValidationFailed(_("Send scheduled_at, or local_date and local_time."), field="scheduled_at")
    services.post_schedule(actor=actor, post=post, scheduled_at=at)
    return selectors.post_get(actor=actor, pk=post.pk)


@router.post("/{post_id}/cancel", response={200: PostOut, **ERRORS}, summary="Cancel a post")
def post_cancel(request: HttpRequest, post_id: int) -> Post:
    actor = actor_of(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    services.post_cancel(actor=actor, post=post)
    return selectors.post_get(actor=actor, pk=post.pk)
