"""Dimensions and the governance matrix: presets, cell edits, overrides."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from harmonie.accounts.models import User
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import (
    Creators,
    Dimension,
    GovernancePreset,
    GovernanceRule,
    LocalVariants,
    Market,
    Organization,
    Ownership,
)
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.presets import preset_cell

RULE_FIELDS = ["ownership", "creators", "local_variants", "cross_market_visibility", "approval_circuit"]
DIMENSION_FIELDS = ["key", "name", "description", "position"]


def _rule_target_label(rule: GovernanceRule, dimension: Dimension, market: Market | None) -> str:
    return f"{dimension.name} × {market.name if market else _('default (all markets)')}"


def _check_cell(*, ownership: str, creators: str, local_variants: str) -> None:
    if ownership not in Ownership.values:
        raise ValidationFailed(_("Choose an ownership: %(v)s.") % {"v": ", ".join(Ownership.values)}, field="ownership")
    if creators not in Creators.values:
        raise ValidationFailed(_("Choose who may create: %(v)s.") % {"v": ", ".join(Creators.values)}, field="creators")
    if local_variants not in LocalVariants.values:
        raise ValidationFailed(
            _("Choose a local variants rule: %(v)s.") % {"v": ", ".join(LocalVariants.values)}, field="local_variants"
        )
    # Combinations that contradict themselves are refused with the reason.
    if ownership == Ownership.GLOBAL_ONLY and creators != Creators.GLOBAL_TEAM:
        raise ValidationFailed(
            _("A 'global only' dimension can only be created by the global team; choose 'Global team only'."),
            field="creators",
        )
    if ownership in (Ownership.LOCAL_LED, Ownership.LOCAL_FREE) and local_variants == LocalVariants.NOT_ALLOWED:
        raise ValidationFailed(
            _("Local-led or local-free content cannot forbid local variants; allow or require them."),
            field="local_variants",
        )


def preset_fill(*, organization: Organization, preset: str, actor_user: User | None) -> list[GovernanceRule]:
    """Set every dimension's default cell from ``preset`` and drop market overrides (audited)."""
    changed: list[GovernanceRule] = []
    for override in GovernanceRule.objects.filter(organization=organization, market__isnull=False).select_related(
        "dimension", "market"
    ):
        audit_record(
            organization_id=organization.pk,
            actor=actor_user,
            action="governance_rule.clear",
            target=override,
            before=snapshot(override, RULE_FIELDS),
            after=None,
            market_id=override.market_id,
            target_label=_rule_target_label(override, override.dimension, override.market),
        )
        override.delete()
    for dimension in Dimension.objects.filter(organization=organization):
        cell = preset_cell(preset, dimension.key)
        rule = GovernanceRule.objects.filter(dimension=dimension, market__isnull=True).first()
        before = snapshot(rule, RULE_FIELDS) if rule else None
        if rule is None:
            rule = GovernanceRule(organization=organization, dimension=dimension, market=None)
        rule.ownership, rule.creators, rule.local_variants = cell.ownership, cell.creators, cell.local_variants
        rule.cross_market_visibility = False
        after = snapshot(rule, RULE_FIELDS)
        if before != after:
            rule.save()
            audit_record(
                organization_id=organization.pk,
                actor=actor_user,
                action="governance_rule.set",
                target=rule,
                before=before,
                after=after,
                target_label=_rule_target_label(rule, dimension, None),
            )
            changed.append(rule)
    return changed


@transaction.atomic
def governance_preset_apply(*, actor: Actor, preset: str) -> list[GovernanceRule]:
    actor.require_global(Perm.GOVERNANCE_EDIT)
    if preset not in (GovernancePreset.CENTRALIZED, GovernancePreset.MIXED, GovernancePreset.DECENTRALIZED):
        raise ValidationFailed(_("Choose a preset: centralized, mixed or decentralized."), field="preset")
    org = actor.organization
    before = org.governance_preset
    org.governance_preset = preset
    org.save(update_fields=["governance_preset", "updated_at"])
    audit_record(
        organization_id=org.pk,
        actor=actor.user,
        action="governance.preset_apply",
        target=org,
        before={"preset": before},
        after={"preset": preset},
    )
    return preset_fill(organization=org, preset=preset, actor_user=actor.user)


def _mark_custom(actor: Actor) -> None:
    org = actor.organization
    if org.governance_preset != GovernancePreset.CUSTOM:
        org.governance_preset = GovernancePreset.CUSTOM
        org.save(update_fields=["governance_preset", "updated_at"])


