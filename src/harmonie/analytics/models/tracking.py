"""Tracking and entered data: UTM presets, first-party short links and their clicks (drive to web; QR codes are
short links too), promo codes and their redemptions (drive to store), leads (data capture), and spend by media type
(paid / owned / earned) for the cost per result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from harmonie.core.models import TimeStampedModel


class Origin(models.TextChoices):
    MANUAL = "manual", _("Entered")
    IMPORT = "import", _("Imported")


class UtmPreset(TimeStampedModel):
    """UTM values to apply to links, for the organization (no market), a market, or a campaign. The most specific
    preset wins: campaign, then market (and its parents), then organization."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("governance.Market", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="utm_presets"
    )
    name = models.CharField(_("name"), max_length=120)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=100, blank=True)
    utm_term = models.CharField("utm_term", max_length=100, blank=True)
    utm_content = models.CharField("utm_content", max_length=100, blank=True)

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name


class LinkPurpose(models.TextChoices):
    POST = "post", _("Post link")
    QR = "qr", _("QR code")
    MANUAL = "manual", _("Manual")


class ShortLink(TimeStampedModel):
    """``/l/<code>`` redirects to ``destination`` (UTM parameters already in it) and counts the click."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="short_links"
    )
    post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="short_links"
    )
    channel = models.ForeignKey(
        "governance.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    destination = models.URLField(_("destination"), max_length=2000)
    purpose = models.CharField(_("purpose"), max_length=10, choices=LinkPurpose.choices, default=LinkPurpose.MANUAL)
    label = models.CharField(_("label"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "market"], name="shortlink_org_market")]

    def __str__(self) -> str:
        return f"/l/{self.code}"


class LinkClick(models.Model):
    """One request to a short link. Nothing personal is kept (no IP address): the time, whether the user agent is a
    bot (bots are kept apart, never counted as clicks) and the referring site's host."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField()
    is_bot = models.BooleanField(default=False)
    referrer_host = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["link_id", "clicked_at"]
        indexes = [models.Index(fields=["link", "is_bot", "clicked_at"], name="click_link_time")]

    def __str__(self) -> str:
        return f"click on {self.link_id} at {self.clicked_at:%Y-%m-%d %H:%M}"


class PromoCode(TimeStampedModel):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="promo_codes"
    )
    code = models.CharField(_("code"), max_length=40)
    description = models.CharField(_("description"), max_length=255, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organization_id", "code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="promo_code_unique_per_org")]

    def __str__(self) -> str:
        return self.code


class PromoRedemption(TimeStampedModel):
    """Redemptions of a promo code on one day (entered or imported; importing the same day again replaces it)."""

    promo_code = models.ForeignKey(PromoCode, on_delete=models.CASCADE, related_name="redemptions")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("redemptions"))
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, null=True, blank=True)
    origin = models.CharField(max_length=6, choices=Origin.choices, default=Origin.MANUAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["promo_code_id", "day"]
        constraints = [models.UniqueConstraint(fields=["promo_code", "day"], name="redemption_one_per_code_day")]

    def __str__(self) -> str:
        return f"{self.promo_code_id} {self.day}: {self.count}"


class LeadEntry(TimeStampedModel):
    """Leads captured on one day for a market (optionally a campaign and a channel), from one source (a form,
    lead ads, a download)."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_entries"
    )
    channel = models.ForeignKey(
        "governance.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("leads"))
    source = models.CharField(_("source"), max_length=120, blank=True)
    origin = models.CharField(max_length=6, choices=Origin.choices, default=Origin.MANUAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-day", "pk"]
        indexes = [models.Index(fields=["organization", "day"], name="lead_org_day")]

    def __str__(self) -> str:
        return f"{self.count} leads on {self.day}"


class MediaType(models.TextChoices):
    PAID = "paid", _("Paid")
    OWNED = "owned", _("Owned")
    EARNED = "earned", _("Earned")


class SpendEntry(TimeStampedModel):
    """Actual spend over a period (entered or imported), by media type, against a budget where there is one. Paid
    results the networks' ad managers report (impressions, clicks, conversions) come with the spend."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    market = models.ForeignKey("governance.Market", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(
        "governance.Budget", null=True, blank=True, on_delete=models.SET_NULL, related_name="spend_entries"
    )
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="spend_entries"
    )
    channel = models.ForeignKey(
        "governance.Channel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    media_type = models.CharField(_("media type"), max_length=6, choices=MediaType.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=255, blank=True)
    impressions = models.PositiveBigIntegerField(_("impressions"), null=True, blank=True)
    clicks = models.PositiveBigIntegerField(_("clicks"), null=True, blank=True)
    engagements = models.PositiveBigIntegerField(_("engagements"), null=True, blank=True)
    conversions = models.PositiveBigIntegerField(_("conversions"), null=True, blank=True)
    origin = models.CharField(max_length=6, choices=Origin.choices, default=Origin.MANUAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-period_start", "pk"]
        indexes = [models.Index(fields=["organization", "period_start"], name="spend_org_start")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="spend_period_order"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.media_type} {self.amount} {self.currency}"
