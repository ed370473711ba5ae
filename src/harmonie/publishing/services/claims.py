"""Claiming due work: short transactions that hand publications to one worker, and only one.

Each claim, in one transaction:

1. picks the publications due again (a retry whose time came, a claim whose worker stopped renewing its lease)
   and the posts due (``scheduled`` with ``scheduled_at <= now``), oldest first, up to ``limit``. On PostgreSQL
   the rows are read with ``SELECT … FOR UPDATE SKIP LOCKED``: a row another worker is claiming is skipped, never
   waited for, so N workers share the work without blocking each other. On SQLite every transaction starts with
   ``BEGIN IMMEDIATE`` (the settings' ``transaction_mode``): the claim holds the database's only write lock from
   its first statement, so a second worker's claim runs after it and sees its result. Either way the database has
   the last word: at most one live publication per post (a unique constraint), so a claim that lost a race fails
   its insert, rolls back to its savepoint and moves on;
2. locks the rate buckets of the channels concerned and keeps only what their budgets and caps allow; a post whose
   channel lacks a setting its network requires (a Pinterest board) fails at once, with what to do;
3. re-checks, for each post, ``publication_blocker`` (scheduled, approved, no crisis covering it; see
   ``blocking.py``): a blocked post is put on hold with the reason and recorded on the crisis's timeline, never
   sent;
4. creates the publication with its idempotency key (the connector's ``new_key()``), owned by this worker until
   its lease ends, **and its first attempt**: the publication is born ``sending`` with ``must_reconcile`` set and
   an attempt row without ``finished_at``, all committed with the claim, before any call. A worker killed after
   the claim (whether or not it made the call) leaves that trace, and whoever takes the publication over reconciles
   first; a worker that stops cleanly gives back what it did not start (``claims_release``: the attempt ends
   "not sent"). The posts move to ``publishing`` in one statement (``post_transition_many``, audited).

Everything a batch of claimed posts needs is read here, once: channel, market, master, localization, media and the
channel's connection settings, so that the sending threads only make their calls.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Min, Prefetch, Q, QuerySet, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.models import CrisisEventKind
from harmonie.approvals.resolution import active_crises_covering
from harmonie.approvals.services.workflow import record_crisis_event
from harmonie.connectors import registry
from harmonie.connectors.base import Capability, Connector, Publisher
from harmonie.content.models import MediaAsset, Post
from harmonie.content.services.transitions import post_transition, post_transition_many
from harmonie.content.states import PostStatus
from harmonie.publishing.models import AttemptKind, AttemptOutcome, Publication, PublicationAttempt
from harmonie.publishing.policy import DEFAULT, Policy
from harmonie.publishing.services import blocking, options, throttle
from harmonie.publishing.services.comments import can_comment
from harmonie.publishing.services.rows import insert_rows
from harmonie.publishing.services.transitions import publication_transition
from harmonie.publishing.states import (
    COMMENT_OWNED,
    OWNED,
    CommentStatus,
    PublicationStatus,
    check_comment_transition,
    check_transition,
)

log = logging.getLogger(__name__)
#: Rows read per place in a claim (a batch of 16 looks at 48 due rows, across accounts).
CANDIDATES_PER_PLACE = 3
#: Due posts of one account a claim looks at.
PER_ACCOUNT = 8
P = PublicationStatus
S = PostStatus
C = CommentStatus


@dataclass(frozen=True)
class ClaimResult:
    claimed: list[int]  # publication ids this worker now owns, in the order to send them
    held: list[int]  # posts put on hold because something blocks them
    failed: list[int]  # posts failed at once (no connector for the network, channel deactivated)
    more: bool = False  # work is due that this claim left (its limit, or budgets and caps): look again soon
    loaded: dict[int, Publication] = field(default_factory=dict)  # claimed publications with their post, as read
    # publication id -> the publish attempt the claim recorded for it (new publications): the sender makes that call
    attempts: dict[int, PublicationAttempt] = field(default_factory=dict)


def _skip_locked[M: (Post, Publication)](qs: QuerySet[M]) -> QuerySet[M]:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs  # SQLite: the transaction already holds the write lock


def _connector(network: str) -> Connector | None:
    try:
        connector = registry.get(network)
    except registry.UnknownNetwork:
        return None
    return connector if Capability.PUBLISH in connector.capabilities() else None


def _new_key(connector: Connector) -> str:
    assert isinstance(connector, Publisher)  # _connector() kept only publishers
    return connector.new_key()


def _comment_key(post: Post, connector: Connector) -> str:
    """The first comment's own idempotency key, chosen with the publication's (none without a first comment, or on
    a network where Harmonie cannot publish one)."""
    return _new_key(connector) if post.first_comment.strip() and can_comment(connector) else ""


def _due_publications(now: dt.datetime, limit: int, skip: set[int], skip_networks: set[str]) -> list[Publication]:
    """Publications due again: retries whose time came, claims whose worker stopped renewing its lease, and first
    comments of published posts (to retry, or whose worker stopped)."""
    due = (
        Q(status=P.RETRY_WAIT, next_attempt_at__lte=now)
        | Q(status__in=OWNED, lease_until__lte=now)
        | Q(status=P.PUBLISHED, comment_status__in=COMMENT_OWNED, lease_until__lte=now)
        | Q(status=P.PUBLISHED, comment_status=C.RETRY_WAIT, comment_next_attempt_at__lte=now)
    )
    qs = Publication.objects.filter(due).exclude(channel_id__in=skip).exclude(channel__network__in=skip_networks)
    qs = qs.select_related("channel").order_by("next_attempt_at", "due_at", "pk")
    return list(_skip_locked(qs)[:limit])


@dataclass(frozen=True)
class _Candidate:
    post_id: int
    channel_id: int
    network: str
    channel_active: bool


def _due_candidates(now: dt.datetime, limit: int, skip: set[int], skip_networks: set[str]) -> list[_Candidate]:
    """The oldest due posts, at most ``PER_ACCOUNT`` of each channel (a burst on one account, which its cap holds
    back anyway, does not fill the claim): their ids and channels only. The claim admits them against the budgets
    and caps, then reads and locks only those it takes (``_lock_posts``). Two steps also because PostgreSQL locks
    no row that a window function reads."""
    due = Post.objects.filter(status=S.SCHEDULED, scheduled_at__lte=now)
    due = due.exclude(channel_id__in=skip).exclude(channel__network__in=skip_networks)
    rank = Window(RowNumber(), partition_by=[F("channel_id")], order_by=[F("scheduled_at").asc(), F("pk").asc()])
    rows = (
        due.annotate(rank=rank)
        .filter(rank__lte=PER_ACCOUNT)
        .order_by("scheduled_at", "pk")
        .values_list("pk", "channel_id", "channel__network", "channel__is_active")[:limit]
    )
    return [_Candidate(*row) for row in rows]


def _lock_posts(ids: list[int]) -> dict[int, Post]:
    """The posts, with what sending them needs, locked with ``FOR UPDATE SKIP LOCKED``: rows another worker took
    meanwhile are left out, and the status is checked again."""
    if not ids:
        return {}
    qs = Post.objects.filter(pk__in=ids, status=S.SCHEDULED).select_related(
        "channel__connection", "market", "master", "localization"
    )
    return {post.pk: post for post in _skip_locked(qs.order_by("scheduled_at", "pk"))}


def _hold(post: Post, reason: str) -> None:
    """A due post that must not go out: on hold with the reason, on the timeline of each crisis covering it."""
    crises = active_crises_covering(post)
    for crisis in crises:
        record_crisis_event(crisis_id=crisis.pk, kind=CrisisEventKind.HELD, user=None, label=_("Publishing worker"),
                            post=post, detail=str(PostStatus(post.status).label))  # fmt: skip
    note = _("Not published at its time: %(reason)s") % {"reason": reason}
    post_transition(post=post, to=S.ON_HOLD, user=None, note=note, held_from=post.status)


def _fail_at_once(post: Post, reason: str, now: dt.datetime) -> None:
    """A post nothing can publish (no connector, channel deactivated): failed now, with the reason, never
    silently left behind."""
    pub = Publication.objects.filter(post=post, status=P.PENDING).first()
    if pub is None:
        pub = Publication.objects.create(
            organization_id=post.organization_id, post=post, channel_id=post.channel_id,
            due_at=post.scheduled_at or now, idempotency_key=uuid.uuid4().hex, status=P.FAILED,
            last_error_kind="unsupported", last_error=reason,
        )  # fmt: skip
    else:
        publication_transition(publication=pub, to=P.CANCELLED, last_error_kind="unsupported", last_error=reason)
    post_transition(post=post, to=S.PUBLISHING, user=None)
    post_transition(post=post, to=S.FAILED, user=None, note=reason)


def _fail_unsupported(pub: Publication) -> None:
    """A publication whose network lost its connector (a module removed from the install)."""
    reason = _("Harmonie cannot publish to %(network)s any more: publish this post by hand.") % {
        "network": pub.channel.get_network_display()
    }
    if pub.status == P.PUBLISHED:  # its first comment was due: the post stays published, the comment fails
        check_comment_transition(pub.comment_status, C.FAILED)
        note = _("First comment failed: %(reason)s") % {"reason": reason}
        pub.comment_status, pub.comment_error, pub.claimed_by, pub.lease_until = C.FAILED, note, "", None
        pub.save(update_fields=["comment_status", "comment_error", "claimed_by", "lease_until", "updated_at"])
        return
    if pub.must_reconcile:
        reason = _("%(reason)s It may have gone out already: check the channel first.") % {"reason": reason}
    publication_transition(publication=pub, to=P.FAILED, last_error_kind="unsupported", last_error=reason)
    post = Post.objects.select_for_update(of=("self",)).get(pk=pub.post_id)
    if post.status == S.PUBLISHING:
        post_transition(post=post, to=S.FAILED, user=None, note=reason)


def _claim_posts(
    posts: list[tuple[Post, Connector]], worker_id: str, lease_until: dt.datetime, now: dt.datetime
) -> list[tuple[Publication, PublicationAttempt | None]]:
    """Publications for these posts (their pending one when a person asked to publish again: same publication,
    same key), owned by this worker; the posts go to ``publishing``. A handful of statements for the whole batch.
    On networks whose reconciliation is exact (``Connector.exact_reconcile``) each is born ``sending`` with its
    first publish attempt recorded; elsewhere it is born ``claimed`` and the sender records the attempt just before
    its call, so that a worker killed with the post still in its queue leaves nothing to reconcile (a network that
    cannot tell would make it *unconfirmed*)."""
    pending = {
        p.post_id: p
        for p in Publication.objects.select_for_update().filter(post__in=[post for post, _c in posts], status=P.PENDING)
    }
    check_transition(P.CLAIMED, P.SENDING)  # new publications are born claimed and sending at once
    new = []
    reserved: set[int] = set()  # posts whose first attempt the claim records
    for post, connector in posts:
        if connector.exact_reconcile:
            reserved.add(post.pk)
        if (pub := pending.get(post.pk)) is not None:
            key = pub.comment_key or _comment_key(post, connector)
            publication_transition(publication=pub, to=P.CLAIMED, claimed_by=worker_id, lease_until=lease_until,
                                   due_at=post.scheduled_at or now, next_attempt_at=None, comment_key=key)  # fmt: skip
            if post.pk in reserved:
                publication_transition(publication=pub, to=P.SENDING, attempt_count=pub.attempt_count + 1,
                                       must_reconcile=True)  # fmt: skip
        else:
            reserve = post.pk in reserved
            new.append(
                Publication(
                    organization_id=post.organization_id, post=post, channel_id=post.channel_id,
                    status=P.SENDING if reserve else P.CLAIMED, due_at=post.scheduled_at or now,
                    idempotency_key=_new_key(connector), claimed_by=worker_id, lease_until=lease_until,
                    attempt_count=1 if reserve else 0, must_reconcile=reserve,
                    comment_key=_comment_key(post, connector),
                )
            )  # fmt: skip
    # One insert for the batch; the unique constraint (one live publication per post) refuses a post that another
    # worker claimed meanwhile, which can only happen without SKIP LOCKED and without BEGIN IMMEDIATE: the whole
    # claim then rolls back and is tried again.
    made = insert_rows(new)
    by_post = {p.post_id: p for p in [*pending.values(), *made]}
    out = []
    for post, _c in posts:
        pub = by_post[post.pk]
        pub.post, pub.channel = post, post.channel  # what the sender needs, already read
        out.append(pub)
    attempts = insert_rows(
        [
            PublicationAttempt(
                publication=pub, number=pub.attempt_count, kind=AttemptKind.PUBLISH, worker=worker_id, started_at=now
            )
            for pub in out
            if pub.post_id in reserved
        ]
    )
    by_publication: dict[int, PublicationAttempt] = {a.publication_id: a for a in attempts}
    claimed_posts = [post for post, _c in posts]
    post_transition_many(posts=claimed_posts, to=S.PUBLISHING, user=None)
    # The media of the batch in one query, in the order the request lists them.
    prefetch_related_objects(claimed_posts, Prefetch("media", queryset=MediaAsset.objects.order_by("pk")))
    return [(pub, by_publication.get(pub.pk)) for pub in out]


def _take_over_comment(pub: Publication, worker_id: str, lease_until: dt.datetime, now: dt.datetime) -> None:
    """The first comment of a published post: to retry, or left by a worker that stopped (mid-call, perhaps: then
    the new owner reconciles first). The post itself is not touched."""
    changes: dict[str, object] = {"claimed_by": worker_id, "lease_until": lease_until, "updated_at": now}
    if pub.comment_status == C.SENDING:
        PublicationAttempt.objects.filter(
            publication=pub, finished_at__isnull=True, kind__in=[AttemptKind.COMMENT, AttemptKind.COMMENT_CHECK]
        ).update(
            finished_at=now, outcome=AttemptOutcome.LOST,
            message=_("The worker %(worker)s stopped during the call.") % {"worker": pub.claimed_by},
        )  # fmt: skip
        changes["comment_must_reconcile"] = True
    if pub.comment_status != C.PENDING:
        check_comment_transition(pub.comment_status, C.PENDING)
        changes["comment_status"] = C.PENDING
    changes["comment_next_attempt_at"] = None
    for name, value in changes.items():
        setattr(pub, name, value)
    pub.save(update_fields=list(changes))


def _take_over(pub: Publication, worker_id: str, lease_until: dt.datetime, now: dt.datetime) -> None:
    if pub.status == P.PUBLISHED:
        _take_over_comment(pub, worker_id, lease_until, now)
    elif pub.status == P.SENDING:
        # Its worker stopped mid-call: what it sent may be on the network. The new owner reconciles first.
        PublicationAttempt.objects.filter(publication=pub, finished_at__isnull=True).update(
            finished_at=now, outcome=AttemptOutcome.LOST,
            message=_("The worker %(worker)s stopped during the call.") % {"worker": pub.claimed_by},
        )  # fmt: skip
        publication_transition(publication=pub, to=P.CLAIMED, claimed_by=worker_id, lease_until=lease_until,
                               must_reconcile=True)  # fmt: skip
    elif pub.status == P.CLAIMED:  # claimed, never started: nothing was sent
        pub.claimed_by, pub.lease_until = worker_id, lease_until
        pub.save(update_fields=["claimed_by", "lease_until", "updated_at"])
    else:
        publication_transition(publication=pub, to=P.CLAIMED, claimed_by=worker_id, lease_until=lease_until,
                               next_attempt_at=None)  # fmt: skip


@dataclass
class _Claim:
    """One claim's state: what it took, held, failed, and the gates it holds locked."""

    worker_id: str
    limit: int
    now: dt.datetime
    lease_until: dt.datetime
    gates: throttle.Gates
    connectors: dict[int, Connector]
    more: bool = False
    claimed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    loaded: dict[int, Publication] = field(default_factory=dict)
    attempts: dict[int, PublicationAttempt] = field(default_factory=dict)

    def result(self) -> ClaimResult:
        return ClaimResult(self.claimed, self.held, self.failed, more=self.more, loaded=self.loaded,
                           attempts=self.attempts)  # fmt: skip

    def full(self, extra: int = 0) -> bool:
        return len(self.claimed) + extra >= self.limit

    def take_publications(self, pubs: list[Publication]) -> None:
        """Due again: retries whose time came, claims whose worker stopped renewing its lease."""
        for pub in pubs:
            if pub.channel_id not in self.connectors:
                _fail_unsupported(pub)
                self.failed.append(pub.post_id)
            elif self.full() or not self.gates.admit(pub.channel_id):
                self.more = True
            else:
                _take_over(pub, self.worker_id, self.lease_until, self.now)
                self.claimed.append(pub.pk)

    def take_posts(self, candidates: list[_Candidate]) -> None:
        """Due posts: admitted against budgets and caps first, then read and locked, checked for what blocks
        them, and claimed together."""
        chosen: list[_Candidate] = []
        unpublishable: list[_Candidate] = []
        for candidate in candidates:
            if not candidate.channel_active or candidate.channel_id not in self.connectors:
                unpublishable.append(candidate)
            elif self.full(len(chosen)) or not self.gates.admit(candidate.channel_id):
                self.more = True  # left for the next claim (this one is full, or the account must wait)
            else:
                chosen.append(candidate)
        rows = _lock_posts([c.post_id for c in [*chosen, *unpublishable]])
        for candidate in unpublishable:
            if (post := rows.get(candidate.post_id)) is not None:
                self.fail_unpublishable(post, channel_active=candidate.channel_active)
        taken = []
        for candidate in chosen:
            post = rows.get(candidate.post_id)
            if post is None:  # another worker took it meanwhile
                self.gates.give_back(candidate.channel_id)
            elif self.sendable(post):
                taken.append(post)
        self.claim_posts(taken)

    def claim_posts(self, posts: list[Post]) -> None:
        """Posts read and locked: put on hold what something blocks (a crisis), claim the others together."""
        why = blocking.blockers(posts)
        admitted: list[tuple[Post, Connector]] = []
        for post in posts:
            if (blocker := why[post.pk]) is not None:
                self.gates.give_back(post.channel_id)
                _hold(post, blocker)
                self.held.append(post.pk)
            else:
                admitted.append((post, self.connectors[post.channel_id]))
        for pub, attempt in _claim_posts(admitted, self.worker_id, self.lease_until, self.now) if admitted else []:
            self.claimed.append(pub.pk)
            self.loaded[pub.pk] = pub
            if attempt is not None:
                self.attempts[pub.pk] = attempt

    def sendable(self, post: Post) -> bool:
        """False when the channel lacks a setting its network requires (a Pinterest board), or its network fetches
        media from an address it cannot reach (Instagram, Threads and a loopback ``HARMONIE_PUBLIC_URL``): the post
        fails now, with what to do, instead of at the network."""
        missing = options.missing_setting(post.channel) or options.missing_public_address(post)
        if missing is None:
            return True
        self.gates.give_back(post.channel_id)
        _fail_at_once(post, missing, self.now)
        self.failed.append(post.pk)
        return False

    def fail_unpublishable(self, post: Post, *, channel_active: bool) -> None:
        if not channel_active:
            reason = _("The channel %(channel)s is deactivated.") % {"channel": post.channel}
        else:
            reason = _("Harmonie cannot publish to %(network)s yet: publish this post by hand.") % {
                "network": post.channel.get_network_display()
            }
        _fail_at_once(post, reason, self.now)
        self.failed.append(post.pk)