@transaction.atomic
def governance_rule_set(
    *,
    actor: Actor,
    dimension: Dimension,
    market: Market | None,
    ownership: str,
    creators: str,
    local_variants: str,
    cross_market_visibility: bool = False,
    approval_circuit: str = "",
) -> GovernanceRule:
    """Set one cell: the dimension's default (``market=None``) or a market override."""
    actor.require_global(Perm.GOVERNANCE_EDIT)
    if dimension.organization_id != actor.organization_id or (
        market is not None and market.organization_id != actor.organization_id
    ):
        raise ValidationFailed(_("That dimension or market belongs to another organization."))
    if market is not None and market.is_root:
        market = None  # Global's cell is the dimension default.
    _check_cell(ownership=ownership, creators=creators, local_variants=local_variants)
    # Circuits are defined by the approvals app, which builds on governance: imported here, not at module level.
    from harmonie.approvals.services.circuits import check_circuit_key  # noqa: PLC0415

    check_circuit_key(organization_id=actor.organization_id, key=(approval_circuit or "").strip())
    rule = GovernanceRule.objects.select_for_update().filter(dimension=dimension, market=market).order_by("pk").first()
    before = snapshot(rule, RULE_FIELDS) if rule else None
    if rule is None:
        rule = GovernanceRule(organization=actor.organization, dimension=dimension, market=market)
    rule.ownership = ownership
    rule.creators = creators
    rule.local_variants = local_variants
    rule.cross_market_visibility = bool(cross_market_visibility)
    rule.approval_circuit = (approval_circuit or "").strip()
    after = snapshot(rule, RULE_FIELDS)
    if before == after:
        return rule
    rule.save()
    _mark_custom(actor)
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="governance_rule.set",
        target=rule,
        before=before,
        after=after,
        market_id=market.pk if market else None,
        target_label=_rule_target_label(rule, dimension, market),
    )
    return rule


@transaction.atomic
def governance_rule_clear(*, actor: Actor, dimension: Dimension, market: Market) -> None:
    """Remove a market override, so the market follows the rule above it again."""
    actor.require_global(Perm.GOVERNANCE_EDIT)
    rule = GovernanceRule.objects.filter(organization=actor.organization, dimension=dimension, market=market).first()
    if rule is None:
        raise ValidationFailed(
            _("%(market)s has no override for %(dimension)s.") % {"market": market.name, "dimension": dimension.name}
        )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="governance_rule.clear",
        target=rule,
        before=snapshot(rule, RULE_FIELDS),
        after=None,
        market_id=market.pk,
        target_label=_rule_target_label(rule, dimension, market),
    )
    rule.delete()
    _mark_custom(actor)


@transaction.atomic
def dimension_create(*, actor: Actor, name: str, key: str = "", description: str = "") -> Dimension:
    actor.require_global(Perm.DIMENSIONS_MANAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the dimension a name."), field="name")
    key = slugify(key or name)[:40]
    if not key:
        raise ValidationFailed(_("Give the dimension a key of letters and digits."), field="key")
    org = actor.organization
    if Dimension.objects.filter(organization=org, key=key).exists():
        raise Conflict(_("A dimension with the key %(key)s already exists.") % {"key": key}, field="key")
    last = Dimension.objects.filter(organization=org).order_by("-position").values_list("position", flat=True).first()
    dimension = Dimension.objects.create(
        organization=org, key=key, name=name, description=description.strip(), position=(last or 0) + 10
    )
    audit_record(
        organization_id=org.pk,
        actor=actor.user,
        action="dimension.create",
        target=dimension,
        after=snapshot(dimension, DIMENSION_FIELDS),
    )
    cell = preset_cell(org.governance_preset, key)
    rule = GovernanceRule.objects.create(
        organization=org,
        dimension=dimension,
        market=None,
        ownership=cell.ownership,
        creators=cell.creators,
        local_variants=cell.local_variants,
    )
    audit_record(
        organization_id=org.pk,
        actor=actor.user,
        action="governance_rule.set",
        target=rule,
        before=None,
        after=snapshot(rule, RULE_FIELDS),
        target_label=_rule_target_label(rule, dimension, None),
    )
    return dimension


@transaction.atomic
def dimension_update(*, actor: Actor, dimension: Dimension, name: str, description: str = "") -> Dimension:
    actor.require_global(Perm.DIMENSIONS_MANAGE)
    before = snapshot(dimension, DIMENSION_FIELDS)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the dimension a name."), field="name")
    dimension.name = name
    dimension.description = (description or "").strip()
    dimension.save()
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="dimension.update",
        target=dimension,
        before=before,
        after=snapshot(dimension, DIMENSION_FIELDS),
    )
    return dimension


@transaction.atomic
def dimension_delete(*, actor: Actor, dimension: Dimension) -> None:
    actor.require_global(Perm.DIMENSIONS_MANAGE)
    if dimension.is_builtin:
        raise ValidationFailed(_("Built-in dimensions cannot be deleted; rename or leave them unused."))
    if dimension.budgets.exists():
        raise Conflict(_("This dimension has budgets; delete or move them first."))
    for rule in dimension.rules.select_related("market"):
        audit_record(
            organization_id=actor.organization_id,
            actor=actor.user,
            action="governance_rule.clear",
            target=rule,
            before=snapshot(rule, RULE_FIELDS),
            market_id=rule.market_id,
            target_label=_rule_target_label(rule, dimension, rule.market),
        )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="dimension.delete",
        target=dimension,
        before=snapshot(dimension, DIMENSION_FIELDS),
    )
    dimension.delete()
