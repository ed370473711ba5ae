"""Personal access tokens: created once, stored hashed, refused when revoked, expired or orphaned."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.test import Client
from django.utils import timezone

from harmonie.accounts.models import PersonalAccessToken, User
from harmonie.accounts.services import token_create
from harmonie.governance import services
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Market, Member, Role, RoleAssignment

EMAILS = {p.key: p.email for p in PERSONAS}
JSON = "application/json"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def session_client(email: str) -> tuple[Client, dict[str, str]]:
    """A logged-in browser with CSRF checks on, and the header that passes them."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email=email))
    client.get("/accounts/profile/")
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


def test_create_shows_the_secret_once_and_stores_only_its_hash(demo_org):
    client, csrf = session_client(EMAILS["fr_community_manager"])
    created = client.post("/api/v1/me/tokens", {"name": "Reporting script"}, content_type=JSON, headers=csrf)
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    prefix, secret = raw.split("_")[1], raw.split("_", 2)[2]
    assert raw == f"hrm_{prefix}_{secret}"
    assert (len(prefix), len(secret)) == (8, 43)
    assert (body["name"], body["prefix"], body["status"], body["expires_at"], body["organization_id"]) == (
        "Reporting script",
        prefix,
        "active",
        None,
        demo_org.pk,
    )

    stored = PersonalAccessToken.objects.get(pk=body["id"])
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    every_value = [str(v) for row in PersonalAccessToken.objects.values_list() for v in row]
    assert not [v for v in every_value if raw in v or secret in v]

    listed = client.get("/api/v1/me/tokens").json()
    assert [(t["id"], t["name"], t["status"]) for t in listed["items"]] == [(body["id"], "Reporting script", "active")]
    assert "token" not in listed["items"][0]
    assert raw not in client.get("/api/v1/me/tokens").content.decode()

    me = bearer(raw).get("/api/v1/me")
    assert me.status_code == 200
    assert (me.json()["user"]["email"], me.json()["authenticated_by"]) == (EMAILS["fr_community_manager"], "token")
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_token_cannot_mint_another(demo_org):
    user = User.objects.get(email=EMAILS["hq_admin"])
    _token, raw = token_create(user=user, organization_id=demo_org.pk, name="ci")
    refused = bearer(raw).post("/api/v1/me/tokens", {"name": "another"}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "message": "Create tokens from your profile page or a logged-in session, not with a token.",
        "field": None,
    }
    assert PersonalAccessToken.objects.filter(user=user).count() == 1


def test_token_input_errors(demo_org):
    client, csrf = session_client(EMAILS["de_market_lead"])
    blank = client.post("/api/v1/me/tokens", {"name": "  "}, content_type=JSON, headers=csrf)
    assert (blank.status_code, blank.json()["field"], blank.json()["message"]) == (
        400,
        "name",
        "Name the token after what will use it, e.g. 'reporting script'.",
    )
    past = client.post(
        "/api/v1/me/tokens", {"name": "old", "expires_at": "2020-01-01T00:00:00Z"}, content_type=JSON, headers=csrf
    )
    assert (past.status_code, past.json()["field"], past.json()["message"]) == (
        400,
        "expires_at",
        "The expiry date must be in the future.",
    )
    naive = client.post(
        "/api/v1/me/tokens", {"name": "naive", "expires_at": "2999-01-01T00:00:00"}, content_type=JSON, headers=csrf
    )
    assert (naive.status_code, naive.json()["error"], naive.json()["field"]) == (400, "validation", "expires_at")
    assert PersonalAccessToken.objects.count() == 0


def test_revoked_token_is_401(demo_org):
    user = User.objects.get(email=EMAILS["fr_market_lead"])
    token, raw = token_create(user=user, organization_id=demo_org.pk, name="script")
    api = bearer(raw)
    assert api.get("/api/v1/markets").status_code == 200
    assert api.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 204
    refused = api.get("/api/v1/markets")
    assert (refused.status_code, refused.json()["error"]) == (401, "unauthenticated")
    token.refresh_from_db()
    assert token.revoked_at is not None
    client, _csrf = session_client(EMAILS["fr_market_lead"])
    assert [t["status"] for t in client.get("/api/v1/me/tokens").json()["items"]] == ["revoked"]


