"""The review pages, driven with the test client over the demo: the queue of each approver, a post's review page
(four-eyes, decisions, the full cycle with changes requested), the author's moves from the post pages, external
review links (shown once; the page without an account; expired, revoked, not covered), notifications, French."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from harmonie.accounts.models import User
from harmonie.approvals.models import ApprovalCircuit, ExternalReviewLink, Notification, ReviewAction
from harmonie.approvals.services import circuits as circuit_services
from harmonie.approvals.services import external as external_services
from harmonie.approvals.services import workflow
from harmonie.content import services as content_services
from harmonie.content.models import Localization, MasterContent, Post, PostStatus
from harmonie.content.templatetags.content_ui import wall_clock
from harmonie.content.timeutils import local_to_utc
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel

FOUR_EYES = "You wrote or submitted this post: someone else must approve it (four-eyes)."
FR_TEXT = "Vireo Coat X durcit 30 % plus vite à 80 °C : vos lignes redémarrent plus tôt."


@pytest.fixture
def client_as(client_for):
    """``client_as("brand_approver")``: logged in, interface in English (or ``language``)."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str, language: str = "en") -> Client:
        User.objects.filter(email=emails[key]).update(language=language)
        return client_for(key)

    return get


@pytest.fixture
def fr_post(demo_org) -> Post:
    """The demo's French LinkedIn post: Brand approved, Legal (Sophie) pending, shared with the external counsel."""
    return Post.objects.get(organization=demo_org, channel__handle="vireo-france", status="in_review")


@pytest.fixture
def de_post(demo_org) -> Post:
    """The demo's German LinkedIn post, pending at Brand (Lucas) for 30 hours: 6 hours past its 24 h target."""
    return Post.objects.get(organization=demo_org, channel__handle="vireo-deutschland", status="in_review")


@pytest.fixture
def us_post(demo_org) -> Post:
    return Post.objects.get(organization=demo_org, channel__handle="@VireoUS", status="changes_requested")


def _html(response) -> str:
    return response.content.decode()


def _ids(html: str, prefix: str) -> list[int]:
    return [int(x) for x in re.findall(rf'data-testid="{re.escape(prefix)}(\d+)"', html)]


def _row(html: str, testid: str) -> str:
    match = re.search(rf'<tr data-testid="{re.escape(testid)}"[^>]*>.*?</tr>', html, re.S)
    assert match, testid
    return match.group(0)


def _messages(html: str) -> list[str]:
    return re.findall(r'<p class="message message-\w+">(.*?)</p>', html)


def _new_fr_post(persona, text: str) -> Post:
    """A post of Camille's from the French localization, scheduled in three weeks: submitted for review."""
    loc = Localization.objects.get(master__campaign__name="Vireo Coat X launch", master__kind="master",
                                   market__code="FR")  # fmt: skip
    channel = Channel.objects.get(handle="vireo-france")
    when = local_to_utc(timezone.localdate() + dt.timedelta(days=21), dt.time(10, 0), channel.timezone)
    return content_services.post_create(
        actor=persona("fr_community_manager"), channel=channel, localization=loc, text=text, scheduled_at=when
    )


# --- the queue -----------------------------------------------------------------------------------


def test_lucas_queue_lists_exactly_the_overdue_german_post(client_as, de_post):
    html = _html(client_as("brand_approver").get(reverse("approvals:queue")))
    assert _ids(html, "queue-item-") == [de_post.pk]
    row = _row(html, f"queue-item-{de_post.pk}")
    assert (
        f'<a href="/approvals/posts/{de_post.pk}/" data-testid="queue-item-{de_post.pk}-open">'
        "Vireo Coat X härtet schneller aus: Ihre Linien laufen früher wieder an. Jetzt Test anfragen.</a>"
    ) in row
    assert 'Vireo Deutschland<br><small class="muted">LinkedIn · vireo-deutschland</small>' in row
    assert '<td data-testid="queue-market">Germany</td>' in row
    assert '<strong data-testid="queue-step">Brand</strong>' in row
    assert '<small class="muted" data-testid="queue-reason">Governance matrix: Product × default</small>' in row
    planned = wall_clock(de_post.scheduled_at, "Europe/Berlin")
    assert f'<span data-testid="queue-planned">{planned}</span><br><small class="muted">Europe/Berlin</small>' in row
    assert '<span class="badge overdue" data-testid="queue-overdue">overdue by 6 h</span>' in row
    assert 'data-testid="queue-count">1</span>' in html
    # An approver at Global oversees every market: the same step is overdue there.
    assert _ids(html, "overdue-item-") == [de_post.pk]
    assert 'data-testid="submissions-empty"' in html


