"""Reading approvals: the review queue of a member, a post's review (rounds, steps, thread), notifications,
circuits, crises and their after-action report. Every read is scoped to the actor."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.models import (
    ApprovalCircuit,
    ApprovalRequest,
    ApprovalStep,
    CircuitCondition,
    Crisis,
    CrisisEvent,
    CrisisEventKind,
    CrisisStatus,
    ExternalReviewLink,
    HoldingStatement,
    Notification,
    RequestStatus,
    ReviewAction,
    StepStatus,
)
from harmonie.approvals.resolution import crisis_covers
from harmonie.content.models import Post
from harmonie.content.states import PostStatus
from harmonie.core.errors import NotFound
from harmonie.governance.models import Member
from harmonie.governance.permissions import Actor, Perm


@dataclass
class QueueItem:
    step: ApprovalStep
    post: Post
    overdue: bool
    overdue_by: dt.timedelta | None


def review_queue(*, actor: Actor) -> list[QueueItem]:
    """Steps waiting for this member, oldest due first; overdue ones flagged."""
    now = timezone.now()
    steps = (
        ApprovalStep.objects.filter(
            status=StepStatus.PENDING,
            request__status=RequestStatus.OPEN,
            request__organization_id=actor.organization_id,
            external=False,
        )
        .select_related("request__post__channel", "request__post__market", "request__post__master")
        .order_by("due_at", "pk")
    )
    items = []
    for step in steps:
        if actor.member.pk not in step.approver_ids:
            continue
        overdue = step.due_at is not None and step.due_at < now
        items.append(
            QueueItem(step=step, post=step.request.post, overdue=overdue,
                      overdue_by=(now - step.due_at) if overdue and step.due_at else None)
        )  # fmt: skip
    return items


def review_queue_size(*, actor: Actor) -> int:
    """How many steps wait for this member (the nav badge, on every page): counted by the database where it can
    look inside JSON lists (PostgreSQL), else over the approver lists alone."""
    steps = ApprovalStep.objects.filter(
        status=StepStatus.PENDING, request__status=RequestStatus.OPEN,
        request__organization_id=actor.organization_id, external=False,
    )  # fmt: skip
    if connection.features.supports_json_field_contains:
        return steps.filter(approver_ids__contains=[actor.member.pk]).count()
    return sum(1 for ids in steps.values_list("approver_ids", flat=True) if actor.member.pk in ids)


def overdue_steps(*, actor: Actor) -> list[QueueItem]:
    """Every overdue step in the markets where the actor approves or creates content (for leads and HQ)."""
    now = timezone.now()
    steps = (
        ApprovalStep.objects.filter(
            status=StepStatus.PENDING, request__status=RequestStatus.OPEN, due_at__lt=now,
            request__organization_id=actor.organization_id,
        )
        .filter(actor.market_q(Perm.CONTENT_VIEW, "request__post__market__path"))
        .select_related("request__post__channel", "request__post__market")
        .order_by("due_at")
    )  # fmt: skip
    return [QueueItem(step=s, post=s.request.post, overdue=True, overdue_by=now - s.due_at) for s in steps if s.due_at]


def my_submissions(*, actor: Actor) -> QuerySet[Post]:
    """The member's own posts that are in review, need changes or were rejected."""
    return (
        Post.objects.filter(
            organization_id=actor.organization_id,
            created_by=actor.user,
            status__in=[PostStatus.IN_REVIEW, PostStatus.CHANGES_REQUESTED, PostStatus.REJECTED,
                        PostStatus.NEEDS_NEW_TIME, PostStatus.ON_HOLD],
        )
        .select_related("channel", "market")
        .order_by("scheduled_at", "pk")
    )  # fmt: skip


@dataclass
class StepView:
    step: ApprovalStep
    approvers: list[Member]
    approved_by: list[str]
    is_current: bool
    overdue: bool


@dataclass
class RoundView:
    request: ApprovalRequest
    steps: list[StepView]


@dataclass
class PostReview:
    post: Post
    rounds: list[RoundView]
    thread: list[ReviewAction]
    current: StepView | None
    can_act: bool
    why_not: str
    is_author: bool
    links: list[ExternalReviewLink] = field(default_factory=list)


