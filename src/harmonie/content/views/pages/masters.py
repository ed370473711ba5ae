"""Master content and local content, localizations (request, adopt, adapt, decline; what changed when
outdated), and the coverage grid: masters × markets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.approvals.consistency import localization_report
from harmonie.content import selectors, services
from harmonie.content.forms import (
    CoverageFilterForm,
    LocalizationAdaptForm,
    LocalizationDeclineForm,
    LocalizationRequestForm,
    MasterCreateForm,
    MasterEditForm,
    MasterFilterForm,
    with_form_names,
)
from harmonie.content.models import ContentKind, Localization, MasterContent
from harmonie.content.views.pages.present import (
    SCORE_BANDS,
    STATE_LABELS,
    coverage_row,
    coverage_state,
    coverage_voices,
    diff_html,
    is_usable,
)
from harmonie.core.errors import DomainError, NotPermitted
from harmonie.governance import matrix
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common


def _coverage_markets(actor: Actor) -> list[Market]:
    """The coverage columns: every market the member sees, except Global (which writes the masters)."""
    return [m for m in governance_selectors.market_list(actor=actor) if not m.is_root]


def _filter_value(form: MasterFilterForm | CoverageFilterForm, name: str) -> Any:
    return form.cleaned_data.get(name) if form.is_valid() else None


# --- masters -----------------------------------------------------------------------------------


@common.member_required
@require_GET
def master_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters = MasterFilterForm(request.GET or None, actor=actor)
    campaign = _filter_value(filters, "campaign")
    masters = list(
        selectors.master_list(
            actor=actor, campaign_pk=campaign.pk if campaign else None, kind=_filter_value(filters, "kind")
        )
    )
    markets = _coverage_markets(actor)
    return render(
        request,
        "content/masters.html",
        {
            "filters": filters,
            "rows": [coverage_row(m, markets) for m in masters],
            "can_create": actor.can(Perm.CONTENT_CREATE),
        },
    )


def _master_page(
    request: HttpRequest,
    actor: Actor,
    master: MasterContent,
    *,
    request_form: LocalizationRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    localizations = list(selectors.localization_list(actor=actor, master_pk=master.pk))
    is_master = master.kind == ContentKind.MASTER
    request_form = request_form or LocalizationRequestForm(actor=actor, master=master)
    can_request = is_master and actor.can(Perm.CONTENT_CREATE)
    return render(
        request,
        "content/master.html",
        {
            "master": master,
            "is_master": is_master,
            "localizations": [{"loc": loc, "state": coverage_state(loc)} for loc in localizations],
            "can_edit": matrix.can_change_content(actor, master.dimension, master.market).allowed,
            "can_request": can_request,
            "request_form": request_form,
            "can_post": not is_master and actor.can(Perm.CONTENT_CREATE, master.market),
            "key_messages": list(master.key_messages.all()),
            "media": list(master.media.all()),
            "revisions": list(master.revisions.order_by("-version")),
        },
        status=status,
    )


@common.member_required
@require_GET
def master_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _master_page(request, actor, selectors.master_get(actor=actor, pk=pk))


@common.member_required
@require_http_methods(["GET", "POST"])
def master_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.CONTENT_CREATE)
    initial: dict[str, Any] = {}
    if request.method == "GET":
        initial = {"kind": request.GET.get("kind") or ContentKind.MASTER, "campaign": request.GET.get("campaign")}
    form = MasterCreateForm(request.POST or None, actor=actor, initial=initial)

    def create(data: dict[str, Any]) -> MasterContent:
        def call() -> MasterContent:
            return services.master_create(
                actor=actor, kind=data["kind"], market=data["market"], dimension=data["dimension"],
                campaign=data["campaign"], pillar=data["pillar"], title=data["title"], body=data["body"],
                source_language=data["source_language"], key_messages=list(data["key_messages"]),
                media=list(data["assets"]),
            )  # fmt: skip

        return with_form_names(call)

    master, status = common.submit(request, form, create)
    if master is not None:
        messages.success(request, _("%(title)s created.") % {"title": master.title})
        return redirect("content:master", pk=master.pk)
    return render(request, "content/master_form.html", {"form": form, "master": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def master_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    master = selectors.master_get(actor=actor, pk=pk)
    decision = matrix.can_change_content(actor, master.dimension, master.market)
    if not decision.allowed:
        raise NotPermitted(decision.reason, code="governance")
    form = MasterEditForm(request.POST or None, actor=actor, master=master)
    version = master.version

    def update(data: dict[str, Any]) -> MasterContent:
        def call() -> MasterContent:
            return services.master_update(
                actor=actor, master=master, title=data["title"], body=data["body"], pillar=data["pillar"],
                campaign=data["campaign"], key_messages=list(data["key_messages"]), media=list(data["assets"]),
            )  # fmt: skip

        return with_form_names(call)

    updated, status = common.submit(request, form, update)
    if updated is not None:
        if updated.version != version:
            messages.success(
                request,
                _("Saved as version %(version)s: localizations made on an older version are now outdated.")
                % {"version": updated.version},
            )
        else:
            messages.success(request, _("Saved; the text did not change, so the version stays %(version)s.")
                             % {"version": updated.version})  # fmt: skip
        return redirect("content:master", pk=updated.pk)
    return render(request, "content/master_form.html", {"form": form, "master": master}, status=status)


# --- localizations -----------------------------------------------------------------------------


@common.member_required
@require_POST
def localization_request(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    master = selectors.master_get(actor=actor, pk=pk)
    form = LocalizationRequestForm(request.POST, actor=actor, master=master)

    def ask(data: dict[str, Any]) -> Localization:
        return services.localization_request(
            actor=actor, master=master, market=data["market"], language=data["language"]
        )

    localization, status = common.submit(request, form, ask)
    if localization is not None:
        messages.success(
            request,
            _("Localization for %(market)s (%(language)s) requested.")
            % {"market": localization.market.name, "language": localization.language},
        )
        return redirect("content:localization", pk=localization.pk)
    return _master_page(request, actor, master, request_form=form, status=status)


@common.member_required
@require_GET
def localization_languages(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The language choices of the market chosen in the request form (HTMX swaps the select in)."""
    master = selectors.master_get(actor=actor, pk=pk)
    form = LocalizationRequestForm(request.GET, actor=actor, master=master)
    return render(request, "content/master.html#language_select", {"request_form": form})