def publications_claim(
    *, worker_id: str, limit: int, policy: Policy = DEFAULT, now: dt.datetime | None = None
) -> ClaimResult:
    """Claim up to ``limit`` publications for ``worker_id`` (see the module's description)."""
    if limit <= 0:
        return ClaimResult([], [], [])
    with transaction.atomic():
        now = now or timezone.now()
        skip, skip_networks = throttle.saturated(now)
        # More candidates than the limit, so that a batch is not all one account's posts that its cap stops.
        wanted = limit * CANDIDATES_PER_PLACE
        pubs = _due_publications(now, wanted, skip, skip_networks)
        candidates = _due_candidates(now, wanted - len(pubs), skip, skip_networks) if len(pubs) < wanted else []
        if not pubs and not candidates:
            return ClaimResult([], [], [], more=bool(skip or skip_networks))
        networks = {p.channel_id: p.channel.network for p in pubs} | {c.channel_id: c.network for c in candidates}
        connectors = {cid: c for cid, network in networks.items() if (c := _connector(network)) is not None}
        claim = _Claim(worker_id=worker_id, limit=limit, now=now, lease_until=now + policy.lease,
                       gates=throttle.Gates(now=now), connectors=connectors,
                       more=len(pubs) + len(candidates) >= wanted)  # fmt: skip
        claim.gates.lock(connectors)
        claim.take_publications(pubs)
        claim.take_posts(candidates)
        claim.gates.save()
    return claim.result()


