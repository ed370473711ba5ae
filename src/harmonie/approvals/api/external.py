"""External review links: created by members for some posts (the token shown once), revoked; and the two
operations the external reviewer calls with the token alone, no account.

The reviewer's operations have no session or personal-token authentication (``auth=None``): the secret token in
the path is the credential, so there is no ambient cookie a third-party site could ride on and no CSRF check to
make. Unknown links are 404, revoked ones 403 ``link_revoked``, expired ones 403 ``link_expired``; a post the link
does not cover is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from harmonie.approvals import selectors
from harmonie.approvals.api.schemas import (
    ExternalReviewOut,
    LinkBatchIn,
    LinkCreatedOut,
    LinkIn,
    ReviewIn,
)
from harmonie.approvals.models import ExternalReviewLink
from harmonie.approvals.services import external
from harmonie.content import selectors as content_selectors
from harmonie.content.models import Post
from harmonie.core.api_auth import ERRORS, actor_of
from harmonie.core.errors import NotFound, ValidationFailed
from harmonie.governance.permissions import Actor

router = Router(tags=["external review"])


def _created(link: ExternalReviewLink, token: str, posts: list[Post]) -> dict[str, Any]:
    return {
        "id": link.pk,
        "reviewer_name": link.reviewer_name,
        "reviewer_email": link.reviewer_email,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "last_used_at": link.last_used_at,
        "created_at": link.created_at,
        "post_ids": sorted(p.pk for p in posts),
        "token": token,
        "url": f"/approvals/external/{token}/",
        "api_url": f"/api/v1/approvals/external/{token}",
    }


def _create(actor: Actor, posts: list[Post], payload: LinkIn) -> dict[str, Any]:
    link, token = external.external_link_create(
        actor=actor, posts=posts, reviewer_name=payload.reviewer_name, reviewer_email=payload.reviewer_email,
        days=payload.days,
    )  # fmt: skip
    return _created(link, token, posts)


@router.post(
    "/posts/{post_id}/external-links", response={201: LinkCreatedOut, **ERRORS}, summary="Share a post for review"
)
def link_create(request: HttpRequest, post_id: int, payload: LinkIn) -> Status[dict[str, Any]]:
    """A link for one person outside the organization to view, comment on, approve or reject this post — nothing
    else — for ``days`` (1 to 30). The ``token`` is in this answer only."""
    actor = actor_of(request)
    post = content_selectors.post_get(actor=actor, pk=post_id)
    return Status(201, _create(actor, [post], payload))


@router.post("/external-links", response={201: LinkCreatedOut, **ERRORS}, summary="Share several posts for review")
def link_create_batch(request: HttpRequest, payload: LinkBatchIn) -> Status[dict[str, Any]]:
    """One link for several posts (``post_ids``); any post you cannot see is a 400 on ``post_ids``."""
    actor = actor_of(request)
    wanted = set(payload.post_ids)
    posts = list(content_selectors.post_list(actor=actor).filter(pk__in=wanted).order_by("pk"))
    if len(posts) != len(wanted):
        raise ValidationFailed(_("No such post."), field="post_ids")
    return Status(201, _create(actor, posts, payload))


@router.post("/external-links/{link_id}/revoke", response={204: None, **ERRORS}, summary="Revoke a review link")
def link_revoke(request: HttpRequest, link_id: int) -> Status[None]:
    """The link's creator, or an approver at Global. Revoking twice changes nothing."""
    actor = actor_of(request)
    # Scoped to the organization here; the service checks who may revoke it.
    link = ExternalReviewLink.objects.filter(organization_id=actor.organization_id, pk=link_id).first()
    if link is None:
        raise NotFound(_("No such link."))
    external.external_link_revoke(actor=actor, link=link)
    return Status(204, None)


# --- the external reviewer: the token is the credential ----------------------------------------


def _external_view(link: ExternalReviewLink) -> dict[str, Any]:
    return {
        "reviewer_name": link.reviewer_name,
        "expires_at": link.expires_at,
        "posts": selectors.external_posts(link=link),
    }


@router.get("/external/{token}", auth=None, response={200: ExternalReviewOut, **ERRORS}, summary="External: my posts")
def external_get(request: HttpRequest, token: str) -> dict[str, Any]:
    """No account: the token is the credential. The posts the link covers, and nothing else."""
    return _external_view(external.link_for_token(token))


@router.post(
    "/external/{token}/posts/{post_id}",
    auth=None,
    response={200: ExternalReviewOut, **ERRORS},
    summary="External: review a post",
)
def external_review(request: HttpRequest, token: str, post_id: int, payload: ReviewIn) -> dict[str, Any]:
    """``comment`` at any time; ``approve``, ``request_changes`` or ``reject`` when the post's current step is the
    external one (else 400 ``not_your_step``)."""
    external.external_review(token=token, post_id=post_id, verb=payload.verb.value, comment=payload.comment)
    return _external_view(external.link_for_token(token))
