"""Link tracking (UTM presets, the builder, short links and their redirect, QR codes), promo codes, leads and
spend. Views parse input, call one service or selector, and render."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, Literal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from harmonie.analytics import qr
from harmonie.analytics.forms_tracking import (
    BuilderForm,
    FilterForm,
    ImportForm,
    LeadForm,
    PromoCodeForm,
    QrForm,
    RedemptionForm,
    ShortLinkForm,
    SpendForm,
    UtmPresetForm,
)
from harmonie.analytics.models.tracking import LinkPurpose, MediaType
from harmonie.analytics.selectors import tracking as selectors
from harmonie.analytics.services import tracking as services
from harmonie.analytics.services.tracking.parsing import MAX_IMPORT_BYTES
from harmonie.analytics.utm import UTM_KEYS, merge_utm, tagged_link
from harmonie.core.errors import DomainError
from harmonie.governance.forms import add_domain_error
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

LIST_LIMIT = 500
MIN_YEAR, MAX_YEAR = 2000, 2100
QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


# --- the public redirect ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def short_link_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """``/l/<code>``: 302 to the destination, the click counted (bots apart, HEAD not at all); 404 otherwise."""
    destination = services.short_link_follow(
        code=code,
        user_agent=request.headers.get("User-Agent", ""),
        referrer=request.headers.get("Referer", ""),
        method=request.method or "GET",
    )
    if destination is None:
        response = render(request, "analytics/tracking/link_not_found.html", status=404)
    else:
        response = HttpResponseRedirect(destination)
        response["Referrer-Policy"] = "no-referrer-when-downgrade"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- short links --------------------------------------------------------------------------------------------------


def _filters(request: HttpRequest, actor: Actor) -> tuple[FilterForm, int | None, int | None, int]:
    form = FilterForm(request.GET or None, actor=actor)
    if form.is_bound and not form.is_valid():
        return form, None, None, 400
    data = form.cleaned_data if form.is_bound else {}
    market, campaign = data.get("market"), data.get("campaign")
    return form, market.pk if market else None, campaign.pk if campaign else None, 200


@common.member_required
@require_http_methods(["GET"])
def link_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters, market_pk, campaign_pk, status = _filters(request, actor)
    links = list(selectors.link_list(actor=actor, market_pk=market_pk, campaign_pk=campaign_pk)[:LIST_LIMIT])
    return render(
        request,
        "analytics/tracking/links.html",
        {"links": links, "filters": filters, "can_manage": actor.can(Perm.ANALYTICS_MANAGE), "limit": LIST_LIMIT},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    form = ShortLinkForm(request.POST or None, actor=actor, initial={"apply_presets": True})

    def create(data: dict[str, Any]) -> Any:
        utm = (
            services.utm_for(organization=actor.organization, market=data["market"], campaign=data["campaign"])
            if data["apply_presets"]
            else {}
        )
        return services.short_link_create(
            actor=actor,
            market=data["market"],
            destination=data["destination"],
            campaign=data["campaign"],
            channel=data["channel"],
            label=data["label"],
            utm=utm,
        )

    link, status = common.submit(request, form, create)
    if link is not None:
        messages.success(request, _("Short link created: %(url)s") % {"url": services.short_url(link.code)})
        return redirect("analytics:link_detail", pk=link.pk)
    return render(
        request,
        "analytics/tracking/form.html",
        {"form": form, "title": _("New short link"), "cancel_url": "analytics:links"},
        status=status,
    )


@common.member_required
@require_http_methods(["GET"])
def link_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    link = selectors.link_get(actor=actor, pk=pk)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(link.market.timezone))
    try:
        days = max(7, min(366, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    per_day = selectors.link_clicks_per_day(link=link, start=today - dt.timedelta(days=days - 1), end=today)
    bars = common.bars(per_day, label=lambda d: d.day.isoformat(), value=lambda d: d.humans)
    return render(
        request,
        "analytics/tracking/link_detail.html",
        {
            "link": link,
            "short_url": services.short_url(link.code),
            "bars": bars,
            "days": days,
            "period_humans": sum(d.humans for d in per_day),
            "period_bots": sum(d.bots for d in per_day),
            "referrers": selectors.link_referrers(link=link),
            "zone": link.market.timezone,
            "can_manage": actor.can(Perm.ANALYTICS_MANAGE, link.market),
            "qr_sizes": (qr.MIN_SCALE, qr.MAX_SCALE, qr.DEFAULT_SCALE),
        },
    )


@common.member_required
@require_http_methods(["POST"])
def link_toggle(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    link = selectors.link_get(actor=actor, pk=pk)
    services.short_link_set_active(actor=actor, link=link, active=not link.is_active)
    messages.success(request, _("Link switched on.") if link.is_active else _("Link switched off: it now answers 404."))
    return redirect("analytics:link_detail", pk=link.pk)


@common.member_required
@require_http_methods(["GET"])
def link_qr(request: HttpRequest, actor: Actor, pk: int | str, kind: str) -> HttpResponse:
    """The URL pattern only lets ``svg`` and ``png`` through; the file name is built from the stored code only."""
    link = selectors.link_get(actor=actor, pk=int(pk))
    extension: Literal["svg", "png"] = "svg" if kind == "svg" else "png"
    body = qr.qr_render(services.short_url(link.code), kind=extension, scale=request.GET.get("size"))
    response = HttpResponse(body, content_type=QR_TYPES[extension])
    if request.GET.get("download"):
        safe_code = "".join(ch for ch in link.code if ch.isascii() and ch.isalnum())
        response["Content-Disposition"] = f'attachment; filename="qr-{safe_code}.{extension}"'
    return response


@common.member_required
@require_http_methods(["GET", "POST"])
def qr_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    form = QrForm(request.POST or None, actor=actor, initial={"medium": "qr"})

    def create(data: dict[str, Any]) -> Any:
        return services.qr_link_create(
            actor=actor,
            market=data["market"],
            destination=data["destination"],
            campaign=data["campaign"],
            label=data["label"],
            medium=data["medium"],
        )

    link, status = common.submit(request, form, create)
    if link is not None:
        messages.success(request, _("QR code ready: download it below."))
        return redirect("analytics:link_detail", pk=link.pk)
    return render(
        request,
        "analytics/tracking/form.html",
        {
            "form": form,
            "title": _("New QR code"),
            "cancel_url": "analytics:links",
            "intro": _("The QR code points at a tracked short link, so scans are counted like clicks."),
        },
        status=status,
    )


# --- UTM presets and the builder ---------------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET"])
def utm_preset_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    presets = list(selectors.utm_preset_list(actor=actor))
    return render(
        request, "analytics/tracking/presets.html", {"presets": presets, "can_manage": actor.can(Perm.ANALYTICS_MANAGE)}
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def utm_preset_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    form = UtmPresetForm(request.POST or None, actor=actor)

    def create(data: dict[str, Any]) -> Any:
        return services.utm_preset_create(
            actor=actor, name=data["name"], values=form.utm(), market=data["market"], campaign=data["campaign"]
        )

    preset, status = common.submit(request, form, create)
    if preset is not None:
        messages.success(request, _("Preset %(name)s saved.") % {"name": preset.name})
        return redirect("analytics:utm_presets")
    return render(
        request,
        "analytics/tracking/form.html",
        {"form": form, "title": _("New UTM preset"), "cancel_url": "analytics:utm_presets"},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def utm_preset_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    preset = selectors.utm_preset_get(actor=actor, pk=pk)
    if preset.market is None:
        actor.require_global(Perm.ANALYTICS_MANAGE)
    else:
        actor.require(Perm.ANALYTICS_MANAGE, preset.market)
    initial = {"name": preset.name, **{k: getattr(preset, k) for k in UTM_KEYS}}
    form = UtmPresetForm(request.POST or None, actor=actor, editing=True, initial=initial)
    updated, status = common.submit(
        request,
        form,
        lambda data: services.utm_preset_update(actor=actor, preset=preset, name=data["name"], values=form.utm()),
    )
    if updated is not None:
        messages.success(request, _("Preset %(name)s saved.") % {"name": updated.name})
        return redirect("analytics:utm_presets")
    return render(
        request,
        "analytics/tracking/form.html",
        {
            "form": form,
            "title": _("Edit a UTM preset"),
            "subtitle": _scope_label(preset),
            "cancel_url": "analytics:utm_presets",
        },
        status=status,
    )


def _scope_label(preset: Any) -> str:
    parts = [preset.market.name if preset.market else _("Whole organization")]
    if preset.campaign:
        parts.append(preset.campaign.name)
    return " · ".join(parts)


@common.member_required
@require_http_methods(["POST"])
def utm_preset_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    preset = selectors.utm_preset_get(actor=actor, pk=pk)
    services.utm_preset_delete(actor=actor, preset=preset)
    messages.success(request, _("Preset %(name)s deleted.") % {"name": preset.name})
    return redirect("analytics:utm_presets")


@common.member_required
@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Pick a market (and campaign): the presets fill the UTM values; see the tagged address; optionally create a
    short link (and so a QR code) from it in one step."""
    data = request.POST if request.method == "POST" else request.GET
    form = BuilderForm(data or None, actor=actor)
    context: dict[str, Any] = {"form": form, "can_manage": actor.can(Perm.ANALYTICS_MANAGE)}
    status = 200
    if form.is_bound and form.is_valid():
        market, campaign = form.cleaned_data["market"], form.cleaned_data["campaign"]
        presets = services.utm_for(organization=actor.organization, market=market, campaign=campaign)
        utm = merge_utm([form.utm(), presets])
        context.update(presets=presets, utm=utm)
        try:
            url = services.clean_destination(form.cleaned_data["url"], field="url")
            context["tagged"] = tagged_link(url, utm)
            if request.method == "POST":
                link = services.short_link_create(
                    actor=actor,
                    market=market,
                    destination=url,
                    campaign=campaign,
                    label=form.cleaned_data["label"],
                    utm=utm,
                    purpose=LinkPurpose.QR if request.POST.get("qr") else LinkPurpose.MANUAL,
                )
                messages.success(request, _("Short link created: %(url)s") % {"url": services.short_url(link.code)})
                return redirect("analytics:link_detail", pk=link.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code
    elif form.is_bound:
        status = 400
    return render(request, "analytics/tracking/builder.html", context, status=status)


# --- promo codes ----------------------------------------------------------------------------------------------


def _import(request: HttpRequest, form: ImportForm, run: Any) -> tuple[Any, list[str], int]:
    if request.method != "POST" or "file" not in request.FILES:
        if request.method == "POST":
            form.is_valid()
            return None, [], 400
        return None, [], 200
    if not form.is_valid():
        return None, [], 400
    try:
        # clean_file refused an announced size over the limit; never read more than one byte past it anyway.
        return run(form.cleaned_data["file"].read(MAX_IMPORT_BYTES + 1)), [], 200
    except services.ImportFailed as exc:
        return None, [exc.message, *exc.errors], exc.status_code
    except DomainError as exc:
        return None, [exc.message], exc.status_code


def _import_page(
    request: HttpRequest, *, run: Any, back: str, title: str, columns: Any, example: str, rule: str
) -> HttpResponse:
    """A CSV import page: the form, then ``run(data)`` (a service that checks every line and writes all or
    nothing); on success back to ``back`` with what was added and replaced, else the page with the errors."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result, errors, status = _import(request, form, run)
    if result is not None:
        messages.success(
            request,
            _("%(created)d row(s) added, %(replaced)d replaced.")
            % {"created": result.created, "replaced": result.replaced},
        )
        return redirect(back)
    context = {"form": form, "errors": errors, "title": title, "columns": columns, "example": example,
               "cancel_url": back, "rule": rule}  # fmt: skip
    return render(request, "analytics/tracking/import.html", context, status=status)


@common.member_required
@require_http_methods(["GET"])
def promo_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters, market_pk, _campaign, status = _filters(request, actor)
    codes = list(selectors.promo_code_list(actor=actor, market_pk=market_pk)[:LIST_LIMIT])
    redemptions = list(selectors.redemption_list(actor=actor, market_pk=market_pk)[:60])
    return render(
        request,
        "analytics/tracking/promo.html",
        {
            "codes": codes,
            "redemptions": redemptions,
            "filters": filters,
            "can_manage": actor.can(Perm.ANALYTICS_MANAGE),
            "columns": services.PROMO_COLUMNS,
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def promo_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    form = PromoCodeForm(request.POST or None, actor=actor, initial={"starts_on": selectors.market_today(actor=actor)})
    promo, status = common.submit(request, form, lambda d: services.promo_code_create(actor=actor, **d))
    if promo is not None:
        messages.success(request, _("Promo code %(code)s created.") % {"code": promo.code})
        return redirect("analytics:promo")
    return render(
        request,
        "analytics/tracking/form.html",
        {"form": form, "title": _("New promo code"), "cancel_url": "analytics:promo"},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def redemption_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    codes = selectors.promo_code_list(actor=actor).filter(actor.market_q(Perm.ANALYTICS_MANAGE, "market__path"))
    form = RedemptionForm(request.POST or None, codes=codes, initial={"day": selectors.market_today(actor=actor)})
    row, status = common.submit(request, form, lambda d: services.promo_redemption_record(actor=actor, **d))
    if row is not None:
        messages.success(request, _("Redemptions saved."))
        return redirect("analytics:promo")
    return render(
        request,
        "analytics/tracking/form.html",
        {
            "form": form,
            "title": _("Enter redemptions"),
            "cancel_url": "analytics:promo",
            "intro": _("Entering a code and day again replaces the earlier number."),
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def redemption_import(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    return _import_page(
        request, run=lambda data: services.promo_redemption_import(actor=actor, data=data), back="analytics:promo",
        title=_("Import redemptions"), columns=services.PROMO_COLUMNS,
        example="code;day;redemptions;revenue\nCOATX-FR;2026-03-31;14;1 234,50",
        rule=_("The same code and day imported again replaces the earlier number."),
    )  # fmt: skip


# --- leads ----------------------------------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET"])
def lead_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters, market_pk, _campaign, status = _filters(request, actor)
    leads = list(selectors.lead_list(actor=actor, market_pk=market_pk)[:LIST_LIMIT])
    return render(
        request,
        "analytics/tracking/leads.html",
        {
            "leads": leads,
            "filters": filters,
            "can_manage": actor.can(Perm.ANALYTICS_MANAGE),
            "total": selectors.lead_total(actor=actor, market_pk=market_pk),
            "limit": LIST_LIMIT,
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    form = LeadForm(request.POST or None, actor=actor, initial={"day": selectors.market_today(actor=actor)})
    lead, status = common.submit(request, form, lambda d: services.lead_record(actor=actor, **d))
    if lead is not None:
        messages.success(request, _("Leads saved."))
        return redirect("analytics:leads")
    return render(
        request,
        "analytics/tracking/form.html",
        {"form": form, "title": _("Enter leads"), "cancel_url": "analytics:leads"},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def lead_import(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    return _import_page(
        request, run=lambda data: services.lead_import(actor=actor, data=data), back="analytics:leads",
        title=_("Import leads"), columns=services.LEAD_COLUMNS,
        example="market;day;leads;source;campaign;channel\nFR;2026-03-31;12;Website form;;vireo-france",
        rule=_(
            "market is the market code, campaign the campaign's name, channel the channel's handle. "
            "A row with the same market, day, source, campaign and channel replaces the earlier one."
        ),
    )  # fmt: skip


# --- spend ----------------------------------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET"])
def spend_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters, market_pk, _campaign, status = _filters(request, actor)
    this_year = selectors.market_today(actor=actor, market_pk=market_pk).year
    raw_year = request.GET.get("year") or ""
    try:
        year = int(raw_year) if raw_year else this_year
    except ValueError:
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        messages.error(
            request,
            _("The year must be a number from %(min)d to %(max)d; showing %(year)d.")
            % {"min": MIN_YEAR, "max": MAX_YEAR, "year": this_year},
        )
        year, status = this_year, 400
    entries = list(selectors.spend_list(actor=actor, market_pk=market_pk, year=year)[:LIST_LIMIT])
    actuals = selectors.budget_actuals(actor=actor, year=year, market_pk=market_pk)
    media = dict(MediaType.choices)
    by_media = common.bars(
        selectors.spend_totals(actor=actor, market_pk=market_pk, year=year),
        label=lambda t: str(media[t[1]]),
        value=lambda t: t[2],
        unit=lambda t: t[0],
    )
    return render(
        request,
        "analytics/tracking/spend.html",
        {
            "entries": entries,
            "actuals": actuals,
            "filters": filters,
            "year": year,
            "by_media": by_media,
            "can_manage": actor.can(Perm.ANALYTICS_MANAGE),
            "limit": LIST_LIMIT,
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def spend_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    form = SpendForm(request.POST or None, actor=actor)
    entry, status = common.submit(request, form, lambda d: services.spend_record(actor=actor, **d))
    if entry is not None:
        messages.success(request, _("Spend saved."))
        return redirect("analytics:spend")
    return render(
        request,
        "analytics/tracking/form.html",
        {"form": form, "title": _("Enter spend"), "cancel_url": "analytics:spend"},
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def spend_import(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.ANALYTICS_MANAGE)
    return _import_page(
        request, run=lambda data: services.spend_import(actor=actor, data=data), back="analytics:spend",
        title=_("Import spend"), columns=services.SPEND_COLUMNS,
        example="market;media_type;from;to;amount;currency;budget;impressions;clicks\n"
        "FR;paid;2026-03-01;2026-03-31;1 234,50;EUR;product;120000;950",
        rule=_(
            "media_type is paid, owned or earned; currency the market's or the budget's; budget the "
            "budget's dimension key (e.g. product). A row with the same market, media type, period, "
            "budget, campaign and channel replaces the earlier one."
        ),
    )  # fmt: skip


@common.member_required
@require_http_methods(["POST"])
def entry_delete(request: HttpRequest, actor: Actor, kind: str, pk: int) -> HttpResponse:
    if kind == "spend":
        services.spend_delete(actor=actor, entry=selectors.spend_get(actor=actor, pk=pk))
        target = "analytics:spend"
    elif kind == "lead":
        services.lead_delete(actor=actor, lead=selectors.lead_get(actor=actor, pk=pk))
        target = "analytics:leads"
    else:
        services.promo_redemption_delete(actor=actor, redemption=selectors.redemption_get(actor=actor, pk=pk))
        target = "analytics:promo"
    messages.success(request, _("Entry deleted."))
    return redirect(target)


urlpatterns: list[URLPattern | URLResolver] = [
    path("links/", link_list, name="links"),
    path("links/new/", link_create, name="link_create"),
    path("links/qr/new/", qr_create, name="qr_create"),
    path("links/<int:pk>/", link_detail, name="link_detail"),
    path("links/<int:pk>/toggle/", link_toggle, name="link_toggle"),
    re_path(r"^links/(?P<pk>[0-9]+)/qr\.(?P<kind>svg|png)$", link_qr, name="link_qr"),
    path("utm/", utm_preset_list, name="utm_presets"),
    path("utm/new/", utm_preset_create, name="utm_preset_create"),
    path("utm/<int:pk>/edit/", utm_preset_edit, name="utm_preset_edit"),
    path("utm/<int:pk>/delete/", utm_preset_delete, name="utm_preset_delete"),
    path("utm/builder/", builder, name="utm_builder"),
    path("promo/", promo_list, name="promo"),
    path("promo/new/", promo_create, name="promo_create"),
    path("promo/redemptions/new/", redemption_create, name="redemption_create"),
    path("promo/redemptions/import/", redemption_import, name="redemption_import"),
    path("leads/", lead_list, name="leads"),
    path("leads/new/", lead_create, name="lead_create"),
    path("leads/import/", lead_import, name="lead_import"),
    path("spend/", spend_list, name="spend"),
    path("spend/new/", spend_create, name="spend_create"),
    path("spend/import/", spend_import, name="spend_import"),
    path("entries/<str:kind>/<int:pk>/delete/", entry_delete, name="entry_delete"),
]
