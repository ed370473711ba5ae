"""What every page shows of approvals: unread notifications, the member's review queue size, active crises."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harmonie.approvals import selectors
from harmonie.governance.permissions import Perm


def approvals(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.can(Perm.CONTENT_VIEW):
        return {}
    return {
        "unread_notifications": selectors.unread_count(actor=actor),
        "review_queue_size": selectors.review_queue_size(actor=actor),
        "active_crises": selectors.active_crises(actor=actor),
    }
