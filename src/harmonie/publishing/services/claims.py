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
2. locks the rate buckets of the channels concerned and keeps only what their budgets and caps allow;
3. re-checks, for each post, ``publication_blocker`` (scheduled, approved, no crisis covering it): a blocked post
   is put on hold with the reason and recorded on the crisis's timeline, never sent;
4. creates the publication with its idempotency key (the connector's ``new_key()``), owned by this worker until
   its lease ends, and moves the post to ``publishing``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.approvals.models import CrisisEventKind
from harmonie.approvals.resolution import active_crises_covering
from harmonie.approvals.services.crisis import publication_blocker
from harmonie.approvals.services.workflow import record_crisis_event
from harmonie.connectors import registry
from harmonie.connectors.base import Capability, Connector, Publisher
from harmonie.content.models import Post
from harmonie.content.services.transitions import post_transition
from harmonie.content.states import PostStatus
from harmonie.publishing.models import AttemptOutcome, Publication, PublicationAttempt
from harmonie.publishing.policy import DEFAULT, Policy
from harmonie.publishing.services import throttle
from harmonie.publishing.services.transitions import publication_transition
from harmonie.publishing.states import OWNED, PublicationStatus

log = logging.getLogger(__name__)
#: Rows read per place in a claim (a batch of 16 looks at 48 due rows, across accounts).
CANDIDATES_PER_PLACE = 3
#: Due posts of one account a claim looks at.
PER_ACCOUNT = 8
P = PublicationStatus
S = PostStatus


@dataclass(frozen=True)
class ClaimResult:
    claimed: list[int]  # publication ids this worker now owns, in the order to send them
    held: list[int]  # posts put on hold because something blocks them
    failed: list[int]  # posts failed at once (no connector for the network, channel deactivated)
    more: bool = False  # work is due that this claim left (its limit, or budgets and caps): look again soon
    loaded: dict[int, Publication] = field(default_factory=dict)  # claimed publications with their post, as read


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


def _due_publications(now: dt.datetime, limit: int, skip: set[int], skip_networks: set[str]) -> list[Publication]:
    due = Q(status=P.RETRY_WAIT, next_attempt_at__lte=now) | Q(status__in=OWNED, lease_until__lte=now)
    qs = Publication.objects.filter(due).exclude(channel_id__in=skip).exclude(channel__network__in=skip_networks)
    qs = qs.select_related("channel").order_by("next_attempt_at", "due_at", "pk")
    return list(_skip_locked(qs)[:limit])


def _due_posts(now: dt.datetime, limit: int, skip: set[int], skip_networks: set[str]) -> list[Post]:
    """The oldest due posts, at most ``PER_ACCOUNT`` of each channel (a burst on one account, which its cap holds
    back anyway, does not fill the claim), then locked. Two steps, because PostgreSQL locks no row that a window
    function reads: the ids first, then ``FOR UPDATE SKIP LOCKED`` on them (rows another worker took meanwhile
    are skipped, and the status is checked again)."""
    due = Post.objects.filter(status=S.SCHEDULED, scheduled_at__lte=now)
    due = due.exclude(channel_id__in=skip).exclude(channel__network__in=skip_networks)
    rank = Window(RowNumber(), partition_by=[F("channel_id")], order_by=[F("scheduled_at").asc(), F("pk").asc()])
    ids = list(
        due.annotate(rank=rank)
        .filter(rank__lte=PER_ACCOUNT)
        .order_by("scheduled_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    qs = Post.objects.filter(pk__in=ids, status=S.SCHEDULED).select_related("channel", "market", "master")
    return list(_skip_locked(qs.order_by("scheduled_at", "pk")))


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
    if pub.must_reconcile:
        reason = _("%(reason)s It may have gone out already: check the channel first.") % {"reason": reason}
    publication_transition(publication=pub, to=P.FAILED, last_error_kind="unsupported", last_error=reason)
    post = Post.objects.select_for_update(of=("self",)).get(pk=pub.post_id)
    if post.status == S.PUBLISHING:
        post_transition(post=post, to=S.FAILED, user=None, note=reason)


def _claim_posts(
    posts: list[tuple[Post, Connector]], worker_id: str, lease_until: dt.datetime, now: dt.datetime
) -> list[Publication]:
    """Publications for these posts (their pending one when a person asked to publish again: same publication,
    same key), owned by this worker; the posts go to ``publishing``."""
    pending = {
        p.post_id: p
        for p in Publication.objects.select_for_update().filter(post__in=[post for post, _c in posts], status=P.PENDING)
    }
    new = []
    for post, connector in posts:
        if (pub := pending.get(post.pk)) is not None:
            publication_transition(publication=pub, to=P.CLAIMED, claimed_by=worker_id, lease_until=lease_until,
                                   due_at=post.scheduled_at or now, next_attempt_at=None)  # fmt: skip
        else:
            new.append(
                Publication(
                    organization_id=post.organization_id, post=post, channel_id=post.channel_id, status=P.CLAIMED,
                    due_at=post.scheduled_at or now, idempotency_key=_new_key(connector), claimed_by=worker_id,
                    lease_until=lease_until,
                )
            )  # fmt: skip
        post_transition(post=post, to=S.PUBLISHING, user=None)
    # One insert for the batch; the unique constraint (one live publication per post) refuses a post that another
    # worker claimed meanwhile, which can only happen without SKIP LOCKED and without BEGIN IMMEDIATE: the whole
    # claim then rolls back and is tried again.
    made = Publication.objects.bulk_create(new)
    by_post = {p.post_id: p for p in [*pending.values(), *made]}
    out = []
    for post, _c in posts:
        pub = by_post[post.pk]
        pub.post, pub.channel = post, post.channel  # what the sender needs, already read
        out.append(pub)
    return out


def _take_over(pub: Publication, worker_id: str, lease_until: dt.datetime, now: dt.datetime) -> None:
    if pub.status == P.SENDING:
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


def publications_claim(
    *, worker_id: str, limit: int, policy: Policy = DEFAULT, now: dt.datetime | None = None
) -> ClaimResult:
    """Claim up to ``limit`` publications for ``worker_id`` (see the module's description)."""
    claimed: list[int] = []
    held: list[int] = []
    failed: list[int] = []
    loaded: dict[int, Publication] = {}
    if limit <= 0:
        return ClaimResult(claimed, held, failed)
    with transaction.atomic():
        now = now or timezone.now()
        lease_until = now + policy.lease
        skip, skip_networks = throttle.saturated(now)
        # More candidates than the limit, so that a batch is not all one account's posts that its cap stops.
        wanted = limit * CANDIDATES_PER_PLACE
        pubs = _due_publications(now, wanted, skip, skip_networks)
        posts = _due_posts(now, wanted - len(pubs), skip, skip_networks) if len(pubs) < wanted else []
        more = len(pubs) + len(posts) >= wanted
        if not pubs and not posts:
            return ClaimResult(claimed, held, failed, more=bool(skip or skip_networks))
        channels = {p.channel_id: p.channel for p in pubs} | {p.channel_id: p.channel for p in posts}
        connectors = {cid: c for cid, ch in channels.items() if (c := _connector(ch.network)) is not None}
        gates = throttle.Gates(now=now)
        gates.lock(connectors)
        for pub in pubs:
            if pub.channel_id not in connectors:
                _fail_unsupported(pub)
                failed.append(pub.post_id)
                continue
            if len(claimed) >= limit or not gates.admit(pub.channel_id):
                more = True
                continue
            _take_over(pub, worker_id, lease_until, now)
            claimed.append(pub.pk)
        admitted: list[tuple[Post, Connector]] = []
        for post in posts:
            connector = connectors.get(post.channel_id)
            if post.channel.is_active is False:
                _fail_at_once(post, _("The channel %(channel)s is deactivated.") % {"channel": post.channel}, now)
                failed.append(post.pk)
            elif connector is None:
                reason = _("Harmonie cannot publish to %(network)s yet: publish this post by hand.") % {
                    "network": post.channel.get_network_display()
                }
                _fail_at_once(post, reason, now)
                failed.append(post.pk)
            elif len(claimed) + len(admitted) >= limit or not gates.admit(post.channel_id):
                more = True  # left for the next claim (this one is full, or the account must wait)
            elif (blocker := publication_blocker(post)) is not None:
                gates.give_back(post.channel_id)
                _hold(post, blocker)
                held.append(post.pk)
            else:
                admitted.append((post, connector))
        for pub in _claim_posts(admitted, worker_id, lease_until, now) if admitted else []:
            claimed.append(pub.pk)
            loaded[pub.pk] = pub
        gates.save()
    return ClaimResult(claimed, held, failed, more=more, loaded=loaded)


def claims_release(*, worker_id: str, publication_ids: list[int] | None = None) -> int:
    """A stopping worker gives back what it claimed and has not started: no owner, the lease ended, so any worker
    takes them at its next claim (nothing was sent, nothing to reconcile)."""
    qs = Publication.objects.filter(claimed_by=worker_id, status=P.CLAIMED)
    if publication_ids is not None:
        qs = qs.filter(pk__in=publication_ids)
    return qs.update(lease_until=timezone.now(), claimed_by="")


def leases_renew(*, worker_id: str, policy: Policy = DEFAULT) -> int:
    """A live worker keeps what it owns: every beat pushes its leases further."""
    return Publication.objects.filter(claimed_by=worker_id, status__in=OWNED).update(
        lease_until=timezone.now() + policy.lease
    )


def next_due(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next piece of work falls due (a scheduled post, a retry, a lease running out): the worker sleeps
    until then, or its poll interval, whichever is sooner."""
    now = now or timezone.now()
    post = Post.objects.filter(status=S.SCHEDULED, scheduled_at__gt=now).aggregate(at=Min("scheduled_at"))["at"]
    retry = Publication.objects.filter(status=P.RETRY_WAIT).aggregate(at=Min("next_attempt_at"))["at"]
    lease = Publication.objects.filter(status__in=OWNED).aggregate(at=Min("lease_until"))["at"]
    moments = [m for m in (post, retry, lease) if m is not None]
    return min(moments) if moments else None
