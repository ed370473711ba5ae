"""Forms of the content pages: campaigns, master content, localizations, posts. They only parse input; the
services validate and decide (the governance matrix, the network limits, the charter, objectives first).

Choice fields are filled from the scoped selectors, so a form never offers a market, channel, content or
asset the acting member may not see. Where the matrix decides (may this member create here?), the form
offers every visible market and lets the service refuse with the matrix's reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harmonie.content import selectors
from harmonie.content.models import (
    Campaign,
    CampaignStatus,
    ContentKind,
    Localization,
    LocalizationState,
    MasterContent,
    MediaAsset,
    PostStatus,
)
from harmonie.content.services.posts import UTM_KEYS
from harmonie.core.errors import DomainError
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import MarketChoiceField
from harmonie.governance.models import Budget, Channel, Dimension, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors as strategy_selectors
from harmonie.strategy.models import ContentPillar, KeyMessage, Objective

# A service names the input at fault by its own name; the forms call some of them otherwise.
SERVICE_FIELD_NAMES = {
    "scheduled_at": "scheduled_time",
    "localization": "source",
    "master": "source",
    "utm": "utm_source",
    "media": "assets",
}


def with_form_names[T](action: Callable[[], T]) -> T:
    """Run a service call; if it refuses, name the field at fault as the form does (for the error's place)."""
    try:
        return action()
    except DomainError as exc:
        exc.field = SERVICE_FIELD_NAMES.get(exc.field or "", exc.field)
        raise


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    cast("forms.ChoiceField", form.fields[name]).choices = choices


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _textarea(rows: int, **attrs: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": str(rows), **attrs})


class ChannelChoiceField(forms.ModelChoiceField[Channel]):
    def label_from_instance(self, obj: Channel) -> str:
        return f"{obj.display_name} · {obj.get_network_display()} · {obj.handle}"


class MediaChoiceField(forms.ModelMultipleChoiceField[MediaAsset]):
    def label_from_instance(self, obj: MediaAsset) -> str:
        size = f" · {obj.width}×{obj.height}" if obj.width and obj.height else ""
        return f"{obj} ({obj.get_kind_display().lower()}{size})"


def _campaigns(actor: Actor) -> QuerySet[Campaign]:
    """The campaigns, for a choice list (without the launches and objectives the pages show)."""
    return selectors.campaign_list(actor=actor).prefetch_related(None)


def _budgets(actor: Actor) -> QuerySet[Budget]:
    if not actor.can(Perm.BUDGETS_VIEW):
        return Budget.objects.none()
    return governance_selectors.budget_list(actor=actor)


class BudgetChoiceField(forms.ModelChoiceField[Budget]):
    def label_from_instance(self, obj: Budget) -> str:
        return f"{obj.market.name} · {obj.dimension.name} · {obj.period_start:%Y-%m-%d} → {obj.period_end:%Y-%m-%d}"


class ObjectiveChoiceField(forms.ModelMultipleChoiceField[Objective]):
    def label_from_instance(self, obj: Objective) -> str:
        return f"{obj.market.name} · {obj}"


# --- campaigns ---------------------------------------------------------------------------------


class CampaignForm(forms.Form):
    """A campaign; on creation, a launch date per market (launches may be staggered by zone)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(3))
    dimension = forms.ModelChoiceField(label=_("Dimension"), queryset=Dimension.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=CampaignStatus.choices)
    objectives = ObjectiveChoiceField(
        label=_("Objectives"),
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the campaign serves; set them before launch."),
    )
    budget = BudgetChoiceField(label=_("Budget line"), queryset=Budget.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, campaign: Campaign | None = None, **kwargs: Any) -> None:
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": campaign.name,
                    "description": campaign.description,
                    "dimension": campaign.dimension_id,
                    "status": campaign.status,
                    "objectives": [o.pk for o in campaign.objectives.all()],
                    "budget": campaign.budget_id,
                },
            )
        super().__init__(*args, **kwargs)
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))
        _set_queryset(self, "objectives", strategy_selectors.objective_list(actor=actor))
        _set_queryset(self, "budget", _budgets(actor))
        self.launch_markets: list[Market] = []
        if campaign is None:
            for market in governance_selectors.market_list(actor=actor):
                if market.is_root:
                    continue
                self.launch_markets.append(market)
                self.fields[f"launch_{market.pk}"] = forms.DateField(
                    label=market.name, required=False, widget=_date_widget()
                )

    def launch_fields(self) -> list[forms.BoundField]:
        return [self[f"launch_{m.pk}"] for m in self.launch_markets]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "description", "dimension", "status", "objectives", "budget")]

    def launches(self) -> list[tuple[Market, dt.date]]:
        return [(m, day) for m in self.launch_markets if (day := self.cleaned_data.get(f"launch_{m.pk}")) is not None]


class LaunchForm(forms.Form):
    """One market's launch date; empty removes it."""

    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    launch_date = forms.DateField(
        label=_("Launch date"), required=False, widget=_date_widget(), help_text=_("Empty: no launch in this market.")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creatable = governance_selectors.markets_manageable(actor=actor, perm=Perm.CONTENT_CREATE)
        _set_queryset(self, "market", creatable.filter(parent__isnull=False))


# --- master content ----------------------------------------------------------------------------


class PillarChoiceField(forms.ModelChoiceField[ContentPillar]):
    def label_from_instance(self, obj: ContentPillar) -> str:
        return obj.name


class _ContentRefs(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    pillar = PillarChoiceField(label=_("Pillar"), queryset=ContentPillar.objects.none(), required=False)
    key_messages = forms.ModelMultipleChoiceField(
        label=_("Key messages"),
        queryset=KeyMessage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assets = MediaChoiceField(
        label=_("Media"), queryset=MediaAsset.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def _fill_refs(self, actor: Actor) -> None:
        _set_queryset(self, "campaign", _campaigns(actor))
        if actor.can(Perm.STRATEGY_VIEW):
            brand = strategy_selectors.brand_view(actor=actor)
            _set_queryset(self, "pillar", ContentPillar.objects.filter(pk__in=[p.pk for p in brand.pillars]))
            _set_queryset(self, "key_messages", KeyMessage.objects.filter(pk__in=[k.pk for k in brand.key_messages]))
        _set_queryset(self, "assets", selectors.media_list(actor=actor))


class MasterCreateForm(_ContentRefs):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ContentKind.choices,
        help_text=_("Master content is localized by the markets; local content belongs to one market."),
    )
    market = MarketChoiceField(
        label=_("Market"),
        queryset=Market.objects.none(),
        help_text=_("Master content is usually written at Global; local content in its own market."),
    )
    dimension = forms.ModelChoiceField(label=_("Dimension"), queryset=Dimension.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=_textarea(6))
    source_language = forms.CharField(
        label=_("Language"), max_length=16, help_text=_("BCP 47 tag of the text, e.g. en, fr-FR.")
    )
    field_order = [
        "kind", "market", "dimension", "campaign", "pillar", "title", "body", "source_language", "key_messages",
        "assets",
    ]  # fmt: skip

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every visible market: where the member may not create, the service says why (the matrix's reason).
        _set_queryset(self, "market", governance_selectors.market_list(actor=actor))
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))
        self._fill_refs(actor)


class MasterEditForm(_ContentRefs):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), widget=_textarea(6), help_text=_("A new text is a new version; localizations become outdated.")
    )
    field_order = ["title", "body", "campaign", "pillar", "key_messages", "assets"]

    def __init__(self, *args: Any, actor: Actor, master: MasterContent, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": master.title,
                "body": master.body,
                "campaign": master.campaign_id,
                "pillar": master.pillar_id,
                "key_messages": [k.pk for k in master.key_messages.all()],
                "assets": [m.pk for m in master.media.all()],
            },
        )
        super().__init__(*args, **kwargs)
        self._fill_refs(actor)


# --- localizations -----------------------------------------------------------------------------


class LocalizationRequestForm(forms.Form):
    market = MarketChoiceField(label=_("Market"), queryset=Market.objects.none())
    language = forms.ChoiceField(label=_("Language"), help_text=_("One of the market's languages."))

    def __init__(self, *args: Any, actor: Actor, master: MasterContent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        markets = governance_selectors.market_list(actor=actor).filter(
            parent__isnull=False, path__startswith=master.market.path
        )
        _set_queryset(self, "market", markets)
        self.fields["market"].widget.attrs.update(
            {
                "hx-get": reverse("content:localization_languages", args=[master.pk]),
                "hx-trigger": "change",
                "hx-target": "#language-field",
                "hx-swap": "outerHTML",
            }
        )
        chosen = self.data.get("market") if self.is_bound else None
        languages: list[str] = []
        for market in markets:
            if chosen and str(market.pk) != str(chosen):
                continue
            languages += [lang for lang in market.languages if lang not in languages]
        _set_choices(self, "language", [(lang, lang) for lang in languages])


class LocalizationAdaptForm(forms.Form):
    title = forms.CharField(label=_("Local title"), max_length=200, required=False)
    body = forms.CharField(label=_("Local text"), widget=_textarea(6))

    def __init__(self, *args: Any, localization: Localization, **kwargs: Any) -> None:
        if localization.state == LocalizationState.ADAPTED:
            initial = {"title": localization.title, "body": localization.body}
        else:
            initial = {"title": localization.master.title, "body": localization.master.body}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)


class LocalizationDeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label=_("Reason"), widget=_textarea(2), help_text=_("Why this market will not use the content.")
    )


