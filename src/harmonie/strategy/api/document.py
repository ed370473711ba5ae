"""The strategy document as a file: Markdown, HTML or PDF."""

# No "from __future__ import annotations": Ninja reads the Query[...] parameter types at import time.
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from harmonie.core.api_auth import ERRORS, actor_of
from harmonie.governance import selectors as governance_selectors
from harmonie.strategy.api.schemas import DocumentFormat, DocumentQuery
from harmonie.strategy.document import render_html, render_markdown, render_pdf, strategy_document

router = Router(tags=["strategy document"])

CONTENT_TYPES = {
    DocumentFormat.MARKDOWN: "text/markdown; charset=utf-8",
    DocumentFormat.HTML: "text/html; charset=utf-8",
    DocumentFormat.PDF: "application/pdf",
}

_FILE = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/document",
    response={200: None, **ERRORS},
    summary="The strategy document",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The document, as an attachment.",
                "content": {CONTENT_TYPES[f]: _FILE for f in DocumentFormat},
            }
        }
    },
)
def document(request: HttpRequest, query: Query[DocumentQuery]) -> HttpResponse:
    """Objectives and KPIs, audiences, the governance matrix, the brand platform, the charter, the chosen
    platforms and the cadence with its resources, as Markdown (``md``, the default), HTML or PDF. With
    ``market_id``: that market and Global only."""
    actor = actor_of(request)
    market_id = query.market_id
    market = None if market_id is None else governance_selectors.market_get(actor=actor, pk=market_id)
    doc = strategy_document(actor=actor, market=market)
    body: str | bytes
    if query.format == DocumentFormat.PDF:
        body = render_pdf(doc)
    elif query.format == DocumentFormat.HTML:
        body = render_html(doc)
    else:
        body = render_markdown(doc)
    name = "-".join(["strategy", actor.organization.slug, *([market.code.lower()] if market else [])])
    response = HttpResponse(body, content_type=CONTENT_TYPES[query.format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{query.format.value}"'
    return response
