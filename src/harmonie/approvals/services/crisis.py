"""Crisis mode: declare (every post in scope on hold, atomically), publish holding statements, release or
reschedule held posts one by one, end the crisis once none is left on hold; the timeline feeds the report.

An org admin declares for the whole organization or anything in it; a market lead for markets (and channels
owned by markets) within their scope. The publishing worker asks :func:`publication_blocker` inside its claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.models import (
    ApprovalCircuit,
    Crisis,
    CrisisEvent,
    CrisisEventKind,
    CrisisStatus,
    HoldingStatement,
)
from harmonie.approvals.resolution import crisis_covers
from harmonie.approvals.selectors import held_posts
from harmonie.approvals.services import workflow
from harmonie.content.models import ContentKind, MasterContent, Post
from harmonie.content.services.posts import network_problems, schedule_problems
from harmonie.content.services.transitions import post_transition
from harmonie.content.states import HOLDABLE, PostStatus
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, NotFound, ValidationFailed
from harmonie.core.validation import normalize_language_tag
from harmonie.governance.models import Channel, Dimension, Market
from harmonie.governance.permissions import Actor, Perm

S = PostStatus
STATEMENT_DELAY = dt.timedelta(minutes=1)


def _label(actor: Actor) -> str:
    return str(actor.user.get_full_name() or actor.user.email)


def _event(crisis: Crisis, kind: str, actor: Actor, post: Post | None = None, detail: str = "") -> CrisisEvent:
    return CrisisEvent.objects.create(
        crisis=crisis, kind=kind, post=post, actor=actor.user, actor_label=_label(actor), detail=detail,
        at=timezone.now(),
    )  # fmt: skip


def _require_scope(actor: Actor, markets: Sequence[Market], channels: Sequence[Channel]) -> None:
    if not markets and not channels:
        actor.require_global(Perm.CRISIS_MANAGE)
        return
    for market in markets:
        actor.require(Perm.CRISIS_MANAGE, market)
    for channel in channels:
        actor.require(Perm.CRISIS_MANAGE, channel.owner_market)


def _scope_q(crisis: Crisis) -> Q:
    markets = list(crisis.markets.all())
    channels = list(crisis.channels.all())
    if not markets and not channels:
        return Q()
    q = Q(channel__in=channels)
    for market in markets:
        q |= Q(market__path__startswith=market.path)
    return q


@transaction.atomic
def crisis_declare(
    *,
    actor: Actor,
    title: str,
    reason: str,
    markets: Sequence[Market] = (),
    channels: Sequence[Channel] = (),
    circuit: ApprovalCircuit | None = None,
) -> tuple[Crisis, list[Post]]:
    """Declare a crisis; every post in scope that could still go out is put on hold in the same transaction."""
    title, reason = " ".join((title or "").split()), (reason or "").strip()
    if not title:
        raise ValidationFailed(_("Give the crisis a short title."), field="title")
    if not reason:
        raise ValidationFailed(_("Say why a crisis is declared: it goes into the report."), field="reason")
    owners = [m.organization_id for m in markets] + [c.organization_id for c in channels]
    owners += [circuit.organization_id] if circuit else []
    if any(owner != actor.organization_id for owner in owners):
        raise ValidationFailed(_("Choose markets, channels and circuits of this organization."))
    _require_scope(actor, markets, channels)
    now = timezone.now()
    crisis = Crisis.objects.create(
        organization=actor.organization, title=title, reason=reason, circuit=circuit, declared_by=actor.user,
        declared_at=now,
    )  # fmt: skip
    crisis.markets.set(markets)
    crisis.channels.set(channels)
    _event(crisis, CrisisEventKind.DECLARED, actor, detail=reason)
    held: list[Post] = []
    posts = (
        Post.objects.select_for_update(of=("self",))
        .filter(_scope_q(crisis), organization=actor.organization, status__in=HOLDABLE)
        .select_related("channel", "market")
        .order_by("scheduled_at", "pk")
    )
    note = _("On hold: crisis “%(title)s”.") % {"title": title}
    for post in posts:
        previous = post.status
        post_transition(post=post, to=S.ON_HOLD, user=actor.user, note=note, held_from=previous)
        _event(crisis, CrisisEventKind.HELD, actor, post=post, detail=str(PostStatus(previous).label))
        held.append(post)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="crisis.declare", target=crisis,
        after={"title": title, "reason": reason, "markets": [m.pk for m in markets],
               "channels": [c.pk for c in channels], "circuit": circuit.pk if circuit else None,
               "held_posts": [p.pk for p in held]},
    )  # fmt: skip
    return crisis, held


def _active(crisis: Crisis) -> Crisis:
    locked = Crisis.objects.select_for_update().get(pk=crisis.pk)
    if locked.status != CrisisStatus.ACTIVE:
        raise ValidationFailed(_("This crisis has ended."), code="crisis_ended")
    return locked


def _held_post(actor: Actor, crisis: Crisis, post: Post) -> Post:
    _require_scope(actor, list(crisis.markets.all()), list(crisis.channels.all()))
    post = workflow.lock(post)
    if post.organization_id != actor.organization_id:
        raise NotFound(_("No such post."))
    if post.status != S.ON_HOLD:
        raise ValidationFailed(
            _("This post is not on hold (it is %(status)s).") % {"status": str(PostStatus(post.status).label).lower()},
            field="status", code="invalid_transition",
        )  # fmt: skip
    return post


@transaction.atomic
def crisis_release(*, actor: Actor, crisis: Crisis, post: Post) -> Post:
    """Let a held post go on as before the hold: to its time if it is still to come, else it needs a new time."""
    crisis = _active(crisis)
    post = _held_post(actor, crisis, post)
    previous: str = post.held_from or S.DRAFT
    target: str
    if previous in (S.SCHEDULED, S.APPROVED, S.NEEDS_NEW_TIME):
        if post.scheduled_at is not None and post.scheduled_at > timezone.now():
            target = S.SCHEDULED
        elif post.scheduled_at is None:
            target = S.IN_REVIEW if previous == S.IN_REVIEW else S.NEEDS_NEW_TIME
        else:
            target = S.NEEDS_NEW_TIME
    else:
        target = previous
    note = _("Released after review during the crisis “%(title)s”.") % {"title": crisis.title}
    if target == S.NEEDS_NEW_TIME:
        note = _("Released during the crisis “%(title)s”; its time has passed: choose a new time.") % {
            "title": crisis.title
        }
    post_transition(post=post, to=target, user=actor.user, note=note, held_from="")
    _event(crisis, CrisisEventKind.RELEASED, actor, post=post, detail=str(PostStatus(target).label))
    return post


@transaction.atomic
def crisis_reschedule(*, actor: Actor, crisis: Crisis, post: Post, scheduled_at: dt.datetime) -> Post:
    """Give a held post a new time (after the usual checks); an approved post is scheduled, one still in review
    goes back to review with that time."""
    crisis = _active(crisis)
    post = _held_post(actor, crisis, post)
    schedule_problems(actor=actor, post=post, scheduled_at=scheduled_at)
    before = snapshot(post, ["scheduled_at", "status"])
    post.scheduled_at = scheduled_at.astimezone(dt.UTC)
    post.save(update_fields=["scheduled_at", "updated_at"])
    previous = post.held_from or S.DRAFT
    target = S.SCHEDULED if previous in (S.SCHEDULED, S.APPROVED, S.NEEDS_NEW_TIME) else previous
    post_transition(post=post, to=target, user=actor.user, held_from="",
                    note=_("Rescheduled during the crisis “%(title)s”.") % {"title": crisis.title})  # fmt: skip
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="post.schedule", target=post, before=before,
        after=snapshot(post, ["scheduled_at", "status"]), market_id=post.market_id,
    )  # fmt: skip
    _event(crisis, CrisisEventKind.RESCHEDULED, actor, post=post, detail=post.scheduled_at.isoformat())
    return post


@transaction.atomic
def crisis_cancel_post(*, actor: Actor, crisis: Crisis, post: Post) -> Post:
    crisis = _active(crisis)
    post = _held_post(actor, crisis, post)
    workflow.close_open_request(post=post, actor=actor, note=_("Cancelled during a crisis."))
    post_transition(post=post, to=S.CANCELLED, user=actor.user, held_from="",
                    note=_("Cancelled during the crisis “%(title)s”.") % {"title": crisis.title})  # fmt: skip
    _event(crisis, CrisisEventKind.CANCELLED, actor, post=post)
    return post


@transaction.atomic
def crisis_end(*, actor: Actor, crisis: Crisis, summary: str = "") -> Crisis:
    """End a crisis. Refused while a post it held is still on hold: each must be released, rescheduled or
    cancelled explicitly."""
    crisis = _active(crisis)
    _require_scope(actor, list(crisis.markets.all()), list(crisis.channels.all()))
    remaining = held_posts(crisis)
    if remaining:
        raise Conflict(
            _("%(n)s post(s) are still on hold: release, reschedule or cancel each of them before ending the crisis.")
            % {"n": len(remaining)},
            code="posts_on_hold",
        )
    crisis.status, crisis.ended_by, crisis.ended_at = CrisisStatus.ENDED, actor.user, timezone.now()
    crisis.summary = (summary or "").strip()
    crisis.save(update_fields=["status", "ended_by", "ended_at", "summary", "updated_at"])
    _event(crisis, CrisisEventKind.ENDED, actor, detail=crisis.summary)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="crisis.end", target=crisis,
        before={"status": CrisisStatus.ACTIVE}, after={"status": CrisisStatus.ENDED, "summary": crisis.summary},
    )  # fmt: skip
    return crisis


@transaction.atomic
def crisis_note(*, actor: Actor, crisis: Crisis, text: str) -> CrisisEvent:
    crisis = _active(crisis)
    _require_scope(actor, list(crisis.markets.all()), list(crisis.channels.all()))
    if not (text or "").strip():
        raise ValidationFailed(_("Write the note."), field="text")
    return _event(crisis, CrisisEventKind.NOTE, actor, detail=text.strip())


# --- Holding statements ---------------------------------------------------------------------------------


@transaction.atomic
def statement_save(
    *,
    actor: Actor,
    title: str,
    language: str,
    text: str,
    dimension: Dimension,
    statement: HoldingStatement | None = None,
) -> HoldingStatement:
    """Write (and thereby pre-approve) a holding statement. Only members approving content at Global may."""
    actor.require_global(Perm.CONTENT_APPROVE)
    title, text = " ".join((title or "").split()), (text or "").strip()
    if not title or not text:
        raise ValidationFailed(_("A holding statement needs a title and a text."), field="text" if title else "title")
    language = normalize_language_tag(language, field="language")
    if dimension.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a dimension of this organization."), field="dimension")
    root = Market.objects.get(organization=actor.organization, parent__isnull=True)
    before = snapshot(statement, ["title", "language", "text"]) if statement else None
    if statement is None:
        if HoldingStatement.objects.filter(organization=actor.organization, title=title, language=language).exists():
            raise Conflict(_("A statement with this title exists in this language already."), field="title")
        statement = HoldingStatement(organization=actor.organization)
    statement.title, statement.language, statement.text, statement.dimension = title, language, text, dimension
    statement.approved_by, statement.approved_at = actor.user, timezone.now()
    if statement.master is None:
        statement.master = MasterContent.objects.create(
            organization=actor.organization, kind=ContentKind.STATEMENT, market=root, dimension=dimension,
            title=title, body=text, source_language=language, created_by=actor.user,
        )  # fmt: skip
    else:
        MasterContent.objects.filter(pk=statement.master.pk).update(title=title, body=text, source_language=language)
    statement.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user,
        action="holding_statement.update" if before else "holding_statement.create", target=statement,
        before=before, after=snapshot(statement, ["title", "language", "text"]),
    )  # fmt: skip
    return statement


@transaction.atomic
def statement_publish(
    *, actor: Actor, crisis: Crisis, statement: HoldingStatement, channels: Sequence[Channel]
) -> list[Post]:
    """Put a pre-approved holding statement out on the given channels within a minute (no review round: it was
    approved when written; the network's limits are still checked)."""
    crisis = _active(crisis)
    if statement.organization_id != actor.organization_id or not statement.is_active:
        raise NotFound(_("No such holding statement."))
    if not channels:
        raise ValidationFailed(_("Choose the channels to publish on."), field="channels")
    assert statement.master is not None
    at = timezone.now() + STATEMENT_DELAY
    posts = []
    for channel in channels:
        if channel.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose channels of this organization."), field="channels")
        if not crisis_covers(crisis, market=channel.owner_market, channel_id=channel.pk):
            raise ValidationFailed(
                _("%(channel)s is outside this crisis's scope.") % {"channel": channel}, field="channels"
            )
        actor.require(Perm.CRISIS_MANAGE, channel.owner_market)
        network_problems(channel=channel, text=statement.text, media=[], link="", first_comment="")
        post = Post.objects.create(
            organization=actor.organization, channel=channel, market=channel.owner_market, master=statement.master,
            text=statement.text, scheduled_at=at, created_by=actor.user,
        )  # fmt: skip
        audit_record(
            organization_id=actor.organization_id, actor=actor.user, action="post.create", target=post,
            after={"channel": channel.pk, "text": statement.text, "statement": statement.pk}, market_id=post.market_id,
        )  # fmt: skip
        approval = _("Pre-approved holding statement “%(title)s” (approved by %(who)s).") % {
            "title": statement.title,
            "who": statement.approved_by or "—",
        }
        post_transition(post=post, to=S.APPROVED, user=actor.user, note=approval)
        post_transition(post=post, to=S.SCHEDULED, user=actor.user, note=approval)
        _event(crisis, CrisisEventKind.STATEMENT, actor, post=post, detail=f"{statement.title} ({statement.language})")
        posts.append(post)
    return posts


# --- What the publishing worker asks -------------------------------------------------------------------


def publication_blocker(post: Post) -> str | None:
    """Why ``post`` must not go out now, or None. Checked by the publishing worker inside its claim: the post
    must be scheduled, and no active crisis may cover it unless the post was explicitly released, rescheduled
    or is a holding statement of that crisis."""
    if post.status != S.SCHEDULED:
        return _("The post is %(status)s, not scheduled.") % {"status": str(PostStatus(post.status).label).lower()}
    for crisis in Crisis.objects.filter(organization_id=post.organization_id, status=CrisisStatus.ACTIVE):
        if not crisis_covers(crisis, market=post.market, channel_id=post.channel_id):
            continue
        cleared = CrisisEvent.objects.filter(
            crisis=crisis,
            post=post,
            kind__in=[CrisisEventKind.RELEASED, CrisisEventKind.RESCHEDULED, CrisisEventKind.STATEMENT],
        ).exists()
        if not cleared:
            return _("The crisis “%(title)s” covers this post.") % {"title": crisis.title}
    return None
