"""The approvals REST API under /api/v1/approvals, called as the demo personas with real personal access tokens;
the external reviewer with the review link's token alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.approvals.demo import PAST_CRISIS
from harmonie.approvals.models import (
    ApprovalCircuit,
    ApprovalRequest,
    Crisis,
    CrisisEvent,
    ExternalReviewLink,
    HoldingStatement,
    Notification,
)
from harmonie.content.demo import demo_master
from harmonie.content.models import Localization, MasterContent, Post
from harmonie.content.states import HOLDABLE
from harmonie.content.timeutils import local_to_utc
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Dimension, Market, Member, Organization

EMAILS = {p.key: p.email for p in PERSONAS}
JSON = "application/json"
PREFIX = "/api/v1/approvals"
# Ten days ahead, on the channel's wall clock (the same form the content API takes).
LOCAL_DATE = timezone.localdate() + dt.timedelta(days=10)


class Api:
    """A JSON client for /api/v1 that sends a bearer token (or nothing, for the external reviewer)."""

    def __init__(self, raw_token: str | None = None, *, enforce_csrf_checks: bool = False) -> None:
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}
        self.client = Client(headers=headers, enforce_csrf_checks=enforce_csrf_checks)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(_url(path), params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(_url(path), body or {}, content_type=JSON)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(_url(path), body, content_type=JSON)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(_url(path), body, content_type=JSON)

    def delete(self, path: str) -> Any:
        return self.client.delete(_url(path))


def _url(path: str) -> str:
    """``/queue`` is an approvals path; ``/api/...`` is taken as it is (content, audit)."""
    return path if path.startswith("/api/") else PREFIX + path


@pytest.fixture
def api_client_for(demo_org: Organization) -> Callable[[str], Api]:
    def get(key: str) -> Api:
        user = User.objects.get(email=EMAILS[key])
        _token, raw = token_create(user=user, organization_id=demo_org.pk, name="tests")
        return Api(raw)

    return get


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _error(response: Any) -> tuple[int, str, str, str | None]:
    body = response.json()
    return response.status_code, body["error"], body["message"], body["field"]


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def _member(org: Organization, key: str) -> Member:
    return Member.objects.get(organization=org, user__email=EMAILS[key])


def _steps(review: dict[str, Any], round_: int = -1) -> list[tuple[str, str, list[str], str]]:
    """(name, status, approver names, reason) of each step of a round (the last by default)."""
    return [
        (s["name"], s["status"], [a["name"] for a in s["approvers"]], s["reason"])
        for s in review["rounds"][round_]["steps"]
    ]


def _utc(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fr_post(api: Api, org: Organization, text: str | None = None) -> dict[str, Any]:
    """A draft on the French LinkedIn page from the French localization of the demo master."""
    localization = Localization.objects.get(master=demo_master(org), market__code="FR")
    body: dict[str, Any] = {"channel_id": _channel("vireo-france").pk, "localization_id": localization.pk}
    if text is not None:
        body["text"] = text
    return _ok(api.post("/api/v1/content/posts", body), 201)


# --- the full review cycle ---------------------------------------------------------------------------------


def test_a_post_goes_through_review_rounds_over_the_api(api_client_for, demo_org):
    camille, lucas, sophie = (api_client_for(k) for k in ("fr_community_manager", "brand_approver", "legal_approver"))
    draft = _fr_post(camille, demo_org)
    assert draft["status"] == "draft"
    post_id = draft["id"]
    scheduled = _ok(camille.post(f"/api/v1/content/posts/{post_id}/schedule",
                                 {"local_date": LOCAL_DATE.isoformat(), "local_time": "09:00"}))  # fmt: skip
    # Scheduling a draft submits it: product content passes HQ brand, and the figure adds a legal check.
    assert scheduled["status"] == "in_review"
    review = _ok(camille.get(f"/posts/{post_id}"))
    expected_at = local_to_utc(LOCAL_DATE, dt.time(9, 0), "Europe/Paris")
    assert review["post"]["scheduled_at"] == _utc(expected_at)
    assert (review["post"]["local_date"], review["post"]["local_time"], review["post"]["timezone"]) == (
        LOCAL_DATE.isoformat(),
        "09:00",
        "Europe/Paris",
    )
    assert (review["status"], review["status_note"]) == ("in_review", "Brand review (HQ), Legal check of figures")
    assert [(r["round"], r["status"], r["post_revision"], r["submitted_by"]) for r in review["rounds"]] == [
        (1, "open", 1, "Camille Durand")
    ]
    assert review["rounds"][0]["reasons"] == [
        {"circuit": "brand-hq", "name": "Brand review (HQ)", "reason": "Governance matrix: Product × default"},
        {"circuit": "legal-claims", "name": "Legal check of figures",
         "reason": "Contains figures or financial terms: 30 %"},
    ]  # fmt: skip
    assert _steps(review) == [
        ("Brand", "pending", ["Lucas Moreau"], "Governance matrix: Product × default"),
        ("Legal", "waiting", ["Sophie Laurent"], "Contains figures or financial terms: 30 %"),
    ]
    brand = review["rounds"][0]["steps"][0]
    assert brand["approvers"] == [{"id": _member(demo_org, "brand_approver").pk, "name": "Lucas Moreau"}]
    assert (brand["mode"], brand["external"], brand["response_hours"], brand["is_current"]) == ("any", False, 24, True)
    started = dt.datetime.fromisoformat(brand["started_at"])
    assert dt.datetime.fromisoformat(brand["due_at"]) - started == dt.timedelta(hours=24)
    assert review["current_step_id"] == brand["id"]
    assert (review["can_act"], review["is_author"]) == (False, True)
    assert review["why_not"] == "You wrote or submitted this post: someone else must approve it (four-eyes)."
    assert [(t["verb"], t["author"]) for t in review["thread"]] == [("submit", "Camille Durand")]

    # Lucas sees it in his queue with the reason and the due time.
    queued = {i["post"]["id"]: i for i in _ok(lucas.get("/queue"))["items"]}
    assert {k: queued[post_id][k] for k in ("step_id", "step", "mode", "round", "reason", "overdue", "due_at")} == {
        "step_id": brand["id"], "step": "Brand", "mode": "any", "round": 1,
        "reason": "Governance matrix: Product × default", "overdue": False, "due_at": brand["due_at"],
    }  # fmt: skip
    assert queued[post_id]["post"]["local_time"] == "09:00"
    assert _ok(lucas.get(f"/posts/{post_id}"))["can_act"] is True
    assert post_id not in {i["post"]["id"] for i in _ok(sophie.get("/queue"))["items"]}  # legal waits for brand

    # Four-eyes: Camille cannot approve her own post.
    assert _error(camille.post(f"/posts/{post_id}/review", {"verb": "approve"})) == (
        403,
        "four_eyes",
        "You wrote or submitted this post: someone else must approve it (four-eyes).",
        None,
    )
    # Changes are requested with a comment, never without.
    assert _error(lucas.post(f"/posts/{post_id}/review", {"verb": "request_changes"})) == (
        400,
        "validation",
        "Say what should change (or why you reject it) in a comment.",
        "comment",
    )
    unknown = lucas.post(f"/posts/{post_id}/review", {"verb": "publish"})
    assert (unknown.status_code, unknown.json()["error"], unknown.json()["field"]) == (400, "validation", "verb")
    changes = _ok(lucas.post(f"/posts/{post_id}/review", {"verb": "request_changes",
                                                          "comment": "Le bon chiffre est 35 %."}))  # fmt: skip
    assert (changes["status"], changes["status_note"]) == (
        "changes_requested",
        "Lucas Moreau: Le bon chiffre est 35 %.",
    )
    assert changes["rounds"][0]["status"] == "changes_requested"
    assert [s[:2] for s in _steps(changes)] == [("Brand", "changes_requested"), ("Legal", "withdrawn")]
    assert (changes["can_act"], changes["current_step_id"]) == (False, None)
    notes = _ok(camille.get("/notifications", unread="true"))
    assert notes["items"][0]["kind"] == "changes_requested"
    assert notes["items"][0]["post_id"] == post_id
    # Written in Camille's language (French, whose catalogue may still lack the sentence): who, and the comment.
    message = notes["items"][0]["message"]
    assert (message.startswith("Lucas Moreau "), message.endswith(": Le bon chiffre est 35 %.")) == (True, True)
    assert post_id in {p["id"] for p in _ok(camille.get("/submissions"))["items"]}

    # Camille fixes the text (content API) and submits again: round 2, on revision 2.
    fixed = "Vireo Coat X durcit 35 % plus vite à 80 °C : vos lignes redémarrent plus tôt."
    assert _ok(camille.patch(f"/api/v1/content/posts/{post_id}", {"text": fixed}))["status"] == "changes_requested"
    resubmitted = _ok(camille.post(f"/posts/{post_id}/submit"))
    assert resubmitted["status"] == "in_review"
    assert [(r["round"], r["status"], r["post_revision"]) for r in resubmitted["rounds"]] == [
        (1, "changes_requested", 1),
        (2, "open", 2),
    ]
    assert _steps(resubmitted) == [
        ("Brand", "pending", ["Lucas Moreau"], "Governance matrix: Product × default"),
        ("Legal", "waiting", ["Sophie Laurent"], "Contains figures or financial terms: 35 %"),
    ]

    # Brand approves: the figure still needs Legal, which is now pending.
    after_brand = _ok(lucas.post(f"/posts/{post_id}/review", {"verb": "approve", "comment": "Ton conforme."}))
    assert after_brand["status"] == "in_review"
    assert [(s[0], s[1]) for s in _steps(after_brand)] == [("Brand", "approved"), ("Legal", "pending")]
    assert after_brand["rounds"][-1]["steps"][0]["approved_by"] == ["Lucas Moreau"]
    assert (after_brand["can_act"], after_brand["why_not"]) == (False, "You are not an approver of the step “Legal”.")
    legal = _ok(sophie.post(f"/posts/{post_id}/review", {"verb": "approve"}))
    assert (legal["status"], legal["post"]["scheduled_at"]) == ("scheduled", _utc(expected_at))
    assert legal["rounds"][-1]["status"] == "approved"
    assert [(t["verb"], t["author"], t["step"], t["post_revision"]) for t in legal["thread"]] == [
        ("submit", "Camille Durand", None, 1),
        ("request_changes", "Lucas Moreau", "Brand", 1),
        ("submit", "Camille Durand", None, 2),
        ("approve", "Lucas Moreau", "Brand", 2),
        ("approve", "Sophie Laurent", "Legal", 2),
    ]
    assert _ok(camille.get("/notifications", unread="true"))["items"][0]["kind"] == "approved"
    assert post_id not in {p["id"] for p in _ok(camille.get("/submissions"))["items"]}
    assert ApprovalRequest.objects.filter(post_id=post_id).count() == 2


def test_invalid_transitions_are_400_with_the_state_machine_message(api_client_for, demo_org):
    camille = api_client_for("fr_community_manager")
    post_id = _fr_post(camille, demo_org)["id"]
    assert _error(camille.post(f"/posts/{post_id}/rework")) == (
        400,
        "invalid_transition",
        "A post that is draft cannot become draft. From draft it can become: approved, cancelled, in review, "
        "on hold (crisis).",
        "status",
    )
    lucas = api_client_for("brand_approver")
    assert _error(lucas.post(f"/posts/{post_id}/review", {"verb": "approve"})) == (
        400,
        "invalid_transition",
        "This post is not waiting for a review (it is draft).",
        "status",
    )
    assert _ok(camille.post(f"/api/v1/content/posts/{post_id}/cancel"))["status"] == "cancelled"
    assert _error(camille.post(f"/posts/{post_id}/withdraw")) == (
        400,
        "invalid_transition",
        "A post that is cancelled cannot become draft. From cancelled it can become: nothing (this status is final).",
        "status",
    )
    assert _error(camille.post(f"/posts/{post_id}/submit")) == (
        400,
        "invalid_transition",
        "Only a draft or a post with changes requested can be submitted; this one is cancelled.",
        "status",
    )
    assert Post.objects.get(pk=post_id).status == "cancelled"


def test_withdraw_and_rework(api_client_for, demo_org):
    camille, lucas = api_client_for("fr_community_manager"), api_client_for("brand_approver")
    post_id = _fr_post(camille, demo_org, text="Vireo Coat X durcit plus vite.")["id"]
    submitted = _ok(camille.post(f"/posts/{post_id}/submit"))
    # No figure: brand only. A draft without a time stays approved, with nothing to schedule.
    assert [s[0] for s in _steps(submitted)] == ["Brand"]
    withdrawn = _ok(camille.post(f"/posts/{post_id}/withdraw"))
    assert (withdrawn["status"], withdrawn["rounds"][0]["status"]) == ("draft", "withdrawn")
    assert [s[1] for s in _steps(withdrawn)] == ["withdrawn"]
    _ok(camille.post(f"/posts/{post_id}/submit"))
    rejected = _ok(lucas.post(f"/posts/{post_id}/review", {"verb": "reject", "comment": "Hors charte."}))
    assert (rejected["status"], [r["status"] for r in rejected["rounds"]]) == ("rejected", ["withdrawn", "rejected"])
    assert _error(camille.post(f"/posts/{post_id}/submit")) == (
        400,
        "invalid_transition",
        "This post was rejected: rework it first (it goes back to draft).",
        "status",
    )
    assert _ok(camille.post(f"/posts/{post_id}/rework"))["status"] == "draft"


def test_post_states_is_the_transition_table(api_client_for):
    states = _ok(api_client_for("analyst").get("/post-states"))
    assert list(states) == [
        "draft", "in_review", "changes_requested", "approved", "rejected", "needs_new_time", "scheduled",
        "publishing", "published", "failed", "unconfirmed", "on_hold", "cancelled",
    ]  # fmt: skip
    assert states["draft"] == {"label": "Draft", "allowed": ["in_review", "approved", "on_hold", "cancelled"]}
    assert states["on_hold"] == {
        "label": "On hold (crisis)",
        "allowed": ["draft", "in_review", "needs_new_time", "scheduled", "cancelled"],
    }
    assert states["publishing"]["allowed"] == ["published", "failed", "unconfirmed"]
    assert (states["published"]["allowed"], states["cancelled"]["allowed"]) == ([], [])


def test_queue_overdue_and_submissions_of_the_demo(api_client_for, demo_org):
    de_post = Post.objects.get(organization=demo_org, market__code="DE", status="in_review")
    overdue = _ok(api_client_for("hq_admin").get("/overdue"))
    assert [(i["post"]["id"], i["step"], i["overdue"]) for i in overdue["items"]] == [(de_post.pk, "Brand", True)]
    assert overdue["items"][0]["overdue_by_seconds"] >= 6 * 3600  # started 30 h ago, 24 h target
    queue = _ok(api_client_for("brand_approver").get("/queue"))
    assert [(i["post"]["market_code"], i["step"], i["overdue"]) for i in queue["items"]] == [("DE", "Brand", True)]
    assert _ok(api_client_for("legal_approver").get("/queue"))["items"][0]["post"]["market_code"] == "FR"
    assert _ok(api_client_for("fr_market_lead").get("/queue")) == {"items": [], "count": 0}
    jonas = _ok(api_client_for("de_community_manager").get("/submissions"))
    assert [(p["id"], p["status"], p["channel"]) for p in jonas["items"]] == [
        (de_post.pk, "in_review", "linkedin:vireo-deutschland")
    ]


def test_notifications_read(api_client_for, demo_org):
    camille = api_client_for("fr_community_manager")
    unread = _ok(camille.get("/notifications", unread="true"))
    assert [n["kind"] for n in unread["items"]] == ["approved"]
    assert unread["unread_count"] == 1
    # Someone else's notification id is left alone.
    lucas_note = Notification.objects.filter(member=_member(demo_org, "brand_approver"), read_at__isnull=True).first()
    assert lucas_note is not None
    marked = _ok(camille.post("/notifications/read", {"ids": [unread["items"][0]["id"], lucas_note.pk]}))
    assert marked == {"marked": 1, "unread_count": 0}
    assert Notification.objects.get(pk=lucas_note.pk).read_at is None
    assert _ok(camille.get("/notifications", unread="true")) == {"items": [], "unread_count": 0}
    everything = _ok(camille.get("/notifications"))
    assert everything["items"][0]["read_at"] is not None
    assert _ok(api_client_for("brand_approver").post("/notifications/read"))["unread_count"] == 0


# --- external review ---------------------------------------------------------------------------------------


def test_external_review_link_works_with_its_token_alone(api_client_for, demo_org):
    hq, camille, julien = (api_client_for(k) for k in ("hq_admin", "fr_community_manager", "fr_market_lead"))
    partner = ApprovalCircuit.objects.get(organization=demo_org, key="partner-signoff")
    country = Dimension.objects.get(organization=demo_org, key="country")
    condition = _ok(hq.post("/conditions", {"kind": "network", "network": "bluesky", "circuit_id": partner.pk,
                                            "dimension_id": country.pk}), 201)  # fmt: skip
    assert {k: v for k, v in condition.items() if k != "id"} == {
        "kind": "network", "circuit_id": partner.pk, "circuit_key": "partner-signoff", "network": "bluesky",
        "campaign_id": None, "dimension_id": country.pk, "position": 4,
    }  # fmt: skip

    local = MasterContent.objects.get(organization=demo_org, kind="local", market__code="FR")
    created = _ok(camille.post("/api/v1/content/posts", {
        "channel_id": _channel("vireo-fr.bsky.social").pk, "master_id": local.pk, "text": "Portes ouvertes samedi.",
        "local_date": LOCAL_DATE.isoformat(), "local_time": "12:00",
    }), 201)  # fmt: skip
    post_id = created["id"]
    review = _ok(camille.get(f"/posts/{post_id}"))
    assert [(s[0], s[2]) for s in _steps(review)] == [("Market lead", ["Julien Bernard"]), ("Partner", [])]
    assert [s["external"] for s in review["rounds"][0]["steps"]] == [False, True]

    link = _ok(camille.post(f"/posts/{post_id}/external-links", {"reviewer_name": "Paula  Partner",
                                                                 "reviewer_email": "paula@partner.example",
                                                                 "days": 3}), 201)  # fmt: skip
    token = link["token"]
    assert (link["reviewer_name"], link["post_ids"], link["url"], link["api_url"]) == (
        "Paula Partner",
        [post_id],
        f"/approvals/external/{token}/",
        f"/api/v1/approvals/external/{token}",
    )
    stored = ExternalReviewLink.objects.get(pk=link["id"])
    assert token not in stored.token_hash  # only the hash is kept
    assert link["expires_at"] == stored.expires_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert round((stored.expires_at - stored.created_at).total_seconds()) == 3 * 24 * 3600
    shown = _ok(camille.get(f"/posts/{post_id}"))["external_links"]
    assert [(x["id"], x["reviewer_name"], x["revoked_at"]) for x in shown] == [(link["id"], "Paula Partner", None)]
    assert "token" not in shown[0]

    # The reviewer: no account, no session, no CSRF token — the token in the path is the credential.
    outsider = Api(enforce_csrf_checks=True)
    seen = _ok(outsider.get(f"/external/{token}"))
    assert (seen["reviewer_name"], [p["id"] for p in seen["posts"]]) == ("Paula Partner", [post_id])
    first = seen["posts"][0]
    assert {k: first[k] for k in ("channel", "text", "local_time", "timezone", "current_step", "your_turn")} == {
        "channel": "bluesky:vireo-fr.bsky.social", "text": "Portes ouvertes samedi.", "local_time": "12:00",
        "timezone": "Europe/Paris", "current_step": "Market lead", "your_turn": False,
    }  # fmt: skip
    assert _error(outsider.post(f"/external/{token}/posts/{post_id}", {"verb": "approve"})) == (
        400,
        "not_your_step",
        "It is not your turn yet: the step “Market lead” is in progress. You can comment meanwhile.",
        None,
    )
    comment = {"verb": "comment", "comment": "Logo OK de notre côté."}
    commented = _ok(outsider.post(f"/external/{token}/posts/{post_id}", comment))
    # The outsider sees what outsiders said, not the organization's internal thread (the submission here).
    assert [(a["verb"], a["author"], a["comment"]) for a in commented["posts"][0]["thread"]] == [
        ("comment", "Paula Partner (external reviewer)", "Logo OK de notre côté."),
    ]
    _ok(julien.post(f"/posts/{post_id}/review", {"verb": "approve"}))
    assert _ok(outsider.get(f"/external/{token}"))["posts"][0]["your_turn"] is True
    # The step is the external reviewer's: a member cannot take it.
    assert _error(julien.post(f"/posts/{post_id}/review", {"verb": "approve"})) == (
        403,
        "forbidden",
        "The step “Partner” is for the external reviewer, through their review link.",
        None,
    )
    approved = _ok(outsider.post(f"/external/{token}/posts/{post_id}", {"verb": "approve", "comment": "Go."}))
    assert (approved["posts"][0]["status"], approved["posts"][0]["your_turn"]) == ("scheduled", False)
    thread = _ok(camille.get(f"/posts/{post_id}"))["thread"]
    assert [(t["verb"], t["author"], t["external"]) for t in thread] == [
        ("submit", "Camille Durand", False),
        ("comment", "Paula Partner (external reviewer)", True),
        ("approve", "Julien Bernard", False),
        ("approve", "Paula Partner (external reviewer)", True),
    ]

    # Nothing else: another post, an unknown token, and the members' API stay shut.
    other = Post.objects.filter(organization=demo_org, market__code="FR", status="in_review").first()
    assert other is not None
    assert _error(outsider.post(f"/external/{token}/posts/{other.pk}", {"verb": "comment", "comment": "Hi"})) == (
        404,
        "not_found",
        "This review link does not cover that post.",
        None,
    )
    assert _error(outsider.get("/external/not-a-token")) == (
        404,
        "not_found",
        "This review link is not valid. Ask the person who sent it for a new one.",
        None,
    )
    assert _error(outsider.get(f"/posts/{post_id}"))[:2] == (401, "unauthenticated")
    # A logged-in browser needs its CSRF token for the members' API, but not for the link's operations.
    browser = Api(enforce_csrf_checks=True)
    browser.client.force_login(User.objects.get(email=EMAILS["fr_community_manager"]))
    assert _error(browser.post(f"/posts/{post_id}/review", {"verb": "comment", "comment": "Vu."}))[:2] == (
        403,
        "csrf_failed",
    )
    assert _ok(browser.post(f"/external/{token}/posts/{post_id}", {"verb": "comment", "comment": "Vu."}))
    assert _error(Api(token).get("/queue"))[:2] == (401, "unauthenticated")  # a review token is no API token

    # Expired: 403 link_expired, for reading and acting alike.
    ExternalReviewLink.objects.filter(pk=link["id"]).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = (403, "link_expired", "This review link has expired. Ask the person who sent it for a new one.", None)
    assert _error(outsider.get(f"/external/{token}")) == expired
    assert _error(outsider.post(f"/external/{token}/posts/{post_id}", {"verb": "comment", "comment": "?"})) == expired


def test_batch_link_and_revocation(api_client_for, demo_org):
    julien = api_client_for("fr_market_lead")
    fr_ids = sorted(
        Post.objects.filter(organization=demo_org, market__code="FR", status="in_review").values_list("pk", flat=True)
    )
    scheduled = Post.objects.filter(organization=demo_org, market__code="FR", status="scheduled").first()
    assert scheduled is not None
    ids = [*fr_ids, scheduled.pk]
    link = _ok(julien.post("/external-links", {"post_ids": ids, "reviewer_name": "Anne Roux"}), 201)
    assert link["post_ids"] == sorted(ids)
    token = link["token"]
    outsider = Api()
    assert sorted(p["id"] for p in _ok(outsider.get(f"/external/{token}"))["posts"]) == sorted(ids)
    us_post = Post.objects.filter(organization=demo_org, market__code="US").first()
    assert us_post is not None
    refused = julien.post("/external-links", {"post_ids": [scheduled.pk, us_post.pk], "reviewer_name": "Anne Roux"})
    assert _error(refused) == (400, "validation", "No such post.", "post_ids")
    too_long = julien.post("/external-links", {"post_ids": ids, "reviewer_name": "Anne Roux", "days": 31})
    assert _error(too_long) == (400, "validation", "A review link lasts 1 to 30 days.", "days")
    # Someone else's link: only its creator or an approver at Global revokes it.
    assert _error(api_client_for("fr_community_manager").post(f"/external-links/{link['id']}/revoke")) == (
        403,
        "forbidden",
        "Only the link's creator or an approver at Global may revoke it.",
        None,
    )
    assert julien.post(f"/external-links/{link['id']}/revoke").status_code == 204
    assert julien.post(f"/external-links/{link['id']}/revoke").status_code == 204  # twice: nothing changes
    assert _error(outsider.get(f"/external/{token}")) == (
        403,
        "link_revoked",
        "This review link was revoked. Ask the person who sent it for a new one.",
        None,
    )
    assert _error(julien.post("/external-links/999999/revoke")) == (404, "not_found", "No such link.", None)
    assert AuditEntry.objects.filter(action="external_link.revoke", target_id=str(link["id"])).count() == 1


# --- circuits and conditions -------------------------------------------------------------------------------


def test_circuits_create_replace_delete(api_client_for, demo_org, market):
    hq = api_client_for("hq_admin")
    listed = _ok(hq.get("/circuits"))
    assert [c["key"] for c in listed["items"]] == [
        "brand-hq", "crisis", "finance-legal", "legal-claims", "local-lead", "partner-signoff",
    ]  # fmt: skip
    lucas = _member(demo_org, "brand_approver")
    created = _ok(hq.post("/circuits", {
        "name": "Trade fair posts", "description": "Events team, then the partner.",
        "steps": [{"name": "Events", "member_id": lucas.pk, "response_hours": 8},
                  {"name": "Partner", "external": True, "response_hours": 48}],
    }), 201)  # fmt: skip
    assert (created["key"], created["is_active"]) == ("trade-fair-posts", True)
    steps = [(s["position"], s["name"], s["member_name"], s["external"], s["response_hours"]) for s in created["steps"]]
    assert steps == [(1, "Events", "Lucas Moreau", False, 8), (2, "Partner", None, True, 48)]
    assert _ok(hq.get(f"/circuits/{created['id']}")) == created
    replaced = _ok(hq.put(f"/circuits/{created['id']}", {
        "name": "Trade fair posts", "key": "trade-fairs",
        "steps": [{"name": "Legal", "role": "approver_legal", "market_id": market("GLOBAL").pk, "mode": "all"}],
    }))  # fmt: skip
    assert (replaced["key"], replaced["description"]) == ("trade-fairs", "")
    assert [(s["name"], s["role"], s["market_code"], s["mode"], s["response_hours"]) for s in replaced["steps"]] == [
        ("Legal", "approver_legal", "GLOBAL", "all", 24)
    ]
    no_approver = hq.post("/circuits", {"name": "Empty", "steps": [{"name": "Someone"}]})
    assert _error(no_approver) == (
        400,
        "validation",
        "Step 1: name the approvers (a role, a team or a person), or make it an external review.",
        "steps",
    )
    clash = hq.post(
        "/circuits", {"name": "Brand again", "key": "brand-hq", "steps": [{"name": "B", "role": "approver_brand"}]}
    )
    assert _error(clash) == (409, "conflict", "A circuit with the key 'brand-hq' exists already.", "key")
    unknown = hq.post("/circuits", {"name": "X", "steps": [{"name": "B", "member_id": 999999}]})
    assert _error(unknown) == (400, "validation", "No such member.", "steps")
    in_use = ApprovalCircuit.objects.get(organization=demo_org, key="brand-hq")
    assert _error(hq.delete(f"/circuits/{in_use.pk}")) == (
        409,
        "conflict",
        "The governance matrix uses this circuit in 2 cell(s): choose another circuit there first.",
        None,
    )
    assert hq.delete(f"/circuits/{created['id']}").status_code == 204
    assert _error(hq.get(f"/circuits/{created['id']}")) == (404, "not_found", "No such circuit.", None)
    assert list(
        AuditEntry.objects.filter(target_type="approvals.approvalcircuit", target_id=str(created["id"]))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["circuit.create", "circuit.update", "circuit.delete"]

    # A market lead reads circuits but does not change them.
    julien = api_client_for("fr_market_lead")
    assert _ok(julien.get("/circuits"))["count"] == 6
    assert _error(julien.post("/circuits", {"name": "Mine", "steps": [{"name": "Me", "role": "market_lead"}]})) == (
        403,
        "forbidden",
        "Only members holding 'governance.edit' at Global level may do this.",
        None,
    )


def test_conditions_list_add_remove(api_client_for, demo_org):
    hq = api_client_for("hq_admin")
    conditions = _ok(hq.get("/conditions"))["items"]
    assert [(c["kind"], c["circuit_key"], c["position"]) for c in conditions] == [
        ("figures", "legal-claims", 1),
        ("charter_warn", "brand-hq", 2),
        ("crisis", "crisis", 3),
    ]
    brand = ApprovalCircuit.objects.get(organization=demo_org, key="brand-hq")
    missing = hq.post("/conditions", {"kind": "campaign", "circuit_id": brand.pk})
    assert _error(missing) == (400, "validation", "Choose the campaign this condition is about.", "campaign")
    bad = hq.post("/conditions", {"kind": "network", "circuit_id": 999999, "network": "x"})
    assert _error(bad) == (400, "validation", "No such circuit.", "circuit_id")
    added = _ok(hq.post("/conditions", {"kind": "network", "circuit_id": brand.pk, "network": "x"}), 201)
    assert hq.delete(f"/conditions/{added['id']}").status_code == 204
    assert _error(hq.delete(f"/conditions/{added['id']}")) == (404, "not_found", "No such condition.", None)
    assert [c["id"] for c in _ok(hq.get("/conditions"))["items"]] == [c["id"] for c in conditions]


# --- crises ------------------------------------------------------------------------------------------------


def _holdable(market: Market) -> list[int]:
    return list(
        Post.objects.filter(Q(market__path__startswith=market.path), status__in=HOLDABLE)
        .order_by("scheduled_at", "pk")
        .values_list("pk", flat=True)
    )


def test_crisis_declare_release_end_and_report(api_client_for, demo_org, market):
    katrin = api_client_for("de_market_lead")
    de = market("DE")
    expected = _holdable(de)
    statuses = dict(Post.objects.filter(pk__in=expected).values_list("pk", "status"))
    assert sorted(statuses.values()) == ["in_review"] + ["scheduled"] * 12
    untouched = dict(Post.objects.exclude(pk__in=expected).values_list("pk", "status"))

    declared = _ok(katrin.post("/crises", {"title": "Streik in Duisburg", "reason": "Ein Streik im Werk Duisburg.",
                                           "market_ids": [de.pk]}), 201)  # fmt: skip
    crisis_id = declared["crisis"]["id"]
    assert declared["held_post_ids"] == expected
    crisis = declared["crisis"]
    assert {k: crisis[k] for k in ("title", "status", "org_wide", "market_ids", "channel_ids", "declared_by")} == {
        "title": "Streik in Duisburg", "status": "active", "org_wide": False, "market_ids": [de.pk],
        "channel_ids": [], "declared_by": "Katrin Schulz",
    }  # fmt: skip
    assert set(Post.objects.filter(pk__in=expected).values_list("status", flat=True)) == {"on_hold"}
    assert dict(Post.objects.exclude(pk__in=expected).values_list("pk", "status")) == untouched

    listed = _ok(katrin.get("/crises"))
    assert [(c["title"], c["status"]) for c in listed["items"]] == [
        ("Streik in Duisburg", "active"),
        (PAST_CRISIS, "ended"),
    ]
    detail = _ok(katrin.get(f"/crises/{crisis_id}"))
    assert detail["report"]["still_on_hold"] == expected
    assert detail["report"]["first_statement_after_seconds"] is None
    assert {k: v for k, v in detail["report"]["counts"].items() if v} == {"declared": 1, "held": 13}

    # Not over while posts are on hold.
    assert _error(katrin.post(f"/crises/{crisis_id}/end", {"summary": "Fertig."})) == (
        409,
        "posts_on_hold",
        "13 post(s) are still on hold: release, reschedule or cancel each of them before ending the crisis.",
        None,
    )
    (in_review,) = [p for p in expected if statuses[p] == "in_review"]
    first, second, *rest = [p for p in expected if statuses[p] == "scheduled"]
    released = _ok(katrin.post(f"/crises/{crisis_id}/posts/{first}/release"))
    assert released["status"] == "scheduled"
    assert _ok(katrin.post(f"/crises/{crisis_id}/posts/{in_review}/release"))["status"] == "in_review"
    new_day = LOCAL_DATE + dt.timedelta(days=7)
    moved = _ok(katrin.post(f"/crises/{crisis_id}/posts/{second}/reschedule",
                            {"local_date": new_day.isoformat(), "local_time": "15:30"}))  # fmt: skip
    assert (moved["status"], moved["local_date"], moved["local_time"], moved["timezone"]) == (
        "scheduled",
        new_day.isoformat(),
        "15:30",
        "Europe/Berlin",
    )
    assert moved["scheduled_at"] == _utc(local_to_utc(new_day, dt.time(15, 30), "Europe/Berlin"))
    cancelled, *to_release = rest
    assert _ok(katrin.post(f"/crises/{crisis_id}/posts/{cancelled}/cancel"))["status"] == "cancelled"
    assert _error(katrin.post(f"/crises/{crisis_id}/posts/{cancelled}/release")) == (
        400,
        "invalid_transition",
        "This post is not on hold (it is cancelled).",
        "status",
    )
    note = _ok(katrin.post(f"/crises/{crisis_id}/notes", {"text": "Betriebsrat informiert."}), 201)
    assert (note["kind"], note["actor"], note["detail"]) == ("note", "Katrin Schulz", "Betriebsrat informiert.")
    statement = HoldingStatement.objects.get(organization=demo_org, language="de")
    published = _ok(katrin.post(f"/crises/{crisis_id}/statements/{statement.pk}/publish",
                                {"channel_ids": [_channel("vireo-deutschland").pk]}), 201)  # fmt: skip
    assert [(p["channel"], p["status"], p["text"]) for p in published] == [
        ("linkedin:vireo-deutschland", "scheduled", statement.text)
    ]
    outside = katrin.post(f"/crises/{crisis_id}/statements/{statement.pk}/publish",
                          {"channel_ids": [_channel("vireo-group").pk]})  # fmt: skip
    # Katrin sees the group page (it serves Germany), but it is not in this crisis's scope.
    assert _error(outside) == (400, "validation", "Vireo Group (LinkedIn) is outside this crisis's scope.", "channels")
    for post_id in to_release:
        _ok(katrin.post(f"/crises/{crisis_id}/posts/{post_id}/release"))
    ended = _ok(katrin.post(f"/crises/{crisis_id}/end", {"summary": "Streik beendet; Kunden informiert."}))
    assert (ended["status"], ended["ended_by"], ended["summary"]) == (
        "ended",
        "Katrin Schulz",
        "Streik beendet; Kunden informiert.",
    )
    assert _error(katrin.post(f"/crises/{crisis_id}/notes", {"text": "Nachtrag"})) == (
        400,
        "crisis_ended",
        "This crisis has ended.",
        None,
    )

    # The report: move the story onto a fixed clock (the services stamp "now"), as the demo does.
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    minutes = {"declared": 0, "held": 0, "released": 30, "rescheduled": 31, "cancelled": 32, "note": 40,
               "statement": 9, "ended": 185}  # fmt: skip
    for event in CrisisEvent.objects.filter(crisis_id=crisis_id):
        CrisisEvent.objects.filter(pk=event.pk).update(at=start + dt.timedelta(minutes=minutes[event.kind]))
    Crisis.objects.filter(pk=crisis_id).update(declared_at=start, ended_at=start + dt.timedelta(minutes=185))
    report = _ok(katrin.get(f"/crises/{crisis_id}"))["report"]
    assert report["counts"] == {
        "declared": 1, "held": 13, "statement": 1, "released": 11, "rescheduled": 1, "cancelled": 1, "note": 1,
        "ended": 1,
    }  # fmt: skip
    assert (report["duration_seconds"], report["first_statement_after_seconds"], report["still_on_hold"]) == (
        185 * 60,
        9 * 60,
        [],
    )
    assert [e["kind"] for e in report["events"]][:2] == ["declared", "held"]
    assert report["events"][-1] == {
        "id": report["events"][-1]["id"], "kind": "ended", "post_id": None, "actor": "Katrin Schulz",
        "detail": "Streik beendet; Kunden informiert.", "at": "2026-03-02T11:05:00Z",
    }  # fmt: skip


def test_crisis_scope_and_refusals(api_client_for, demo_org, market):
    julien = api_client_for("fr_market_lead")
    refused = julien.post("/crises", {"title": "Grève", "reason": "Grève.", "market_ids": [market("DE").pk]})
    assert _error(refused) == (400, "validation", "No such market.", "market_ids")
    org_wide = julien.post("/crises", {"title": "Grève", "reason": "Grève."})
    assert _error(org_wide) == (
        403,
        "forbidden",
        "Only members holding 'crisis.manage' at Global level may do this.",
        None,
    )
    no_reason = julien.post("/crises", {"title": "Grève", "reason": " ", "market_ids": [market("FR").pk]})
    assert _error(no_reason) == (400, "validation", "Say why a crisis is declared: it goes into the report.", "reason")
    assert Crisis.objects.filter(organization=demo_org).count() == 1
    past = Crisis.objects.get(organization=demo_org, title=PAST_CRISIS)
    report = _ok(julien.get(f"/crises/{past.pk}"))["report"]
    # The demo's past crisis: statement out in 14 minutes, ended after five hours.
    assert (report["first_statement_after_seconds"], report["duration_seconds"]) == (14 * 60, 300 * 60)


def test_holding_statements(api_client_for, demo_org):
    hq = api_client_for("hq_admin")
    listed = _ok(hq.get("/statements"))
    assert [s["language"] for s in listed["items"]] == ["de", "en", "fr", "pt-BR"]
    crisis_dim = Dimension.objects.get(organization=demo_org, key="crisis")
    created = _ok(hq.post("/statements", {"title": "Plant incident", "language": "en",
                                          "text": "We are aware of an incident at one of our plants.",
                                          "dimension_id": crisis_dim.pk}), 201)  # fmt: skip
    assert (created["approved_by"], created["is_active"]) == ("Claire Martin", True)
    assert created["master_id"] is not None
    updated = _ok(hq.put(f"/statements/{created['id']}", {"title": "Plant incident", "language": "en",
                                                          "text": "We are aware of an incident at our plant.",
                                                          "dimension_id": crisis_dim.pk}))  # fmt: skip
    assert (updated["text"], updated["master_id"]) == (
        "We are aware of an incident at our plant.",
        created["master_id"],
    )
    assert MasterContent.objects.get(pk=created["master_id"]).body == "We are aware of an incident at our plant."
    duplicate = hq.post("/statements", {"title": "Plant incident", "language": "en", "text": "Again.",
                                        "dimension_id": crisis_dim.pk})  # fmt: skip
    assert _error(duplicate) == (
        409,
        "conflict",
        "A statement with this title exists in this language already.",
        "title",
    )
    refused = api_client_for("fr_market_lead").post(
        "/statements", {"title": "Incident", "language": "fr", "text": "Incident.", "dimension_id": crisis_dim.pk}
    )
    assert _error(refused) == (
        403,
        "forbidden",
        "Only members holding 'content.approve' at Global level may do this.",
        None,
    )


# --- the audit trail stays immutable -----------------------------------------------------------------------


def test_audit_entries_of_approvals_are_readable_and_cannot_be_changed(api_client_for, client_for, demo_org, market):
    camille, lucas, hq = (api_client_for(k) for k in ("fr_community_manager", "brand_approver", "hq_admin"))
    post_id = _fr_post(camille, demo_org, text="Vireo Coat X durcit plus vite.")["id"]
    _ok(camille.post(f"/posts/{post_id}/submit"))
    _ok(lucas.post(f"/posts/{post_id}/review", {"verb": "approve", "comment": "OK pour moi."}))
    crisis = _ok(api_client_for("de_market_lead").post(
        "/crises", {"title": "Streik", "reason": "Streik im Werk.", "market_ids": [market("DE").pk]}), 201)  # fmt: skip

    def entries(action: str) -> list[dict[str, Any]]:
        return _ok(hq.get("/api/v1/audit", action=action, limit=500))["items"]

    approve = [e for e in entries("review.approve") if e["target_id"] == str(post_id)]
    assert [(e["actor_label"], e["target_type"], e["market_code"], e["before"], e["after"]) for e in approve] == [
        ("Lucas Moreau", "content.post", "FR", None,
         {"step": "Brand", "comment": "OK pour moi.", "by": "Lucas Moreau", "round": 1}),
    ]  # fmt: skip
    moves = [(e["before"], e["after"]) for e in reversed(entries("post.transition")) if e["target_id"] == str(post_id)]
    assert moves == [
        ({"status": "draft", "status_note": ""}, {"status": "in_review", "status_note": "Brand review (HQ)"}),
        ({"status": "in_review", "status_note": "Brand review (HQ)"},
         {"status": "approved", "status_note": "Approved by Lucas Moreau."}),
    ]  # fmt: skip
    declare = [e for e in entries("crisis.declare") if e["target_id"] == str(crisis["crisis"]["id"])]
    assert [(e["actor_label"], e["before"]) for e in declare] == [("Katrin Schulz", None)]
    assert declare[0]["after"] == {
        "title": "Streik", "reason": "Streik im Werk.", "markets": [market("DE").pk], "channels": [],
        "circuit": None, "held_posts": crisis["held_post_ids"],
    }  # fmt: skip

    # No method changes an entry: not on the list, not on an entry (which has no path of its own).
    entry = AuditEntry.objects.get(pk=approve[0]["id"])
    count = AuditEntry.objects.count()
    body = {"action": "review.reject", "after": {}}
    for method in ("post", "put", "patch", "delete"):
        on_list = getattr(hq.client, method)("/api/v1/audit", body, content_type=JSON)
        assert on_list.status_code == 405, method
        on_entry = getattr(hq.client, method)(f"/api/v1/audit/{entry.pk}", body, content_type=JSON)
        assert on_entry.status_code in (404, 405), method
    assert hq.client.get(f"/api/v1/audit/{entry.pk}").status_code == 404
    assert AuditEntry.objects.count() == count
    again = AuditEntry.objects.get(pk=entry.pk)
    assert (again.action, again.after, again.created_at) == (entry.action, entry.after, entry.created_at)
    # Nor through the pages: the audit log page only reads.
    page = client_for("hq_admin")
    assert page.get("/audit/").status_code == 200
    assert page.post("/audit/", {"action": "x"}).status_code == 405


# --- isolation, OpenAPI, query counts ----------------------------------------------------------------------


def test_another_organization_sees_nothing(api_client_for, other_org, demo_org):
    org, actor = other_org
    _token, raw = token_create(user=actor.user, organization_id=org.pk, name="tests")
    other = Api(raw)
    for path in ("/queue", "/overdue", "/submissions", "/circuits", "/conditions", "/crises", "/statements"):
        assert _ok(other.get(path)) == {"items": [], "count": 0}, path
    post = Post.objects.filter(organization=demo_org, status="in_review").first()
    assert post is not None
    assert _error(other.get(f"/posts/{post.pk}")) == (404, "not_found", "No such post.", None)
    assert _error(other.post(f"/posts/{post.pk}/review", {"verb": "approve"}))[0] == 404
    past = Crisis.objects.get(organization=demo_org, title=PAST_CRISIS)
    assert _error(other.get(f"/crises/{past.pk}")) == (404, "not_found", "No such crisis.", None)
    circuit = ApprovalCircuit.objects.filter(organization=demo_org).first()
    assert circuit is not None
    assert _error(other.delete(f"/circuits/{circuit.pk}")) == (404, "not_found", "No such circuit.", None)


def test_openapi_lists_the_approvals_paths(demo_org):
    schema = Client().get("/api/openapi.json").json()
    paths = {path: sorted(ops) for path, ops in schema["paths"].items() if path.startswith(PREFIX + "/")}
    assert paths == {
        "/api/v1/approvals/queue": ["get"],
        "/api/v1/approvals/overdue": ["get"],
        "/api/v1/approvals/submissions": ["get"],
        "/api/v1/approvals/posts/{post_id}": ["get"],
        "/api/v1/approvals/posts/{post_id}/submit": ["post"],
        "/api/v1/approvals/posts/{post_id}/review": ["post"],
        "/api/v1/approvals/posts/{post_id}/withdraw": ["post"],
        "/api/v1/approvals/posts/{post_id}/rework": ["post"],
        "/api/v1/approvals/posts/{post_id}/external-links": ["post"],
        "/api/v1/approvals/external-links": ["post"],
        "/api/v1/approvals/external-links/{link_id}/revoke": ["post"],
        "/api/v1/approvals/external/{token}": ["get"],
        "/api/v1/approvals/external/{token}/posts/{post_id}": ["post"],
        "/api/v1/approvals/notifications": ["get"],
        "/api/v1/approvals/notifications/read": ["post"],
        "/api/v1/approvals/post-states": ["get"],
        "/api/v1/approvals/one-voice/localizations/{localization_id}": ["get"],
        "/api/v1/approvals/one-voice/posts/{post_id}": ["get"],
        "/api/v1/approvals/circuits": ["get", "post"],
        "/api/v1/approvals/circuits/{circuit_id}": ["delete", "get", "put"],
        "/api/v1/approvals/conditions": ["get", "post"],
        "/api/v1/approvals/conditions/{condition_id}": ["delete"],
        "/api/v1/approvals/crises": ["get", "post"],
        "/api/v1/approvals/crises/{crisis_id}": ["get"],
        "/api/v1/approvals/crises/{crisis_id}/posts/{post_id}/release": ["post"],
        "/api/v1/approvals/crises/{crisis_id}/posts/{post_id}/reschedule": ["post"],
        "/api/v1/approvals/crises/{crisis_id}/posts/{post_id}/cancel": ["post"],
        "/api/v1/approvals/crises/{crisis_id}/notes": ["post"],
        "/api/v1/approvals/crises/{crisis_id}/statements/{statement_id}/publish": ["post"],
        "/api/v1/approvals/crises/{crisis_id}/end": ["post"],
        "/api/v1/approvals/statements": ["get", "post"],
        "/api/v1/approvals/statements/{statement_id}": ["put"],
    }
    external = schema["paths"][PREFIX + "/external/{token}/posts/{post_id}"]["post"]
    assert "security" not in external  # the token in the path is the credential
    assert schema["paths"][PREFIX + "/queue"]["get"]["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]


def _queries(api: Api, path: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        body = _ok(api.get(path))
    return len(captured.captured_queries), body


def test_queue_and_crisis_list_run_a_constant_number_of_queries(
    api_client_for, demo_org, market, django_assert_max_num_queries
):
    lucas, camille, hq = (api_client_for(k) for k in ("brand_approver", "fr_community_manager", "hq_admin"))
    lucas.get("/post-states")  # the token's last_used_at is written once a minute; keep it out of the counts
    hq.get("/post-states")
    queries, body = _queries(lucas, "/queue")
    assert body["count"] == 1
    for n in range(3):
        post_id = _fr_post(camille, demo_org, text=f"Vireo Coat X, épisode {n}.")["id"]
        _ok(camille.post(f"/posts/{post_id}/submit"))
    with django_assert_max_num_queries(queries):
        assert _ok(lucas.get("/queue"))["count"] == 4
    assert _queries(lucas, "/queue")[0] == queries

    queries, body = _queries(hq, "/crises")
    assert body["count"] == 1
    _ok(hq.post("/crises", {"title": "Rumeur", "reason": "Une rumeur.", "market_ids": [market("FR").pk]}), 201)
    _ok(hq.post("/crises", {"title": "Outage", "reason": "X is down.", "channel_ids": [_channel("@VireoUS").pk]}), 201)
    with django_assert_max_num_queries(queries):
        assert _ok(hq.get("/crises"))["count"] == 3
    assert _queries(hq, "/crises")[0] == queries
    assert queries <= 10


# --- one voice ---------------------------------------------------------------------------------------------


def test_one_voice_reports_of_localizations_and_posts(api_client_for, demo_org):
    claire = api_client_for("hq_admin")
    fr = Localization.objects.get(master=demo_master(demo_org), market__code="FR")
    report = _ok(claire.get(f"/one-voice/localizations/{fr.pk}"))
    assert (report["score"], report["grade"], report["reasons"]) == (80, "review", ["Figure “35%” became “30 %” (−20)"])
    assert [(f["text"], f["kind"], f["status"], f["found"]) for f in report["figures"]] == [
        ("35%", "percent", "changed", "30 %"),
        ("80", "number", "preserved", "80"),
    ]
    assert [(n["item"], n["status"]) for n in report["names"]] == [("Vireo Coat X", "preserved")]
    br = Localization.objects.get(master=demo_master(demo_org), market__code="BR")
    br_response = claire.get(f"/one-voice/localizations/{br.pk}")
    assert _error(br_response)[:2] == (404, "not_found")
    post = Post.objects.get(channel__handle="vireo-france", status="in_review")
    assert _ok(claire.get(f"/one-voice/posts/{post.pk}"))["score"] == 80