def post_review(*, actor: Actor, post: Post) -> PostReview:
    """Everything the review page shows: each round and its steps, the thread, whether the actor may act."""
    if post.organization_id != actor.organization_id or not actor.can(Perm.CONTENT_VIEW, post.market):
        raise NotFound(_("No such post."))
    now = timezone.now()
    requests = list(ApprovalRequest.objects.filter(post=post).prefetch_related("steps").order_by("round"))
    member_ids = {i for r in requests for s in r.steps.all() for i in s.approver_ids}
    members = {m.pk: m for m in Member.objects.filter(pk__in=member_ids).select_related("user")}
    approvals: dict[int, list[str]] = {}
    for action in ReviewAction.objects.filter(post=post, verb="approve"):
        if action.step_id is not None:
            approvals.setdefault(action.step_id, []).append(action.author_label)
    rounds, current = [], None
    for request in requests:
        views = []
        for step in request.steps.all():
            view = StepView(
                step=step, approvers=[members[i] for i in step.approver_ids if i in members],
                approved_by=approvals.get(step.pk, []),
                is_current=request.status == RequestStatus.OPEN and step.status == StepStatus.PENDING,
                overdue=step.status == StepStatus.PENDING and step.due_at is not None and step.due_at < now,
            )  # fmt: skip
            if view.is_current:
                current = view
            views.append(view)
        rounds.append(RoundView(request=request, steps=views))
    is_author = actor.user.pk == post.created_by_id or any(r.submitted_by_id == actor.user.pk for r in requests)
    can_act, why_not = False, ""
    if current is not None and post.status == PostStatus.IN_REVIEW:
        if current.step.external:
            why_not = _("This step is for the external reviewer, through a review link.")
        elif actor.member.pk in current.step.approver_ids:
            already = ReviewAction.objects.filter(step=current.step, verb="approve", member=actor.member).exists()
            can_act, why_not = (not already), (_("You already approved this step.") if already else "")
        elif is_author:
            why_not = _("You wrote or submitted this post: someone else must approve it (four-eyes).")
        else:
            why_not = _("You are not an approver of the step “%(step)s”.") % {"step": current.step.name}
    thread = list(ReviewAction.objects.filter(post=post).select_related("step").order_by("created_at", "pk"))
    links = list(ExternalReviewLink.objects.filter(posts=post).order_by("-created_at"))
    return PostReview(post=post, rounds=rounds, thread=thread, current=current, can_act=can_act, why_not=why_not,
                      is_author=is_author, links=links)  # fmt: skip


def notifications(*, actor: Actor, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    qs = Notification.objects.filter(member=actor.member).select_related("post")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[:limit])


def unread_count(*, actor: Actor) -> int:
    return Notification.objects.filter(member=actor.member, read_at__isnull=True).count()


def circuit_list(*, actor: Actor) -> QuerySet[ApprovalCircuit]:
    actor.require(Perm.GOVERNANCE_VIEW)
    return ApprovalCircuit.objects.filter(organization_id=actor.organization_id).prefetch_related(
        "steps__team", "steps__market", "steps__member__user"
    )


def circuit_get(*, actor: Actor, pk: int) -> ApprovalCircuit:
    circuit = circuit_list(actor=actor).filter(pk=pk).first()
    if circuit is None:
        raise NotFound(_("No such circuit."))
    return circuit


def condition_list(*, actor: Actor) -> QuerySet[CircuitCondition]:
    actor.require(Perm.GOVERNANCE_VIEW)
    return CircuitCondition.objects.filter(organization_id=actor.organization_id).select_related(
        "circuit", "campaign", "dimension"
    )


def crisis_list(*, actor: Actor) -> QuerySet[Crisis]:
    """Crises the member can see: org-wide ones, and those touching a market they see."""
    actor.require(Perm.CONTENT_VIEW)
    return Crisis.objects.filter(organization_id=actor.organization_id).prefetch_related("markets", "channels")


def crisis_get(*, actor: Actor, pk: int) -> Crisis:
    crisis = crisis_list(actor=actor).filter(pk=pk).first()
    if crisis is None:
        raise NotFound(_("No such crisis."))
    return crisis