# --- coverage and lists ------------------------------------------------------------------------


class CoverageFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, empty_label=_("All campaigns")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "campaign", _campaigns(actor))


class MasterFilterForm(CoverageFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Master and local")), *ContentKind.choices], required=False
    )


class PostFilterForm(forms.Form):
    market = MarketChoiceField(
        label=_("Market"), queryset=Market.objects.none(), required=False, empty_label=_("All markets")
    )
    channel = ChannelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False, empty_label=_("All channels")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, empty_label=_("All campaigns")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *PostStatus.choices], required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "market", governance_selectors.market_list(actor=actor))
        _set_queryset(self, "channel", governance_selectors.channel_list(actor=actor))
        _set_queryset(self, "campaign", _campaigns(actor))


# --- posts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostSource:
    """What a post is made from: an adopted/adapted localization, or a market's local content."""

    key: str  # "loc-<pk>" or "local-<pk>"
    master: MasterContent
    localization: Localization | None
    market: Market

    @property
    def text(self) -> str:
        if self.localization is not None:
            return self.localization.body or self.master.body
        return self.master.body

    @property
    def title(self) -> str:
        if self.localization is not None:
            return self.localization.title or self.master.title
        return self.master.title

    def label(self) -> str:
        if self.localization is not None:
            state = self.localization.get_state_display().lower()
            return f"{self.master.title} → {self.market.name} ({self.localization.language}, {state})"
        return f"{self.master.title} · {_('local content of %(market)s') % {'market': self.market.name}}"


