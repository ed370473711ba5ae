"""Campaigns, master content and its localizations, posts, the media library, calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from harmonie.content.states import PostStatus
from harmonie.core.models import TimeStampedModel

__all__ = ["PostStatus"]


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ARCHIVED = "archived", _("Archived")


class Campaign(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    dimension = models.ForeignKey("governance.Dimension", on_delete=models.PROTECT, related_name="campaigns")
    objectives = models.ManyToManyField("strategy.Objective", blank=True, related_name="campaigns")
    budget = models.ForeignKey(
        "governance.Budget", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="campaign_name_unique")]

    def __str__(self) -> str:
        return self.name


class CampaignLaunch(models.Model):
    """A campaign's launch date in one market: launches may be staggered by zone (seed 001)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="launches")
    market = models.ForeignKey("governance.Market", on_delete=models.CASCADE, related_name="+")
    launch_date = models.DateField(_("launch date"))

    class Meta:
        ordering = ["launch_date", "market__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "market"], name="launch_unique_per_market")]

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.market_id}: {self.launch_date}"


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")


class MediaAsset(TimeStampedModel):
    """An image or video of the library, with its usage rights."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="media")
    owner_market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="media")
    file = models.FileField(upload_to="media/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=5, choices=MediaKind.choices)
    mime_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    alt_text = models.TextField(_("alternative text"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    rights_holder = models.CharField(_("rights holder"), max_length=200, blank=True)
    rights_expire_at = models.DateTimeField(_("usage rights expire"), null=True, blank=True)
    allowed_markets = models.ManyToManyField(
        "governance.Market", blank=True, related_name="+", help_text=_("Empty: every market.")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.original_name


class ContentKind(models.TextChoices):
    MASTER = "master", _("Master content")
    LOCAL = "local", _("Local content")
    STATEMENT = "statement", _("Holding statement")


class MasterContent(TimeStampedModel):
    """Brand content, usually written at Global, to be localized per market — or local-only content
    (``kind=local``) written by a market where the governance matrix allows it."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="masters")
    kind = models.CharField(_("kind"), max_length=10, choices=ContentKind.choices, default=ContentKind.MASTER)
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="masters")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="masters")
    dimension = models.ForeignKey("governance.Dimension", on_delete=models.PROTECT, related_name="masters")
    pillar = models.ForeignKey(
        "strategy.ContentPillar", null=True, blank=True, on_delete=models.SET_NULL, related_name="masters"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    source_language = models.CharField(_("source language"), max_length=16)
    key_messages = models.ManyToManyField("strategy.KeyMessage", blank=True, related_name="masters")
    media = models.ManyToManyField(MediaAsset, blank=True, related_name="masters")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("master content")

    def __str__(self) -> str:
        return self.title


class MasterRevision(models.Model):
    """The text of a master at each version, so an outdated localization can show what changed."""

    master = models.ForeignKey(MasterContent, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["master_id", "version"]
        constraints = [models.UniqueConstraint(fields=["master", "version"], name="revision_unique")]

    def __str__(self) -> str:
        return f"{self.master_id} v{self.version}"


class LocalizationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ADOPTED = "adopted", _("Adopted as is")
    ADAPTED = "adapted", _("Adapted")
    DECLINED = "declined", _("Declined")


class Localization(TimeStampedModel):
    """A market's local variant of a master, in one language."""

    master = models.ForeignKey(MasterContent, on_delete=models.CASCADE, related_name="localizations")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="localizations")
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(
        _("state"), max_length=10, choices=LocalizationState.choices, default=LocalizationState.PENDING
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("local text"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    based_on_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["market__path", "language"]
        constraints = [
            models.UniqueConstraint(fields=["master", "market", "language"], name="localization_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.master_id} → {self.market_id}/{self.language}"


class Post(TimeStampedModel):
    """What goes to one channel at one time. ``scheduled_at`` is stored in UTC and shown in the
    channel's time zone."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="posts")
    channel = models.ForeignKey("governance.Channel", on_delete=models.PROTECT, related_name="posts")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="posts")
    master = models.ForeignKey(MasterContent, on_delete=models.PROTECT, related_name="posts")
    localization = models.ForeignKey(
        Localization, null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    text = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=2000, blank=True)
    first_comment = models.TextField(_("first comment"), blank=True)
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    media = models.ManyToManyField(MediaAsset, blank=True, related_name="posts")
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    # Why the post is in its status, for people: the failure reason, why it needs a new time, the crisis.
    status_note = models.TextField(_("status note"), blank=True)
    # The status a crisis hold interrupted (restored on release when still valid).
    held_from = models.CharField(max_length=20, blank=True)
    # Bumped by every change of what the post says; approvals are given to one revision.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(fields=["organization", "scheduled_at"]),
            models.Index(fields=["channel", "scheduled_at"]),
            models.Index(fields=["status", "scheduled_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "publishing", "published", "unconfirmed"])
                | Q(scheduled_at__isnull=False),
                name="scheduled_post_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} @ {self.scheduled_at}"


class CalendarFeed(TimeStampedModel):
    """An iCal feed of one market's or one channel's posts, read with a secret token (hash stored)."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="calendar_feeds")
    market = models.ForeignKey("governance.Market", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("governance.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(market__isnull=False) ^ Q(channel__isnull=False), name="feed_market_xor_channel"
            )
        ]

    def __str__(self) -> str:
        return self.name
