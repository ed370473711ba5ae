"""Communication dimensions and the governance matrix (edited cell by cell with HTMX, or by preset)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from harmonie.core.errors import DomainError, ValidationFailed
from harmonie.governance import selectors, services
from harmonie.governance.forms import CellForm, DimensionForm, PresetForm
from harmonie.governance.models import Dimension, GovernanceRule, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.selectors import MatrixCell
from harmonie.governance.views import common

# --- dimensions ------------------------------------------------------------------------------


@common.member_required
@require_http_methods(["GET"])
def dimension_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    dimensions = selectors.dimension_list(actor=actor)
    can_manage = actor.can_globally(Perm.DIMENSIONS_MANAGE)
    return render(request, "governance/dimensions.html", {"dimensions": dimensions, "can_manage": can_manage})


@common.member_required
@require_http_methods(["GET", "POST"])
def dimension_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require_global(Perm.DIMENSIONS_MANAGE)
    form = DimensionForm(request.POST or None)

    def create(data: dict[str, Any]) -> Dimension:
        return services.dimension_create(
            actor=actor, name=data["name"], key=data["key"], description=data["description"]
        )

    dimension, status = common.submit(request, form, create)
    if dimension is not None:
        messages.success(request, _("Dimension %(name)s created.") % {"name": dimension.name})
        return redirect("governance:dimensions")
    return render(request, "governance/dimension_form.html", {"form": form, "dimension": None}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def dimension_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    dimension = selectors.dimension_get(actor=actor, pk=pk)
    actor.require_global(Perm.DIMENSIONS_MANAGE)
    initial = {"name": dimension.name, "description": dimension.description}
    form = DimensionForm(request.POST or None, editing=True, initial=initial)

    def update(data: dict[str, Any]) -> Dimension:
        return services.dimension_update(
            actor=actor, dimension=dimension, name=data["name"], description=data["description"]
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Dimension %(name)s saved.") % {"name": updated.name})
        return redirect("governance:dimensions")
    return render(request, "governance/dimension_form.html", {"form": form, "dimension": dimension}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def dimension_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    dimension = selectors.dimension_get(actor=actor, pk=pk)
    actor.require_global(Perm.DIMENSIONS_MANAGE)
    error, status = None, 200
    if request.method == "POST":
        try:
            services.dimension_delete(actor=actor, dimension=dimension)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, _("Dimension %(name)s deleted.") % {"name": dimension.name})
            return redirect("governance:dimensions")
    return render(
        request,
        "governance/confirm_delete.html",
        {
            "object": dimension,
            "title": _("Delete the dimension %(name)s?") % {"name": dimension.name},
            "explanation": _("Its cells in the governance matrix are removed with it."),
            "cancel_url": "governance:dimensions",
            "error": error,
        },
        status=status,
    )


# --- the matrix ------------------------------------------------------------------------------


def _circuit_names(actor: Actor) -> dict[str, str]:
    """Approval circuit key -> name, so a cell shows the circuit's name (the matrix stores the key)."""
    return dict(actor.organization.approval_circuits.values_list("key", "name"))


