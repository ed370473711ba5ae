"""The REST API: one Ninja router per app, token or session authentication, OpenAPI at /api/openapi.json.

Every refusal has the same JSON body, ``{"error", "message", "field"}``: domain errors with their own
status, missing authentication as 401, malformed input as 400. See docs/api.md.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from harmonie.accounts.api import router as accounts_router
from harmonie.analytics.api.dashboards import router as analytics_dashboards_router
from harmonie.analytics.api.reports import router as analytics_reports_router
from harmonie.analytics.api.tracking import router as analytics_links_router
from harmonie.approvals.api import router as approvals_router
from harmonie.connectors.api import router as connectors_router
from harmonie.content.api import router as content_router
from harmonie.core.api_auth import api_auth
from harmonie.core.errors import DomainError
from harmonie.governance.api import router as governance_router
from harmonie.publishing.api import router as publishing_router
from harmonie.strategy.api import router as strategy_router

api = NinjaAPI(
    title="Harmonie API",
    version="1",
    description="Organizations, markets, governance, channels and budgets; strategy: objectives and KPIs, "
    "audiences, brand platform, editorial charter and lint, platform advisor, cadence and resources. "
    "Authenticate with a personal access token: `Authorization: Bearer hrm_...` "
    "(create one on your profile page), or with a logged-in browser session plus its CSRF token.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=api_auth,
)

api.add_router("/v1/", governance_router)
api.add_router("/v1/me", accounts_router)
api.add_router("/v1/strategy", strategy_router)
api.add_router("/v1/content", content_router)
api.add_router("/v1/approvals", approvals_router)
api.add_router("/v1/connections", connectors_router)
api.add_router("/v1/publishing", publishing_router)
api.add_router("/v1/analytics", analytics_dashboards_router)
api.add_router("/v1/analytics", analytics_reports_router)
api.add_router("/v1/analytics/links", analytics_links_router)

_HTTP_CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}


def _error(request: HttpRequest, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"error": code, "message": message, "field": field}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message, exc.field)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "unauthenticated",
        _(
            "Authentication required: send 'Authorization: Bearer hrm_...' with a valid token "
            "(revoked or expired tokens and inactive accounts are refused), or log in."
        ),
    )
    response["WWW-Authenticate"] = 'Bearer realm="harmonie"'
    return response


def _field(loc: Any) -> str | None:
    """The input at fault: the last named part of pydantic's location, skipping Ninja's wrappers."""
    names = [str(part) for part in loc if isinstance(part, str) and part not in {"body", "query", "path", "payload"}]
    return names[-1] if names else None


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input (a missing field, a wrong type, an unknown choice): 400, the first problem in ``message``."""
    errors: list[dict[str, Any]] = list(exc.errors)
    first = errors[0] if errors else {}
    field = _field(first.get("loc", ()))
    message = str(first.get("msg", _("Invalid input.")))
    body = {
        "error": "validation",
        "message": f"{field}: {message}" if field else message,
        "field": field,
        "detail": errors,
    }
    return api.create_response(request, body, status=400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), exc.message)
