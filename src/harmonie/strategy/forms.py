"""Forms of the strategy pages. They only parse input; the services validate and decide.

Choice fields are filled from the scoped selectors, so a form never offers a market, channel, audience or
dimension the acting member may not use. Where a service has the final word (a KPI's period, a pillar mix,
a charter rule's parameters), the form lets the value through and the service's message lands on the field.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import MarketChoiceField, MarketMultipleChoiceField
from harmonie.governance.models import Channel, Dimension, Market, MarketKind, Network
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import advisor, selectors
from harmonie.strategy.charter.engine import RuleKind, Severity
from harmonie.strategy.knowledge import metrics
from harmonie.strategy.models import (
    AgeBand,
    Approach,
    Audience,
    AudienceKind,
    ObjectiveStatus,
    ObjectiveType,
    PostFormat,
    RelationMode,
    Voice,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _blank(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


class ChannelChoiceField(forms.ModelChoiceField[Channel]):
    def label_from_instance(self, obj: Channel) -> str:
        return f"{obj} — {obj.handle}"


class ChannelMultipleChoiceField(forms.ModelMultipleChoiceField[Channel]):
    def label_from_instance(self, obj: Channel) -> str:
        return f"{obj} — {obj.handle}"


# --- time: a wall-clock time read in the channel's zone -------------------------------------------------


class LocalDateTimeField(forms.Field):
    """A date and time as typed, without a zone (``2026-12-03T09:30``): the form gives it the channel's zone.

    Django's ``DateTimeField`` would read it in the user's zone; a publication time belongs to its channel.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {"invalid": _("Enter a date and time such as 2026-12-03 09:30.")}

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for fmt in LOCAL_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - a wall-clock time, zoned by the form
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def in_zone(wall_clock: dt.datetime, zone_name: str) -> dt.datetime:
    """``wall_clock`` read in ``zone_name``; a time skipped when the clocks go forward is refused."""
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = wall_clock.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != wall_clock:
        raise forms.ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks go forward then. Choose another time.")
            % {"time": wall_clock.strftime("%Y-%m-%d %H:%M"), "zone": zone_name},
            code="nonexistent",
        )
    return aware


# --- overview --------------------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    objectives_first = forms.BooleanField(
        label=_("Objectives first: refuse to schedule a post on a channel that no active objective with a KPI covers"),
        required=False,
    )


