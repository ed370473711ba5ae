"""The REST API: one Ninja router per app, token or session authentication, OpenAPI at /api/openapi.json."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from harmonie.core.errors import DomainError

api = NinjaAPI(
    title="Harmonie API",
    version="1",
    description="Organizations, markets, governance, channels and budgets. "
    "Authenticate with a personal access token: `Authorization: Bearer hrm_...`.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"error": exc.code, "message": exc.message, "field": exc.field}, status=exc.status_code
    )
