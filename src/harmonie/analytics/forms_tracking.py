"""Forms of the tracking pages: UTM presets, the link builder, short links, QR codes, promo codes, redemptions,
leads, spend and the CSV imports. Choices are limited to what the acting member may use."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from harmonie.analytics.models.tracking import MediaType, PromoCode
from harmonie.analytics.services.tracking import parse_decimal
from harmonie.analytics.services.tracking.parsing import MAX_IMPORT_BYTES
from harmonie.analytics.services.tracking.scope import campaigns_in_scope, channels_in_scope
from harmonie.analytics.utm import UTM_KEYS
from harmonie.content.models import Campaign
from harmonie.governance.forms import MarketChoiceField
from harmonie.governance.models import Budget, Channel, Market
from harmonie.governance.permissions import Actor, Perm

DATE = forms.DateInput(attrs={"type": "date"})


def _qs(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


def _markets(actor: Actor, perm: Perm) -> QuerySet[Market]:
    return Market.objects.filter(organization=actor.organization).filter(actor.market_q(perm, "path")).order_by("path")


def _campaigns(actor: Actor, perm: Perm = Perm.ANALYTICS_MANAGE) -> QuerySet[Campaign]:
    """Campaigns visible in the markets where the member holds ``perm``."""
    return campaigns_in_scope(actor=actor, perm=perm)


def _channels(actor: Actor, perm: Perm = Perm.ANALYTICS_MANAGE) -> QuerySet[Channel]:
    """Channels owned by or serving the markets where the member holds ``perm``."""
    return channels_in_scope(actor=actor, perm=perm)


class AmountField(forms.CharField):
    """An amount written 1234.50 or 1 234,50."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class BudgetChoiceField(forms.ModelChoiceField[Budget]):
    def label_from_instance(self, obj: Budget) -> str:
        return f"{obj.market.code} · {obj.dimension.name} · {obj.period_start:%Y-%m-%d} → {obj.period_end:%Y-%m-%d}"


class FilterForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none(), required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "market", _markets(actor, Perm.ANALYTICS_VIEW))
        _qs(self, "campaign", _campaigns(actor, Perm.ANALYTICS_VIEW))


class UtmPresetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    market = MarketChoiceField(
        label=_("Market"),
        queryset=Market.objects.none(),
        required=False,
        help_text=_("Empty: the whole organization (Global permission needed)."),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    utm_source = forms.CharField(
        label="utm_source", max_length=100, required=False, help_text=_("Where the visit comes from, e.g. linkedin.")
    )
    utm_medium = forms.CharField(
        label="utm_medium", max_length=100, required=False, help_text=_("The kind of traffic, e.g. social or qr.")
    )
    utm_campaign = forms.CharField(label="utm_campaign", max_length=100, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=100, required=False)
    utm_content = forms.CharField(label="utm_content", max_length=100, required=False)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["market"]
            del self.fields["campaign"]
        else:
            _qs(self, "market", _markets(actor, Perm.ANALYTICS_MANAGE))
            _qs(self, "campaign", _campaigns(actor))

    def utm(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in UTM_KEYS}


class BuilderForm(forms.Form):
    url = forms.CharField(
        label=_("Address to tag"), max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    utm_source = forms.CharField(
        label="utm_source", max_length=100, required=False, help_text=_("Empty: the preset's value.")
    )
    utm_medium = forms.CharField(label="utm_medium", max_length=100, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=100, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=100, required=False)
    utm_content = forms.CharField(label="utm_content", max_length=100, required=False)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "market", _markets(actor, Perm.ANALYTICS_VIEW))
        _qs(self, "campaign", _campaigns(actor, Perm.ANALYTICS_VIEW))

    def utm(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in UTM_KEYS}


class ShortLinkForm(forms.Form):
    destination = forms.CharField(
        label=_("Destination"), max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    apply_presets = forms.BooleanField(label=_("Add the UTM values of the presets"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "market", _markets(actor, Perm.ANALYTICS_MANAGE))
        _qs(self, "campaign", _campaigns(actor))
        _qs(self, "channel", _channels(actor))


class QrForm(forms.Form):
    destination = forms.CharField(
        label=_("Destination"), max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        required=False,
        help_text=_("Where the code is printed, e.g. “Store window, Lyon”."),
    )
    medium = forms.CharField(label="utm_medium", max_length=100, initial="qr")

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "market", _markets(actor, Perm.ANALYTICS_MANAGE))
        _qs(self, "campaign", _campaigns(actor))


class PromoCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), widget=DATE, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "market", _markets(actor, Perm.ANALYTICS_MANAGE))
        _qs(self, "campaign", _campaigns(actor))


class RedemptionForm(forms.Form):
    promo_code = forms.ModelChoiceField(label=_("Code"), queryset=PromoCode.objects.none())
    day = forms.DateField(label=_("Day"), widget=DATE)
    count = forms.IntegerField(label=_("Redemptions"), min_value=0)
    revenue = AmountField(label=_("Revenue"), required=False, help_text=_("1234.50 or 1 234,50"))

    def __init__(self, *args: Any, codes: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "promo_code", codes)


class LeadForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    day = forms.DateField(label=_("Day"), widget=DATE)
    count = forms.IntegerField(label=_("Leads"), min_value=0)
    source = forms.CharField(
        label=_("Source"),
        max_length=120,
        required=False,
        help_text=_("e.g. website form, LinkedIn lead ads, white paper"),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "market", _markets(actor, Perm.ANALYTICS_MANAGE))
        _qs(self, "campaign", _campaigns(actor))
        _qs(self, "channel", _channels(actor))


class SpendForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    media_type = forms.ChoiceField(label=_("Media type"), choices=MediaType.choices)
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    amount = AmountField(label=_("Amount"), help_text=_("1234.50 or 1 234,50"))
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("The market's or the budget's; the market's if empty."),
    )
    budget = BudgetChoiceField(
        label=_("Budget"),
        queryset=Budget.objects.none(),
        required=False,
        help_text=_("Empty: the market's budget covering the period, if only one."),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    impressions = forms.IntegerField(label=_("Impressions"), min_value=0, required=False)
    clicks = forms.IntegerField(label=_("Clicks"), min_value=0, required=False)
    engagements = forms.IntegerField(label=_("Engagements"), min_value=0, required=False)
    conversions = forms.IntegerField(label=_("Conversions"), min_value=0, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        markets = _markets(actor, Perm.ANALYTICS_MANAGE)
        _qs(self, "market", markets)
        _qs(self, "campaign", _campaigns(actor))
        _qs(self, "channel", _channels(actor))
        _qs(
            self,
            "budget",
            Budget.objects.filter(organization=actor.organization, market__in=markets)
            .select_related("market", "dimension")
            .order_by("market__path", "-period_start"),
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8; columns separated by “,” or “;”."))

    def clean_file(self) -> Any:
        """Refuse a file over the limit from its announced size, before reading any of it."""
        upload = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; %(max)d MB at most: split it into smaller files."),
                params={"size": (upload.size or 0) / 1024 / 1024, "max": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        return upload