def active_crises(*, actor: Actor) -> list[Crisis]:
    return list(crisis_list(actor=actor).filter(status=CrisisStatus.ACTIVE))


def statement_list(*, actor: Actor, active_only: bool = True) -> QuerySet[HoldingStatement]:
    actor.require(Perm.CONTENT_VIEW)
    qs = HoldingStatement.objects.filter(organization_id=actor.organization_id).select_related("approved_by")
    return qs.filter(is_active=True) if active_only else qs


def posts_in_scope(*, crisis: Crisis, statuses: list[str] | None = None) -> list[Post]:
    posts = Post.objects.filter(organization_id=crisis.organization_id).select_related("channel", "market")
    if statuses:
        posts = posts.filter(status__in=statuses)
    return [p for p in posts if crisis_covers(crisis, market=p.market, channel_id=p.channel_id)]


def held_posts(crisis: Crisis) -> list[Post]:
    """Posts this crisis put on hold that are still on hold."""
    held_ids = CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEventKind.HELD).values("post_id")
    return list(
        Post.objects.filter(pk__in=held_ids, status=PostStatus.ON_HOLD)
        .select_related("channel", "market")
        .order_by("scheduled_at", "pk")
    )


@dataclass
class CrisisReport:
    crisis: Crisis
    events: list[CrisisEvent]
    counts: dict[str, int]
    duration: dt.timedelta | None
    first_statement_after: dt.timedelta | None
    still_on_hold: list[Post]


def crisis_report(*, actor: Actor, crisis: Crisis) -> CrisisReport:
    """The after-action report: the timeline and what it adds up to."""
    if crisis.organization_id != actor.organization_id:
        raise NotFound(_("No such crisis."))
    events = list(
        CrisisEvent.objects.filter(crisis=crisis).select_related("post__channel", "post__market").order_by("at", "pk")
    )
    counts = Counter(e.kind for e in events)
    end = crisis.ended_at or timezone.now()
    statements = [e.at for e in events if e.kind == CrisisEventKind.STATEMENT]
    return CrisisReport(
        crisis=crisis,
        events=events,
        counts={kind: counts.get(kind, 0) for kind in CrisisEventKind.values},
        duration=end - crisis.declared_at,
        first_statement_after=(min(statements) - crisis.declared_at) if statements else None,
        still_on_hold=held_posts(crisis) if crisis.status == CrisisStatus.ACTIVE else [],
    )


@dataclass
class ExternalPostView:
    post: Post
    current: ApprovalStep | None
    thread: list[ReviewAction]
    your_turn: bool  # the current step is the external one: the reviewer may approve, request changes or reject


def external_posts(*, link: ExternalReviewLink, post_id: int | None = None) -> list[ExternalPostView]:
    """What an external reviewer sees through a live link (checked by the caller): the posts it covers (or the one
    asked for), each with its current step and what external reviewers said — nothing else of the organization."""
    posts = link.posts.select_related("channel", "market").prefetch_related("media").order_by("scheduled_at", "pk")
    if post_id is not None:
        posts = posts.filter(pk=post_id)
    found = list(posts)
    ids = [p.pk for p in found]
    current: dict[int, ApprovalStep] = {}
    pending = ApprovalStep.objects.filter(
        request__post_id__in=ids, request__status=RequestStatus.OPEN, status=StepStatus.PENDING
    ).select_related("request")
    for step in pending.order_by("position"):
        current.setdefault(step.request.post_id, step)
    threads: dict[int, list[ReviewAction]] = {}
    # Outsiders see what outsiders said, not the organization's internal discussion.
    outside = ReviewAction.objects.filter(post_id__in=ids, external_link__isnull=False)
    for action in outside.order_by("created_at", "pk"):
        threads.setdefault(action.post_id, []).append(action)
    return [
        ExternalPostView(
            post=p, current=current.get(p.pk), thread=threads.get(p.pk, []),
            your_turn=p.status == PostStatus.IN_REVIEW and p.pk in current and current[p.pk].external,
        )
        for p in found
    ]  # fmt: skip
