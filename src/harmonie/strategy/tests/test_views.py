"""The strategy pages, as the demo personas use them: rendering, forms through the services, HTMX partials,
the objectives-first check, the charter's lint box, downloads, scoping, French, queries."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
import tomllib
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from harmonie.accounts.models import User
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel, Market, Member
from harmonie.governance.permissions import actor_for
from harmonie.strategy import data_messages, services
from harmonie.strategy.charter.engine import Finding
from harmonie.strategy.knowledge import DATA_DIR
from harmonie.strategy.models import (
    KPI,
    Audience,
    CadenceTarget,
    CharterRule,
    ContentPillar,
    FormatEffort,
    KeyMessageAdaptation,
    Objective,
    StrategyPolicy,
)
from harmonie.strategy.views.charter import ShownFinding, highlight

pytestmark = pytest.mark.usefixtures("pages_now")

JAPAN_REFUSAL = (
    "Objectives first: no active objective with a KPI covers Vireo Japan (Threads) on 2026-12-03. "
    "Set one up in Strategy → Objectives (an objective for Japan with at least one KPI and this channel), "
    "or ask an org admin to switch the policy off."
)


def _mkt(code: str) -> Market:
    return Market.objects.get(organization__slug="vireo", code=code)


def _channel(handle: str) -> Channel:
    return Channel.objects.get(organization__slug="vireo", handle=handle)


def _objective(name: str) -> Objective:
    return Objective.objects.get(organization__slug="vireo", name=name)


def _last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-id").first()  # type: ignore[return-value]


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _plain(response) -> str:  # type: ignore[no-untyped-def]
    """The page with HTML entities decoded, to find messages with quotes in them."""
    return html_lib.unescape(response.content.decode())


def _text(html: str) -> str:
    """The visible text of a fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _admin():  # type: ignore[no-untyped-def]
    return actor_for(Member.objects.get(user__email="claire.martin@vireo.example"))


# --- access and navigation -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/strategy/", "/strategy/objectives/", "/strategy/charter/", "/strategy/document/"])
def test_anonymous_visitors_go_to_the_login_page(demo_org, path):
    response = Client().get(path)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={path}")


def test_the_navigation_has_a_strategy_section_for_every_member(client_as):
    expected = ["overview", "objectives", "audiences", "brand", "charter", "advisor", "cadence", "document"]
    for who in ("hq_admin", "fr_community_manager", "analyst"):
        html = _html(client_as(who).get("/strategy/objectives/"))
        assert re.findall(r'data-testid="nav-strategy-(\w+)"', html) == expected
    html = _html(client_as("hq_admin").get("/strategy/objectives/"))
    assert re.search(r'data-testid="nav-strategy-objectives" aria-current="page"', html)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/strategy/", ["Objectives first", "Check a publication", "Notoriété de Vireo France", JAPAN_REFUSAL]),
        (
            "/strategy/objectives/",
            [
                "Notoriété de Vireo France",
                "Awareness / notoriety",
                "2026-01-01 → 2027-06-30",
                "Reach</span> 120000 → <strong>200000</strong>",
                "Procurement and engineering leads",
                "vireo-fr.bsky.social",
            ],
        ),
        ("/strategy/objectives/new/", ["New objective", "Vireo Japan (Threads) — @vireo.japan", "Drive to store"]),
        ("/strategy/audiences/", ["Engineering graduates", "18–24", "Investors and analysts", "An executive"]),
        (
            "/strategy/brand/",
            [
                "Materials science that makes industry lighter",
                "Nos matériaux réduisent en moyenne de 20 %",
                'style="width: 40.0%"',
                "Vireo is a place where engineers grow.",
            ],
        ),
        ("/strategy/brand/pillars/", ['value="Expertise"', 'value="40.00"', "Plants, people and local communities."]),
        (
            "/strategy/charter/",
            [
                "Unsubstantiated superlatives",
                "Global · Financial",
                "Global · LinkedIn",
                "Vireo vouvoie ses clients",
                "Form of address (tu/vous, du/Sie)",
                'data-testid="lint-input"',
            ],
        ),
        ("/strategy/charter/new/", ["New charter rule", "&quot;terms&quot;"]),
        ("/strategy/advisor/", ["Platform advisor", "France (FR)", "Japan (JP)", "Recommend networks"]),
        (
            "/strategy/cadence/",
            [
                "Japan plans 21.0 h of work a week for 20.0 h available (105 %)",
                "Benchmarks (not targets)",
                "Fortune 500 companies in Europe, 2010 average on Twitter",
                "Vireo Japan",
            ],
        ),
        (
            "/strategy/document/",
            ["Strategy document", "1. Objectives and KPIs", "Engajamento Brasil", "Download as PDF"],
        ),
    ],
)
def test_every_page_renders_for_the_org_admin(client_as, path, expected):
    response = client_as("hq_admin").get(path)
    assert response.status_code == 200
    html = _html(response)
    missing = [text for text in expected if text not in html]
    assert missing == []


# --- overview: objectives first --------------------------------------------------------------


def test_overview_figures_and_channel_coverage_today(client_as):
    response = client_as("hq_admin").get("/strategy/")
    context = response.context
    assert (len(context["objectives"]), context["kpi_count"], context["audience_count"], context["rule_count"]) == (
        6, 9, 3, 10,
    )  # fmt: skip
    assert (context["covered_count"], context["refused_count"], len(context["coverage"])) == (12, 2, 14)
    rows = {row.channel.handle: row for row in context["coverage"]}
    assert [o.name for o in rows["vireo-france"].objectives] == ["Notoriété de Vireo France"]
    assert [o.name for o in rows["vireo-group"].objectives] == ["Group reputation"]
    assert rows["@vireo.japan"].refusal == JAPAN_REFUSAL
    assert rows["vireo_de@mastodon.social"].refusal == (
        "Objectives first: no active objective with a KPI covers Vireo Deutschland (Mastodon) on 2026-12-03. "
        "Set one up in Strategy → Objectives (an objective for Germany with at least one KPI and this channel), "
        "or ask an org admin to switch the policy off."
    )
    html = _html(response)
    row = re.search(r'<tr data-testid="coverage-@vireo.japan" class="refused">(.*?)</tr>', html, re.S)
    assert row is not None
    assert f'<small class="refusal" data-testid="refusal">{JAPAN_REFUSAL}</small>' in row.group(1)


