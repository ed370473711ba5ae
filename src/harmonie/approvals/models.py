"""Approval circuits and their conditions, the review of each post, external review links, notifications,
crises with their holding statements and timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from harmonie.approvals.reasons import describe_reason
from harmonie.core.models import TimeStampedModel
from harmonie.governance.models import Role


class StepMode(models.TextChoices):
    ANY = "any", _("Any one of them")
    ALL = "all", _("All of them")


class ApprovalCircuit(TimeStampedModel):
    """Ordered review steps. The governance matrix names a circuit per dimension × market by its ``key``."""

    organization = models.ForeignKey(
        "governance.Organization", on_delete=models.CASCADE, related_name="approval_circuits"
    )
    key = models.SlugField(_("key"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="circuit_key_unique")]

    def __str__(self) -> str:
        return self.name


class CircuitStep(models.Model):
    """One step: who approves (a role, a team, a market's holders of a role, one person, or an external
    reviewer through a link), whether any one or all of them must, and how fast."""

    circuit = models.ForeignKey(ApprovalCircuit, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    mode = models.CharField(_("who must approve"), max_length=3, choices=StepMode.choices, default=StepMode.ANY)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    team = models.ForeignKey("governance.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    market = models.ForeignKey(
        "governance.Market",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the role is looked for in the post's market and the markets above it."),
    )
    member = models.ForeignKey("governance.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external = models.BooleanField(
        _("external reviewer"), default=False, help_text=_("Approved by someone outside through a review link.")
    )
    response_hours = models.PositiveIntegerField(_("response time target (hours)"), default=24)

    class Meta:
        ordering = ["circuit_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(external=True) | ~Q(role="") | Q(team__isnull=False) | Q(member__isnull=False),
                name="step_names_approvers",
            )
        ]

    def __str__(self) -> str:
        return f"{self.circuit_id}#{self.position} {self.name}"


class ConditionKind(models.TextChoices):
    NETWORK = "network", _("Published on a network")
    CAMPAIGN = "campaign", _("Part of a campaign")
    CHARTER_WARN = "charter_warn", _("The charter warns")
    FIGURES = "figures", _("Contains figures or financial terms")
    CRISIS = "crisis", _("During a crisis")


class CircuitCondition(TimeStampedModel):
    """Adds a circuit's steps to the matrix circuit when a post meets the condition."""

    organization = models.ForeignKey(
        "governance.Organization", on_delete=models.CASCADE, related_name="circuit_conditions"
    )
    kind = models.CharField(_("condition"), max_length=20, choices=ConditionKind.choices)
    network = models.CharField(_("network"), max_length=20, blank=True)
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="circuit_conditions"
    )
    dimension = models.ForeignKey(
        "governance.Dimension",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every dimension."),
    )
    circuit = models.ForeignKey(ApprovalCircuit, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.circuit_id}"


class RequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("review round", "Open")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApprovalRequest(models.Model):
    """One round of review of one revision of a post, with the steps resolved when it was submitted."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="approval_requests")
    round = models.PositiveIntegerField(default=1)
    post_revision = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    # Why these steps: [{"circuit": key, "name": ..., "why": {"code": ..., parameters}}], language-neutral: put
    # into words in the reader's language (``reason_list``).
    reasons = models.JSONField(default=list)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)

    class Meta:
        ordering = ["post_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["post", "round"], name="request_round_unique"),
            models.UniqueConstraint(fields=["post"], condition=Q(status="open"), name="one_open_request_per_post"),
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} round {self.round}"

    @property
    def reason_list(self) -> list[dict[str, str]]:
        """The reasons in words, in the active language."""
        return [
            {"circuit": str(r.get("circuit", "")), "name": str(r.get("name", "")),
             "reason": describe_reason(r.get("why") or {})}
            for r in self.reasons
        ]  # fmt: skip


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApprovalStep(models.Model):
    """A step of a request. ``approver_ids`` are the members who may act, fixed at submission (never the
    author); for an ``all`` step each of them must approve."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    mode = models.CharField(max_length=3, choices=StepMode.choices)
    external = models.BooleanField(default=False)
    approver_ids = models.JSONField(default=list)
    # Why the step is there, language-neutral (see ``approvals.resolution.describe_reason``).
    why = models.JSONField(default=dict, blank=True)
    response_hours = models.PositiveIntegerField(default=24)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request_id", "position"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.name}"

    @property
    def reason(self) -> str:
        """Why the step is there, in words, in the active language."""
        return describe_reason(self.why) if self.why else ""


