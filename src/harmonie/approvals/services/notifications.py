"""Marking notifications read (a member's own only)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from harmonie.approvals.models import Notification
from harmonie.governance.permissions import Actor


def notifications_mark_read(*, actor: Actor, ids: Sequence[int] | None = None) -> int:
    """Mark the member's notifications read (the given ones, or all). Returns how many changed."""
    qs = Notification.objects.filter(member=actor.member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
