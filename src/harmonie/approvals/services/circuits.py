"""Setting up approval circuits, their steps and the conditions that add them. Org-level governance:
members holding ``governance.edit`` at Global."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from harmonie.approvals.models import ApprovalCircuit, CircuitCondition, CircuitStep, ConditionKind, StepMode
from harmonie.content.models import Campaign
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.governance.models import Dimension, GovernanceRule, Market, Member, Network, Role, Team
from harmonie.governance.permissions import Actor, Perm

CIRCUIT_FIELDS = ["key", "name", "description", "is_active"]
STEP_FIELDS = ["position", "name", "mode", "role", "team", "market", "member", "external", "response_hours"]
CONDITION_FIELDS = ["kind", "network", "campaign", "dimension", "circuit", "position"]


@dataclass(frozen=True)
class StepSpec:
    """One step as given by a form or the API."""

    name: str
    mode: str = StepMode.ANY
    role: str = ""
    team: Team | None = None
    market: Market | None = None
    member: Member | None = None
    external: bool = False
    response_hours: int = 24


def _check_steps(actor: Actor, steps: Sequence[StepSpec]) -> None:
    if not steps:
        raise ValidationFailed(_("A circuit needs at least one step."), field="steps")
    for i, step in enumerate(steps, start=1):
        where = _("Step %(n)s") % {"n": i}
        if not step.name.strip():
            raise ValidationFailed(_("%(where)s: give the step a name.") % {"where": where}, field="steps")
        if step.mode not in StepMode.values:
            raise ValidationFailed(_("%(where)s: choose 'any' or 'all'.") % {"where": where}, field="steps")
        if step.role and step.role not in Role.values:
            raise ValidationFailed(
                _("%(where)s: unknown role '%(role)s'.") % {"where": where, "role": step.role}, field="steps"
            )
        if not step.external and not step.role and step.team is None and step.member is None:
            raise ValidationFailed(
                _("%(where)s: name the approvers (a role, a team or a person), or make it an external review.")
                % {"where": where},
                field="steps",
            )
        if step.external and (step.role or step.team or step.member):
            raise ValidationFailed(
                _("%(where)s: an external review step names no member; the reviewer gets a link.") % {"where": where},
                field="steps",
            )
        for obj in (step.team, step.market, step.member):
            if obj is not None and obj.organization_id != actor.organization_id:
                raise ValidationFailed(_("%(where)s: choose from this organization.") % {"where": where}, field="steps")
        if not 1 <= step.response_hours <= 24 * 30:
            raise ValidationFailed(
                _("%(where)s: the response time target is between 1 hour and 30 days.") % {"where": where},
                field="steps",
            )


def _steps_snapshot(circuit: ApprovalCircuit) -> list[dict[str, object]]:
    return [snapshot(s, STEP_FIELDS) for s in circuit.steps.all()]


@transaction.atomic
def circuit_save(
    *,
    actor: Actor,
    name: str,
    steps: Sequence[StepSpec],
    key: str = "",
    description: str = "",
    is_active: bool = True,
    circuit: ApprovalCircuit | None = None,
) -> ApprovalCircuit:
    """Create a circuit, or replace an existing one's name and steps (open reviews keep the steps they had)."""
    actor.require_global(Perm.GOVERNANCE_EDIT)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Give the circuit a name."), field="name")
    key = slugify(key or name)[:80]
    if not key:
        raise ValidationFailed(_("Give the circuit a key made of letters, digits and hyphens."), field="key")
    _check_steps(actor, steps)
    clash = ApprovalCircuit.objects.filter(organization=actor.organization, key=key)
    if circuit is not None:
        if circuit.organization_id != actor.organization_id:
            raise ValidationFailed(_("That circuit belongs to another organization."))
        clash = clash.exclude(pk=circuit.pk)
    if clash.exists():
        raise Conflict(_("A circuit with the key '%(key)s' exists already.") % {"key": key}, field="key")
    before = None
    if circuit is None:
        circuit = ApprovalCircuit(organization=actor.organization)
    else:
        circuit = ApprovalCircuit.objects.select_for_update().get(pk=circuit.pk)
        before = {**snapshot(circuit, CIRCUIT_FIELDS), "steps": _steps_snapshot(circuit)}
        if circuit.key != key:
            GovernanceRule.objects.filter(organization=actor.organization, approval_circuit=circuit.key).update(
                approval_circuit=key
            )
    circuit.key, circuit.name, circuit.description, circuit.is_active = key, name, description.strip(), is_active
    circuit.save()
    circuit.steps.all().delete()
    CircuitStep.objects.bulk_create(
        [
            CircuitStep(
                circuit=circuit,
                position=i,
                name=s.name.strip(),
                mode=s.mode,
                role=s.role,
                team=s.team,
                market=s.market,
                member=s.member,
                external=s.external,
                response_hours=s.response_hours,
            )
            for i, s in enumerate(steps, start=1)
        ]
    )
    audit_record(
        organization_id=actor.organization_id, actor=actor.user,
        action="circuit.update" if before else "circuit.create", target=circuit, before=before,
        after={**snapshot(circuit, CIRCUIT_FIELDS), "steps": _steps_snapshot(circuit)},
    )  # fmt: skip
    return circuit


