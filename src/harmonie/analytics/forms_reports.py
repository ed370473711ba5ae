"""Forms of the reports and exports pages (input parsing only: the services validate)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harmonie.analytics.exports.datasets import DATASETS
from harmonie.analytics.models.reports import Frequency
from harmonie.governance.models import Market


class ReportScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    market = forms.ModelChoiceField(
        label=_("Market"),
        queryset=Market.objects.none(),
        required=False,
        empty_label=_("The whole organization"),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    language = forms.ChoiceField(label=_("Language"), choices=[("en", "English"), ("fr", "Français")])
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E-mail addresses, one per line (at most 50)."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, markets: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        market_field = self.fields["market"]
        assert isinstance(market_field, forms.ModelChoiceField)
        market_field.queryset = markets if markets is not None else Market.objects.none()


def _last_month() -> tuple[dt.date, dt.date]:
    first = timezone.localdate().replace(day=1)
    last = first - dt.timedelta(days=1)
    return last.replace(day=1), last


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Data"), choices=[(k, d.label) for k, d in DATASETS.items()])
    file_format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX (Excel)"), ("csv", "CSV")])
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    market = forms.ModelChoiceField(
        label=_("Market"), queryset=Market.objects.none(), required=False, empty_label=_("All my markets")
    )

    def __init__(self, *args: Any, markets: Any = None, **kwargs: Any) -> None:
        start, end = _last_month()
        kwargs.setdefault("initial", {"date_from": start, "date_to": end, "file_format": "xlsx"})
        super().__init__(*args, **kwargs)
        market_field = self.fields["market"]
        assert isinstance(market_field, forms.ModelChoiceField)
        market_field.queryset = markets if markets is not None else Market.objects.none()