def post_sources(actor: Actor) -> dict[str, PostSource]:
    """Every source the member may make posts from, by key: localizations adopted or adapted in a market
    where they create content, and local content of such markets."""
    sources: dict[str, PostSource] = {}
    if not actor.can(Perm.CONTENT_CREATE):
        return sources
    usable = (LocalizationState.ADOPTED, LocalizationState.ADAPTED)
    for loc in (
        selectors.localization_list(actor=actor).filter(state__in=usable).order_by("master__title", "market__path")
    ):
        if actor.can(Perm.CONTENT_CREATE, loc.market):
            sources[f"loc-{loc.pk}"] = PostSource(f"loc-{loc.pk}", loc.master, loc, loc.market)
    for master in selectors.master_list(actor=actor, kind=ContentKind.LOCAL).order_by("title"):
        if actor.can(Perm.CONTENT_CREATE, master.market):
            sources[f"local-{master.pk}"] = PostSource(f"local-{master.pk}", master, None, master.market)
    return sources


class SourceField(forms.ChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources: dict[str, PostSource] = {}

    def set_sources(self, sources: dict[str, PostSource]) -> None:
        self.sources = sources
        self.choices = [("", "---------"), *((key, s.label()) for key, s in sources.items())]

    def clean(self, value: Any) -> PostSource | None:
        key = super().clean(value)
        return self.sources.get(key) if key else None


class PostSourceForm(forms.Form):
    """First step of a new post: what it is made from and which channel it goes to."""

    source = SourceField(
        label=_("Content"), help_text=_("An adopted or adapted localization, or your market's local content.")
    )
    channel = ChannelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.none(),
        error_messages={
            "invalid_choice": _("This channel does not serve the content's market: choose one of the list.")
        },
    )

    def __init__(self, *args: Any, actor: Actor, sources: dict[str, PostSource] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources if sources is not None else post_sources(actor)
        cast("SourceField", self.fields["source"]).set_sources(self.sources)
        channels = governance_selectors.channel_list(actor=actor).filter(is_active=True)
        key = (self.data.get("source") if self.is_bound else None) or self.initial.get("source")
        chosen = self.sources.get(str(key)) if key else None
        if chosen is not None:
            channels = governance_selectors.channel_list(actor=actor, market_pk=chosen.market.pk).filter(is_active=True)
        _set_queryset(self, "channel", channels)


class _PostFields(forms.Form):
    text = forms.CharField(label=_("Text"), widget=_textarea(6), required=False, strip=False)
    link = forms.CharField(
        label=_("Link"), max_length=2000, required=False, help_text=_("Full address, starting with https://.")
    )
    first_comment = forms.CharField(label=_("First comment"), widget=_textarea(2), required=False)
    utm_source = forms.CharField(label="utm_source", max_length=100, required=False)
    utm_medium = forms.CharField(label="utm_medium", max_length=100, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=100, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=100, required=False)
    utm_content = forms.CharField(label="utm_content", max_length=100, required=False)
    assets = MediaChoiceField(
        label=_("Media"),
        queryset=MediaAsset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the media library; their usage rights are checked when the post is scheduled."),
    )

    def _fill_media(self, actor: Actor) -> None:
        _set_queryset(self, "assets", selectors.media_list(actor=actor))
        # Live checks while typing: the form element around carries the target, swap and inclusion.
        check = reverse("content:post_lint")
        for name in ("text", "link", "first_comment"):
            self.fields[name].widget.attrs.update({"hx-post": check, "hx-trigger": "input changed delay:300ms"})
        self.fields["assets"].widget.attrs.update({"hx-post": check, "hx-trigger": "change"})

    def utm(self) -> dict[str, str]:
        return {key: value for key in UTM_KEYS if (value := self.cleaned_data.get(key, "").strip())}

    def utm_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in UTM_KEYS]