def test_coverage_hides_objectives_outside_the_member_scope(client_as):
    services.objective_update(
        actor=_admin(), objective=_objective("Leads DACH"), name="Leads DACH", type="data_capture",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2027, 6, 30),
        channels=[_channel("vireo-deutschland"), _channel("vireo-group")],
    )  # fmt: skip
    rows = {r.channel.handle: r for r in client_as("fr_community_manager").get("/strategy/").context["coverage"]}
    assert sorted(rows) == ["@VireoGroup", "vireo-fr.bsky.social", "vireo-france", "vireo-group", "vireo.bsky.social"]
    assert ([o.name for o in rows["vireo-group"].objectives], rows["vireo-group"].hidden) == (["Group reputation"], 1)


def test_check_a_publication_refused_on_threads_japan(client_as):
    japan = _channel("@vireo.japan")
    response = client_as("hq_admin").get("/strategy/check/", {"channel": japan.pk, "when": "2026-12-03T09:30"})
    assert response.status_code == 200
    check = response.context["check"]
    assert (check.refusal, check.at) == (JAPAN_REFUSAL, dt.datetime(2026, 12, 3, 0, 30, tzinfo=dt.UTC))
    html = _html(response)
    assert f'<p class="notice-refused" role="alert" data-testid="check-refusal">{JAPAN_REFUSAL}</p>' in html
    assert "Vireo Japan (Threads), 2026-12-03 09:30 (Asia/Tokyo)" in html


