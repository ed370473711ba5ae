"""The review of a post: submit, approve / request changes / reject / comment, withdraw, rework.

Rules kept here, whatever the entry point (UI, API, external link):
* the steps come from :mod:`harmonie.approvals.resolution` at submission; only the current step can be acted on;
* authors and editors of a post never approve it (they are not among a step's approvers);
* an edit after submission withdraws the approvals given and starts a new round;
* an approval that completes after the post's planned time puts it in *needs a new time*, never late out.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from harmonie.accounts.models import User
from harmonie.approvals.models import (
    ApprovalRequest,
    ApprovalStep,
    Crisis,
    CrisisEvent,
    CrisisEventKind,
    ExternalReviewLink,
    RequestStatus,
    ReviewAction,
    ReviewVerb,
    StepMode,
    StepStatus,
)
from harmonie.approvals.notify import notify, post_url
from harmonie.approvals.resolution import active_crises_covering, resolve
from harmonie.content.models import Post
from harmonie.content.services.transitions import post_transition
from harmonie.content.states import PostStatus, check_transition
from harmonie.core.audit import audit_record
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.governance.models import Member
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors as strategy_selectors

S = PostStatus
SUBMITTABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED})


class CrisisHold(Exception):
    """A crisis covers the post and no crisis circuit is set up: the post is held instead of reviewed."""

    def __init__(self, crisis: Crisis) -> None:
        super().__init__(crisis.title)
        self.crisis = crisis


def _hold_for_crisis(*, actor: Actor, post: Post, crisis: Crisis) -> Post:
    record_crisis_event(crisis_id=crisis.pk, kind=CrisisEventKind.HELD, user=actor.user,
                        label=actor.user.get_full_name() or actor.user.email, post=post,
                        detail=str(PostStatus(post.status).label))  # fmt: skip
    return post_transition(
        post=post, to=S.ON_HOLD, user=actor.user, held_from=post.status,
        note=_("On hold: crisis “%(title)s” (no crisis circuit is set up, so it waits for an explicit release).")
        % {"title": crisis.title},
    )  # fmt: skip


def lock(post: Post) -> Post:
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("channel", "market", "master__dimension", "organization")
        .get(pk=post.pk)
    )


def open_request(post: Post) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(post=post, status=RequestStatus.OPEN).first()


def current_step(request: ApprovalRequest) -> ApprovalStep | None:
    return request.steps.filter(status=StepStatus.PENDING).order_by("position").first()


def _local(post: Post, at: dt.datetime) -> str:
    return date_format(at.astimezone(ZoneInfo(post.channel.timezone)), "DATETIME_FORMAT")


def _start_step(step: ApprovalStep, now: dt.datetime) -> None:
    step.status = StepStatus.PENDING
    step.started_at = now
    step.due_at = now + dt.timedelta(hours=step.response_hours)
    step.save(update_fields=["status", "started_at", "due_at"])
    post = step.request.post
    name = step.name
    notify(
        member_ids=step.approver_ids, post=post, kind="review_requested", url=post_url(post),
        message=lambda: _("Please review a post for %(channel)s (step “%(step)s”).")
        % {"channel": post.channel, "step": name},
    )  # fmt: skip


def _charter_warnings(actor: Actor, post: Post) -> list[str]:
    lint = strategy_selectors.charter_lint(
        actor=actor, text=post.text, market=post.market, channel=post.channel, dimension=post.master.dimension,
        at=post.scheduled_at,
    )  # fmt: skip
    return [f"{lint.rules[int(f.rule_id)].name}: {f.message}" for f in lint.findings if f.severity == "warn"]


def _record(
    *, post: Post, verb: str, actor: Actor | None = None, link: ExternalReviewLink | None = None,
    request: ApprovalRequest | None = None, step: ApprovalStep | None = None, comment: str = "",
) -> ReviewAction:  # fmt: skip
    if actor is not None:
        label = actor.user.get_full_name() or actor.user.email
    else:
        assert link is not None
        label = _("%(name)s (external reviewer)") % {"name": link.reviewer_name}
    action = ReviewAction.objects.create(
        post=post, request=request, step=step, verb=verb, member=actor.member if actor else None,
        external_link=link, author_label=label, comment=comment, post_revision=post.revision,
        created_at=timezone.now(),
    )  # fmt: skip
    audit_record(
        organization_id=post.organization_id, actor=actor.user if actor else None, action=f"review.{verb}",
        target=post, after={"step": step.name if step else None, "comment": comment, "by": label,
                            "round": request.round if request else None},
        market_id=post.market_id,
    )  # fmt: skip
    return action


def _create_request(*, actor: Actor, post: Post) -> ApprovalRequest | None:
    """Resolve the circuit and open a request (None when no step applies)."""
    resolution = resolve(post, submitter_id=actor.user.pk, charter_warnings=_charter_warnings(actor, post))
    if resolution.crisis is not None and not resolution.crisis_reviewed:
        raise CrisisHold(resolution.crisis)
    if not resolution.needs_review:
        return None
    for step in resolution.steps:
        if not step.external and not step.approver_ids:
            raise ValidationFailed(
                _("Nobody other than the post's authors can approve the step “%(step)s” (%(reason)s). "
                  "Ask an org admin to name an approver in that circuit.")
                % {"step": step.name, "reason": step.reason},
                code="no_approver",
            )  # fmt: skip
    last = ApprovalRequest.objects.filter(post=post).order_by("-round").first()
    now = timezone.now()
    request = ApprovalRequest.objects.create(
        organization_id=post.organization_id, post=post, round=(last.round + 1) if last else 1,
        post_revision=post.revision, reasons=resolution.reasons, submitted_by=actor.user, submitted_at=now,
    )  # fmt: skip
    steps = ApprovalStep.objects.bulk_create(
        [
            ApprovalStep(
                request=request,
                position=i,
                name=s.name,
                mode=s.mode,
                external=s.external,
                approver_ids=s.approver_ids,
                why=s.why,
                response_hours=s.response_hours,
            )
            for i, s in enumerate(resolution.steps, start=1)
        ]
    )
    _record(post=post, verb=ReviewVerb.SUBMIT, actor=actor, request=request)
    steps[0].request = request
    _start_step(steps[0], now)
    return request


def _go_out(*, post: Post, user: object, note: str = "") -> Post:
    """An approved post: scheduled if its time is still to come, else it needs a new time."""
    now = timezone.now()
    if post.scheduled_at is None:
        return post
    if post.scheduled_at <= now:
        return post_transition(
            post=post, to=S.NEEDS_NEW_TIME, user=user,  # type: ignore[arg-type]
            note=_("Approved on %(now)s, after its planned time (%(planned)s): choose a new time.")
            % {"now": _local(post, now), "planned": _local(post, post.scheduled_at)},
        )  # fmt: skip
    return post_transition(post=post, to=S.SCHEDULED, user=user, note=note)  # type: ignore[arg-type]


def submit_locked(*, actor: Actor, post: Post) -> Post:
    """Submit a locked post (inside the caller's transaction): in review, or approved (and scheduled) at once
    when no step applies."""
    actor.require(Perm.CONTENT_CREATE, post.market)
    if post.status not in SUBMITTABLE:
        if post.status == S.REJECTED:
            raise ValidationFailed(_("This post was rejected: rework it first (it goes back to draft)."),
                                   field="status", code="invalid_transition")  # fmt: skip
        raise ValidationFailed(
            _("Only a draft or a post with changes requested can be submitted; this one is %(status)s.")
            % {"status": str(PostStatus(post.status).label).lower()},
            field="status", code="invalid_transition",
        )  # fmt: skip
    try:
        request = _create_request(actor=actor, post=post)
    except CrisisHold as hold:
        return _hold_for_crisis(actor=actor, post=post, crisis=hold.crisis)
    if request is None:
        post_transition(post=post, to=S.APPROVED, user=actor.user, note=_("No review step applies."))
        return _go_out(post=post, user=actor.user)
    return post_transition(
        post=post, to=S.IN_REVIEW, user=actor.user, note=", ".join(r["name"] for r in request.reasons)
    )


@transaction.atomic
def post_submit(*, actor: Actor, post: Post) -> Post:
    return submit_locked(actor=actor, post=lock(post))


def _withdraw_open(*, post: Post, actor: Actor, note: str) -> ApprovalRequest | None:
    request = open_request(post)
    if request is None:
        return None
    now = timezone.now()
    request.status, request.closed_at, request.close_note = RequestStatus.WITHDRAWN, now, note
    request.save(update_fields=["status", "closed_at", "close_note"])
    request.steps.exclude(status=StepStatus.APPROVED).update(status=StepStatus.WITHDRAWN, completed_at=now)
    _record(post=post, verb=ReviewVerb.WITHDRAW, actor=actor, request=request, comment=note)
    return request


def after_edit(*, actor: Actor, post: Post, previous_revision: int) -> Post:
    """Called by the post services after what a locked post says changed: approvals given so far are withdrawn
    and the post is reviewed again if a circuit applies."""
    if post.revision == previous_revision or post.status not in (
        S.IN_REVIEW,
        S.APPROVED,
        S.SCHEDULED,
        S.NEEDS_NEW_TIME,
    ):
        return post  # fmt: skip
    note = _("The post was edited.")
    _withdraw_open(post=post, actor=actor, note=note)
    approved = ApprovalRequest.objects.filter(post=post, status=RequestStatus.APPROVED)
    if approved.exists():
        _record(post=post, verb=ReviewVerb.WITHDRAW, actor=actor, comment=_("The post was edited after approval."))
        approved.update(status=RequestStatus.WITHDRAWN, closed_at=timezone.now(), close_note=note)
    try:
        request = _create_request(actor=actor, post=post)
    except CrisisHold as hold:
        return _hold_for_crisis(actor=actor, post=post, crisis=hold.crisis)
    if request is not None:
        return post_transition(post=post, to=S.IN_REVIEW, user=actor.user,
                               note=_("Edited: approvals withdrawn, reviewed again."))  # fmt: skip
    if post.status == S.IN_REVIEW:
        post_transition(post=post, to=S.APPROVED, user=actor.user, note=_("No review step applies."))
        return _go_out(post=post, user=actor.user)
    return post


@transaction.atomic
def post_withdraw(*, actor: Actor, post: Post) -> Post:
    """The author takes a post back from review (or from approval) to draft."""
    post = lock(post)
    actor.require(Perm.CONTENT_CREATE, post.market)
    refuse_if_held(post)
    if post.status not in (S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.NEEDS_NEW_TIME, S.SCHEDULED):
        check_transition(post.status, S.DRAFT)
    _withdraw_open(post=post, actor=actor, note=_("Taken back to draft."))
    ApprovalRequest.objects.filter(post=post, status=RequestStatus.APPROVED).update(
        status=RequestStatus.WITHDRAWN, closed_at=timezone.now(), close_note=_("Taken back to draft.")
    )
    return post_transition(post=post, to=S.DRAFT, user=actor.user, note=_("Taken back to draft."))


@transaction.atomic
def post_rework(*, actor: Actor, post: Post) -> Post:
    """A rejected post goes back to draft to be reworked."""
    post = lock(post)
    actor.require(Perm.CONTENT_CREATE, post.market)
    return post_transition(post=post, to=S.DRAFT, user=actor.user, note=_("Reworked after rejection."))


REVIEW_VERBS = (ReviewVerb.APPROVE, ReviewVerb.REQUEST_CHANGES, ReviewVerb.REJECT, ReviewVerb.COMMENT)


def _authors(post: Post, request: ApprovalRequest) -> set[int]:
    user_ids = {u for u in (post.created_by_id, request.submitted_by_id) if u}
    return set(Member.objects.filter(organization_id=post.organization_id, user_id__in=user_ids)
               .values_list("pk", flat=True))  # fmt: skip


def _apply(
    *, post: Post, request: ApprovalRequest, step: ApprovalStep, verb: str, comment: str,
    actor: Actor | None, link: ExternalReviewLink | None,
) -> Post:  # fmt: skip
    now = timezone.now()
    user = actor.user if actor else None
    _record(post=post, verb=verb, actor=actor, link=link, request=request, step=step, comment=comment)
    authors = _authors(post, request)
    who = (actor.user.get_full_name() or actor.user.email) if actor else (link.reviewer_name if link else "")
    if verb == ReviewVerb.APPROVE:
        if step.mode == StepMode.ALL and not step.external:
            approved_by = set(
                ReviewAction.objects.filter(step=step, verb=ReviewVerb.APPROVE).values_list("member_id", flat=True)
            )
            if not set(step.approver_ids) <= approved_by:
                return post
        step.status, step.completed_at = StepStatus.APPROVED, now
        step.save(update_fields=["status", "completed_at"])
        following = request.steps.filter(status=StepStatus.WAITING).order_by("position").first()
        if following is not None:
            following.request = request
            _start_step(following, now)
            return post
        request.status, request.closed_at = RequestStatus.APPROVED, now
        request.save(update_fields=["status", "closed_at"])
        post_transition(post=post, to=S.APPROVED, user=user, note=_("Approved by %(who)s.") % {"who": who})
        # Approved through a crisis circuit: the crisis lets this post go (publication re-checks this).
        for crisis in active_crises_covering(post):
            if any((r.get("why") or {}).get("crisis_id") == crisis.pk for r in request.reasons):
                record_crisis_event(crisis_id=crisis.pk, kind=CrisisEventKind.RELEASED, user=user, label=who,
                                    post=post, detail=_("Approved through the crisis circuit."))  # fmt: skip
        post = _go_out(post=post, user=user)
        status = post.status
        notify(
            member_ids=authors, post=post, kind="approved", url=post_url(post),
            message=lambda: _("Your post for %(channel)s was approved: %(status)s.")
            % {"channel": post.channel, "status": str(PostStatus(status).label).lower()},
        )  # fmt: skip
        return post
    if verb in (ReviewVerb.REQUEST_CHANGES, ReviewVerb.REJECT):
        if not comment.strip():
            raise ValidationFailed(_("Say what should change (or why you reject it) in a comment."), field="comment")
        step_status = StepStatus.CHANGES_REQUESTED if verb == ReviewVerb.REQUEST_CHANGES else StepStatus.REJECTED
        request_status = (
            RequestStatus.CHANGES_REQUESTED if verb == ReviewVerb.REQUEST_CHANGES else RequestStatus.REJECTED
        )
        target = S.CHANGES_REQUESTED if verb == ReviewVerb.REQUEST_CHANGES else S.REJECTED
        step.status, step.completed_at = step_status, now
        step.save(update_fields=["status", "completed_at"])
        request.steps.filter(status=StepStatus.WAITING).update(status=StepStatus.WITHDRAWN, completed_at=now)
        request.status, request.closed_at, request.close_note = request_status, now, comment
        request.save(update_fields=["status", "closed_at", "close_note"])
        post_transition(post=post, to=target, user=user, note=f"{who}: {comment}")
        kind = "changes_requested" if target == S.CHANGES_REQUESTED else "rejected"
        notify(
            member_ids=authors, post=post, kind=kind, url=post_url(post),
            message=(lambda: _("%(who)s asks for changes to your post for %(channel)s: %(comment)s")
                     % {"who": who, "channel": post.channel, "comment": comment})
            if target == S.CHANGES_REQUESTED
            else (lambda: _("%(who)s rejected your post for %(channel)s: %(comment)s")
                  % {"who": who, "channel": post.channel, "comment": comment}),
        )  # fmt: skip
        return post
    # A comment: everyone involved hears of it.
    involved = (authors | set(step.approver_ids)) - ({actor.member.pk} if actor else set())
    notify(
        member_ids=involved, post=post, kind="comment", url=post_url(post), email=False,
        message=lambda: _("%(who)s commented on a post for %(channel)s: %(comment)s")
        % {"who": who, "channel": post.channel, "comment": comment},
    )  # fmt: skip
    return post


@transaction.atomic
def post_review(*, actor: Actor, post: Post, verb: str, comment: str = "") -> Post:
    """A member approves, requests changes, rejects, or comments on the post's current step."""
    post = lock(post)
    comment = (comment or "").strip()
    if verb not in REVIEW_VERBS:
        raise ValidationFailed(_("Choose approve, request_changes, reject or comment."), field="verb")
    if post.organization_id != actor.organization_id:
        raise NotPermitted(_("This post belongs to another organization."))
    request = open_request(post)
    if verb == ReviewVerb.COMMENT:
        if not comment:
            raise ValidationFailed(_("Write a comment."), field="comment")
        actor.require(Perm.CONTENT_VIEW, post.market)
        step = current_step(request) if request else None
        _record(post=post, verb=verb, actor=actor, request=request, step=step, comment=comment)
        if request is not None and step is not None:
            involved = (_authors(post, request) | set(step.approver_ids)) - {actor.member.pk}
            who = actor.user.get_full_name() or actor.user.email
            notify(
                member_ids=involved, post=post, kind="comment", url=post_url(post), email=False,
                message=lambda: _("%(who)s commented on a post for %(channel)s: %(comment)s")
                % {"who": who, "channel": post.channel, "comment": comment},
            )  # fmt: skip
        return post
    if request is None or post.status != S.IN_REVIEW:
        raise ValidationFailed(
            _("This post is not waiting for a review (it is %(status)s).")
            % {"status": str(PostStatus(post.status).label).lower()},
            field="status", code="invalid_transition",
        )  # fmt: skip
    step = current_step(request)
    assert step is not None
    if step.external:
        raise NotPermitted(
            _("The step “%(step)s” is for the external reviewer, through their review link.") % {"step": step.name}
        )
    if actor.member.pk not in step.approver_ids:
        if actor.member.pk in _authors(post, request) or actor.user.pk == post.created_by_id:
            raise NotPermitted(_("You wrote or submitted this post: someone else must approve it (four-eyes)."),
                               code="four_eyes")  # fmt: skip
        raise NotPermitted(_("You are not an approver of the step “%(step)s”.") % {"step": step.name})
    if (
        verb == ReviewVerb.APPROVE
        and ReviewAction.objects.filter(step=step, verb=ReviewVerb.APPROVE, member=actor.member).exists()
    ):
        raise ValidationFailed(_("You already approved this step."), code="already_approved")
    return _apply(post=post, request=request, step=step, verb=verb, comment=comment, actor=actor, link=None)


def external_review_locked(*, link: ExternalReviewLink, post: Post, verb: str, comment: str = "") -> Post:
    """An external reviewer acts through their link (checked by the caller): comments at any time; approves or
    rejects only when the post's current step is an external one."""
    comment = (comment or "").strip()
    if verb not in REVIEW_VERBS:
        raise ValidationFailed(_("Choose approve, request_changes, reject or comment."), field="verb")
    request = open_request(post)
    if verb == ReviewVerb.COMMENT:
        if not comment:
            raise ValidationFailed(_("Write a comment."), field="comment")
        step = current_step(request) if request else None
        _record(post=post, verb=verb, link=link, request=request, step=step, comment=comment)
        if request is not None:
            notify(
                member_ids=_authors(post, request), post=post, kind="comment", url=post_url(post), email=False,
                message=lambda: _("%(who)s commented on a post for %(channel)s: %(comment)s")
                % {"who": link.reviewer_name, "channel": post.channel, "comment": comment},
            )  # fmt: skip
        return post
    if request is None or post.status != S.IN_REVIEW:
        raise ValidationFailed(
            _("This post is not waiting for a review (it is %(status)s).")
            % {"status": str(PostStatus(post.status).label).lower()},
            field="status", code="invalid_transition",
        )  # fmt: skip
    step = current_step(request)
    assert step is not None
    if not step.external:
        raise ValidationFailed(
            _("It is not your turn yet: the step “%(step)s” is in progress. You can comment meanwhile.")
            % {"step": step.name},
            code="not_your_step",
        )  # fmt: skip
    return _apply(post=post, request=request, step=step, verb=verb, comment=comment, actor=None, link=link)


def record_crisis_event(
    *, crisis_id: int, kind: str, user: User | None, label: str, post: Post | None = None, detail: str = ""
) -> CrisisEvent:
    return CrisisEvent.objects.create(
        crisis_id=crisis_id, kind=kind, post=post, actor=user, actor_label=label, detail=detail, at=timezone.now()
    )


__all__ = [
    "CrisisEventKind",
    "after_edit",
    "external_review_locked",
    "lock",
    "post_review",
    "post_rework",
    "post_submit",
    "post_withdraw",
    "submit_locked",
]


def refuse_if_held(post: Post) -> None:
    """A post on hold leaves the hold only through the crisis console (release, reschedule, cancel), so that the
    crisis timeline accounts for every post it held."""
    if post.status == S.ON_HOLD:
        raise ValidationFailed(
            _("This post is on hold during a crisis: release, reschedule or cancel it from the crisis console."),
            field="status", code="on_hold",
        )  # fmt: skip


def close_open_request(*, post: Post, actor: Actor, note: str) -> None:
    """Withdraw the open review of a post that leaves the circuit (cancelled)."""
    _withdraw_open(post=post, actor=actor, note=note)
