"""Charter rules: create, change, delete. Checking a text is a read: see ``selectors.charter_lint``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import ValidationFailed
from harmonie.governance.models import Dimension, Market, Network
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.charter.engine import RuleKind, Severity, validate_params
from harmonie.strategy.models import CharterRule

RULE_FIELDS = ["market", "dimension", "network", "name", "kind", "severity", "params", "rationale", "is_active"]


def _clean(
    *, actor: Actor, market: Market, name: str, kind: str, severity: str, params: Mapping[str, Any], rationale: str,
    dimension: Dimension | None, network: str,
) -> dict[str, Any]:  # fmt: skip
    if market.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a market of this organization."), field="market")
    actor.require(Perm.CHARTER_MANAGE, market)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the rule a name."), field="name")
    if kind not in {k.value for k in RuleKind}:
        raise ValidationFailed(
            _("Choose a rule kind: %(kinds)s.") % {"kinds": ", ".join(k.value for k in RuleKind)}, field="kind"
        )
    if severity not in (Severity.BLOCK, Severity.WARN):
        raise ValidationFailed(_("Choose a severity: block or warn."), field="severity")
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationFailed(_("Say why the rule exists: people read the rationale when it flags them."),
                               field="rationale")  # fmt: skip
    if dimension is not None and dimension.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a dimension of this organization."), field="dimension")
    if network and network not in Network.values:
        raise ValidationFailed(_("Choose a network: %(v)s.") % {"v": ", ".join(Network.values)}, field="network")
    return {
        "market": market,
        "name": name,
        "kind": kind,
        "severity": severity,
        "params": validate_params(kind=kind, params=params),
        "rationale": rationale,
        "dimension": dimension,
        "network": network or "",
    }


@transaction.atomic
def charter_rule_create(
    *,
    actor: Actor,
    market: Market,
    name: str,
    kind: str,
    severity: str,
    params: Mapping[str, Any],
    rationale: str,
    dimension: Dimension | None = None,
    network: str = "",
) -> CharterRule:
    data = _clean(
        actor=actor, market=market, name=name, kind=kind, severity=severity, params=params, rationale=rationale,
        dimension=dimension, network=network,
    )  # fmt: skip
    rule = CharterRule.objects.create(organization=actor.organization, **data)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="charter_rule.create", target=rule,
        after=snapshot(rule, RULE_FIELDS), market_id=market.pk,
    )  # fmt: skip
    return rule


@transaction.atomic
def charter_rule_update(
    *,
    actor: Actor,
    rule: CharterRule,
    name: str,
    severity: str,
    params: Mapping[str, Any],
    rationale: str,
    dimension: Dimension | None = None,
    network: str = "",
    is_active: bool = True,
) -> CharterRule:
    actor.require(Perm.CHARTER_MANAGE, rule.market)
    before = snapshot(rule, RULE_FIELDS)
    data = _clean(
        actor=actor, market=rule.market, name=name, kind=rule.kind, severity=severity, params=params,
        rationale=rationale, dimension=dimension, network=network,
    )  # fmt: skip
    for key, value in data.items():
        setattr(rule, key, value)
    rule.is_active = is_active
    rule.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="charter_rule.update", target=rule,
        before=before, after=snapshot(rule, RULE_FIELDS), market_id=rule.market_id,
    )  # fmt: skip
    return rule


@transaction.atomic
def charter_rule_delete(*, actor: Actor, rule: CharterRule) -> None:
    actor.require(Perm.CHARTER_MANAGE, rule.market)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="charter_rule.delete", target=rule,
        before=snapshot(rule, RULE_FIELDS), market_id=rule.market_id,
    )  # fmt: skip
    rule.delete()
