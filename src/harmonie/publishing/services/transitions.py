"""Moving a publication from one status to another: the one place that writes ``Publication.status`` (and, for its
first comment, ``comment_status``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from harmonie.publishing.models import Publication
from harmonie.publishing.states import (
    COMMENT_OWNED,
    OWNED,
    PublicationStatus,
    check_comment_transition,
    check_transition,
)


def publication_transition(*, publication: Publication, to: str, **changes: Any) -> Publication:
    """Move ``publication`` (locked by the caller, inside its transaction) to ``to`` if the state machine allows
    it, with the other ``changes`` in the same write. Leaving a worker's hands clears the claim."""
    check_transition(publication.status, to)
    fields = {"status", "updated_at", *changes}
    publication.status = to
    for name, value in changes.items():
        setattr(publication, name, value)
    if to not in OWNED:
        publication.claimed_by, publication.lease_until = "", None
        fields |= {"claimed_by", "lease_until"}
    publication.save(update_fields=sorted(fields))
    return publication


def publication_move(*, publication: Publication, owner: str, to: str | None = None, **changes: Any) -> bool:
    """Compare-and-set, for the worker that owns ``publication``: one ``UPDATE … WHERE status = <as seen> AND
    claimed_by = <owner>`` that moves it to ``to`` (when given; the state machine must allow it) with ``changes``.
    False when it is no longer as seen (another worker took it over after this one's lease ran out): nothing is
    written. On success the instance reflects the row."""
    if to is not None:
        check_transition(publication.status, to)
        changes["status"] = to
        if to not in OWNED:
            changes["claimed_by"], changes["lease_until"] = "", None
    changes["updated_at"] = timezone.now()
    moved = Publication.objects.filter(pk=publication.pk, status=publication.status, claimed_by=owner).update(**changes)
    if moved:
        for name, value in changes.items():
            setattr(publication, name, value)
    return bool(moved)


def comment_move(*, publication: Publication, owner: str, to: str | None = None, **changes: Any) -> bool:
    """Compare-and-set on a published publication's first comment, for the worker that owns it: one ``UPDATE …
    WHERE status = published AND claimed_by = <owner> AND comment_status = <as seen>`` that moves the comment to
    ``to`` (when given; its table must allow it) with ``changes``. Leaving the worker's hands (published, failed,
    unconfirmed, waiting to retry) clears the claim. False when it is no longer as seen: nothing is written."""
    if to is not None:
        check_comment_transition(publication.comment_status, to)
        changes["comment_status"] = to
        if to not in COMMENT_OWNED:
            changes["claimed_by"], changes["lease_until"] = "", None
    changes["updated_at"] = timezone.now()
    moved = Publication.objects.filter(
        pk=publication.pk,
        status=PublicationStatus.PUBLISHED,
        claimed_by=owner,
        comment_status=publication.comment_status,
    ).update(**changes)
    if moved:
        for name, value in changes.items():
            setattr(publication, name, value)
    return bool(moved)
