"""Forms of the approval circuit pages: a circuit with its ordered steps (a formset), and the conditions that add
a circuit to a post's review. They only parse input; the services validate and decide.

Choices come from the scoped selectors, so a form never offers a team, market or member of another
organization.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.forms import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from harmonie.approvals import selectors
from harmonie.approvals.models import ApprovalCircuit, CircuitStep, ConditionKind, StepMode
from harmonie.approvals.services.circuits import StepSpec
from harmonie.content import selectors as content_selectors
from harmonie.content.models import Campaign
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import MarketChoiceField
from harmonie.governance.models import Dimension, Market, Member, Network, Role, Team
from harmonie.governance.permissions import Actor

# A blank step row submitted with these values is left out (it was never filled in).
STEP_DEFAULTS = {"mode": StepMode.ANY.value, "response_hours": 24}


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


class MemberChoiceField(forms.ModelChoiceField[Member]):
    def label_from_instance(self, obj: Member) -> str:
        return str(obj.user.get_full_name() or obj.user.email)


class CircuitChoiceField(forms.ModelChoiceField[ApprovalCircuit]):
    def label_from_instance(self, obj: ApprovalCircuit) -> str:
        return f"{obj.name} ({obj.key})"


class CircuitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    key = forms.SlugField(
        label=_("Key"),
        max_length=80,
        required=False,
        help_text=_("Letters, digits and dashes; made from the name if empty. The governance matrix names it."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @staticmethod
    def initial_for(circuit: ApprovalCircuit) -> dict[str, Any]:
        return {
            "name": circuit.name,
            "key": circuit.key,
            "description": circuit.description,
            "is_active": circuit.is_active,
        }


class StepForm(forms.Form):
    """One step row. Approvers: a role (in a market, or the post's market and above), a team, a person, or an
    external reviewer."""

    name = forms.CharField(
        label=_("Step"), max_length=120, required=False, widget=forms.TextInput(attrs={"style": "min-width: 9rem"})
    )
    mode = forms.ChoiceField(label=_("Who must approve"), choices=StepMode.choices, initial=StepMode.ANY)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, empty_label="—")
    market = MarketChoiceField(
        label=_("Market"),
        queryset=Market.objects.none(),
        required=False,
        empty_label=_("The post's market"),
    )
    member = MemberChoiceField(label=_("Person"), queryset=Member.objects.none(), required=False, empty_label="—")
    external = forms.BooleanField(label=_("External reviewer"), required=False)
    response_hours = forms.IntegerField(
        label=_("Response time (hours)"),
        min_value=1,
        max_value=24 * 30,
        initial=STEP_DEFAULTS["response_hours"],
        widget=forms.NumberInput(attrs={"style": "width: 5.5rem"}),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "team", governance_selectors.team_list(actor=actor))
        _set_queryset(self, "market", governance_selectors.market_list(actor=actor))
        members = governance_selectors.member_list(actor=actor).filter(is_active=True)
        _set_queryset(self, "member", members.order_by("user__last_name", "user__first_name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("name") or "").strip():
            self.add_error("name", _("Give the step a name."))
        return data

    def spec(self) -> StepSpec:
        data = self.cleaned_data
        return StepSpec(
            name=data["name"],
            mode=data["mode"],
            role=data["role"],
            team=data["team"],
            market=data["market"],
            member=data["member"],
            external=bool(data["external"]),
            response_hours=data["response_hours"],
        )

    @staticmethod
    def initial_for(step: CircuitStep) -> dict[str, Any]:
        return {
            "name": step.name,
            "mode": step.mode,
            "role": step.role,
            "team": step.team_id,
            "market": step.market_id,
            "member": step.member_id,
            "external": step.external,
            "response_hours": step.response_hours,
        }


class BaseStepFormSet(BaseFormSet[StepForm]):
    """The steps in the order given by their "order" column; blank extra rows and rows ticked for removal are
    left out."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "actor": self.actor}

    def add_fields(self, form: StepForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].widget.attrs["style"] = "width: 4.5rem"
        row = (index or 0) + 1
        for field in form.fields.values():  # the row's cells have no label of their own
            field.widget.attrs["aria-label"] = f"{field.label} ({row})"

    def specs(self) -> list[StepSpec]:
        return [form.spec() for form in self.ordered_forms]


StepFormSet = cast(
    "type[BaseStepFormSet]",
    formset_factory(
        StepForm, formset=BaseStepFormSet, extra=1, can_order=True, can_delete=True, max_num=20, absolute_max=20
    ),
)


def step_formset_with_extra_row(data: QueryDict, prefix: str = "steps") -> QueryDict:
    """The posted data with one more (blank) step row: the "add a step" button without JavaScript."""
    copied = data.copy()
    total = int(copied.get(f"{prefix}-TOTAL_FORMS") or 0)
    copied[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    for name, value in STEP_DEFAULTS.items():
        copied[f"{prefix}-{total}-{name}"] = str(value)
    return copied


class ConditionForm(forms.Form):
    kind = forms.ChoiceField(label=_("When"), choices=ConditionKind.choices)
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", "—"), *Network.choices], required=False, help_text=_("For a network.")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("For a campaign."),
    )
    dimension = forms.ModelChoiceField(
        label=_("Dimension"),
        queryset=Dimension.objects.none(),
        required=False,
        empty_label=_("Every dimension"),
    )
    circuit = CircuitChoiceField(label=_("Then add the circuit"), queryset=ApprovalCircuit.objects.none())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self, "campaign", content_selectors.campaign_list(actor=actor).prefetch_related(None).order_by("name")
        )
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))
        _set_queryset(self, "circuit", selectors.circuit_list(actor=actor).prefetch_related(None))
