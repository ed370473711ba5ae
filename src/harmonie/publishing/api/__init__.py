"""The publishing REST API, mounted under ``/api/v1/publishing``: publications (scoped like their posts) with their
attempts (the post's and its first comment's), what a person does with one (confirm an unconfirmed publication
with its address, publish again, send its first comment again), and the workers' heartbeats."""

# No "from __future__ import annotations": Ninja reads the parameter types at import time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of
from harmonie.governance.permissions import Perm
from harmonie.publishing import selectors, services
from harmonie.publishing.api.schemas import ConfirmIn, PublicationDetailOut, PublicationOut, WorkersOut
from harmonie.publishing.models import Publication
from harmonie.publishing.states import PublicationStatus

router = Router(tags=["publishing"])


@router.get("/publications", response={200: list[PublicationOut], **ERRORS}, summary="List publications")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def publication_list(
    request: HttpRequest, status: PublicationStatus | None = None, post_id: int | None = None
) -> QuerySet[Publication]:
    """The publications of posts you may see, the latest due first; filter by ``status`` or ``post_id``."""
    return selectors.publication_list(actor=actor_of(request), status=status, post_id=post_id)


@router.get("/publications/{publication_id}", response={200: PublicationDetailOut, **ERRORS},
            summary="A publication and its attempts")  # fmt: skip
def publication_get(request: HttpRequest, publication_id: int) -> Publication:
    """Every call made for it, in order: publish or check (reconcile), by which worker, the outcome, the network's
    message and HTTP status."""
    return selectors.publication_get(actor=actor_of(request), pk=publication_id)


@router.post("/publications/{publication_id}/confirm", response={200: PublicationDetailOut, **ERRORS},
             summary="Confirm an unconfirmed publication")  # fmt: skip
def publication_confirm(request: HttpRequest, publication_id: int, payload: ConfirmIn) -> Publication:
    """You checked the channel and the post is there: give its ``url``. The publication and the post become
    published. Refused with ``invalid_transition`` unless the publication is unconfirmed."""
    actor = actor_of(request)
    publication = selectors.publication_get(actor=actor, pk=publication_id)
    services.publication_confirm(actor=actor, publication=publication, url=payload.url)
    return selectors.publication_get(actor=actor, pk=publication_id)


@router.post("/publications/{publication_id}/publish-again", response={200: PublicationDetailOut, **ERRORS},
             summary="Publish again")  # fmt: skip
def publication_publish_again(request: HttpRequest, publication_id: int) -> Publication:
    """An unconfirmed publication that is not on the channel, or a failed one whose cause is fixed: a worker
    publishes it again at once, with the same idempotency key. Refused with ``invalid_transition`` for other
    statuses, ``post_moved_on`` (409) when the post was rescheduled or published since."""
    actor = actor_of(request)
    publication = selectors.publication_get(actor=actor, pk=publication_id)
    services.publication_publish_again(actor=actor, publication=publication)
    return selectors.publication_get(actor=actor, pk=publication_id)


@router.post("/publications/{publication_id}/first-comment/retry", response={200: PublicationDetailOut, **ERRORS},
             summary="Send the first comment again")  # fmt: skip
def publication_comment_retry(request: HttpRequest, publication_id: int) -> Publication:
    """A published post whose first comment failed (the cause is fixed) or is unconfirmed (it is not under the
    post): a worker sends the first comment again at once, with the same idempotency key; the post itself is never
    sent again. Refused with ``invalid_transition`` unless the first comment failed or is unconfirmed,
    ``post_unknown`` (409) when the post was confirmed by hand (Harmonie cannot reply to it)."""
    actor = actor_of(request)
    publication = selectors.publication_get(actor=actor, pk=publication_id)
    services.publication_comment_retry(actor=actor, publication=publication)
    return selectors.publication_get(actor=actor, pk=publication_id)


@router.get("/workers", response={200: WorkersOut, **ERRORS}, summary="Workers")
def workers(request: HttpRequest) -> dict[str, Any]:
    """The workers that beat within ``stale_after_seconds``: host, process, last beat, publications handled and in
    flight. ``degraded`` with the reason when none does (scheduled posts are not being published)."""
    actor_of(request).require(Perm.CONTENT_VIEW)
    status = selectors.worker_status()
    return {
        "status": "ok" if status.ok else "degraded", "reason": status.reason, "stale_after_seconds": status.stale_after,
        "workers": status.live,
    }  # fmt: skip
