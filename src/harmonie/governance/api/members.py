"""Members, their market-scoped roles, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from harmonie.core.api_auth import ERRORS, MAX_PAGE_SIZE, actor_of, ref
from harmonie.core.errors import NotFound
from harmonie.governance import selectors, services
from harmonie.governance.api.schemas import (
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberUpdateIn,
    RoleIn,
    RoleOut,
)
from harmonie.governance.models import Invitation, Member, RoleAssignment, Team

members = Router(tags=["members"])
invitations = Router(tags=["invitations"])


@members.get("", response={200: list[MemberOut], **ERRORS}, summary="List members")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def member_list(request: HttpRequest) -> QuerySet[Member]:
    """Members holding a role in a market in your scope (org admins see everyone)."""
    return selectors.member_list(actor=actor_of(request))


@members.get("/{member_id}", response={200: MemberOut, **ERRORS}, summary="Get a member")
def member_get(request: HttpRequest, member_id: int) -> Member:
    return selectors.member_get(actor=actor_of(request), pk=member_id)


@members.patch("/{member_id}", response={200: MemberOut, **ERRORS}, summary="Update a member")
def member_update(request: HttpRequest, member_id: int, payload: MemberUpdateIn) -> Member:
    """Team, active flag, hours per week. Needs members.manage in every market where the member holds a role."""
    actor = actor_of(request)
    member = selectors.member_get(actor=actor, pk=member_id)
    team: Team | None = member.team
    team_id = payload.team_id
    if "team_id" in payload.model_fields_set:
        team = None if team_id is None else ref(lambda: selectors.team_get(actor=actor, pk=team_id), "team_id")
    return services.member_update(
        actor=actor,
        member=member,
        team=team,
        is_active=payload.is_active if payload.is_active is not None else member.is_active,
        weekly_hours=payload.weekly_hours if payload.weekly_hours is not None else member.weekly_hours,
    )


@members.post("/{member_id}/roles", response={201: RoleOut, **ERRORS}, summary="Assign a role")
def role_assign(request: HttpRequest, member_id: int, payload: RoleIn) -> Status[RoleAssignment]:
    """The role applies in ``market_id`` and every market below it. Assigning a role held already changes nothing."""
    actor = actor_of(request)
    member = selectors.member_get(actor=actor, pk=member_id)
    market = ref(lambda: selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    assignment = services.role_assign(actor=actor, member=member, role=payload.role.value, market=market)
    return Status(201, assignment)


@members.delete("/{member_id}/roles/{role_id}", response={204: None, **ERRORS}, summary="Revoke a role")
def role_revoke(request: HttpRequest, member_id: int, role_id: int) -> Status[None]:
    actor = actor_of(request)
    assignment = selectors.role_assignment_get(actor=actor, pk=role_id)
    if assignment.member_id != member_id:
        raise NotFound(_("No such role."))
    services.role_revoke(actor=actor, assignment=assignment)
    return Status(204, None)


@invitations.get("", response={200: list[InvitationOut], **ERRORS}, summary="List pending invitations")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def invitation_list(request: HttpRequest) -> QuerySet[Invitation]:
    """Invitations not yet accepted, revoked or expired, for the markets where you may invite."""
    return selectors.invitation_list(actor=actor_of(request))


@invitations.post("", response={201: InvitationCreatedOut, **ERRORS}, summary="Invite someone")
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Status[Invitation]:
    """Sends the invitation by e-mail and returns its one-time token: this is the only time it is shown."""
    actor = actor_of(request)
    market = ref(lambda: selectors.market_get(actor=actor, pk=payload.market_id), "market_id")
    team_id = payload.team_id
    team = None if team_id is None else ref(lambda: selectors.team_get(actor=actor, pk=team_id), "team_id")
    invitation, token = services.invitation_create(
        actor=actor, email=payload.email, role=payload.role.value, market=market, team=team
    )
    # Shown in this response only; the database keeps a hash.
    invitation.token = token  # type: ignore[attr-defined]
    invitation.accept_url = (  # type: ignore[attr-defined]
        settings.HARMONIE_PUBLIC_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    )
    return Status(201, invitation)


@invitations.delete("/{invitation_id}", response={204: None, **ERRORS}, summary="Revoke an invitation")
def invitation_revoke(request: HttpRequest, invitation_id: int) -> Status[None]:
    """The link stops working at once. An accepted invitation cannot be revoked (409)."""
    actor = actor_of(request)
    services.invitation_revoke(actor=actor, invitation=selectors.invitation_get(actor=actor, pk=invitation_id))
    return Status(204, None)