class ReviewVerb(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    COMMENT = "comment", _("Commented")
    APPROVE = "approve", _("Approved")
    REQUEST_CHANGES = "request_changes", _("Requested changes")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Approvals withdrawn")


class ReviewAction(models.Model):
    """What a reviewer (member or external) did on a post: the review thread."""

    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="review_actions")
    request = models.ForeignKey(ApprovalRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(ApprovalStep, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    verb = models.CharField(max_length=20, choices=ReviewVerb.choices)
    member = models.ForeignKey("governance.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_link = models.ForeignKey(
        "approvals.ExternalReviewLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    author_label = models.CharField(max_length=200)
    comment = models.TextField(blank=True)
    post_revision = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_label} {self.verb} post {self.post_id}"


class ExternalReviewLink(TimeStampedModel):
    """An expiring link letting one person outside the organization view, comment on, approve or reject the
    posts it names — nothing else. Only the token's SHA-256 is stored."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    reviewer_name = models.CharField(_("reviewer's name"), max_length=200)
    reviewer_email = models.EmailField(_("reviewer's e-mail"), blank=True)
    posts = models.ManyToManyField("content.Post", related_name="external_links")
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reviewer_name} (link {self.pk})"


class Notification(models.Model):
    """Something a member should look at: a post to review, changes requested, a decision, an overdue step."""

    member = models.ForeignKey("governance.Member", on_delete=models.CASCADE, related_name="notifications")
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "read_at"])]

    def __str__(self) -> str:
        return self.message


class CrisisStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Crisis(TimeStampedModel):
    """A declared crisis. Scope: the whole organization (no markets and no channels), or some markets
    (and the markets below them), or some channels, or both (a post is in scope if it matches either)."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="crises")
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"))
    markets = models.ManyToManyField("governance.Market", blank=True, related_name="+")
    channels = models.ManyToManyField("governance.Channel", blank=True, related_name="+")
    circuit = models.ForeignKey(
        ApprovalCircuit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The circuit new posts in scope follow; empty: the organization's crisis conditions."),
    )  # fmt: skip
    status = models.CharField(max_length=10, choices=CrisisStatus.choices, default=CrisisStatus.ACTIVE)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField()
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(_("lessons learned"), blank=True)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name_plural = "crises"

    def __str__(self) -> str:
        return self.title

    @property
    def is_org_wide(self) -> bool:
        return not self.markets.exists() and not self.channels.exists()


class CrisisEventKind(models.TextChoices):
    DECLARED = "declared", _("Crisis declared")
    HELD = "held", _("Post put on hold")
    STATEMENT = "statement", _("Holding statement scheduled")
    RELEASED = "released", _("Post released")
    RESCHEDULED = "rescheduled", _("Post rescheduled")
    CANCELLED = "cancelled", _("Post cancelled")
    NOTE = "note", _("Note")
    ENDED = "ended", _("Crisis ended")


class CrisisEvent(models.Model):
    """The crisis timeline that the after-action report reads."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CrisisEventKind.choices)
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.crisis_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class HoldingStatement(TimeStampedModel):
    """A pre-approved statement, in one language, that can go out at once during a crisis."""

    organization = models.ForeignKey(
        "governance.Organization", on_delete=models.CASCADE, related_name="holding_statements"
    )
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=16)
    text = models.TextField(_("text"))
    dimension = models.ForeignKey("governance.Dimension", on_delete=models.PROTECT, related_name="+")
    # The content the statement's posts come from (local content at Global), made with the statement.
    master = models.OneToOneField(
        "content.MasterContent", null=True, blank=True, on_delete=models.SET_NULL, related_name="holding_statement"
    )
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField()
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title", "language"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "title", "language"], name="statement_unique_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
