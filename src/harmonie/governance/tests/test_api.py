"""The REST API under /api/v1/, called as the demo personas with real personal access tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.core.models import AuditEntry
from harmonie.governance import services
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import (
    Budget,
    Channel,
    Dimension,
    GovernanceRule,
    Invitation,
    Market,
    MarketKind,
    Member,
    Organization,
    RoleAssignment,
    Team,
)
from harmonie.governance.permissions import Actor

EMAILS = {p.key: p.email for p in PERSONAS}
ALL_MARKETS = ["GLOBAL", "EUROPE", "FR", "DE", "AMERICAS", "US", "BR", "APAC", "JP"]
JSON = "application/json"


class Api:
    """A JSON client for /api/v1/ that sends a bearer token."""

    def __init__(self, raw_token: str) -> None:
        self.token = raw_token
        self.client = Client(headers={"Authorization": f"Bearer {raw_token}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post("/api/v1" + path, body or {}, content_type=JSON)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put("/api/v1" + path, body, content_type=JSON)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch("/api/v1" + path, body, content_type=JSON)

    def delete(self, path: str) -> Any:
        return self.client.delete("/api/v1" + path)


def _api_for(user: User, organization: Organization) -> Api:
    _token, raw = token_create(user=user, organization_id=organization.pk, name="tests")
    return Api(raw)


@pytest.fixture
def api_client_for(demo_org: Organization) -> Callable[[str], Api]:
    """``api_client_for("fr_community_manager")``: a real token of that persona, sent as a Bearer header."""

    def get(key: str) -> Api:
        return _api_for(User.objects.get(email=EMAILS[key]), demo_org)

    return get


@pytest.fixture
def other_api(other_org: tuple[Organization, Actor]) -> Api:
    org, actor = other_org
    return _api_for(actor.user, org)


def codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def audit_actions(org: Organization) -> list[str]:
    return list(AuditEntry.objects.filter(organization=org).order_by("id").values_list("action", flat=True))


# --- authentication and isolation ------------------------------------------------------------


def test_no_credentials_is_401_with_a_json_message(demo_org):
    response = Client().get("/api/v1/markets")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="harmonie"'
    body = response.json()
    assert (body["error"], body["field"]) == ("unauthenticated", None)
    assert body["message"].startswith("Authentication required: send 'Authorization: Bearer hrm_...'")


@pytest.mark.parametrize("header", ["Bearer hrm_deadbeef_nope", "Bearer nothing", "Basic abc", "Bearer"])
def test_bad_tokens_are_401(demo_org, header):
    response = Client(headers={"Authorization": header}).get("/api/v1/me")
    assert (response.status_code, response.json()["error"]) == (401, "unauthenticated")


def test_a_token_of_one_organization_never_sees_another(api_client_for, other_org, other_api, market):
    org, olga = other_org
    other_country = services.market_create(
        actor=olga, parent=Market.objects.get(organization=org, parent__isnull=True), kind=MarketKind.COUNTRY,
        code="IT", name="Italy", languages=["it"], timezone="Europe/Rome", currency="EUR",
    )  # fmt: skip
    other_channel = services.channel_create(
        actor=olga, network="bluesky", handle="other.bsky.social", display_name="Other", owner_market=other_country
    )
    hq = api_client_for("hq_admin")

    listed = hq.get("/markets")
    assert (listed.json()["count"], codes(listed)) == (9, ALL_MARKETS)
    assert hq.get(f"/markets/{other_country.pk}").status_code == 404
    assert hq.get(f"/markets/{other_country.pk}").json() == {
        "error": "not_found",
        "message": "No such market.",
        "field": None,
    }
    assert hq.get(f"/channels/{other_channel.pk}").status_code == 404
    assert other_channel.pk not in [c["id"] for c in hq.get("/channels", limit=100).json()["items"]]
    assert hq.get("/channels", market_id=other_country.pk).json() == {"items": [], "count": 0}
    # Writing with another organization's ids: the referenced market is not found (400 on the field).
    refused = hq.post(
        "/budgets",
        {"market_id": other_country.pk, "dimension_id": Dimension.objects.get(organization=org, key="product").pk,
         "period_start": "2026-01-01", "period_end": "2026-12-31", "planned_amount": "10"},
    )  # fmt: skip
    assert (refused.status_code, refused.json()["field"], refused.json()["message"]) == (
        400,
        "market_id",
        "No such market.",
    )

    # And back: the other organization's admin sees only her own markets and channels.
    assert codes(other_api.get("/markets")) == ["GLOBAL", "IT"]
    assert other_api.get(f"/markets/{market('FR').pk}").status_code == 404
    demo_channel = Channel.objects.get(handle="vireo-france")
    assert other_api.get(f"/channels/{demo_channel.pk}").status_code == 404
    assert [c["handle"] for c in other_api.get("/channels").json()["items"]] == ["other.bsky.social"]
    assert other_api.get("/me").json()["organization"]["slug"] == "other-corp"


def test_session_auth_enforces_csrf_on_writes(demo_org, market):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email=EMAILS["fr_market_lead"]))
    assert client.get("/api/v1/markets").status_code == 200  # reads need no CSRF token
    body = {
        "network": "linkedin",
        "handle": "vireo-lyon",
        "display_name": "Vireo Lyon",
        "owner_market_id": market("FR").pk,
    }

    refused = client.post("/api/v1/channels", body, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    assert not Channel.objects.filter(handle="vireo-lyon").exists()

    client.get("/accounts/profile/")  # any page sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    created = client.post("/api/v1/channels", body, content_type=JSON, headers={"X-CSRFToken": csrf})
    assert created.status_code == 201
    assert created.json()["handle"] == "vireo-lyon"
    assert client.get("/api/v1/me").json()["authenticated_by"] == "session"


def test_session_without_membership_is_401(db):
    stranger = User.objects.create_user(email="nobody@example.com", password="x-long-password")
    client = Client()
    client.force_login(stranger)
    assert client.get("/api/v1/markets").status_code == 401


# --- markets and teams -----------------------------------------------------------------------


def test_markets_are_scoped_and_in_tree_order(api_client_for, market):
    cm = api_client_for("fr_community_manager")
    listed = cm.get("/markets")
    assert listed.status_code == 200
    assert (listed.json()["count"], codes(listed)) == (3, ["GLOBAL", "EUROPE", "FR"])
    fr = cm.get(f"/markets/{market('FR').pk}").json()
    assert {k: fr[k] for k in ("code", "name", "kind", "parent_id", "depth", "languages", "timezone", "currency")} == {
        "code": "FR",
        "name": "France",
        "kind": "country",
        "parent_id": market("EUROPE").pk,
        "depth": 2,
        "languages": ["fr-FR"],
        "timezone": "Europe/Paris",
        "currency": "EUR",
    }
    assert fr["created_at"].endswith("Z")  # aware, UTC
    assert cm.get(f"/markets/{market('DE').pk}").status_code == 404

    hq = api_client_for("hq_admin")
    assert codes(hq.get("/markets")) == ALL_MARKETS
    page = hq.get("/markets", limit=2, offset=1).json()
    assert (page["count"], [m["code"] for m in page["items"]]) == (9, ["EUROPE", "FR"])
    zero = hq.get("/markets", limit=0)
    assert (zero.status_code, zero.json()["field"]) == (400, "limit")


def test_market_create_and_update(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    before = AuditEntry.objects.count()
    created = hq.post(
        "/markets",
        {"parent_id": market("EUROPE").pk, "kind": "country", "code": "be", "name": "Belgium",
         "languages": ["fr_be", "nl-be", "fr-BE"], "timezone": "Europe/Brussels", "currency": "eur"},
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["code"], body["languages"], body["currency"], body["depth"], body["parent_id"]) == (
        "BE",
        ["fr-BE", "nl-BE"],
        "EUR",
        2,
        market("EUROPE").pk,
    )
    entry = AuditEntry.objects.get(action="market.create", target_id=str(body["id"]))
    assert (entry.actor_label, entry.market_id, entry.after["code"]) == ("Claire Martin", body["id"], "BE")
    assert AuditEntry.objects.count() == before + 1
    assert codes(hq.get("/markets")) == ["GLOBAL", "EUROPE", "FR", "DE", "BE", "AMERICAS", "US", "BR", "APAC", "JP"]

    lead = api_client_for("fr_market_lead")
    fr = market("FR")
    updated = lead.patch(f"/markets/{fr.pk}", {"name": "France métropolitaine", "languages": ["fr-FR", "br"]})
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["languages"], updated.json()["timezone"]) == (
        "France métropolitaine",
        ["fr-FR", "br"],
        "Europe/Paris",
    )
    change = AuditEntry.objects.get(action="market.update", target_id=str(fr.pk))
    assert (change.before["name"], change.after["name"], change.actor_label) == (
        "France",
        "France métropolitaine",
        "Julien Bernard",
    )

    bad_tz = lead.patch(f"/markets/{fr.pk}", {"timezone": "Mars/Olympus"})
    assert bad_tz.status_code == 400
    assert bad_tz.json() == {
        "error": "validation",
        "message": "'Mars/Olympus' is not an IANA time zone. Use a name such as Europe/Paris or America/Sao_Paulo.",
        "field": "timezone",
    }
    assert Market.objects.get(pk=fr.pk).timezone == "Europe/Paris"
    # Europe is visible to the French lead (above France) but not theirs to manage.
    refused = lead.patch(f"/markets/{market('EUROPE').pk}", {"name": "EU"})
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert refused.json()["message"] == (
        "You do not have the permission 'markets.manage' in Europe. Ask an org admin for the role you need."
    )
    assert Market.objects.get(code="EUROPE", organization=demo_org).name == "Europe"
    # Germany is not even visible.
    assert lead.patch(f"/markets/{market('DE').pk}", {"name": "DE"}).status_code == 404
    # Moving a market needs markets.manage at Global.
    moved = lead.patch(f"/markets/{fr.pk}", {"parent_id": market("GLOBAL").pk})
    assert (moved.status_code, moved.json()["message"]) == (
        403,
        "Only members holding 'markets.manage' at Global level may do this.",
    )


def test_market_input_errors_are_400(api_client_for, market):
    hq = api_client_for("hq_admin")
    missing = hq.post("/markets", {"parent_id": market("GLOBAL").pk, "kind": "country"})
    assert missing.status_code == 400
    assert (missing.json()["error"], missing.json()["field"]) == ("validation", "code")
    wrong_kind = hq.post(
        "/markets",
        {"parent_id": market("FR").pk, "kind": "country", "code": "PARIS", "name": "Paris", "languages": ["fr"],
         "timezone": "Europe/Paris", "currency": "EUR"},
    )  # fmt: skip
    assert (wrong_kind.status_code, wrong_kind.json()["field"], wrong_kind.json()["message"]) == (
        400,
        "parent",
        "A Country cannot be placed under France (a Country).",
    )
    duplicate = hq.post(
        "/markets",
        {"parent_id": market("EUROPE").pk, "kind": "country", "code": "fr", "name": "France bis", "languages": ["fr"],
         "timezone": "Europe/Paris", "currency": "EUR"},
    )  # fmt: skip
    assert (duplicate.status_code, duplicate.json()["error"], duplicate.json()["message"]) == (
        409,
        "conflict",
        "A market with the code FR already exists.",
    )


def test_teams(api_client_for, market, demo_org):
    cm = api_client_for("fr_community_manager")
    assert [t["name"] for t in cm.get("/teams").json()["items"]] == ["France", "HQ Social Media"]
    lead = api_client_for("fr_market_lead")
    created = lead.post("/teams", {"name": "Lyon", "kind": "market", "market_id": market("FR").pk})
    assert created.status_code == 201
    team = created.json()
    assert (team["kind"], team["market_code"], team["description"]) == ("market", "FR", "")
    renamed = lead.patch(f"/teams/{team['id']}", {"name": "Lyon & Rhône", "description": "Regional office"})
    assert (renamed.json()["name"], renamed.json()["description"], renamed.json()["market_id"]) == (
        "Lyon & Rhône",
        "Regional office",
        market("FR").pk,
    )
    assert cm.get(f"/teams/{team['id']}").json()["name"] == "Lyon & Rhône"
    hq_team = Team.objects.get(organization=demo_org, name="HQ Social Media")
    refused = lead.delete(f"/teams/{hq_team.pk}")
    assert refused.status_code == 403
    assert lead.delete(f"/teams/{team['id']}").status_code == 204
    assert not Team.objects.filter(pk=team["id"]).exists()
    assert audit_actions(demo_org)[-3:] == ["team.create", "team.update", "team.delete"]
    germany = Team.objects.get(organization=demo_org, name="Germany")
    assert cm.get(f"/teams/{germany.pk}").status_code == 404


# --- members, roles, invitations -------------------------------------------------------------


def test_members_are_scoped(api_client_for, demo_org):
    cm = api_client_for("fr_community_manager")
    listed = cm.get("/members").json()
    assert [m["email"] for m in listed["items"]] == [EMAILS["fr_market_lead"], EMAILS["fr_community_manager"]]
    camille = listed["items"][1]
    assert {k: camille[k] for k in ("first_name", "last_name", "team_name", "is_active", "weekly_hours")} == {
        "first_name": "Camille",
        "last_name": "Durand",
        "team_name": "France",
        "is_active": True,
        "weekly_hours": "35.0",
    }
    assert [(r["role"], r["market_code"]) for r in camille["roles"]] == [("community_manager", "FR")]
    assert api_client_for("hq_admin").get("/members").json()["count"] == 14
    jonas = Member.objects.get(organization=demo_org, user__email=EMAILS["de_community_manager"])
    assert cm.get(f"/members/{jonas.pk}").status_code == 404


def test_member_update_and_roles(api_client_for, demo_org, market):
    lead = api_client_for("fr_market_lead")
    camille = Member.objects.get(organization=demo_org, user__email=EMAILS["fr_community_manager"])
    updated = lead.patch(f"/members/{camille.pk}", {"weekly_hours": "20.5", "team_id": None})
    assert updated.status_code == 200
    assert (updated.json()["weekly_hours"], updated.json()["team_id"], updated.json()["is_active"]) == (
        "20.5",
        None,
        True,
    )
    too_many = lead.patch(f"/members/{camille.pk}", {"weekly_hours": 90})
    assert (too_many.status_code, too_many.json()["message"], too_many.json()["field"]) == (
        400,
        "Hours per week must be between 0 and 80.",
        "weekly_hours",
    )

    granted = lead.post(f"/members/{camille.pk}/roles", {"role": "analyst", "market_id": market("FR").pk})
    assert granted.status_code == 201
    role_id = granted.json()["id"]
    assert (granted.json()["role"], granted.json()["market_code"]) == ("analyst", "FR")
    assert sorted(RoleAssignment.objects.filter(member=camille).values_list("role", flat=True)) == [
        "analyst",
        "community_manager",
    ]
    not_admin = lead.post(f"/members/{camille.pk}/roles", {"role": "org_admin", "market_id": market("GLOBAL").pk})
    assert not_admin.status_code == 403
    unknown = lead.post(f"/members/{camille.pk}/roles", {"role": "emperor", "market_id": market("FR").pk})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "role")

    assert lead.delete(f"/members/{camille.pk}/roles/{role_id}").status_code == 204
    assert list(RoleAssignment.objects.filter(member=camille).values_list("role", flat=True)) == ["community_manager"]
    assert audit_actions(demo_org)[-3:] == ["member.update", "role.assign", "role.revoke"]


def test_invitations(api_client_for, demo_org, market, mailoutbox):
    lead = api_client_for("fr_market_lead")
    created = lead.post(
        "/invitations", {"email": "Lea.Petit@vireo.example", "role": "contributor", "market_id": market("FR").pk}
    )
    assert created.status_code == 201
    body = created.json()
    token = body["token"]
    assert (body["email"], body["role"], body["market_code"], body["invited_by"]) == (
        "lea.petit@vireo.example",
        "contributor",
        "FR",
        EMAILS["fr_market_lead"],
    )
    assert body["accept_url"] == f"http://127.0.0.1:8000/accounts/invitations/{token}/"
    invitation = Invitation.objects.get(pk=body["id"])
    assert token not in invitation.token_hash
    assert [i["email"] for i in lead.get("/invitations").json()["items"]] == ["lea.petit@vireo.example"]
    assert "token" not in lead.get("/invitations").json()["items"][0]
    assert api_client_for("de_market_lead").get("/invitations").json()["count"] == 0

    bad = lead.post("/invitations", {"email": "not-an-address", "role": "contributor", "market_id": market("FR").pk})
    assert (bad.status_code, bad.json()["message"], bad.json()["field"]) == (
        400,
        "Give a valid e-mail address.",
        "email",
    )

    assert api_client_for("de_market_lead").delete(f"/invitations/{body['id']}").status_code == 404
    assert lead.delete(f"/invitations/{body['id']}").status_code == 204
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert lead.get("/invitations").json()["count"] == 0
    assert audit_actions(demo_org)[-2:] == ["invitation.create", "invitation.revoke"]


# --- dimensions and the governance matrix ----------------------------------------------------


def test_dimensions(api_client_for, demo_org):
    cm = api_client_for("fr_community_manager")
    listed = cm.get("/dimensions").json()
    assert [d["key"] for d in listed["items"]] == [
        "corporate", "financial", "crisis", "product", "country", "internal", "innovation",
    ]  # fmt: skip
    assert [d["is_builtin"] for d in listed["items"]] == [True] * 6 + [False]
    refused = cm.post("/dimensions", {"name": "Sustainability"})
    assert refused.status_code == 403
    assert not Dimension.objects.filter(organization=demo_org, key="sustainability").exists()

    hq = api_client_for("hq_admin")
    created = hq.post("/dimensions", {"name": "Sustainability", "description": "ESG reporting."})
    assert created.status_code == 201
    dim = created.json()
    assert (dim["key"], dim["position"], dim["is_builtin"]) == ("sustainability", 80, False)
    default = GovernanceRule.objects.get(dimension_id=dim["id"], market__isnull=True)
    assert (default.ownership, default.creators) == ("local_led", "market_leads")  # mixed preset, custom dimension
    assert hq.patch(f"/dimensions/{dim['id']}", {"name": "ESG"}).json()["name"] == "ESG"
    builtin = Dimension.objects.get(organization=demo_org, key="financial")
    kept = hq.delete(f"/dimensions/{builtin.pk}")
    assert (kept.status_code, kept.json()["message"]) == (
        400,
        "Built-in dimensions cannot be deleted; rename or leave them unused.",
    )
    assert hq.delete(f"/dimensions/{dim['id']}").status_code == 204
    assert audit_actions(demo_org)[-5:] == [
        "dimension.create", "governance_rule.set", "dimension.update", "governance_rule.clear", "dimension.delete",
    ]  # fmt: skip


def _row(matrix: dict[str, Any], key: str) -> dict[str | None, dict[str, Any]]:
    row = next(r for r in matrix["rows"] if r["dimension"]["key"] == key)
    return {cell["market_code"]: cell for cell in row["cells"]}


def test_matrix_grid(api_client_for):
    hq = api_client_for("hq_admin").get("/governance/matrix").json()
    assert hq["preset"] == "custom"  # the demo tuned cells after the mixed preset
    assert [m["code"] for m in hq["markets"]] == ALL_MARKETS
    assert len(hq["rows"]) == 7
    assert all(len(row["cells"]) == 9 for row in hq["rows"])
    product = _row(hq, "product")
    assert product[None] == {
        "dimension_id": product[None]["dimension_id"],
        "market_id": None,
        "market_code": None,
        "ownership": "global_led",
        "creators": "market_leads",
        "local_variants": "allowed",
        "cross_market_visibility": False,
        "approval_circuit": "brand-hq",  # the approvals demo sends product content to the HQ brand review
        "overridden": True,
        "source_market_id": None,
        "source_market_code": None,
    }
    assert (product["EUROPE"]["overridden"], product["EUROPE"]["cross_market_visibility"]) == (True, True)
    assert (product["DE"]["overridden"], product["DE"]["source_market_code"]) == (False, "EUROPE")
    assert (product["DE"]["cross_market_visibility"], product["US"]["cross_market_visibility"]) == (True, False)
    assert (product["US"]["overridden"], product["US"]["source_market_code"]) == (False, None)
    assert (product["JP"]["overridden"], product["JP"]["creators"], product["JP"]["local_variants"]) == (
        True,
        "global_team",
        "required",
    )
    country = _row(hq, "country")
    assert (country["BR"]["ownership"], country["BR"]["creators"]) == ("local_free", "contributors")
    assert (country["FR"]["ownership"], country["FR"]["creators"]) == ("local_led", "community_managers")

    cm = api_client_for("fr_community_manager").get("/governance/matrix").json()
    assert [m["code"] for m in cm["markets"]] == ["GLOBAL", "EUROPE", "FR"]
    assert list(_row(cm, "product")) == [None, "EUROPE", "FR"]


def test_matrix_cell_set_and_clear(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    country = Dimension.objects.get(organization=demo_org, key="country")
    de = market("DE")
    before = AuditEntry.objects.count()
    response = hq.put(
        f"/governance/cells/{country.pk}/{de.pk}",
        {"ownership": "local_free", "creators": "contributors", "local_variants": "allowed",
         "cross_market_visibility": True, "approval_circuit": "legal-claims"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {
        "dimension_id": country.pk,
        "market_id": de.pk,
        "market_code": "DE",
        "ownership": "local_free",
        "creators": "contributors",
        "local_variants": "allowed",
        "cross_market_visibility": True,
        "approval_circuit": "legal-claims",
        "overridden": True,
        "source_market_id": None,
        "source_market_code": None,
    }
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.target_label, entry.market_id, entry.before) == (
        "governance_rule.set",
        "Country × Germany",
        de.pk,
        None,
    )
    assert AuditEntry.objects.count() == before + 1
    assert hq.get(f"/governance/cells/{country.pk}/{de.pk}").json()["approval_circuit"] == "legal-claims"

    contradictory = hq.put(
        f"/governance/cells/{country.pk}/default",
        {"ownership": "global_only", "creators": "contributors", "local_variants": "not_allowed"},
    )
    assert (contradictory.status_code, contradictory.json()["field"], contradictory.json()["message"]) == (
        400,
        "creators",
        "A 'global only' dimension can only be created by the global team; choose 'Global team only'.",
    )

    assert hq.delete(f"/governance/cells/{country.pk}/{de.pk}").status_code == 204
    assert not GovernanceRule.objects.filter(dimension=country, market=de).exists()
    again = hq.delete(f"/governance/cells/{country.pk}/{de.pk}")
    assert (again.status_code, again.json()["message"]) == (400, "Germany has no override for Country.")
    default = hq.delete(f"/governance/cells/{country.pk}/default")
    assert (default.status_code, default.json()["field"]) == (400, "market")


def test_refused_matrix_write_changes_nothing(api_client_for, demo_org, market):
    cm = api_client_for("fr_community_manager")
    country = Dimension.objects.get(organization=demo_org, key="country")
    rules_before = list(GovernanceRule.objects.order_by("pk").values())
    audit_before = AuditEntry.objects.count()
    response = cm.put(
        f"/governance/cells/{country.pk}/{market('FR').pk}",
        {"ownership": "local_free", "creators": "contributors", "local_variants": "allowed"},
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "message": "Only members holding 'governance.edit' at Global level may do this.",
        "field": None,
    }
    assert list(GovernanceRule.objects.order_by("pk").values()) == rules_before
    assert AuditEntry.objects.count() == audit_before
    assert cm.post("/governance/preset", {"preset": "centralized"}).status_code == 403
    assert AuditEntry.objects.count() == audit_before


def test_preset_apply(api_client_for, demo_org):
    hq = api_client_for("hq_admin")
    response = hq.post("/governance/preset", {"preset": "centralized"})
    assert response.status_code == 200
    assert response.json() == {"preset": "centralized", "changed_cells": 6}
    assert GovernanceRule.objects.filter(organization=demo_org, market__isnull=False).count() == 0
    country = GovernanceRule.objects.get(organization=demo_org, dimension__key="country", market__isnull=True)
    assert (country.ownership, country.creators) == ("global_led", "market_leads")
    custom = hq.post("/governance/preset", {"preset": "custom"})
    assert (custom.status_code, custom.json()["message"]) == (
        400,
        "Choose a preset: centralized, mixed or decentralized.",
    )


def _check(api: Api, dimension: str, market_code: str) -> dict[str, Any]:
    response = api.get("/governance/check", dimension_key=dimension, market_code=market_code)
    assert response.status_code == 200, response.json()
    return response.json()


def test_matrix_check(api_client_for, demo_org, market):
    cm = api_client_for("fr_community_manager")
    country_fr = _check(cm, "country", "FR")
    assert (country_fr["market_id"], country_fr["dimension_key"]) == (market("FR").pk, "country")
    assert country_fr["create"] == {"allowed": True, "reason": "Allowed by the governance matrix."}
    assert country_fr["localize"] == {"allowed": True, "reason": "Allowed by the governance matrix."}
    assert country_fr["read_content"] == {"allowed": True, "reason": "Your own market."}

    assert _check(cm, "financial", "FR")["create"] == {
        "allowed": False,
        "reason": "Financial content is kept global: only the global team publishes it.",
    }
    assert _check(cm, "financial", "FR")["localize"] == {
        "allowed": False,
        "reason": "Financial content is published as is: local variants are not allowed.",
    }
    # Product in France follows the Europe override: market leads create, so a community manager does not.
    assert _check(cm, "product", "FR")["create"] == {
        "allowed": False,
        "reason": "In France, Product content is created by: Market leads.",
    }
    assert _check(cm, "country", "DE")["read_content"] == {
        "allowed": False,
        "reason": "Drafts of Germany are not open to other markets.",
    }
    assert _check(cm, "country", "DE")["create"] == {
        "allowed": False,
        "reason": "You have no role that creates content in Germany.",
    }
    assert _check(cm, "product", "DE")["read_content"] == {
        "allowed": True,
        "reason": "The governance matrix opens this cell to other markets (read only).",
    }
    # The Europe override does not reach the Americas.
    assert _check(cm, "product", "US")["read_content"]["allowed"] is False

    by_id = cm.get(
        "/governance/check",
        dimension_id=Dimension.objects.get(organization=demo_org, key="country").pk,
        market_id=market("FR").pk,
    )
    assert by_id.json()["create"]["allowed"] is True
    missing = cm.get("/governance/check", dimension_key="country")
    assert (missing.status_code, missing.json()["field"]) == (400, "market_id")
    assert cm.get("/governance/check", dimension_key="country", market_code="XX").status_code == 404


# --- channels, budgets, audit ----------------------------------------------------------------


def test_channels_list_and_filters(api_client_for, market):
    cm = api_client_for("fr_community_manager")
    listed = cm.get("/channels").json()
    assert [c["handle"] for c in listed["items"]] == [
        "vireo.bsky.social", "vireo-group", "@VireoGroup", "vireo-fr.bsky.social", "vireo-france",
    ]  # fmt: skip
    france = listed["items"][-1]
    assert (france["network"], france["owner_market_code"], france["served_market_ids"], france["timezone"]) == (
        "linkedin",
        "FR",
        [market("FR").pk],
        "Europe/Paris",
    )
    hq = api_client_for("hq_admin")
    assert hq.get("/channels").json()["count"] == 14
    linkedin_fr = hq.get("/channels", market_id=market("FR").pk, network="linkedin").json()
    assert [c["handle"] for c in linkedin_fr["items"]] == ["vireo-group", "vireo-france"]
    assert [c["handle"] for c in hq.get("/channels", network="mastodon").json()["items"]] == [
        "vireo_de@mastodon.social"
    ]
    bad_filter = hq.get("/channels", network="myspace")
    assert (bad_filter.status_code, bad_filter.json()["field"]) == (400, "network")
    german = Channel.objects.get(handle="vireo-deutschland")
    assert cm.get(f"/channels/{german.pk}").status_code == 404


def test_channel_create_and_update(api_client_for, demo_org, market):
    lead = api_client_for("fr_market_lead")
    created = lead.post(
        "/channels",
        {"network": "bluesky", "handle": "@Vireo-Lyon.bsky.social", "display_name": "Vireo Lyon",
         "owner_market_id": market("FR").pk},
    )  # fmt: skip
    assert created.status_code == 201
    channel = created.json()
    assert (channel["handle"], channel["timezone"], channel["served_market_ids"], channel["is_active"]) == (
        "vireo-lyon.bsky.social",
        "Europe/Paris",
        [market("FR").pk],
        True,
    )
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.target_id, entry.market_id) == ("channel.create", str(channel["id"]), market("FR").pk)

    updated = lead.patch(f"/channels/{channel['id']}", {"is_active": False, "display_name": "Vireo Lyon (archived)"})
    assert (updated.json()["is_active"], updated.json()["display_name"], updated.json()["handle"]) == (
        False,
        "Vireo Lyon (archived)",
        "vireo-lyon.bsky.social",
    )
    assert AuditEntry.objects.latest("id").action == "channel.update"

    bad_handle = lead.post("/channels", {"network": "x", "handle": "not a handle!", "owner_market_id": market("FR").pk})
    assert bad_handle.status_code == 400
    assert bad_handle.json() == {
        "error": "validation",
        "message": "'not a handle!' is not a valid X handle: "
        "use 1 to 15 letters, digits or underscores, such as @acme.",
        "field": "handle",
    }
    unknown_network = lead.post(
        "/channels", {"network": "myspace", "handle": "vireo", "owner_market_id": market("FR").pk}
    )
    assert unknown_network.status_code == 400
    assert (unknown_network.json()["error"], unknown_network.json()["field"]) == ("validation", "network")
    assert unknown_network.json()["message"].startswith("network: Input should be 'bluesky', 'mastodon'")
    bad_tz = lead.patch(f"/channels/{channel['id']}", {"timezone": "Europe/Lyon"})
    assert (bad_tz.status_code, bad_tz.json()["field"]) == (400, "timezone")
    outside = lead.post(
        "/channels",
        {"network": "x", "handle": "@VireoSud", "owner_market_id": market("FR").pk,
         "served_market_ids": [market("FR").pk, market("DE").pk]},
    )  # fmt: skip
    assert (outside.status_code, outside.json()["field"]) == (400, "served_market_ids")
    duplicate = lead.post(
        "/channels", {"network": "linkedin", "handle": "vireo-france", "owner_market_id": market("FR").pk}
    )
    assert (duplicate.status_code, duplicate.json()["message"]) == (409, "This LinkedIn account is already a channel.")
    cm = api_client_for("fr_community_manager")
    refused = cm.post("/channels", {"network": "x", "handle": "@VireoCM", "owner_market_id": market("FR").pk})
    assert refused.status_code == 403
    assert not Channel.objects.filter(handle="@VireoCM").exists()


def test_budgets(api_client_for, demo_org, market):
    lead = api_client_for("fr_market_lead")
    listed = lead.get("/budgets", year=2026).json()
    assert listed["count"] == 8
    assert [
        (b["dimension_key"], b["period_start"], b["period_end"], b["planned_amount"]) for b in listed["items"][:3]
    ] == [
        ("product", "2026-01-01", "2026-03-31", "9000.00"),
        ("country", "2026-01-01", "2026-03-31", "3000.00"),
        ("product", "2026-04-01", "2026-06-30", "9500.00"),
    ]
    assert {b["market_code"] for b in listed["items"]} == {"FR"}
    assert lead.get("/budgets", year=2025).json()["count"] == 0
    product = Dimension.objects.get(organization=demo_org, key="product")
    assert lead.get("/budgets", dimension_id=product.pk).json()["count"] == 4
    hq = api_client_for("hq_admin")
    assert hq.get("/budgets").json()["count"] == 42
    assert hq.get("/budgets", market_id=market("GLOBAL").pk).json()["count"] == 2
    assert api_client_for("fr_community_manager").get("/budgets").status_code == 403

    internal = Dimension.objects.get(organization=demo_org, key="internal")
    created = lead.post(
        "/budgets",
        {"market_id": market("FR").pk, "dimension_id": internal.pk, "period_start": "2026-01-01",
         "period_end": "2026-06-30", "planned_amount": "1200.5", "notes": " Employer brand "},
    )  # fmt: skip
    assert created.status_code == 201
    budget = created.json()
    assert (budget["planned_amount"], budget["currency"], budget["notes"], budget["dimension_key"]) == (
        "1200.50",
        "EUR",
        "Employer brand",
        "internal",
    )
    assert AuditEntry.objects.latest("id").action == "budget.create"

    overlapping = lead.post(
        "/budgets",
        {"market_id": market("FR").pk, "dimension_id": product.pk, "period_start": "2026-03-01",
         "period_end": "2026-04-30", "planned_amount": 100},
    )  # fmt: skip
    assert overlapping.status_code == 409
    assert overlapping.json() == {
        "error": "conflict",
        "message": "France already has a Product budget from 2026-01-01 to 2026-03-31; periods may not overlap.",
        "field": "period_start",
    }
    backwards = lead.patch(f"/budgets/{budget['id']}", {"period_end": "2025-12-31"})
    assert (backwards.status_code, backwards.json()["message"], backwards.json()["field"]) == (
        400,
        "The period ends before it starts: check the dates.",
        "period_end",
    )
    negative = lead.patch(f"/budgets/{budget['id']}", {"planned_amount": "-5"})
    assert (negative.status_code, negative.json()["message"]) == (400, "The planned amount cannot be negative.")
    bad_date = lead.patch(f"/budgets/{budget['id']}", {"period_end": "30/06/2026"})
    assert (bad_date.status_code, bad_date.json()["field"]) == (400, "period_end")
    raised = lead.patch(f"/budgets/{budget['id']}", {"planned_amount": 1500, "currency": "usd"})
    assert (raised.json()["planned_amount"], raised.json()["currency"], raised.json()["period_end"]) == (
        "1500.00",
        "USD",
        "2026-06-30",
    )
    de_budget = Budget.objects.filter(market=market("DE")).first()
    assert de_budget is not None
    assert lead.get(f"/budgets/{de_budget.pk}").status_code == 404
    assert lead.delete(f"/budgets/{de_budget.pk}").status_code == 404
    assert lead.delete(f"/budgets/{budget['id']}").status_code == 204
    assert not Budget.objects.filter(pk=budget["id"]).exists()
    assert audit_actions(demo_org)[-3:] == ["budget.create", "budget.update", "budget.delete"]


def test_audit_is_scoped_filtered_and_read_only(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    creates = hq.get("/audit", action="budget.create", limit=1).json()
    assert creates["count"] == 42
    entry = creates["items"][0]
    assert (entry["action"], entry["target_type"], entry["actor_label"]) == (
        "budget.create",
        "governance.budget",
        "Claire Martin",
    )
    assert entry["created_at"].endswith("Z")
    assert hq.get("/audit", target_type="governance.channel").json()["count"] == 14
    assert hq.get("/audit", since="2999-01-01T00:00:00+00:00").json()["count"] == 0
    naive = hq.get("/audit", since="2026-01-01T00:00:00")
    assert (naive.status_code, naive.json()["field"]) == (400, "since")

    lead = api_client_for("fr_market_lead")
    scoped = lead.get("/audit", limit=500).json()
    fr_paths = market("FR").path
    market_ids = {e["market_id"] for e in scoped["items"]}
    assert market_ids
    assert all(Market.objects.get(pk=pk).path.startswith(fr_paths) for pk in market_ids)
    assert (
        scoped["count"] == AuditEntry.objects.filter(organization=demo_org, market__path__startswith=fr_paths).count()
    )
    assert api_client_for("fr_community_manager").get("/audit").status_code == 403

    count = AuditEntry.objects.count()
    first = AuditEntry.objects.earliest("id")
    assert hq.post("/audit", {"action": "forged"}).status_code == 405
    assert hq.client.put(f"/api/v1/audit/{first.pk}", {}, content_type=JSON).status_code == 404
    assert hq.client.delete(f"/api/v1/audit/{first.pk}").status_code == 404
    assert hq.delete("/audit").status_code == 405
    assert AuditEntry.objects.count() == count


# --- me and the schema -----------------------------------------------------------------------


def test_me(api_client_for, demo_org, market):
    me = api_client_for("fr_community_manager").get("/me")
    assert me.status_code == 200
    body = me.json()
    assert body["user"]["email"] == EMAILS["fr_community_manager"]
    assert (body["user"]["first_name"], body["user"]["language"]) == ("Camille", "fr")
    assert body["organization"] == {
        "id": demo_org.pk,
        "name": "Vireo Industries",
        "slug": "vireo",
        "governance_preset": "custom",
    }
    assert (body["member"]["team_name"], body["member"]["weekly_hours"]) == ("France", "35.0")
    assert [(r["role"], r["market_code"], r["market_name"]) for r in body["roles"]] == [
        ("community_manager", "FR", "France")
    ]
    assert body["authenticated_by"] == "token"


def test_openapi_schema_lists_the_endpoints(demo_org):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Harmonie API"
    # The strategy, content, approvals, connections, publishing and analytics paths are tested by those apps.
    others = ("/api/v1/strategy/", "/api/v1/content/", "/api/v1/approvals/", "/api/v1/connections",
              "/api/v1/publishing/", "/api/v1/analytics/")  # fmt: skip
    assert sorted(p for p in schema["paths"] if not p.startswith(others)) == [
        "/api/v1/audit",
        "/api/v1/budgets",
        "/api/v1/budgets/{budget_id}",
        "/api/v1/channels",
        "/api/v1/channels/{channel_id}",
        "/api/v1/dimensions",
        "/api/v1/dimensions/{dimension_id}",
        "/api/v1/governance/cells/{dimension_id}/{market}",
        "/api/v1/governance/check",
        "/api/v1/governance/matrix",
        "/api/v1/governance/preset",
        "/api/v1/invitations",
        "/api/v1/invitations/{invitation_id}",
        "/api/v1/markets",
        "/api/v1/markets/{market_id}",
        "/api/v1/me",
        "/api/v1/me/tokens",
        "/api/v1/me/tokens/{token_id}",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/members/{member_id}/roles",
        "/api/v1/members/{member_id}/roles/{role_id}",
        "/api/v1/teams",
        "/api/v1/teams/{team_id}",
    ]
    assert sorted(schema["paths"]["/api/v1/budgets/{budget_id}"]) == ["delete", "get", "patch"]
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    assert schema["paths"]["/api/v1/markets"]["get"]["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    assert sorted(schema["paths"]["/api/v1/markets"]["post"]["responses"]) == ["201", "400", "401", "403", "404", "409"]
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error", "message", "field"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert 'data-api-csrf="true"' in docs.content.decode()  # Swagger UI sends the CSRF token on session writes


def test_list_endpoints_run_a_fixed_number_of_queries(api_client_for, django_assert_num_queries):
    hq = api_client_for("hq_admin")
    hq.get("/me")  # the token's last_used_at is written once a minute; keep it out of the counts
    # token, member, roles + the selector's queries (count, page, prefetches)
    with django_assert_num_queries(6):
        assert hq.get("/members", limit=100).json()["count"] == 14
    with django_assert_num_queries(6):
        assert hq.get("/channels", limit=100).json()["count"] == 14
    with django_assert_num_queries(5):
        assert hq.get("/budgets", limit=100).json()["count"] == 42
