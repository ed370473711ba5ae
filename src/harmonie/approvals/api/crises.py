"""Crisis mode: declare (every post in scope on hold, at once), release, reschedule or cancel held posts one by one,
notes, holding statements out within a minute, end with the lessons learned; the after-action report. And the
pre-approved holding statements themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.approvals import selectors
from harmonie.approvals.api.schemas import (
    CrisisDeclaredOut,
    CrisisDetailOut,
    CrisisEventOut,
    CrisisIn,
    CrisisOut,
    EndIn,
    NoteIn,
    PostSummaryOut,
    PublishIn,
    RescheduleIn,
    StatementIn,
    StatementOut,
)
from harmonie.approvals.models import Crisis, CrisisEvent, HoldingStatement
from harmonie.approvals.services import crisis as services
from harmonie.content import selectors as content_selectors
from harmonie.content.models import Post
from harmonie.content.timeutils import local_to_utc
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import NotFound, ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor

crises = Router(tags=["crises"])
statements = Router(tags=["holding statements"])


def _markets(actor: Actor, ids: list[int]) -> list[Market]:
    wanted = set(ids)
    found = list(governance_selectors.market_list(actor=actor).filter(pk__in=wanted).order_by("path"))
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such market."), field="market_ids")
    return found


def _channels(actor: Actor, ids: list[int]) -> list[Channel]:
    wanted = set(ids)
    found = list(governance_selectors.channel_list(actor=actor).filter(pk__in=wanted).order_by("pk"))
    if len(found) != len(wanted):
        raise ValidationFailed(_("No such channel."), field="channel_ids")
    return found


def _crisis(actor: Actor, crisis_id: int) -> Crisis:
    return selectors.crisis_get(actor=actor, pk=crisis_id)


def _post(actor: Actor, post_id: int) -> Post:
    return content_selectors.post_get(actor=actor, pk=post_id)


def _when(when: RescheduleIn, post: Post) -> dt.datetime:
    """``scheduled_at`` as sent, or ``local_date`` + ``local_time`` on the post's channel clock (as the content
    API reads them)."""
    if when.scheduled_at is not None:
        if when.local_date is not None or when.local_time is not None:
            raise ValidationFailed(
                _("Send scheduled_at, or local_date and local_time, not both."), field="scheduled_at"
            )
        return when.scheduled_at
    if when.local_date is None and when.local_time is None:
        raise ValidationFailed(_("Send scheduled_at, or local_date and local_time."), field="scheduled_at")
    if when.local_date is None or when.local_time is None:
        raise ValidationFailed(
            _("Send local_date and local_time together."),
            field="local_date" if when.local_date is None else "local_time",
        )
    return local_to_utc(when.local_date, when.local_time, post.channel.timezone, field="local_time")


def _listed(qs: QuerySet[Crisis]) -> QuerySet[Crisis]:
    return qs.select_related("declared_by", "ended_by")


@crises.get("", response={200: list[CrisisOut], **ERRORS}, summary="List crises")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def crisis_list(request: HttpRequest) -> QuerySet[Crisis]:
    """The newest first, active and ended."""
    return _listed(selectors.crisis_list(actor=actor_of(request)))


@crises.post("", response={201: CrisisDeclaredOut, **ERRORS}, summary="Declare a crisis")
def crisis_declare(request: HttpRequest, payload: CrisisIn) -> Status[dict[str, Any]]:
    """Every post in scope that could still go out (in review, changes requested, approved, scheduled, needing a new
    time) is put on hold in the same transaction; ``held_post_ids`` lists them. Org admins declare for the whole
    organization or anything in it; market leads for markets (and their channels) in their scope."""
    actor = actor_of(request)
    circuit_id = payload.circuit_id
    crisis, held = services.crisis_declare(
        actor=actor,
        title=payload.title,
        reason=payload.reason,
        markets=_markets(actor, payload.market_ids),
        channels=_channels(actor, payload.channel_ids),
        circuit=None
        if circuit_id is None
        else ref(lambda: selectors.circuit_get(actor=actor, pk=circuit_id), "circuit_id"),
    )
    return Status(201, {"crisis": _crisis(actor, crisis.pk), "held_post_ids": [p.pk for p in held]})


@crises.get("/{crisis_id}", response={200: CrisisDetailOut, **ERRORS}, summary="Get a crisis and its report")
def crisis_get(request: HttpRequest, crisis_id: int) -> dict[str, Any]:
    """The crisis and its after-action report: the timeline (``events``), the events per kind (``counts``), how
    long it lasted, how soon the first holding statement went out, and the posts still on hold."""
    actor = actor_of(request)
    crisis = _crisis(actor, crisis_id)
    return {"crisis": crisis, "report": selectors.crisis_report(actor=actor, crisis=crisis)}


@crises.post(
    "/{crisis_id}/posts/{post_id}/release", response={200: PostSummaryOut, **ERRORS}, summary="Release a held post"
)
def crisis_release(request: HttpRequest, crisis_id: int, post_id: int) -> Post:
    """The post goes on as before the hold: to its time if still to come, else it needs a new time."""
    actor = actor_of(request)
    post = services.crisis_release(actor=actor, crisis=_crisis(actor, crisis_id), post=_post(actor, post_id))
    return _post(actor, post.pk)


@crises.post(
    "/{crisis_id}/posts/{post_id}/reschedule",
    response={200: PostSummaryOut, **ERRORS},
    summary="Give a held post a new time",
)
def crisis_reschedule(request: HttpRequest, crisis_id: int, post_id: int, payload: RescheduleIn) -> Post:
    """``scheduled_at`` with its offset, or ``local_date`` + ``local_time`` on the channel's clock; every
    scheduling check runs again."""
    actor = actor_of(request)
    crisis, post = _crisis(actor, crisis_id), _post(actor, post_id)
    services.crisis_reschedule(actor=actor, crisis=crisis, post=post, scheduled_at=_when(payload, post))
    return _post(actor, post.pk)


@crises.post(
    "/{crisis_id}/posts/{post_id}/cancel", response={200: PostSummaryOut, **ERRORS}, summary="Cancel a held post"
)
def crisis_cancel(request: HttpRequest, crisis_id: int, post_id: int) -> Post:
    actor = actor_of(request)
    post = services.crisis_cancel_post(actor=actor, crisis=_crisis(actor, crisis_id), post=_post(actor, post_id))
    return _post(actor, post.pk)


@crises.post("/{crisis_id}/notes", response={201: CrisisEventOut, **ERRORS}, summary="Add a note to the timeline")
def crisis_note(request: HttpRequest, crisis_id: int, payload: NoteIn) -> Status[CrisisEvent]:
    actor = actor_of(request)
    return Status(201, services.crisis_note(actor=actor, crisis=_crisis(actor, crisis_id), text=payload.text))


@crises.post(
    "/{crisis_id}/statements/{statement_id}/publish",
    response={201: list[PostSummaryOut], **ERRORS},
    summary="Publish a holding statement",
)
def crisis_statement_publish(
    request: HttpRequest, crisis_id: int, statement_id: int, payload: PublishIn
) -> Status[list[Post]]:
    """The pre-approved statement goes out within a minute on each channel of ``channel_ids`` (in the crisis's
    scope); the network's limits are still checked. Answers the posts made."""
    actor = actor_of(request)
    crisis = _crisis(actor, crisis_id)
    statement = selectors.statement_list(actor=actor).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such holding statement."))
    posts = services.statement_publish(
        actor=actor, crisis=crisis, statement=statement, channels=_channels(actor, payload.channel_ids)
    )
    return Status(201, list(content_selectors.post_list(actor=actor).filter(pk__in=[p.pk for p in posts])))


