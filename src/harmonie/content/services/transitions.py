"""Moving a post from one status to another: the one place that writes ``Post.status``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harmonie.content.models import Post
from harmonie.content.states import PostStatus, check_transition
from harmonie.core.audit import audit_record

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
