"""The brand platform: DNA, story, value proposition, tone of voice; key messages and their local wordings;
content pillars and their target mix."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from harmonie.core.errors import DomainError
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors, services
from harmonie.strategy.forms import AdaptationForm, BrandPlatformForm, KeyMessageForm, PillarFormSet
from harmonie.strategy.models import BrandPlatform, KeyMessage, KeyMessageAdaptation
from harmonie.strategy.services.brand import PillarInput
from harmonie.strategy.views import common


@common.member_required
@require_GET
def brand(request: HttpRequest, actor: Actor) -> HttpResponse:
    view = selectors.brand_view(actor=actor)
    adaptable = list(
        governance_selectors.markets_manageable(actor=actor, perm=Perm.STRATEGY_MANAGE).filter(parent__isnull=False)
    )
    return render(
        request,
        "strategy/brand.html",
        {
            "brand": view,
            "can_manage": actor.can_globally(Perm.STRATEGY_MANAGE),
            "adaptable": adaptable,
            "pillar_total": sum((p.target_share for p in view.pillars), 0),
        },
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def platform_edit(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require_global(Perm.STRATEGY_MANAGE)
    platform = selectors.brand_view(actor=actor).platform
    initial = {
        "dna": platform.dna,
        "story": platform.story,
        "value_proposition": platform.value_proposition,
        "tone_of_voice": platform.tone_of_voice,
    }
    form = BrandPlatformForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> BrandPlatform:
        return services.brand_platform_update(
            actor=actor,
            dna=data["dna"],
            story=data["story"],
            value_proposition=data["value_proposition"],
            tone_of_voice=data["tone_of_voice"],
        )

    saved, status = common.submit(request, form, save)
    if saved is not None:
        messages.success(request, _("Brand platform saved."))
        return redirect("strategy:brand")
    return render(request, "strategy/brand_platform_form.html", {"form": form}, status=status)


# --- key messages ----------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET", "POST"])
def key_message_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require_global(Perm.STRATEGY_MANAGE)
    form = KeyMessageForm(request.POST or None)

    def create(data: dict[str, Any]) -> KeyMessage:
        return services.key_message_create(actor=actor, text=data["text"])

    message, status = common.submit(request, form, create)
    if message is not None:
        messages.success(request, _("Key message added."))
        return redirect("strategy:brand")
    return render(request, "strategy/key_message_form.html", {"form": form, "message": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def key_message_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    message = selectors.key_message_get(actor=actor, pk=pk)
    actor.require_global(Perm.STRATEGY_MANAGE)
    form = KeyMessageForm(
        request.POST or None, editing=True, initial={"text": message.text, "is_active": message.is_active}
    )

    def update(data: dict[str, Any]) -> KeyMessage:
        return services.key_message_update(actor=actor, message=message, text=data["text"], is_active=data["is_active"])

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Key message saved."))
        return redirect("strategy:brand")
    return render(request, "strategy/key_message_form.html", {"form": form, "message": message}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def key_message_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    message = selectors.key_message_get(actor=actor, pk=pk)
    actor.require_global(Perm.STRATEGY_MANAGE)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.key_message_delete(actor=actor, message=message)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Key message deleted."))
            return redirect("strategy:brand")
    return render(
        request,
        "strategy/confirm_delete.html",
        {
            "title": _("Delete this key message?"),
            "explanation": message.text,
            "cancel_href": reverse("strategy:brand"),
            "error": error,
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def key_message_adapt(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """A market's own wording of a key message: its market lead writes it."""
    message = selectors.key_message_get(actor=actor, pk=pk)
    actor.require(Perm.STRATEGY_MANAGE)
    scoped = next((m for m in selectors.brand_view(actor=actor).key_messages if m.pk == message.pk), None)
    wordings = {a.market_id: a.text for a in scoped.adaptations.all()} if scoped else {}
    initial: dict[str, Any] = {}
    wanted = request.GET.get("market", "")
    if wanted.isdigit():
        initial = {"market": int(wanted), "text": wordings.get(int(wanted), "")}
    form = AdaptationForm(request.POST or None, actor=actor, initial=initial)

    def adapt(data: dict[str, Any]) -> tuple[KeyMessageAdaptation | None]:
        # In a tuple: an empty wording removes the adaptation and the service returns None.
        return (services.key_message_adapt(actor=actor, message=message, market=data["market"], text=data["text"]),)

    done, status = common.submit(request, form, adapt)
    if done is not None:
        market = form.cleaned_data["market"]
        if done[0] is None:
            messages.success(request, _("%(market)s now uses the global key message.") % {"market": market.name})
        else:
            messages.success(request, _("Wording for %(market)s saved.") % {"market": market.name})
        return redirect("strategy:brand")
    return render(
        request,
        "strategy/key_message_adapt.html",
        {"form": form, "message": message, "wordings": wordings},
        status=status,
    )


# --- content pillars -------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET", "POST"])
def pillars_edit(request: HttpRequest, actor: Actor) -> HttpResponse:
    """All pillars in one form, one row each: the service refuses a mix that does not add up to 100 %."""
    actor.require_global(Perm.STRATEGY_MANAGE)
    current = selectors.brand_view(actor=actor).pillars
    initial = [{"name": p.name, "target_share": p.target_share, "description": p.description} for p in current]
    formset = PillarFormSet(request.POST or None, initial=initial, prefix="pillars")
    error, status = None, 200
    if request.method == "POST":
        if formset.is_valid():
            rows: list[PillarInput] = [
                {
                    "name": form.cleaned_data.get("name", ""),
                    "target_share": ""
                    if form.cleaned_data.get("target_share") is None
                    else form.cleaned_data["target_share"],
                    "description": form.cleaned_data.get("description", ""),
                }
                for form in formset.forms
                if not form.is_blank()
            ]
            try:
                services.pillars_set(actor=actor, pillars=rows)
            except DomainError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, _("Content pillars saved."))
                return redirect("strategy:brand")
        else:
            status = 400
    return render(request, "strategy/pillars_form.html", {"formset": formset, "error": error}, status=status)
