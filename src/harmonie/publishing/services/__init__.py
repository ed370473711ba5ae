"""Every write of the publishing engine. See each module: ``claims`` (who sends what), ``sending`` (one
publication through to its outcome), ``comments`` (a post's first comment), ``outcomes`` (successes written in
batches), ``people`` (confirm, publish again, send a first comment again), ``workers`` (heartbeats),
``throttle`` (budgets and caps shared by all workers), ``blocking`` (what keeps a post off the network),
``transitions`` (the one writer of a publication's status), ``rows`` (one statement for many rows)."""

from harmonie.publishing.services.claims import ClaimResult, claims_release, leases_renew, next_due, publications_claim
from harmonie.publishing.services.people import (
    publication_comment_retry,
    publication_confirm,
    publication_publish_again,
)
from harmonie.publishing.services.sending import Outcome, publication_send, publish_request
from harmonie.publishing.services.transitions import publication_transition
from harmonie.publishing.services.workers import heartbeats_prune, worker_beat, worker_stopped

__all__ = [
    "ClaimResult",
    "Outcome",
    "claims_release",
    "heartbeats_prune",
    "leases_renew",
    "next_due",
    "publication_comment_retry",
    "publication_confirm",
    "publication_publish_again",
    "publication_send",
    "publication_transition",
    "publications_claim",
    "publish_request",
    "worker_beat",
    "worker_stopped",
]
