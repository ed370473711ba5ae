"""The post state machine: every status a post can have and the only transitions allowed between them.

One table, read by the services (which refuse anything else with a message naming the allowed moves),
the API (``GET /v1/approvals/post-states``), the docs and the tests. Who may make a move, and when, is the
services' business (approvals, crisis, publishing); this module only says which moves exist.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from harmonie.core.errors import ValidationFailed


class PostStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    IN_REVIEW = "in_review", gettext_lazy("In review")
    CHANGES_REQUESTED = "changes_requested", gettext_lazy("Changes requested")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")
    NEEDS_NEW_TIME = "needs_new_time", gettext_lazy("Needs a new time")
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    PUBLISHING = "publishing", pgettext_lazy("post status", "Publishing")  # not the "Publishing" menu section
    PUBLISHED = "published", gettext_lazy("Published")
    FAILED = "failed", gettext_lazy("Failed")
    UNCONFIRMED = "unconfirmed", gettext_lazy("Unconfirmed")
    ON_HOLD = "on_hold", gettext_lazy("On hold (crisis)")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


S = PostStatus

# from -> the statuses it may move to. Anything absent is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW, S.APPROVED, S.ON_HOLD, S.CANCELLED}),
    S.IN_REVIEW: frozenset({S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED, S.DRAFT, S.IN_REVIEW, S.ON_HOLD, S.CANCELLED}),
    S.CHANGES_REQUESTED: frozenset({S.IN_REVIEW, S.DRAFT, S.ON_HOLD, S.CANCELLED}),
    S.APPROVED: frozenset({S.SCHEDULED, S.NEEDS_NEW_TIME, S.IN_REVIEW, S.DRAFT, S.ON_HOLD, S.CANCELLED}),
    S.REJECTED: frozenset({S.DRAFT, S.CANCELLED}),
    S.NEEDS_NEW_TIME: frozenset({S.SCHEDULED, S.IN_REVIEW, S.DRAFT, S.ON_HOLD, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.PUBLISHING, S.NEEDS_NEW_TIME, S.IN_REVIEW, S.DRAFT, S.ON_HOLD, S.CANCELLED}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED, S.UNCONFIRMED}),
    S.PUBLISHED: frozenset(),
    S.FAILED: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED}),
    S.UNCONFIRMED: frozenset({S.PUBLISHED, S.FAILED}),
    S.ON_HOLD: frozenset({S.SCHEDULED, S.NEEDS_NEW_TIME, S.IN_REVIEW, S.DRAFT, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}

# Statuses whose text may still be edited (an edit after approval withdraws the approvals).
EDITABLE = frozenset({S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.NEEDS_NEW_TIME, S.SCHEDULED, S.FAILED})
# Statuses a crisis puts on hold when the post is in its scope.
HOLDABLE = frozenset({S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.SCHEDULED, S.NEEDS_NEW_TIME})
# Statuses that count as "going out" on the calendar.
PLANNED = frozenset({S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.UNCONFIRMED})
# Statuses whose review is still open or done: the calendar shows them with their badge.
ACTIVE = frozenset(PostStatus.values) - {S.CANCELLED, S.REJECTED}


def allowed_from(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def check_transition(current: str, target: str) -> None:
    """Raise ``ValidationFailed`` (code ``invalid_transition``) unless ``current → target`` is in the table."""
    if target not in PostStatus.values:
        raise ValidationFailed(_("Unknown post status '%(status)s'.") % {"status": target}, field="status")
    if target in allowed_from(current):
        return
    allowed = sorted(str(PostStatus(s).label) for s in allowed_from(current))
    raise ValidationFailed(
        _("A post that is %(current)s cannot become %(target)s. From %(current)s it can become: %(allowed)s.")
        % {
            "current": str(PostStatus(current).label).lower(),
            "target": str(PostStatus(target).label).lower(),
            "allowed": ", ".join(a.lower() for a in allowed) or _("nothing (this status is final)"),
        },
        field="status",
        code="invalid_transition",
    )
