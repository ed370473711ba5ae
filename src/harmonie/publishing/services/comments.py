"""A post's first comment: published as a reply to the post, once the post is out, by the worker that published it.

The first comment (``Post.first_comment``) goes through the network's reply capability (``Replier``: a Bluesky reply
record, a Mastodon reply, a Facebook or Instagram comment, a Threads or X reply, a LinkedIn comment, a YouTube
comment thread) with **its own idempotency key** (``Publication.comment_key``, chosen with the publication's), and
the same care as the post:

* each call has its own attempt row (kinds ``comment`` and ``comment_check``), committed before the call: the
  publication's page and API list them with the post's;
* an unknown outcome is reconciled (the connector's ``reconcile`` asked for the comment's key) before anything is
  sent again; found → published, certainly absent → sent again with the same key, the network cannot tell →
  *unconfirmed*, for a person to check and send again;
* retryable errors wait (``comment_next_attempt_at``, the same backoff as posts) and are picked up by a claim;
  a worker that stops mid-comment loses its claim when its lease ends, and the next owner reconciles first;
* **the post itself is never sent again, and stays published** whatever happens to its comment: the publication
  keeps ``status = published`` and says how the comment went in ``comment_status`` and ``comment_error``
  ("first comment failed: …"), with a way for a person to send it again (``publication_comment_retry``).

While the comment is pending or sending, the publication's ``claimed_by`` and ``lease_until`` say which worker owns
it (leases are renewed with every beat, like those of posts being sent).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.connectors.base import (
    ConnectorError,
    ErrorKind,
    Found,
    PublishRequest,
    PublishResult,
    RemoteRef,
    Replier,
)
from harmonie.publishing import connections
from harmonie.publishing.models import AttemptKind, AttemptOutcome, Publication, PublicationAttempt
from harmonie.publishing.services.blocking import crisis_blocker
from harmonie.publishing.services.transitions import comment_move
from harmonie.publishing.states import CommentStatus

if TYPE_CHECKING:
    from harmonie.connectors.base import Connector
    from harmonie.publishing.services.sending import _Run

log = logging.getLogger(__name__)
A = AttemptOutcome
C = CommentStatus
AUTH = frozenset({ErrorKind.AUTH_EXPIRED, ErrorKind.AUTH_REVOKED})
#: Reply calls one run may make (a refreshed token, a comment found absent after an unknown outcome).
CALLS_PER_RUN = 3


def can_comment(connector: Connector) -> bool:
    """Whether Harmonie can publish a first comment on this network: the connector replies, and the network's
    limits (where they are declared) allow a first comment."""
    limits = connector.limits
    return isinstance(connector, Replier) and (limits is None or limits.first_comment)


def unsupported_reason(connector: Connector) -> str:
    return _("%(network)s has no first comment Harmonie can publish: add it by hand.") % {"network": connector.label}


def comment_request(*, publication: Publication, text: str, language: str) -> PublishRequest:
    """The reply: the first comment's text, its own key, to the published post."""
    first = (
        publication.attempts.filter(kind__in=[AttemptKind.COMMENT, AttemptKind.COMMENT_CHECK])
        .order_by("number")
        .values_list("started_at", flat=True)
        .first()
    )
    return PublishRequest(
        text=text, idempotency_key=publication.comment_key, language=language, first_attempt_at=first,
        reply_to=RemoteRef(publication.remote_id, uri=publication.remote_uri, cid=publication.remote_cid,
                           url=publication.remote_url),
    )  # fmt: skip