class PublicationCheckForm(forms.Form):
    channel = ChannelChoiceField(label=_("Channel"), queryset=Channel.objects.none())
    when = LocalDateTimeField(label=_("Publication date and time"), help_text=_("In the channel's time zone."))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "channel", governance_selectors.channel_list(actor=actor).filter(is_active=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, when = data.get("channel"), data.get("when")
        if isinstance(channel, Channel) and isinstance(when, dt.datetime):
            try:
                data["at"] = in_zone(when, channel.timezone)
            except forms.ValidationError as exc:
                self.add_error("when", exc)
        return data


# --- objectives, KPIs, audiences -------------------------------------------------------------------------


class ObjectiveForm(forms.Form):
    market = MarketChoiceField(
        label=_("Market"), queryset=Market.objects.none(), help_text=_("Global's objectives apply to every market.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=ObjectiveType.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    audience = forms.ModelChoiceField(label=_("Audience"), queryset=Audience.objects.none(), required=False)
    channels = ChannelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The channels this objective measures; none means every channel of its market."),
    )
    relation_mode = forms.ChoiceField(label=_("Relation sought"), choices=_blank(RelationMode.choices), required=False)
    approach = forms.ChoiceField(label=_("Attract or push"), choices=_blank(Approach.choices), required=False)
    voice = forms.ChoiceField(label=_("Voice"), choices=_blank(Voice.choices), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ObjectiveStatus.choices, initial=ObjectiveStatus.ACTIVE)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["market"]
        else:
            _set_queryset(
                self, "market", governance_selectors.markets_manageable(actor=actor, perm=Perm.STRATEGY_MANAGE)
            )
        _set_queryset(self, "audience", selectors.audience_list(actor=actor))
        _set_queryset(self, "channels", governance_selectors.channel_list(actor=actor).filter(is_active=True))


def metric_choices() -> list[tuple[str, str]]:
    """Every metric of the dictionary, with its translated name and unit."""
    return [(m.key, f"{gettext(m.name)} ({UNIT_LABELS.get(m.unit, m.unit)})") for m in metrics().values()]


UNIT_LABELS: dict[str, object] = {
    "people": _("people"),
    "count": _("count"),
    "percent": "%",
    "minutes": _("minutes"),
    "currency": _("currency"),
    "score": _("score"),
}


class KPIForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), help_text=_("From the metric dictionary; the unit is in brackets."))
    baseline = forms.DecimalField(label=_("Baseline"), required=False, max_digits=16, decimal_places=4)
    target = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=4)
    period_start = forms.DateField(
        label=_("From"), required=False, widget=DATE, help_text=_("The objective's period if empty.")
    )
    period_end = forms.DateField(label=_("To"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "metric", _blank(metric_choices()))


class AudienceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("B2B or B2C"), choices=AudienceKind.choices, widget=forms.RadioSelect)
    age_band = forms.ChoiceField(label=_("Age band"), choices=_blank(AgeBand.choices), required=False)
    markets = MarketMultipleChoiceField(
        label=_("Markets"),
        queryset=Market.objects.none(),
        required=False,
        help_text=_("None: the audience is organization-wide (org admins only)."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    relation_mode = forms.ChoiceField(label=_("Relation sought"), choices=RelationMode.choices)
    approach = forms.ChoiceField(label=_("Attract or push"), choices=Approach.choices)
    voice = forms.ChoiceField(label=_("Voice"), choices=Voice.choices, initial=Voice.BRAND)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "markets", governance_selectors.markets_manageable(actor=actor, perm=Perm.STRATEGY_MANAGE))


# --- brand platform --------------------------------------------------------------------------------------


class BrandPlatformForm(forms.Form):
    dna = forms.CharField(label=_("Brand DNA"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    story = forms.CharField(label=_("Story"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    value_proposition = forms.CharField(
        label=_("Value proposition"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tone_of_voice = forms.CharField(label=_("Tone of voice"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class KeyMessageForm(forms.Form):
    text = forms.CharField(label=_("Key message"), widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]


class AdaptationForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    text = forms.CharField(
        label=_("Local wording"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to remove the market's wording: the global message applies again."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manageable = governance_selectors.markets_manageable(actor=actor, perm=Perm.STRATEGY_MANAGE)
        _set_queryset(self, "market", manageable.filter(parent__isnull=False))


class PillarRowForm(forms.Form):
    name = forms.CharField(label=_("Pillar"), max_length=80, required=False)
    target_share = forms.DecimalField(
        label=_("Share (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("name") and data.get("target_share") is None and not data.get("description")


PillarFormSet = forms.formset_factory(PillarRowForm, extra=2, max_num=20, absolute_max=20)


# --- editorial charter -----------------------------------------------------------------------------------

KIND_LABELS: dict[str, object] = {
    RuleKind.BANNED_TERM: _("Banned term"),
    RuleKind.COMPETITOR: _("Competitor name"),
    RuleKind.REQUIRED_MENTION: _("Required mention"),
    RuleKind.HASHTAGS: _("Hashtags"),
    RuleKind.LENGTH: _("Length"),
    RuleKind.UTM: _("Tracked links (UTM)"),
    RuleKind.ADDRESS_FORM: _("Form of address (tu/vous, du/Sie)"),
    RuleKind.EMOJI: _("Emoji"),
    RuleKind.QUIET_PERIOD: _("Quiet period"),
}
SEVERITY_LABELS: dict[str, object] = {Severity.BLOCK: _("Blocks publication"), Severity.WARN: _("Warns")}

# A valid example per kind: the form starts from it, the help text explains it.
PARAM_EXAMPLES: dict[str, dict[str, Any]] = {
    RuleKind.BANNED_TERM: {"terms": ["révolutionnaire", "game changer"], "exceptions": ["garantie légale"]},
    RuleKind.COMPETITOR: {"names": ["Acme Materials"]},
    RuleKind.REQUIRED_MENTION: {"mentions": ["Publicité", "Collaboration commerciale"], "when_any": ["partenariat"]},
    RuleKind.HASHTAGS: {"max": 3, "required": [], "forbidden": ["#ad"]},
    RuleKind.LENGTH: {"max": 280, "network": "x"},
    RuleKind.UTM: {"required": ["utm_source", "utm_medium", "utm_campaign"], "domains": ["vireo.example"]},
    RuleKind.ADDRESS_FORM: {"language": "fr", "form": "formal"},
    RuleKind.EMOJI: {"max": 2},
    RuleKind.QUIET_PERIOD: {
        "start": "2027-01-15T00:00:00+01:00",
        "end": "2027-02-12T08:00:00+01:00",
        "dimensions": ["financial"],
        "networks": [],
        "reason": "Closed period before the annual results.",
    },
}
PARAM_HELP = {
    RuleKind.BANNED_TERM: _(
        '"terms": words or phrases to refuse (plurals and feminine forms match too); '
        '"exceptions": phrases where a term is allowed.'
    ),
    RuleKind.COMPETITOR: _('"names": the competitors that must not be named.'),
    RuleKind.REQUIRED_MENTION: _(
        '"mentions": one of these must appear; "when_any": only when the text contains one of these words '
        "(empty: always)."
    ),
    RuleKind.HASHTAGS: _('"max": how many hashtags at most; "required" and "forbidden": lists of hashtags.'),
    RuleKind.LENGTH: _('"max": characters at most; "network": only on that network (null: everywhere).'),
    RuleKind.UTM: _(
        '"required": the URL parameters every link needs (utm_source, utm_medium, utm_campaign if empty); '
        '"domains": only links to these sites (empty: every link).'
    ),
    RuleKind.ADDRESS_FORM: _('"language": "fr" or "de"; "form": "formal" (vous, Sie) or "informal" (tu, du).'),
    RuleKind.EMOJI: _('"max": how many emoji at most.'),
    RuleKind.QUIET_PERIOD: _(
        '"start" and "end": ISO 8601 date and time with a UTC offset; "dimensions" and "networks": keys it is '
        'limited to (empty: all); "reason": shown to the writer.'
    ),
}


def params_example(kind: str) -> str:
    return json.dumps(PARAM_EXAMPLES.get(kind, {}), ensure_ascii=False, indent=2)


class CharterRuleForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KIND_LABELS.items()))
    severity = forms.ChoiceField(label=_("Severity"), choices=list(SEVERITY_LABELS.items()))
    params = forms.CharField(
        label=_("Parameters (JSON)"), widget=forms.Textarea(attrs={"rows": 10, "class": "code", "spellcheck": "false"})
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the rule exists: writers read it when the rule flags their text."),
    )
    dimension = forms.ModelChoiceField(
        label=_("Dimension"), queryset=Dimension.objects.none(), required=False, empty_label=_("Every dimension")
    )
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("Every network")), *Network.choices], required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Actor, editing: bool = False, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["market"]
            del self.fields["kind"]
        else:
            del self.fields["is_active"]
            _set_queryset(
                self, "market", governance_selectors.markets_manageable(actor=actor, perm=Perm.CHARTER_MANAGE)
            )
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))
        chosen = kind or (str(self["kind"].value() or "") if "kind" in self.fields else "")
        self.rule_kind: str = chosen if chosen in PARAM_EXAMPLES else RuleKind.BANNED_TERM.value
        self.fields["params"].help_text = PARAM_HELP[RuleKind(self.rule_kind)]

    def clean_params(self) -> dict[str, Any]:
        raw = self.cleaned_data["params"]
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s): %(problem)s.")
                % {"line": exc.lineno, "column": exc.colno, "problem": exc.msg}
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Write the parameters as a JSON object, e.g. {"max": 3}.'))
        return value


class LintForm(forms.Form):
    text = forms.CharField(
        label=_("Text to check"),
        required=False,
        strip=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5, "data-testid": "lint-input", "spellcheck": "true"}),
    )
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    channel = ChannelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("Any network")
    )
    dimension = forms.ModelChoiceField(
        label=_("Dimension"), queryset=Dimension.objects.none(), required=False, empty_label=_("No dimension")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        markets = governance_selectors.markets_manageable(actor=actor, perm=Perm.STRATEGY_VIEW)
        _set_queryset(self, "market", markets)
        self.fields["market"].initial = markets.values_list("pk", flat=True).first()
        _set_queryset(self, "channel", governance_selectors.channel_list(actor=actor).filter(is_active=True))
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))


# --- platform advisor ------------------------------------------------------------------------------------

ADVISOR_VOICES = [
    ("", _("Not decided")),
    ("brand", _("The brand")),
    ("person", _("A person (executive, expert, community manager)")),
]


def country_name(code: str) -> str:
    """The country's name in the interface language (Babel's territory names)."""
    try:
        locale = Locale.parse((get_language() or "en").replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    return str(locale.territories.get(code, code))


class AdvisorForm(forms.Form):
    objectives = forms.MultipleChoiceField(
        label=_("Objectives"), choices=ObjectiveType.choices, widget=forms.CheckboxSelectMultiple
    )
    audience = forms.ChoiceField(
        label=_("B2B or B2C"), choices=AudienceKind.choices, widget=forms.RadioSelect, initial=AudienceKind.B2B
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=_blank(AgeBand.choices, _("Any age")), required=False)
    market = forms.ChoiceField(label=_("Market (country)"))
    relation_mode = forms.ChoiceField(
        label=_("Relation sought"), choices=RelationMode.choices, initial=RelationMode.VISIBILITY
    )
    voice = forms.ChoiceField(label=_("Voice"), choices=ADVISOR_VOICES, required=False)
    approach = forms.ChoiceField(
        label=_("Attract or push"), choices=_blank(Approach.choices, _("Not decided")), required=False
    )
    formats = forms.MultipleChoiceField(
        label=_("Formats the team produces"),
        choices=PostFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[PostFormat.TEXT, PostFormat.IMAGE],
    )
    weekly_hours = forms.DecimalField(
        label=_("Hours per week for this network"), min_value=0, max_value=80, decimal_places=1, initial=Decimal(5)
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = [
            (m.code.upper(), f"{m.name} ({m.code.upper()})")
            for m in governance_selectors.market_list(actor=actor).filter(kind=MarketKind.COUNTRY)
            if len(m.code) == 2 and m.code.isalpha()
        ]
        known = sorted(set(advisor.load_knowledge().markets) - {code for code, _label in own})
        choices: list[tuple[str, Any]] = []
        if own:
            choices.append((str(_("Your markets")), own))
        choices.append((str(_("Other countries")), [(code, f"{country_name(code)} ({code})") for code in known]))
        _set_choices(self, "market", choices)
        self.fields["market"].initial = own[0][0] if own else (known[0] if known else "")

    def advisor_input(self) -> advisor.AdvisorInput:
        data = self.cleaned_data
        return advisor.AdvisorInput(
            objectives=list(data["objectives"]),
            audience=data["audience"],
            age_band=data["age_band"] or None,
            market=data["market"],
            relation_mode=data["relation_mode"],
            formats=list(data["formats"]),
            weekly_hours=float(data["weekly_hours"]),
            voice=data["voice"] or None,
            approach=data["approach"] or None,
        )


# --- cadence and resources -------------------------------------------------------------------------------


class CadenceForm(forms.Form):
    posts_per_week = forms.DecimalField(
        label=_("Posts per week"), max_digits=6, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.5"})
    )
    main_format = forms.ChoiceField(label=_("Main format"), choices=PostFormat.choices)
    basis = forms.CharField(label=_("Basis"), max_length=255, required=False, help_text=_("Benchmark or reason used."))


class FormatEffortsForm(forms.Form):
    text = forms.IntegerField(label=_("Text"), min_value=1, max_value=2400)
    image = forms.IntegerField(label=_("Image"), min_value=1, max_value=2400)
    video = forms.IntegerField(label=_("Video"), min_value=1, max_value=2400)
    live = forms.IntegerField(label=_("Live"), min_value=1, max_value=2400)


# --- strategy document -----------------------------------------------------------------------------------


class DocumentForm(forms.Form):
    market = MarketChoiceField(
        label=_("Market"), queryset=Market.objects.none(), required=False, empty_label=_("Whole organization")
    )
    format = forms.ChoiceField(
        choices=[("", "preview"), ("html", "HTML"), ("pdf", "PDF"), ("md", "Markdown")], required=False
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "market", governance_selectors.markets_manageable(actor=actor, perm=Perm.STRATEGY_VIEW))
