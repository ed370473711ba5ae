"""The strategy document: previewed in the app, downloaded as PDF or Markdown, or opened as plain HTML."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import document
from harmonie.strategy.forms import DocumentForm
from harmonie.strategy.views import common

# The page's script sends a token with a download and waits for this cookie to hide its progress indicator.
DOWNLOAD_COOKIE = "harmonie_download"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _filename(doc: document.StrategyDocument, extension: str) -> str:
    suffix = f"-{doc.market.code.lower()}" if doc.market is not None else ""
    return f"{doc.organization.slug}-strategy{suffix}.{extension}"


@common.member_required
@require_GET
def document_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.STRATEGY_VIEW)
    form = DocumentForm(request.GET or None, actor=actor)
    if form.is_bound and not form.is_valid():
        return render(request, "strategy/document.html", {"form": form, "doc": None}, status=400)
    market: Market | None = form.cleaned_data["market"] if form.is_bound else None
    fmt: str = form.cleaned_data["format"] if form.is_bound else ""
    doc = document.strategy_document(actor=actor, market=market)
    if fmt == "pdf":
        response = HttpResponse(document.render_pdf(doc), content_type="application/pdf")
    elif fmt == "md":
        response = HttpResponse(document.render_markdown(doc), content_type="text/markdown; charset=utf-8")
    elif fmt == "html":
        return HttpResponse(document.render_html(doc), content_type="text/html; charset=utf-8")
    else:
        return render(request, "strategy/document.html", {"form": form, "doc": doc})
    extension = "pdf" if fmt == "pdf" else "md"
    response["Content-Disposition"] = f'attachment; filename="{_filename(doc, extension)}"'
    token = request.GET.get("download_token", "")
    if _TOKEN.match(token):
        response.set_cookie(DOWNLOAD_COOKIE, token, max_age=60, samesite="Lax", secure=request.is_secure())
    return response
