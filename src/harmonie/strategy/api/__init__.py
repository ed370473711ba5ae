"""The strategy REST API, mounted under ``/api/v1/strategy``: one module per family.

Endpoints only parse input, call one selector or service, and return a schema; every read goes
through the scoped selectors (an object outside the caller's scope is a 404), every write through
a service (which checks the permission and writes the audit row).
"""

from __future__ import annotations

from ninja import Router

from harmonie.strategy.api import advisor, audiences, brand, cadence, charter, document, objectives

router = Router()
router.add_router("/", objectives.router)  # /policy, /objectives-first/check, /objectives, /kpis, /metrics
router.add_router("/audiences", audiences.router)
router.add_router("/", brand.router)  # /brand, /key-messages, /pillars
router.add_router("/", charter.router)  # /charter-rules, /lint
router.add_router("/", advisor.router)  # /advisor
router.add_router("/", cadence.router)  # /resources, /cadence, /benchmarks, /format-efforts
router.add_router("/", document.router)  # /document

__all__ = ["router"]
