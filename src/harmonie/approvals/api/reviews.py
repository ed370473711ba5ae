"""The review of posts: my queue, overdue steps, my submissions, a post's review, and the moves (submit, review,
withdraw, rework); notifications; the post state machine."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from harmonie.approvals import selectors
from harmonie.approvals.api.schemas import (
    MarkReadIn,
    MarkReadOut,
    NotificationListOut,
    NotificationQuery,
    PostStateOut,
    PostSummaryOut,
    QueueItemOut,
    ReviewIn,
    ReviewOut,
)
from harmonie.approvals.services import notifications as notification_services
from harmonie.approvals.services import workflow
from harmonie.content import selectors as content_selectors
from harmonie.content.models import Post
from harmonie.content.states import PostStatus, allowed_from
from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.governance.permissions import Actor

router = Router(tags=["approvals"])


def _review(actor: Actor, post_id: int) -> selectors.PostReview:
    return selectors.post_review(actor=actor, post=content_selectors.post_get(actor=actor, pk=post_id))


@router.get("/queue", response={200: list[QueueItemOut], **ERRORS}, summary="My review queue")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def queue(request: HttpRequest) -> list[selectors.QueueItem]:
    """The steps waiting for you, the earliest due first; ``overdue`` when past their response time target."""
    return selectors.review_queue(actor=actor_of(request))


@router.get("/overdue", response={200: list[QueueItemOut], **ERRORS}, summary="Overdue steps")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def overdue(request: HttpRequest) -> list[selectors.QueueItem]:
    """Every step past its response time target in the markets you see (for leads and HQ), the oldest first."""
    return selectors.overdue_steps(actor=actor_of(request))


@router.get("/submissions", response={200: list[PostSummaryOut], **ERRORS}, summary="My submissions")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def submissions(request: HttpRequest) -> QuerySet[Post]:
    """Your posts in review, with changes requested, rejected, needing a new time or on hold."""
    return selectors.my_submissions(actor=actor_of(request))


@router.get("/posts/{post_id}", response={200: ReviewOut, **ERRORS}, summary="A post's review")
def review_get(request: HttpRequest, post_id: int) -> selectors.PostReview:
    """Every round with its steps (approvers, reason, status, due time, who approved), the thread, and whether you
    may act now (``can_act``) or why not (``why_not``)."""
    return _review(actor_of(request), post_id)


@router.post("/posts/{post_id}/submit", response={200: ReviewOut, **ERRORS}, summary="Submit a post for review")
def submit(request: HttpRequest, post_id: int) -> selectors.PostReview:
    """A draft, or a post with changes requested, goes into review with the steps that apply (approved at once when
    none does). A post the crisis covers without a crisis circuit is put on hold instead."""
    actor = actor_of(request)
    workflow.post_submit(actor=actor, post=content_selectors.post_get(actor=actor, pk=post_id))
    return _review(actor, post_id)


@router.post("/posts/{post_id}/review", response={200: ReviewOut, **ERRORS}, summary="Review a post")
def review(request: HttpRequest, post_id: int, payload: ReviewIn) -> selectors.PostReview:
    """``approve``, ``request_changes`` or ``reject`` the current step (the last two need a ``comment``), or
    ``comment`` at any time. Refused with ``four_eyes`` (403) for the post's authors, ``invalid_transition`` (400)
    when the post is not in review."""
    actor = actor_of(request)
    post = content_selectors.post_get(actor=actor, pk=post_id)
    workflow.post_review(actor=actor, post=post, verb=payload.verb.value, comment=payload.comment)
    return _review(actor, post_id)


@router.post("/posts/{post_id}/withdraw", response={200: ReviewOut, **ERRORS}, summary="Take a post back to draft")
def withdraw(request: HttpRequest, post_id: int) -> selectors.PostReview:
    """From review, changes requested, approved, needing a new time or scheduled: the approvals given are
    withdrawn."""
    actor = actor_of(request)
    workflow.post_withdraw(actor=actor, post=content_selectors.post_get(actor=actor, pk=post_id))
    return _review(actor, post_id)


@router.post("/posts/{post_id}/rework", response={200: ReviewOut, **ERRORS}, summary="Rework a rejected post")
def rework(request: HttpRequest, post_id: int) -> selectors.PostReview:
    """A rejected post goes back to draft."""
    actor = actor_of(request)
    workflow.post_rework(actor=actor, post=content_selectors.post_get(actor=actor, pk=post_id))
    return _review(actor, post_id)


@router.get("/notifications", response={200: NotificationListOut, **ERRORS}, summary="My notifications")
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    """Newest first, at most ``limit`` (50 by default); ``unread=true`` for the unread ones only."""
    actor = actor_of(request)
    return {
        "items": selectors.notifications(actor=actor, unread_only=filters.unread, limit=filters.limit),
        "unread_count": selectors.unread_count(actor=actor),
    }


@router.post("/notifications/read", response={200: MarkReadOut, **ERRORS}, summary="Mark notifications read")
def notifications_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    """The given ones (``ids``), or all of yours; someone else's are left alone."""
    actor = actor_of(request)
    marked = notification_services.notifications_mark_read(actor=actor, ids=payload.ids)
    return {"marked": marked, "unread_count": selectors.unread_count(actor=actor)}


@router.get("/post-states", response={200: dict[str, PostStateOut], **ERRORS}, summary="The post state machine")
def post_states(request: HttpRequest) -> dict[str, dict[str, Any]]:
    """Every status a post can have, its label, and the statuses it may move to (the only transitions allowed;
    anything else is refused with ``invalid_transition``)."""
    order = list(PostStatus)
    return {
        status.value: {
            "label": str(status.label),
            "allowed": [s.value for s in order if s in allowed_from(status)],
        }
        for status in order
    }
