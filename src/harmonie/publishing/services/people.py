"""What people do with publications: confirm an unconfirmed one (it is there, at this address), publish again (it
is not there, or it failed and the cause is fixed), send a post's first comment again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.content.models import Post
from harmonie.content.services.transitions import post_transition
from harmonie.content.states import PostStatus
from harmonie.core.audit import audit_record
from harmonie.core.errors import Conflict, NotFound, ValidationFailed
from harmonie.governance.permissions import Actor, Perm
from harmonie.publishing.models import Publication
from harmonie.publishing.services.transitions import publication_transition
from harmonie.publishing.states import CommentStatus, PublicationStatus, check_comment_transition

P = PublicationStatus
C = CommentStatus
S = PostStatus


def _who(actor: Actor) -> str:
    return str(actor.user.get_full_name() or actor.user.email)


def _lock(actor: Actor, publication: Publication) -> tuple[Post, Publication]:
    """The post, then the publication, locked (the order every writer follows), once the actor may act on them."""
    if publication.organization_id != actor.organization_id:
        raise NotFound(_("No such publication."))
    post = Post.objects.select_for_update(of=("self",)).select_related("market", "channel").get(pk=publication.post_id)
    if not actor.can(Perm.CONTENT_VIEW, post.market):
        raise NotFound(_("No such publication."))
    actor.require(Perm.CONTENT_CREATE, post.market)
    return post, Publication.objects.select_for_update().get(pk=publication.pk)


def _status_label(status: str) -> str:
    return str(PublicationStatus(status).label).lower()


@transaction.atomic
def publication_confirm(*, actor: Actor, publication: Publication, url: str) -> Publication:
    """Someone checked the channel: the post is there, at ``url``. The publication and the post are published."""
    post, pub = _lock(actor, publication)
    if pub.status != P.UNCONFIRMED:
        raise ValidationFailed(
            _("Only an unconfirmed publication can be confirmed; this one is %(status)s.")
            % {"status": _status_label(pub.status)},
            field="status", code="invalid_transition",
        )  # fmt: skip
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed(
            _("Give the address of the post on the network (it starts with https://)."), field="url"
        ) from None
    before = {"status": pub.status, "remote_url": pub.remote_url}
    comment: dict[str, str] = {}
    if post.first_comment.strip() and pub.comment_status == C.NONE:  # no id to reply to: a person adds it
        check_comment_transition(pub.comment_status, C.FAILED)
        comment = {"comment_status": C.FAILED, "comment_error": _(
            "First comment not published: the post was confirmed by hand, so Harmonie cannot reply to it. Add the "
            "first comment by hand."
        )}  # fmt: skip
    publication_transition(publication=pub, to=P.PUBLISHED, remote_url=url, published_at=timezone.now(),
                           confirmed_by=actor.user, must_reconcile=False, **comment)  # fmt: skip
    post_transition(post=post, to=S.PUBLISHED, user=actor.user,
                    note=_("Confirmed published by %(who)s: %(url)s") % {"who": _who(actor), "url": url})  # fmt: skip
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="publication.confirm", target=pub,
        before=before, after={"status": pub.status, "remote_url": url}, market_id=post.market_id,
        target_label=f"{post.channel} · {post.pk}",
    )  # fmt: skip
    return pub


@transaction.atomic
def publication_publish_again(*, actor: Actor, publication: Publication) -> Publication:
    """Someone checked the channel and the post is not there (unconfirmed), or the cause of a failure is fixed
    (a reconnected channel, an edited post): publish it again at once, with the same idempotency key, so that a
    network that did get it the first time recognises it."""
    post, pub = _lock(actor, publication)
    if pub.status not in (P.UNCONFIRMED, P.FAILED):
        raise ValidationFailed(
            _("Only an unconfirmed or failed publication can be published again; this one is %(status)s.")
            % {"status": _status_label(pub.status)},
            field="status", code="invalid_transition",
        )  # fmt: skip
    expected = S.UNCONFIRMED if pub.status == P.UNCONFIRMED else S.FAILED
    other = Publication.objects.filter(post=post).exclude(pk=pub.pk).exclude(status__in=[P.FAILED, P.CANCELLED])
    if post.status != expected or other.exists():
        raise Conflict(
            _("This post has moved on since (it is %(status)s): open the post to see where it stands.")
            % {"status": str(PostStatus(post.status).label).lower()},
            code="post_moved_on",
        )  # fmt: skip
    before = {"status": pub.status, "post_status": post.status}
    publication_transition(publication=pub, to=P.PENDING, next_attempt_at=None, must_reconcile=False)
    note = _("Publish again, asked by %(who)s.") % {"who": _who(actor)}
    if post.status == S.UNCONFIRMED:
        post_transition(post=post, to=S.FAILED, user=actor.user, note=note)
    post_transition(post=post, to=S.SCHEDULED, user=actor.user, note=note)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="publication.publish_again", target=pub,
        before=before, after={"status": pub.status, "post_status": post.status}, market_id=post.market_id,
        target_label=f"{post.channel} · {post.pk}",
    )  # fmt: skip
    return pub


@transaction.atomic
def publication_comment_retry(*, actor: Actor, publication: Publication) -> Publication:
    """Someone looked at a published post whose first comment failed (the cause is fixed) or is unconfirmed (it is
    not under the post): a worker sends the first comment again at once, with the same key, so that a network that
    did get it the first time recognises it. The post itself is never sent again."""
    post, pub = _lock(actor, publication)
    if pub.status != P.PUBLISHED or pub.comment_status not in (C.FAILED, C.UNCONFIRMED):
        raise ValidationFailed(
            _("Only a first comment that failed or is unconfirmed can be sent again; this one is %(status)s.")
            % {"status": str(CommentStatus(pub.comment_status).label).lower()},
            field="comment_status", code="invalid_transition",
        )  # fmt: skip
    if not pub.remote_id:
        raise Conflict(
            _("Harmonie does not know this post's address on the network (it was confirmed by hand): add the first "
              "comment by hand."),
            code="post_unknown",
        )  # fmt: skip
    before = {"comment_status": pub.comment_status, "comment_error": pub.comment_error}
    check_comment_transition(pub.comment_status, C.PENDING)
    now = timezone.now()
    pub.comment_status, pub.claimed_by, pub.lease_until = C.PENDING, "", now
    pub.comment_next_attempt_at, pub.comment_must_reconcile, pub.comment_tries = None, False, 0
    pub.save(update_fields=["comment_status", "claimed_by", "lease_until", "comment_next_attempt_at",
                            "comment_must_reconcile", "comment_tries", "updated_at"])  # fmt: skip
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="publication.comment_retry", target=pub,
        before=before, after={"comment_status": pub.comment_status}, market_id=post.market_id,
        target_label=f"{post.channel} · {post.pk}",
    )  # fmt: skip
    return pub