class _ScheduleFields(forms.Form):
    scheduled_date = forms.DateField(label=_("Date"), required=False, widget=_date_widget())
    scheduled_time = forms.TimeField(label=_("Time"), required=False, widget=_time_widget())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("scheduled_date"), data.get("scheduled_time")
        if (day is None) != (time is None) and not self.errors:
            missing = "scheduled_time" if time is None else "scheduled_date"
            self.add_error(missing, _("Give both the date and the time, or neither to keep a draft."))
        return data


class PostCreateForm(_PostFields, _ScheduleFields):
    source = SourceField(label=_("Content"), widget=forms.HiddenInput)
    channel = ChannelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Actor, sources: dict[str, PostSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("SourceField", self.fields["source"]).set_sources(sources)
        _set_queryset(self, "channel", governance_selectors.channel_list(actor=actor))
        self._fill_media(actor)


class PostEditForm(_PostFields):
    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fill_media(actor)


class PostScheduleForm(_ScheduleFields):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and data.get("scheduled_date") is None:
            self.add_error("scheduled_date", _("Choose the date and the time."))
        return data


class PostCheckForm(forms.Form):
    """What the live checks read: the post being typed, its channel, market and dimension."""

    channel = forms.ModelChoiceField(queryset=Channel.objects.none())
    market = forms.ModelChoiceField(queryset=Market.objects.none())
    dimension = forms.ModelChoiceField(queryset=Dimension.objects.none(), required=False)
    text = forms.CharField(required=False, strip=False)
    link = forms.CharField(required=False, max_length=2000)
    first_comment = forms.CharField(required=False, strip=False)
    assets = forms.ModelMultipleChoiceField(queryset=MediaAsset.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "channel", governance_selectors.channel_list(actor=actor))
        _set_queryset(self, "market", governance_selectors.market_list(actor=actor))
        _set_queryset(self, "dimension", governance_selectors.dimension_list(actor=actor))
        _set_queryset(self, "assets", selectors.media_list(actor=actor))
