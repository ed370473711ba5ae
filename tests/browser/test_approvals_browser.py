"""Two people, two browsers: the French community manager submits a post, the HQ brand approver asks for a
change, she edits it and resubmits, he approves, and the post shows as scheduled on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from harmonie.accounts.models import User
from harmonie.approvals.models import ApprovalRequest
from harmonie.content import services as content
from harmonie.content.models import Localization, Post
from harmonie.content.timeutils import local_to_utc
from harmonie.governance.demo import DEMO_PASSWORD
from harmonie.governance.models import Channel, Member
from harmonie.governance.permissions import actor_for

pytestmark = pytest.mark.browser

CAMILLE = "camille.durand@vireo.example"  # fr_community_manager
LUCAS = "lucas.moreau@vireo.example"  # brand approver at Global


def _login(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/")


def test_submit_request_changes_edit_approve(browser: Browser, live_server, demo) -> None:  # type: ignore[no-untyped-def]
    # Camille reads French, Lucas English (each sees the interface in their own language).
    User.objects.filter(email=CAMILLE).update(language="fr", timezone="Europe/Paris")
    User.objects.filter(email=LUCAS).update(language="en", timezone="Europe/Paris")
    camille = actor_for(Member.objects.get(user__email=CAMILLE))
    loc = Localization.objects.get(master__kind="master", market__code="FR")
    draft = content.post_create(
        actor=camille, channel=Channel.objects.get(handle="vireo-france"), localization=loc,
        text="Vireo Coat X durcit plus vite : vos lignes redémarrent plus tôt.",
    )  # fmt: skip
    day = timezone.localdate() + dt.timedelta(days=12)

    contexts = [browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
                for _ in range(2)]  # fmt: skip
    for context in contexts:
        context.set_default_timeout(10_000)
    her, him = contexts[0].new_page(), contexts[1].new_page()
    try:
        # 1. Camille schedules her draft on the channel's clock: it goes to review.
        _login(her, CAMILLE)
        her.goto(f"/content/posts/{draft.pk}/edit/")
        her.fill("[data-testid=schedule-form] input[name=scheduled_date]", day.isoformat())
        her.fill("[data-testid=schedule-form] input[name=scheduled_time]", "09:00")
        her.click("[data-testid=schedule-submit]")
        expect(her.locator("[data-testid=post-status]").first).to_have_text("En relecture")

        # 2. Lucas finds it in his queue and asks for a change.
        _login(him, LUCAS)
        him.goto("/approvals/")
        item = him.locator(f"[data-testid=queue-item-{draft.pk}]")
        expect(item).to_contain_text("Vireo France")
        expect(item).to_contain_text("Governance matrix: Product × default")
        item.get_by_role("link").first.click()
        him.fill("[data-testid=review-comment]", "Please end with a call to action: a trial with our engineers.")
        him.click("[data-testid=review-request-changes]")
        expect(him.locator("[data-testid=post-status]").first).to_have_text("Changes requested")

        # 3. Camille sees the request, edits the text and submits again.
        her.goto(f"/content/posts/{draft.pk}/")
        expect(her.locator("[data-testid=post-status]").first).to_have_text("Modifications demandées")
        expect(her.locator("[data-testid=status-note]").first).to_contain_text("a trial with our engineers.")
        her.goto(f"/content/posts/{draft.pk}/edit/")
        edited = "Vireo Coat X durcit plus vite : vos lignes redémarrent plus tôt. Demandez un essai à nos ingénieurs."
        her.fill("[data-testid=post-form] textarea[name=text]", edited)
        her.click("[data-testid=form-submit]")
        her.goto(f"/content/posts/{draft.pk}/")
        her.click("[data-testid=submit-review]")
        expect(her.locator("[data-testid=post-status]").first).to_have_text("En relecture")

        # 4. Lucas sees the new round with his comment in the thread, and approves: the post is scheduled.
        him.goto("/approvals/")
        him.locator(f"[data-testid=queue-item-{draft.pk}]").get_by_role("link").first.click()
        expect(him.locator("[data-testid=thread-comment]").first).to_have_text(
            "Please end with a call to action: a trial with our engineers."
        )
        him.click("[data-testid=review-approve]")
        expect(him.locator("[data-testid=post-status]").first).to_have_text("Scheduled")

        her.goto(f"/content/posts/{draft.pk}/")
        expect(her.locator("[data-testid=post-status]").first).to_have_text("Programmée")
    finally:
        for context in contexts:
            context.close()

    post = Post.objects.get(pk=draft.pk)
    assert (post.status, post.revision) == ("scheduled", 2)
    assert post.scheduled_at == local_to_utc(day, dt.time(9, 0), "Europe/Paris")
    assert list(ApprovalRequest.objects.filter(post=post).order_by("round").values_list("round", "status")) == [
        (1, "changes_requested"),
        (2, "approved"),
    ]
