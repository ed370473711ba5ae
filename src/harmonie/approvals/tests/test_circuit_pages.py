"""The approval circuit pages and the matrix's circuit field, as the demo personas use them: the six demo circuits
with their steps and where the matrix uses them, creating and editing a circuit with ordered steps, deleting,
conditions, read-only access, and the query count of the list."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from harmonie.accounts.models import User
from harmonie.approvals.models import ApprovalCircuit, CircuitCondition
from harmonie.approvals.services import circuits as circuit_services
from harmonie.approvals.services.circuits import StepSpec
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Dimension, GovernanceRule, Market, Member, Role, Team

URL = "/approvals/circuits/"
EMAILS = {p.key: p.email for p in PERSONAS}

DEMO_CIRCUITS = [
    ("brand-hq", "Brand review (HQ)", ["1. Brand — any of role Approver (brand) @ Global, 24 h"]),
    (
        "crisis",
        "Crisis cell",
        [
            "1. Crisis lead — any of role Org admin @ the post's market, 2 h",
            "2. Compliance — any of role Approver (compliance) @ the post's market, 2 h",
        ],
    ),
    (
        "finance-legal",
        "Finance, then legal",
        [
            "1. Finance — any of role Approver (finance) @ the post's market, 24 h",
            "2. Legal (all) — all of role Approver (legal) @ the post's market, 48 h",
        ],
    ),
    ("legal-claims", "Legal check of figures", ["1. Legal — any of role Approver (legal) @ the post's market, 24 h"]),
    ("local-lead", "Market lead", ["1. Market lead — any of role Market lead @ the post's market, 12 h"]),
    ("partner-signoff", "Partner sign-off", ["1. Partner — an external reviewer, through a review link, 72 h"]),
]


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[[str], Client]:
    """Logged in with the interface in English (Claire and Julien use French by default)."""

    def get(key: str) -> Client:
        User.objects.filter(email=EMAILS[key]).update(language="en")
        return client_for(key)

    return get


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _circuit(key: str) -> ApprovalCircuit:
    return ApprovalCircuit.objects.get(organization__slug="vireo", key=key)


def _mkt(code: str) -> Market:
    return Market.objects.get(organization__slug="vireo", code=code)


def _member(key: str) -> Member:
    return Member.objects.get(organization__slug="vireo", user__email=EMAILS[key])


def _management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "steps-TOTAL_FORMS": str(total),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
    }


def _blank_row(i: int) -> dict[str, str]:
    return {f"steps-{i}-mode": "any", f"steps-{i}-response_hours": "24"}


# --- the list --------------------------------------------------------------------------------------------


def test_the_circuits_page_lists_the_six_demo_circuits_with_their_steps(client_as):
    response = client_as("de_market_lead").get(URL)
    assert response.status_code == 200
    rows = response.context["circuits"]
    assert [(r.circuit.key, r.circuit.name, r.steps) for r in rows] == DEMO_CIRCUITS
    assert {r.circuit.key: r.used_in for r in rows} == {
        "brand-hq": ["Corporate × Global", "Product × Global"],
        "crisis": [],
        "finance-legal": ["Financial × Global"],
        "legal-claims": [],
        "local-lead": ["Country × Global"],
        "partner-signoff": [],
    }
    html = _html(response)
    row = re.search(r'<tr data-testid="circuit-finance-legal".*?</tr>', html, re.S).group(0)
    assert re.findall(r'<span data-testid="circuit-step">(.*?)</span>', row) == [
        "1. Finance — any of role Approver (finance) @ the post&#x27;s market, 24 h",
        "2. Legal (all) — all of role Approver (legal) @ the post&#x27;s market, 48 h",
    ]
    assert '<span class="badge">Financial × Global</span>' in row


def test_the_conditions_are_listed_with_the_circuit_they_add(client_as):
    response = client_as("analyst").get(URL)
    conditions = [
        (r.condition.kind, r.condition.get_kind_display(), r.about, r.condition.dimension, r.condition.circuit.key)
        for r in response.context["conditions"]
    ]
    assert conditions == [
        ("figures", "Contains figures or financial terms", "", None, "legal-claims"),
        ("charter_warn", "The charter warns", "", None, "brand-hq"),
        ("crisis", "During a crisis", "", None, "crisis"),
    ]
    assert re.findall(r'<td data-testid="condition-kind">(.*?)</td>', _html(response)) == [
        "Contains figures or financial terms",
        "The charter warns",
        "During a crisis",
    ]


def test_members_without_governance_edit_at_global_read_without_forms(client_as):
    for key in ("fr_community_manager", "de_market_lead", "analyst"):
        html = _html(client_as(key).get(URL))
        assert 'data-testid="circuit-list"' in html
        for hook in ("circuit-new", "circuit-edit-", "circuit-delete-", "condition-form", "condition-remove-"):
            assert f'data-testid="{hook}' not in html, (key, hook)
    html = _html(client_as("hq_admin").get(URL))
    for hook in ("circuit-new", "circuit-edit-brand-hq", "circuit-delete-brand-hq", "condition-form"):
        assert f'data-testid="{hook}' in html


def test_a_community_manager_gets_403_on_every_change(client_as):
    client = client_as("fr_community_manager")
    circuits, conditions, entries = (
        ApprovalCircuit.objects.count(),
        CircuitCondition.objects.count(),
        AuditEntry.objects.count(),
    )
    posts = [
        ("new/", {"name": "Sneaky", **_management(1), "steps-0-name": "X", "steps-0-role": "analyst"}),
        (f"{_circuit('brand-hq').pk}/", {"name": "Brand", **_management(0)}),
        (f"{_circuit('partner-signoff').pk}/delete/", {}),
        ("conditions/", {"kind": "crisis", "circuit": _circuit("partner-signoff").pk}),
        (f"conditions/{CircuitCondition.objects.first().pk}/remove/", {}),  # type: ignore[union-attr]
    ]
    for path, data in posts:
        response = client.post(URL + path, data)
        assert response.status_code == 403, path
        assert "Only members holding &#x27;governance.edit&#x27; at Global level may do this." in _html(response)
    assert client.get(URL + "new/").status_code == 403
    assert (ApprovalCircuit.objects.count(), CircuitCondition.objects.count(), AuditEntry.objects.count()) == (
        circuits,
        conditions,
        entries,
    )


# --- create, edit, delete ---------------------------------------------------------------------------------


def test_creating_a_circuit_through_the_page_writes_it_with_its_ordered_steps_and_an_audit_row(client_as):
    client = client_as("hq_admin")
    form = client.get(URL + "new/")
    assert form.status_code == 200
    assert form.context["steps"].total_form_count() == 1
    data = {
        "name": "Legal, then brand",
        "key": "",
        "description": "Claims first.",
        "is_active": "on",
        **_management(3),
        # Typed first, but ordered second.
        "steps-0-ORDER": "2",
        "steps-0-name": "Brand (Lucas)",
        "steps-0-mode": "any",
        "steps-0-member": str(_member("brand_approver").pk),
        "steps-0-response_hours": "6",
        "steps-1-ORDER": "1",
        "steps-1-name": "Legal",
        "steps-1-mode": "all",
        "steps-1-role": Role.APPROVER_LEGAL,
        "steps-1-market": str(_mkt("GLOBAL").pk),
        "steps-1-response_hours": "12",
        **_blank_row(2),
    }
    response = client.post(URL + "new/", data)
    assert (response.status_code, response["Location"]) == (302, URL)
    circuit = _circuit("legal-then-brand")
    assert (circuit.name, circuit.description, circuit.is_active) == ("Legal, then brand", "Claims first.", True)
    steps = [
        (s.position, s.name, s.mode, s.role, s.market_id, s.member_id, s.external, s.response_hours)
        for s in circuit.steps.all()
    ]
    assert steps == [
        (1, "Legal", "all", "approver_legal", _mkt("GLOBAL").pk, None, False, 12),
        (2, "Brand (Lucas)", "any", "", None, _member("brand_approver").pk, False, 6),
    ]
    entry = AuditEntry.objects.get(action="circuit.create", target_id=str(circuit.pk))
    assert (entry.actor_label, entry.after["key"], [s["name"] for s in entry.after["steps"]]) == (
        "Claire Martin",
        "legal-then-brand",
        ["Legal", "Brand (Lucas)"],
    )
    listed = client.get(URL).context["circuits"]
    assert [r.steps for r in listed if r.circuit.key == "legal-then-brand"] == [
        [
            "1. Legal — all of role Approver (legal) @ Global, 12 h",
            "2. Brand (Lucas) — any of Lucas Moreau, 6 h",
        ]
    ]


def test_add_a_step_row_without_javascript(client_as):
    client = client_as("hq_admin")
    data = {"name": "Draft circuit", **_management(1), "steps-0-name": "Legal", "steps-0-role": "approver_legal",
            "steps-0-mode": "any", "steps-0-response_hours": "24", "add_step": "1"}  # fmt: skip
    response = client.post(URL + "new/", data)
    assert response.status_code == 200
    steps = response.context["steps"]
    assert steps.total_form_count() == 2
    html = _html(response)
    assert 'name="steps-1-name"' in html
    assert 'data-testid="step-row-1"' in html
    assert not ApprovalCircuit.objects.filter(key="draft-circuit").exists()


def test_a_step_without_approvers_is_refused_with_the_service_message(client_as):
    client = client_as("hq_admin")
    data = {"name": "Nobody", **_management(1), "steps-0-name": "Who?", "steps-0-mode": "any",
            "steps-0-response_hours": "24"}  # fmt: skip
    response = client.post(URL + "new/", data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Step 1: name the approvers (a role, a team or a person), or make it an external review."
    ]
    assert not ApprovalCircuit.objects.filter(key="nobody").exists()
    # No step at all.
    response = client.post(URL + "new/", {"name": "Empty", **_management(1), **_blank_row(0)})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["A circuit needs at least one step."]


def test_editing_a_circuit_replaces_its_steps(client_as):
    client = client_as("hq_admin")
    circuit = _circuit("local-lead")
    page = client.get(f"{URL}{circuit.pk}/")
    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "Market lead"
    assert page.context["steps"].total_form_count() == 2  # the step + one blank row
    assert page.context["steps"].forms[0]["role"].value() == "market_lead"
    data = {
        "name": "Market lead, then legal",
        "key": "local-lead",
        "description": circuit.description,
        "is_active": "on",
        **_management(2, initial=1),
        "steps-0-ORDER": "1",
        "steps-0-name": "Market lead",
        "steps-0-mode": "any",
        "steps-0-role": "market_lead",
        "steps-0-response_hours": "8",
        "steps-1-ORDER": "2",
        "steps-1-name": "Legal",
        "steps-1-mode": "any",
        "steps-1-role": "approver_legal",
        "steps-1-response_hours": "24",
    }
    response = client.post(f"{URL}{circuit.pk}/", data)
    assert (response.status_code, response["Location"]) == (302, URL)
    circuit.refresh_from_db()
    assert circuit.name == "Market lead, then legal"
    assert [(s.position, s.name, s.role, s.response_hours) for s in circuit.steps.all()] == [
        (1, "Market lead", "market_lead", 8),
        (2, "Legal", "approver_legal", 24),
    ]
    entry = AuditEntry.objects.filter(action="circuit.update", target_id=str(circuit.pk)).get()
    assert [s["response_hours"] for s in entry.before["steps"]] == [12]
    # Removing the first step keeps the second.
    data |= {"steps-INITIAL_FORMS": "2", "steps-0-DELETE": "on"}
    assert client.post(f"{URL}{circuit.pk}/", data).status_code == 302
    assert [(s.position, s.name) for s in circuit.steps.all()] == [(1, "Legal")]


def test_deleting_a_circuit_the_matrix_uses_is_refused_with_the_reason(client_as):
    client = client_as("hq_admin")
    brand = _circuit("brand-hq")
    page = client.get(f"{URL}{brand.pk}/delete/")
    assert page.status_code == 200
    assert page.context["used_in"] == ["Corporate × Global", "Product × Global"]
    response = client.post(f"{URL}{brand.pk}/delete/")
    assert response.status_code == 409
    assert "The governance matrix uses this circuit in 2 cell(s): choose another circuit there first." in _html(
        response
    )
    assert ApprovalCircuit.objects.filter(pk=brand.pk).exists()

    partner = _circuit("partner-signoff")
    response = client.post(f"{URL}{partner.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, URL)
    assert not ApprovalCircuit.objects.filter(pk=partner.pk).exists()
    assert AuditEntry.objects.filter(action="circuit.delete", target_id=str(partner.pk)).count() == 1


# --- conditions -----------------------------------------------------------------------------------------


def test_add_and_remove_a_condition(client_as):
    client = client_as("hq_admin")
    partner = _circuit("partner-signoff")
    refused = client.post(URL + "conditions/", {"kind": "network", "circuit": partner.pk})
    assert refused.status_code == 400
    assert refused.context["condition_form"].errors == {"network": ["Choose the network this condition is about."]}
    assert 'data-testid="condition-add"' in _html(refused)

    product = Dimension.objects.get(organization__slug="vireo", key="product")
    response = client.post(
        URL + "conditions/", {"kind": "network", "network": "instagram", "dimension": product.pk, "circuit": partner.pk}
    )
    assert (response.status_code, response["Location"]) == (302, URL)
    condition = CircuitCondition.objects.get(circuit=partner)
    assert (condition.kind, condition.network, condition.dimension_id, condition.position) == (
        "network",
        "instagram",
        product.pk,
        4,
    )
    rows = client.get(URL).context["conditions"]
    assert [(r.condition.kind, r.about, r.condition.circuit.key) for r in rows][-1] == (
        "network",
        "Instagram",
        "partner-signoff",
    )

    response = client.post(f"{URL}conditions/{condition.pk}/remove/")
    assert (response.status_code, response["Location"]) == (302, URL)
    assert not CircuitCondition.objects.filter(pk=condition.pk).exists()
    assert [e.action for e in AuditEntry.objects.filter(target_type="approvals.circuitcondition").order_by("id")][
        -2:
    ] == ["circuit_condition.create", "circuit_condition.delete"]


# --- the matrix's circuit field -------------------------------------------------------------------------


def _cell_url(dimension: str, market: str) -> str:
    d = Dimension.objects.get(organization__slug="vireo", key=dimension)
    return f"/governance/cells/{d.pk}/{_mkt(market).pk}/edit/"


def test_the_matrix_cell_form_offers_the_circuits_and_the_grid_shows_their_names(client_as):
    client = client_as("hq_admin")
    form = client.get(_cell_url("product", "FR"), HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert list(form.context["form"].fields["approval_circuit"].choices) == [
        ("", "Inherit / none"),
        ("brand-hq", "Brand review (HQ) (brand-hq)"),
        ("crisis", "Crisis cell (crisis)"),
        ("finance-legal", "Finance, then legal (finance-legal)"),
        ("legal-claims", "Legal check of figures (legal-claims)"),
        ("local-lead", "Market lead (local-lead)"),
        ("partner-signoff", "Partner sign-off (partner-signoff)"),
    ]
    assert '<option value="legal-claims">Legal check of figures (legal-claims)</option>' in _html(form)
    global_form = client.get(_cell_url("product", "GLOBAL"), HTTP_HX_REQUEST="true")
    assert '<option value="brand-hq" selected>Brand review (HQ) (brand-hq)</option>' in _html(global_form)

    cell = {"ownership": "global_led", "creators": "community_managers", "local_variants": "allowed"}
    unknown = client.post(_cell_url("product", "FR"), {**cell, "approval_circuit": "nope"}, HTTP_HX_REQUEST="true")
    assert unknown.status_code == 400
    assert unknown.context["form"].errors == {
        "approval_circuit": ["Select a valid choice. nope is not one of the available choices."]
    }
    saved = client.post(
        _cell_url("product", "FR"), {**cell, "approval_circuit": "legal-claims"}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert 'data-testid="cell-circuit" title="legal-claims"' in _html(saved)
    assert "Legal check of figures" in _html(saved)
    rule = GovernanceRule.objects.get(dimension__key="product", market__code="FR")
    assert rule.approval_circuit == "legal-claims"

    grid = _html(client.get("/governance/"))
    product_global = re.search(r'<td[^>]*data-testid="cell-product-GLOBAL".*?</td>', grid, re.S).group(0)
    assert re.search(r'data-testid="cell-circuit"[^>]*>.*?Brand review \(HQ\)</small>', product_global, re.S)
    # An inactive circuit stays selectable, marked as such.
    ApprovalCircuit.objects.filter(key="crisis").update(is_active=False)
    choices = dict(client.get(_cell_url("product", "FR"), HTTP_HX_REQUEST="true").context["form"].fields[
        "approval_circuit"
    ].choices)  # fmt: skip
    assert choices["crisis"] == "Crisis cell (crisis) — inactive"


# --- queries --------------------------------------------------------------------------------------------


def test_the_circuits_page_runs_a_fixed_number_of_queries(client_as, persona, django_assert_max_num_queries):
    hq = persona("hq_admin")
    team = Team.objects.get(organization__slug="vireo", name="HQ Social Media")

    def add(i: int) -> None:
        circuit = circuit_services.circuit_save(
            actor=hq, name=f"Extra {i}", steps=[StepSpec(name="Legal", role=Role.APPROVER_LEGAL, market=_mkt("FR")),
                                                StepSpec(name="Brand", member=_member("brand_approver")),
                                                StepSpec(name="HQ", team=team)],
        )  # fmt: skip
        circuit_services.condition_add(actor=hq, kind="figures", circuit=circuit)

    add(0)
    client = client_as("hq_admin")
    client.get(URL)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(URL).status_code == 200
    for i in range(1, 5):
        add(i)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert len(client.get(URL).context["circuits"]) == 11
