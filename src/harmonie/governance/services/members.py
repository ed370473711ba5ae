"""Teams, members, scoped roles and invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.accounts.models import User
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from harmonie.governance.models import Invitation, Market, Member, Role, RoleAssignment, Team, TeamKind
from harmonie.governance.permissions import Actor, Perm

TEAM_FIELDS = ["name", "kind", "market", "description"]
MEMBER_FIELDS = ["team", "is_active", "weekly_hours"]


# --- teams -----------------------------------------------------------------------------------


def _team_clean(*, actor: Actor, name: str, kind: str, market: Market | None) -> tuple[str, str, Market | None]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the team a name."), field="name")
    if kind not in TeamKind.values:
        raise ValidationFailed(_("Choose a team kind: hq, market or agency."), field="kind")
    if kind == TeamKind.MARKET and market is None:
        raise ValidationFailed(_("A market team needs its market."), field="market")
    if market is not None and market.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a market of this organization."), field="market")
    if kind == TeamKind.HQ:
        actor.require_global(Perm.TEAMS_MANAGE)
    elif market is not None:
        actor.require(Perm.TEAMS_MANAGE, market)
    else:
        actor.require_global(Perm.TEAMS_MANAGE)
    return name, kind, market


@transaction.atomic
def team_create(*, actor: Actor, name: str, kind: str, market: Market | None = None, description: str = "") -> Team:
    name, kind, market = _team_clean(actor=actor, name=name, kind=kind, market=market)
    if Team.objects.filter(organization=actor.organization, name=name).exists():
        raise Conflict(_("A team named %(name)s already exists.") % {"name": name}, field="name")
    team = Team.objects.create(
        organization=actor.organization, name=name, kind=kind, market=market, description=description.strip()
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="team.create",
        target=team,
        after=snapshot(team, TEAM_FIELDS),
        market_id=market.pk if market else None,
    )
    return team


def _require_team_manage(actor: Actor, team: Team) -> None:
    if team.market is not None:
        actor.require(Perm.TEAMS_MANAGE, team.market)
    else:
        actor.require_global(Perm.TEAMS_MANAGE)


@transaction.atomic
def team_update(
    *, actor: Actor, team: Team, name: str, kind: str, market: Market | None = None, description: str = ""
) -> Team:
    _require_team_manage(actor, team)
    name, kind, market = _team_clean(actor=actor, name=name, kind=kind, market=market)
    if Team.objects.filter(organization=actor.organization, name=name).exclude(pk=team.pk).exists():
        raise Conflict(_("A team named %(name)s already exists.") % {"name": name}, field="name")
    before = snapshot(team, TEAM_FIELDS)
    team.name, team.kind, team.market, team.description = name, kind, market, description.strip()
    team.save()
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="team.update",
        target=team,
        before=before,
        after=snapshot(team, TEAM_FIELDS),
        market_id=market.pk if market else None,
    )
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    _require_team_manage(actor, team)
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="team.delete",
        target=team,
        before=snapshot(team, TEAM_FIELDS),
        market_id=team.market_id,
    )
    team.delete()


# --- members and roles -----------------------------------------------------------------------


def _check_grantable(*, actor: Actor, role: str, market: Market) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role '%(role)s'.") % {"role": role}, field="role")
    if market.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a market of this organization."), field="market")
    if role == Role.ORG_ADMIN:
        if not market.is_root:
            raise ValidationFailed(_("The org admin role is held at Global level only."), field="market")
        actor.require_global(Perm.MEMBERS_MANAGE)


def _active_org_admins(organization_id: int) -> int:
    return (
        RoleAssignment.objects.filter(
            member__organization_id=organization_id, member__is_active=True, role=Role.ORG_ADMIN
        )
        .values("member_id")
        .distinct()
        .count()
    )


@transaction.atomic
def role_assign(*, actor: Actor, member: Member, role: str, market: Market) -> RoleAssignment:
    if member.organization_id != actor.organization_id:
        raise NotFound(_("No such member."))
    actor.require(Perm.MEMBERS_MANAGE, market)
    _check_grantable(actor=actor, role=role, market=market)
    assignment, created = RoleAssignment.objects.get_or_create(member=member, role=role, market=market)
    if created:
        audit_record(
            organization_id=actor.organization_id,
            actor=actor.user,
            action="role.assign",
            target=member,
            after={"role": role, "market": market.pk},
            market_id=market.pk,
        )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    member = assignment.member
    if member.organization_id != actor.organization_id:
        raise NotFound(_("No such role."))
    actor.require(Perm.MEMBERS_MANAGE, assignment.market)
    if assignment.role == Role.ORG_ADMIN:
        actor.require_global(Perm.MEMBERS_MANAGE)
        if member.is_active and _active_org_admins(actor.organization_id) <= 1:
            raise Conflict(_("This is the last org admin; make someone else org admin first."))
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="role.revoke",
        target=member,
        before={"role": assignment.role, "market": assignment.market_id},
        market_id=assignment.market_id,
    )
    assignment.delete()


@transaction.atomic
def member_update(
    *, actor: Actor, member: Member, team: Team | None, is_active: bool, weekly_hours: Decimal | str | float = 0
) -> Member:
    if member.organization_id != actor.organization_id:
        raise NotFound(_("No such member."))
    markets = [a.market for a in member.roles.select_related("market")]
    if not markets:
        actor.require_global(Perm.MEMBERS_MANAGE)
    for market in markets:
        actor.require(Perm.MEMBERS_MANAGE, market)
    if team is not None and team.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a team of this organization."), field="team")
    try:
        hours = Decimal(str(weekly_hours)).quantize(Decimal("0.1"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("Hours per week must be a number."), field="weekly_hours") from exc
    if hours < 0 or hours > 80:
        raise ValidationFailed(_("Hours per week must be between 0 and 80."), field="weekly_hours")
    if not is_active and member.is_active:
        if member.pk == actor.member.pk:
            raise Conflict(_("You cannot deactivate yourself."))
        if member.roles.filter(role=Role.ORG_ADMIN).exists() and _active_org_admins(actor.organization_id) <= 1:
            raise Conflict(_("This is the last org admin; make someone else org admin first."))
    before = snapshot(member, MEMBER_FIELDS)
    member.team, member.is_active, member.weekly_hours = team, is_active, hours
    member.save()
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="member.update",
        target=member,
        before=before,
        after=snapshot(member, MEMBER_FIELDS),
    )
    return member


# --- invitations -----------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, actor: Actor, email: str, role: str, market: Market, team: Team | None = None
) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and the one-time link token (also e-mailed)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(_("Give a valid e-mail address."), field="email") from exc
    actor.require(Perm.MEMBERS_INVITE, market)
    _check_grantable(actor=actor, role=role, market=market)
    if team is not None and team.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a team of this organization."), field="team")
    if RoleAssignment.objects.filter(
        member__organization=actor.organization, member__user__email=email, role=role, market=market
    ).exists():
        raise Conflict(_("%(email)s already has this role in %(market)s.") % {"email": email, "market": market.name})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=actor.organization,
        email=email,
        role=role,
        market=market,
        team=team,
        token_hash=_hash(token),
        invited_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(hours=settings.HARMONIE_INVITATION_TTL_HOURS),
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="invitation.create",
        target=invitation,
        after={"email": email, "role": role, "market": market.pk, "team": team.pk if team else None},
        market_id=market.pk,
    )
    link = settings.HARMONIE_PUBLIC_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    org_name, inviter = actor.organization.name, str(actor.user)
    transaction.on_commit(
        lambda: send_mail(
            subject=_("You are invited to %(org)s on Harmonie") % {"org": org_name},
            message=_(
                "%(inviter)s invites you to join %(org)s on Harmonie.\n\n"
                "Open this link to accept (it expires in %(hours)s hours):\n%(link)s\n"
            )
            % {"inviter": inviter, "org": org_name, "hours": settings.HARMONIE_INVITATION_TTL_HOURS, "link": link},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    )
    return invitation, token


def invitation_by_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organization", "market", "team").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.revoked_at is not None:
        raise NotPermitted(_("This invitation was withdrawn. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already used. Log in instead."))
    if invitation.expires_at <= timezone.now():
        raise NotPermitted(_("This invitation has expired. Ask for a new invitation."))
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Member:
    """Accept an invitation: as the logged-in ``user`` (same e-mail), or by creating an account."""
    invitation = invitation_by_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already used. Log in instead."))
    user_model = get_user_model()
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email:
            raise NotPermitted(
                _("This invitation is for %(email)s; log out and open the link again.") % {"email": invitation.email}
            )
    else:
        existing = user_model.objects.filter(email=invitation.email).first()
        if existing is not None:
            raise Conflict(
                _("An account for %(email)s exists: log in, then open the link again.") % {"email": invitation.email}
            )
        if not first_name.strip():
            raise ValidationFailed(_("Give your first name."), field="first_name")
        candidate = user_model(
            email=invitation.email,
            username=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), field="password") from exc
        user = user_model.objects.create_user(
            email=invitation.email, password=password, first_name=first_name.strip(), last_name=last_name.strip()
        )
    assert user is not None
    member, _created = Member.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"team": invitation.team}
    )
    if not member.is_active:
        member.is_active = True
        member.save(update_fields=["is_active", "updated_at"])
    RoleAssignment.objects.get_or_create(member=member, role=invitation.role, market=invitation.market)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_record(
        organization_id=invitation.organization_id,
        actor=user,
        action="invitation.accept",
        target=member,
        after={"role": invitation.role, "market": invitation.market_id},
        market_id=invitation.market_id,
    )
    return member


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> None:
    if invitation.organization_id != actor.organization_id:
        raise NotFound(_("No such invitation."))
    actor.require(Perm.MEMBERS_INVITE, invitation.market)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="invitation.revoke",
        target=invitation,
        before={"email": invitation.email},
        market_id=invitation.market_id,
    )
