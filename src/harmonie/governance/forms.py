"""Forms of the governance pages. They only parse input; the services validate and decide.

Choice fields are filled from the scoped selectors, so a form never offers a market, team or dimension
the acting member may not use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from harmonie.core.errors import DomainError
from harmonie.governance import selectors
from harmonie.governance.models import (
    Creators,
    Dimension,
    GovernancePreset,
    LocalVariants,
    Market,
    MarketKind,
    Network,
    Organization,
    Ownership,
    Role,
    Team,
    TeamKind,
)
from harmonie.governance.permissions import Actor, Perm


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field at fault, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    cast("forms.ChoiceField", form.fields[name]).choices = choices


class MarketChoiceField(forms.ModelChoiceField[Market]):
    def label_from_instance(self, obj: Market) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class MarketMultipleChoiceField(forms.ModelMultipleChoiceField[Market]):
    def label_from_instance(self, obj: Market) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


def _split_languages(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class _MarketFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Short code, e.g. FR, EMEA, GLOBAL."))
    languages = forms.CharField(
        label=_("Languages"), max_length=200, help_text=_("BCP 47 tags separated by commas, main one first: fr-FR, en.")
    )
    timezone = forms.CharField(label=_("Time zone"), max_length=64, help_text=_("IANA name, e.g. Europe/Paris."))
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("ISO 4217, e.g. EUR."))

    def clean_languages(self) -> list[str]:
        return _split_languages(self.cleaned_data["languages"])


class MarketCreateForm(_MarketFields):
    parent = MarketChoiceField(label=_("Parent market"), queryset=Market.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(MarketKind.REGION, MarketKind.REGION.label), (MarketKind.COUNTRY, MarketKind.COUNTRY.label)],
    )
    field_order = ["parent", "kind", "name", "code", "languages", "timezone", "currency"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "parent", selectors.markets_manageable(actor=actor, perm=Perm.MARKETS_MANAGE))


class MarketEditForm(_MarketFields):
    parent = MarketChoiceField(
        label=_("Parent market"),
        queryset=Market.objects.none(),
        required=False,
        help_text=_("Moving a market needs markets.manage at Global level."),
    )
    field_order = ["parent", "name", "code", "languages", "timezone", "currency"]

    def __init__(self, *args: Any, actor: Actor, market: Market, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "parent": market.parent_id,
                "name": market.name,
                "code": market.code,
                "languages": ", ".join(market.languages),
                "timezone": market.timezone,
                "currency": market.currency,
            },
        )
        super().__init__(*args, **kwargs)
        if market.is_root or not actor.can_globally(Perm.MARKETS_MANAGE):
            del self.fields["parent"]
        else:
            manageable = selectors.markets_manageable(actor=actor, perm=Perm.MARKETS_MANAGE)
            _set_queryset(self, "parent", manageable.exclude(path__startswith=market.path))


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    market = MarketChoiceField(
        label=_("Market"), queryset=Market.objects.none(), required=False, help_text=_("Required for a market team.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "market", selectors.markets_manageable(actor=actor, perm=Perm.TEAMS_MANAGE))


class MemberForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    weekly_hours = forms.DecimalField(
        label=_("Hours per week for social media"), min_value=0, max_value=80, decimal_places=1, max_digits=5
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "team", selectors.team_list(actor=actor))


def _grantable_roles(actor: Actor) -> list[tuple[str, str]]:
    admin_ok = actor.can_globally(Perm.MEMBERS_MANAGE)
    roles = [(value, str(label)) for value, label in Role.choices if value != Role.ORG_ADMIN or admin_ok]
    return [("", "---------"), *roles]


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "role", _grantable_roles(actor))
        _set_queryset(self, "market", selectors.markets_manageable(actor=actor, perm=Perm.MEMBERS_MANAGE))


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "role", _grantable_roles(actor))
        _set_queryset(self, "market", selectors.markets_manageable(actor=actor, perm=Perm.MEMBERS_INVITE))
        _set_queryset(self, "team", selectors.team_list(actor=actor))


class DimensionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        required=False,
        help_text=_("Letters, digits and dashes; made from the name if empty. Cannot be changed later."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]


class CellForm(forms.Form):
    """One cell of the governance matrix. The select names are stable test hooks."""

    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    creators = forms.ChoiceField(label=_("Who may create"), choices=Creators.choices)
    local_variants = forms.ChoiceField(label=_("Local variants"), choices=LocalVariants.choices)
    cross_market_visibility = forms.BooleanField(label=_("Other markets may read drafts"), required=False)
    approval_circuit = forms.ChoiceField(
        label=_("Approval circuit"),
        required=False,
        help_text=_("The review steps posts of this cell go through; empty: the circuit of the cell above, if any."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        circuits = organization.approval_circuits.order_by("name").only("key", "name", "is_active")
        choices: list[tuple[Any, str]] = [("", str(_("Inherit / none")))]
        for circuit in circuits:
            label = f"{circuit.name} ({circuit.key})"
            choices.append((circuit.key, label if circuit.is_active else f"{label} — {_('inactive')}"))
        _set_choices(self, "approval_circuit", choices)


class PresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Preset"),
        choices=[(value, label) for value, label in GovernancePreset.choices if value != GovernancePreset.CUSTOM],
    )
    confirm = forms.BooleanField(
        label=_("I understand: every default cell is replaced and every market override is removed."),
        required=True,
        error_messages={"required": _("Tick the box to confirm: a preset replaces the whole matrix.")},
    )


class ChannelFilterForm(forms.Form):
    market = MarketChoiceField(
        label=_("Market"), queryset=Market.objects.none(), required=False, empty_label=_("All markets")
    )
    network = forms.ChoiceField(label=_("Network"), choices=[("", _("All networks")), *Network.choices], required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "market", selectors.market_list(actor=actor))


class ChannelCreateForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    handle = forms.CharField(label=_("Handle"), max_length=200)
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False)
    owner_market = MarketChoiceField(label=_("Owner market"), queryset=Market.objects.none())
    served_markets = MarketMultipleChoiceField(
        label=_("Served markets"),
        queryset=Market.objects.none(),
        required=False,
        help_text=_("Markets this account speaks to; the owner market if none."),
    )
    timezone = forms.CharField(
        label=_("Time zone"), max_length=64, required=False, help_text=_("IANA name; the owner market's if empty.")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "owner_market", selectors.markets_manageable(actor=actor, perm=Perm.CHANNELS_MANAGE))
        _set_queryset(self, "served_markets", selectors.market_list(actor=actor))


class ChannelEditForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=200)
    served_markets = MarketMultipleChoiceField(
        label=_("Served markets"), queryset=Market.objects.none(), required=False
    )
    timezone = forms.CharField(label=_("Time zone"), max_length=64, help_text=_("IANA name, e.g. Europe/Paris."))
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "served_markets", selectors.market_list(actor=actor))


def _year_choices(year: int) -> list[tuple[int, str]]:
    return [(y, str(y)) for y in range(year - 3, year + 3)]


class BudgetFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    market = MarketChoiceField(
        label=_("Market"), queryset=Market.objects.none(), required=False, empty_label=_("All markets")
    )

    def __init__(self, *args: Any, actor: Actor, current_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "year", _year_choices(current_year))
        self.fields["year"].initial = current_year
        _set_queryset(self, "market", selectors.market_list(actor=actor))


class BudgetForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    dimension = forms.ModelChoiceField(label=_("Dimension"), queryset=Dimension.objects.none())
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    planned_amount = forms.DecimalField(label=_("Planned amount"), max_digits=14, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217; the market's if empty.")
    )
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["market"]
            del self.fields["dimension"]
        else:
            _set_queryset(self, "market", selectors.markets_manageable(actor=actor, perm=Perm.BUDGETS_MANAGE))
            _set_queryset(self, "dimension", selectors.dimension_list(actor=actor))


AUDIT_TARGET_TYPES = [
    ("", _("All types")),
    ("governance.organization", _("Organization")),
    ("governance.market", _("Market")),
    ("governance.team", _("Team")),
    ("governance.member", _("Member")),
    ("governance.invitation", _("Invitation")),
    ("governance.dimension", _("Dimension")),
    ("governance.governancerule", _("Governance rule")),
    ("governance.channel", _("Channel")),
    ("governance.budget", _("Budget")),
    ("content.post", _("Post")),
    ("approvals.approvalcircuit", _("Approval circuit")),
    ("approvals.circuitcondition", _("Circuit condition")),
    ("approvals.externalreviewlink", _("External review link")),
    ("approvals.crisis", _("Crisis")),
    ("approvals.holdingstatement", _("Holding statement")),
]


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action starts with"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "budget."}),
    )
    target_type = forms.ChoiceField(label=_("Target type"), choices=AUDIT_TARGET_TYPES, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data
