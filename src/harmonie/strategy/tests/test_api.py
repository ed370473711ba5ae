"""The strategy REST API under /api/v1/strategy, called as the demo personas with real personal access tokens."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client

from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel, Dimension, Organization
from harmonie.strategy.models import (
    KPI,
    Audience,
    CadenceTarget,
    CharterRule,
    ContentPillar,
    FormatEffort,
    KeyMessage,
    KeyMessageAdaptation,
    Objective,
    StrategyPolicy,
)

JAPAN_REFUSAL = (
    "Objectives first: no active objective with a KPI covers Vireo Japan (Threads) on 2026-12-03. "
    "Set one up in Strategy → Objectives (an objective for Japan with at least one KPI and this channel), "
    "or ask an org admin to switch the policy off."
)
NAIVE_AT = (
    "at: add the time zone offset, e.g. 2026-12-03T10:00:00+09:00 or 2026-12-03T01:00:00Z "
    "(a time without an offset is ambiguous)"
)
METRIC_KEYS = (
    "applications, clicks, conversions, cost_per_result, ctr, engagement_rate, engagements, first_response_time, "
    "follower_growth, followers, impressions, leads, reach, response_rate, sentiment, share_of_voice, "
    "store_visits, video_views"
)


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["name"] for item in response.json()["items"]]


def _actions(org: Organization, since: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(organization=org, pk__gt=since).order_by("id").values_list("action", flat=True)
    )


def _last_audit_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _check(api: Any, handle: str, at: str) -> Any:
    return api.get("/objectives-first/check", channel_id=_channel(handle).pk, at=at)


# --- the objectives-first policy and its check ------------------------------------------------


def test_objectives_first_check_and_policy(api_client_for, strategy_demo, market):
    hq = api_client_for("hq_admin")
    japan = _check(hq, "@vireo.japan", "2026-12-03T10:00:00+09:00")
    assert japan.status_code == 200
    assert japan.json() == {"allowed": False, "objectives": [], "message": JAPAN_REFUSAL}
    france = _check(hq, "vireo-france", "2026-12-03T10:00:00+09:00")
    assert france.status_code == 200
    notoriete = Objective.objects.get(name="Notoriété de Vireo France")
    assert france.json() == {
        "allowed": True,
        "objectives": [
            {"id": notoriete.pk, "name": "Notoriété de Vireo France", "market_id": market("FR").pk, "market_code": "FR"}
        ],
        "message": None,
    }
    assert hq.get("/policy").json() == {"objectives_first": True}

    # A market lead may not switch the policy: 403, and nothing changes.
    audit_before = _last_audit_id()
    refused = api_client_for("fr_market_lead").put("/policy", {"objectives_first": False})
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "message": "Only members holding 'org.manage' at Global level may do this.",
        "field": None,
    }
    assert StrategyPolicy.objects.get(organization=strategy_demo).objectives_first is True
    assert _check(hq, "@vireo.japan", "2026-12-03T10:00:00+09:00").json()["allowed"] is False
    assert _last_audit_id() == audit_before

    switched = hq.put("/policy", {"objectives_first": False})
    assert (switched.status_code, switched.json()) == (200, {"objectives_first": False})
    assert _check(hq, "@vireo.japan", "2026-12-03T10:00:00+09:00").json() == {
        "allowed": True,
        "objectives": [],
        "message": None,
    }
    entry = AuditEntry.objects.get(pk__gt=audit_before)
    assert (entry.action, entry.actor_label, entry.before, entry.after) == (
        "strategy_policy.update",
        "Claire Martin",
        {"objectives_first": True},
        {"objectives_first": False},
    )
    assert api_client_for("fr_community_manager").get("/policy").json() == {"objectives_first": False}


def test_objectives_first_check_input(api_client_for):
    cm = api_client_for("fr_community_manager")
    naive = _check(cm, "vireo-france", "2026-12-03T10:00:00")
    assert naive.status_code == 400
    assert (naive.json()["error"], naive.json()["field"], naive.json()["message"]) == ("validation", "at", NAIVE_AT)
    missing = cm.get("/objectives-first/check", channel_id=_channel("vireo-france").pk)
    assert (missing.status_code, missing.json()["field"]) == (400, "at")
    # UTC with Z, and an offset whose "+" was not URL-encoded (it arrives as a space) are both understood.
    assert _check(cm, "vireo-france", "2026-12-03T01:00:00Z").json()["allowed"] is True
    unencoded = cm.client.get(
        f"/api/v1/strategy/objectives-first/check?channel_id={_channel('vireo-france').pk}&at=2026-12-03T10:00:00+09:00"
    )
    assert (unencoded.status_code, unencoded.json()["allowed"]) == (200, True)
    # A channel outside the caller's markets is not found.
    german = _check(cm, "vireo-deutschland", "2026-12-03T10:00:00+01:00")
    assert (german.status_code, german.json()) == (
        404,
        {"error": "not_found", "message": "No such channel.", "field": None},
    )


# --- objectives and KPIs ---------------------------------------------------------------------


def test_objective_and_kpi_lifecycle_with_audit(api_client_for, strategy_demo, market):
    lead = api_client_for("fr_market_lead")
    graduates = Audience.objects.get(name="Engineering graduates")
    france = _channel("vireo-france")
    since = _last_audit_id()
    created = lead.post(
        "/objectives",
        {"market_id": market("FR").pk, "name": " Recrutement d'alternants ", "type": "recruitment",
         "period_start": "2027-01-01", "period_end": "2027-06-30", "audience_id": graduates.pk,
         "channel_ids": [france.pk], "relation_mode": "proximity", "approach": "attract",
         "voice": "community_manager"},
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: v for k, v in body.items() if k not in {"id", "created_at", "updated_at"}} == {
        "market_id": market("FR").pk,
        "market_code": "FR",
        "name": "Recrutement d'alternants",
        "type": "recruitment",
        "description": "",
        "period_start": "2027-01-01",
        "period_end": "2027-06-30",
        "audience_id": graduates.pk,
        "channel_ids": [france.pk],
        "relation_mode": "proximity",
        "approach": "attract",
        "voice": "community_manager",
        "status": "active",
        "kpis": [],
    }
    objective_id = body["id"]

    kpi = lead.post(
        f"/objectives/{objective_id}/kpis", {"metric": "applications", "baseline": 10, "target": "30.5", "note": "CV"}
    )
    assert kpi.status_code == 201, kpi.json()
    kpi_body = kpi.json()
    assert {k: kpi_body[k] for k in ("objective_id", "metric", "baseline", "target", "period_start", "period_end")} == {
        "objective_id": objective_id,
        "metric": "applications",
        "baseline": "10.0000",
        "target": "30.5000",
        "period_start": "2027-01-01",
        "period_end": "2027-06-30",
    }
    unknown = lead.post(f"/objectives/{objective_id}/kpis", {"metric": "likes_count", "target": 10})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": "validation",
        "message": f"'likes_count' is not in the metric dictionary. Choose one of: {METRIC_KEYS}.",
        "field": "metric",
    }
    outside = lead.post(
        f"/objectives/{objective_id}/kpis", {"metric": "clicks", "target": 10, "period_start": "2026-12-01"}
    )
    assert (outside.status_code, outside.json()["field"], outside.json()["message"]) == (
        400,
        "period_start",
        "A KPI's period must lie within its objective's (2027-01-01 to 2027-06-30).",
    )
    huge = lead.post(f"/objectives/{objective_id}/kpis", {"metric": "clicks", "target": "1e13"})
    assert (huge.status_code, huge.json()["field"]) == (400, "target")
    duplicate = lead.post(f"/objectives/{objective_id}/kpis", {"metric": "applications", "target": 1})
    assert (duplicate.status_code, duplicate.json()["error"]) == (409, "conflict")

    raised = lead.patch(f"/kpis/{kpi_body['id']}", {"target": 40, "baseline": None})
    assert raised.status_code == 200
    assert (raised.json()["target"], raised.json()["baseline"], raised.json()["note"]) == ("40.0000", None, "CV")
    listed = lead.get(f"/objectives/{objective_id}").json()
    assert [(k["metric"], k["target"]) for k in listed["kpis"]] == [("applications", "40.0000")]

    archived = lead.patch(f"/objectives/{objective_id}", {"status": "archived", "audience_id": None, "voice": None})
    assert archived.status_code == 200
    assert (archived.json()["status"], archived.json()["audience_id"], archived.json()["voice"]) == (
        "archived",
        None,
        None,
    )
    assert (archived.json()["name"], archived.json()["channel_ids"], archived.json()["approach"]) == (
        "Recrutement d'alternants",
        [france.pk],
        "attract",
    )
    assert lead.delete(f"/kpis/{kpi_body['id']}").status_code == 204
    assert not KPI.objects.filter(pk=kpi_body["id"]).exists()
    assert _actions(strategy_demo, since) == [
        "objective.create", "kpi.create", "kpi.update", "objective.update", "kpi.delete",
    ]  # fmt: skip
    entry = AuditEntry.objects.get(action="kpi.create", pk__gt=since)
    assert (entry.actor_label, entry.target_label, entry.market_id, entry.after["target"]) == (
        "Julien Bernard",
        "Recrutement d'alternants: applications",
        market("FR").pk,
        "30.5000",
    )

    # Archived: it no longer counts for objectives first.
    assert lead.get("/objectives", status="archived").json()["count"] == 1
    assert _names(lead.get("/objectives", market_id=market("FR").pk, status="active")) == ["Notoriété de Vireo France"]


def test_objective_input_errors(api_client_for, market):
    lead = api_client_for("fr_market_lead")
    base = {"market_id": market("FR").pk, "name": "X", "type": "sales", "period_start": "2027-01-01",
            "period_end": "2027-03-31"}  # fmt: skip
    # HQ sees the German channel, but it does not serve France.
    wrong_channel = api_client_for("hq_admin").post(
        "/objectives", base | {"channel_ids": [_channel("vireo-deutschland").pk]}
    )
    assert (wrong_channel.status_code, wrong_channel.json()["field"], wrong_channel.json()["message"]) == (
        400,
        "channels",
        "Vireo Deutschland (LinkedIn) does not serve France: choose channels of this market.",
    )
    # The French lead does not even see it.
    invisible_channel = lead.post("/objectives", base | {"channel_ids": [_channel("vireo-deutschland").pk]})
    assert (invisible_channel.status_code, invisible_channel.json()["field"]) == (400, "channel_ids")
    german_market = lead.post("/objectives", base | {"market_id": market("DE").pk})
    assert (german_market.status_code, german_market.json()["field"], german_market.json()["message"]) == (
        400,
        "market_id",
        "No such market.",
    )
    backwards = lead.post("/objectives", base | {"period_end": "2026-12-31"})
    assert (backwards.status_code, backwards.json()["field"]) == (400, "period_end")
    bad_type = lead.post("/objectives", base | {"type": "fame"})
    assert (bad_type.status_code, bad_type.json()["field"]) == (400, "type")
    assert bad_type.json()["message"].startswith("type: Input should be 'awareness', 'image'")
    assert not Objective.objects.filter(name="X").exists()


def test_objectives_are_scoped(api_client_for, other_api, market):
    cm = api_client_for("fr_community_manager")
    assert _names(cm.get("/objectives")) == ["Group reputation", "Notoriété de Vireo France"]
    leads_dach = Objective.objects.get(name="Leads DACH")
    assert cm.get(f"/objectives/{leads_dach.pk}").status_code == 404
    assert cm.get(f"/objectives/{leads_dach.pk}").json()["message"] == "No such objective."
    assert cm.patch(f"/objectives/{leads_dach.pk}", {"name": "Mine"}).status_code == 404
    dach_kpi = leads_dach.kpis.first()
    assert dach_kpi is not None
    assert cm.patch(f"/kpis/{dach_kpi.pk}", {"target": 1}).status_code == 404
    assert cm.delete(f"/kpis/{dach_kpi.pk}").status_code == 404

    refused = cm.post(
        "/objectives",
        {"market_id": market("FR").pk, "name": "Mine", "type": "engagement", "period_start": "2027-01-01",
         "period_end": "2027-03-31"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "message": "You do not have the permission 'strategy.manage' in France. "
        "Ask an org admin for the role you need.",
        "field": None,
    }
    assert not Objective.objects.filter(name="Mine").exists()
    notoriete = Objective.objects.get(name="Notoriété de Vireo France")
    assert cm.post(f"/objectives/{notoriete.pk}/kpis", {"metric": "clicks", "target": 1}).status_code == 403

    hq = api_client_for("hq_admin")
    assert _names(hq.get("/objectives", limit=2, offset=1)) == ["Notoriété de Vireo France", "Leads DACH"]
    assert hq.get("/objectives").json()["count"] == 6

    # Another organization sees none of the demo's objectives, nor anything else of its strategy.
    assert other_api.get("/objectives").json() == {"items": [], "count": 0}
    assert other_api.get(f"/objectives/{notoriete.pk}").status_code == 404
    assert other_api.get("/charter-rules").json() == {"items": [], "count": 0}
    assert other_api.get("/key-messages").json() == {"items": [], "count": 0}
    assert other_api.get("/pillars").json() == {"pillars": []}
    assert other_api.get("/policy").json() == {"objectives_first": True}
    assert _check(other_api, "vireo-france", "2026-12-03T10:00:00+09:00").status_code == 404


def test_metric_dictionary(api_client_for):
    listed = api_client_for("analyst").get("/metrics", limit=100).json()
    assert listed["count"] == 18
    assert listed["items"][0] == {
        "key": "reach",
        "name": "Reach",
        "unit": "people",
        "direction": "up",
        "description": "Unique accounts that saw the content.",
    }
    assert ", ".join(sorted(m["key"] for m in listed["items"])) == METRIC_KEYS


# --- audiences -------------------------------------------------------------------------------


def test_audiences(api_client_for, strategy_demo, market):
    cm = api_client_for("fr_community_manager")
    assert _names(cm.get("/audiences")) == [
        "Engineering graduates", "Investors and analysts", "Procurement and engineering leads",
    ]  # fmt: skip
    graduates = cm.get(f"/audiences/{Audience.objects.get(name='Engineering graduates').pk}").json()
    assert {k: graduates[k] for k in ("kind", "age_band", "market_codes", "relation_mode", "approach", "voice")} == {
        "kind": "b2c",
        "age_band": "18-24",
        "market_codes": ["FR", "DE", "US"],
        "relation_mode": "proximity",
        "approach": "attract",
        "voice": "community_manager",
    }

    de_lead = api_client_for("de_market_lead")
    since = _last_audit_id()
    created = de_lead.post(
        "/audiences",
        {"name": "Einkäufer Mittelstand", "kind": "b2b", "relation_mode": "expertise", "approach": "attract",
         "voice": "expert", "age_band": "45-54", "market_ids": [market("DE").pk]},
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    audience = created.json()
    assert (audience["market_ids"], audience["age_band"], audience["description"]) == ([market("DE").pk], "45-54", "")
    # The French team does not see a German audience.
    assert cm.get(f"/audiences/{audience['id']}").status_code == 404
    assert "Einkäufer Mittelstand" not in _names(cm.get("/audiences"))
    updated = de_lead.patch(f"/audiences/{audience['id']}", {"age_band": None, "description": "Werkleiter"})
    assert (updated.json()["age_band"], updated.json()["description"], updated.json()["name"]) == (
        None,
        "Werkleiter",
        "Einkäufer Mittelstand",
    )
    everywhere = de_lead.post("/audiences", {"name": "All", "kind": "b2c", "relation_mode": "visibility",
                                             "approach": "push"})  # fmt: skip
    assert (everywhere.status_code, everywhere.json()["message"]) == (
        403,
        "Only members holding 'strategy.manage' at Global level may do this.",
    )
    outside = de_lead.post(
        "/audiences",
        {"name": "FR", "kind": "b2c", "relation_mode": "visibility", "approach": "push",
         "market_ids": [market("FR").pk]},
    )  # fmt: skip
    assert (outside.status_code, outside.json()["field"]) == (400, "market_ids")
    duplicate = api_client_for("hq_admin").post(
        "/audiences", {"name": "Engineering graduates", "kind": "b2c", "relation_mode": "proximity",
                       "approach": "attract"},
    )  # fmt: skip
    assert (duplicate.status_code, duplicate.json()["message"]) == (409, "An audience with this name already exists.")
    assert de_lead.delete(f"/audiences/{audience['id']}").status_code == 204
    assert not Audience.objects.filter(pk=audience["id"]).exists()
    assert _actions(strategy_demo, since) == ["audience.create", "audience.update", "audience.delete"]


# --- brand platform, key messages, pillars ---------------------------------------------------


def test_brand_platform(api_client_for, strategy_demo):
    cm = api_client_for("fr_community_manager")
    brand = cm.get("/brand").json()
    assert brand["dna"] == "Materials science that makes industry lighter, cleaner and longer-lasting."
    assert sorted(brand) == ["dna", "story", "tone_of_voice", "value_proposition"]
    texts = {"dna": " Lighter industry. ", "story": "Since 1921.", "value_proposition": "Co-development.",
             "tone_of_voice": "Plain."}  # fmt: skip
    assert cm.put("/brand", texts).status_code == 403
    missing = api_client_for("hq_admin").put("/brand", {"dna": "x"})
    assert (missing.status_code, missing.json()["field"]) == (400, "story")
    saved = api_client_for("hq_admin").put("/brand", texts)
    assert (saved.status_code, saved.json()["dna"], saved.json()["tone_of_voice"]) == (
        200,
        "Lighter industry.",
        "Plain.",
    )
    entry = AuditEntry.objects.filter(action="brand_platform.update").latest("id")
    assert (entry.before["story"][:10], entry.after["story"]) == ("Founded in", "Since 1921.")


def test_key_messages_and_adaptations(api_client_for, strategy_demo, market):
    cm = api_client_for("fr_community_manager")
    listed = cm.get("/key-messages").json()
    assert [(m["position"], m["text"][:14]) for m in listed["items"]] == [
        (1, "Our materials "), (2, "We co-develop "), (3, "Vireo is a pla"),
    ]  # fmt: skip
    # The French team sees the French wording, not the German one.
    assert listed["items"][0]["adaptations"] == [
        {
            "market_id": market("FR").pk,
            "market_code": "FR",
            "text": "Nos matériaux réduisent en moyenne de 20 % les émissions de CO2 de nos clients.",
        }
    ]
    hq = api_client_for("hq_admin")
    assert [a["market_code"] for a in hq.get("/key-messages").json()["items"][0]["adaptations"]] == ["FR", "DE"]

    since = _last_audit_id()
    assert cm.post("/key-messages", {"text": "Mine"}).status_code == 403
    created = hq.post("/key-messages", {"text": "  Safety first, in every plant. "})
    assert created.status_code == 201
    message = created.json()
    assert (message["text"], message["position"], message["is_active"], message["adaptations"]) == (
        "Safety first, in every plant.",
        4,
        True,
        [],
    )
    blank = hq.post("/key-messages", {"text": " "})
    assert (blank.status_code, blank.json()["message"], blank.json()["field"]) == (
        400,
        "Write the key message.",
        "text",
    )

    lead = api_client_for("fr_market_lead")
    path = f"/key-messages/{message['id']}/adaptations/{market('FR').pk}"
    adapted = lead.put(path, {"text": "La sécurité d'abord, dans chaque usine."})
    assert (adapted.status_code, adapted.json()) == (
        200,
        {"market_id": market("FR").pk, "market_code": "FR", "text": "La sécurité d'abord, dans chaque usine."},
    )
    assert lead.put(f"/key-messages/{message['id']}/adaptations/{market('DE').pk}", {"text": "x"}).status_code == 404
    assert (
        api_client_for("de_market_lead")
        .put(f"/key-messages/{message['id']}/adaptations/{market('FR').pk}", {"text": "x"})
        .status_code
        == 404
    )
    assert cm.put(path, {"text": "Non"}).status_code == 403
    global_wording = hq.put(f"/key-messages/{message['id']}/adaptations/{market('GLOBAL').pk}", {"text": "x"})
    assert (global_wording.status_code, global_wording.json()["field"]) == (400, "market")
    removed = lead.put(path, {"text": ""})
    assert (removed.status_code, removed.content) == (204, b"")
    assert not KeyMessageAdaptation.objects.filter(key_message_id=message["id"]).exists()

    deactivated = hq.patch(f"/key-messages/{message['id']}", {"is_active": False})
    assert (deactivated.json()["is_active"], deactivated.json()["text"]) == (False, "Safety first, in every plant.")
    assert hq.delete(f"/key-messages/{message['id']}").status_code == 204
    assert not KeyMessage.objects.filter(pk=message["id"]).exists()
    assert hq.delete(f"/key-messages/{message['id']}").status_code == 404
    assert _actions(strategy_demo, since) == [
        "key_message.create", "key_message.adapt", "key_message.adaptation_delete", "key_message.update",
        "key_message.delete",
    ]  # fmt: skip


def test_pillars_must_add_up_to_100(api_client_for, strategy_demo):
    hq = api_client_for("hq_admin")
    demo_mix = {
        "pillars": [
            {"name": "Expertise", "description": "How things are made; engineers speak.", "target_share": "40.00"},
            {"name": "Proximity", "description": "Plants, people and local communities.", "target_share": "30.00"},
            {"name": "Product", "description": "Offers, launches, customer cases.", "target_share": "30.00"},
        ]
    }
    assert api_client_for("fr_community_manager").get("/pillars").json() == demo_mix
    audit_before = _last_audit_id()
    refused = hq.put(
        "/pillars", {"pillars": [{"name": "Expertise", "target_share": 50}, {"name": "Product", "target_share": "40"}]}
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "validation",
        "message": "The target mix adds up to 90.00 %; it must add up to 100 %.",
        "field": "pillars",
    }
    assert hq.get("/pillars").json() == demo_mix
    assert _last_audit_id() == audit_before
    assert api_client_for("fr_market_lead").put("/pillars", {"pillars": []}).status_code == 403

    saved = hq.put(
        "/pillars",
        {"pillars": [{"name": "Expertise", "target_share": 55.5, "description": "Engineers speak."},
                     {"name": "Proximity", "target_share": "44.5"}]},
    )  # fmt: skip
    assert saved.status_code == 200
    assert saved.json() == {
        "pillars": [
            {"name": "Expertise", "description": "Engineers speak.", "target_share": "55.50"},
            {"name": "Proximity", "description": "", "target_share": "44.50"},
        ]
    }
    assert list(ContentPillar.objects.filter(organization=strategy_demo).values_list("name", "target_share")) == [
        ("Expertise", Decimal("55.50")), ("Proximity", Decimal("44.50")),
    ]  # fmt: skip
    assert AuditEntry.objects.get(pk__gt=audit_before).action == "pillars.set"


# --- charter rules and lint ------------------------------------------------------------------


def test_lint_french_text_gives_code_point_and_utf16_spans(api_client_for, market):
    text = "🚀 Inscris-toi 🔥 : notre revêtement révolutionnaire arrive !"
    response = api_client_for("fr_community_manager").post("/lint", {"text": text, "market_id": market("FR").pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    vouvoiement = CharterRule.objects.get(name="Vouvoiement")
    superlatives = CharterRule.objects.get(name="Unsubstantiated superlatives")
    assert body == {
        "blocking": True,
        "findings": [
            {
                "rule_id": vouvoiement.pk,
                "rule_name": "Vouvoiement",
                "kind": "address_form",
                "severity": "block",
                "message": "“toi” tutoie the reader; this charter says “vous”. Rewrite with vous, votre or vos.",
                "rationale": "Vireo vouvoie ses clients et ses candidats.",
                "start": 10,
                "end": 13,
                "start_utf16": 11,
                "end_utf16": 14,
                "excerpt": "toi",
            },
            {
                "rule_id": superlatives.pk,
                "rule_name": "Unsubstantiated superlatives",
                "kind": "banned_term",
                "severity": "block",
                "message": "“révolutionnaire” matches the banned term “révolutionnaire”. Remove it or rephrase.",
                "rationale": "Claims we cannot prove expose us to misleading-advertising complaints in every market.",
                "start": 35,
                "end": 50,
                "start_utf16": 37,
                "end_utf16": 52,
                "excerpt": "révolutionnaire",
            },
        ],
    }
    utf16 = text.encode("utf-16-le")
    for finding, emoji_before in zip(body["findings"], (1, 2), strict=True):
        start, end = finding["start"], finding["end"]
        assert text[start:end] == finding["excerpt"]
        # Each astral emoji before the span (🚀, then 🔥) is one code point but two UTF-16 code units.
        assert sum(ord(c) > 0xFFFF for c in text[:start]) == emoji_before
        assert (finding["start_utf16"] - start, finding["end_utf16"] - end) == (emoji_before, emoji_before)
        assert utf16[2 * finding["start_utf16"] : 2 * finding["end_utf16"]].decode("utf-16-le") == finding["excerpt"]


def test_lint_with_channel_dimension_time_and_language(api_client_for, strategy_demo, market):
    cm = api_client_for("fr_community_manager")
    long_text = "Vireo " * 230
    on_linkedin = cm.post(
        "/lint", {"text": long_text, "market_id": market("FR").pk, "channel_id": _channel("vireo-france").pk}
    ).json()
    assert [(f["rule_name"], f["start"], f["end"]) for f in on_linkedin["findings"]] == [
        ("LinkedIn: before 'see more'", 1300, 1380)
    ]
    assert on_linkedin["blocking"] is False
    on_bluesky = cm.post(
        "/lint", {"text": long_text, "market_id": market("FR").pk, "channel_id": _channel("vireo-fr.bsky.social").pk}
    ).json()
    assert on_bluesky == {"blocking": False, "findings": []}

    hq = api_client_for("hq_admin")
    financial = Dimension.objects.get(organization=strategy_demo, key="financial")
    quiet = {"text": "FY results soon.", "market_id": market("GLOBAL").pk, "dimension_id": financial.pk}
    closed = hq.post("/lint", quiet | {"at": "2027-02-01T10:00:00+01:00"}).json()
    assert [(f["rule_name"], f["excerpt"]) for f in closed["findings"]] == [
        ("Closed period before FY2026 results", "FY results soon.")
    ]
    assert hq.post("/lint", quiet | {"at": "2027-02-12T08:30:00+01:00"}).json()["findings"] == []
    naive = hq.post("/lint", quiet | {"at": "2027-02-01T10:00:00"})
    assert (naive.status_code, naive.json()["message"]) == (400, NAIVE_AT)

    # The French rule checks French text: a text declared German is out of its reach.
    tutoiement = {"text": "Inscris-toi !", "market_id": market("FR").pk}
    assert [f["excerpt"] for f in cm.post("/lint", tutoiement).json()["findings"]] == ["toi"]
    assert cm.post("/lint", tutoiement | {"language": "de"}).json()["findings"] == []

    for body, field in (
        ({"text": "x", "market_id": market("DE").pk}, "market_id"),
        ({"text": "x", "market_id": market("FR").pk, "channel_id": _channel("vireo-deutschland").pk}, "channel_id"),
        ({"text": "x", "market_id": market("FR").pk, "dimension_id": 999_999}, "dimension_id"),
        ({"market_id": market("FR").pk}, "text"),
    ):
        refused = cm.post("/lint", body)
        assert (refused.status_code, refused.json()["field"]) == (400, field)
    # Global's rules apply in France, but linting for Global itself needs strategy.view there.
    assert cm.post("/lint", {"text": "x", "market_id": market("GLOBAL").pk}).status_code == 403


def test_charter_rules(api_client_for, strategy_demo, market):
    de_cm = api_client_for("de_community_manager")
    names = [r["name"] for r in de_cm.get("/charter-rules").json()["items"]]
    assert len(names) == 8
    assert ("Siezen" in names, "Vouvoiement" in names) == (True, False)
    assert [r["name"] for r in de_cm.get("/charter-rules", market_id=market("DE").pk).json()["items"]] == ["Siezen"]
    vouvoiement = CharterRule.objects.get(name="Vouvoiement")
    assert de_cm.get(f"/charter-rules/{vouvoiement.pk}").status_code == 404
    linkedin_rule = CharterRule.objects.get(name="LinkedIn: before 'see more'")
    shown = de_cm.get(f"/charter-rules/{linkedin_rule.pk}").json()
    assert {k: shown[k] for k in ("market_code", "network", "kind", "severity", "params", "dimension_key")} == {
        "market_code": "GLOBAL",
        "network": "linkedin",
        "kind": "length",
        "severity": "warn",
        "params": {"max": 1300, "network": "linkedin"},
        "dimension_key": None,
    }

    de_lead = api_client_for("de_market_lead")
    since = _last_audit_id()
    rule = {"market_id": market("DE").pk, "name": "Impressumspflicht", "kind": "required_mention", "severity": "warn",
            "params": {"mentions": ["Impressum"], "when_any": ["Gewinnspiel"]},
            "rationale": "Gewinnspiele brauchen einen Link zum Impressum."}  # fmt: skip
    assert de_cm.post("/charter-rules", rule).status_code == 403
    created = de_lead.post("/charter-rules", rule)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["market_code"], body["network"], body["dimension_id"], body["params"], body["is_active"]) == (
        "DE",
        None,
        None,
        {"mentions": ["Impressum"], "when_any": ["Gewinnspiel"]},
        True,
    )
    bad_params = de_lead.post("/charter-rules", rule | {"params": {"mentions": []}})
    assert (bad_params.status_code, bad_params.json()["field"]) == (400, "params")
    bad_kind = de_lead.post("/charter-rules", rule | {"kind": "vibes"})
    assert (bad_kind.status_code, bad_kind.json()["field"]) == (400, "kind")
    in_france = de_lead.post("/charter-rules", rule | {"market_id": market("FR").pk})
    assert (in_france.status_code, in_france.json()["field"]) == (400, "market_id")

    linted = de_cm.post("/lint", {"text": "Gewinnspiel! Jetzt mitmachen.", "market_id": market("DE").pk}).json()
    assert [(f["rule_name"], f["severity"]) for f in linted["findings"]] == [("Impressumspflicht", "warn")]

    instagram = Channel.objects.get(handle="@vireo.brasil").network
    updated = de_lead.patch(f"/charter-rules/{body['id']}", {"severity": "block", "network": instagram})
    assert (updated.json()["severity"], updated.json()["network"], updated.json()["name"]) == (
        "block",
        "instagram",
        "Impressumspflicht",
    )
    switched_off = de_lead.patch(f"/charter-rules/{body['id']}", {"is_active": False, "network": None})
    assert (switched_off.json()["is_active"], switched_off.json()["network"]) == (False, None)
    assert de_cm.post("/lint", {"text": "Gewinnspiel!", "market_id": market("DE").pk}).json()["findings"] == []
    assert de_lead.patch(f"/charter-rules/{vouvoiement.pk}", {"severity": "warn"}).status_code == 404
    superlatives = CharterRule.objects.get(name="Unsubstantiated superlatives")
    assert de_lead.delete(f"/charter-rules/{superlatives.pk}").status_code == 403
    assert de_lead.delete(f"/charter-rules/{body['id']}").status_code == 204
    assert _actions(strategy_demo, since) == [
        "charter_rule.create", "charter_rule.update", "charter_rule.update", "charter_rule.delete",
    ]  # fmt: skip


# --- advisor ---------------------------------------------------------------------------------


def test_advisor_ranks_linkedin_first_for_german_b2b_recruitment(api_client_for):
    response = api_client_for("de_market_lead").post(
        "/advisor",
        {"objectives": ["recruitment"], "audience": "b2b", "age_band": "35-44", "market": "DE",
         "relation_mode": "expertise", "formats": ["text", "image", "video"], "weekly_hours": 6},
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    recommendations = response.json()["recommendations"]
    assert [(r["network"], r["score"]) for r in recommendations[:3]] == [
        ("linkedin", 90),
        ("xing", 86),
        ("youtube", 76),
    ]
    linkedin = recommendations[0]
    assert (linkedin["name"], linkedin["excluded"]) == ("LinkedIn", False)
    assert linkedin["reasons"][:2] == [
        {
            "text": "LinkedIn counted over 12 million members in the German-speaking countries in 2018 "
            "(market presence: major).",
            "weight": 15.0,
        },
        {"text": "Strong fit for recruitment.", "weight": 14.0},
    ]
    assert linkedin["sources"][0].startswith("ICTkommunikation, “LinkedIn mit über zwölf Millionen")
    excluded = [r for r in recommendations if r["excluded"]]
    assert excluded
    assert recommendations[-len(excluded) :] == excluded
    assert {r["score"] for r in excluded} == {0}


def test_advisor_input_errors(api_client_for):
    hq = api_client_for("hq_admin")
    base = {"objectives": ["awareness"], "audience": "b2c", "market": "JP", "relation_mode": "visibility",
            "formats": ["text"], "weekly_hours": 4}  # fmt: skip
    assert hq.post("/advisor", base).status_code == 200
    for change, field in (
        ({"objectives": []}, "objectives"),
        ({"objectives": ["fame"]}, "objectives"),
        ({"market": "JPN"}, "market"),
        ({"weekly_hours": -1}, "weekly_hours"),
        ({"voice": "robot"}, "voice"),
        ({"formats": ["hologram"]}, "formats"),
        ({"audience": "b2g"}, "audience"),
    ):
        refused = hq.post("/advisor", base | change)
        assert (refused.status_code, refused.json()["error"], refused.json()["field"]) == (400, "validation", field)


# --- cadence and resources -------------------------------------------------------------------


def test_resource_plan_flags_japan(api_client_for, market):
    plan = api_client_for("hq_admin").get("/resources").json()
    assert [m["market_code"] for m in plan["items"]] == ["GLOBAL", "FR", "DE", "US", "BR", "JP"]
    japan = plan["items"][-1]
    assert {k: v for k, v in japan.items() if k != "channels"} == {
        "market_id": market("JP").pk,
        "market_code": "JP",
        "market_name": "Japan",
        "required_hours": "21.0",
        "available_hours": "20.0",
        "members": 1,
        "overloaded": True,
        "load_percent": 105,
    }
    assert [(c["handle"], c["network"], c["posts_per_week"], c["main_format"], c["minutes_per_post"],
             c["hours_per_week"], c["has_target"]) for c in japan["channels"]] == [
        ("@vireo.japan", "threads", "7.00", "image", 60, "7.0", True),
        ("@Vireo_JP", "x", "14.00", "image", 60, "14.0", True),
    ]  # fmt: skip
    # The French lead sees France, and Global with the global channels serving France (not YouTube).
    france = api_client_for("fr_market_lead").get("/resources").json()
    assert [
        (m["market_code"], m["required_hours"], m["available_hours"], m["overloaded"]) for m in france["items"]
    ] == [
        ("GLOBAL", "8.5", "30.0", False),
        ("FR", "3.0", "45.0", False),
    ]


def test_cadence_and_format_efforts_recompute_the_plan(api_client_for, strategy_demo):
    jp_lead = api_client_for("jp_market_lead")
    threads = _channel("@vireo.japan")
    since = _last_audit_id()
    cadence = jp_lead.put(f"/cadence/{threads.pk}", {"posts_per_week": 3, "main_format": "text", "basis": " Trial "})
    assert cadence.status_code == 200
    assert {k: v for k, v in cadence.json().items() if k != "updated_at"} == {
        "channel_id": threads.pk,
        "posts_per_week": "3.00",
        "main_format": "text",
        "basis": "Trial",
    }
    japan = next(m for m in jp_lead.get("/resources").json()["items"] if m["market_code"] == "JP")
    assert (japan["required_hours"], japan["overloaded"]) == ("15.5", False)
    too_many = jp_lead.put(f"/cadence/{threads.pk}", {"posts_per_week": 900, "main_format": "text"})
    assert (too_many.status_code, too_many.json()["message"], too_many.json()["field"]) == (
        400,
        "Posts per week must be between 0 and 500.",
        "posts_per_week",
    )
    one_a_week = {"posts_per_week": 1, "main_format": "text"}
    assert jp_lead.put(f"/cadence/{_channel('@VireoUS').pk}", one_a_week).status_code == 404  # not in Japan's scope
    assert jp_lead.put(f"/cadence/{_channel('vireo-group').pk}", one_a_week).status_code == 403  # serves Japan
    assert CadenceTarget.objects.get(channel=threads).posts_per_week == Decimal("3.00")

    assert jp_lead.put("/format-efforts/image", {"minutes_per_post": 45}).status_code == 403
    hq = api_client_for("hq_admin")
    effort = hq.put("/format-efforts/image", {"minutes_per_post": 45})
    assert (effort.status_code, effort.json()) == (200, {"format": "image", "minutes_per_post": 45})
    assert FormatEffort.objects.get(organization=strategy_demo, format="image").minutes_per_post == 45
    japan = next(m for m in hq.get("/resources").json()["items"] if m["market_code"] == "JP")
    assert (japan["required_hours"], [c["hours_per_week"] for c in japan["channels"]]) == ("12.0", ["1.5", "10.5"])
    unknown = hq.put("/format-efforts/hologram", {"minutes_per_post": 45})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "format")
    too_long = hq.put("/format-efforts/video", {"minutes_per_post": 5000})
    assert (too_long.status_code, too_long.json()["message"]) == (400, "Minutes per post must be between 1 and 2400.")
    assert _actions(strategy_demo, since) == ["cadence.set", "format_effort.set"]


def test_benchmarks_cite_their_sources(api_client_for):
    cm = api_client_for("br_community_manager")
    facebook = cm.get("/benchmarks", network="facebook").json()
    assert facebook["items"][0] == {
        "network": "facebook",
        "posts_per_week": "3.6",
        "label": "Fortune 500 companies in Europe, 2010 average on Facebook",
        "source": "LMI, reported by QSN Digital, 'Les réseaux sociaux et les entreprises', 10 March 2010 "
        "(Harmonie seed 004)",
    }
    everything = cm.get("/benchmarks", limit=500).json()
    assert everything["count"] > facebook["count"] >= 1
    assert all(b["source"] for b in everything["items"])
    assert cm.get("/benchmarks", network="myspace").json() == {"items": [], "count": 0}


# --- the strategy document -------------------------------------------------------------------


def test_strategy_document(api_client_for, market):
    hq = api_client_for("hq_admin")
    md = hq.get("/document", format="md")
    assert md.status_code == 200
    assert (md["Content-Type"], md["Content-Disposition"]) == (
        "text/markdown; charset=utf-8",
        'attachment; filename="strategy-vireo.md"',
    )
    text = md.content.decode()
    assert text.startswith("# Social media strategy — Vireo Industries\n")
    assert "## 1. Objectives and KPIs" in text
    assert "### Japan: 21.0 h/week needed, 20.0 h/week available — **more planned than the team can do**" in text
    assert hq.get("/document").content == md.content  # Markdown is the default

    germany = hq.get("/document", market_id=market("DE").pk)
    assert germany["Content-Disposition"] == 'attachment; filename="strategy-vireo-de.md"'
    assert germany.content.decode().startswith("# Social media strategy — Vireo Industries — Germany\n")

    html = hq.get("/document", format="html")
    assert (html["Content-Type"], html.content.decode().count("<h2")) == ("text/html; charset=utf-8", 7)

    pdf = hq.get("/document", format="pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")

    cm = api_client_for("fr_community_manager")
    assert cm.get("/document", market_id=market("DE").pk).status_code == 404
    assert "Leads DACH" not in cm.get("/document").content.decode()
    bad_format = hq.get("/document", format="docx")
    assert (bad_format.status_code, bad_format.json()["field"]) == (400, "format")


# --- authentication, the schema and query counts ---------------------------------------------


def test_no_credentials_is_401(strategy_demo):
    client = Client()
    assert client.get("/api/v1/strategy/objectives").status_code == 401
    refused = client.post("/api/v1/strategy/lint", {"text": "x", "market_id": 1}, content_type="application/json")
    assert (refused.status_code, refused.json()["error"]) == (401, "unauthenticated")


def test_openapi_schema_lists_the_strategy_endpoints(strategy_demo):
    schema = Client().get("/api/openapi.json").json()
    paths = {path: sorted(ops) for path, ops in schema["paths"].items() if path.startswith("/api/v1/strategy/")}
    assert paths == {
        "/api/v1/strategy/advisor": ["post"],
        "/api/v1/strategy/audiences": ["get", "post"],
        "/api/v1/strategy/audiences/{audience_id}": ["delete", "get", "patch"],
        "/api/v1/strategy/benchmarks": ["get"],
        "/api/v1/strategy/brand": ["get", "put"],
        "/api/v1/strategy/cadence/{channel_id}": ["put"],
        "/api/v1/strategy/charter-rules": ["get", "post"],
        "/api/v1/strategy/charter-rules/{rule_id}": ["delete", "get", "patch"],
        "/api/v1/strategy/document": ["get"],
        "/api/v1/strategy/format-efforts/{format}": ["put"],
        "/api/v1/strategy/key-messages": ["get", "post"],
        "/api/v1/strategy/key-messages/{message_id}": ["delete", "patch"],
        "/api/v1/strategy/key-messages/{message_id}/adaptations/{market_id}": ["put"],
        "/api/v1/strategy/kpis/{kpi_id}": ["delete", "patch"],
        "/api/v1/strategy/lint": ["post"],
        "/api/v1/strategy/metrics": ["get"],
        "/api/v1/strategy/objectives": ["get", "post"],
        "/api/v1/strategy/objectives-first/check": ["get"],
        "/api/v1/strategy/objectives/{objective_id}": ["get", "patch"],
        "/api/v1/strategy/objectives/{objective_id}/kpis": ["post"],
        "/api/v1/strategy/pillars": ["get", "put"],
        "/api/v1/strategy/policy": ["get", "put"],
        "/api/v1/strategy/resources": ["get"],
    }
    lint = schema["paths"]["/api/v1/strategy/lint"]["post"]
    assert lint["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    assert sorted(lint["responses"]) == ["200", "400", "401", "403", "404", "409"]
    finding = schema["components"]["schemas"]["FindingOut"]["properties"]
    assert finding["start"]["description"] == "Unicode code point offset in text (a Python str index), inclusive."
    assert "JavaScript" in finding["start_utf16"]["description"]
    document = schema["paths"]["/api/v1/strategy/document"]["get"]["responses"]["200"]["content"]
    assert sorted(document) == ["application/pdf", "text/html; charset=utf-8", "text/markdown; charset=utf-8"]


def test_list_endpoints_run_a_fixed_number_of_queries(api_client_for, django_assert_num_queries):
    hq = api_client_for("hq_admin")
    hq.get("/policy")  # the token's last_used_at is written once a minute; keep it out of the counts
    # token, member, roles + the selector's queries (count, page, prefetches)
    with django_assert_num_queries(7):
        assert hq.get("/objectives").json()["count"] == 6
    with django_assert_num_queries(6):
        assert hq.get("/audiences").json()["count"] == 3
    with django_assert_num_queries(5):
        assert hq.get("/charter-rules").json()["count"] == 10
    with django_assert_num_queries(7):
        assert hq.get("/key-messages").json()["count"] == 3