def test_check_a_publication_covered_on_linkedin_france_as_an_htmx_partial(client_as):
    france = _channel("vireo-france")
    response = client_as("fr_community_manager").get(
        "/strategy/check/", {"channel": france.pk, "when": "2026-12-03 18:00"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = _html(response)
    assert html.lstrip().startswith('<div id="check-result"')
    assert "<html" not in html
    assert [o.name for o in response.context["check"].objectives] == ["Notoriété de Vireo France"]
    objective = _objective("Notoriété de Vireo France")
    assert (
        f'<li><a href="/strategy/objectives/{objective.pk}/">Notoriété de Vireo France</a> '
        '<span class="muted">(France)</span></li>'
    ) in html
    assert 'data-testid="check-ok"' in html


def test_check_a_publication_reads_the_time_in_the_channel_zone(client_as):
    # 2027-06-30 23:30 in Paris is the objective's last day; in UTC it is already... the same day, 21:30.
    france = _channel("vireo-france")
    inside = client_as("hq_admin").get("/strategy/check/", {"channel": france.pk, "when": "2027-06-30T23:30"})
    assert inside.context["check"].at == dt.datetime(2027, 6, 30, 21, 30, tzinfo=dt.UTC)
    assert inside.context["check"].refusal is None
    after = client_as("hq_admin").get("/strategy/check/", {"channel": france.pk, "when": "2027-07-01T00:30"})
    assert after.context["check"].refusal.startswith(
        "Objectives first: no active objective with a KPI covers Vireo France (LinkedIn) on 2027-07-01."
    )


def test_a_time_skipped_by_daylight_saving_is_refused(client_as):
    response = client_as("hq_admin").get(
        "/strategy/check/", {"channel": _channel("vireo-france").pk, "when": "2026-03-29T02:30"}
    )
    assert response.status_code == 400
    assert response.context["check_form"].errors == {
        "when": ["2026-03-29 02:30 does not exist in Europe/Paris: the clocks go forward then. Choose another time."]
    }


def test_switching_objectives_first_off_as_the_org_admin(client_as):
    client = client_as("hq_admin")
    response = client.post("/strategy/policy/", {})
    assert (response.status_code, response["Location"]) == (302, "/strategy/")
    assert StrategyPolicy.objects.get(organization__slug="vireo").objectives_first is False
    entry = _last_audit()
    assert (entry.action, entry.before, entry.after, entry.actor_label) == (
        "strategy_policy.update", {"objectives_first": True}, {"objectives_first": False}, "Claire Martin",
    )  # fmt: skip
    page = client.get("/strategy/")
    assert page.context["refused_count"] == 0
    assert '<span class="badge off" data-testid="policy-state">off</span>' in _html(page)
    check = client.get("/strategy/check/", {"channel": _channel("@vireo.japan").pk, "when": "2026-12-03T09:30"})
    assert (check.context["check"].refusal, check.context["check"].policy_off) == (None, True)
    client.post("/strategy/policy/", {"objectives_first": "on"})
    assert StrategyPolicy.objects.get(organization__slug="vireo").objectives_first is True


def test_a_market_lead_cannot_switch_the_policy(client_as):
    entries = AuditEntry.objects.count()
    client = client_as("fr_market_lead")
    assert 'data-testid="policy-form"' not in _html(client.get("/strategy/"))
    response = client.post("/strategy/policy/", {})
    assert response.status_code == 403
    assert "Only members holding 'org.manage' at Global level may do this." in _plain(response)
    assert StrategyPolicy.objects.get(organization__slug="vireo").objectives_first is True
    assert AuditEntry.objects.count() == entries


# --- objectives and KPIs ---------------------------------------------------------------------


def test_create_an_objective_then_its_kpi(client_as):
    client = client_as("fr_market_lead")
    audience = Audience.objects.get(name="Procurement and engineering leads")
    response = client.post(
        "/strategy/objectives/new/",
        {
            "market": _mkt("FR").pk, "name": "Leads France", "type": "data_capture", "description": "Salons.",
            "period_start": "2026-09-01", "period_end": "2027-03-31", "audience": audience.pk,
            "channels": [_channel("vireo-france").pk], "relation_mode": "expertise", "approach": "attract",
            "voice": "expert", "status": "active",
        },
    )  # fmt: skip
    objective = _objective("Leads France")
    assert (response.status_code, response["Location"]) == (302, f"/strategy/objectives/{objective.pk}/")
    assert (objective.market.code, objective.type, objective.audience, objective.period_end) == (
        "FR", "data_capture", audience, dt.date(2027, 3, 31),
    )  # fmt: skip
    assert [c.handle for c in objective.channels.all()] == ["vireo-france"]
    entry = _last_audit()
    assert (entry.action, entry.actor_label, entry.market_id, entry.after["channels"]) == (
        "objective.create", "Julien Bernard", _mkt("FR").pk, [_channel("vireo-france").pk],
    )  # fmt: skip
    page = client.get(response["Location"])
    assert "No KPI yet: this objective does not count for objectives first until it has one." in _html(page)

    response = client.post(
        f"/strategy/objectives/{objective.pk}/kpis/new/", {"metric": "leads", "baseline": "12", "target": "40"}
    )
    assert (response.status_code, response["Location"]) == (302, f"/strategy/objectives/{objective.pk}/")
    kpi = KPI.objects.get(objective=objective)
    assert (kpi.metric, kpi.baseline, kpi.target, kpi.period_start, kpi.period_end) == (
        "leads", Decimal("12.0000"), Decimal("40.0000"), dt.date(2026, 9, 1), dt.date(2027, 3, 31),
    )  # fmt: skip
    entry = _last_audit()
    assert (entry.action, entry.target_label, entry.after["target"]) == ("kpi.create", "Leads France: leads", "40.0000")
    html = _html(client.get(f"/strategy/objectives/{objective.pk}/"))
    assert re.search(r'<tr data-testid="kpi-leads">\s*<td><strong>Leads</strong></td>', html)


def test_edit_and_delete_a_kpi(client_as):
    client = client_as("hq_admin")
    kpi = KPI.objects.get(objective__name="Notoriété de Vireo France", metric="reach")
    response = client.post(
        f"/strategy/kpis/{kpi.pk}/edit/",
        {"metric": "reach", "baseline": "120000", "target": "250000", "period_start": "2026-01-01",
         "period_end": "2026-12-31", "note": "Salon Global Industrie inclus"},
    )  # fmt: skip
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert (kpi.target, kpi.period_end, kpi.note) == (Decimal("250000.0000"), dt.date(2026, 12, 31),
                                                      "Salon Global Industrie inclus")  # fmt: skip
    assert (_last_audit().before["target"], _last_audit().after["target"]) == ("200000.0000", "250000.0000")
    assert client.get(f"/strategy/kpis/{kpi.pk}/delete/").status_code == 200
    response = client.post(f"/strategy/kpis/{kpi.pk}/delete/")
    assert response.status_code == 302
    assert not KPI.objects.filter(pk=kpi.pk).exists()
    assert _last_audit().action == "kpi.delete"


def test_a_kpi_outside_the_objective_period_shows_the_service_message(client_as):
    objective = _objective("Leads DACH")
    response = client_as("de_market_lead").post(
        f"/strategy/objectives/{objective.pk}/kpis/new/",
        {"metric": "clicks", "target": "900", "period_start": "2025-06-01", "period_end": "2026-06-30"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "period_start": ["A KPI's period must lie within its objective's (2026-01-01 to 2027-06-30)."]
    }
    assert not KPI.objects.filter(objective=objective, metric="clicks").exists()


def test_an_objective_on_a_channel_of_another_market_is_refused_with_the_service_message(client_as):
    objectives = Objective.objects.count()
    response = client_as("hq_admin").post(
        "/strategy/objectives/new/",
        {"market": _mkt("FR").pk, "name": "Mauvais canal", "type": "awareness", "period_start": "2026-01-01",
         "period_end": "2026-12-31", "channels": [_channel("@Vireo_JP").pk], "status": "active"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "channels": ["Vireo Japan (X) does not serve France: choose channels of this market."]
    }
    assert Objective.objects.count() == objectives


def test_edit_an_objective(client_as):
    objective = _objective("Engajamento Brasil")
    client = client_as("hq_admin")
    form = client.get(f"/strategy/objectives/{objective.pk}/edit/").context["form"]
    assert "market" not in form.fields
    assert form.initial["channels"] == [_channel("VireoBrasil").pk, _channel("@vireo.brasil").pk]
    response = client.post(
        f"/strategy/objectives/{objective.pk}/edit/",
        {"name": "Engajamento Brasil 2027", "type": "engagement", "period_start": "2026-01-01",
         "period_end": "2027-06-30", "channels": [_channel("@vireo.brasil").pk], "relation_mode": "proximity",
         "status": "draft"},
    )  # fmt: skip
    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.name, objective.status, [c.handle for c in objective.channels.all()]) == (
        "Engajamento Brasil 2027", "draft", ["@vireo.brasil"],
    )  # fmt: skip
    assert _last_audit().action == "objective.update"


def test_objectives_are_scoped_and_a_community_manager_cannot_create_one(client_as):
    client = client_as("fr_community_manager")
    response = client.get("/strategy/objectives/")
    assert [o.name for o in response.context["objectives"]] == ["Group reputation", "Notoriété de Vireo France"]
    html = _html(response)
    assert "Leads DACH" not in html
    assert 'data-testid="objective-new"' not in html
    assert client.get("/strategy/objectives/new/").status_code == 403
    response = client.post(
        "/strategy/objectives/new/",
        {"market": _mkt("FR").pk, "name": "Pirate", "type": "awareness", "period_start": "2026-01-01",
         "period_end": "2026-12-31", "status": "active"},
    )  # fmt: skip
    assert response.status_code == 403
    assert "You do not have the permission 'strategy.manage'." in _plain(response)
    assert not Objective.objects.filter(name="Pirate").exists()
    german = _objective("Leads DACH")
    assert client.get(f"/strategy/objectives/{german.pk}/").status_code == 404
    own = _objective("Notoriété de Vireo France")
    assert client.get(f"/strategy/objectives/{own.pk}/edit/").status_code == 403
    assert 'data-testid="kpi-form"' not in _html(client.get(f"/strategy/objectives/{own.pk}/"))


def test_a_market_lead_offers_only_their_markets(client_as):
    form = client_as("de_market_lead").get("/strategy/objectives/new/").context["form"]
    assert [m.code for m in form.fields["market"].queryset] == ["DE"]
    assert "vireo-france" not in {c.handle for c in form.fields["channels"].queryset}


# --- audiences -------------------------------------------------------------------------------


def test_create_edit_and_delete_an_audience(client_as):
    client = client_as("hq_admin")
    response = client.post(
        "/strategy/audiences/new/",
        {"name": "Architectes", "kind": "b2b", "age_band": "35-44", "markets": [_mkt("FR").pk],
         "relation_mode": "expertise", "approach": "attract", "voice": "expert", "description": "Prescripteurs."},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/strategy/audiences/")
    audience = Audience.objects.get(name="Architectes")
    assert [m.code for m in audience.markets.all()] == ["FR"]
    assert (_last_audit().action, _last_audit().after["markets"]) == ("audience.create", [_mkt("FR").pk])
    response = client.post(
        f"/strategy/audiences/{audience.pk}/edit/",
        {"name": "Architectes et bureaux d'études", "kind": "b2b", "markets": [_mkt("FR").pk, _mkt("DE").pk],
         "relation_mode": "expertise", "approach": "push", "voice": "brand"},
    )  # fmt: skip
    assert response.status_code == 302
    audience.refresh_from_db()
    assert (audience.name, audience.approach, audience.age_band) == ("Architectes et bureaux d'études", "push", "")
    assert client.post(f"/strategy/audiences/{audience.pk}/delete/").status_code == 302
    assert not Audience.objects.filter(pk=audience.pk).exists()
    assert _last_audit().action == "audience.delete"


def test_a_duplicate_audience_name_is_a_409_with_the_service_message(client_as):
    response = client_as("hq_admin").post(
        "/strategy/audiences/new/",
        {"name": "Engineering graduates", "kind": "b2c", "relation_mode": "proximity", "approach": "attract",
         "voice": "brand"},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.context["form"].errors == {"name": ["An audience with this name already exists."]}


def test_a_market_lead_edits_only_audiences_of_their_markets(client_as):
    client = client_as("fr_market_lead")
    response = client.get("/strategy/audiences/")
    names = {a.name for a in response.context["audiences"] if a.pk in response.context["editable"]}
    assert names == set()  # graduates also target the US and Germany; the others are organization-wide
    graduates = Audience.objects.get(name="Engineering graduates")
    assert client.get(f"/strategy/audiences/{graduates.pk}/edit/").status_code == 403


# --- brand platform --------------------------------------------------------------------------


def test_edit_the_brand_platform_and_key_messages(client_as):
    client = client_as("hq_admin")
    response = client.post(
        "/strategy/brand/platform/",
        {"dna": "Lighter, cleaner industry.", "story": "Since 1921.", "value_proposition": "Co-developed materials.",
         "tone_of_voice": "Plain-spoken."},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/strategy/brand/")
    assert _last_audit().action == "brand_platform.update"
    assert "Lighter, cleaner industry." in _html(client.get("/strategy/brand/"))
    response = client.post("/strategy/brand/messages/new/", {"text": "  Vireo answers within a day.  "})
    assert response.status_code == 302
    assert (_last_audit().action, _last_audit().after) == (
        "key_message.create",
        {"text": "Vireo answers within a day."},
    )
    empty = client.post("/strategy/brand/messages/new/", {"text": "   "})
    assert empty.status_code == 400


def test_a_market_lead_words_a_key_message_for_their_market(client_as):
    message = services.brand.KeyMessage.objects.get(text__startswith="We co-develop")
    client = client_as("fr_market_lead")
    page = client.get("/strategy/brand/")
    assert f'href="/strategy/brand/messages/{message.pk}/adapt/?market={_mkt("FR").pk}"' in _html(page)
    assert 'data-testid="key-message-new"' not in _html(page)
    form = client.get(f"/strategy/brand/messages/{message.pk}/adapt/").context["form"]
    assert [m.code for m in form.fields["market"].queryset] == ["FR"]
    response = client.post(
        f"/strategy/brand/messages/{message.pk}/adapt/",
        {"market": _mkt("FR").pk, "text": "Nous co-développons avec les ingénieurs de nos clients."},
    )
    assert response.status_code == 302
    adaptation = KeyMessageAdaptation.objects.get(key_message=message, market__code="FR")
    assert adaptation.text == "Nous co-développons avec les ingénieurs de nos clients."
    assert (_last_audit().action, _last_audit().actor_label) == ("key_message.adapt", "Julien Bernard")
    germany = client.post(f"/strategy/brand/messages/{message.pk}/adapt/", {"market": _mkt("DE").pk, "text": "Wir"})
    assert germany.status_code == 400
    assert not KeyMessageAdaptation.objects.filter(key_message=message, market__code="DE").exists()
    assert client.post("/strategy/brand/messages/new/", {"text": "x"}).status_code == 403


def test_pillar_mix_that_does_not_add_up_to_100_is_refused_with_the_service_message(client_as):
    before = list(ContentPillar.objects.values_list("name", "target_share"))
    response = client_as("hq_admin").post(
        "/strategy/brand/pillars/",
        {
            "pillars-TOTAL_FORMS": "4", "pillars-INITIAL_FORMS": "3",
            "pillars-0-name": "Expertise", "pillars-0-target_share": "40", "pillars-0-description": "",
            "pillars-1-name": "Proximity", "pillars-1-target_share": "30", "pillars-1-description": "",
            "pillars-2-name": "Product", "pillars-2-target_share": "20", "pillars-2-description": "",
            "pillars-3-name": "", "pillars-3-target_share": "", "pillars-3-description": "",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["error"] == "The target mix adds up to 90.00 %; it must add up to 100 %."
    assert (
        '<p class="form-error" role="alert" data-testid="form-error">'
        "The target mix adds up to 90.00 %; it must add up to 100 %.</p>"
    ) in _html(response)
    assert list(ContentPillar.objects.values_list("name", "target_share")) == before


def test_pillars_are_replaced_in_one_form(client_as):
    client = client_as("hq_admin")
    response = client.post(
        "/strategy/brand/pillars/",
        {
            "pillars-TOTAL_FORMS": "5", "pillars-INITIAL_FORMS": "3",
            "pillars-0-name": "Expertise", "pillars-0-target_share": "35", "pillars-0-description": "How.",
            "pillars-1-name": "Proximity", "pillars-1-target_share": "25", "pillars-1-description": "",
            "pillars-2-name": "", "pillars-2-target_share": "", "pillars-2-description": "",
            "pillars-3-name": "Careers", "pillars-3-target_share": "12.5", "pillars-3-description": "People.",
            "pillars-4-name": "Product", "pillars-4-target_share": "27.5", "pillars-4-description": "",
        },
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/strategy/brand/")
    assert list(ContentPillar.objects.filter(organization__slug="vireo").values_list("name", "target_share")) == [
        ("Expertise", Decimal("35.00")), ("Proximity", Decimal("25.00")), ("Careers", Decimal("12.50")),
        ("Product", Decimal("27.50")),
    ]  # fmt: skip
    assert _last_audit().action == "pillars.set"
    html = _html(client.get("/strategy/brand/"))
    assert '<span class="barchart-value">12.5 %</span>' in html
    assert client_as("fr_market_lead").get("/strategy/brand/pillars/").status_code == 403


# --- editorial charter -----------------------------------------------------------------------

LINT_TEXT = "Inscris-toi <b>vite</b> : notre revêtement révolutionnaire & durable."


def test_lint_partial_highlights_each_finding_and_lists_them(client_as):
    response = client_as("fr_community_manager").post(
        "/strategy/charter/lint/", {"text": LINT_TEXT, "market": _mkt("FR").pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = _html(response)
    assert html.lstrip().startswith('<div id="lint-results" class="lint-results" data-testid="lint-findings"')
    preview = re.search(r'<div class="lint-preview" data-testid="lint-preview">(.*?)</div>', html, re.S)
    assert preview is not None
    assert preview.group(1) == (
        'Inscris-<mark data-testid="finding-span" data-severity="block" data-findings="1" title="Vouvoiement">'
        "toi</mark>"
        " &lt;b&gt;vite&lt;/b&gt; : notre revêtement "
        '<mark data-testid="finding-span" data-severity="block" data-findings="2" title="Unsubstantiated superlatives">'
        "révolutionnaire</mark> &amp; durable."
    )
    findings = re.findall(r'<li class="finding severity-(\w+)" data-testid="finding" data-rule="([^"]+)">', html)
    assert findings == [("block", "Vouvoiement"), ("block", "Unsubstantiated superlatives")]
    text = _text(html)
    assert "2 findings; this text would be blocked." in text
    assert "“toi” tutoie the reader; this charter says “vous”. Rewrite with vous, votre or vos." in text
    assert "Why: Vireo vouvoie ses clients et ses candidats." in text
    assert "“révolutionnaire” matches the banned term “révolutionnaire”. Remove it or rephrase." in text


def test_lint_follows_the_market_channel_and_dimension(client_as):
    client = client_as("hq_admin")
    german = client.post("/strategy/charter/lint/", {"text": LINT_TEXT, "market": _mkt("DE").pk},
                         headers={"HX-Request": "true"})  # fmt: skip
    assert re.findall(r'data-rule="([^"]+)"', _html(german)) == ["Unsubstantiated superlatives"]
    clean = client.post("/strategy/charter/lint/", {"text": "Découvrez notre revêtement.", "market": _mkt("FR").pk},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert "No finding: the text follows the 7 rules that apply here." in _html(clean)
    long_text = "Vireo " * 230
    on_linkedin = client.post(
        "/strategy/charter/lint/",
        {"text": long_text, "market": _mkt("FR").pk, "channel": _channel("vireo-france").pk},
        headers={"HX-Request": "true"},
    )
    assert re.findall(r'data-rule="([^"]+)"', _html(on_linkedin)) == ["LinkedIn: before &#x27;see more&#x27;"]


def test_lint_without_javascript_returns_the_whole_page(client_as):
    response = client_as("hq_admin").post("/strategy/charter/lint/", {"text": LINT_TEXT, "market": _mkt("FR").pk})
    assert response.status_code == 200
    html = _html(response)
    assert "<h1>Editorial charter</h1>" in html
    assert html.count('data-testid="finding-span"') == 2
    assert ">Inscris-toi &lt;b&gt;vite&lt;/b&gt; : notre revêtement révolutionnaire &amp; durable.</textarea>" in html


def test_lint_is_limited_to_the_member_markets(client_as):
    response = client_as("fr_community_manager").post(
        "/strategy/charter/lint/", {"text": "Hallo du", "market": _mkt("DE").pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in _html(response)


def test_highlight_cuts_overlapping_spans_and_leaves_whole_text_findings_to_the_list():
    text = "ab <cd> ef"

    def shown(n: int, start: int, end: int, severity: str, *, whole: bool = False) -> ShownFinding:
        finding = Finding(rule_id=n, kind="k", severity=severity, message="m", start=start, end=end)
        return ShownFinding(number=n, finding=finding, rule=None, whole_text=whole)

    html = highlight(text, [shown(1, 0, 5, "warn"), shown(2, 3, 7, "block"), shown(3, 0, 10, "block", whole=True)])
    assert html == (
        '<mark data-testid="finding-span" data-severity="warn" data-findings="1" title="1">ab </mark>'
        '<mark data-testid="finding-span" data-severity="block" data-findings="1 2" title="1; 2">&lt;c</mark>'
        '<mark data-testid="finding-span" data-severity="block" data-findings="2" title="2">d&gt;</mark> ef'
    )


def test_create_a_charter_rule_with_params_checked_by_the_service(client_as):
    client = client_as("fr_market_lead")
    data = {
        "market": _mkt("FR").pk, "name": "Pas de « gratuit »", "kind": "banned_term", "severity": "warn",
        "rationale": "La DGCCRF surveille les allégations de gratuité.", "dimension": "", "network": "",
    }  # fmt: skip
    bad_json = client.post("/strategy/charter/new/", data | {"params": '{"terms": ["gratuit"'})
    assert bad_json.status_code == 400
    assert bad_json.context["form"].errors == {
        "params": ["This is not valid JSON (line 1, column 21): Expecting ',' delimiter."]
    }
    bad_params = client.post("/strategy/charter/new/", data | {"params": '{"terms": [], "max": 3}'})
    assert bad_params.status_code == 400
    assert bad_params.context["form"].errors == {
        "params": ['Unknown parameter "max" for a banned_term rule. Use only: terms, exceptions.']
    }
    response = client.post("/strategy/charter/new/", data | {"params": '{"terms": ["gratuit", "gratuit "]}'})
    assert (response.status_code, response["Location"]) == (302, "/strategy/charter/")
    rule = CharterRule.objects.get(name="Pas de « gratuit »")
    assert (rule.market.code, rule.params) == ("FR", {"terms": ["gratuit"], "exceptions": []})
    entry = _last_audit()
    assert (entry.action, entry.actor_label, entry.market_id) == (
        "charter_rule.create",
        "Julien Bernard",
        _mkt("FR").pk,
    )
    refused = client.post("/strategy/charter/new/", data | {"market": _mkt("DE").pk, "params": '{"terms": ["x"]}'})
    assert refused.status_code == 400
    assert "market" in refused.context["form"].errors


def test_the_params_field_follows_the_kind(client_as):
    client = client_as("hq_admin")
    page = client.get("/strategy/charter/new/", {"kind": "emoji"})
    assert page.context["form"].initial["params"] == '{\n  "max": 2\n}'
    partial = client.get("/strategy/charter/params/", {"kind": "address_form"}, headers={"HX-Request": "true"})
    html = _html(partial)
    assert html.lstrip().startswith('<div class="field" id="params-field">')
    assert "&quot;language&quot;: &quot;fr&quot;" in html
    assert "&quot;language&quot;: &quot;fr&quot; or &quot;de&quot;; &quot;form&quot;" in html


def test_edit_and_delete_a_charter_rule(client_as):
    client = client_as("hq_admin")
    rule = CharterRule.objects.get(name="Two emoji at most")
    form = client.get(f"/strategy/charter/{rule.pk}/edit/").context["form"]
    assert (form.initial["params"], "kind" in form.fields) == ('{\n  "max": 2\n}', False)
    response = client.post(
        f"/strategy/charter/{rule.pk}/edit/",
        {"name": "One emoji at most", "severity": "block", "params": '{"max": 1}', "rationale": "Sober tone.",
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.severity, rule.params, rule.kind) == ("One emoji at most", "block", {"max": 1}, "emoji")
    assert client_as("fr_market_lead").get(f"/strategy/charter/{rule.pk}/edit/").status_code == 403
    assert client.post(f"/strategy/charter/{rule.pk}/delete/").status_code == 302
    assert not CharterRule.objects.filter(pk=rule.pk).exists()
    assert _last_audit().action == "charter_rule.delete"


def test_charter_groups_rules_by_scope(client_as):
    groups = client_as("fr_community_manager").get("/strategy/charter/").context["groups"]
    assert [(g.label, [r.rule.name for r in g.rows]) for g in groups] == [
        ("Global", ["Unsubstantiated superlatives", "Competitors are not named", "Two emoji at most",
                    "Three hashtags at most", "Tracked links"]),
        ("Global · LinkedIn", ["LinkedIn: before 'see more'"]),
        ("Global · Financial", ["Closed period before FY2026 results"]),
        ("France", ["Vouvoiement", "Mention « Publicité » des partenariats"]),
    ]  # fmt: skip


# --- platform advisor ------------------------------------------------------------------------


def test_advisor_ranks_networks_with_signed_reasons_and_excluded_ones_last(client_as):
    response = client_as("hq_admin").get(
        "/strategy/advisor/",
        {"objectives": ["awareness"], "audience": "b2b", "market": "FR", "relation_mode": "expertise",
         "formats": ["text", "image"], "weekly_hours": "5"},
    )  # fmt: skip
    assert response.status_code == 200
    recs = response.context["recommendations"]
    assert [(r["rec"].network, r["rec"].score) for r in recs[:3]] == [
        ("linkedin", 78),
        ("facebook", 71),
        ("instagram", 71),
    ]
    excluded = [r["rec"].network for r in recs if r["rec"].excluded]
    assert excluded == ["douyin", "tiktok", "youtube"]
    assert [r["rec"].network for r in recs[-3:]] == excluded
    first = [(reason.points, reason.text) for reason in recs[0]["reasons"]]
    assert first[0] == ("+15.0", "Market presence in France: major.")
    html = _html(response)
    assert '<li class="recommendation excluded" data-testid="rec-youtube">' in html
    assert "Needs video: you have no video format." in html
    assert '<span class="rec-score" data-testid="score">78</span>' in html


def test_advisor_starts_from_an_objective(client_as):
    objective = _objective("Leads DACH")
    form = client_as("hq_admin").get("/strategy/advisor/", {"objective": objective.pk}).context["form"]
    assert form.initial == {
        "objectives": ["data_capture"], "audience": "b2b", "age_band": "", "relation_mode": "expertise",
        "voice": "person", "approach": "attract", "market": "DE",
    }  # fmt: skip


def test_advisor_market_choices_start_with_the_organization_countries(client_as):
    form = client_as("fr_community_manager").get("/strategy/advisor/").context["form"]
    groups = form.fields["market"].choices
    assert groups[0] == ("Your markets", [("FR", "France (FR)")])
    assert form.fields["market"].initial == "FR"
    bad = client_as("hq_admin").get("/strategy/advisor/", {"objectives": ["awareness"], "market": "FR"})
    assert bad.status_code == 400


# --- cadence and resources -------------------------------------------------------------------


def test_cadence_page_shows_required_against_available_hours(client_as):
    response = client_as("hq_admin").get("/strategy/cadence/")
    panels = {p.load.market.code: p for p in response.context["panels"]}
    assert [(c, p.load.required_hours, p.load.available_hours, p.load.overloaded) for c, p in panels.items()] == [
        ("GLOBAL", Decimal("10.5"), Decimal("30.0"), False), ("FR", Decimal("3.0"), Decimal("45.0"), False),
        ("DE", Decimal("2.5"), Decimal("40.0"), False), ("US", Decimal("8.6"), Decimal("27.0"), False),
        ("BR", Decimal("7.0"), Decimal("35.0"), False), ("JP", Decimal("21.0"), Decimal("20.0"), True),
    ]  # fmt: skip
    assert (panels["JP"].required_percent, panels["JP"].available_percent) == (100, 95)
    html = _html(response)
    assert '<article class="panel load overloaded" id="load-' in html
    assert (
        "Japan plans 21.0 h of work a week for 20.0 h available (105 %): lower a cadence, choose lighter formats or "
        "give the team more time."
    ) in html
    assert response.context["efforts"] == {"text": 30, "image": 60, "video": 240, "live": 180}


def test_edit_a_channel_cadence_in_place(client_as):
    client = client_as("jp_market_lead")
    threads = _channel("@vireo.japan")
    form = client.get(f"/strategy/cadence/channels/{threads.pk}/", headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert '<tr class="editing" data-testid="cadence-@vireo.japan">' in _html(form)
    response = client.post(
        f"/strategy/cadence/channels/{threads.pk}/",
        {"posts_per_week": "6", "main_format": "text", "basis": "Moins d’images"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    panel = response.context["panel"]
    assert (panel.load.required_hours, panel.load.overloaded) == (Decimal("17.0"), False)
    html = _html(response)
    assert html.lstrip().startswith('<article class="panel load" id="load-')
    assert 'data-testid="overload"' not in html
    target = CadenceTarget.objects.get(channel=threads)
    assert (target.posts_per_week, target.main_format, target.basis) == (Decimal("6.00"), "text", "Moins d’images")
    assert (_last_audit().action, _last_audit().before["posts_per_week"]) == ("cadence.set", "7.00")
    bad = client.post(f"/strategy/cadence/channels/{threads.pk}/", {"posts_per_week": "900", "main_format": "text"},
                      headers={"HX-Request": "true"})  # fmt: skip
    assert bad.status_code == 400
    assert bad.context["form"].errors == {"posts_per_week": ["Posts per week must be between 0 and 500."]}
    france = _channel("vireo-france")
    assert client.get(f"/strategy/cadence/channels/{france.pk}/").status_code == 404
    assert client_as("fr_community_manager").get(f"/strategy/cadence/channels/{france.pk}/").status_code == 403


def test_format_efforts_are_set_by_org_admins(client_as):
    client = client_as("hq_admin")
    response = client.post("/strategy/cadence/efforts/", {"text": "20", "image": "45", "video": "300", "live": "120"})
    assert (response.status_code, response["Location"]) == (302, "/strategy/cadence/")
    assert dict(FormatEffort.objects.filter(organization__slug="vireo").values_list("format", "minutes_per_post")) == {
        "text": 20, "image": 45, "video": 300, "live": 120,
    }  # fmt: skip
    assert client_as("fr_market_lead").post("/strategy/cadence/efforts/", {"text": "1"}).status_code == 403


# --- strategy document -----------------------------------------------------------------------


def test_pdf_download(client_as):
    response = client_as("hq_admin").get("/strategy/document/", {"format": "pdf", "download_token": "abc123"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="vireo-strategy.pdf"'
    assert response.content.startswith(b"%PDF")
    assert response.cookies["harmonie_download"].value == "abc123"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert text.startswith("Social media strategy")


def test_markdown_download_for_a_market(client_as):
    client = client_as("hq_admin")
    whole = client.get("/strategy/document/", {"format": "md"})
    assert whole["Content-Type"] == "text/markdown; charset=utf-8"
    assert "## 1. Objectives and KPIs" in whole.content.decode()
    germany = client.get("/strategy/document/", {"format": "md", "market": _mkt("DE").pk})
    assert germany["Content-Disposition"] == 'attachment; filename="vireo-strategy-de.md"'
    md = germany.content.decode()
    assert md.startswith("# Social media strategy — Vireo Industries — Germany\n")
    assert "Notoriété de Vireo France" not in md
    assert "harmonie_download" not in germany.cookies


def test_document_preview_and_plain_html(client_as):
    client = client_as("fr_community_manager")
    preview = _html(client.get("/strategy/document/"))
    assert '<div class="doc-preview" data-testid="document-preview">' in preview
    assert "Leads DACH" not in preview
    assert 'href="?market=&amp;format=pdf" role="button" data-download data-testid="download-pdf"' in preview
    plain = client.get("/strategy/document/", {"format": "html"})
    assert plain["Content-Type"] == "text/html; charset=utf-8"
    assert _html(plain).startswith('<!doctype html>\n<html lang="en">')
    assert client.get("/strategy/document/", {"market": _mkt("DE").pk}).status_code == 400


# --- French ----------------------------------------------------------------------------------


def test_overview_in_french(client_as):
    html = _html(client_as("fr_market_lead", language="fr").get("/strategy/"))
    assert '<html lang="fr"' in html
    assert "<h1>Stratégie</h1>" in html
    assert "Objectifs d’abord" in html
    assert "Vérifier une publication" in html
    assert "Canaux et leurs objectifs aujourd’hui" in html
    assert "Aucun objectif actif doté d’un KPI ne couvre" not in html  # FR lead: every channel in scope is covered
    assert 'data-testid="nav-strategy-charter" >Charte éditoriale</a>' in html


def test_pages_in_french_translate_domain_values(client_as):
    client = client_as("hq_admin", language="fr")
    objectives = _html(client.get("/strategy/objectives/"))
    assert '<span class="badge type-awareness">Notoriété</span>' in objectives
    assert "Portée</span> 120000 → <strong>200000</strong>" in objectives
    overview = _html(client.get("/strategy/"))
    assert (
        "Objectifs d’abord : aucun objectif actif doté d’un KPI ne couvre Vireo Japan (Threads) le 2026-12-03."
    ) in overview
    charter = client.post("/strategy/charter/lint/", {"text": "Inscris-toi !", "market": _mkt("FR").pk},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert "1 constat ; ce texte serait bloqué." in _text(_html(charter))
    advice = client.get(
        "/strategy/advisor/",
        {"objectives": ["recruitment"], "audience": "b2c", "age_band": "18-24", "market": "FR",
         "relation_mode": "proximity", "formats": ["image", "video"], "weekly_hours": "6"},
    )  # fmt: skip
    snapchat = next(r for r in advice.context["recommendations"] if r["rec"].network == "snapchat")
    assert snapchat["reasons"][0].text.startswith("Snapchat touche 94 % des 15-24 ans en France (")
    cadence = _html(client.get("/strategy/cadence/"))
    assert "Entreprises du Fortune 500 en Europe, moyenne 2010 sur Twitter" in cadence
    assert "Le Japon prévoit" not in cadence  # market names are data, not translated
    assert "Japan prévoit 21,0 h de travail par semaine pour 20,0 h disponibles (105 %) : réduisez" in cadence


def test_every_data_file_sentence_is_in_the_catalogue_in_french():
    """makemessages does not read TOML: ``data_messages`` lists the sentences, and each has a French translation."""
    metrics = tomllib.loads((DATA_DIR / "metrics.toml").read_text())["metrics"]
    benchmarks = tomllib.loads((DATA_DIR / "cadence_benchmarks.toml").read_text())["benchmarks"]
    markets = tomllib.loads((DATA_DIR / "platforms" / "markets.toml").read_text())["markets"]
    sentences = {e[k] for entries in markets.values() for e in entries.values() for k in ("claim", "note") if k in e}
    assert set(data_messages.METRIC_NAMES) == {m["name"] for m in metrics.values()}
    assert set(data_messages.BENCHMARK_LABELS) == {b["label"] for b in benchmarks}
    assert set(data_messages.MARKET_SENTENCES) == sentences
    everything = [*data_messages.METRIC_NAMES, *data_messages.BENCHMARK_LABELS, *data_messages.MARKET_SENTENCES]
    with translation.override("fr"):
        untranslated = [text for text in everything if translation.gettext(text) == text and text not in {
            "Impressions", "Conversions", "Leads"}]  # fmt: skip
    assert untranslated == []


# --- queries ---------------------------------------------------------------------------------

# Session, user, memberships and roles are read once per request (4 queries), and approvals once per page
# (3: unread notifications, review queue, active crises); the rest is one query per list (plus prefetches),
# however many rows there are.
LIST_PAGES = [
    ("hq_admin", "/strategy/", 20),
    ("hq_admin", "/strategy/objectives/", 11),
    ("hq_admin", "/strategy/audiences/", 10),
    ("hq_admin", "/strategy/brand/", 13),
    ("hq_admin", "/strategy/charter/", 14),
    ("hq_admin", "/strategy/cadence/", 15),
    ("fr_community_manager", "/strategy/", 20),
    ("fr_community_manager", "/strategy/objectives/", 11),
    ("fr_community_manager", "/strategy/charter/", 14),
]


def _grow_demo() -> None:
    """More rows of every kind, to show that the query counts do not grow with them."""
    from harmonie.governance import services as governance_services

    actor = _admin()
    spain = governance_services.market_create(
        actor=actor, parent=_mkt("EUROPE"), kind="country", code="ES", name="Spain", languages=["es-ES"],
        timezone="Europe/Madrid", currency="EUR",
    )  # fmt: skip
    for i in range(4):
        owner = spain if i % 2 else _mkt("FR")
        channel = governance_services.channel_create(
            actor=actor, network="linkedin", handle=f"vireo-extra-{i}", display_name=f"Vireo extra {i}",
            owner_market=owner, served_markets=[owner],
        )  # fmt: skip
        services.cadence_target_set(actor=actor, channel=channel, posts_per_week=2, main_format="image")
        objective = services.objective_create(
            actor=actor, market=owner, name=f"Objetivo {i}", type="engagement",
            period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31), channels=[channel],
        )  # fmt: skip
        services.kpi_create(actor=actor, objective=objective, metric="reach", target=1000 + i)
        services.audience_create(actor=actor, name=f"Público {i}", kind="b2c", relation_mode="proximity",
                                 approach="attract", markets=[spain, _mkt("FR")])  # fmt: skip
        services.charter_rule_create(
            actor=actor, market=spain if i % 2 else _mkt("FR"), name=f"Regla {i}", kind="emoji", severity="warn",
            params={"max": i}, rationale="Sobriedad.",
        )  # fmt: skip
        services.key_message_create(actor=actor, text=f"Mensaje {i}")
        user = User.objects.create_user(email=f"es{i}@vireo.example", password="x" * 12)
        member = Member.objects.create(organization=actor.organization, user=user, weekly_hours=10)
        governance_services.role_assign(actor=actor, member=member, role="community_manager", market=spain)


@pytest.mark.parametrize(("who", "path", "max_queries"), LIST_PAGES)
def test_list_pages_run_a_fixed_number_of_queries(client_as, django_assert_max_num_queries, who, path, max_queries):
    client = client_as(who)
    with django_assert_max_num_queries(max_queries):
        assert client.get(path).status_code == 200
    _grow_demo()
    with django_assert_max_num_queries(max_queries):
        assert client.get(path).status_code == 200
