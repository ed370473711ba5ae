"""Campaigns: the list with each campaign's staggered launches, a campaign's page, creation and edition by HQ,
and a market's own launch date set by whoever creates content there (a market lead)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.content import selectors, services
from harmonie.content.forms import CampaignForm, LaunchForm
from harmonie.content.models import Campaign, CampaignLaunch, ContentKind
from harmonie.content.views.pages.present import SCORE_BANDS, coverage_row, coverage_voices, launch_timeline
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common


def today() -> dt.date:
    """Today on the server's clock (tests pin it)."""
    return timezone.localdate()


@common.member_required
@require_GET
def campaign_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    campaigns = list(selectors.campaign_list(actor=actor))
    day = today()
    rows = [{"campaign": c, "timeline": launch_timeline(c.launches.all(), today=day)} for c in campaigns]
    return render(
        request,
        "content/campaigns.html",
        {"rows": rows, "can_create": actor.can_globally(Perm.CONTENT_CREATE)},
    )


def _campaign_page(
    request: HttpRequest, actor: Actor, campaign: Campaign, *, launch_form: LaunchForm | None = None, status: int = 200
) -> HttpResponse:
    markets = [m for m in governance_selectors.market_list(actor=actor) if not m.is_root]
    masters = list(
        selectors.master_list(actor=actor, campaign_pk=campaign.pk, kind=ContentKind.MASTER).prefetch_related(
            "key_messages"
        )
    )
    voices = coverage_voices(actor=actor, masters=masters, markets=markets)
    launch_form = launch_form or LaunchForm(actor=actor)
    return render(
        request,
        "content/campaign.html",
        {
            "campaign": campaign,
            "timeline": launch_timeline(campaign.launches.all(), today=today()),
            "coverage": [coverage_row(m, markets, voices) for m in masters],
            "markets": markets,
            "score_bands": SCORE_BANDS,
            "can_edit": actor.can_globally(Perm.CONTENT_CREATE),
            "launch_form": launch_form,
            "can_set_launch": actor.can(Perm.CONTENT_CREATE),
        },
        status=status,
    )


@common.member_required
@require_GET
def campaign_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _campaign_page(request, actor, selectors.campaign_get(actor=actor, pk=pk))


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "description": data["description"],
        "dimension": data["dimension"],
        "objectives": list(data["objectives"]),
        "budget": data["budget"],
        "status": data["status"],
    }


@common.member_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require_global(Perm.CONTENT_CREATE)
    form = CampaignForm(request.POST or None, actor=actor)

    def create(data: dict[str, Any]) -> Campaign:
        return services.campaign_create(actor=actor, launches=form.launches(), **_values(data))

    campaign, status = common.submit(request, form, create)
    if campaign is not None:
        messages.success(request, _("Campaign %(name)s created.") % {"name": campaign.name})
        return redirect("content:campaign", pk=campaign.pk)
    return render(request, "content/campaign_form.html", {"form": form, "campaign": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    actor.require_global(Perm.CONTENT_CREATE)
    form = CampaignForm(request.POST or None, actor=actor, campaign=campaign)

    def update(data: dict[str, Any]) -> Campaign:
        return services.campaign_update(actor=actor, campaign=campaign, **_values(data))

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Campaign %(name)s saved.") % {"name": updated.name})
        return redirect("content:campaign", pk=updated.pk)
    return render(request, "content/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


@common.member_required
@require_POST
def campaign_launch(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Set (or clear) one market's launch date: HQ for any market, a market lead for their own."""
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    form = LaunchForm(request.POST, actor=actor)

    def save(data: dict[str, Any]) -> tuple[CampaignLaunch | None]:
        return (
            services.campaign_launch_set(
                actor=actor, campaign=campaign, market=data["market"], launch_date=data["launch_date"]
            ),
        )

    done, status = common.submit(request, form, save)
    if done is not None:
        market, day = form.cleaned_data["market"], form.cleaned_data["launch_date"]
        if day is None:
            messages.success(request, _("%(market)s has no launch date any more.") % {"market": market.name})
        else:
            messages.success(
                request,
                _("%(market)s launches on %(day)s.") % {"market": market.name, "day": date_format(day, "DATE_FORMAT")},
            )
        return redirect("content:campaign", pk=campaign.pk)
    fresh = selectors.campaign_get(actor=actor, pk=pk)
    return _campaign_page(request, actor, fresh, launch_form=form, status=status)