def test_expired_token_is_401(demo_org):
    user = User.objects.get(email=EMAILS["analyst"])
    token, raw = token_create(
        user=user, organization_id=demo_org.pk, name="short", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert bearer(raw).get("/api/v1/audit").status_code == 200
    PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(raw).get("/api/v1/audit").status_code == 401


def test_inactive_member_or_user_is_401(demo_org, persona):
    camille = User.objects.get(email=EMAILS["fr_community_manager"])
    _token, raw = token_create(user=camille, organization_id=demo_org.pk, name="script")
    assert bearer(raw).get("/api/v1/markets").status_code == 200
    member = Member.objects.get(organization=demo_org, user=camille)
    services.member_update(actor=persona("hq_admin"), member=member, team=member.team, is_active=False)
    assert bearer(raw).get("/api/v1/markets").status_code == 401
    session = Client()
    session.force_login(camille)
    assert session.get("/api/v1/markets").status_code == 401

    julien = User.objects.get(email=EMAILS["fr_market_lead"])
    _token, julien_raw = token_create(user=julien, organization_id=demo_org.pk, name="script")
    assert bearer(julien_raw).get("/api/v1/markets").status_code == 200
    User.objects.filter(pk=julien.pk).update(is_active=False)
    assert bearer(julien_raw).get("/api/v1/markets").status_code == 401


def test_a_token_acts_in_its_own_organization_only(demo_org, other_org):
    """Claire belongs to both organizations: each token sees its organization, and its tokens, only."""
    org, _olga = other_org
    claire = User.objects.get(email=EMAILS["hq_admin"])
    member = Member.objects.create(organization=org, user=claire)
    RoleAssignment.objects.create(member=member, role=Role.ORG_ADMIN, market=Market.objects.get(organization=org))
    demo_token, demo_raw = token_create(user=claire, organization_id=demo_org.pk, name="vireo")
    other_token, other_raw = token_create(user=claire, organization_id=org.pk, name="other")

    demo_api, other_api = bearer(demo_raw), bearer(other_raw)
    assert demo_api.get("/api/v1/markets").json()["count"] == 9
    assert [m["name"] for m in other_api.get("/api/v1/markets").json()["items"]] == ["Global"]
    assert other_api.get("/api/v1/me").json()["organization"]["name"] == "Other Corp"
    assert [t["name"] for t in demo_api.get("/api/v1/me/tokens").json()["items"]] == ["vireo"]
    assert [t["name"] for t in other_api.get("/api/v1/me/tokens").json()["items"]] == ["other"]
    # A token of one organization cannot reach, nor revoke, the tokens of the other.
    assert demo_api.delete(f"/api/v1/me/tokens/{other_token.pk}").status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
    assert demo_token.pk != other_token.pk


def test_someone_elses_token_cannot_be_revoked(demo_org):
    owner = User.objects.get(email=EMAILS["de_market_lead"])
    token, _raw = token_create(user=owner, organization_id=demo_org.pk, name="katrin")
    _other, intruder_raw = token_create(
        user=User.objects.get(email=EMAILS["hq_admin"]), organization_id=demo_org.pk, name="claire"
    )
    response = bearer(intruder_raw).delete(f"/api/v1/me/tokens/{token.pk}")
    assert response.json() == {"error": "not_found", "message": "No such token.", "field": None}
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_writes_without_csrf_are_refused(demo_org):
    user = User.objects.get(email=EMAILS["fr_community_manager"])
    token, _raw = token_create(user=user, organization_id=demo_org.pk, name="kept")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    create = client.post("/api/v1/me/tokens", {"name": "x"}, content_type=JSON)
    revoke = client.delete(f"/api/v1/me/tokens/{token.pk}")
    assert (create.status_code, create.json()["error"]) == (403, "csrf_failed")
    assert (revoke.status_code, revoke.json()["error"]) == (403, "csrf_failed")
    assert list(PersonalAccessToken.objects.values_list("name", "revoked_at")) == [("kept", None)]
