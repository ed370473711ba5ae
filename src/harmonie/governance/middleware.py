from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from harmonie.governance.permissions import Actor, actor_for
from harmonie.governance.selectors import memberships_for_user

SESSION_ORG_KEY = "harmonie_org_id"


def actor_from_session(request: HttpRequest) -> Actor | None:
    """The acting member for a logged-in browser session: the chosen organization, else the first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = list(memberships_for_user(user_id=user.pk))
    if not memberships:
        return None
    wanted = request.session.get(SESSION_ORG_KEY)
    member = next((m for m in memberships if m.organization_id == wanted), memberships[0])
    return actor_for(member)


class ActorMiddleware:
    """Sets ``request.actor`` (or None) for session-authenticated requests. The API sets its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = actor_from_session(request)  # type: ignore[attr-defined]
        return self.get_response(request)
