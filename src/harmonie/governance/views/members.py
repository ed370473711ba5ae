"""Members, their scoped roles, and invitations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from harmonie.core.errors import DomainError, NotFound
from harmonie.governance import selectors, services
from harmonie.governance.forms import InvitationForm, MemberForm, RoleAssignForm
from harmonie.governance.models import Invitation, Member, RoleAssignment
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common


@common.member_required
@require_http_methods(["GET"])
def member_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    members = selectors.member_list(actor=actor)
    return render(request, "governance/members.html", {"members": members})


def _member_page(
    request: HttpRequest,
    actor: Actor,
    member: Member,
    *,
    form: MemberForm | None = None,
    role_form: RoleAssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {"team": member.team_id, "is_active": member.is_active, "weekly_hours": member.weekly_hours}
    return render(
        request,
        "governance/member.html",
        {
            "member": member,
            "form": form or MemberForm(actor=actor, initial=initial),
            "role_form": role_form or RoleAssignForm(actor=actor),
            "can_manage": actor.can(Perm.MEMBERS_MANAGE),
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    member = selectors.member_get(actor=actor, pk=pk)
    if request.method != "POST":
        return _member_page(request, actor, member)
    form = MemberForm(request.POST, actor=actor)

    def update(data: dict[str, Any]) -> Member:
        return services.member_update(
            actor=actor,
            member=member,
            team=data["team"],
            is_active=data["is_active"],
            weekly_hours=data["weekly_hours"],
        )

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("%(name)s saved.") % {"name": updated})
        return redirect("governance:member", pk=member.pk)
    return _member_page(request, actor, member, form=form, status=status)


@common.member_required
@require_POST
def member_role_assign(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    member = selectors.member_get(actor=actor, pk=pk)
    role_form = RoleAssignForm(request.POST, actor=actor)

    def assign(data: dict[str, Any]) -> RoleAssignment:
        return services.role_assign(actor=actor, member=member, role=data["role"], market=data["market"])

    assignment, status = common.submit(request, role_form, assign)
    if assignment is not None:
        messages.success(request, _("%(name)s is now %(role)s.") % {"name": member, "role": assignment})
        return redirect("governance:member", pk=member.pk)
    return _member_page(request, actor, member, role_form=role_form, status=status)


@common.member_required
@require_POST
def member_role_revoke(request: HttpRequest, actor: Actor, pk: int, role_pk: int) -> HttpResponse:
    assignment = selectors.role_assignment_get(actor=actor, pk=role_pk)
    if assignment.member_id != pk:
        raise NotFound(_("No such role."))
    try:
        services.role_revoke(actor=actor, assignment=assignment)
    except DomainError as exc:
        messages.error(request, exc.message)
        member = selectors.member_get(actor=actor, pk=pk)
        return _member_page(request, actor, member, status=exc.status_code)
    messages.success(request, _("Role %(role)s revoked.") % {"role": assignment})
    return redirect("governance:member", pk=pk)


# --- invitations -----------------------------------------------------------------------------


def _invitation_link(token: str) -> str:
    return str(settings.HARMONIE_PUBLIC_URL).rstrip("/") + reverse("accounts:invitation_accept", args=[token])


@common.member_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.MEMBERS_INVITE)
    form = InvitationForm(request.POST or None, actor=actor)

    def invite(data: dict[str, Any]) -> tuple[Invitation, str]:
        return services.invitation_create(
            actor=actor, email=data["email"], role=data["role"], market=data["market"], team=data["team"]
        )

    created, status = common.submit(request, form, invite)
    new_link = None
    if created is not None:
        invitation, token = created
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        # Org admins also see the link, to pass it on another way; everyone else relies on the e-mail.
        if actor.can_globally(Perm.MEMBERS_INVITE):
            new_link = _invitation_link(token)
        form = InvitationForm(actor=actor)
    invitations = selectors.invitation_list(actor=actor)
    return render(
        request,
        "governance/invitations.html",
        {"form": form, "invitations": invitations, "new_link": new_link},
        status=status,
    )


@common.member_required
@require_POST
def invitation_revoke(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(actor=actor, pk=pk)
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
        form = InvitationForm(actor=actor)
        invitations = selectors.invitation_list(actor=actor)
        return render(
            request,
            "governance/invitations.html",
            {"form": form, "invitations": invitations, "new_link": None},
            status=exc.status_code,
        )
    messages.success(request, _("The invitation for %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("governance:invitations")
