"""The publishing page: the queue (due posts, publications sending, waiting to retry, unconfirmed, failed, each
with its reason), the workers' heartbeats (a visible warning when none beats), first comments that need a person,
and what a person does with a publication: confirm an unconfirmed one with its address, publish again, send its
first comment again.

Views parse input, call one service or selector and render; a service's refusal comes back on the page with its
message and status.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from harmonie.core.errors import DomainError
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common
from harmonie.publishing import selectors, services
from harmonie.publishing.services.options import media_for_token


def _page(request: HttpRequest, actor: Actor, *, error: str = "", error_pk: int | None = None, url: str = "",
          status: int = 200) -> HttpResponse:  # fmt: skip
    context = {
        "queue": selectors.queue(actor=actor),
        "workers": selectors.worker_status(),
        "can_act": actor.can(Perm.CONTENT_CREATE),
        "error": error,
        "error_pk": error_pk,
        "url_value": url,
    }
    return render(request, "publishing/queue.html", context, status=status)


@common.member_required
@require_GET
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("publishing:queue")


@common.member_required
@require_POST
def confirm(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    url = request.POST.get("url", "")
    try:
        publication = selectors.publication_get(actor=actor, pk=pk)
        services.publication_confirm(actor=actor, publication=publication, url=url)
    except DomainError as exc:
        return _page(request, actor, error=exc.message, error_pk=pk, url=url, status=exc.status_code)
    messages.success(request, _("Confirmed: the post is marked as published."))
    return _back(request)


@common.member_required
@require_POST
def publish_again(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        publication = selectors.publication_get(actor=actor, pk=pk)
        services.publication_publish_again(actor=actor, publication=publication)
    except DomainError as exc:
        return _page(request, actor, error=exc.message, error_pk=pk, status=exc.status_code)
    messages.success(request, _("The post will be published again in a moment."))
    return _back(request)


@common.member_required
@require_POST
def comment_retry(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    try:
        publication = selectors.publication_get(actor=actor, pk=pk)
        services.publication_comment_retry(actor=actor, publication=publication)
    except DomainError as exc:
        return _page(request, actor, error=exc.message, error_pk=pk, status=exc.status_code)
    messages.success(request, _("The first comment will be sent again in a moment."))
    return _back(request)


@require_safe
def media(request: HttpRequest, token: str) -> FileResponse:
    """A media of a post being published, for the network that fetches it (Instagram, Threads): no login, a signed
    address that expires (``services/options.py``). GET or HEAD (fetchers check first); never kept by shared caches."""
    asset = media_for_token(token)
    if asset is None:
        raise Http404
    response = FileResponse(asset.file.open("rb"), content_type=asset.mime_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