def claims_release(*, worker_id: str, publication_ids: list[int] | None = None) -> int:
    """A stopping worker gives back what it claimed and has not started: no owner, the lease ended, so any worker
    takes them at its next claim (nothing was sent, nothing to reconcile). ``publication_ids``: the publications
    whose call this worker has certainly not started (their task never ran); those the claim had already moved to
    ``sending`` with their first attempt recorded get that attempt closed as "not sent". Without ids, only the
    publications still ``claimed`` are given back."""
    now = timezone.now()
    qs = Publication.objects.filter(claimed_by=worker_id, status=P.CLAIMED)
    if publication_ids is None:
        return qs.update(lease_until=now, claimed_by="")
    with transaction.atomic():
        released = qs.filter(pk__in=publication_ids).update(lease_until=now, claimed_by="")
        # First comments claimed and not started: given back the same way (their post stays published).
        released += Publication.objects.filter(
            claimed_by=worker_id, status=P.PUBLISHED, comment_status=C.PENDING, pk__in=publication_ids
        ).update(lease_until=now, claimed_by="")
        unstarted = Publication.objects.filter(claimed_by=worker_id, status=P.SENDING, pk__in=publication_ids)
        ids = list(unstarted.values_list("pk", flat=True))
        if ids:
            check_transition(P.SENDING, P.CLAIMED)
            open_attempts = PublicationAttempt.objects.filter(
                publication_id__in=ids, worker=worker_id, finished_at__isnull=True
            )
            open_attempts.update(
                finished_at=now, outcome=AttemptOutcome.NOT_SENT,
                message=_("The worker %(worker)s stopped before making this call.") % {"worker": worker_id},
            )  # fmt: skip
            released += Publication.objects.filter(pk__in=ids).update(
                status=P.CLAIMED, claimed_by="", lease_until=now, must_reconcile=False, updated_at=now
            )
    return released


