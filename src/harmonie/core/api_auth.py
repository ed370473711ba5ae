"""API authentication: personal access tokens (``Authorization: Bearer hrm_...``) or the browser session.

Both set ``request.actor`` (a :class:`~harmonie.governance.permissions.Actor`) and return it as
``request.auth``. No actor means 401. Session requests that change something (POST, PUT, PATCH,
DELETE) must carry Django's CSRF token, exactly like a form; token requests need none (there is no
ambient credential a third-party site could ride on).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from harmonie.accounts.services import token_authenticate
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.governance.middleware import actor_from_session
from harmonie.governance.permissions import Actor, actor_for
from harmonie.governance.selectors import memberships_for_user

AUTH_TOKEN = "token"  # noqa: S105 - the name of an authentication method, not a secret
AUTH_SESSION = "session"


class ErrorOut(Schema):
    """Every refusal: a stable code, a message saying what to fix, and the input field at fault (or null)."""

    error: str
    message: str
    field: str | None


# Lists are paginated with ?limit=&offset= (50 by default); a larger limit is cut to this.
MAX_PAGE_SIZE = 500

# Documented on each operation, so the OpenAPI schema shows the error body.
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class CsrfFailed(NotPermitted):
    code = "csrf_failed"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hrm_<prefix>_<secret>``: the token's user, acting in the token's organization."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        pat = token_authenticate(raw=token.strip())
        if pat is None:
            return None
        member = memberships_for_user(user_id=pat.user_id).filter(organization_id=pat.organization_id).first()
        if member is None:  # no longer an active member of the token's organization
            return None
        member.user = pat.user  # already loaded with the token
        actor = actor_for(member)
        request.actor = actor  # type: ignore[attr-defined]
        request.api_auth_method = AUTH_TOKEN  # type: ignore[attr-defined]
        return actor


class SessionAuth(APIKeyCookie):
    """The logged-in browser: the member chosen in the session, CSRF checked on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check only matters when the session would authenticate the request: a request
        # without a session (a bad token, no credentials at all) is a 401, not a CSRF failure.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if not key:
            return None
        # ActorMiddleware has usually resolved it already.
        actor = getattr(request, "actor", None) or actor_from_session(request)
        if actor is None:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed(
                _("CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header, or use a token.")
            )
        request.actor = actor  # type: ignore[attr-defined]
        request.api_auth_method = AUTH_SESSION  # type: ignore[attr-defined]
        return actor


def actor_of(request: HttpRequest) -> Actor:
    """The authenticated actor of an API request (the auth classes above guarantee there is one)."""
    actor: Any = getattr(request, "auth", None)
    assert isinstance(actor, Actor)
    return actor


def auth_method(request: HttpRequest) -> str:
    """``"token"`` or ``"session"``."""
    return str(getattr(request, "api_auth_method", ""))


def ref[T](lookup: Callable[[], T], field: str) -> T:
    """Resolve an id sent in a request body through its scoped selector.

    Not found (or out of scope) is a 400 on that field: the request is wrong, the URL is not.
    """
    try:
        return lookup()
    except NotFound as exc:
        raise ValidationFailed(exc.message, field=field) from exc


api_auth = [TokenAuth(), SessionAuth()]
