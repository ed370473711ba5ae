"""Organizations, markets, teams, members and roles, dimensions, the governance matrix, channels, budgets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from harmonie.core.models import TimeStampedModel


class GovernancePreset(models.TextChoices):
    CENTRALIZED = "centralized", _("Centralized")
    MIXED = "mixed", _("Mixed")
    DECENTRALIZED = "decentralized", _("Decentralized")
    CUSTOM = "custom", _("Custom")


class Organization(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    governance_preset = models.CharField(
        _("governance preset"), max_length=20, choices=GovernancePreset.choices, default=GovernancePreset.MIXED
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name


class MarketKind(models.TextChoices):
    GLOBAL = "global", pgettext_lazy("market kind", "Global")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")


class Market(TimeStampedModel):
    """Global (the root), a region or a country.

    ``path`` lists the ids from the root, zero-padded (``/0000000001/0000000004/``): subtree queries are a
    prefix match and sorting by path gives the tree in order.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="markets")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    kind = models.CharField(_("kind"), max_length=10, choices=MarketKind.choices)
    code = models.CharField(_("code"), max_length=20, help_text=_("Short code, e.g. FR, EMEA, GLOBAL."))
    name = models.CharField(_("name"), max_length=120)
    languages = models.JSONField(_("languages"), default=list, help_text=_("BCP 47 tags, first is the main one."))
    timezone = models.CharField(_("time zone"), max_length=64, help_text=_("IANA name, e.g. Europe/Paris."))
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217, e.g. EUR."))
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("market")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="market_code_unique_per_org"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(parent__isnull=True), name="market_single_root_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def ancestor_paths(self) -> list[str]:
        """Paths of this market and every ancestor, nearest first."""
        ids = [p for p in self.path.strip("/").split("/") if p]
        return ["/" + "/".join(ids[:i]) + "/" for i in range(len(ids), 0, -1)]

    def ancestor_ids(self) -> list[int]:
        """Ids of this market and every ancestor, nearest first."""
        return [int(p) for p in reversed(self.path.strip("/").split("/")) if p]


class TeamKind(models.TextChoices):
    HQ = "hq", _("HQ team")
    MARKET = "market", _("Market team")
    AGENCY = "agency", _("External agency")


class Team(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=TeamKind.choices)
    market = models.ForeignKey(Market, null=True, blank=True, on_delete=models.PROTECT, related_name="teams")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Member(TimeStampedModel):
    """A user's membership of one organization. Roles are scoped to markets via ``RoleAssignment``."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    is_active = models.BooleanField(_("active"), default=True)
    weekly_hours = models.DecimalField(_("hours per week for social media"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        verbose_name = _("member")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="member_unique_per_org")]

    def __str__(self) -> str:
        return str(self.user)


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Org admin")
    MARKET_LEAD = "market_lead", _("Market lead")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    CONTRIBUTOR = "contributor", _("Contributor")
    APPROVER_LEGAL = "approver_legal", _("Approver (legal)")
    APPROVER_COMPLIANCE = "approver_compliance", _("Approver (compliance)")
    APPROVER_FINANCE = "approver_finance", _("Approver (finance)")
    APPROVER_BRAND = "approver_brand", _("Approver (brand)")
    ANALYST = "analyst", _("Analyst")


class RoleAssignment(models.Model):
    """``member`` holds ``role`` in ``market`` and every market below it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="role_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["market__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["member", "role", "market"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.market}"


class Dimension(TimeStampedModel):
    """A communication dimension: corporate, financial, crisis, product, country, internal/HR, or custom."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    is_builtin = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("dimension")
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="dimension_key_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Ownership(models.TextChoices):
    GLOBAL_ONLY = "global_only", _("Global only")
    GLOBAL_LED = "global_led", _("Global-led, local adaptation")
    LOCAL_LED = "local_led", _("Local-led")
    LOCAL_FREE = "local_free", _("Local-free")


class Creators(models.TextChoices):
    """Who may create content in a cell, from most to least restrictive."""

    GLOBAL_TEAM = "global_team", _("Global team only")
    MARKET_LEADS = "market_leads", _("Market leads")
    COMMUNITY_MANAGERS = "community_managers", _("Community managers")
    CONTRIBUTORS = "contributors", _("All contributors")


class LocalVariants(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("Not allowed")
    ALLOWED = "allowed", _("Allowed")
    REQUIRED = "required", _("Required")


class GovernanceRule(TimeStampedModel):
    """One cell of the governance matrix.

    ``market`` empty: the dimension's default, which applies to every market. A rule with a market
    overrides the default for that market and the markets below it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="governance_rules")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="rules")
    market = models.ForeignKey(Market, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    ownership = models.CharField(_("ownership"), max_length=20, choices=Ownership.choices)
    creators = models.CharField(_("who may create"), max_length=20, choices=Creators.choices)
    local_variants = models.CharField(_("local variants"), max_length=20, choices=LocalVariants.choices)
    cross_market_visibility = models.BooleanField(
        _("other markets may read"),
        default=False,
        help_text=_("Members of other markets may read (never change) this market's drafts in this dimension."),
    )
    # Filled in by the approvals app (approval circuits); a key until then.
    approval_circuit = models.CharField(_("approval circuit"), max_length=80, blank=True)

    class Meta:
        ordering = ["dimension__position", "market__path"]
        verbose_name = _("governance rule")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "market"], name="rule_unique_per_cell"),
            models.UniqueConstraint(
                fields=["dimension"], condition=Q(market__isnull=True), name="rule_unique_default_per_dimension"
            ),
        ]

    def __str__(self) -> str:
        where = self.market.name if self.market_id and self.market else "default"
        return f"{self.dimension} × {where}"


class Network(models.TextChoices):
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    THREADS = "threads", "Threads"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    PINTEREST = "pinterest", "Pinterest"


class Channel(TimeStampedModel):
    """One social account on one network, owned by Global or a market."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    handle = models.CharField(_("handle"), max_length=200)
    display_name = models.CharField(_("display name"), max_length=200)
    owner_market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="owned_channels")
    served_markets = models.ManyToManyField(Market, blank=True, related_name="served_by_channels")
    timezone = models.CharField(_("time zone"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["owner_market__path", "network", "handle"]
        verbose_name = _("channel")
        constraints = [
            models.UniqueConstraint(fields=["organization", "network", "handle"], name="channel_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_network_display()})"


class Budget(TimeStampedModel):
    """Planned spend for one market and dimension over a period (actuals come with analytics)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="budgets")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="budgets")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="budgets")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    planned_amount = models.DecimalField(_("planned amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        ordering = ["period_start", "market__path", "dimension__position"]
        verbose_name = _("budget")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="budget_period_order"),
            models.CheckConstraint(condition=Q(planned_amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.market} / {self.dimension} {self.period_start}–{self.period_end}"


class Invitation(TimeStampedModel):
    """An invitation by expiring link. Only a hash of the link's token is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return self.email