def test_sophie_queue_lists_the_french_post_at_legal(client_as, fr_post, de_post):
    html = _html(client_as("legal_approver").get(reverse("approvals:queue")))
    assert _ids(html, "queue-item-") == [fr_post.pk]
    row = _row(html, f"queue-item-{fr_post.pk}")
    assert '<strong data-testid="queue-step">Legal</strong>' in row
    assert 'data-testid="queue-reason">Contains figures or financial terms: 30 %</small>' in row
    assert "queue-overdue" not in row
    assert '<td data-testid="queue-market">France</td>' in row
    assert _ids(html, "overdue-item-") == [de_post.pk]


def test_community_manager_sees_her_submissions_and_no_overdue_section(client_as, fr_post):
    html = _html(client_as("fr_community_manager").get(reverse("approvals:queue")))
    assert _ids(html, "queue-item-") == []
    assert (
        '<p class="muted" data-testid="queue-empty">Nothing is waiting for you. When a post reaches a step you '
        "approve, it appears here and you are notified.</p>"
    ) in html
    assert "queue-overdue-section" not in html  # overdue steps are for those who approve
    assert _ids(html, "submission-") == [fr_post.pk]
    row = _row(html, f"submission-{fr_post.pk}")
    assert '<span class="badge status-in_review" data-testid="post-status">In review</span>' in row
    assert 'data-testid="status-note">Brand review (HQ), Legal check of figures</small>' in row


def test_queue_runs_a_fixed_number_of_queries(client_as, persona, django_assert_num_queries):
    """More posts waiting for Lucas: not one query more."""
    client = client_as("brand_approver")
    client.get(reverse("approvals:queue"))
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse("approvals:queue")).status_code == 200
    for i in range(3):
        _new_fr_post(persona, f"Vireo Coat X arrive en France, épisode {'ABC'[i]}.")
    with django_assert_num_queries(len(before)):
        html = _html(client.get(reverse("approvals:queue")))
    assert len(_ids(html, "queue-item-")) == 4


# --- a post's review page ------------------------------------------------------------------------


def test_author_sees_the_four_eyes_refusal_on_her_own_post(client_as, fr_post):
    client = client_as("fr_community_manager")
    html = _html(client.get(reverse("approvals:post", args=[fr_post.pk])))
    assert f'<p class="notice-refused" data-testid="why-not">{FOUR_EYES}</p>' in html
    assert 'data-testid="review-approve"' not in html
    assert 'data-testid="review-post-comment"' in html  # anyone who sees the post may comment
    assert 'data-testid="current-step">Current step: <strong>Legal</strong>' in html
    response = client.post(reverse("approvals:post_act", args=[fr_post.pk]), {"verb": "approve", "comment": ""})
    assert response.status_code == 403
    assert f'data-testid="review-error">{FOUR_EYES}</p>' in _html(response)
    fr_post.refresh_from_db()
    assert fr_post.status == "in_review"


