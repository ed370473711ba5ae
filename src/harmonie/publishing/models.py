"""Publications (one post going to one channel), their attempts, the workers' heartbeats and the shared rate
budgets. The rows are the queue: workers claim them (see ``services/claims.py``), nothing lives only in memory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from harmonie.core.models import TimeStampedModel
from harmonie.publishing.states import CommentStatus, PublicationStatus


class Publication(TimeStampedModel):
    """One post on its way to its channel. ``idempotency_key`` is chosen once, when the publication is created
    (the connector's ``new_key()``), and sent on every attempt: a Bluesky record key, a Mastodon Idempotency-Key,
    what the reconciliation looks for. A worker owns a claimed or sending publication until ``lease_until``."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="publications")
    channel = models.ForeignKey("governance.Channel", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.PENDING
    )
    due_at = models.DateTimeField(_("due at"))
    idempotency_key = models.CharField(max_length=100)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The last call's outcome is unknown (the worker died or the call broke mid-way): reconcile before sending.
    must_reconcile = models.BooleanField(default=False)
    claimed_by = models.CharField(max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=500, blank=True)
    remote_uri = models.CharField(max_length=1000, blank=True)
    remote_cid = models.CharField(max_length=200, blank=True)
    remote_url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error_kind = models.CharField(max_length=20, blank=True)
    last_error = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The post's first comment, published as a reply once the post is out (``services/comments.py``): its own key
    # (chosen with the publication's), its own attempts, its own outcome; it never changes the post's status. While
    # it is pending or sending, ``claimed_by`` and ``lease_until`` say which worker owns it.
    comment_status = models.CharField(
        _("first comment"), max_length=12, choices=CommentStatus.choices, blank=True, default=CommentStatus.NONE
    )
    comment_key = models.CharField(max_length=100, blank=True, default="")
    comment_tries = models.PositiveIntegerField(default=0)
    comment_next_attempt_at = models.DateTimeField(null=True, blank=True)
    comment_must_reconcile = models.BooleanField(default=False)
    comment_remote_id = models.CharField(max_length=500, blank=True, default="")
    comment_remote_uri = models.CharField(max_length=1000, blank=True, default="")
    comment_url = models.URLField(max_length=2000, blank=True, default="")
    comment_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["comment_status", "lease_until"], name="publication_comment_due"),
            models.Index(fields=["status", "next_attempt_at"], name="publication_due"),
            models.Index(fields=["status", "lease_until"], name="publication_lease"),
            models.Index(fields=["channel", "status"], name="publication_channel_status"),
            models.Index(fields=["organization", "status"], name="publication_org_status"),
        ]
        constraints = [
            # Two workers can never both start a publication of the same post: the second insert fails.
            models.UniqueConstraint(
                fields=["post"], condition=~Q(status__in=["failed", "cancelled"]), name="one_live_publication_per_post"
            ),
            models.UniqueConstraint(fields=["channel", "idempotency_key"], name="publication_key_unique"),
        ]

    def __str__(self) -> str:
        return f"publication {self.pk} of post {self.post_id} ({self.status})"


class AttemptKind(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    RECONCILE = "reconcile", _("Check on the network")
    COMMENT = "comment", _("First comment")
    COMMENT_CHECK = "comment_check", _("Check the first comment on the network")


class AttemptOutcome(models.TextChoices):
    IN_FLIGHT = "", _("In flight")
    PUBLISHED = "published", _("Published")
    RETRY = "retry", _("Will retry")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")
    FOUND = "found", _("Found on the network")
    ABSENT = "absent", _("Not on the network")
    UNDETERMINED = "undetermined", _("The network cannot tell")
    LOST = "lost", _("Worker stopped during the call")
    NOT_SENT = "not_sent", _("Not sent")


class PublicationAttempt(models.Model):
    """One call to the network for a publication (its post, or its first comment), written (and committed) before
    the call is made, finished after it: a row left without ``finished_at`` is a call whose outcome nobody saw.
    The first publish attempt of a post is written by the claim that takes it (``services/claims.py``)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=AttemptKind.choices, default=AttemptKind.PUBLISH)
    worker = models.CharField(max_length=120)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices, blank=True)
    error_kind = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["publication_id", "number"]
        constraints = [models.UniqueConstraint(fields=["publication", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"attempt {self.number} of publication {self.publication_id}: {self.kind} {self.outcome or '…'}"


class WorkerHeartbeat(models.Model):
    """A running ``harmonie worker``: it beats every few seconds; ``/health`` and the publishing page show it."""

    worker_id = models.CharField(max_length=120, unique=True)  # host:pid:start
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    version = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    last_beat = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    handled = models.PositiveIntegerField(default=0)  # publications this worker brought to an end
    in_flight = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_beat"]

    def __str__(self) -> str:
        return self.worker_id


class Throttle(models.Model):
    """A token bucket shared by every worker, for one account (``channel:<id>``) or one network
    (``network:<name>``). Claims lock the row (``SELECT … FOR UPDATE``), so the bucket and the count of calls
    in flight hold across workers and machines. ``blocked_until``: the network said to wait (a 429's
    ``retry_after``)."""

    scope = models.CharField(max_length=80, unique=True)
    capacity = models.FloatField()  # the budget's calls: the bucket's size
    rate = models.FloatField()  # tokens added per second (calls / seconds)
    tokens = models.FloatField()
    refilled_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.scope}: {self.tokens:.1f}"
