"""Reading publications and workers. Publications are scoped like their posts: the actor's organization, then the
markets where they may see content. Workers are the installation's, the same for everyone (``/health`` shows
them without login: host, pid and beats only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.content.models import Post
from harmonie.content.states import PostStatus
from harmonie.core.errors import NotFound
from harmonie.governance.permissions import Actor, Perm
from harmonie.publishing.models import Publication, PublicationAttempt, WorkerHeartbeat
from harmonie.publishing.policy import Policy
from harmonie.publishing.states import CommentStatus, PublicationStatus

P = PublicationStatus
C = CommentStatus

#: The queue's sections, in the order the page shows them.
QUEUE_SECTIONS: tuple[tuple[str, frozenset[str]], ...] = (
    ("sending", frozenset({P.CLAIMED, P.SENDING})),
    ("retry", frozenset({P.RETRY_WAIT})),
    ("unconfirmed", frozenset({P.UNCONFIRMED})),
    ("failed", frozenset({P.FAILED})),
)


def publication_list(*, actor: Actor, status: str | None = None, post_id: int | None = None) -> QuerySet[Publication]:
    actor.require(Perm.CONTENT_VIEW)
    qs = Publication.objects.filter(organization_id=actor.organization_id).filter(
        actor.market_q(Perm.CONTENT_VIEW, "post__market__path")
    )
    if status:
        qs = qs.filter(status=status)
    if post_id is not None:
        qs = qs.filter(post_id=post_id)
    return qs.select_related("post__market", "channel", "confirmed_by").order_by("-due_at", "-pk")


def publication_get(*, actor: Actor, pk: int) -> Publication:
    found = (
        publication_list(actor=actor)
        .filter(pk=pk)
        .prefetch_related(Prefetch("attempts", queryset=PublicationAttempt.objects.order_by("number")))
        .first()
    )
    if found is None:
        raise NotFound(_("No such publication."))
    return found


def post_publications(*, actor: Actor, post: Post) -> list[Publication]:
    """A post's publications, newest first, each with its attempts (the post page shows them)."""
    return list(
        publication_list(actor=actor, post_id=post.pk).prefetch_related(
            Prefetch("attempts", queryset=PublicationAttempt.objects.order_by("number"))
        )
    )


def due_posts(*, actor: Actor, now: dt.datetime | None = None, limit: int = 100) -> list[Post]:
    """Scheduled posts whose time has come and that no worker has taken yet: a long list means no worker runs
    (or the accounts' budgets hold them back)."""
    actor.require(Perm.CONTENT_VIEW)
    now = now or timezone.now()
    qs = Post.objects.filter(organization_id=actor.organization_id, status=PostStatus.SCHEDULED, scheduled_at__lte=now)
    qs = qs.filter(actor.market_q(Perm.CONTENT_VIEW, "market__path")).select_related("channel", "market")
    return list(qs.order_by("scheduled_at", "pk")[:limit])


@dataclass
class Queue:
    due: list[Post]
    sections: dict[str, list[Publication]] = field(default_factory=dict)
    comments: list[Publication] = field(default_factory=list)  # published posts whose first comment is not out

    @property
    def total(self) -> int:
        return len(self.due) + sum(len(v) for v in self.sections.values()) + len(self.comments)


def queue(*, actor: Actor, limit: int = 100) -> Queue:
    """What the publishing page lists: due posts, then publications sending, waiting to retry, unconfirmed and
    failed (the last two until a person acts), each with its reason; then the published posts whose first comment
    waits to retry, failed or is unconfirmed."""
    result = Queue(due=due_posts(actor=actor, limit=limit))
    wanted = {s for _name, statuses in QUEUE_SECTIONS for s in statuses}
    rows = list(
        publication_list(actor=actor).filter(status__in=wanted).select_related("post__channel").order_by("due_at", "pk")
    )
    failed_live = {p.post_id for p in rows if p.status == P.FAILED and p.post.status == PostStatus.FAILED}
    for name, statuses in QUEUE_SECTIONS:
        section = [p for p in rows if p.status in statuses]
        if name == "failed":  # only failures still standing (not the ones since rescheduled or published)
            section = [p for p in section if p.post_id in failed_live][-limit:]
        result.sections[name] = section[:limit]
    result.comments = list(
        publication_list(actor=actor)
        .filter(status=P.PUBLISHED, comment_status__in=[C.RETRY_WAIT, C.FAILED, C.UNCONFIRMED])
        .select_related("post__channel")
        .order_by("due_at", "pk")[:limit]
    )
    return result


@dataclass(frozen=True)
class WorkerView:
    worker_id: str
    host: str
    pid: int
    started_at: dt.datetime
    last_beat: dt.datetime
    seconds_since_beat: float
    handled: int
    in_flight: int
    version: str


@dataclass(frozen=True)
class WorkerStatus:
    live: list[WorkerView]
    last_beat: dt.datetime | None  # the latest beat of any worker, live or not
    stale_after: float

    @property
    def ok(self) -> bool:
        return bool(self.live)

    @property
    def reason(self) -> str:
        if self.live:
            return ""
        if self.last_beat is None:
            return _("No worker has ever run: start one with `harmonie worker` (or `harmonie run`).")
        return _(
            "No worker has beaten in the last %(n)s seconds (the last beat was at %(at)s UTC): scheduled posts are "
            "not being published. Start one with `harmonie worker`."
        ) % {"n": int(self.stale_after), "at": self.last_beat.strftime("%Y-%m-%d %H:%M:%S")}


def worker_status(*, policy: Policy | None = None, now: dt.datetime | None = None) -> WorkerStatus:
    """Workers that beat within ``stale_seconds`` and did not say they stopped."""
    policy = policy or Policy.from_env()
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=policy.stale_seconds)
    live = [
        WorkerView(
            worker_id=w.worker_id, host=w.host, pid=w.pid, started_at=w.started_at, last_beat=w.last_beat,
            seconds_since_beat=max(0.0, (now - w.last_beat).total_seconds()), handled=w.handled,
            in_flight=w.in_flight, version=w.version,
        )
        for w in WorkerHeartbeat.objects.filter(last_beat__gte=since, stopped_at__isnull=True).order_by("worker_id")
    ]  # fmt: skip
    last = WorkerHeartbeat.objects.order_by("-last_beat").values_list("last_beat", flat=True).first()
    return WorkerStatus(live=live, last_beat=last, stale_after=policy.stale_seconds)