def _matrix_page(
    request: HttpRequest, actor: Actor, *, preset_form: PresetForm | None = None, status: int = 200
) -> HttpResponse:
    markets, rows = selectors.governance_matrix(actor=actor)
    root = next(m for m in markets if m.is_root)
    organization = actor.organization
    return render(
        request,
        "governance/matrix.html",
        {
            "markets": markets,
            "rows": rows,
            "root": root,
            "circuit_names": _circuit_names(actor),
            "can_edit": actor.can_globally(Perm.GOVERNANCE_EDIT),
            "preset_form": preset_form or PresetForm(initial={"preset": organization.governance_preset}),
            "preset_label": organization.get_governance_preset_display(),
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET"])
def matrix(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _matrix_page(request, actor)


@common.member_required
@require_POST
def preset_apply(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PresetForm(request.POST)

    def apply(data: dict[str, Any]) -> list[GovernanceRule]:
        return services.governance_preset_apply(actor=actor, preset=data["preset"])

    changed, status = common.submit(request, form, apply)
    if changed is not None:
        messages.success(
            request,
            _("Preset applied: %(count)s default cells changed, market overrides removed.") % {"count": len(changed)},
        )
        return redirect("governance:matrix")
    return _matrix_page(request, actor, preset_form=form, status=status)


def _cell_market(actor: Actor, cell: MatrixCell) -> Market:
    """The market whose column holds ``cell`` (the Global column's is the root)."""
    return cell.market if cell.market is not None else selectors.market_root(actor=actor)


def _cell_context(actor: Actor, cell: MatrixCell, **extra: Any) -> dict[str, Any]:
    return {
        "cell": cell,
        "market": _cell_market(actor, cell),
        "can_edit": actor.can_globally(Perm.GOVERNANCE_EDIT),
        "circuit_names": _circuit_names(actor),
    } | extra


def _cell_form_initial(cell: MatrixCell) -> dict[str, Any]:
    rule = cell.rule
    return {
        "ownership": rule.ownership,
        "creators": rule.creators,
        "local_variants": rule.local_variants,
        "cross_market_visibility": rule.cross_market_visibility,
        "approval_circuit": rule.approval_circuit,
    }


@common.member_required
@require_http_methods(["GET"])
def cell(request: HttpRequest, actor: Actor, dimension_pk: int, market_pk: int) -> HttpResponse:
    """One cell as shown in the grid (HTMX swaps it back in, e.g. on cancel)."""
    found = selectors.governance_cell(actor=actor, dimension_pk=dimension_pk, market_pk=market_pk)
    return render(request, "governance/matrix.html#cell", _cell_context(actor, found))


@common.member_required
@require_http_methods(["GET", "POST"])
def cell_edit(request: HttpRequest, actor: Actor, dimension_pk: int, market_pk: int) -> HttpResponse:
    """The cell's edit form: a partial for HTMX, a page otherwise. A refusal re-renders it with the reason."""
    found = selectors.governance_cell(actor=actor, dimension_pk=dimension_pk, market_pk=market_pk)
    htmx = common.is_htmx(request)
    if request.method == "GET":
        try:
            actor.require_global(Perm.GOVERNANCE_EDIT)
        except DomainError as exc:
            if not htmx:
                raise
            context = _cell_context(actor, found, error=exc.message)
            return render(request, "governance/matrix.html#cell", context, status=exc.status_code)
    form = CellForm(request.POST or None, initial=_cell_form_initial(found), organization=actor.organization)

    def save(data: dict[str, Any]) -> GovernanceRule:
        return services.governance_rule_set(actor=actor, dimension=found.dimension, market=found.market, **data)

    rule, status = common.submit(request, form, save)
    if rule is not None:
        if not htmx:
            messages.success(request, _("Cell saved."))
            return redirect("governance:matrix")
        fresh = selectors.governance_cell(actor=actor, dimension_pk=dimension_pk, market_pk=market_pk)
        return render(request, "governance/matrix.html#cell", _cell_context(actor, fresh))
    template = "governance/matrix.html#cell_form" if htmx else "governance/matrix_cell_edit.html"
    return render(request, template, _cell_context(actor, found, form=form), status=status)


@common.member_required
@require_POST
def cell_clear(request: HttpRequest, actor: Actor, dimension_pk: int, market_pk: int) -> HttpResponse:
    """Drop a market's own rule: the cell follows the rule above it again."""
    found = selectors.governance_cell(actor=actor, dimension_pk=dimension_pk, market_pk=market_pk)
    htmx = common.is_htmx(request)
    try:
        if found.market is None:
            raise ValidationFailed(_("The Global column holds the defaults; there is nothing above it to inherit."))
        services.governance_rule_clear(actor=actor, dimension=found.dimension, market=found.market)
    except DomainError as exc:
        if htmx:
            return render(
                request,
                "governance/matrix.html#cell",
                _cell_context(actor, found, error=exc.message),
                status=exc.status_code,
            )
        return common.error_response(request, exc)
    if not htmx:
        messages.success(request, _("The cell follows the inherited rule again."))
        return redirect("governance:matrix")
    fresh = selectors.governance_cell(actor=actor, dimension_pk=dimension_pk, market_pk=market_pk)
    return render(request, "governance/matrix.html#cell", _cell_context(actor, fresh))
