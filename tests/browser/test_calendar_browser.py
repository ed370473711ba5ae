"""Drag a post to another day in the calendar: it lands there at the same time on the channel's clock,
survives a reload, and the database moved it by whole days at 09:00 in Paris."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import Page, expect

from harmonie.accounts.models import User
from harmonie.content.models import Post

pytestmark = pytest.mark.browser

CAMILLE = "camille.durand@vireo.example"  # fr_community_manager
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_drag_a_post_to_another_day(page: Page, login) -> None:
    User.objects.filter(email=CAMILLE).update(language="en", timezone="UTC")
    post = Post.objects.filter(channel__handle="vireo-france", status="scheduled").order_by("scheduled_at").first()
    assert post is not None
    assert post.scheduled_at is not None
    before = post.scheduled_at.astimezone(PARIS)
    assert f"{before:%H:%M}" == "09:00"
    target = before.date() + dt.timedelta(days=3)  # Monday -> Thursday of the same week

    login(CAMILLE)
    page.click("[data-testid=nav-content-calendar]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    page.goto(f"/content/calendar/?view=month&date={before:%Y-%m-%d}")
    card = page.locator(f"[data-testid=post-{post.pk}]")
    expect(page.locator(f"[data-testid=day-{before:%Y-%m-%d}] [data-testid=post-{post.pk}]")).to_be_visible()
    expect(card.locator(f"[data-testid=post-time-{post.pk}]")).to_have_text("08:00 UTC · 09:00 Paris")

    card.drag_to(page.locator(f"[data-testid=day-{target:%Y-%m-%d}]"))

    message = page.locator("[data-testid=calendar-message]")
    with override("en"):
        day_label = date_format(target, "DATE_FORMAT")  # "Dec. 3, 2026"
    expect(message).to_have_text(f"Vireo France (LinkedIn): moved to {day_label}, 09:00 Paris.")
    moved = page.locator(f"[data-testid=day-{target:%Y-%m-%d}] [data-testid=post-{post.pk}]")
    expect(moved).to_be_visible()
    expect(moved.locator(f"[data-testid=post-time-{post.pk}]")).to_have_text("08:00 UTC · 09:00 Paris")
    expect(page.locator(f"[data-testid=day-{before:%Y-%m-%d}] [data-testid=post-{post.pk}]")).to_have_count(0)

    page.reload()
    expect(page.locator(f"[data-testid=day-{target:%Y-%m-%d}] [data-testid=post-{post.pk}]")).to_be_visible()
    expect(page.locator(f"[data-testid=day-{before:%Y-%m-%d}] [data-testid=post-{post.pk}]")).to_have_count(0)

    post.refresh_from_db()
    assert post.scheduled_at is not None
    after = post.scheduled_at.astimezone(PARIS)
    assert (after.date() - before.date()).days == 3
    assert (f"{after:%H:%M}", after.tzinfo) == ("09:00", PARIS)
    assert post.scheduled_at - before == dt.timedelta(days=3)  # no DST change in between in the demo weeks


def test_a_refused_drop_puts_the_card_back(page: Page, login) -> None:
    """Dropping a post on a past day: the service refuses, the message shows, the card is back on its day."""
    User.objects.filter(email=CAMILLE).update(language="en", timezone="Europe/Paris")
    post = Post.objects.filter(channel__handle="vireo-france", status="scheduled").order_by("scheduled_at").first()
    assert post is not None
    assert post.scheduled_at is not None
    day = post.scheduled_at.astimezone(PARIS).date()
    login(CAMILLE)
    page.goto(f"/content/calendar/?view=month&date={day:%Y-%m-%d}")
    if page.locator(".cal-day.past").count() == 0:  # a Monday whose next Monday opens a new month
        pytest.skip("no past day in this month's grid today")
    past = page.locator(".cal-day.past").last
    past_day = past.get_attribute("data-drop-date")
    page.locator(f"[data-testid=post-{post.pk}]").drag_to(past)
    expect(page.locator("[data-testid=calendar-message]")).to_have_text(
        "This time is in the past: choose a time to come."
    )
    expect(page.locator(f"[data-testid=day-{day:%Y-%m-%d}] [data-testid=post-{post.pk}]")).to_be_visible()
    expect(page.locator(f"[data-testid=day-{past_day}] [data-testid=post-{post.pk}]")).to_have_count(0)
    before = post.scheduled_at
    post.refresh_from_db()
    assert post.scheduled_at == before
