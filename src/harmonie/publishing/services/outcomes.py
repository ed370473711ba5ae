"""Recording successful publications, in batches.

A worker publishing a burst of posts finishes dozens of calls a second. Writing each outcome in its own transaction
(finish the attempt, move the publication, move the post, write the post's audit row) cost more than the call
itself, and on SQLite every one of those transactions queued for the single write lock. So a worker hands its
successes to a :class:`Recorder`, and a thread of its own writes them every few tens of milliseconds, all of a
batch in one transaction and a handful of statements (:func:`publications_record_published`).

What makes this safe is the attempt row committed before the call: until the batch is written, each publication is
``sending`` with ``must_reconcile`` set and its attempt open. A worker killed with successes still in memory loses
nothing: whoever takes those publications over when their lease ends reconciles first, finds the posts on the
network, and records them as published. The leases of what waits in the recorder are renewed with every beat, like
those of the calls in flight.

Everything else (retries, failures, unconfirmed outcomes, a post that has a first comment to send) is written at
once by the sending thread: those are rare, and a person may be waiting for them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.connectors.base import PublishResult
from harmonie.content.models import Post
from harmonie.content.services.transitions import post_transition_many
from harmonie.content.states import PostStatus
from harmonie.publishing.models import AttemptOutcome, Publication, PublicationAttempt
from harmonie.publishing.services.rows import update_each
from harmonie.publishing.states import CommentStatus, PublicationStatus, check_comment_transition, check_transition

log = logging.getLogger(__name__)
P = PublicationStatus
S = PostStatus
POST_FIELDS = ("status", "status_note", "updated_at")


@dataclass
class Published:
    """One publication the network took (or was found on it), waiting to be recorded. ``comment_lease``: the post
    has a first comment to send next, by this worker, which keeps the publication until then."""

    publication: Publication
    post: Post
    attempt: PublicationAttempt | None
    result: PublishResult
    outcome: str  # the attempt's: published, or found (reconciled, or a duplicate naming the post)
    error_kind: str = ""
    message: str = ""
    http_status: int | None = None
    comment_lease: dt.datetime | None = None
    finished_at: dt.datetime = field(default_factory=timezone.now)


def _values(item: Published, worker_id: str) -> dict[str, Any]:
    """What each publication gets of its own (the rest is the same for the whole batch)."""
    result = item.result
    values: dict[str, Any] = {
        "remote_id": result.remote_id, "remote_uri": result.uri, "remote_cid": result.cid, "remote_url": result.url,
        "published_at": result.published_at or item.finished_at, "claimed_by": "", "lease_until": None,
        "comment_status": item.publication.comment_status,
    }  # fmt: skip
    if item.comment_lease is not None:  # still this worker's, for the first comment
        check_comment_transition(item.publication.comment_status, CommentStatus.PENDING)
        values.update(claimed_by=worker_id, lease_until=item.comment_lease, comment_status=CommentStatus.PENDING)
    return values


def publications_record_published(*, worker_id: str, items: Sequence[Published]) -> set[int]:
    """Record ``items`` as published, in one transaction: their attempts finished, their publications published (a
    compare-and-set: only those still ``sending`` and owned by ``worker_id``), their posts published (one update
    and one insert of audit rows). Returns the ids of the publications recorded; the others were taken over by
    another worker after this one's lease ran out (only their attempt's outcome is written). On an error nothing is
    written and the instances are as they were, so that the batch can be tried again."""
    if not items:
        return set()
    saved = [({f: getattr(i.post, f) for f in POST_FIELDS}, i) for i in items]
    try:
        with transaction.atomic():
            now = timezone.now()
            seen = {i.publication.pk: i.publication.status for i in items}
            rows = (
                Publication.objects.select_for_update().filter(pk__in=list(seen), claimed_by=worker_id).order_by("pk")
            )
            owned = {pk for pk, status in rows.values_list("pk", "status") if status == seen[pk] == P.SENDING}
            finished = {
                i.attempt.pk: {"finished_at": i.finished_at, "outcome": i.outcome, "error_kind": i.error_kind,
                               "message": i.message, "http_status": i.http_status}
                for i in items
                if i.attempt is not None
            }  # fmt: skip
            update_each(PublicationAttempt, finished)
            check_transition(P.SENDING, P.PUBLISHED)
            mine = [i for i in items if i.publication.pk in owned]
            values = {i.publication.pk: _values(i, worker_id) for i in mine}
            constant = {"status": P.PUBLISHED, "must_reconcile": False, "last_error_kind": "", "last_error": "",
                        "updated_at": now}  # fmt: skip
            # The compare-and-set again in the update itself: only rows still owned, still sending.
            update_each(Publication, values, same=constant, where={"claimed_by": worker_id, "status": P.SENDING})
            post_transition_many(posts=[i.post for i in mine if i.post.status != S.PUBLISHED], to=S.PUBLISHED,
                                 user=None)  # fmt: skip
    except BaseException:
        for fields, item in saved:
            for name, value in fields.items():
                setattr(item.post, name, value)
        raise
    for item in mine:
        for name, value in [*values[item.publication.pk].items(), *constant.items()]:
            setattr(item.publication, name, value)
    for item in items:
        if item.attempt is not None:
            item.attempt.finished_at, item.attempt.outcome = item.finished_at, item.outcome
            item.attempt.error_kind, item.attempt.message = item.error_kind, item.message
            item.attempt.http_status = item.http_status
    return owned


class Recorder:
    """Successes waiting to be written by the worker's recording thread (thread-safe). ``ready`` is set when a
    batch is full, so that the thread writes it without waiting for its interval."""

    def __init__(self, *, worker_id: str, max_batch: int = 200) -> None:
        self.worker_id = worker_id
        self.max_batch = max_batch
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._items: list[Published] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def add(self, item: Published) -> None:
        with self._lock:
            self._items.append(item)
            full = len(self._items) >= self.max_batch
        if full:
            self.ready.set()

    def flush(self) -> list[tuple[Published, bool]]:
        """Write what waits (at most ``max_batch`` at a time, oldest first): each item with whether it was recorded
        as published. On an error the items go back to wait for the next flush, and the error is raised."""
        with self._lock:
            batch, self._items = self._items[: self.max_batch], self._items[self.max_batch :]
            if not self._items:
                self.ready.clear()
        if not batch:
            return []
        try:
            owned = publications_record_published(worker_id=self.worker_id, items=batch)
        except Exception:
            log.exception("worker %s: could not record %d published posts together", self.worker_id, len(batch))
            return self._one_by_one(batch)
        except BaseException:
            with self._lock:
                self._items[:0] = batch
            raise
        return [(item, item.publication.pk in owned) for item in batch]

    def _one_by_one(self, batch: list[Published]) -> list[tuple[Published, bool]]:
        """After a batch failed: each item on its own, so that one that cannot be written (a poison row) does not
        hold back the others. An item that still fails is given up (:func:`_give_up`): a worker takes it over and
        reconciles it. When even that fails (the database is away), what is left goes back to wait, and the error
        is raised for the recorder thread to try again later."""
        out: list[tuple[Published, bool]] = []
        for index, item in enumerate(batch):
            try:
                owned = publications_record_published(worker_id=self.worker_id, items=[item])
                out.append((item, item.publication.pk in owned))
                continue
            except Exception as exc:
                log.exception("worker %s: could not record publication %s", self.worker_id, item.publication.pk)
                error = exc
            try:
                _give_up(item, self.worker_id, error)
            except BaseException:
                with self._lock:
                    self._items[:0] = batch[index:]
                raise
            out.append((item, False))
        return out


def _give_up(item: Published, worker_id: str, error: Exception) -> None:
    """A success this worker cannot write: its attempt ends "outcome unknown" with why, and the publication is let
    go (no owner, lease ended, still ``sending`` with ``must_reconcile``), so that the next claim takes it over and
    asks the network, which finds it."""
    now = timezone.now()
    message = _("The network took it, but the worker %(worker)s could not record it (%(error)s): checked again.") % {
        "worker": worker_id,
        "error": type(error).__name__,
    }
    with transaction.atomic():
        PublicationAttempt.objects.filter(
            publication_id=item.publication.pk, worker=worker_id, finished_at__isnull=True
        ).update(finished_at=now, outcome=AttemptOutcome.UNKNOWN, message=message)
        Publication.objects.filter(pk=item.publication.pk, claimed_by=worker_id, status=P.SENDING).update(
            claimed_by="", lease_until=now, must_reconcile=True, updated_at=now
        )
