"""The content REST API, mounted under ``/api/v1/content``: one module per family.

Endpoints only parse input, call one selector or service, and return a schema; every read goes through the
scoped selectors (an object outside the caller's scope is a 404), every write through a service (which checks
the permission and the governance matrix, and writes the audit row).
"""

from __future__ import annotations

from ninja import Router

from harmonie.content.api import campaigns, masters, media, posts

router = Router()
router.add_router("/campaigns", campaigns.router)
router.add_router("/masters", masters.masters)  # master and local content, and each master's localizations
router.add_router("/localizations", masters.localizations)
router.add_router("/posts", posts.router)
router.add_router("/media", media.router)

__all__ = ["router"]
