"""External review links: one person outside the organization, some posts, a few days, review only."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.models import ExternalReviewLink
from harmonie.approvals.services import workflow
from harmonie.content.models import Post
from harmonie.core.audit import audit_record
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.governance.permissions import Actor, Perm

MAX_DAYS = 30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def external_link_create(
    *, actor: Actor, posts: Sequence[Post], reviewer_name: str, reviewer_email: str = "", days: int = 7
) -> tuple[ExternalReviewLink, str]:
    """A link for one external reviewer to the given posts. Returns the link and its token, shown once."""
    reviewer_name = " ".join((reviewer_name or "").split())
    if not reviewer_name:
        raise ValidationFailed(_("Give the reviewer's name."), field="reviewer_name")
    if not posts:
        raise ValidationFailed(_("Choose at least one post to review."), field="posts")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(_("A review link lasts 1 to %(max)s days.") % {"max": MAX_DAYS}, field="days")
    for post in posts:
        if post.organization_id != actor.organization_id:
            raise NotFound(_("No such post."))
        if not (actor.can(Perm.CONTENT_APPROVE, post.market) or actor.can(Perm.CONTENT_CREATE, post.market)):
            raise NotPermitted(_("You may not share posts of %(market)s for review.") % {"market": post.market.name})
    token = secrets.token_urlsafe(32)
    link = ExternalReviewLink.objects.create(
        organization=actor.organization, token_hash=token_hash(token), reviewer_name=reviewer_name,
        reviewer_email=reviewer_email.strip(), expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=actor.user,
    )  # fmt: skip
    link.posts.set(posts)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="external_link.create", target=link,
        after={"reviewer": reviewer_name, "email": link.reviewer_email, "posts": sorted(p.pk for p in posts),
               "expires_at": link.expires_at},
    )  # fmt: skip
    return link, token


@transaction.atomic
def external_link_revoke(*, actor: Actor, link: ExternalReviewLink) -> ExternalReviewLink:
    if link.organization_id != actor.organization_id:
        raise NotFound(_("No such link."))
    if not (actor.user.pk == link.created_by_id or actor.can_globally(Perm.CONTENT_APPROVE)):
        raise NotPermitted(_("Only the link's creator or an approver at Global may revoke it."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            organization_id=actor.organization_id, actor=actor.user, action="external_link.revoke", target=link,
            after={"revoked_at": link.revoked_at},
        )  # fmt: skip
    return link


def link_for_token(token: str) -> ExternalReviewLink:
    """The live link for ``token``; an unknown, revoked or expired link is refused with the reason."""
    link = ExternalReviewLink.objects.filter(token_hash=token_hash(token or "")).first()
    if link is None:
        raise NotFound(_("This review link is not valid. Ask the person who sent it for a new one."))
    if link.revoked_at is not None:
        raise NotPermitted(_("This review link was revoked. Ask the person who sent it for a new one."),
                           code="link_revoked")  # fmt: skip
    if link.expires_at <= timezone.now():
        raise NotPermitted(_("This review link has expired. Ask the person who sent it for a new one."),
                           code="link_expired")  # fmt: skip
    return link


def link_post(link: ExternalReviewLink, post_id: int) -> Post:
    """A post the link covers; any other post is not found (the link is single-purpose)."""
    post = link.posts.select_related("channel", "market", "master").filter(pk=post_id).first()
    if post is None:
        raise NotFound(_("This review link does not cover that post."))
    return post


@transaction.atomic
def external_review(*, token: str, post_id: int, verb: str, comment: str = "") -> Post:
    link = ExternalReviewLink.objects.select_for_update().get(pk=link_for_token(token).pk)
    post = workflow.lock(link_post(link, post_id))
    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at", "updated_at"])
    return workflow.external_review_locked(link=link, post=post, verb=verb, comment=comment)