def leases_renew(*, worker_id: str, policy: Policy = DEFAULT) -> int:
    """A live worker keeps what it owns (posts being sent, first comments): every beat pushes its leases further."""
    owned = Q(status__in=OWNED) | Q(status=P.PUBLISHED, comment_status__in=COMMENT_OWNED)
    with transaction.atomic():
        # Locked in key order first, as the recorder locks them, so that the two never wait on each other in a circle.
        ids = list(
            Publication.objects.select_for_update()
            .filter(owned, claimed_by=worker_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return Publication.objects.filter(pk__in=ids).update(lease_until=timezone.now() + policy.lease)


def next_due(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next piece of work falls due (a scheduled post, a retry, a lease running out): the worker sleeps
    until then, or its poll interval, whichever is sooner."""
    now = now or timezone.now()
    post = Post.objects.filter(status=S.SCHEDULED, scheduled_at__gt=now).aggregate(at=Min("scheduled_at"))["at"]
    retry = Publication.objects.filter(status=P.RETRY_WAIT).aggregate(at=Min("next_attempt_at"))["at"]
    owned = Q(status__in=OWNED) | Q(status=P.PUBLISHED, comment_status__in=COMMENT_OWNED)
    lease = Publication.objects.filter(owned).aggregate(at=Min("lease_until"))["at"]
    comment = Publication.objects.filter(status=P.PUBLISHED, comment_status=C.RETRY_WAIT).aggregate(
        at=Min("comment_next_attempt_at")
    )["at"]
    moments = [m for m in (post, retry, lease, comment) if m is not None]
    return min(moments) if moments else None
