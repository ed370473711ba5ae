"""The governance REST API: one Ninja router per resource, mounted under ``/api/v1/``.

Endpoints only parse input, call one selector or service, and return a schema; every read goes
through the scoped selectors (an object outside the caller's scope is a 404), every write through
a service (which checks the permission and writes the audit row).
"""

from __future__ import annotations

from ninja import Router

from harmonie.governance.api import channels, markets, matrix, members

router = Router()
router.add_router("/markets", markets.markets)
router.add_router("/teams", markets.teams)
router.add_router("/members", members.members)
router.add_router("/invitations", members.invitations)
router.add_router("/dimensions", matrix.dimensions)
router.add_router("/governance", matrix.governance)
router.add_router("/channels", channels.channels)
router.add_router("/budgets", channels.budgets)
router.add_router("/audit", channels.audit)

__all__ = ["router"]
