"""What every governance page shares: the member check, domain errors as pages or form errors, bars."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any, Concatenate

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from harmonie.core.errors import DomainError
from harmonie.governance.forms import add_domain_error
from harmonie.governance.permissions import Actor

type MemberView[**P] = Callable[Concatenate[HttpRequest, Actor, P], HttpResponseBase]


def member_required[**P](view: MemberView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Anonymous: to the login page (``?next=`` back here). Logged in without membership: a 403 page.

    The view receives the acting member as its second argument. A domain error that the view did not
    handle itself (a selector's "no such market", a missing permission) becomes a page with its status.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor: Actor | None = getattr(request, "actor", None)
        if actor is None:
            return render(request, "governance/no_membership.html", status=403)
        try:
            return view(request, actor, *args, **kwargs)
        except DomainError as exc:
            return error_response(request, exc)

    return wrapped


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    template = "governance/_error.html" if is_htmx(request) else "governance/error.html"
    return render(request, template, {"message": exc.message, "status": exc.status_code}, status=exc.status_code)


def submit[T](request: HttpRequest, form: forms.Form, action: Callable[[dict[str, Any]], T]) -> tuple[T | None, int]:
    """Run ``action`` with the cleaned data of a posted form.

    Returns (result, 200) on success; (None, 400) for invalid input; (None, status) when the service
    refuses, with its message on the field at fault. GET returns (None, 200).
    """
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        return action(form.cleaned_data), 200
    except DomainError as exc:
        add_domain_error(form, exc)
        return None, exc.status_code


def current_year() -> int:
    return timezone.localdate().year


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    percent: int
    item: Any = None
    unit: str = ""


def bars[T](
    items: Iterable[T],
    *,
    label: Callable[[T], str],
    value: Callable[[T], Decimal | int],
    unit: Callable[[T], str] | None = None,
) -> list[Bar]:
    """Bar widths in percent of the largest value sharing the same unit (never compare euros with yen)."""
    rows = [(item, label(item), value(item), unit(item) if unit else "") for item in items]
    largest: dict[str, Decimal | int] = {}
    for _item, _label, amount, u in rows:
        largest[u] = max(largest.get(u, 0), amount)
    return [
        Bar(label=lab, value=amount, percent=round(100 * amount / largest[u]) if largest[u] else 0, item=item, unit=u)
        for item, lab, amount, u in rows
    ]