@transaction.atomic
def circuit_delete(*, actor: Actor, circuit: ApprovalCircuit) -> None:
    actor.require_global(Perm.GOVERNANCE_EDIT)
    if circuit.organization_id != actor.organization_id:
        raise ValidationFailed(_("That circuit belongs to another organization."))
    used = GovernanceRule.objects.filter(organization=actor.organization, approval_circuit=circuit.key).count()
    if used:
        raise Conflict(
            _("The governance matrix uses this circuit in %(n)s cell(s): choose another circuit there first.")
            % {"n": used}
        )
    before = {**snapshot(circuit, CIRCUIT_FIELDS), "steps": _steps_snapshot(circuit)}
    try:
        audit_record(
            organization_id=actor.organization_id, actor=actor.user, action="circuit.delete", target=circuit,
            before=before,
        )  # fmt: skip
        circuit.delete()
    except ProtectedError as exc:
        raise Conflict(_("A crisis refers to this circuit: deactivate it instead.")) from exc


@transaction.atomic
def condition_add(
    *,
    actor: Actor,
    kind: str,
    circuit: ApprovalCircuit,
    network: str = "",
    campaign: Campaign | None = None,
    dimension: Dimension | None = None,
) -> CircuitCondition:
    actor.require_global(Perm.GOVERNANCE_EDIT)
    if kind not in ConditionKind.values:
        raise ValidationFailed(
            _("Choose a condition: %(kinds)s.") % {"kinds": ", ".join(ConditionKind.values)}, field="kind"
        )
    for obj in (circuit, campaign, dimension):
        if obj is not None and obj.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose from this organization."))
    if kind == ConditionKind.NETWORK and network not in Network.values:
        raise ValidationFailed(_("Choose the network this condition is about."), field="network")
    if kind == ConditionKind.CAMPAIGN and campaign is None:
        raise ValidationFailed(_("Choose the campaign this condition is about."), field="campaign")
    last = CircuitCondition.objects.filter(organization=actor.organization).order_by("-position").first()
    condition = CircuitCondition.objects.create(
        organization=actor.organization, kind=kind, circuit=circuit,
        network=network if kind == ConditionKind.NETWORK else "",
        campaign=campaign if kind == ConditionKind.CAMPAIGN else None, dimension=dimension,
        position=(last.position + 1) if last else 1,
    )  # fmt: skip
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="circuit_condition.create",
        target=condition, after=snapshot(condition, CONDITION_FIELDS),
    )  # fmt: skip
    return condition


@transaction.atomic
def condition_remove(*, actor: Actor, condition: CircuitCondition) -> None:
    actor.require_global(Perm.GOVERNANCE_EDIT)
    if condition.organization_id != actor.organization_id:
        raise ValidationFailed(_("That condition belongs to another organization."))
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="circuit_condition.delete",
        target=condition, before=snapshot(condition, CONDITION_FIELDS),
    )  # fmt: skip
    condition.delete()


def check_circuit_key(*, organization_id: int, key: str) -> None:
    """The governance matrix names circuits by key: refuse a key no circuit has."""
    if key and not ApprovalCircuit.objects.filter(organization_id=organization_id, key=key).exists():
        known = ", ".join(ApprovalCircuit.objects.filter(organization_id=organization_id).values_list("key", flat=True))
        raise ValidationFailed(
            _("No approval circuit has the key '%(key)s'. Known circuits: %(known)s.")
            % {"key": key, "known": known or _("none yet")},
            field="approval_circuit",
        )
