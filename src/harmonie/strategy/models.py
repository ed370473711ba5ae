"""Objectives and KPIs, audiences, the brand platform, the editorial charter, cadence and resources."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from harmonie.core.models import TimeStampedModel


class StrategyPolicy(TimeStampedModel):
    """Organization-wide strategy switches."""

    organization = models.OneToOneField(
        "governance.Organization", on_delete=models.CASCADE, related_name="strategy_policy"
    )
    objectives_first = models.BooleanField(
        _("objectives first"),
        default=True,
        help_text=_("Refuse to schedule posts on a channel with no active objective that has a KPI."),
    )

    def __str__(self) -> str:
        return f"Strategy policy of {self.organization_id}"


class ObjectiveType(models.TextChoices):
    AWARENESS = "awareness", _("Awareness / notoriety")
    IMAGE = "image", _("Image")
    ENGAGEMENT = "engagement", _("Engagement")
    DRIVE_TO_WEB = "drive_to_web", _("Drive to web")
    DRIVE_TO_STORE = "drive_to_store", _("Drive to store")
    DATA_CAPTURE = "data_capture", _("Data capture (leads)")
    SALES = "sales", _("Sales")
    LOYALTY = "loyalty", _("Loyalty")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    RECRUITMENT = "recruitment", _("Recruitment")


class RelationMode(models.TextChoices):
    VISIBILITY = "visibility", _("Visibility")
    EXPERTISE = "expertise", _("Expertise")
    PROXIMITY = "proximity", _("Proximity")


class Approach(models.TextChoices):
    ATTRACT = "attract", _("Attract")
    PUSH = "push", _("Push")


class Voice(models.TextChoices):
    BRAND = "brand", _("The brand")
    EXECUTIVE = "executive", _("An executive")
    EXPERT = "expert", _("An expert")
    COMMUNITY_MANAGER = "community_manager", _("A community manager")


class AudienceKind(models.TextChoices):
    B2B = "b2b", "B2B"
    B2C = "b2c", "B2C"


class AgeBand(models.TextChoices):
    TEENS = "13-17", "13–17"
    YOUNG = "18-24", "18–24"
    ADULT = "25-34", "25–34"
    MID = "35-44", "35–44"
    MATURE = "45-54", "45–54"
    SENIOR = "55+", "55+"


class Audience(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="audiences")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("B2B or B2C"), max_length=3, choices=AudienceKind.choices)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    markets = models.ManyToManyField("governance.Market", blank=True, related_name="audiences")
    description = models.TextField(_("description"), blank=True)
    relation_mode = models.CharField(_("relation mode"), max_length=12, choices=RelationMode.choices)
    approach = models.CharField(_("attract or push"), max_length=8, choices=Approach.choices)
    voice = models.CharField(_("voice"), max_length=20, choices=Voice.choices, default=Voice.BRAND)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="audience_name_unique")]

    def __str__(self) -> str:
        return self.name


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class Objective(TimeStampedModel):
    """What social media must achieve, for Global or one market, over a period, measured by KPIs."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="objectives")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="objectives")
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=ObjectiveType.choices)
    description = models.TextField(_("description"), blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    audience = models.ForeignKey(Audience, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives")
    channels = models.ManyToManyField("governance.Channel", blank=True, related_name="objectives")
    relation_mode = models.CharField(_("relation mode"), max_length=12, choices=RelationMode.choices, blank=True)
    approach = models.CharField(_("attract or push"), max_length=8, choices=Approach.choices, blank=True)
    voice = models.CharField(_("voice"), max_length=20, choices=Voice.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["market__path", "period_start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="objective_period"),
        ]

    def __str__(self) -> str:
        return self.name


class KPI(TimeStampedModel):
    """One indicator of an objective: a metric from the dictionary, a baseline, a target, a period."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis")
    metric = models.CharField(_("metric"), max_length=40)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["objective_id", "metric"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="kpi_period"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} → {self.target}"


class BrandPlatform(TimeStampedModel):
    organization = models.OneToOneField(
        "governance.Organization", on_delete=models.CASCADE, related_name="brand_platform"
    )
    dna = models.TextField(_("brand DNA"), blank=True)
    story = models.TextField(_("story"), blank=True)
    value_proposition = models.TextField(_("value proposition"), blank=True)
    tone_of_voice = models.TextField(_("tone of voice"), blank=True)
    # Brand and product names as they must be spelled in every language ("Vireo", "Vireo Coat X").
    names = models.JSONField(_("brand and product names"), default=list, blank=True)

    def __str__(self) -> str:
        return f"Brand platform of {self.organization_id}"


class KeyMessage(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="key_messages")
    text = models.TextField(_("key message"))
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class KeyMessageAdaptation(TimeStampedModel):
    """A market's local wording of a global key message."""

    key_message = models.ForeignKey(KeyMessage, on_delete=models.CASCADE, related_name="adaptations")
    market = models.ForeignKey("governance.Market", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("local wording"))

    class Meta:
        ordering = ["market__path"]
        constraints = [models.UniqueConstraint(fields=["key_message", "market"], name="adaptation_unique")]

    def __str__(self) -> str:
        return self.text[:60]


class ContentPillar(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="pillars")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    target_share = models.DecimalField(_("target share (%)"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="pillar_name_unique"),
            models.CheckConstraint(
                condition=Q(target_share__gte=0) & Q(target_share__lte=100), name="pillar_share_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CharterRule(TimeStampedModel):
    """One machine-checked rule of the editorial charter, for Global or a market, optionally one dimension/network."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="charter_rules")
    market = models.ForeignKey("governance.Market", on_delete=models.CASCADE, related_name="charter_rules")
    dimension = models.ForeignKey(
        "governance.Dimension", null=True, blank=True, on_delete=models.CASCADE, related_name="charter_rules"
    )
    network = models.CharField(_("network"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20)
    severity = models.CharField(_("severity"), max_length=5)
    params = models.JSONField(_("parameters"), default=dict)
    rationale = models.TextField(_("rationale"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["market__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class PostFormat(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    LIVE = "live", _("Live")


class CadenceTarget(TimeStampedModel):
    """How often a channel should publish, and in which main format."""

    channel = models.OneToOneField("governance.Channel", on_delete=models.CASCADE, related_name="cadence")
    posts_per_week = models.DecimalField(_("posts per week"), max_digits=6, decimal_places=2)
    main_format = models.CharField(_("main format"), max_length=5, choices=PostFormat.choices)
    basis = models.CharField(_("basis"), max_length=255, blank=True, help_text=_("Benchmark or reason used."))

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.posts_per_week}/week"


class FormatEffort(TimeStampedModel):
    """Minutes a team spends on one post of a format (writing, visuals, approval, community follow-up)."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="format_efforts")
    format = models.CharField(_("format"), max_length=5, choices=PostFormat.choices)
    minutes_per_post = models.PositiveIntegerField(_("minutes per post"))

    class Meta:
        ordering = ["format"]
        constraints = [models.UniqueConstraint(fields=["organization", "format"], name="format_effort_unique")]

    def __str__(self) -> str:
        return f"{self.format}: {self.minutes_per_post} min"
