from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core import mail
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance import selectors, services
from harmonie.governance.models import Invitation, Member, RoleAssignment, Team
from harmonie.governance.permissions import Perm


def _invite(persona, market, django_capture_on_commit_callbacks, **kwargs):
    data = {"email": "Lena.Fischer@Vireo.example", "role": "community_manager", "market": market("DE")}
    data.update(kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(actor=persona("de_market_lead"), **data)


def test_invitation_stores_only_a_hash_and_emails_the_link(
    demo_org, persona, market, django_capture_on_commit_callbacks
):
    invitation, token = _invite(persona, market, django_capture_on_commit_callbacks)
    assert invitation.email == "lena.fischer@vireo.example"
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lena.fischer@vireo.example"]
    assert message.subject == "You are invited to Vireo Industries on Harmonie"
    assert f"http://127.0.0.1:8000/accounts/invitations/{token}/" in message.body
    lifetime = invitation.expires_at - invitation.created_at
    assert dt.timedelta(hours=168) - dt.timedelta(seconds=5) < lifetime <= dt.timedelta(hours=168)


def test_accepting_creates_the_account_member_and_scoped_role(
    demo_org, persona, market, django_capture_on_commit_callbacks
):
    _invitation, token = _invite(persona, market, django_capture_on_commit_callbacks)
    member = services.invitation_accept(token=token, first_name="Lena", last_name="Fischer", password="Kr4nich-am-See")
    assert member.organization == demo_org
    assert member.user.check_password("Kr4nich-am-See")
    assert [(r.role, r.market.code) for r in member.roles.all()] == [("community_manager", "DE")]
    assert AuditEntry.objects.filter(action="invitation.accept", actor=member.user).count() == 1
    with pytest.raises(Conflict, match="already used"):
        services.invitation_accept(token=token, first_name="Lena", password="Kr4nich-am-See")


def test_expired_revoked_and_unknown_links_are_refused(demo_org, persona, market, django_capture_on_commit_callbacks):
    invitation, token = _invite(persona, market, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(NotPermitted, match="This invitation has expired"):
        services.invitation_accept(token=token, first_name="Lena", password="Kr4nich-am-See")
    invitation2, token2 = _invite(persona, market, django_capture_on_commit_callbacks, email="max@vireo.example")
    services.invitation_revoke(actor=persona("de_market_lead"), invitation=invitation2)
    with pytest.raises(NotPermitted, match="This invitation was withdrawn"):
        services.invitation_accept(token=token2, first_name="Max", password="Kr4nich-am-See")
    with pytest.raises(NotFound, match="This invitation link is not valid"):
        services.invitation_accept(token="made-up", first_name="X", password="Kr4nich-am-See")
    assert not User.objects.filter(email__in=["lena.fischer@vireo.example", "max@vireo.example"]).exists()


def test_weak_password_is_refused_and_nothing_is_created(demo_org, persona, market, django_capture_on_commit_callbacks):
    _invitation, token = _invite(persona, market, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_accept(token=token, first_name="Lena", password="12345")
    assert exc.value.field == "password"
    assert "too short" in exc.value.message
    assert not User.objects.filter(email="lena.fischer@vireo.example").exists()


def test_existing_user_accepts_while_logged_in_with_the_same_email(
    demo_org, persona, market, other_org, django_capture_on_commit_callbacks
):
    # Olga, admin of another organization, is invited into the demo one: one account, two memberships.
    _invitation, token = _invite(persona, market, django_capture_on_commit_callbacks, email="olga.admin@other.example")
    with pytest.raises(Conflict, match="log in, then open the link again"):
        services.invitation_accept(token=token, first_name="Olga", password="Kr4nich-am-See")
    wrong = User.objects.get(email="camille.durand@vireo.example")
    with pytest.raises(NotPermitted, match=r"This invitation is for olga\.admin@other\.example"):
        services.invitation_accept(token=token, user=wrong)
    olga = User.objects.get(email="olga.admin@other.example")
    member = services.invitation_accept(token=token, user=olga)
    assert sorted(m.organization.name for m in olga.memberships.all()) == ["Other Corp", "Vireo Industries"]
    assert member.organization == demo_org


def test_market_lead_invites_in_own_market_only_and_never_an_org_admin(demo_org, persona, market):
    de_lead = persona("de_market_lead")
    with pytest.raises(NotPermitted):
        services.invitation_create(actor=de_lead, email="x@vireo.example", role="contributor", market=market("FR"))
    with pytest.raises(ValidationFailed, match="org admin role is held at Global level only"):
        services.invitation_create(actor=de_lead, email="x@vireo.example", role="org_admin", market=market("DE"))
    with pytest.raises(NotPermitted):
        services.invitation_create(actor=de_lead, email="x@vireo.example", role="org_admin", market=market("GLOBAL"))
    with pytest.raises(NotPermitted):
        services.invitation_create(
            actor=persona("fr_community_manager"), email="x@vireo.example", role="contributor", market=market("FR")
        )
    assert Invitation.objects.count() == 0


def test_role_assign_and_revoke_are_scoped_and_audited(demo_org, persona, market):
    hq, fr_lead = persona("hq_admin"), persona("fr_market_lead")
    camille = Member.objects.get(organization=demo_org, user__email="camille.durand@vireo.example")
    services.role_assign(actor=fr_lead, member=camille, role="approver_brand", market=market("FR"))
    assert sorted((r.role, r.market.code) for r in camille.roles.all()) == [
        ("approver_brand", "FR"), ("community_manager", "FR"),
    ]  # fmt: skip
    with pytest.raises(NotPermitted):
        services.role_assign(actor=fr_lead, member=camille, role="contributor", market=market("DE"))
    entry = AuditEntry.objects.filter(action="role.assign").latest("id")
    assert (entry.after, entry.market_id) == ({"role": "approver_brand", "market": market("FR").pk}, market("FR").pk)
    assignment = RoleAssignment.objects.get(member=camille, role="approver_brand")
    services.role_revoke(actor=hq, assignment=assignment)
    assert [(r.role) for r in camille.roles.all()] == ["community_manager"]


def test_last_org_admin_cannot_be_removed_or_deactivated(demo_org, persona):
    hq = persona("hq_admin")
    assignment = RoleAssignment.objects.get(member=hq.member, role="org_admin")
    with pytest.raises(Conflict, match="last org admin"):
        services.role_revoke(actor=hq, assignment=assignment)
    with pytest.raises(Conflict, match="cannot deactivate yourself"):
        services.member_update(actor=hq, member=hq.member, team=None, is_active=False)
    assert RoleAssignment.objects.filter(role="org_admin", member__organization=demo_org).count() == 1


def test_deactivated_member_loses_every_permission(demo_org, persona):
    hq = persona("hq_admin")
    camille = Member.objects.get(organization=demo_org, user__email="camille.durand@vireo.example")
    services.member_update(actor=hq, member=camille, team=camille.team, is_active=False, weekly_hours="12.5")
    cm = persona("fr_community_manager")
    assert cm.can(Perm.CONTENT_VIEW) is False
    camille.refresh_from_db()
    assert (camille.is_active, str(camille.weekly_hours)) == (False, "12.5")
    with pytest.raises(NotPermitted):
        selectors.channel_list(actor=cm)


def test_member_list_is_scoped(demo_org, persona, other_org):
    emails = sorted(m.user.email for m in selectors.member_list(actor=persona("de_market_lead")))
    assert emails == ["jonas.weber@vireo.example", "katrin.schulz@vireo.example"]
    assert selectors.member_list(actor=persona("hq_admin")).count() == 14
    _org_b, admin_b = other_org
    assert [m.user.email for m in selectors.member_list(actor=admin_b)] == ["olga.admin@other.example"]


def test_teams(demo_org, persona, market):
    fr_lead = persona("fr_market_lead")
    team = services.team_create(actor=fr_lead, name="France social squad", kind="market", market=market("FR"))
    assert (team.kind, team.market.code) == ("market", "FR")
    with pytest.raises(NotPermitted):
        services.team_create(actor=fr_lead, name="HQ 2", kind="hq")
    with pytest.raises(ValidationFailed, match="A market team needs its market"):
        services.team_create(actor=persona("hq_admin"), name="Nowhere", kind="market")
    with pytest.raises(Conflict, match="A team named France already exists"):
        services.team_create(actor=fr_lead, name="France", kind="market", market=market("FR"))
    services.team_delete(actor=fr_lead, team=team)
    assert not Team.objects.filter(name="France social squad").exists()
    names = [t.name for t in selectors.team_list(actor=persona("fr_community_manager"))]
    assert names == ["France", "HQ Social Media"]


def test_invitation_link_pattern(demo_org, persona, market, django_capture_on_commit_callbacks):
    _inv, token = _invite(persona, market, django_capture_on_commit_callbacks)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