def _localization_page(
    request: HttpRequest,
    actor: Actor,
    localization: Localization,
    *,
    adapt_form: LocalizationAdaptForm | None = None,
    decline_form: LocalizationDeclineForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    master = localization.master
    change = selectors.localization_master_change(localization=localization)
    can_create = actor.can(Perm.CONTENT_CREATE, localization.market)
    localize = matrix.can_localize(actor, master.dimension, localization.market)
    try:
        one_voice = localization_report(actor=actor, localization=localization)
    except NotPermitted:  # seen through an open matrix cell, without the view permission in the market
        one_voice = None
    return render(
        request,
        "content/localization.html",
        {
            "localization": localization,
            "master": master,
            "state": coverage_state(localization),
            "change": change,
            "change_html": diff_html(change.parts) if change else None,
            "can_adopt": can_create,
            "can_decline": can_create,
            "localize": localize,
            "adapt_form": adapt_form or LocalizationAdaptForm(localization=localization),
            "decline_form": decline_form or LocalizationDeclineForm(),
            "can_post": is_usable(localization) and can_create,
            "post_url": f"{reverse('content:post_create')}?source=loc-{localization.pk}",
            "error": error,
            "one_voice": one_voice,
        },
        status=status,
    )


@common.member_required
@require_GET
def localization_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _localization_page(request, actor, selectors.localization_get(actor=actor, pk=pk))


@common.member_required
@require_POST
def localization_adopt(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    localization = selectors.localization_get(actor=actor, pk=pk)
    try:
        services.localization_adopt(actor=actor, localization=localization)
    except DomainError as exc:
        return _localization_page(request, actor, localization, error=exc.message, status=exc.status_code)
    messages.success(request, _("Adopted as is in %(market)s.") % {"market": localization.market.name})
    return redirect("content:localization", pk=localization.pk)


@common.member_required
@require_POST
def localization_adapt(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    localization = selectors.localization_get(actor=actor, pk=pk)
    form = LocalizationAdaptForm(request.POST, localization=localization)

    def adapt(data: dict[str, Any]) -> Localization:
        return services.localization_adapt(
            actor=actor, localization=localization, title=data["title"], body=data["body"]
        )

    done, status = common.submit(request, form, adapt)
    if done is not None:
        messages.success(request, _("Local wording saved for %(market)s.") % {"market": done.market.name})
        return redirect("content:localization", pk=done.pk)
    fresh = selectors.localization_get(actor=actor, pk=pk)
    return _localization_page(request, actor, fresh, adapt_form=form, status=status)


@common.member_required
@require_POST
def localization_decline(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    localization = selectors.localization_get(actor=actor, pk=pk)
    form = LocalizationDeclineForm(request.POST)

    def decline(data: dict[str, Any]) -> Localization:
        return services.localization_decline(actor=actor, localization=localization, reason=data["decline_reason"])

    done, status = common.submit(request, form, decline)
    if done is not None:
        messages.success(request, _("Declined in %(market)s.") % {"market": done.market.name})
        return redirect("content:localization", pk=done.pk)
    fresh = selectors.localization_get(actor=actor, pk=pk)
    return _localization_page(request, actor, fresh, decline_form=form, status=status)


# --- coverage ----------------------------------------------------------------------------------


@common.member_required
@require_GET
def coverage(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Masters × markets: what each market says of each master, at a glance."""
    filters = CoverageFilterForm(request.GET or None, actor=actor)
    campaign = _filter_value(filters, "campaign")
    masters = list(
        selectors.master_list(actor=actor, campaign_pk=campaign.pk if campaign else None, kind=ContentKind.MASTER)
        .prefetch_related("key_messages")
        .order_by("-updated_at", "pk")
    )
    markets = _coverage_markets(actor)
    voices = coverage_voices(actor=actor, masters=masters, markets=markets)
    rows = [coverage_row(m, markets, voices) for m in masters]
    counts = {state: sum(r.count(state) for r in rows) for state in STATE_LABELS}
    return render(
        request,
        "content/coverage.html",
        {"filters": filters, "markets": markets, "rows": rows, "counts": counts, "score_bands": SCORE_BANDS},
    )
