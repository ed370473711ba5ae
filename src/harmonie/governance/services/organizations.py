from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from harmonie.accounts.models import User
from harmonie.core.audit import audit_record
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import Dimension, GovernancePreset, Market, Member, Organization, Role, RoleAssignment
from harmonie.governance.presets import BUILTIN_DIMENSIONS
from harmonie.governance.services.markets import market_create_root
from harmonie.governance.services.matrix import preset_fill


@transaction.atomic
def organization_create(
    *,
    name: str,
    admin_user: User,
    slug: str = "",
    preset: str = GovernancePreset.MIXED,
    root_name: str = "Global",
    root_code: str = "GLOBAL",
    languages: list[str] | None = None,
    timezone: str = "UTC",
    currency: str = "EUR",
) -> tuple[Organization, Member]:
    """A new organization with its Global market, the built-in dimensions, the chosen preset
    filled in, and ``admin_user`` as its first org admin."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the organization a name."), field="name")
    if preset not in GovernancePreset.values or preset == GovernancePreset.CUSTOM:
        raise ValidationFailed(_("Choose a preset: centralized, mixed or decentralized."), field="preset")
    slug = slugify(slug or name)[:80]
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(_("An organization with the slug %(slug)s already exists.") % {"slug": slug}, field="slug")
    if not isinstance(admin_user, get_user_model()):
        raise ValidationFailed("admin_user must be a user")
    org = Organization.objects.create(name=name, slug=slug, governance_preset=preset)
    root: Market = market_create_root(
        organization_id=org.pk,
        code=root_code,
        name=root_name,
        languages=languages or ["en"],
        timezone=timezone,
        currency=currency,
    )
    for position, (key, label, description) in enumerate(BUILTIN_DIMENSIONS):
        Dimension.objects.create(
            organization=org,
            key=key,
            name=str(label),
            description=str(description),
            is_builtin=True,
            position=(position + 1) * 10,
        )
    member = Member.objects.create(organization=org, user=admin_user)
    RoleAssignment.objects.create(member=member, role=Role.ORG_ADMIN, market=root)
    audit_record(
        organization_id=org.pk,
        actor=admin_user,
        action="organization.create",
        target=org,
        after={"name": org.name, "slug": org.slug, "preset": preset, "root_market": root.pk},
    )
    preset_fill(organization=org, preset=preset, actor_user=admin_user)
    return org, member