class CommentRun:
    """The first comment of one publication, through to an outcome, by the worker that owns it (``run``: the
    publication's run, for its channel, connector and credentials)."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.publication = run.publication
        self.owner = run.worker_id
        self.calls = 0

    @property
    def maybe_sent(self) -> bool:
        """An earlier call's outcome is unknown: the comment may be on the network."""
        return self.publication.comment_must_reconcile

    # --- writing ----------------------------------------------------------------------------------------

    def begin(self, kind: str) -> PublicationAttempt | None:
        """Record the attempt (committed before the call); None when the comment is no longer ours."""
        pub = self.publication
        with transaction.atomic():
            now = timezone.now()
            number = pub.attempt_count + 1
            changes: dict[str, Any] = {"attempt_count": number, "lease_until": now + self.run.policy.lease}
            if kind == AttemptKind.COMMENT:
                changes["comment_must_reconcile"] = True
                changes["comment_tries"] = pub.comment_tries + 1
            to = C.SENDING if pub.comment_status == C.PENDING else None
            if not comment_move(publication=pub, owner=self.owner, to=to, **changes):
                return None
            return PublicationAttempt.objects.create(
                publication=pub, number=number, kind=kind, worker=self.owner, started_at=now
            )

    def conclude(
        self, attempt: PublicationAttempt | None, outcome: str, *, to: str | None, error: ConnectorError | None = None,
        message: str = "", **changes: Any,
    ) -> str:  # fmt: skip
        """Finish the attempt and move the comment, in one transaction. Returns the comment's status ("" when it is
        no longer ours)."""
        with transaction.atomic():
            if attempt is not None:
                attempt.finished_at = timezone.now()
                attempt.outcome = outcome
                attempt.error_kind = str(error.kind) if error is not None else ""
                attempt.message = message or (error.message if error is not None else "")
                attempt.http_status = error.http_status if error is not None else None
                attempt.save(update_fields=["finished_at", "outcome", "error_kind", "message", "http_status"])
            if not comment_move(publication=self.publication, owner=self.owner, to=to, **changes):
                return ""
        return str(self.publication.comment_status)

    def published(self, attempt: PublicationAttempt | None, result: PublishResult, outcome: str) -> str:
        return self.conclude(attempt, outcome, to=C.PUBLISHED, comment_must_reconcile=False,
                             comment_remote_id=result.remote_id, comment_remote_uri=result.uri,
                             comment_url=result.url, comment_error="", comment_next_attempt_at=None)  # fmt: skip

    def failed(self, attempt: PublicationAttempt | None, error: ConnectorError | None, reason: str) -> str:
        note = _("First comment failed: %(reason)s") % {"reason": reason}
        return self.conclude(attempt, A.FAILED, to=C.FAILED, error=error, comment_must_reconcile=False,
                             comment_error=note)  # fmt: skip

    def unconfirmed(self, attempt: PublicationAttempt | None, reason: str, *, outcome: str) -> str:
        note = _(
            "First comment unconfirmed: the network did not say whether it went out (%(reason)s). Check the post, "
            "then send the comment again if it is not there."
        ) % {"reason": reason}
        return self.conclude(attempt, outcome, to=C.UNCONFIRMED, comment_error=note)

    def retry_later(self, attempt: PublicationAttempt | None, error: ConnectorError, *, unknown: bool) -> str:
        pub = self.publication
        if pub.comment_tries >= self.run.policy.max_attempts:
            if unknown:
                return self.unconfirmed(attempt, error.message, outcome=A.RETRY)
            reason = _("not published after %(n)s attempts: %(message)s") % {
                "n": pub.comment_tries,
                "message": error.message,
            }
            return self.failed(attempt, error, reason)
        until = timezone.now() + self.run.policy.backoff(pub.comment_tries, error.retry_after)
        note = _("First comment waiting to retry: %(message)s") % {"message": error.message}
        return self.conclude(attempt, A.RETRY, to=C.RETRY_WAIT, error=error, comment_next_attempt_at=until,
                             comment_must_reconcile=unknown, comment_error=note)  # fmt: skip

    # --- calls --------------------------------------------------------------------------------------------

    def run_alone(self) -> str:
        """A first comment claimed on its own (a retry, or taken over from a worker that stopped)."""
        try:
            self.run.credentials = connections.credentials(channel=self.run.channel, connector=self.run.connector)
        except ConnectorError as exc:
            return self.credentials_failed(exc)
        return self.send(self.run.post.first_comment, self.run.request.language)

    def credentials_failed(self, error: ConnectorError) -> str:
        """The channel's credentials could not be had before any call."""
        if error.kind in AUTH:
            connections.mark_needs_attention(channel=self.run.channel, kind=str(error.kind), message=error.message)
            return self.failed(None, error, error.message)
        if error.retryable:
            return self.retry_later(None, error, unknown=self.publication.comment_must_reconcile)
        return self.failed(None, error, error.message)

    def refresh(self) -> str | None:
        try:
            self.run.credentials = connections.refresh(channel=self.run.channel, connector=self.run.connector)
        except ConnectorError as exc:
            if exc.retryable:
                return self.retry_later(None, exc, unknown=self.publication.comment_must_reconcile)
            connections.mark_needs_attention(channel=self.run.channel, kind=str(ErrorKind.AUTH_REVOKED),
                                             message=exc.message)  # fmt: skip
            return self.failed(None, exc, exc.message)
        self.run.refreshed = True
        return None

    def reconcile(self, request: PublishRequest) -> str | None:
        """Is the comment on the network? None: certainly not (send it again, same key); else how the run ended."""
        while True:
            attempt = self.begin(AttemptKind.COMMENT_CHECK)
            if attempt is None:
                return ""
            assert self.run.credentials is not None
            try:
                found = self.run.publisher.reconcile(self.run.credentials, request)
            except ConnectorError as exc:
                if exc.kind == ErrorKind.AUTH_EXPIRED and not self.run.refreshed:
                    self.conclude(attempt, A.RETRY, to=None, error=exc)
                    if (stop := self.refresh()) is not None:
                        return stop
                    continue
                if exc.retryable:
                    return self.retry_later(attempt, exc, unknown=True)
                return self.unconfirmed(attempt, exc.message, outcome=A.UNDETERMINED)
            except Exception as exc:
                log.exception("publication %s: reconciling its first comment failed", self.publication.pk)
                return self.retry_later(attempt, ConnectorError(ErrorKind.TRANSIENT, repr(exc)), unknown=True)
            if found.found == Found.PUBLISHED and found.result is not None:
                return self.published(attempt, found.result, A.FOUND)
            if found.found == Found.ABSENT:
                self.conclude(attempt, A.ABSENT, to=None, message=found.detail, comment_must_reconcile=False)
                return None
            return self.unconfirmed(attempt, found.detail, outcome=A.UNDETERMINED)

    def send(self, text: str, language: str) -> str:
        """Through to an outcome; returns the comment's status ("" when it is no longer this worker's)."""
        connector = self.run.connector
        if not can_comment(connector):
            return self.failed(None, None, unsupported_reason(connector))
        assert isinstance(connector, Replier)
        if not self.publication.comment_key:  # a publication made before it had a first comment
            key = connector.new_key() if hasattr(connector, "new_key") else ""
            if not key or not comment_move(publication=self.publication, owner=self.owner, comment_key=key):
                return ""
        request = comment_request(publication=self.publication, text=text, language=language)
        while True:
            if self.publication.comment_must_reconcile and (ended := self.reconcile(request)) is not None:
                return ended
            if self.calls >= CALLS_PER_RUN:
                error = ConnectorError(ErrorKind.TRANSIENT, _("Too many calls in one run."))
                return self.retry_later(None, error, unknown=False)
            reason = crisis_blocker(self.run.post)
            if reason is not None:
                return self.failed(None, None, reason)
            attempt = self.begin(AttemptKind.COMMENT)
            if attempt is None:
                return ""
            if request.first_attempt_at is None:  # the first call: the reply's creation time on every try
                request = dataclasses.replace(request, first_attempt_at=attempt.started_at)
            self.calls += 1
            assert self.run.credentials is not None
            try:
                result = connector.reply(self.run.credentials, request.reply_to or RemoteRef(""), request)
            except ConnectorError as exc:
                ended = self.after_error(attempt, exc, request)
                if ended is not None:
                    return ended
                continue
            except Exception as exc:
                log.exception("publication %s: its first comment raised", self.publication.pk)
                self.conclude(attempt, A.UNKNOWN, to=None, message=repr(exc))  # must reconcile stays set
                continue
            return self.published(attempt, result, A.PUBLISHED)

    def after_error(self, attempt: PublicationAttempt, exc: ConnectorError, request: PublishRequest) -> str | None:
        if exc.outcome_unknown:
            self.conclude(attempt, A.UNKNOWN, to=None, error=exc)  # comment_must_reconcile stays set
            return None
        if exc.kind == ErrorKind.AUTH_EXPIRED and not self.run.refreshed:
            self.conclude(attempt, A.RETRY, to=None, error=exc, comment_must_reconcile=False)
            return self.refresh()
        if exc.kind in AUTH:
            connections.mark_needs_attention(channel=self.run.channel, kind=str(exc.kind), message=exc.message)
            return self.failed(attempt, exc, exc.message)
        if exc.kind == ErrorKind.DUPLICATE:
            if exc.remote_id:
                return self.published(attempt, PublishResult(remote_id=exc.remote_id, url=exc.remote_url), A.FOUND)
            self.conclude(attempt, A.UNKNOWN, to=None, error=exc)
            found = self.reconcile(request)
            return found if found is not None else self.unconfirmed(None, exc.message, outcome=A.UNDETERMINED)
        if exc.retryable:
            return self.retry_later(attempt, exc, unknown=False)
        return self.failed(attempt, exc, exc.message)
