"""What people see and do: the publishing page (queue with reasons, workers, confirm / publish again), the post
page's publication panel, the REST API, and ``/health`` with the workers' heartbeats."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.content.models import Post
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Organization
from harmonie.publishing import services
from harmonie.publishing.models import Publication, WorkerHeartbeat
from harmonie.publishing.policy import Policy
from harmonie.publishing.testing.setup import due_posts
from harmonie.publishing.testing.sink import Fault

ACCOUNT = "vireo-fr-sink"
EMAILS = {p.key: p.email for p in PERSONAS}


@pytest.fixture
def states(fr_sink, sink, work) -> dict[str, Publication]:
    """One publication in each state a person may meet, and one post due that no worker has taken."""
    posts = due_posts(channel=fr_sink, count=4, at=timezone.now(), text="Post {n}")
    sink.fail_next(
        ACCOUNT, Fault("slow"), Fault("error_after_store"), Fault("validation", message="Text too long."),
        Fault("unavailable", message="Down for now."),
    )  # fmt: skip
    sink.reconcile_next(ACCOUNT, "unknown")
    work()
    due = due_posts(channel=fr_sink, count=1, at=timezone.now(), text="Due post")[0]
    pubs = {p.post_id: p for p in Publication.objects.filter(post__in=posts)}
    found = dict(zip(["published", "unconfirmed", "failed", "retry"], [pubs[p.pk] for p in posts], strict=True))
    assert {k: v.status for k, v in found.items()} == {
        "published": "published", "unconfirmed": "unconfirmed", "failed": "failed", "retry": "retry_wait",
    }  # fmt: skip
    found["due"] = due  # type: ignore[assignment]
    return found


@pytest.fixture
def client_for(client_for: Callable[[str], Client]) -> Callable[[str], Client]:
    """The personas' clients, in English whatever their language (several of them read French)."""

    def get(key: str) -> Client:
        User.objects.filter(email=EMAILS[key]).update(language="en")
        return client_for(key)

    return get


def _testid(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)<', html, re.S)
    assert match, f"no {testid}"
    return match.group(1).strip()


# --- the publishing page ---------------------------------------------------------------------------------


def test_the_queue_shows_each_section_with_its_reasons_and_a_warning_when_no_worker_beats(client_for, states):
    html = client_for("fr_community_manager").get("/publishing/").content.decode()
    counts = {name: _testid(html, f"count-{name}") for name in ("due", "sending", "retry", "unconfirmed", "failed")}
    assert counts == {"due": "1", "sending": "0", "retry": "1", "unconfirmed": "1", "failed": "1"}
    assert _testid(html, f"reason-{states['failed'].pk}") == ("Loopback sink (tests) refused the post: Text too long.")
    assert _testid(html, f"reason-{states['retry'].pk}") == "Down for now."
    assert _testid(html, f"reason-{states['unconfirmed'].pk}").startswith("Unconfirmed: the network did not say")
    assert f'data-testid="confirm-form-{states["unconfirmed"].pk}"' in html
    assert f'data-testid="again-form-{states["failed"].pk}"' in html
    assert f'data-testid="publication-{states["published"].pk}"' not in html  # done: not in the queue
    # The worker that ran for the fixture said it stopped: nobody is publishing.
    assert _testid(html, "no-worker").startswith("No worker has beaten in the last 30 seconds (the last beat was at ")


