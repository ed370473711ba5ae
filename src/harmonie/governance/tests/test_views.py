"""The governance pages, as the demo personas use them: rendering, forms, HTMX cells, scoping, French, queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from harmonie.accounts.models import User
from harmonie.core.models import AuditEntry
from harmonie.governance import services
from harmonie.governance.models import (
    Budget,
    Channel,
    Dimension,
    GovernanceRule,
    Invitation,
    Market,
    Member,
    Organization,
    RoleAssignment,
    Team,
)

pytestmark = pytest.mark.usefixtures("demo_year")

CLAIRE = "Claire Martin"


def _dim(key: str) -> Dimension:
    return Dimension.objects.get(organization__slug="vireo", key=key)


def _mkt(code: str) -> Market:
    return Market.objects.get(organization__slug="vireo", code=code)


def _last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-id").first()  # type: ignore[return-value]


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/channels/", "/governance/", "/audit/export.csv"])
def test_anonymous_visitors_go_to_the_login_page(demo_org, path):
    response = Client().get(path)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={path}")


def test_a_user_without_membership_gets_a_403_page_saying_so(demo_org):
    user = User.objects.create_user(email="nobody@vireo.example", password="x" * 12)
    client = Client()
    client.force_login(user)
    response = client.get("/markets/")
    assert response.status_code == 403
    assert "You are not a member of any organization" in _html(response)


def test_the_navigation_shows_only_what_the_member_may_view(client_as):
    admin_nav = re.findall(r'data-testid="nav-(\w+)"', _html(client_as("hq_admin").get("/")))
    assert admin_nav == [
        "markets", "teams", "members", "invitations", "dimensions", "matrix", "channels", "budgets", "audit",
        "connections",
    ]  # fmt: skip
    cm_nav = re.findall(r'data-testid="nav-(\w+)"', _html(client_as("fr_community_manager").get("/")))
    assert cm_nav == ["markets", "teams", "members", "dimensions", "matrix", "channels", "connections"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ["Dashboard", "Channels per network", "Planned budget per market, 2026", "Latest changes"]),
        ("/markets/", ["Asia-Pacific", "Europe/Paris", "America/Sao_Paulo", "en-US, es-US", "JPY"]),
        ("/teams/", ["Northlight Agency", "External agency producing US content.", "HQ team"]),
        ("/members/", ["Camille Durand", "Community manager @ FR", "Org admin @ GLOBAL", "35.0"]),
        ("/members/invitations/", ["Invite someone", "No pending invitations."]),
        ("/dimensions/", ["Innovation &amp; R&amp;D", "Research partnerships, patents, lab stories.", "custom"]),
        (
            "/governance/",
            ['data-testid="cell-country-FR"', 'data-testid="cell-financial-GLOBAL"', "Inherited from Europe"],
        ),
        ("/channels/", ["Vireo France", "vireo-fr.bsky.social", "Europe/Paris", "vireo_de@mastodon.social"]),
        ("/budgets/", ["Budgets 2026", "Group brand campaign and always-on corporate content", "€60,000"]),
        # The newest changes: the approvals demo's past crisis, led by the German market lead.
        ("/audit/", ["post.schedule", "Katrin Schulz", "Page 1 of"]),
    ],
)
def test_every_page_renders_for_the_org_admin(client_as, path, expected):
    response = client_as("hq_admin").get(path)
    assert response.status_code == 200
    html = _html(response)
    missing = [text for text in expected if text not in html]
    assert missing == []


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_figures_for_the_org_admin(client_as):
    response = client_as("hq_admin").get("/")
    summary = response.context["summary"]
    assert (summary.year, summary.markets, summary.active_members, summary.channels) == (2026, 9, 14, 14)
    assert summary.channels_by_network == [
        ("linkedin", 3), ("x", 3), ("bluesky", 2), ("facebook", 2), ("instagram", 1), ("mastodon", 1),
        ("threads", 1), ("youtube", 1),
    ]  # fmt: skip
    assert summary.budget_totals == [
        ("EUR", Decimal("184664.00")), ("BRL", Decimal("169000.00")), ("JPY", Decimal("6760000.00")),
        ("USD", Decimal("99000.00")),
    ]  # fmt: skip
    assert [(b.label, b.value, b.unit, b.percent) for b in response.context["budget_bars"]] == [
        ("Global", Decimal("72000.00"), "EUR", 100), ("France", Decimal("51000.00"), "EUR", 71),
        ("Germany", Decimal("61664.00"), "EUR", 86), ("United States", Decimal("99000.00"), "USD", 100),
        ("Brazil", Decimal("169000.00"), "BRL", 100), ("Japan", Decimal("6760000.00"), "JPY", 100),
    ]  # fmt: skip
    assert summary.ownership_counts == [("global_only", 9), ("global_led", 27), ("local_led", 26), ("local_free", 1)]
    assert len(summary.latest_audit) == 10
    html = _html(response)
    assert '<span class="figure figure-money">€184,664</span>' in html
    assert 'style="width: 71%"' in html
    assert '<strong data-testid="preset">Custom</strong>' in html


def test_dashboard_of_a_french_community_manager_is_scoped(client_as):
    response = client_as("fr_community_manager").get("/")
    summary = response.context["summary"]
    assert (summary.markets, summary.active_members, summary.channels) == (3, 2, 5)
    assert summary.channels_by_network == [("bluesky", 2), ("linkedin", 2), ("x", 1)]
    assert (summary.budget_totals, summary.budget_by_market, summary.latest_audit) == (None, None, None)
    # Global, Europe and France columns of the 7 dimensions.
    assert sum(count for _o, count in summary.ownership_counts) == 21
    html = _html(response)
    assert 'data-testid="card-budget"' not in html
    assert 'data-testid="latest-audit"' not in html


def test_dashboard_in_french(client_as):
    response = client_as("hq_admin", language="fr").get("/")
    html = _html(response)
    assert '<html lang="fr"' in html
    assert "<h1>Tableau de bord</h1>" in html
    assert "Canaux par réseau" in html
    assert "Budget prévu par marché, 2026" in html
    assert '<span class="figure figure-money">184\u202f664\xa0€</span>' in html
    assert "Journal d’audit" in html
    assert "Matrice de gouvernance" in html
    assert '<strong data-testid="preset">Personnalisé</strong>' in html


# --- markets and teams -----------------------------------------------------------------------


def test_create_and_edit_a_market(client_as):
    client = client_as("hq_admin")
    response = client.post(
        "/markets/new/",
        {
            "parent": _mkt("EUROPE").pk, "kind": "country", "name": "Belgium", "code": "be",
            "languages": "fr-BE, nl-be", "timezone": "Europe/Brussels", "currency": "eur",
        },
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/markets/")
    belgium = _mkt("BE")
    assert (belgium.parent.code, belgium.kind, belgium.languages, belgium.currency, belgium.depth) == (
        "EUROPE", "country", ["fr-BE", "nl-BE"], "EUR", 2,
    )  # fmt: skip
    entry = _last_audit()
    assert (entry.action, entry.target_label, entry.actor_label, entry.after["timezone"]) == (
        "market.create", "Belgium", CLAIRE, "Europe/Brussels",
    )  # fmt: skip

    response = client.post(
        f"/markets/{belgium.pk}/edit/",
        {
            "parent": _mkt("EUROPE").pk, "name": "Belgique", "code": "BE", "languages": "fr-BE, nl-BE, de-BE",
            "timezone": "Europe/Brussels", "currency": "EUR",
        },
    )  # fmt: skip
    assert response.status_code == 302
    belgium.refresh_from_db()
    assert (belgium.name, belgium.languages) == ("Belgique", ["fr-BE", "nl-BE", "de-BE"])
    entry = _last_audit()
    assert (entry.action, entry.before["name"], entry.after["name"]) == ("market.update", "Belgium", "Belgique")
    assert "Belgique" in _html(client.get("/markets/"))


def test_a_bad_time_zone_is_refused_with_the_service_message_and_writes_nothing(client_as):
    markets, entries = Market.objects.count(), AuditEntry.objects.count()
    response = client_as("hq_admin").post(
        "/markets/new/",
        {
            "parent": _mkt("EUROPE").pk, "kind": "country", "name": "Belgium", "code": "BE", "languages": "fr-BE",
            "timezone": "Europe/Bruxelles", "currency": "EUR",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "timezone": [
            "'Europe/Bruxelles' is not an IANA time zone. Use a name such as Europe/Paris or America/Sao_Paulo."
        ]
    }
    assert 'data-testid="error-timezone"' in _html(response)
    assert (Market.objects.count(), AuditEntry.objects.count()) == (markets, entries)


def test_a_community_manager_cannot_open_or_post_the_market_form(client_as):
    client = client_as("fr_community_manager")
    assert client.get("/markets/new/").status_code == 403
    france = _mkt("FR")
    response = client.post(
        f"/markets/{france.pk}/edit/",
        {"name": "Gaule", "code": "FR", "languages": "fr-FR", "timezone": "Europe/Paris", "currency": "EUR"},
    )
    assert response.status_code == 403
    assert "You do not have the permission &#x27;markets.manage&#x27; in France." in _html(response)
    france.refresh_from_db()
    assert france.name == "France"


def test_create_edit_and_delete_a_team(client_as):
    client = client_as("hq_admin")
    response = client.post(
        "/teams/new/", {"name": "Brightside", "kind": "agency", "market": _mkt("DE").pk, "description": "Berlin."}
    )
    assert response.status_code == 302
    team = Team.objects.get(organization__slug="vireo", name="Brightside")
    assert (team.kind, team.market.code, team.description) == ("agency", "DE", "Berlin.")
    assert (_last_audit().action, _last_audit().after["market"]) == ("team.create", _mkt("DE").pk)

    response = client.post(
        f"/teams/{team.pk}/edit/", {"name": "Brightside Berlin", "kind": "agency", "market": _mkt("DE").pk}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description) == ("Brightside Berlin", "")

    assert "Delete the team Brightside Berlin?" in _html(client.get(f"/teams/{team.pk}/delete/"))
    response = client.post(f"/teams/{team.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, "/teams/")
    assert not Team.objects.filter(pk=team.pk).exists()
    assert (_last_audit().action, _last_audit().target_label) == ("team.delete", "Brightside Berlin")


def test_a_market_team_needs_its_market(client_as):
    response = client_as("hq_admin").post("/teams/new/", {"name": "Belgium", "kind": "market"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"market": ["A market team needs its market."]}


# --- members, roles, invitations -------------------------------------------------------------


def test_assign_and_revoke_a_role_and_edit_a_member(client_as):
    client = client_as("hq_admin")
    camille = Member.objects.get(user__email="camille.durand@vireo.example")
    response = client.post(f"/members/{camille.pk}/roles/", {"role": "analyst", "market": _mkt("DE").pk})
    assert (response.status_code, response["Location"]) == (302, f"/members/{camille.pk}/")
    assert sorted(camille.roles.values_list("role", "market__code")) == [("analyst", "DE"), ("community_manager", "FR")]
    assert (_last_audit().action, _last_audit().after) == ("role.assign", {"role": "analyst", "market": _mkt("DE").pk})
    page = _html(client.get(f"/members/{camille.pk}/"))
    assert 'data-testid="revoke-analyst-DE"' in page

    assignment = RoleAssignment.objects.get(member=camille, role="analyst")
    response = client.post(f"/members/{camille.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assert list(camille.roles.values_list("role", flat=True)) == ["community_manager"]
    assert _last_audit().action == "role.revoke"

    germany = Team.objects.get(name="Germany")
    response = client.post(f"/members/{camille.pk}/", {"team": germany.pk, "weekly_hours": "20.5"})
    assert response.status_code == 302
    camille.refresh_from_db()
    assert (camille.team, camille.is_active, camille.weekly_hours) == (germany, False, Decimal("20.5"))
    assert (_last_audit().action, _last_audit().before["is_active"], _last_audit().after["is_active"]) == (
        "member.update", True, False,
    )  # fmt: skip


def test_the_last_org_admin_cannot_lose_the_role(client_as):
    claire = Member.objects.get(user__email="claire.martin@vireo.example")
    assignment = RoleAssignment.objects.get(member=claire, role="org_admin")
    response = client_as("hq_admin").post(f"/members/{claire.pk}/roles/{assignment.pk}/revoke/")
    assert response.status_code == 409
    assert "This is the last org admin; make someone else org admin first." in _html(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_market_lead_is_not_offered_the_org_admin_role(client_as):
    camille = Member.objects.get(user__email="camille.durand@vireo.example")
    client = client_as("fr_market_lead")
    roles = [
        value for value, _label in client.get(f"/members/{camille.pk}/").context["role_form"].fields["role"].choices
    ]
    assert "org_admin" not in roles
    response = client.post(f"/members/{camille.pk}/roles/", {"role": "org_admin", "market": _mkt("FR").pk})
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(member=camille, role="org_admin").exists()


def test_invite_someone_shows_the_link_to_the_admin_and_sends_it(client_as, django_capture_on_commit_callbacks):
    client = client_as("hq_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members/invitations/",
            {"email": "Lea.Petit@vireo.example", "role": "community_manager", "market": _mkt("FR").pk,
             "team": Team.objects.get(name="France").pk},
        )  # fmt: skip
    assert response.status_code == 200
    invitation = Invitation.objects.get(email="lea.petit@vireo.example")
    assert (invitation.role, invitation.market.code, invitation.team.name) == ("community_manager", "FR", "France")
    link = re.search(r'data-testid="invitation-link">.*?<code>(\S+)</code>', _html(response), re.S).group(1)
    assert link.startswith("http://127.0.0.1:8000/accounts/invitations/")
    assert len(mail.outbox) == 1
    assert link in mail.outbox[0].body
    assert (_last_audit().action, _last_audit().after["email"]) == ("invitation.create", "lea.petit@vireo.example")
    assert "lea.petit@vireo.example" in _html(client.get("/members/invitations/"))

    response = client.post(f"/members/invitations/{invitation.pk}/revoke/")
    assert (response.status_code, response["Location"]) == (302, "/members/invitations/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert _last_audit().action == "invitation.revoke"
    assert "No pending invitations." in _html(client.get("/members/invitations/"))


def test_a_market_lead_invites_in_their_market_without_seeing_the_link(client_as, django_capture_on_commit_callbacks):
    client = client_as("fr_market_lead")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members/invitations/", {"email": "paul@vireo.example", "role": "contributor", "market": _mkt("FR").pk}
        )
    assert response.status_code == 200
    assert 'data-testid="invitation-link"' not in _html(response)
    assert "Invitation sent to paul@vireo.example." in _html(response)
    assert len(mail.outbox) == 1
    markets = list(response.context["form"].fields["market"].queryset.values_list("code", flat=True))
    assert markets == ["FR"]


# --- dimensions ------------------------------------------------------------------------------


def test_create_edit_and_delete_a_custom_dimension(client_as):
    client = client_as("hq_admin")
    response = client.post("/dimensions/new/", {"name": "Sustainability", "description": "CSR and climate."})
    assert (response.status_code, response["Location"]) == (302, "/dimensions/")
    dimension = _dim("sustainability")
    rule = GovernanceRule.objects.get(dimension=dimension, market__isnull=True)
    assert (rule.ownership, rule.creators, rule.local_variants) == ("local_led", "market_leads", "allowed")
    assert [e.action for e in AuditEntry.objects.order_by("-id")[:2]] == ["governance_rule.set", "dimension.create"]

    response = client.post(f"/dimensions/{dimension.pk}/edit/", {"name": "Sustainability & CSR", "description": ""})
    assert response.status_code == 302
    dimension.refresh_from_db()
    assert (dimension.key, dimension.name, dimension.description) == ("sustainability", "Sustainability & CSR", "")

    response = client.post(f"/dimensions/{dimension.pk}/delete/")
    assert response.status_code == 302
    assert not Dimension.objects.filter(pk=dimension.pk).exists()
    assert _last_audit().action == "dimension.delete"


def test_a_builtin_dimension_cannot_be_deleted(client_as):
    response = client_as("hq_admin").post(f"/dimensions/{_dim('corporate').pk}/delete/")
    assert response.status_code == 400
    assert "Built-in dimensions cannot be deleted; rename or leave them unused." in _html(response)
    assert Dimension.objects.filter(key="corporate").exists()


def test_a_duplicate_dimension_key_is_a_conflict_on_the_key_field(client_as):
    response = client_as("hq_admin").post("/dimensions/new/", {"name": "Crisis bis", "key": "crisis"})
    assert response.status_code == 409
    assert response.context["form"].errors == {"key": ["A dimension with the key crisis already exists."]}


# --- the governance matrix -------------------------------------------------------------------


def _cell_url(key: str, code: str, action: str = "edit/") -> str:
    return f"/governance/cells/{_dim(key).pk}/{_mkt(code).pk}/{action}"


def test_matrix_marks_own_and_inherited_cells(client_as):
    response = client_as("hq_admin").get("/governance/")
    rows = {row.dimension.key: row for row in response.context["rows"]}
    product = {(c.market.code if c.market else "GLOBAL"): c for c in rows["product"].cells}
    assert list(product) == ["GLOBAL", "EUROPE", "FR", "DE", "AMERICAS", "US", "BR", "APAC", "JP"]
    assert (product["EUROPE"].overridden, product["FR"].overridden, product["FR"].source.code) == (
        True,
        False,
        "EUROPE",
    )
    assert (product["FR"].rule.cross_market_visibility, product["JP"].rule.local_variants) == (True, "required")
    html = _html(response)
    cell = re.search(r'<td[^>]*data-testid="cell-product-FR".*?</td>', html, re.S).group(0)
    assert "Inherited from Europe" in cell
    assert "Read by other markets" in cell
    assert 'hx-get="' + _cell_url("product", "FR") + '"' in cell


def test_htmx_cell_edit_shows_the_form_then_saves_and_returns_the_cell(client_as):
    client = client_as("hq_admin")
    url = _cell_url("country", "FR")
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    html = _html(form).strip()
    assert html.startswith('<td class="matrix-cell editing"')
    assert 'data-testid="cell-country-FR"' in html
    assert '<select name="ownership"' in html
    assert '<option value="local_led" selected>' in html
    assert 'data-testid="cell-save"' in html
    assert "<html" not in html

    saved = client.post(
        url,
        {"ownership": "local_free", "creators": "contributors", "local_variants": "allowed"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    html = _html(saved).strip()
    assert html.startswith('<td class="matrix-cell editable"')
    assert "<form" not in html
    for text in ("Local-free", "All contributors", "Own rule"):
        assert text in html
    rule = GovernanceRule.objects.get(dimension__key="country", market__code="FR")
    assert (rule.ownership, rule.creators, rule.local_variants, rule.cross_market_visibility) == (
        "local_free", "contributors", "allowed", False,
    )  # fmt: skip
    entry = _last_audit()
    assert (entry.action, entry.target_label, entry.actor_label, entry.before) == (
        "governance_rule.set", "Country × France", CLAIRE, None,
    )  # fmt: skip


def test_htmx_cell_with_a_contradiction_returns_the_form_with_the_reason(client_as):
    entries = AuditEntry.objects.count()
    response = client_as("hq_admin").post(
        _cell_url("financial", "GLOBAL"),
        {"ownership": "global_only", "creators": "community_managers", "local_variants": "not_allowed"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = _html(response)
    assert 'data-testid="cell-financial-GLOBAL"' in html
    assert "A &#x27;global only&#x27; dimension can only be created by the global team" in html
    assert response.context["form"].errors == {
        "creators": ["A 'global only' dimension can only be created by the global team; choose 'Global team only'."]
    }
    rule = GovernanceRule.objects.get(dimension__key="financial", market__isnull=True)
    assert rule.creators == "global_team"
    assert AuditEntry.objects.count() == entries


def test_a_community_manager_cannot_edit_a_cell(client_as):
    client = client_as("fr_community_manager")
    entries = AuditEntry.objects.count()
    url = _cell_url("country", "FR")
    refused_form = client.get(url, HTTP_HX_REQUEST="true")
    assert refused_form.status_code == 403
    assert "<form" not in _html(refused_form)
    response = client.post(
        url,
        {"ownership": "local_free", "creators": "contributors", "local_variants": "allowed"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert "Only members holding &#x27;governance.edit&#x27; at Global level may do this." in _html(response)
    assert not GovernanceRule.objects.filter(dimension__key="country", market__code="FR").exists()
    assert AuditEntry.objects.count() == entries
    matrix = _html(client.get("/governance/"))
    assert "hx-get" not in matrix
    assert 'data-testid="cell-country-DE"' not in matrix


def test_reset_a_cell_to_the_inherited_rule(client_as):
    client = client_as("hq_admin")
    response = client.post(_cell_url("product", "EUROPE", "clear/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Inherited from the default" in _html(response)
    assert not GovernanceRule.objects.filter(dimension__key="product", market__code="EUROPE").exists()
    assert (_last_audit().action, _last_audit().target_label) == ("governance_rule.clear", "Product × Europe")
    # The Global column has nothing above it.
    response = client.post(_cell_url("product", "GLOBAL", "clear/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 400


def test_cell_edit_without_htmx_is_a_page_and_redirects(client_as):
    client = client_as("hq_admin")
    page = client.get(_cell_url("internal", "DE"))
    assert page.status_code == 200
    assert "<h1>Change a cell</h1>" in _html(page)
    response = client.post(
        _cell_url("internal", "DE"),
        {"ownership": "global_only", "creators": "global_team", "local_variants": "not_allowed"},
    )
    assert (response.status_code, response["Location"]) == (302, "/governance/")
    rule = GovernanceRule.objects.get(dimension__key="internal", market__code="DE")
    assert rule.ownership == "global_only"


def test_applying_a_preset_needs_a_confirmation(client_as):
    client = client_as("hq_admin")
    refused = client.post("/governance/preset/", {"preset": "centralized"})
    assert refused.status_code == 400
    assert "Tick the box to confirm: a preset replaces the whole matrix." in _html(refused)
    assert Organization.objects.get(slug="vireo").governance_preset == "custom"

    response = client.post("/governance/preset/", {"preset": "centralized", "confirm": "on"})
    assert (response.status_code, response["Location"]) == (302, "/governance/")
    assert Organization.objects.get(slug="vireo").governance_preset == "centralized"
    assert GovernanceRule.objects.filter(organization__slug="vireo", market__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action="governance.preset_apply").count() == 1


# --- channels --------------------------------------------------------------------------------


def test_create_and_edit_a_channel(client_as):
    client = client_as("fr_market_lead")
    form = client.get("/channels/new/").context["form"]
    assert list(form.fields["owner_market"].queryset.values_list("code", flat=True)) == ["FR"]
    response = client.post(
        "/channels/new/",
        {"network": "mastodon", "handle": "vireo_fr@mastodon.social", "display_name": "Vireo France",
         "owner_market": _mkt("FR").pk, "served_markets": [_mkt("FR").pk]},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/channels/")
    channel = Channel.objects.get(handle="vireo_fr@mastodon.social")
    assert (channel.display_name, channel.owner_market.code, channel.timezone) == ("Vireo France", "FR", "Europe/Paris")
    assert _last_audit().after == {
        "network": "mastodon", "handle": "vireo_fr@mastodon.social", "display_name": "Vireo France",
        "owner_market": _mkt("FR").pk, "timezone": "Europe/Paris", "is_active": True, "served_markets": [_mkt("FR").pk],
    }  # fmt: skip

    response = client.post(
        f"/channels/{channel.pk}/edit/",
        {"display_name": "Vireo France (Mastodon)", "served_markets": [_mkt("FR").pk], "timezone": "Europe/Paris"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.display_name, channel.is_active) == ("Vireo France (Mastodon)", False)
    assert (_last_audit().action, _last_audit().before["is_active"], _last_audit().after["is_active"]) == (
        "channel.update", True, False,
    )  # fmt: skip


def test_a_bad_handle_and_a_bad_time_zone_are_refused_on_their_fields(client_as):
    client = client_as("hq_admin")
    channels = Channel.objects.count()
    response = client.post("/channels/new/", {"network": "x", "handle": "not a handle!", "owner_market": _mkt("FR").pk})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "handle": [
            "'not a handle!' is not a valid X handle: use 1 to 15 letters, digits or underscores, such as @acme."
        ]
    }
    channel = Channel.objects.get(handle="vireo-france")
    response = client.post(
        f"/channels/{channel.pk}/edit/", {"display_name": "Vireo France", "timezone": "Paris", "is_active": "on"}
    )
    assert response.status_code == 400
    assert "&#x27;Paris&#x27; is not an IANA time zone." in _html(response)
    channel.refresh_from_db()
    assert channel.timezone == "Europe/Paris"
    assert Channel.objects.count() == channels


def test_channel_filters(client_as):
    client = client_as("hq_admin")
    by_market = client.get("/channels/", {"market": _mkt("DE").pk})
    assert sorted(c.handle for c in by_market.context["channels"]) == [
        "@VireoGroup", "vireo-deutschland", "vireo-group", "vireo.bsky.social", "vireo_de@mastodon.social",
    ]  # fmt: skip
    by_network = client.get("/channels/", {"network": "x"})
    assert [c.handle for c in by_network.context["channels"]] == ["@VireoGroup", "@VireoUS", "@Vireo_JP"]


def test_a_french_community_manager_does_not_see_german_channels(client_as):
    response = client_as("fr_community_manager").get("/channels/")
    assert [c.handle for c in response.context["channels"]] == [
        "vireo.bsky.social", "vireo-group", "@VireoGroup", "vireo-fr.bsky.social", "vireo-france",
    ]  # fmt: skip
    html = _html(response)
    assert "Vireo France" in html
    assert "Vireo Deutschland" not in html
    assert 'data-testid="channel-new"' not in html


# --- budgets ---------------------------------------------------------------------------------


def test_budget_page_totals_per_market_and_dimension(client_as):
    response = client_as("hq_admin").get("/budgets/", {"market": _mkt("FR").pk})
    assert response.context["year"] == 2026
    assert len(response.context["budgets"]) == 8
    assert [(b.label, b.value, b.unit) for b in response.context["by_market"]] == [
        ("France", Decimal("51000.00"), "EUR")
    ]
    assert [(b.label, b.value, b.percent) for b in response.context["by_dimension"]] == [
        ("Product", Decimal("39000.00"), 100), ("Country", Decimal("12000.00"), 31),
    ]  # fmt: skip
    other_year = client_as("hq_admin").get("/budgets/", {"year": "2025"})
    assert (other_year.context["year"], other_year.context["budgets"]) == (2025, [])


def test_create_edit_and_delete_a_budget(client_as):
    client = client_as("hq_admin")
    response = client.post(
        "/budgets/new/",
        {"market": _mkt("FR").pk, "dimension": _dim("corporate").pk, "period_start": "2026-01-01",
         "period_end": "2026-12-31", "planned_amount": "15000", "notes": "Salon Vivatech"},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/budgets/")
    budget = Budget.objects.get(market__code="FR", dimension__key="corporate")
    assert (budget.planned_amount, budget.currency, budget.notes) == (Decimal("15000.00"), "EUR", "Salon Vivatech")
    assert (_last_audit().action, _last_audit().after["planned_amount"]) == ("budget.create", "15000.00")

    response = client.post(
        f"/budgets/{budget.pk}/edit/",
        {"period_start": "2026-01-01", "period_end": "2026-06-30", "planned_amount": "9000.50", "currency": "EUR"},
    )
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.period_end, budget.planned_amount, budget.notes) == (dt.date(2026, 6, 30), Decimal("9000.50"), "")
    assert (_last_audit().before["planned_amount"], _last_audit().after["planned_amount"]) == ("15000.00", "9000.50")

    response = client.post(f"/budgets/{budget.pk}/delete/")
    assert response.status_code == 302
    assert not Budget.objects.filter(pk=budget.pk).exists()
    assert _last_audit().action == "budget.delete"


def test_an_overlapping_budget_is_refused_with_the_service_message(client_as):
    budgets, entries = Budget.objects.count(), AuditEntry.objects.count()
    response = client_as("hq_admin").post(
        "/budgets/new/",
        {"market": _mkt("FR").pk, "dimension": _dim("product").pk, "period_start": "2026-02-01",
         "period_end": "2026-02-28", "planned_amount": "500"},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.context["form"].errors == {
        "period_start": ["France already has a Product budget from 2026-01-01 to 2026-03-31; periods may not overlap."]
    }
    assert (Budget.objects.count(), AuditEntry.objects.count()) == (budgets, entries)


def test_a_period_that_ends_before_it_starts_is_a_400(client_as):
    response = client_as("hq_admin").post(
        "/budgets/new/",
        {"market": _mkt("FR").pk, "dimension": _dim("corporate").pk, "period_start": "2026-05-01",
         "period_end": "2026-04-01", "planned_amount": "500"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {"period_end": ["The period ends before it starts: check the dates."]}


def test_budgets_are_scoped_to_the_member_markets(client_as):
    response = client_as("fr_market_lead").get("/budgets/")
    assert {b.market.code for b in response.context["budgets"]} == {"FR"}
    assert len(response.context["budgets"]) == 8
    html = _html(response)
    assert "France" in html
    assert "Germany" not in html
    assert client_as("fr_community_manager").get("/budgets/").status_code == 403
    german = Budget.objects.filter(market__code="DE").first()
    assert client_as("fr_market_lead").get(f"/budgets/{german.pk}/edit/").status_code == 404


# --- audit log -------------------------------------------------------------------------------


def test_audit_filters_and_pages(client_as):
    client = client_as("hq_admin")
    page = client.get("/audit/", {"action": "budget."}).context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (42, 42, 1)
    page = client.get("/audit/", {"target_type": "governance.channel"}).context["page"]
    assert page.paginator.count == 14
    everything = client.get("/audit/").context["page"]
    assert len(everything.object_list) == 50
    assert client.get("/audit/", {"page": "2"}).context["page"].number == 2
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    assert client.get("/audit/", {"since": tomorrow}).context["page"].paginator.count == 0
    bad = client.get("/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert bad.status_code == 400


def test_audit_shows_before_and_after_of_changed_keys_only(client_as):
    client = client_as("hq_admin")
    channel = Channel.objects.get(handle="vireo-france")
    services.channel_update(
        actor=_admin_actor(),
        channel=channel,
        display_name="Vireo France SAS",
        served_markets=[_mkt("FR")],
        timezone="Europe/Paris",
    )
    html = _html(client.get("/audit/", {"action": "channel.update"}))
    changes = re.search(r'<ul class="changes">(.*?)</ul>', html, re.S).group(1)
    assert re.sub(r"\s+", " ", changes).strip() == (
        '<li><span class="k">display_name</span> <del>Vireo France</del> → <ins>Vireo France SAS</ins></li>'
    )


def _admin_actor():  # type: ignore[no-untyped-def]
    from harmonie.governance.permissions import actor_for

    return actor_for(Member.objects.get(user__email="claire.martin@vireo.example"))


def test_audit_csv_export_streams_the_filtered_rows(client_as):
    response = client_as("hq_admin").get("/audit/export.csv", {"action": "team."})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="harmonie-audit.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["when_utc", "who", "action", "target_type", "target_id", "target", "market", "before", "after"]
    assert len(rows) == 1 + 7
    last = rows[-1]  # newest first: the first team created comes last
    hq_team = Team.objects.get(name="HQ Social Media")
    assert last[1:7] == ["Claire Martin", "team.create", "governance.team", str(hq_team.pk), "HQ Social Media", ""]
    assert last[7] == ""
    assert last[8] == (
        '{"description": "Group communications, Paris headquarters.", "kind": "hq", "market": null, '
        '"name": "HQ Social Media"}'
    )
    assert dt.datetime.fromisoformat(last[0]).tzinfo == dt.UTC


def test_the_audit_log_cannot_be_changed_through_the_pages(client_as):
    client = client_as("hq_admin")
    assert client.post("/audit/").status_code == 405
    assert client.post("/audit/export.csv").status_code == 405
    assert client_as("fr_community_manager").get("/audit/").status_code == 403


# --- queries ---------------------------------------------------------------------------------

# Session, user, memberships and roles are read once per request (4 queries), and approvals once per page
# (3: unread notifications, review queue, active crises); the rest is one query per list (plus prefetches and a
# paginator count), however many rows there are.
LIST_PAGES = [
    ("hq_admin", "/", 17),
    ("hq_admin", "/markets/", 9),
    ("hq_admin", "/teams/", 9),
    ("hq_admin", "/members/", 10),
    ("hq_admin", "/members/invitations/", 11),
    ("hq_admin", "/dimensions/", 9),
    ("hq_admin", "/governance/", 12),
    ("hq_admin", "/channels/", 11),
    ("hq_admin", "/budgets/", 10),
    ("hq_admin", "/audit/", 10),
    ("fr_community_manager", "/", 15),
    ("fr_community_manager", "/members/", 10),
    ("fr_community_manager", "/governance/", 12),
    ("fr_community_manager", "/channels/", 11),
]


def _grow_demo() -> None:
    """More rows of every kind, to show that the query counts do not grow with them."""
    actor = _admin_actor()
    services.market_create(
        actor=actor, parent=_mkt("EUROPE"), kind="country", code="ES", name="Spain", languages=["es-ES"],
        timezone="Europe/Madrid", currency="EUR",
    )  # fmt: skip
    services.team_create(actor=actor, name="Spain", kind="market", market=_mkt("ES"))
    services.dimension_create(actor=actor, name="Sustainability")
    for i in range(5):
        services.channel_create(
            actor=actor, network="linkedin", handle=f"vireo-extra-{i}", display_name=f"Extra {i}",
            owner_market=_mkt("ES"), served_markets=[_mkt("ES")],
        )  # fmt: skip
        services.budget_create(
            actor=actor, market=_mkt("ES"), dimension=_dim("product"), period_start=dt.date(2026, 1 + 2 * i, 1),
            period_end=dt.date(2026, 2 + 2 * i, 1), planned_amount=1000,
        )  # fmt: skip
        services.invitation_create(actor=actor, email=f"new{i}@vireo.example", role="contributor", market=_mkt("ES"))
        user = User.objects.create_user(email=f"member{i}@vireo.example", password="x" * 12)
        member = Member.objects.create(organization=actor.organization, user=user)
        services.role_assign(actor=actor, member=member, role="contributor", market=_mkt("ES"))
    services.governance_rule_set(
        actor=actor, dimension=_dim("country"), market=_mkt("ES"), ownership="local_free", creators="contributors",
        local_variants="allowed",
    )  # fmt: skip


@pytest.mark.parametrize(("who", "path", "max_queries"), LIST_PAGES)
def test_list_pages_run_a_fixed_number_of_queries(client_as, django_assert_max_num_queries, who, path, max_queries):
    client = client_as(who)
    with django_assert_max_num_queries(max_queries):
        assert client.get(path).status_code == 200
    _grow_demo()
    with django_assert_max_num_queries(max_queries):
        assert client.get(path).status_code == 200