@crises.post("/{crisis_id}/end", response={200: CrisisOut, **ERRORS}, summary="End a crisis")
def crisis_end(request: HttpRequest, crisis_id: int, payload: EndIn) -> Crisis:
    """Refused (409 ``posts_on_hold``) while a post it held is still on hold: release, reschedule or cancel each."""
    actor = actor_of(request)
    crisis = services.crisis_end(actor=actor, crisis=_crisis(actor, crisis_id), summary=payload.summary)
    return _crisis(actor, crisis.pk)


# --- holding statements ----------------------------------------------------------------------


def _statement_fields(actor: Actor, payload: StatementIn) -> dict[str, Any]:
    return {
        "title": payload.title,
        "language": payload.language,
        "text": payload.text,
        "dimension": ref(
            lambda: governance_selectors.dimension_get(actor=actor, pk=payload.dimension_id), "dimension_id"
        ),
    }


@statements.get("", response={200: list[StatementOut], **ERRORS}, summary="List holding statements")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def statement_list(request: HttpRequest) -> QuerySet[HoldingStatement]:
    """The active ones, by title and language."""
    return selectors.statement_list(actor=actor_of(request))


@statements.post("", response={201: StatementOut, **ERRORS}, summary="Write a holding statement")
def statement_create(request: HttpRequest, payload: StatementIn) -> Status[HoldingStatement]:
    """Writing it pre-approves it: members approving content at Global only. One per title and language (409)."""
    actor = actor_of(request)
    return Status(201, services.statement_save(actor=actor, **_statement_fields(actor, payload)))


@statements.put("/{statement_id}", response={200: StatementOut, **ERRORS}, summary="Rewrite a holding statement")
def statement_update(request: HttpRequest, statement_id: int, payload: StatementIn) -> HoldingStatement:
    """The whole statement; rewriting it approves it again, in your name."""
    actor = actor_of(request)
    statement = selectors.statement_list(actor=actor, active_only=False).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such holding statement."))
    return services.statement_save(actor=actor, statement=statement, **_statement_fields(actor, payload))