def test_a_live_worker_is_listed(client_for, states):
    services.worker_beat(worker_id="box:42:1", host="box", pid=42, started_at=timezone.now(), handled=7)
    html = client_for("hq_admin").get("/publishing/").content.decode()
    assert 'data-testid="no-worker"' not in html
    row = re.search(r'data-testid="worker-1">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
    assert cells == ["box:42:1", "box", "42", "0 s ago", "7", "0"]


def test_members_see_only_their_markets_publications(client_for, states):
    html = client_for("de_community_manager").get("/publishing/").content.decode()
    counts = {name: _testid(html, f"count-{name}") for name in ("due", "sending", "retry", "unconfirmed", "failed")}
    assert set(counts.values()) == {"0"}
    response = client_for("de_community_manager").post(
        f"/publishing/publications/{states['unconfirmed'].pk}/confirm/", {"url": "https://x.example/1"}
    )
    assert response.status_code == 404


def test_the_queue_costs_the_same_queries_whatever_its_length(client_for, states, fr_sink, sink, work):
    client = client_for("fr_community_manager")
    client.get("/publishing/")
    with CaptureQueriesContext(connection) as few:
        client.get("/publishing/")
    sink.fail_next(ACCOUNT, *[Fault("validation", message="No.")] * 6)
    due_posts(channel=fr_sink, count=6, at=timezone.now())
    work()
    with CaptureQueriesContext(connection) as many:
        html = client.get("/publishing/").content.decode()
    assert _testid(html, "count-failed") == "7"
    assert len(many) == len(few)


def test_confirm_with_a_bad_address_says_what_to_fix_then_a_good_one_publishes(client_for, states):
    client = client_for("fr_community_manager")
    pub = states["unconfirmed"]
    response = client.post(f"/publishing/publications/{pub.pk}/confirm/", {"url": "not a url"})
    assert response.status_code == 400
    assert _testid(response.content.decode(), f"action-error-{pub.pk}") == (
        "Give the address of the post on the network (it starts with https://)."
    )
    response = client.post(f"/publishing/publications/{pub.pk}/confirm/", {"url": "https://sink.invalid/p/9"})
    assert (response.status_code, response["Location"]) == (302, "/publishing/")
    pub.refresh_from_db()
    assert (pub.status, pub.remote_url) == ("published", "https://sink.invalid/p/9")


def test_publish_again_from_the_post_page_comes_back_to_it(client_for, states):
    pub = states["failed"]
    response = client_for("fr_community_manager").post(
        f"/publishing/publications/{pub.pk}/publish-again/", {"next": f"/content/posts/{pub.post_id}/"}
    )
    assert (response.status_code, response["Location"]) == (302, f"/content/posts/{pub.post_id}/")
    pub.refresh_from_db()
    assert (pub.status, Post.objects.get(pk=pub.post_id).status) == ("pending", "scheduled")


def test_members_who_cannot_create_content_see_no_action_and_are_refused(client_for, states):
    client = client_for("analyst")
    html = client.get("/publishing/").content.decode()
    assert _testid(html, "count-unconfirmed") == "1"
    assert "confirm-form-" not in html
    response = client.post(f"/publishing/publications/{states['unconfirmed'].pk}/publish-again/")
    assert response.status_code == 403


def test_the_post_page_shows_the_publication_and_its_attempts(client_for, states):
    pub = states["unconfirmed"]
    # The post page previews the post as its network shows it, which the sink has not: move the post (and its
    # publication) to the demo's French Bluesky channel, as if it had been published there.
    bluesky = Channel.objects.get(handle="vireo-fr.bsky.social")
    Post.objects.filter(pk=pub.post_id).update(channel=bluesky)
    Publication.objects.filter(pk=pub.pk).update(channel=bluesky)
    html = client_for("fr_community_manager").get(f"/content/posts/{pub.post_id}/").content.decode()
    panel = html[html.index('data-testid="post-publications"') :]
    assert _testid(panel, "publication-status") == "Unconfirmed"
    assert _testid(panel, "publication-error").startswith("Unconfirmed: the network did not say whether the post")
    outcomes = re.findall(r'data-testid="attempt-outcome">([^<]*)<', panel)
    assert outcomes == ["Outcome unknown", "The network cannot tell"]
    assert f'data-testid="confirm-form-{pub.pk}"' in panel
    assert f'value="/content/posts/{pub.post_id}/"' in panel  # actions come back to the post


def test_the_post_page_of_a_network_without_declared_limits_shows_no_preview_instead_of_failing(client_for, states):
    pub = states["published"]  # on the loopback sink, a network without limits (tests and benchmarks only)
    response = client_for("fr_community_manager").get(f"/content/posts/{pub.post_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _testid(html, "no-preview") == "No preview for this network."
    assert 'data-testid="post-preview"' not in html
    assert _testid(html[html.index('data-testid="post-publications"') :], "publication-status") == "Published"


@pytest.fixture
def failed_comment(fr_sink, sink, work) -> Publication:
    """A published post whose first comment the network refused."""
    post = due_posts(channel=fr_sink, count=1, at=timezone.now(), text="Avec un commentaire")[0]
    Post.objects.filter(pk=post.pk).update(first_comment="Plus d'infos en commentaire")
    sink.fail_next(ACCOUNT, Fault("slow"), Fault("policy", message="Replies are closed."))
    work()
    pub = Publication.objects.get(post=post)
    assert (pub.status, pub.comment_status) == ("published", "failed")
    return pub


def test_the_post_page_says_the_first_comment_failed_and_sends_it_again(client_for, failed_comment, sink, work):
    pub = failed_comment
    client = client_for("fr_community_manager")
    html = client.get(f"/content/posts/{pub.post_id}/").content.decode()
    panel = html[html.index('data-testid="post-publications"') :]
    assert _testid(panel, "publication-status") == "Published"
    assert _testid(panel, "comment-status") == "Failed"
    assert _testid(panel, "comment-error") == "First comment failed: Replies are closed."
    outcomes = re.findall(r'data-testid="attempt-outcome">([^<]*)<', panel)
    assert outcomes == ["Published", "Failed"]
    assert f'data-testid="comment-retry-form-{pub.pk}"' in panel
    response = client.post(f"/publishing/publications/{pub.pk}/first-comment/retry/",
                           {"next": f"/content/posts/{pub.post_id}/"})  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, f"/content/posts/{pub.post_id}/")
    work()
    html = client.get(f"/content/posts/{pub.post_id}/").content.decode()
    assert _testid(html, "comment-status") == "Published"
    assert 'data-testid="comment-url"' in html
    assert len(sink.posts(ACCOUNT)) == 2  # the post once, its first comment once


def test_the_queue_lists_first_comments_that_need_a_person(client_for, failed_comment):
    html = client_for("fr_community_manager").get("/publishing/").content.decode()
    assert _testid(html, "count-comments") == "1"
    assert _testid(html, f"comment-reason-{failed_comment.pk}") == "First comment failed: Replies are closed."
    assert f'data-testid="comment-retry-form-{failed_comment.pk}"' in html
    assert _testid(html, "count-failed") == "0"  # the post itself did not fail
    html = client_for("analyst").get("/publishing/").content.decode()
    assert "comment-retry-form-" not in html


# --- the API -------------------------------------------------------------------------------------------------


@pytest.fixture
def api(demo_org: Organization) -> Callable[[str], Client]:
    def get(key: str) -> Client:
        User.objects.filter(email=EMAILS[key]).update(language="en")
        _token, raw = token_create(user=User.objects.get(email=EMAILS[key]), organization_id=demo_org.pk, name="t")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return get


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return json.loads(response.content)


def test_api_lists_and_details_publications_with_their_attempts(api, states):
    camille = api("fr_community_manager")
    rows = _json(camille.get("/api/v1/publishing/publications", {"status": "unconfirmed"}))
    pub = states["unconfirmed"]
    assert [(r["id"], r["status"], r["network"], r["must_reconcile"]) for r in rows["items"]] == [
        (pub.pk, "unconfirmed", "sink", True)
    ]
    detail = _json(camille.get(f"/api/v1/publishing/publications/{pub.pk}"))
    assert [(a["number"], a["kind"], a["outcome"], a["http_status"]) for a in detail["attempts"]] == [
        (1, "publish", "unknown", 500),
        (2, "reconcile", "undetermined", None),
    ]
    assert _json(api("de_community_manager").get(f"/api/v1/publishing/publications/{pub.pk}"), 404)["error"] == (
        "not_found"
    )


def test_api_confirm_and_publish_again(api, states):
    camille = api("fr_community_manager")
    pub = states["unconfirmed"]
    body = _json(camille.post(f"/api/v1/publishing/publications/{pub.pk}/confirm",
                              {"url": "https://sink.invalid/p/1"}, content_type="application/json"))  # fmt: skip
    assert (body["status"], body["remote_url"], body["confirmed_by"]) == (
        "published", "https://sink.invalid/p/1", "Camille Durand",
    )  # fmt: skip
    again = camille.post(f"/api/v1/publishing/publications/{pub.pk}/publish-again")
    assert _json(again, 400) == {
        "error": "invalid_transition", "field": "status",
        "message": "Only an unconfirmed or failed publication can be published again; this one is published.",
    }  # fmt: skip
    body = _json(camille.post(f"/api/v1/publishing/publications/{states['failed'].pk}/publish-again"))
    assert body["status"] == "pending"


def test_api_shows_the_first_comment_and_sends_it_again(api, failed_comment, work):
    camille = api("fr_community_manager")
    pub = failed_comment
    body = _json(camille.get(f"/api/v1/publishing/publications/{pub.pk}"))
    assert (body["status"], body["first_comment_status"], body["first_comment_error"], body["first_comment_key"]) == (
        "published", "failed", "First comment failed: Replies are closed.", pub.comment_key,
    )  # fmt: skip
    assert [(a["kind"], a["outcome"], a["error_kind"]) for a in body["attempts"]] == [
        ("publish", "published", ""), ("comment", "failed", "policy"),
    ]  # fmt: skip
    body = _json(camille.post(f"/api/v1/publishing/publications/{pub.pk}/first-comment/retry"))
    assert (body["status"], body["first_comment_status"]) == ("published", "pending")
    refused = camille.post(f"/api/v1/publishing/publications/{pub.pk}/first-comment/retry")
    assert _json(refused, 400) == {
        "error": "invalid_transition", "field": "comment_status",
        "message": "Only a first comment that failed or is unconfirmed can be sent again; this one is waiting to be "
        "sent.",
    }  # fmt: skip
    work()
    body = _json(camille.get(f"/api/v1/publishing/publications/{pub.pk}"))
    assert (body["first_comment_status"], body["first_comment_remote_id"] != "") == ("published", True)


def test_api_workers(api, states):
    body = _json(api("analyst").get("/api/v1/publishing/workers"))
    assert (body["status"], body["workers"], body["stale_after_seconds"]) == ("degraded", [], 30.0)
    services.worker_beat(worker_id="box:42:1", host="box", pid=42, started_at=timezone.now())
    body = _json(api("analyst").get("/api/v1/publishing/workers"))
    assert (body["status"], body["reason"], [(w["id"], w["pid"]) for w in body["workers"]]) == (
        "ok", "", [("box:42:1", 42)],
    )  # fmt: skip


# --- /health ---------------------------------------------------------------------------------------------------


def test_health_reports_the_workers_and_degrades_without_one(client, db):
    WorkerHeartbeat.objects.all().delete()
    body = _json(client.get("/health"))
    assert body == {
        "status": "degraded", "database": True, "workers": [],
        "reason": "No worker has ever run: start one with `harmonie worker` (or `harmonie run`).",
    }  # fmt: skip
    started = timezone.now()
    services.worker_beat(worker_id="box:42:1", host="box", pid=42, started_at=started)
    body = _json(client.get("/health"))
    assert (body["status"], body["database"], "reason" in body) == ("ok", True, False)
    assert [(w["id"], w["host"], w["pid"]) for w in body["workers"]] == [("box:42:1", "box", 42)]
    assert body["workers"][0]["seconds_since_beat"] < 5
    old = timezone.now() - dt.timedelta(seconds=31)
    WorkerHeartbeat.objects.filter(worker_id="box:42:1").update(last_beat=old)
    body = _json(client.get("/health"))
    assert (body["status"], body["workers"]) == ("degraded", [])
    assert body["reason"] == (
        f"No worker has beaten in the last 30 seconds (the last beat was at {old:%Y-%m-%d %H:%M:%S} UTC): scheduled "
        "posts are not being published. Start one with `harmonie worker`."
    )
    services.worker_beat(worker_id="box:42:1", host="box", pid=42, started_at=started)
    services.worker_stopped(worker_id="box:42:1")
    assert _json(client.get("/health"))["workers"] == []


def test_a_beat_renews_the_leases_of_what_the_worker_owns(fr_sink):
    due_posts(channel=fr_sink, count=2, at=timezone.now())
    claimed = services.publications_claim(worker_id="box:42:1", limit=5, policy=Policy(lease_seconds=5)).claimed
    services.worker_beat(worker_id="box:42:1", host="box", pid=42, started_at=timezone.now(),
                         policy=Policy(lease_seconds=300))  # fmt: skip
    leases = Publication.objects.filter(pk__in=claimed).values_list("lease_until", flat=True)
    assert all(lease > timezone.now() + dt.timedelta(seconds=290) for lease in leases)


def test_openapi_lists_the_publishing_endpoints(db):
    schema = json.loads(Client().get("/api/openapi.json").content)
    paths = sorted(p for p in schema["paths"] if p.startswith("/api/v1/publishing/"))
    assert paths == [
        "/api/v1/publishing/publications",
        "/api/v1/publishing/publications/{publication_id}",
        "/api/v1/publishing/publications/{publication_id}/confirm",
        "/api/v1/publishing/publications/{publication_id}/first-comment/retry",
        "/api/v1/publishing/publications/{publication_id}/publish-again",
        "/api/v1/publishing/workers",
    ]
    assert sorted(schema["paths"]["/api/v1/publishing/publications/{publication_id}/confirm"]["post"]["responses"]) == [
        "200", "400", "401", "403", "404", "409",
    ]  # fmt: skip
