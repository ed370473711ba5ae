"""Reads for the acting person: their profile in the current organization and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harmonie.accounts.models import PersonalAccessToken, User
from harmonie.core.errors import NotFound
from harmonie.governance.models import Member, Organization, RoleAssignment
from harmonie.governance.permissions import Actor


@dataclass(frozen=True)
class Profile:
    user: User
    organization: Organization
    member: Member
    roles: list[RoleAssignment]


def profile_get(*, actor: Actor) -> Profile:
    """Who is acting: the user, the organization, the membership and its roles (two queries)."""
    member = Member.objects.select_related("user", "team", "organization").get(
        pk=actor.member.pk, organization=actor.organization
    )
    roles = list(RoleAssignment.objects.filter(member=member).select_related("market"))
    return Profile(user=member.user, organization=member.organization, member=member, roles=roles)


def token_list(*, user: User, organization_id: int) -> QuerySet[PersonalAccessToken]:
    """The user's own tokens for one organization, newest first (revoked and expired ones included)."""
    return PersonalAccessToken.objects.filter(user=user, organization_id=organization_id)


def token_get(*, user: User, organization_id: int, pk: int) -> PersonalAccessToken:
    token = token_list(user=user, organization_id=organization_id).filter(pk=pk).first()
    if token is None:
        raise NotFound(_("No such token."))
    return token
