"""The publication state machine: what one publication (one post going to one channel) can be, and the only moves
between those states. One table, read by the services (which refuse anything else with a message naming the
allowed moves), the API, the pages and the tests.

    pending ──claim──▶ claimed ──attempt recorded──▶ sending ──▶ published
       ▲                  │                            │ ├──▶ retry_wait ──claim──▶ claimed
       │                  │                            │ ├──▶ failed
       │                  └──▶ failed / cancelled      │ └──▶ unconfirmed ──person──▶ published / pending / failed
       └───────── a person: publish again ◀────────────┘

``sending → claimed`` is a worker taking over the claim of a worker that stopped mid-call (its lease ran out): the
outcome of that call is unknown, so the new owner reconciles before anything else (``must_reconcile``). Calls
within one run (a reconciliation, publishing again after the network said the post is certainly absent, a retry
after a refreshed token) each add an attempt and leave the status at ``sending``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harmonie.core.errors import ValidationFailed


class PublicationStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting")
    CLAIMED = "claimed", gettext_lazy("Claimed by a worker")
    SENDING = "sending", gettext_lazy("Sending")
    RETRY_WAIT = "retry_wait", gettext_lazy("Waiting to retry")
    PUBLISHED = "published", gettext_lazy("Published")
    FAILED = "failed", gettext_lazy("Failed")
    UNCONFIRMED = "unconfirmed", gettext_lazy("Unconfirmed")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


P = PublicationStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    P.PENDING: frozenset({P.CLAIMED, P.CANCELLED}),
    # claimed → unconfirmed: taken over after a call whose outcome is unknown, and the network cannot be asked
    # (credentials refused, the post can no longer be prepared).
    P.CLAIMED: frozenset({P.SENDING, P.PENDING, P.RETRY_WAIT, P.FAILED, P.UNCONFIRMED, P.CANCELLED}),
    P.SENDING: frozenset({P.CLAIMED, P.PUBLISHED, P.RETRY_WAIT, P.FAILED, P.UNCONFIRMED}),
    P.RETRY_WAIT: frozenset({P.CLAIMED, P.FAILED, P.CANCELLED}),
    P.UNCONFIRMED: frozenset({P.PUBLISHED, P.PENDING, P.FAILED}),
    P.FAILED: frozenset({P.PENDING}),
    P.PUBLISHED: frozenset(),
    P.CANCELLED: frozenset(),
}

#: A worker owns the publication (``claimed_by``, ``lease_until``).
OWNED = frozenset({P.CLAIMED, P.SENDING})
#: Still on its way: at most one such publication per post (a database constraint says so too).
LIVE = frozenset({P.PENDING, P.CLAIMED, P.SENDING, P.RETRY_WAIT, P.UNCONFIRMED, P.PUBLISHED})
#: Waiting for a person.
NEEDS_PERSON = frozenset({P.UNCONFIRMED, P.FAILED})


def allowed_from(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


class CommentStatus(models.TextChoices):
    """Where a publication's first comment (the post's ``first_comment``, published as a reply once the post is out)
    stands. It has its own key, attempts and outcome; whatever happens to it, the post stays published."""

    NONE = "", gettext_lazy("No first comment")
    PENDING = "pending", gettext_lazy("Waiting to be sent")
    SENDING = "sending", gettext_lazy("Sending")
    RETRY_WAIT = "retry_wait", gettext_lazy("Waiting to retry")
    PUBLISHED = "published", gettext_lazy("Published")
    FAILED = "failed", gettext_lazy("Failed")
    UNCONFIRMED = "unconfirmed", gettext_lazy("Unconfirmed")


C = CommentStatus

#: The first comment's moves. ``sending → pending`` is a worker taking over the comment of a worker that stopped
#: mid-call (it reconciles first); ``failed``/``unconfirmed → pending`` is a person asking to send it again.
COMMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    C.NONE: frozenset({C.PENDING, C.FAILED}),
    C.PENDING: frozenset({C.SENDING, C.RETRY_WAIT, C.FAILED, C.UNCONFIRMED}),  # unconfirmed: as claimed → unconfirmed
    C.SENDING: frozenset({C.PUBLISHED, C.RETRY_WAIT, C.FAILED, C.UNCONFIRMED, C.PENDING}),
    C.RETRY_WAIT: frozenset({C.PENDING, C.FAILED}),
    C.FAILED: frozenset({C.PENDING}),
    C.UNCONFIRMED: frozenset({C.PENDING}),
    C.PUBLISHED: frozenset(),
}
#: A worker owns the first comment (the publication's ``claimed_by`` and ``lease_until``, the post being out).
COMMENT_OWNED = frozenset({C.PENDING, C.SENDING})


def check_comment_transition(current: str, target: str) -> None:
    """Raise ``ValidationFailed`` (code ``invalid_transition``) unless the first comment may move so."""
    if target in COMMENT_TRANSITIONS.get(current, frozenset()):
        return
    raise ValidationFailed(
        _("A first comment that is %(current)s cannot become %(target)s.")
        % {
            "current": str(CommentStatus(current).label).lower(),
            "target": str(CommentStatus(target).label).lower(),
        },
        field="comment_status",
        code="invalid_transition",
    )


def check_transition(current: str, target: str) -> None:
    """Raise ``ValidationFailed`` (code ``invalid_transition``) unless ``current → target`` is in the table."""
    if target not in PublicationStatus.values:
        raise ValidationFailed(_("Unknown publication status '%(status)s'.") % {"status": target}, field="status")
    if target in allowed_from(current):
        return
    allowed = sorted(str(PublicationStatus(s).label).lower() for s in allowed_from(current))
    raise ValidationFailed(
        _("A publication that is %(current)s cannot become %(target)s. From %(current)s it can become: %(allowed)s.")
        % {
            "current": str(PublicationStatus(current).label).lower(),
            "target": str(PublicationStatus(target).label).lower(),
            "allowed": ", ".join(allowed) or _("nothing (this status is final)"),
        },
        field="status",
        code="invalid_transition",
    )
