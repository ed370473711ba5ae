"""Who am I, and my personal access tokens. Mounted under ``/api/v1/me``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import AwareDatetime

from harmonie.accounts import selectors, services
from harmonie.accounts.models import PersonalAccessToken
from harmonie.core.api_auth import AUTH_SESSION, ERRORS, MAX_PAGE_SIZE, actor_of, auth_method
from harmonie.core.errors import NotPermitted
from harmonie.governance.models import GovernancePreset, Role

router = Router(tags=["me"])


class UserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    language: str
    timezone: str


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    governance_preset: GovernancePreset


class MyRoleOut(Schema):
    id: int
    role: Role
    market_id: int
    market_code: str
    market_name: str


class MembershipOut(Schema):
    id: int
    team_id: int | None
    team_name: str | None
    weekly_hours: Decimal
    is_active: bool


class MeOut(Schema):
    user: UserOut
    organization: OrganizationOut
    member: MembershipOut
    roles: list[MyRoleOut]
    authenticated_by: Literal["token", "session"]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The public part of the token: hrm_<prefix>_…")
    organization_id: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: Literal["active", "expired", "revoked"]

    @staticmethod
    def resolve_status(obj: Any) -> str:
        if obj.revoked_at is not None:
            return "revoked"
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return "expired"
        return "active"


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret, shown this once; only its SHA-256 hash is stored.")


class TokenIn(Schema):
    name: str = Field(examples=["reporting script"])
    expires_at: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone; none: never expires.")


@router.get("", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    """The user, the organization the request acts in, the membership and its roles."""
    profile = selectors.profile_get(actor=actor_of(request))
    member = profile.member
    return {
        "user": profile.user,
        "organization": profile.organization,
        "member": {
            "id": member.pk,
            "team_id": member.team_id,
            "team_name": member.team.name if member.team else None,
            "weekly_hours": member.weekly_hours,
            "is_active": member.is_active,
        },
        "roles": [
            {
                "id": r.pk,
                "role": r.role,
                "market_id": r.market_id,
                "market_code": r.market.code,
                "market_name": r.market.name,
            }
            for r in profile.roles
        ],
        "authenticated_by": auth_method(request),
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="List my tokens")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def token_list(request: HttpRequest) -> QuerySet[PersonalAccessToken]:
    """Your tokens for this organization, newest first, revoked and expired ones included."""
    actor = actor_of(request)
    return selectors.token_list(user=actor.user, organization_id=actor.organization_id)


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create a token")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[PersonalAccessToken]:
    """A token acting as you in this organization. The secret is in the response, and never again.

    Only a logged-in session (the browser, with its CSRF token) may create tokens: a token cannot mint
    another one, so revoking a leaked token is enough to shut it out.
    """
    actor = actor_of(request)
    if auth_method(request) != AUTH_SESSION:
        raise NotPermitted(_("Create tokens from your profile page or a logged-in session, not with a token."))
    token, raw = services.token_create(
        user=actor.user, organization_id=actor.organization_id, name=payload.name, expires_at=payload.expires_at
    )
    token.token = raw  # type: ignore[attr-defined]  # in this response only; the database keeps a hash
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke a token")
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """The token stops working at once (401). Revoking a revoked token changes nothing."""
    actor = actor_of(request)
    token = selectors.token_get(user=actor.user, organization_id=actor.organization_id, pk=token_id)
    services.token_revoke(user=actor.user, token_id=token.pk)
    return Status(204, None)
