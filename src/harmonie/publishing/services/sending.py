"""Sending one claimed publication: build the request from the post, call the connector, act on the outcome.

Every call to the network is preceded by a committed :class:`PublicationAttempt` row and by
``must_reconcile = True`` on the publication: if the worker dies during the call, whoever takes the publication
over knows that the outcome is unknown. Outcomes:

* published → the publication keeps the remote id, URI, CID and URL; the post is ``published``;
* ``rate_limited`` / ``transient`` → ``retry_wait`` with exponential backoff and jitter (or the network's
  ``retry_after``, which also pauses the whole account), up to ``Policy.max_attempts``, then failed;
* ``auth_expired`` → the connections service refreshes the token (under its per-account lock), then one more try;
  ``auth_revoked`` (or a refused refresh) → the channel is marked *needs attention*, the publication and the post
  fail with "reconnect the channel";
* ``duplicate`` → published when the network names the existing post, else reconciled, else unconfirmed;
* ``validation`` / ``policy`` / ``media_processing`` → failed, with the network's message on the post;
* outcome unknown (``outcome_unknown``, any exception during the call, a worker lost mid-call) → never sent again
  blindly: ``reconcile`` first. Found → published; certainly absent → published again with the same key;
  the network cannot tell → ``unconfirmed``, for a person to confirm (with the URL) or to publish again.

The first publish attempt of a new publication is recorded by the claim (``services/claims.py``), in the same
transaction that creates the publication: the sender checks once more that no crisis covers the post (a read) and
makes the call. Later calls (a reconciliation, a retry, publishing again after the post was found absent) each
record their attempt first, in a short transaction of their own (``begin``).

The post's moves (publishing, published, failed, unconfirmed) are audited by ``post_transition``, with the reason;
the publication's own history is its attempts. Successes are written in batches by the worker's recorder
(``services/outcomes.py``); every other outcome in one short transaction with a compare-and-set on the publication
(``publication_move``): a worker whose lease ran out and whose publication was taken over writes nothing but its
attempt's outcome.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.connectors import registry
from harmonie.connectors.base import (
    Connector,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    MediaItem,
    Publisher,
    PublishRequest,
    PublishResult,
)
from harmonie.content.models import MediaAsset, Post
from harmonie.content.services.transitions import post_transition
from harmonie.content.states import PostStatus
from harmonie.governance.models import Channel
from harmonie.publishing import connections
from harmonie.publishing.models import AttemptKind, AttemptOutcome, Publication, PublicationAttempt
from harmonie.publishing.policy import DEFAULT, Policy
from harmonie.publishing.services import throttle
from harmonie.publishing.services.blocking import crisis_blocker
from harmonie.publishing.services.comments import CommentRun
from harmonie.publishing.services.options import publication_options
from harmonie.publishing.services.outcomes import Published, Recorder, publications_record_published
from harmonie.publishing.services.transitions import publication_move
from harmonie.publishing.states import COMMENT_OWNED, OWNED, CommentStatus, PublicationStatus

log = logging.getLogger(__name__)
P = PublicationStatus
S = PostStatus
A = AttemptOutcome
AUTH = frozenset({ErrorKind.AUTH_EXPIRED, ErrorKind.AUTH_REVOKED})
#: Publish calls one run may make (a refreshed token, a post found absent after an unknown outcome).
CALLS_PER_RUN = 3


# --- the request ----------------------------------------------------------------------------------------------


def tagged_link(link: str, utm: dict[str, str]) -> str:
    """The post's link with its UTM parameters added (those already in the link are kept as they are)."""
    if not link or not utm:
        return link
    parts = urlsplit(link)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _v in query}
    query += [(k, v) for k, v in sorted(utm.items()) if k not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _link(post: Post) -> str:
    """The link the post publishes: a first-party short link (counted clicks) when a charter ``utm`` rule requires
    tracked links for its market, network and the link's domain, else the link tagged with the post's UTM
    (``analytics.services.tracking.post_tracked_link``). The same destination keeps the same short link, so a
    retry or a reconciliation sends the same text."""
    from harmonie.analytics.services.tracking import post_tracked_link  # noqa: PLC0415 - analytics builds on publishing

    return post_tracked_link(post=post)


def _language(post: Post) -> str:
    return post.localization.language if post.localization_id and post.localization else post.master.source_language


def _media(post: Post) -> list[MediaAsset]:
    """The post's media in the order they were added (from the claim's prefetch when there is one)."""
    cache: dict[str, Any] = getattr(post, "_prefetched_objects_cache", {})
    if "media" in cache:
        return list(post.media.all())
    return list(post.media.order_by("pk"))


def publish_request(
    *, publication: Publication, post: Post, first_attempt_at: dt.datetime | None = None
) -> PublishRequest:
    """What the connector sends: the post's text, link (with UTM), language, and its media with their alt text
    from the media library, with the publication's idempotency key, and the network's options (``options.py``:
    the channel's settings such as a Pinterest board, public media addresses for Instagram and Threads, the first
    comment). ``first_attempt_at``: when the first attempt started, when the caller knows (otherwise it is read)."""
    media = []
    assets = _media(post)
    for asset in assets:
        with asset.file.open("rb") as handle:
            data = handle.read()
        media.append(
            MediaItem(
                data=data, mime_type=asset.mime_type, alt_text=asset.alt_text, filename=asset.original_name,
                width=asset.width, height=asset.height,
                duration_seconds=float(asset.duration_seconds) if asset.duration_seconds is not None else None,
            )
        )  # fmt: skip
    language = _language(post)
    first = first_attempt_at
    if first is None and publication.attempt_count:
        first = (
            publication.attempts.filter(kind__in=[AttemptKind.PUBLISH, AttemptKind.RECONCILE])
            .order_by("number")
            .values_list("started_at", flat=True)
            .first()
        )
    options = publication_options(publication=publication, post=post, channel=post.channel, media=assets)
    return PublishRequest(
        text=post.text, idempotency_key=publication.idempotency_key, media=tuple(media),
        link=_link(post), title=post.master.title,
        language=language, first_attempt_at=first, options=options,
    )  # fmt: skip


# --- one run ---------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # the publication's status at the end of the run ("" when the claim was lost)
    detail: str = ""
    deferred: bool = False  # published, handed to the worker's recorder: counted when it is written


@dataclass
class _Run:
    publication_id: int
    worker_id: str
    policy: Policy
    publication: Publication
    post: Post
    channel: Channel
    connector: Connector
    publisher: Publisher  # the same connector, as what it does here
    request: PublishRequest
    credentials: Credentials | None = None
    refreshed: bool = False
    calls: int = 0
    notes: list[str] = field(default_factory=list)
    reserved: PublicationAttempt | None = None  # the publish attempt the claim recorded, for the first call
    recorder: Recorder | None = None  # where successes go to be written in batches (None: written at once)
    first_attempt_at: dt.datetime | None = None  # when the claim's attempt started (the first one), if known

    def prepare(self) -> None:
        """The post's request, read now (media files, the tracked link, signed media addresses): inside the run,
        so that a post that cannot be prepared ends with the reason instead of staying claimed. A first comment
        alone needs only the post's language."""
        if self.publication.status == P.PUBLISHED:
            self.request = PublishRequest(text=self.post.text, idempotency_key=self.publication.idempotency_key,
                                          language=_language(self.post))  # fmt: skip
            return
        self.request = publish_request(publication=self.publication, post=self.post,
                                       first_attempt_at=self.first_attempt_at)  # fmt: skip

    def unprepared(self, exc: Exception) -> Outcome:
        """The request could not be built (a media file missing from storage, say): nothing was sent by this run.
        The post fails with the reason for a person to fix (or is unconfirmed, if an earlier call's outcome is
        unknown); a first comment fails the same way, its post staying published."""
        reason = _("Harmonie could not prepare it for sending (%(error)s). Fix it, then publish it again.") % {
            "error": str(exc) or type(exc).__name__
        }
        error = ConnectorError(ErrorKind.VALIDATION, reason)
        if self.publication.status == P.PUBLISHED:
            return Outcome(P.PUBLISHED, CommentRun(self).failed(None, error, reason))
        if self.maybe_sent:
            return self.unconfirmed(None, error, outcome=A.UNDETERMINED, detail=reason)
        return self.failed(None, error, reason)

    @property
    def maybe_sent(self) -> bool:
        """The post may be on the network (an earlier call's outcome is unknown): reconcile before anything else.
        Not while the claim's attempt is still unstarted: ``must_reconcile`` is set from the claim on, so that a
        crash leaves the trace, but this run knows it has not called yet."""
        return self.publication.must_reconcile and self.reserved is None

    # --- writing ----------------------------------------------------------------------------------------

    def begin(self, kind: str) -> PublicationAttempt | None:
        """Record the attempt (committed before the call). None: the claim is no longer ours, or the post must not
        go out any more (then the publication is concluded here)."""
        pub, owner = self.publication, self.worker_id
        with transaction.atomic():
            now = timezone.now()
            if kind == AttemptKind.PUBLISH and not pub.must_reconcile:
                reason = crisis_blocker(self.post)
                if reason is not None:
                    note = _("Not published: %(reason)s Reschedule it when the crisis allows.") % {"reason": reason}
                    if publication_move(publication=pub, owner=owner, to=P.FAILED, last_error_kind="blocked",
                                        last_error=note):  # fmt: skip
                        post_transition(post=self.post, to=S.FAILED, user=None, note=note)
                    return None
            number = pub.attempt_count + 1
            changes: dict[str, Any] = {"attempt_count": number, "lease_until": now + self.policy.lease}
            if kind == AttemptKind.PUBLISH:
                changes["must_reconcile"] = True  # from now until we know, the outcome is unknown
            to = P.SENDING if pub.status == P.CLAIMED else None
            if not publication_move(publication=pub, owner=owner, to=to, **changes):
                return None
            return PublicationAttempt.objects.create(
                publication=pub, number=number, kind=kind, worker=owner, started_at=now
            )

    def start_reserved(self) -> PublicationAttempt | None:
        """The first call of a publication whose attempt the claim recorded: a last look for a crisis declared
        since the claim (a read), and, when the publication waited long in this worker's queue, a check that it is
        still ours. None: it must not go out (concluded here, the attempt "not sent"), or it is no longer ours."""
        attempt, self.reserved = self.reserved, None
        assert attempt is not None
        reason = crisis_blocker(self.post, fresh=False)
        if reason is not None:
            note = _("Not published: %(reason)s Reschedule it when the crisis allows.") % {"reason": reason}
            self.conclude(attempt, A.NOT_SENT, to=P.FAILED, message=note, post_to=S.FAILED, note=note,
                          must_reconcile=False, last_error_kind="blocked", last_error=note)  # fmt: skip
            return None
        pub, now = self.publication, timezone.now()
        waited = pub.lease_until is None or now >= pub.lease_until - self.policy.lease / 2
        if waited and not publication_move(publication=pub, owner=self.worker_id, lease_until=now + self.policy.lease):
            return None
        return attempt

    def conclude(
        self,
        attempt: PublicationAttempt | None,
        outcome: str,
        *,
        to: str | None,
        error: ConnectorError | None = None,
        message: str = "",
        post_to: str | None = None,
        note: str = "",
        **changes: Any,
    ) -> Outcome:
        """Finish the attempt and move the publication (and its post) in one transaction, if still ours. Before the
        call the claim's attempt was recorded for (credentials refused, an internal error), that attempt ends "not
        sent" and nothing is left to reconcile."""
        if attempt is None and self.reserved is not None:
            attempt, self.reserved, outcome = self.reserved, None, A.NOT_SENT
            changes["must_reconcile"] = False
        with transaction.atomic():
            if attempt is not None:
                attempt.finished_at = timezone.now()
                attempt.outcome = outcome
                attempt.error_kind = str(error.kind) if error is not None else ""
                attempt.message = message or (error.message if error is not None else "")
                attempt.http_status = error.http_status if error is not None else None
                attempt.save(update_fields=["finished_at", "outcome", "error_kind", "message", "http_status"])
            if error is not None:
                changes.setdefault("last_error_kind", str(error.kind))
                changes.setdefault("last_error", error.message)
            if not publication_move(publication=self.publication, owner=self.worker_id, to=to, **changes):
                return Outcome("", _("Another worker took this publication over."))
            if post_to is not None and self.post.status != post_to:
                post_transition(post=self.post, to=post_to, user=None, note=note)
            return Outcome(self.publication.status, note)

    # --- outcomes -----------------------------------------------------------------------------------------

    @property
    def wants_comment(self) -> bool:
        """The post has a first comment that this run publishes once the post is out."""
        return bool(self.post.first_comment.strip()) and self.publication.comment_status == CommentStatus.NONE

    def published(
        self,
        attempt: PublicationAttempt | None,
        result: PublishResult,
        outcome: str,
        error: ConnectorError | None = None,
    ) -> Outcome:
        comment = self.wants_comment
        item = Published(
            publication=self.publication, post=self.post, attempt=attempt, result=result, outcome=outcome,
            error_kind=str(error.kind) if error is not None else "", message=error.message if error is not None else "",
            http_status=error.http_status if error is not None else None,
            comment_lease=timezone.now() + self.policy.lease if comment else None,
        )  # fmt: skip
        if self.recorder is not None and not comment:
            self.recorder.add(item)
            return Outcome(P.PUBLISHED, deferred=True)
        if not publications_record_published(worker_id=self.worker_id, items=[item]):
            return Outcome("", _("Another worker took this publication over."))
        if comment:  # the post is out and recorded: now its first comment, by this worker, which still owns it
            comment_status = CommentRun(self).send(self.post.first_comment, self.request.language)
            return Outcome(self.publication.status, str(comment_status))
        return Outcome(self.publication.status)

    def retry_later(
        self, attempt: PublicationAttempt | None, error: ConnectorError, *, unknown: bool = False
    ) -> Outcome:
        """Retryable: wait (the network's retry_after, else backoff), unless the attempts are spent: then failed,
        or unconfirmed when the post may be out there."""
        pub = self.publication
        if pub.attempt_count >= self.policy.max_attempts:
            if unknown:
                return self.unconfirmed(attempt, error, outcome=A.RETRY)
            note = _("Not published after %(n)s attempts: %(message)s") % {
                "n": pub.attempt_count,
                "message": error.message,
            }
            return self.conclude(attempt, A.FAILED, to=P.FAILED, error=error, post_to=S.FAILED, note=note,
                                 must_reconcile=False, last_error=note)  # fmt: skip
        delay = self.policy.backoff(pub.attempt_count, error.retry_after)
        until = timezone.now() + delay
        if error.kind == ErrorKind.RATE_LIMITED:
            throttle.block(channel_id=self.channel.pk, until=until)
        return self.conclude(attempt, A.RETRY, to=P.RETRY_WAIT, error=error, next_attempt_at=until,
                             must_reconcile=unknown)  # fmt: skip

    def failed(self, attempt: PublicationAttempt | None, error: ConnectorError, note: str) -> Outcome:
        return self.conclude(attempt, A.FAILED, to=P.FAILED, error=error, post_to=S.FAILED, note=note,
                             must_reconcile=False, last_error=note)  # fmt: skip

    def unconfirmed(self, attempt: PublicationAttempt | None, error: ConnectorError | None, *, outcome: str,
                    detail: str = "") -> Outcome:  # fmt: skip
        reason = detail or (error.message if error is not None else "")
        note = _(
            "Unconfirmed: the network did not say whether the post went out (%(reason)s). Check the channel, then "
            "confirm it with its address or publish it again."
        ) % {"reason": reason}
        return self.conclude(attempt, outcome, to=P.UNCONFIRMED, error=error, post_to=S.UNCONFIRMED, note=note,
                             last_error_kind=str(error.kind) if error else "unknown", last_error=note)  # fmt: skip

    def needs_attention(self, attempt: PublicationAttempt | None, error: ConnectorError) -> Outcome:
        connections.mark_needs_attention(channel=self.channel, kind=str(error.kind), message=error.message)
        note = _("Reconnect the channel %(channel)s: %(message)s") % {"channel": self.channel, "message": error.message}
        if self.maybe_sent:  # it may be out there: a person checks once the channel is back
            return self.unconfirmed(attempt, error, outcome=A.FAILED, detail=note)
        return self.failed(attempt, error, note)

    # --- calls --------------------------------------------------------------------------------------------

    def fetch_credentials(self) -> Outcome | None:
        try:
            self.credentials = connections.credentials(channel=self.channel, connector=self.connector)
        except ConnectorError as exc:
            if exc.kind in AUTH:
                return self.needs_attention(None, exc)
            if exc.retryable:
                return self.retry_later(None, exc, unknown=self.maybe_sent)
            return self.failed(None, exc, exc.message)
        return None

    def refresh(self) -> Outcome | None:
        """The token expired: a new one from the connections service, once per run."""
        try:
            self.credentials = connections.refresh(channel=self.channel, connector=self.connector)
        except ConnectorError as exc:
            if exc.retryable:
                return self.retry_later(None, exc, unknown=self.maybe_sent)
            revoked = ConnectorError(ErrorKind.AUTH_REVOKED, exc.message, code=exc.code, http_status=exc.http_status)
            return self.needs_attention(None, revoked)
        self.refreshed = True
        return None

    def reconcile(self) -> Outcome | None:
        """Is the post on the network? None: certainly not (publish again, same key); else how the run ended."""
        while True:
            attempt = self.begin(AttemptKind.RECONCILE)
            if attempt is None:
                return Outcome(self.publication.status if self.publication.status not in OWNED else "")
            assert self.credentials is not None
            try:
                found = self.publisher.reconcile(self.credentials, self.request)
            except ConnectorError as exc:
                if exc.kind == ErrorKind.AUTH_EXPIRED and not self.refreshed:
                    self.conclude(attempt, A.RETRY, to=None, error=exc)
                    if (stop := self.refresh()) is not None:
                        return stop
                    continue
                if exc.kind in AUTH:
                    return self.needs_attention(attempt, exc)
                if exc.retryable:
                    return self.retry_later(attempt, exc, unknown=True)
                return self.unconfirmed(attempt, exc, outcome=A.UNDETERMINED)
            except Exception as exc:
                log.exception("publication %s: reconcile failed", self.publication_id)
                error = ConnectorError(ErrorKind.TRANSIENT, repr(exc))
                return self.retry_later(attempt, error, unknown=True)
            if found.found == Found.PUBLISHED and found.result is not None:
                return self.published(attempt, found.result, A.FOUND)
            if found.found == Found.ABSENT:
                self.conclude(attempt, A.ABSENT, to=None, message=found.detail, must_reconcile=False)
                return None
            return self.unconfirmed(attempt, None, outcome=A.UNDETERMINED, detail=found.detail)

    def publish(self) -> Outcome:
        while True:
            if self.maybe_sent and (ended := self.reconcile()) is not None:
                return ended
            if self.calls >= CALLS_PER_RUN:
                return self.retry_later(None, ConnectorError(ErrorKind.TRANSIENT, _("Too many calls in one run.")))
            attempt = self.start_reserved() if self.reserved is not None else self.begin(AttemptKind.PUBLISH)
            if attempt is None:
                status = self.publication.status
                return Outcome("" if status in OWNED else status, self.publication.last_error)
            self.calls += 1
            assert self.credentials is not None
            if self.request.first_attempt_at is None:  # the first call: what reconciling looks back to
                self.request = dataclasses.replace(self.request, first_attempt_at=attempt.started_at)
            try:
                result = self.publisher.publish(self.credentials, self.request)
            except ConnectorError as exc:
                if exc.outcome_unknown:
                    self.conclude(attempt, A.UNKNOWN, to=None, error=exc)  # must_reconcile stays set
                    continue
                ended = self.after_error(attempt, exc)
                if ended is not None:
                    return ended
                continue
            except Exception as exc:
                log.exception("publication %s: publish raised", self.publication_id)
                self.conclude(attempt, A.UNKNOWN, to=None, message=repr(exc),
                              last_error_kind=ErrorKind.TRANSIENT, last_error=repr(exc))  # fmt: skip
                continue
            return self.published(attempt, result, A.PUBLISHED)

    def after_error(self, attempt: PublicationAttempt, exc: ConnectorError) -> Outcome | None:
        """A refusal whose outcome is known (nothing was published, or the network names the post)."""
        if exc.kind == ErrorKind.AUTH_EXPIRED and not self.refreshed:
            self.conclude(attempt, A.RETRY, to=None, error=exc, must_reconcile=False)
            return self.refresh()
        if exc.kind in AUTH:
            self.publication.must_reconcile = False
            return self.needs_attention(attempt, exc)
        if exc.kind == ErrorKind.DUPLICATE:
            if exc.remote_id:
                existing = PublishResult(remote_id=exc.remote_id, url=exc.remote_url)
                return self.published(attempt, existing, A.FOUND, exc)
            self.conclude(attempt, A.UNKNOWN, to=None, error=exc)  # the network says it exists: find it
            found = self.reconcile()
            if found is None:  # it said duplicate, then absent: a person must look
                return self.unconfirmed(None, exc, outcome=A.UNDETERMINED)
            return found
        if exc.retryable:
            return self.retry_later(attempt, exc)
        network = self.connector.label
        note = _("%(network)s refused the post: %(message)s") % {"network": network, "message": exc.message}
        return self.failed(attempt, exc, note)


def _owned(pub: Publication) -> bool:
    """Owned by a worker: the post being sent, or (the post out) its first comment."""
    return pub.status in OWNED or (pub.status == P.PUBLISHED and pub.comment_status in COMMENT_OWNED)


def _load(
    publication_id: int,
    worker_id: str,
    policy: Policy,
    claimed: Publication | None = None,
    attempt: PublicationAttempt | None = None,
) -> _Run | None:
    """The publication with its post, channel, market and master: as the claim left it (``claimed``, from the
    claim's own transaction, in this worker, with ``attempt``, the publish attempt it recorded), else read again."""
    pub = claimed
    if pub is None or pub.pk != publication_id or pub.claimed_by != worker_id or not _owned(pub):
        pub = (
            Publication.objects.select_related(
                "channel__connection", "post__master", "post__market", "post__localization"
            )
            .prefetch_related(Prefetch("post__media", queryset=MediaAsset.objects.order_by("pk")))
            .filter(Q(status__in=OWNED) | Q(status=P.PUBLISHED, comment_status__in=COMMENT_OWNED))
            .filter(pk=publication_id, claimed_by=worker_id)
            .first()
        )
        attempt = None
    if pub is None:
        return None
    pub.post.channel = pub.channel  # the same row: no second join
    connector = registry.get(pub.channel.network)
    if not isinstance(connector, Publisher):  # claims only take publications of networks that publish
        raise registry.UnknownNetwork(f"The connector of {pub.channel.network!r} does not publish.")
    reserved = attempt if attempt is not None and attempt.publication_id == pub.pk else None
    first = reserved.started_at if reserved is not None and reserved.number == 1 else None
    return _Run(
        publication_id=pub.pk, worker_id=worker_id, policy=policy, publication=pub, post=pub.post,
        channel=pub.channel, connector=connector, publisher=connector,
        request=PublishRequest(text="", idempotency_key=pub.idempotency_key), reserved=reserved, first_attempt_at=first,
    )  # fmt: skip


def publication_send(
    *,
    publication_id: int,
    worker_id: str,
    policy: Policy = DEFAULT,
    claimed: Publication | None = None,
    attempt: PublicationAttempt | None = None,
    recorder: Recorder | None = None,
) -> Outcome:
    """Send a publication this worker claimed, through to an outcome (see the module's description). Returns
    how it ended for now: published, retry_wait, failed, unconfirmed — or "" when the claim was lost. ``claimed``
    and ``attempt``: the instance the claim returned and the attempt it recorded (saves reading them again);
    ``recorder``: where to leave a success for the worker to write in its next batch (``Outcome.deferred``)."""
    run = _load(publication_id, worker_id, policy, claimed, attempt)
    if run is None:
        return Outcome("", _("Not claimed by this worker."))
    run.recorder = recorder
    try:
        run.prepare()
    except Exception as exc:
        log.exception("publication %s: could not prepare the request", publication_id)
        return run.unprepared(exc)
    try:
        if run.publication.status == P.PUBLISHED:  # the post is out: its first comment, claimed on its own
            return Outcome(P.PUBLISHED, CommentRun(run).run_alone())
        if (stop := run.fetch_credentials()) is not None:
            return stop
        return run.publish()
    except Exception as exc:
        # A bug or a database failure between calls: record it; the publication goes back to waiting (or, with its
        # outcome unknown, is reconciled at the next try) instead of staying claimed by a confused worker.
        log.exception("publication %s: the run failed", publication_id)
        error = ConnectorError(ErrorKind.TRANSIENT, _("Internal error: %(error)r") % {"error": exc})
        try:
            if run.publication.status == P.PUBLISHED:  # it failed on the first comment: the post stays published
                comments = CommentRun(run)
                return Outcome(P.PUBLISHED, comments.retry_later(None, error, unknown=comments.maybe_sent))
            return run.retry_later(None, error, unknown=run.maybe_sent)
        except Exception:
            log.exception("publication %s: could not record the failure", publication_id)
            raise exc from None
