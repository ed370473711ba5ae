"""Moving a post from one status to another: the one place that writes ``Post.status``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from harmonie.content.models import Post
from harmonie.content.states import PostStatus, check_transition
from harmonie.core.audit import AuditRow, audit_record, audit_record_many

if TYPE_CHECKING:
    from harmonie.accounts.models import User


def post_transition(*, post: Post, to: str, user: User | None, note: str = "", held_from: str | None = None) -> Post:
    """Move ``post`` (locked by the caller, inside its transaction) to ``to`` if the state machine allows it,
    and record the move in the audit log with the reason (``note``)."""
    check_transition(post.status, to)
    before = {"status": post.status, "status_note": post.status_note}
    post.status = to
    post.status_note = note
    fields = ["status", "status_note", "updated_at"]
    if held_from is not None:
        post.held_from = held_from
        fields.append("held_from")
    post.save(update_fields=fields)
    audit_record(
        organization_id=post.organization_id, actor=user, action="post.transition", target=post, before=before,
        after={"status": to, "status_note": note}, market_id=post.market_id,
        target_label=f"{post.channel} · {PostStatus(to).label}",
    )  # fmt: skip
    return post


def post_transition_many(*, posts: Sequence[Post], to: str, user: User | None, note: str = "") -> list[Post]:
    """:func:`post_transition` for a batch (the publishing worker moves posts by the dozen): every post (locked by
    the caller, inside its transaction, each with its ``channel`` loaded) must be allowed to move to ``to``; one
    ``UPDATE`` moves them all, with the same ``note``, and one insert writes their audit rows, the same rows
    :func:`post_transition` would have written one by one."""
    if not posts:
        return []
    for post in posts:
        check_transition(post.status, to)
    now = timezone.now()
    rows = [
        AuditRow(
            organization_id=post.organization_id, actor=user, action="post.transition", target=post,
            before={"status": post.status, "status_note": post.status_note}, after={"status": to, "status_note": note},
            market_id=post.market_id, target_label=f"{post.channel} · {PostStatus(to).label}",
        )
        for post in posts
    ]  # fmt: skip
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(status=to, status_note=note, updated_at=now)
    for post in posts:
        post.status, post.status_note, post.updated_at = to, note, now
    audit_record_many(rows=rows)
    return list(posts)
