"""Forms of the crisis pages: declaring a crisis, acting on held posts, publishing a holding statement, the
timeline note, ending the crisis, and writing holding statements. They only parse input; the crisis services
validate and decide (scope, permissions, network limits)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from harmonie.approvals import selectors
from harmonie.approvals.models import ApprovalCircuit, HoldingStatement
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import MarketMultipleChoiceField
from harmonie.governance.models import Channel, Dimension, Market
from harmonie.governance.permissions import Actor, Perm

SCOPE_ORGANIZATION = "organization"
SCOPE_SOME = "some"


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


def channel_label(channel: Channel) -> str:
    return f"{channel.display_name} ({channel.get_network_display()}) · {channel.owner_market.code}"


class ChannelMultipleChoiceField(forms.ModelMultipleChoiceField[Channel]):
    def label_from_instance(self, obj: Channel) -> str:
        return channel_label(obj)


class CircuitChoiceField(forms.ModelChoiceField[ApprovalCircuit]):
    def label_from_instance(self, obj: ApprovalCircuit) -> str:
        return f"{obj.name} ({obj.key})"


def manageable_channels(actor: Actor) -> QuerySet[Channel]:
    """Active channels owned by a market where the actor manages crises."""
    return (
        governance_selectors.channel_list(actor=actor)
        .filter(actor.market_q(Perm.CRISIS_MANAGE, "owner_market__path"), is_active=True)
        .order_by("owner_market__path", "network", "handle")
    )


class DeclareForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What happened; it opens the report.")
    )
    scope = forms.ChoiceField(label=_("Scope"), widget=forms.RadioSelect, initial=SCOPE_SOME)
    markets = MarketMultipleChoiceField(
        label=_("Markets"),
        queryset=Market.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each market with the markets below it."),
    )
    channels = ChannelMultipleChoiceField(
        label=_("Channels"), queryset=Channel.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    circuit = CircuitChoiceField(
        label=_("Review circuit during the crisis"),
        queryset=ApprovalCircuit.objects.none(),
        required=False,
        empty_label=_("The organization's crisis conditions"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = [(SCOPE_SOME, _("Chosen markets and/or channels"))]
        if actor.can_globally(Perm.CRISIS_MANAGE):
            scopes.insert(0, (SCOPE_ORGANIZATION, _("The whole organization")))
        cast("forms.ChoiceField", self.fields["scope"]).choices = scopes
        _set_queryset(self, "markets", governance_selectors.markets_manageable(actor=actor, perm=Perm.CRISIS_MANAGE))
        _set_queryset(self, "channels", manageable_channels(actor))
        _set_queryset(self, "circuit", selectors.circuit_list(actor=actor).filter(is_active=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == SCOPE_ORGANIZATION:
            data["markets"], data["channels"] = [], []
        elif data.get("scope") == SCOPE_SOME and not data.get("markets") and not data.get("channels"):
            self.add_error("markets", _("Choose at least one market or channel (or the whole organization)."))
        return data


class RescheduleForm(forms.Form):
    """A new time on the channel's wall clock."""

    scheduled_date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date", "aria-label": _("New date")}, format="%Y-%m-%d"),
    )
    scheduled_time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "aria-label": _("New time (channel's zone)")}, format="%H:%M"),
    )


class PublishForm(forms.Form):
    """The channels to put a holding statement on, among those given (already read: no query per statement)."""

    channels = forms.TypedMultipleChoiceField(label=_("Publish on"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, channels: Iterable[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = {c.pk: c for c in channels}
        cast("forms.ChoiceField", self.fields["channels"]).choices = [
            (c.pk, channel_label(c)) for c in self.offered.values()
        ]

    def clean_channels(self) -> list[Channel]:
        return [self.offered[pk] for pk in self.cleaned_data["channels"]]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note for the timeline"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class EndForm(forms.Form):
    summary = forms.CharField(
        label=_("Lessons learned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What went well, what to prepare for next time. It closes the report."),
    )


class LanguageFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, languages: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["language"]).choices = [
            ("", _("All languages")),
            *((tag, tag) for tag in sorted(set(languages))),
        ]


class StatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.CharField(
        label=_("Language"), max_length=16, help_text=_("BCP 47 tag, e.g. en, fr, de-CH, pt-BR.")
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    dimension = forms.ModelChoiceField(label=_("Dimension"), queryset=Dimension.objects.none())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))

    @staticmethod
    def initial_for(statement: HoldingStatement) -> dict[str, Any]:
        return {
            "title": statement.title,
            "language": statement.language,
            "text": statement.text,
            "dimension": statement.dimension_id,
        }
