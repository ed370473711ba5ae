"""The content REST API under /api/v1/content, called as the demo personas with real personal access tokens."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.approvals.services import workflow
from harmonie.content.demo import CAMPAIGN, demo_master
from harmonie.content.models import Campaign, Localization, MasterContent, MediaAsset, Post
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Dimension, Organization
from harmonie.governance.permissions import Actor

EMAILS = {p.key: p.email for p in PERSONAS}
JSON = "application/json"
PREFIX = "/api/v1/content"
NEXT_WEEK = (timezone.localdate() + dt.timedelta(days=10)).isoformat()


class Api:
    """A JSON client for /api/v1/content that sends a bearer token."""

    def __init__(self, raw_token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {raw_token}"})

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(PREFIX + path, body or {}, content_type=JSON)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(PREFIX + path, body, content_type=JSON)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(PREFIX + path, body, content_type=JSON)


def _api_for(user: User, organization: Organization) -> Api:
    _token, raw = token_create(user=user, organization_id=organization.pk, name="tests")
    return Api(raw)


@pytest.fixture
def api_client_for(demo_org: Organization) -> Callable[[str], Api]:
    def get(key: str) -> Api:
        return _api_for(User.objects.get(email=EMAILS[key]), demo_org)

    return get


@pytest.fixture
def other_api(other_org: tuple[Organization, Actor]) -> Api:
    org, actor = other_org
    return _api_for(actor.user, org)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _error(response: Any) -> tuple[int, str, str, str | None]:
    body = response.json()
    return response.status_code, body["error"], body["message"], body["field"]


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def _local(org: Organization, code: str) -> MasterContent:
    return MasterContent.objects.get(organization=org, kind="local", market__code=code)


def _dim(org: Organization, key: str) -> Dimension:
    return Dimension.objects.get(organization=org, key=key)


# --- localizations -----------------------------------------------------------------------------------------


def test_localizations_of_the_demo_master(api_client_for, demo_org):
    master = demo_master(demo_org)
    items = _ok(api_client_for("hq_admin").get(f"/masters/{master.pk}/localizations"))["items"]
    summary = {i["market_code"]: (i["state"], i["outdated"], i["based_on_version"], i["master_version"]) for i in items}
    # An adopted localization publishes the master as is: it follows the master and is never outdated (ADR 0009).
    assert summary == {
        "FR": ("adapted", True, 1, 2),
        "DE": ("adapted", False, 2, 2),
        "US": ("adopted", False, 1, 2),
        "BR": ("declined", False, 1, 2),
        "JP": ("pending", False, 1, 2),
    }
    assert [i["market_code"] for i in items] == ["FR", "DE", "US", "BR", "JP"]
    by_code = {i["market_code"]: i for i in items}
    assert by_code["FR"]["master_changes"] == [
        {"op": "equal", "text": "Vireo Coat X: curing "},
        {"op": "delete", "text": "30%"},
        {"op": "insert", "text": "35%"},
        {"op": "equal", "text": " faster\nVireo Coat X cures "},
        {"op": "delete", "text": "30%"},
        {"op": "insert", "text": "35%"},
        {
            "op": "equal",
            "text": " faster at 80 °C, so lines restart sooner. Ask our engineers for a trial.",
        },
    ]
    assert [by_code[c]["master_changes"] for c in ("DE", "US", "BR", "JP")] == [None, None, None, None]
    assert by_code["BR"]["decline_reason"] == "Certification pending in Brazil: we launch in the second half."
    assert by_code["FR"]["title"] == "Vireo Coat X : 30 % plus rapide"
    assert (by_code["US"]["body"], by_code["JP"]["language"]) == ("", "ja-JP")
    single = _ok(api_client_for("hq_admin").get(f"/localizations/{by_code['FR']['id']}"))
    assert single == by_code["FR"]


def test_a_french_community_manager_sees_her_market_and_the_cells_opened_to_her(api_client_for, demo_org):
    master = demo_master(demo_org)
    cm = api_client_for("fr_community_manager")
    items = _ok(cm.get(f"/masters/{master.pk}/localizations"))["items"]
    # France's own, and Germany's: the demo matrix opens product content in Germany to other markets (read only).
    assert [(i["market_code"], i["state"]) for i in items] == [("FR", "adapted"), ("DE", "adapted")]
    de = Localization.objects.get(master=master, market__code="DE")
    assert _error(cm.post(f"/localizations/{de.pk}/decline", {"reason": "Non."})) == (
        403,
        "forbidden",
        "You do not have the permission 'content.create' in Germany. Ask an org admin for the role you need.",
        None,
    )
    jp = Localization.objects.get(master=master, market__code="JP")
    assert _error(cm.post(f"/localizations/{jp.pk}/adopt")) == (404, "not_found", "No such localization.", None)
    assert list(Localization.objects.filter(pk__in=[de.pk, jp.pk]).order_by("pk").values_list("state", flat=True)) == [
        "adapted",
        "pending",
    ]


def test_localization_request_adopt_adapt_decline(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    created = _ok(
        hq.post(
            "/masters",
            {"market_id": market("GLOBAL").pk, "dimension_id": _dim(demo_org, "product").pk,
             "title": "Coat X in winter", "body": "Coat X cures at 5 °C.", "source_language": "en"},
        ),
        201,
    )  # fmt: skip
    assert (created["kind"], created["version"], created["market_code"]) == ("master", 1, "GLOBAL")
    requested = _ok(hq.post(f"/masters/{created['id']}/localizations", {"market_id": market("FR").pk,
                                                                        "language": "fr-FR"}), 201)  # fmt: skip
    assert (requested["state"], requested["outdated"], requested["master_changes"]) == ("pending", False, None)
    refused = hq.post(f"/masters/{created['id']}/localizations", {"market_id": market("DE").pk, "language": "fr"})
    assert _error(refused) == (400, "validation", "Germany speaks de-DE; choose one of them.", "language")

    cm = api_client_for("fr_community_manager")
    adapted = _ok(cm.post(f"/localizations/{requested['id']}/adapt", {"title": "Coat X en hiver",
                                                                      "body": "Coat X durcit à 5 °C."}))  # fmt: skip
    assert (adapted["state"], adapted["body"], adapted["based_on_version"]) == ("adapted", "Coat X durcit à 5 °C.", 1)
    adopted = _ok(cm.post(f"/localizations/{requested['id']}/adopt"))
    assert (adopted["state"], adopted["body"]) == ("adopted", "")
    declined = _ok(cm.post(f"/localizations/{requested['id']}/decline", {"reason": "Not sold in France yet."}))
    assert (declined["state"], declined["decline_reason"]) == ("declined", "Not sold in France yet.")
    empty = cm.post(f"/localizations/{requested['id']}/decline", {"reason": " "})
    assert _error(empty) == (400, "validation", "Say why the market declines this content.", "decline_reason")

    # HQ changes the text: the French adaptation of version 1 is outdated, with what changed.
    _ok(cm.post(f"/localizations/{requested['id']}/adapt", {"body": "Coat X durcit à 5 °C."}))
    updated = _ok(hq.patch(f"/masters/{created['id']}", {"body": "Coat X cures at 0 °C."}))
    assert updated["version"] == 2
    again = _ok(hq.get(f"/localizations/{requested['id']}"))
    assert (again["outdated"], again["master_version"]) == (True, 2)
    assert [p for p in again["master_changes"] if p["op"] != "equal"] == [
        {"op": "delete", "text": "5"},
        {"op": "insert", "text": "0"},
    ]


# --- campaigns ---------------------------------------------------------------------------------------------


def test_campaigns_list_get_create_update_and_launch_dates(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    listed = _ok(hq.get("/campaigns"))
    assert [c["name"] for c in listed["items"]] == [CAMPAIGN]
    demo = listed["items"][0]
    assert (demo["status"], demo["dimension_key"]) == ("active", "product")
    assert [launch["market_code"] for launch in demo["launches"]] == ["FR", "DE", "US", "BR", "JP"]
    days = [dt.date.fromisoformat(launch["launch_date"]) for launch in demo["launches"]]
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [7, 7, 7, 7]  # staggered by a week
    assert _ok(hq.get(f"/campaigns/{demo['id']}")) == demo

    created = _ok(
        hq.post(
            "/campaigns",
            {"name": "Recruiting 2027", "dimension_id": _dim(demo_org, "internal").pk, "status": "planned",
             "launches": [{"market_id": market("DE").pk, "launch_date": "2027-02-01"},
                          {"market_id": market("FR").pk, "launch_date": "2027-01-25"}]},
        ),
        201,
    )  # fmt: skip
    assert [(x["market_code"], x["launch_date"]) for x in created["launches"]] == [
        ("FR", "2027-01-25"),
        ("DE", "2027-02-01"),
    ]
    duplicate = hq.post("/campaigns", {"name": "Recruiting 2027", "dimension_id": _dim(demo_org, "internal").pk})
    assert _error(duplicate) == (409, "conflict", "A campaign named Recruiting 2027 already exists.", "name")
    renamed = _ok(hq.patch(f"/campaigns/{created['id']}", {"name": "Recruiting spring 2027", "status": "active"}))
    assert (renamed["name"], renamed["status"], len(renamed["launches"])) == ("Recruiting spring 2027", "active", 2)

    lead = api_client_for("fr_market_lead")
    refused = lead.post("/campaigns", {"name": "Lyon", "dimension_id": _dim(demo_org, "country").pk})
    assert _error(refused) == (
        403,
        "forbidden",
        "Only members holding 'content.create' at Global level may do this.",
        None,
    )
    moved = _ok(lead.put(f"/campaigns/{created['id']}/launches/{market('FR').pk}", {"launch_date": "2027-01-18"}))
    assert moved == {"market_id": market("FR").pk, "market_code": "FR", "launch_date": "2027-01-18"}
    assert lead.put(f"/campaigns/{created['id']}/launches/{market('DE').pk}", {"launch_date": "2027-01-18"}).json() == {
        "error": "not_found",
        "message": "No such market.",
        "field": None,
    }
    removed = lead.put(f"/campaigns/{created['id']}/launches/{market('FR').pk}", {"launch_date": None})
    assert removed.status_code == 204
    assert [x["market_code"] for x in _ok(hq.get(f"/campaigns/{created['id']}"))["launches"]] == ["DE"]
    assert list(
        AuditEntry.objects.filter(target_id=str(created["id"]), action__startswith="campaign.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["campaign.create", "campaign.update", "campaign.launch_set", "campaign.launch_set"]


# --- master and local content --------------------------------------------------------------------------------


def test_masters_and_local_content(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    everything = _ok(hq.get("/masters"))
    assert sorted((m["kind"], m["market_code"]) for m in everything["items"]) == [
        ("local", "FR"),
        ("local", "JP"),
        ("local", "US"),
        ("master", "GLOBAL"),
    ]
    local = _ok(hq.get("/masters", kind="local"))
    assert local["count"] == 3
    campaign = Campaign.objects.get(name=CAMPAIGN)
    in_campaign = _ok(hq.get("/masters", campaign_id=campaign.pk))["items"]
    assert [(m["title"], m["version"], m["campaign_id"]) for m in in_campaign] == [
        ("Vireo Coat X: curing 35% faster", 2, campaign.pk)
    ]

    cm = api_client_for("fr_community_manager")
    created = _ok(
        cm.post(
            "/masters",
            {"kind": "local", "market_id": market("FR").pk, "dimension_id": _dim(demo_org, "country").pk,
             "title": "Salon de Lyon", "body": "Retrouvez-nous au salon de Lyon.", "source_language": "fr"},
        ),
        201,
    )  # fmt: skip
    assert (created["kind"], created["market_code"], created["dimension_key"], created["version"]) == (
        "local",
        "FR",
        "country",
        1,
    )
    changed = _ok(cm.patch(f"/masters/{created['id']}", {"body": "Retrouvez-nous au salon de Lyon, stand B12."}))
    assert (changed["version"], changed["title"]) == (2, "Salon de Lyon")
    assert _ok(cm.get(f"/masters/{created['id']}"))["body"] == "Retrouvez-nous au salon de Lyon, stand B12."


def test_governance_matrix_is_enforced_through_the_api(api_client_for, demo_org, market):
    cm = api_client_for("fr_community_manager")
    count = MasterContent.objects.count()
    global_master = cm.post(
        "/masters",
        {"market_id": market("GLOBAL").pk, "dimension_id": _dim(demo_org, "product").pk, "title": "Coat Y",
         "body": "Coat Y.", "source_language": "en"},
    )  # fmt: skip
    assert _error(global_master) == (403, "governance", "You have no role that creates content in Global.", None)
    local_product = cm.post(
        "/masters",
        {"kind": "local", "market_id": market("FR").pk, "dimension_id": _dim(demo_org, "product").pk,
         "title": "Coat X en France", "body": "Coat X.", "source_language": "fr"},
    )  # fmt: skip
    status, code, message, field = _error(local_product)
    assert (status, code, field) == (403, "governance", None)
    assert message == _matrix_refusal(demo_org, market)
    assert MasterContent.objects.count() == count
    # Changing the demo master is HQ's: the matrix answers the same way for an update.
    master = demo_master(demo_org)
    assert _error(cm.patch(f"/masters/{master.pk}", {"title": "Vireo Coat X"})) == (
        403,
        "governance",
        "You have no role that creates content in Global.",
        None,
    )


def _matrix_refusal(org: Organization, market: Callable[[str], Any]) -> str:
    from harmonie.governance import matrix  # the expected message is the matrix's own
    from harmonie.governance.models import Member
    from harmonie.governance.permissions import actor_for

    actor = actor_for(Member.objects.get(organization=org, user__email=EMAILS["fr_community_manager"]))
    decision = matrix.can_create(actor, _dim(org, "product"), market("FR"))
    assert not decision.allowed
    return decision.reason


# --- posts ---------------------------------------------------------------------------------------------------


def test_post_list_filters_and_get(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    fr = _ok(hq.get("/posts", market_id=market("FR").pk, limit=100))
    assert fr["count"] == 22  # 20 content demo posts + the approvals demo's LinkedIn post in review and Bluesky post
    assert {(p["channel"], p["local_time"], p["timezone"]) for p in fr["items"]} == {
        ("linkedin:vireo-france", "09:00", "Europe/Paris"),
        ("bluesky:vireo-fr.bsky.social", "12:00", "Europe/Paris"),
    }
    assert _ok(hq.get("/posts", channel_id=_channel("@VireoUS").pk))["count"] == 21  # + the changes-requested one
    assert _ok(hq.get("/posts", status="cancelled"))["count"] == 0
    campaign = Campaign.objects.get(name=CAMPAIGN)
    # FR, DE and US posts of the localizations (44), and the approvals demo's FR, DE and US posts in review
    assert _ok(hq.get("/posts", campaign_id=campaign.pk))["count"] == 47
    assert _ok(hq.get("/posts", dimension_id=_dim(demo_org, "country").pk))["count"] == 21
    first = Post.objects.filter(channel__handle="vireo-france").order_by("scheduled_at").first()
    assert first is not None
    start = first.scheduled_at.isoformat()
    one = _ok(hq.get("/posts", channel_id=first.channel_id, **{"from": start, "to": start.replace("+00:00", "Z")}))
    assert one["count"] == 0  # "to" is exclusive
    window = _ok(
        hq.get(
            "/posts",
            channel_id=first.channel_id,
            **{"from": first.scheduled_at.isoformat(), "to": (first.scheduled_at + dt.timedelta(hours=1)).isoformat()},
        )
    )
    assert [p["id"] for p in window["items"]] == [first.pk]
    got = _ok(hq.get(f"/posts/{first.pk}"))
    assert {k: got[k] for k in ("market_code", "channel", "network", "status", "localization_id", "campaign_id")} == {
        "market_code": "FR",
        "channel": "linkedin:vireo-france",
        "network": "linkedin",
        "status": "scheduled",
        "localization_id": first.localization_id,
        "campaign_id": campaign.pk,
    }
    assert got["scheduled_at"] == first.scheduled_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    naive = hq.get("/posts", **{"from": "2027-01-01T00:00:00"})
    assert (naive.status_code, naive.json()["field"]) == (400, "from")


def _create_post(api: Api, **body: Any) -> Any:
    return api.post("/posts", body)


def test_local_date_and_time_follow_the_channel_clock_across_the_dst_change(api_client_for, demo_org, market):
    cm = api_client_for("fr_community_manager")
    fr_loc = Localization.objects.get(master=demo_master(demo_org), market__code="FR")
    paris = _channel("vireo-france").pk
    before = _ok(_create_post(cm, channel_id=paris, localization_id=fr_loc.pk, local_date="2027-03-22",
                              local_time="09:00"), 201)  # fmt: skip
    after = _ok(_create_post(cm, channel_id=paris, localization_id=fr_loc.pk, local_date="2027-03-29",
                             local_time="09:00"), 201)  # fmt: skip
    assert (before["scheduled_at"], after["scheduled_at"]) == ("2027-03-22T08:00:00Z", "2027-03-29T07:00:00Z")
    # A product localization goes to the HQ brand review; the planned time is kept meanwhile.
    assert (before["local_time"], after["local_time"], before["status"]) == ("09:00", "09:00", "in_review")

    br = api_client_for("br_community_manager")
    br_local = _ok(
        br.post(
            "/masters",
            {"kind": "local", "market_id": market("BR").pk, "dimension_id": _dim(demo_org, "country").pk,
             "title": "Fábrica aberta", "body": "Visite a nossa fábrica em Campinas.", "source_language": "pt-BR"},
        ),
        201,
    )  # fmt: skip
    sao_paulo = _channel("VireoBrasil").pk
    sp = [
        _ok(_create_post(br, channel_id=sao_paulo, master_id=br_local["id"], local_date=day, local_time="09:00"), 201)
        for day in ("2027-03-22", "2027-03-29")
    ]
    assert [p["scheduled_at"] for p in sp] == ["2027-03-22T12:00:00Z", "2027-03-29T12:00:00Z"]
    assert [p["timezone"] for p in sp] == ["America/Sao_Paulo", "America/Sao_Paulo"]

    with_offset = _ok(_create_post(cm, channel_id=paris, localization_id=fr_loc.pk,
                                   scheduled_at="2027-03-23T09:00:00+01:00"), 201)  # fmt: skip
    assert (with_offset["scheduled_at"], with_offset["local_date"]) == ("2027-03-23T08:00:00Z", "2027-03-23")
    gap = _create_post(cm, channel_id=paris, localization_id=fr_loc.pk, local_date="2027-03-28", local_time="02:30")
    assert _error(gap) == (
        400,
        "validation",
        "02:30 does not exist on 2027-03-28 in Europe/Paris (the clocks go forward); choose 03:30 instead.",
        "local_time",
    )
    half = _create_post(cm, channel_id=paris, localization_id=fr_loc.pk, local_date="2027-03-28")
    assert _error(half) == (400, "validation", "Send local_date and local_time together.", "local_time")
    naive = _create_post(cm, channel_id=paris, localization_id=fr_loc.pk, scheduled_at="2027-03-23T09:00:00")
    assert (naive.status_code, naive.json()["error"], naive.json()["field"]) == (400, "validation", "scheduled_at")
    draft = _ok(_create_post(cm, channel_id=paris, localization_id=fr_loc.pk), 201)
    assert (draft["status"], draft["scheduled_at"], draft["local_date"]) == ("draft", None, None)


def test_too_long_bluesky_text_is_refused_with_the_network_message(api_client_for, demo_org):
    cm = api_client_for("fr_community_manager")
    count = Post.objects.count()
    refused = _create_post(
        cm, channel_id=_channel("vireo-fr.bsky.social").pk, master_id=_local(demo_org, "FR").pk, text="a" * 320,
        local_date=NEXT_WEEK, local_time="12:00",
    )  # fmt: skip
    assert _error(refused) == (
        400,
        "network_limits",
        "Bluesky allows 300 characters (graphemes); this text has 320. Shorten it by 20.",
        "text",
    )
    assert Post.objects.count() == count


def test_objectives_first_refusal_through_the_api(api_client_for, demo_org):
    jp = api_client_for("jp_market_lead")
    count = Post.objects.count()
    refused = _create_post(
        jp, channel_id=_channel("@vireo.japan").pk, master_id=_local(demo_org, "JP").pk, local_date="2027-02-04",
        local_time="10:00",
    )  # fmt: skip
    assert _error(refused) == (
        400,
        "objectives_first",
        "Objectives first: no active objective with a KPI covers Vireo Japan (Threads) on 2027-02-04. Set one up in "
        "Strategy → Objectives (an objective for Japan with at least one KPI and this channel), or ask an org admin "
        "to switch the policy off.",
        "channel",
    )
    assert Post.objects.count() == count


def test_post_update_reschedule_and_cancel(api_client_for, demo_org, persona):
    cm = api_client_for("fr_community_manager")
    fr_loc = Localization.objects.get(master=demo_master(demo_org), market__code="FR")
    paris = _channel("vireo-france").pk
    draft = _ok(_create_post(cm, channel_id=paris, localization_id=fr_loc.pk, utm={"utm_campaign": "coat-x"}), 201)
    assert (draft["text"], draft["utm"]) == (fr_loc.body, {"utm_campaign": "coat-x"})
    edited = _ok(cm.patch(f"/posts/{draft['id']}", {"text": "Vireo Coat X durcit 35 % plus vite."}))
    assert (edited["text"], edited["utm"], edited["status"]) == (
        "Vireo Coat X durcit 35 % plus vite.",
        {"utm_campaign": "coat-x"},
        "draft",
    )
    submitted = _ok(cm.post(f"/posts/{draft['id']}/schedule", {"local_date": "2027-03-26", "local_time": "09:00"}))
    # A product post with a figure: the HQ brand review, then legal's check of the figure.
    assert (submitted["status"], submitted["scheduled_at"]) == ("in_review", "2027-03-26T08:00:00Z")
    post = Post.objects.get(pk=draft["id"])
    workflow.post_review(actor=persona("brand_approver"), post=post, verb="approve")
    workflow.post_review(actor=persona("legal_approver"), post=post, verb="approve")
    scheduled = _ok(cm.get(f"/posts/{draft['id']}"))
    assert (scheduled["status"], scheduled["scheduled_at"]) == ("scheduled", "2027-03-26T08:00:00Z")
    moved = _ok(cm.post(f"/posts/{draft['id']}/schedule", {"local_date": "2027-04-02", "local_time": "09:00"}))
    # A new time for the same text keeps the approvals: still scheduled.
    assert (moved["scheduled_at"], moved["local_time"], moved["status"]) == ("2027-04-02T07:00:00Z", "09:00",
                                                                            "scheduled")  # fmt: skip
    past = cm.post(f"/posts/{draft['id']}/schedule", {"scheduled_at": "2020-01-01T09:00:00Z"})
    assert _error(past) == (400, "validation", "This time is in the past: choose a time to come.", "scheduled_at")
    nothing = cm.post(f"/posts/{draft['id']}/schedule", {})
    assert _error(nothing) == (400, "validation", "Send scheduled_at, or local_date and local_time.", "scheduled_at")
    cancelled = _ok(cm.post(f"/posts/{draft['id']}/cancel"))
    assert cancelled["status"] == "cancelled"
    assert _error(cm.patch(f"/posts/{draft['id']}", {"text": "Encore"})) == (
        400,
        "invalid_transition",
        "A post that is cancelled cannot be edited.",
        "status",
    )
    actions = list(
        AuditEntry.objects.filter(target_id=str(draft["id"]), action__startswith="post.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    # Scheduling submits the draft (in review); the last approval makes it approved, then scheduled; the new time
    # changes no status; cancelling is a transition.
    assert actions == [
        "post.create", "post.update", "post.schedule", "post.transition", "post.transition", "post.transition",
        "post.schedule", "post.transition",
    ]  # fmt: skip


def test_posts_of_another_market_are_read_only_or_not_found(api_client_for, demo_org):
    cm = api_client_for("fr_community_manager")
    # A German product post: that cell is opened to the other markets (the holding statement's crisis one is not).
    german = Post.objects.filter(market__code="DE", master__dimension__key="product").first()
    assert german is not None
    assert _ok(cm.get(f"/posts/{german.pk}"))["market_code"] == "DE"  # an opened cell: read only
    assert _error(cm.post(f"/posts/{german.pk}/cancel")) == (
        403,
        "forbidden",
        "You do not have the permission 'content.create' in Germany. Ask an org admin for the role you need.",
        None,
    )
    assert Post.objects.get(pk=german.pk).status == "scheduled"
    for code in ("US", "JP"):
        other = Post.objects.filter(market__code=code).first()
        assert other is not None
        assert _error(cm.get(f"/posts/{other.pk}")) == (404, "not_found", "No such post.", None)
    refused = _create_post(cm, channel_id=_channel("@Vireo_JP").pk, master_id=_local(demo_org, "JP").pk)
    assert _error(refused) == (400, "validation", "No such channel.", "channel_id")


def test_check_measures_a_text_without_saving(api_client_for):
    cm = api_client_for("fr_community_manager")
    count = Post.objects.count()
    long = _ok(cm.post("/posts/check", {"channel_id": _channel("vireo-fr.bsky.social").pk, "text": "é" * 301}))
    assert long == {
        "network": "bluesky",
        "label": "Bluesky",
        "count": 301,
        "limit": 300,
        "unit": "graphemes",
        "link_added": False,
        "ok": False,
        "problems": [
            {
                "code": "text_too_long",
                "field": "text",
                "message": "Bluesky allows 300 characters (graphemes); this text has 301. Shorten it by 1.",
            }
        ],
    }
    hq = api_client_for("hq_admin")
    x = _ok(
        hq.post(
            "/posts/check",
            {"channel_id": _channel("@VireoUS").pk, "text": "Coat X 😀", "link": "https://vireo.example/coat-x"},
        )
    )
    # X counts the emoji 2 and the appended link 23: "Coat X 😀" (9) + "\n\n" (2) + 23.
    assert (x["count"], x["limit"], x["unit"], x["link_added"], x["ok"], x["problems"]) == (
        34,
        280,
        "weighted",
        True,
        True,
        [],
    )
    assert Post.objects.count() == count
    unknown = cm.post("/posts/check", {"channel_id": _channel("@VireoUS").pk, "text": "Hello"})
    assert _error(unknown) == (400, "validation", "No such channel.", "channel_id")


# --- media ---------------------------------------------------------------------------------------------------


def test_media_list_and_get_give_metadata(api_client_for, demo_org, market):
    asset = MediaAsset.objects.create(
        organization=demo_org, owner_market=market("FR"), file="media/2026/11/abc.png", original_name="usine.png",
        kind="image", mime_type="image/png", size_bytes=12345, width=800, height=600, sha256="a" * 64,
        title="L'usine de Lyon", alt_text="La façade de l'usine", tags=["lyon", "usine"],
        rights_holder="Vireo", rights_expire_at=dt.datetime(2027, 6, 30, 22, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    asset.allowed_markets.set([market("FR")])
    cm = api_client_for("fr_community_manager")
    listed = _ok(cm.get("/media"))
    assert [m["id"] for m in listed["items"]] == [asset.pk]
    got = _ok(cm.get(f"/media/{asset.pk}"))
    assert {k: v for k, v in got.items() if k not in ("created_at", "updated_at")} == {
        "id": asset.pk,
        "kind": "image",
        "title": "L'usine de Lyon",
        "original_name": "usine.png",
        "mime_type": "image/png",
        "size_bytes": 12345,
        "width": 800,
        "height": 600,
        "duration_seconds": None,
        "alt_text": "La façade de l'usine",
        "tags": ["lyon", "usine"],
        "rights_holder": "Vireo",
        "rights_expire_at": "2027-06-30T22:00:00Z",
        "owner_market_id": market("FR").pk,
        "owner_market_code": "FR",
        "allowed_market_ids": [market("FR").pk],
    }
    assert _ok(cm.get("/media", tag="lyon"))["count"] == 1
    assert _ok(cm.get("/media", kind="video"))["count"] == 0
    de = api_client_for("de_market_lead")
    assert _error(de.get(f"/media/{asset.pk}")) == (404, "not_found", "No such asset.", None)
    refused = de.post("/posts/check", {"channel_id": _channel("vireo-deutschland").pk, "text": "Hallo",
                                       "media_ids": [asset.pk]})  # fmt: skip
    assert _error(refused) == (400, "validation", "No such asset.", "media_ids")


# --- isolation, OpenAPI, query counts ------------------------------------------------------------------------


def test_another_organizations_token_sees_nothing(other_api, demo_org):
    for path in ("/campaigns", "/masters", "/posts", "/media"):
        assert _ok(other_api.get(path)) == {"items": [], "count": 0}, path
    master = demo_master(demo_org)
    post = Post.objects.filter(organization=demo_org, status="scheduled").first()
    assert post is not None
    campaign = Campaign.objects.get(organization=demo_org, name=CAMPAIGN)
    localization = Localization.objects.filter(master=master).first()
    assert localization is not None
    for path, message in (
        (f"/campaigns/{campaign.pk}", "No such campaign."),
        (f"/masters/{master.pk}", "No such content."),
        (f"/masters/{master.pk}/localizations", "No such content."),
        (f"/localizations/{localization.pk}", "No such localization."),
        (f"/posts/{post.pk}", "No such post."),
    ):
        assert _error(other_api.get(path)) == (404, "not_found", message, None), path
    assert _error(other_api.post(f"/posts/{post.pk}/cancel"))[0] == 404
    assert _error(other_api.post(f"/localizations/{localization.pk}/adopt"))[0] == 404
    refused = other_api.post("/posts", {"channel_id": post.channel_id, "localization_id": localization.pk})
    assert _error(refused) == (400, "validation", "No such channel.", "channel_id")
    assert Post.objects.get(pk=post.pk).status == "scheduled"


def test_no_credentials_is_401(demo_org):
    response = Client().get(PREFIX + "/posts")
    assert (response.status_code, response.json()["error"]) == (401, "unauthenticated")


def test_openapi_lists_the_content_paths(demo_org):
    schema = Client().get("/api/openapi.json").json()
    paths = {path: sorted(ops) for path, ops in schema["paths"].items() if path.startswith(PREFIX + "/")}
    assert paths == {
        "/api/v1/content/campaigns": ["get", "post"],
        "/api/v1/content/campaigns/{campaign_id}": ["get", "patch"],
        "/api/v1/content/campaigns/{campaign_id}/launches/{market_id}": ["put"],
        "/api/v1/content/localizations/{localization_id}": ["get"],
        "/api/v1/content/localizations/{localization_id}/adapt": ["post"],
        "/api/v1/content/localizations/{localization_id}/adopt": ["post"],
        "/api/v1/content/localizations/{localization_id}/decline": ["post"],
        "/api/v1/content/masters": ["get", "post"],
        "/api/v1/content/masters/{master_id}": ["get", "patch"],
        "/api/v1/content/masters/{master_id}/localizations": ["get", "post"],
        "/api/v1/content/media": ["get"],
        "/api/v1/content/media/{media_id}": ["get"],
        "/api/v1/content/posts": ["get", "post"],
        "/api/v1/content/posts/check": ["post"],
        "/api/v1/content/posts/{post_id}": ["get", "patch"],
        "/api/v1/content/posts/{post_id}/cancel": ["post"],
        "/api/v1/content/posts/{post_id}/schedule": ["post"],
    }
    assert sorted(schema["paths"][PREFIX + "/posts"]["post"]["responses"]) == ["201", "400", "401", "403", "404", "409"]
    assert schema["paths"][PREFIX + "/posts"]["get"]["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    names = [p["name"] for p in schema["paths"][PREFIX + "/posts"]["get"]["parameters"]]
    assert {"from", "to", "market_id", "channel_id", "campaign_id", "dimension_id", "status"} <= set(names)


def test_list_endpoints_run_a_fixed_number_of_queries(api_client_for, demo_org, django_assert_max_num_queries):
    hq = api_client_for("hq_admin")
    hq.get("/media")  # the token's last_used_at is written once a minute; keep it out of the counts
    with django_assert_max_num_queries(12):
        assert _ok(hq.get("/posts", limit=100))["count"] == 69  # 64 content demo posts + 5 of the approvals demo
    with django_assert_max_num_queries(12):
        assert _ok(hq.get("/masters"))["count"] == 4
    with django_assert_max_num_queries(10):
        assert _ok(hq.get("/campaigns"))["count"] == 1