def test_review_page_shows_the_rounds_steps_thread_and_links(client_as, fr_post):
    html = _html(client_as("legal_approver").get(reverse("approvals:post", args=[fr_post.pk])))
    assert '<span class="badge status-in_review" data-testid="post-status">In review</span>' in html
    assert 'data-testid="status-note">Brand review (HQ), Legal check of figures</small>' in html
    assert f'data-testid="post-text">{FR_TEXT} Rencontrez nos ingénieurs au salon de Lyon.</dd>' in html
    local = wall_clock(fr_post.scheduled_at, "Europe/Paris")
    assert (
        f'<strong data-testid="post-local-time">{local}</strong> <span data-testid="post-zone">Europe/Paris</span>'
        in html
    )
    for testid in ("review-approve", "review-request-changes", "review-reject", "review-comment"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="why-not"' not in html
    brand, legal = _row(html, "step-1-1"), _row(html, "step-1-2")
    assert '<td data-testid="step-approvers">Lucas Moreau</td>' in brand
    assert 'data-testid="step-status">Approved</span>' in brand
    assert '<td data-testid="step-approved-by">Lucas Moreau</td>' in brand
    assert 'aria-current="step"' in legal
    assert '<td data-testid="step-approvers">Sophie Laurent</td>' in legal
    assert "<td>Any one of them</td>" in legal
    assert 'data-testid="step-status">Pending</span>' in legal
    assert '<td class="small">Contains figures or financial terms: 30 %</td>' in legal
    assert re.findall(r'data-testid="thread-item" data-verb="(\w+)"', html) == ["submit", "approve"]
    assert '<p class="review-comment-text" data-testid="thread-comment">Ton et nom conformes.</p>' in html
    link = ExternalReviewLink.objects.get(posts=fr_post)
    assert "Maître Anne Roux (external counsel)" in _row(html, f"link-{link.pk}")
    assert 'data-testid="link-state">active</span>' in _row(html, f"link-{link.pk}")
    # Sophie is an approver at Global: she may revoke any link.
    assert f'data-testid="link-revoke-{link.pk}"' in html
    # What the reviewer checks: the post says 30 % where the master now says 35 %.
    assert '<strong class="ov-score ov-review" data-testid="ov-score" data-score="80">80</strong>' in html
    assert "Figure “35%” became “30 %” (−20)" in html
    assert 'data-testid="network-ok"' in html
    assert 'data-testid="lint-summary"' in html


def test_a_post_of_another_market_is_not_found(client_as, de_post):
    response = client_as("fr_community_manager").get(reverse("approvals:post", args=[de_post.pk]))
    assert response.status_code == 404
    assert "No such post." in _html(response)


def test_full_cycle_changes_requested_edit_resubmit_approve(client_as, persona):
    post = _new_fr_post(persona, "Vireo Coat X arrive en France : rencontrez nos ingénieurs au salon de Lyon.")
    assert (post.status, post.status_note) == ("in_review", "Brand review (HQ)")
    lucas, camille = client_as("brand_approver"), client_as("fr_community_manager")
    review_url = reverse("approvals:post", args=[post.pk])
    act_url = reverse("approvals:post_act", args=[post.pk])
    assert _ids(_html(lucas.get(reverse("approvals:queue"))), "queue-item-")[-1] == post.pk

    # Changes without a comment: the service refuses, on the comment box.
    response = lucas.post(act_url, {"verb": "request_changes", "comment": "  "})
    assert response.status_code == 400
    assert (
        '<small class="form-error" role="alert" data-testid="error-comment">'
        "Say what should change (or why you reject it) in a comment.</small>"
    ) in _html(response)
    response = lucas.post(act_url, {"verb": "request_changes", "comment": "Donnez la date du salon."})
    assert (response.status_code, response["Location"]) == (302, review_url)
    assert _messages(_html(lucas.get(review_url))) == ["Changes requested: the author is notified."]
    post.refresh_from_db()
    assert (post.status, post.status_note) == ("changes_requested", "Lucas Moreau: Donnez la date du salon.")
    assert Notification.objects.filter(member=persona("fr_community_manager").member, post=post,
                                       kind="changes_requested").count() == 1  # fmt: skip

    # Camille edits the post through its edit page, then submits it again from there.
    edit_url = reverse("content:post_edit", args=[post.pk])
    html = _html(camille.get(edit_url))
    assert '<span class="badge status-changes_requested" data-testid="post-status">Changes requested</span>' in html
    assert 'data-testid="status-note">Lucas Moreau: Donnez la date du salon.</small>' in html
    assert 'data-testid="submit-review">Submit for review</button>' in html
    new_text = "Vireo Coat X arrive en France : rencontrez nos ingénieurs au salon de Lyon, du 3 au 5 juin."
    response = camille.post(edit_url, {"text": new_text, "link": "", "first_comment": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.text, post.revision, post.status) == (new_text, 2, "changes_requested")
    response = camille.post(reverse("approvals:post_submit", args=[post.pk]), {"next": edit_url})
    assert (response.status_code, response["Location"]) == (302, edit_url)
    post.refresh_from_db()
    assert post.status == "in_review"
    assert _messages(_html(camille.get(edit_url))) == ["Post saved.", "The post is now in review. Brand review (HQ)"]

    # Lucas approves round 2: the post is scheduled.
    response = lucas.post(act_url, {"verb": "approve", "comment": ""})
    assert (response.status_code, response["Location"]) == (302, review_url)
    post.refresh_from_db()
    assert post.status == "scheduled"
    html = _html(lucas.get(review_url))
    assert _messages(html) == ["Your approval is recorded: the post is scheduled."]
    assert '<span class="badge status-scheduled" data-testid="post-status">Scheduled</span>' in html
    assert re.findall(r'data-testid="round-(\d+)"', html) == ["2", "1"]
    assert re.findall(r'data-testid="round-status">([^<]+)<', html) == ["Approved", "Changes requested"]
    assert re.findall(r'data-testid="thread-item" data-verb="(\w+)"', html) == [
        "submit", "request_changes", "submit", "approve",
    ]  # fmt: skip
    assert 'data-testid="thread-comment">Donnez la date du salon.</p>' in html
    assert 'data-testid="review-approve"' not in html
    assert _ids(_html(lucas.get(reverse("approvals:queue"))), "queue-item-")[-1] != post.pk


def test_reject_then_rework_from_the_post_page(client_as, persona):
    post = _new_fr_post(persona, "Vireo Coat X : la peinture qui sèche pendant que vous dormez.")
    lucas, camille = client_as("brand_approver"), client_as("fr_community_manager")
    response = lucas.post(reverse("approvals:post_act", args=[post.pk]), {"verb": "reject", "comment": "Hors charte."})
    assert response.status_code == 302
    post_url = reverse("content:post", args=[post.pk])
    html = _html(camille.get(post_url))
    assert '<span class="badge status-rejected" data-testid="post-status">Rejected</span>' in html
    assert 'data-testid="status-note">Lucas Moreau: Hors charte.</small>' in html
    assert f'<a href="/approvals/posts/{post.pk}/" role="button" class="secondary" data-testid="post-review">' in html
    assert 'data-testid="rework-post">Rework</button>' in html
    assert 'data-testid="submit-review"' not in html
    # Submitting a rejected post is refused with the service's message.
    response = camille.post(reverse("approvals:post_submit", args=[post.pk]), {"next": post_url}, follow=True)
    assert _messages(_html(response)) == ["This post was rejected: rework it first (it goes back to draft)."]
    response = camille.post(reverse("approvals:post_rework", args=[post.pk]), {"next": post_url})
    assert (response.status_code, response["Location"]) == (302, post_url)
    post.refresh_from_db()
    assert post.status == "draft"
    html = _html(camille.get(post_url))
    assert _messages(html) == ["The post is now draft. Reworked after rejection."]
    assert 'data-testid="submit-review">Submit for review</button>' in html


def test_author_takes_a_post_back_to_draft(client_as, fr_post):
    client = client_as("fr_community_manager")
    html = _html(client.get(reverse("content:post", args=[fr_post.pk])))
    assert 'data-testid="withdraw-review">Take back to draft</button>' in html
    # A "next" pointing elsewhere is not followed.
    response = client.post(reverse("approvals:post_withdraw", args=[fr_post.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("approvals:post", args=[fr_post.pk])
    fr_post.refresh_from_db()
    assert (fr_post.status, fr_post.status_note) == ("draft", "Taken back to draft.")
    assert ReviewAction.objects.filter(post=fr_post).order_by("-pk").values_list("verb", flat=True)[0] == "withdraw"


def test_posts_list_filters_by_every_status_and_shows_badges(client_as, fr_post, de_post, us_post):
    client = client_as("hq_admin")
    html = _html(client.get(reverse("content:posts"), {"status": "in_review"}))
    select = re.search(r'<select name="status".*?</select>', html, re.S)
    assert select
    assert re.findall(r'<option value="([^"]*)"', select.group(0)) == ["", *PostStatus.values]
    assert sorted(_ids(html, "post-")) == sorted([fr_post.pk, de_post.pk])
    assert '<span class="badge status-in_review" data-testid="post-status">In review</span>' in html
    html = _html(client.get(reverse("content:posts"), {"status": "changes_requested"}))
    assert _ids(html, "post-") == [us_post.pk]
    assert f'data-testid="status-note-{us_post.pk}"' in html


# --- external review -----------------------------------------------------------------------------


def _create_link(client: Client, post: Post, name: str = "Jean Martin") -> str:
    data = {"reviewer_name": name, "reviewer_email": "jean.martin@partner.example", "days": "5"}
    response = client.post(reverse("approvals:link_create", args=[post.pk]), data)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    found = re.search(r'data-testid="new-link-url">http://testserver/approvals/external/([\w-]+)/</code>',
                      _html(response))  # fmt: skip
    assert found
    return found.group(1)


def test_external_link_is_shown_once_and_reviews_without_an_account(client_as, fr_post, de_post):
    julien = client_as("fr_market_lead")
    token = _create_link(julien, fr_post)
    link = ExternalReviewLink.objects.get(reviewer_name="Jean Martin")
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert list(link.posts.all()) == [fr_post]
    html = _html(julien.get(reverse("approvals:post", args=[fr_post.pk])))
    assert token not in html  # shown once
    assert 'data-testid="link-state">active</span>' in _row(html, f"link-{link.pk}")

    anonymous = Client()
    page = reverse("approvals:external", args=[token])
    response = anonymous.get(page)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    html = _html(response)
    assert 'data-testid="reviewing-as">Reviewing as Jean Martin' in html
    assert _ids(html, "external-post-") == [fr_post.pk]
    assert f'data-testid="external-text">{FR_TEXT} Rencontrez nos ingénieurs au salon de Lyon.</div>' in html
    planned = wall_clock(fr_post.scheduled_at, "Europe/Paris")
    assert f'<strong data-testid="external-planned">{planned}</strong> <span class="muted">Europe/Paris</span>' in html
    assert 'data-testid="external-current-step">Current step: <strong>Legal</strong>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # No navigation of the app, nothing else of the organization.
    for absent in ('data-testid="nav-', "shell-nav", "Vireo Industries", "/governance/", "/content/"):
        assert absent not in html

    action = reverse("approvals:external_post", args=[token, fr_post.pk])
    response = anonymous.post(action, {"verb": "comment", "comment": "Précisez la norme de l'essai à 80 °C."})
    assert (response.status_code, response["Location"]) == (302, f"{page}#post-{fr_post.pk}")
    html = _html(anonymous.get(page))
    assert _messages(html) == ["Comment added."]
    assert re.findall(r'data-testid="thread-who">([^<]+)<', html)[-1] == "Jean Martin (external reviewer)"
    # Not the reviewer's turn: Legal is in progress.
    response = anonymous.post(action, {"verb": "approve", "comment": ""})
    assert response.status_code == 400
    assert ('data-testid="review-error">It is not your turn yet: the step “Legal” is in progress. '
            "You can comment meanwhile.</p>") in _html(response)  # fmt: skip
    # The comment is in the thread the members see.
    html = _html(client_as("legal_approver").get(reverse("approvals:post", args=[fr_post.pk])))
    assert re.findall(r'data-testid="thread-who">([^<]+)<', html)[-1] == "Jean Martin (external reviewer)"
    assert f'data-testid="thread-comment">{escape("Précisez la norme de l'essai à 80 °C.")}</p>' in html

    # A post the link does not cover: not found, by GET or POST.
    other = reverse("approvals:external_post", args=[token, de_post.pk])
    for response in (anonymous.get(other), anonymous.post(other, {"verb": "comment", "comment": "Hallo"})):
        assert response.status_code == 404
        assert 'data-testid="external-message">This review link does not cover that post.</p>' in _html(response)
    assert not ReviewAction.objects.filter(post=de_post, comment="Hallo").exists()

    # Expired: refused with the reason.
    ExternalReviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    for response in (anonymous.get(page), anonymous.post(action, {"verb": "comment", "comment": "Encore moi."})):
        assert response.status_code == 403
        assert ('data-testid="external-message">This review link has expired. '
                "Ask the person who sent it for a new one.</p>") in _html(response)  # fmt: skip
    response = anonymous.get(reverse("approvals:external", args=["not-a-token"]))
    assert response.status_code == 404
    assert "This review link is not valid. Ask the person who sent it for a new one." in _html(response)


def test_external_form_needs_the_csrf_token(client_as, fr_post):
    token = _create_link(client_as("fr_market_lead"), fr_post)
    strict = Client(enforce_csrf_checks=True)
    action = reverse("approvals:external_post", args=[token, fr_post.pk])
    assert strict.post(action, {"verb": "comment", "comment": "Sans jeton."}).status_code == 403
    html = _html(strict.get(reverse("approvals:external", args=[token])))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert csrf
    response = strict.post(action, {"verb": "comment", "comment": "Avec jeton.", "csrfmiddlewaretoken": csrf.group(1)})
    assert response.status_code == 302


def test_link_is_revoked_by_its_creator_not_by_another_community_manager(client_as, fr_post):
    julien = client_as("fr_market_lead")
    token = _create_link(julien, fr_post)
    link = ExternalReviewLink.objects.get(reviewer_name="Jean Martin")
    revoke = reverse("approvals:link_revoke", args=[fr_post.pk, link.pk])
    camille = client_as("fr_community_manager")
    html = _html(camille.get(reverse("approvals:post", args=[fr_post.pk])))
    assert f'data-testid="link-revoke-{link.pk}"' not in html
    response = camille.post(revoke, follow=True)
    assert _messages(_html(response)) == [escape("Only the link's creator or an approver at Global may revoke it.")]
    response = julien.post(revoke, follow=True)
    assert _messages(_html(response)) == ["The link of Jean Martin is revoked."]
    assert 'data-testid="link-state">revoked</span>' in _row(_html(response), f"link-{link.pk}")
    response = Client().get(reverse("approvals:external", args=[token]))
    assert response.status_code == 403
    assert "This review link was revoked. Ask the person who sent it for a new one." in _html(response)


def test_link_form_refuses_more_than_thirty_days(client_as, fr_post):
    response = client_as("fr_market_lead").post(reverse("approvals:link_create", args=[fr_post.pk]),
                                                {"reviewer_name": "Jean Martin", "days": "45"})  # fmt: skip
    assert response.status_code == 400
    assert 'data-testid="error-days">Ensure this value is less than or equal to 30.</small>' in _html(response)
    assert not ExternalReviewLink.objects.filter(reviewer_name="Jean Martin").exists()


def test_external_reviewer_approves_at_the_external_step(demo_org, client_as, persona):
    hq = persona("hq_admin")
    partner = ApprovalCircuit.objects.get(organization=demo_org, key="partner-signoff")
    circuit_services.condition_add(actor=hq, kind="network", network="bluesky", circuit=partner)
    channel = Channel.objects.get(handle="vireo-fr.bsky.social")
    local = MasterContent.objects.get(organization=demo_org, kind="local", title="Portes ouvertes à Lyon")
    post = content_services.post_create(
        actor=persona("fr_community_manager"), channel=channel, master=local,
        text="Portes ouvertes à Lyon samedi : venez voir la ligne Vireo Coat X.",
        scheduled_at=local_to_utc(timezone.localdate() + dt.timedelta(days=14), dt.time(12, 0), channel.timezone),
    )  # fmt: skip
    workflow.post_review(actor=persona("fr_market_lead"), post=post, verb="approve")
    _link, token = external_services.external_link_create(
        actor=persona("fr_market_lead"), posts=[post], reviewer_name="Paul Girard (partner)", days=3
    )
    anonymous = Client()
    html = _html(anonymous.get(reverse("approvals:external", args=[token])))
    assert 'data-testid="external-current-step">Current step: <strong>Partner</strong>' in html
    assert 'data-testid="external-not-your-turn"' not in html
    response = anonymous.post(reverse("approvals:external_post", args=[token, post.pk]), {"verb": "approve"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == "scheduled"
    html = _html(anonymous.get(reverse("approvals:external_post", args=[token, post.pk])))
    assert _messages(html) == ["Your approval is recorded: the post is scheduled."]
    assert '<span class="badge status-scheduled" data-testid="post-status">Scheduled</span>' in html
    assert re.findall(r'data-testid="thread-who">([^<]+)<', html)[-1] == "Paul Girard (partner) (external reviewer)"


# --- notifications -------------------------------------------------------------------------------


def test_notifications_are_listed_opened_and_marked_read(client_as, persona, fr_post, de_post, us_post):
    lucas = persona("brand_approver").member
    client = client_as("brand_approver")
    mine = list(Notification.objects.filter(member=lucas).order_by("-created_at", "-id"))
    assert [(n.kind, n.url) for n in mine] == [
        ("review_requested", f"/approvals/posts/{p.pk}/") for p in (us_post, de_post, fr_post)
    ]
    html = _html(client.get(reverse("approvals:notifications")))
    assert _ids(html, "notification-") == [n.pk for n in mine]
    assert 'data-testid="notifications-unread">3 unread notifications</p>' in html
    first = mine[0]
    assert f'href="/approvals/notifications/{first.pk}/open/?next={first.url}"' in html

    # Someone else cannot mark it read.
    client_as("legal_approver").get(reverse("approvals:notification_open", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at is None
    response = client.get(reverse("approvals:notification_open", args=[first.pk]), {"next": first.url})
    assert (response.status_code, response["Location"]) == (302, first.url)
    first.refresh_from_db()
    assert first.read_at is not None
    html = _html(client.get(reverse("approvals:notifications")))
    assert _ids(html, "notification-") == [mine[1].pk, mine[2].pk, first.pk]  # unread first
    assert 'data-testid="notifications-unread">2 unread notifications</p>' in html
    response = client.get(reverse("approvals:notification_open", args=[mine[1].pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("approvals:notifications")

    response = client.post(reverse("approvals:notifications_read"), follow=True)
    html = _html(response)
    assert _messages(html) == ["1 notification marked read."]
    assert 'data-testid="notifications-unread">0 unread notifications</p>' in html
    assert 'data-testid="notifications-mark-all-read"' not in html
    assert not Notification.objects.filter(member=lucas, read_at__isnull=True).exists()


def test_empty_notifications_say_what_will_come(client_as):
    html = _html(client_as("analyst").get(reverse("approvals:notifications")))
    assert 'data-testid="notifications-unread">0 unread notifications</p>' in html
    assert 'data-testid="notifications-empty">No notification.' in html


# --- French --------------------------------------------------------------------------------------


def test_queue_in_french(client_as, de_post):
    html = _html(client_as("brand_approver", language="fr").get(reverse("approvals:queue")))
    assert '<html lang="fr"' in html
    with translation.override("fr"):
        planned = wall_clock(de_post.scheduled_at, "Europe/Berlin")
    with translation.override("en"):
        assert planned != wall_clock(de_post.scheduled_at, "Europe/Berlin")
    assert f'<span data-testid="queue-planned">{planned}</span>' in html
    assert "<th>Canal</th><th>Marché</th>" in html
    assert "<th>Statut</th>" not in html  # Lucas has no submission of his own
    assert _ids(html, "queue-item-") == [de_post.pk]
