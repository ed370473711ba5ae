"""The approvals REST API, mounted under ``/api/v1/approvals``: one module per family.

Endpoints only parse input, call one selector or service, and return a schema; every read goes through the
scoped selectors (an object outside the caller's scope is a 404), every write through a service (which checks
the permission and the four-eyes rule, refuses moves the post state machine does not allow with
``invalid_transition``, and writes the audit row). The external reviewer's two operations authenticate with the
review link's token alone (see :mod:`harmonie.approvals.api.external`).
"""

from __future__ import annotations

from ninja import Router

from harmonie.approvals.api import circuits, crises, external, onevoice, reviews

router = Router()
router.add_router("", reviews.router)  # queue, overdue, submissions, a post's review and moves, notifications
router.add_router("", external.router)  # review links, and the external reviewer's operations
router.add_router("", circuits.router)  # circuits and conditions
router.add_router("/crises", crises.crises)
router.add_router("/statements", crises.statements)
router.add_router("", onevoice.router)  # one-voice reports of localizations and posts

__all__ = ["router"]
