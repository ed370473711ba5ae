"""Crisis mode on the demo organization: an atomic hold of every post in scope, the publishing check, the crisis
circuit for new posts, holding statements, explicit release before the end, the after-action report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from harmonie.approvals import selectors
from harmonie.approvals.models import (
    ApprovalRequest,
    CircuitCondition,
    Crisis,
    CrisisEvent,
    HoldingStatement,
)
from harmonie.approvals.services import crisis as crisis_services
from harmonie.approvals.services import workflow
from harmonie.content import services as content
from harmonie.content.models import Localization, Post
from harmonie.content.states import HOLDABLE
from harmonie.core.errors import Conflict, NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance.models import Channel


def _future(days: int = 20, hour: int = 9) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _holdable_ids(q: Q) -> list[int]:
    return sorted(Post.objects.filter(q, status__in=HOLDABLE).values_list("pk", flat=True))


def _statuses(ids: list[int]) -> set[str]:
    return set(Post.objects.filter(pk__in=ids).values_list("status", flat=True))


def test_declaring_holds_exactly_the_posts_in_scope_and_nothing_else(persona, market):
    fr_ids = _holdable_ids(Q(market__path__startswith=market("FR").path))
    others = dict(Post.objects.exclude(pk__in=fr_ids).values_list("pk", "status"))
    assert len(fr_ids) == 22  # 20 scheduled demo posts, the approved local post, the post in review
    crisis, held = crisis_services.crisis_declare(
        actor=persona("fr_market_lead"), title="Incendie à Lyon", reason="Un incendie dans l'usine de Lyon.",
        markets=[market("FR")],
    )  # fmt: skip
    assert sorted(p.pk for p in held) == fr_ids
    assert _statuses(fr_ids) == {"on_hold"}
    assert dict(Post.objects.exclude(pk__in=fr_ids).values_list("pk", "status")) == others
    assert CrisisEvent.objects.filter(crisis=crisis, kind="held").count() == 22
    entry = AuditEntry.objects.get(action="crisis.declare", target_id=str(crisis.pk))
    assert sorted(entry.after["held_posts"]) == fr_ids
    # Every held post remembers where it was, to go back there when released.
    assert sorted(Post.objects.filter(pk__in=fr_ids).values_list("held_from", flat=True)) == (
        ["in_review"] + ["scheduled"] * 21
    )


def test_the_hold_is_all_or_nothing(persona, market, monkeypatch):
    fr_ids = _holdable_ids(Q(market__path__startswith=market("FR").path))
    before = dict(Post.objects.filter(pk__in=fr_ids).values_list("pk", "status"))
    calls = {"n": 0}
    original = CrisisEvent.objects.create

    def crash_on_the_fifth(**kwargs):  # a crash in the middle of the hold (disk full, killed worker, ...)
        calls["n"] += 1
        if calls["n"] == 6:  # declared + 4 holds went through
            raise RuntimeError("crash")
        return original(**kwargs)

    monkeypatch.setattr(CrisisEvent.objects, "create", crash_on_the_fifth)
    with pytest.raises(RuntimeError):
        crisis_services.crisis_declare(actor=persona("hq_admin"), title="X", reason="Y", markets=[market("FR")])
    assert dict(Post.objects.filter(pk__in=fr_ids).values_list("pk", "status")) == before
    assert Crisis.objects.filter(title="X").count() == 0


def test_scope_by_channel_and_who_may_declare(persona, market):
    channel = Channel.objects.get(handle="vireo-fr.bsky.social")
    ids = _holdable_ids(Q(channel=channel))
    with pytest.raises(NotPermitted):
        crisis_services.crisis_declare(actor=persona("fr_community_manager"), title="T", reason="R",
                                       channels=[channel])  # fmt: skip
    with pytest.raises(NotPermitted):  # a French lead cannot declare for Germany, nor for everyone
        crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="T", reason="R", markets=[market("DE")])
    with pytest.raises(NotPermitted):
        crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="T", reason="R")
    _crisis, held = crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="T", reason="R",
                                                  channels=[channel])  # fmt: skip
    assert sorted(p.pk for p in held) == ids
    assert len(ids) == 9  # 8 scheduled demo posts + the approved local post


def test_a_held_post_cannot_be_rescheduled_through_the_calendar_or_published(persona, market):
    _crisis, held = crisis_services.crisis_declare(actor=persona("hq_admin"), title="T", reason="R",
                                                  markets=[market("FR")])  # fmt: skip
    post = next(p for p in held if p.held_from == "scheduled")
    with pytest.raises(ValidationFailed) as exc:
        content.post_schedule(actor=persona("fr_community_manager"), post=post, scheduled_at=_future())
    assert exc.value.code == "on_hold"
    post.refresh_from_db()
    assert crisis_services.publication_blocker(post) == "The post is on hold (crisis), not scheduled."
    # Even a post forced back to "scheduled" behind the services' back is refused while the crisis covers it.
    Post.objects.filter(pk=post.pk).update(status="scheduled")
    post.refresh_from_db()
    assert crisis_services.publication_blocker(post) == "The crisis “T” covers this post."


def test_release_reschedule_cancel_then_end_and_report(persona, market):
    julien = persona("fr_market_lead")
    crisis, held = crisis_services.crisis_declare(actor=julien, title="T", reason="R", markets=[market("FR")])
    with pytest.raises(Conflict) as exc:
        crisis_services.crisis_end(actor=julien, crisis=crisis)
    assert (exc.value.code, exc.value.message) == (
        "posts_on_hold",
        "22 post(s) are still on hold: release, reschedule or cancel each of them before ending the crisis.",
    )
    scheduled = [p for p in held if p.held_from == "scheduled"]
    in_review = next(p for p in held if p.held_from == "in_review")
    released = crisis_services.crisis_release(actor=julien, crisis=crisis, post=scheduled[0])
    assert (released.status, crisis_services.publication_blocker(released)) == ("scheduled", None)
    moved = crisis_services.crisis_reschedule(actor=julien, crisis=crisis, post=scheduled[1], scheduled_at=_future(40))
    assert (moved.status, moved.scheduled_at) == ("scheduled", _future(40))
    assert crisis_services.crisis_release(actor=julien, crisis=crisis, post=in_review).status == "in_review"
    for post in scheduled[2:]:
        crisis_services.crisis_cancel_post(actor=julien, crisis=crisis, post=post)
    crisis_services.crisis_end(actor=julien, crisis=crisis, summary="Rien à signaler.")
    report = selectors.crisis_report(actor=julien, crisis=Crisis.objects.get(pk=crisis.pk))
    assert [e.kind for e in report.events][:2] == ["declared", "held"]
    assert report.events[-1].kind == "ended"
    assert {k: v for k, v in report.counts.items() if v} == {
        "declared": 1,
        "held": 22,
        "released": 2,
        "rescheduled": 1,
        "cancelled": 19,
        "ended": 1,
    }
    assert (report.first_statement_after, report.still_on_hold) == (None, [])


def test_a_released_post_whose_time_passed_needs_a_new_time(persona, market):
    crisis, held = crisis_services.crisis_declare(actor=persona("hq_admin"), title="T", reason="R",
                                                  markets=[market("FR")])  # fmt: skip
    post = next(p for p in held if p.held_from == "scheduled")
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - dt.timedelta(hours=1))
    post = crisis_services.crisis_release(actor=persona("hq_admin"), crisis=crisis, post=post)
    assert post.status == "needs_new_time"


def test_new_posts_in_scope_follow_the_crisis_circuit(persona, market, demo_org):
    crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="Incendie", reason="R",
                                   markets=[market("FR")])  # fmt: skip
    loc = Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="FR")
    camille = persona("fr_community_manager")
    post = content.post_create(actor=camille, channel=Channel.objects.get(handle="vireo-france"), localization=loc,
                               text="Vireo Coat X durcit plus vite.", scheduled_at=_future())  # fmt: skip
    request = ApprovalRequest.objects.get(post=post)
    assert [(s.name, s.reason) for s in request.steps.order_by("position")] == [
        ("Brand", "Governance matrix: Product × default"),
        ("Crisis lead", "Crisis in progress: Incendie"),
        ("Compliance", "Crisis in progress: Incendie"),
    ]
    for who in ("brand_approver", "hq_admin", "compliance_approver"):
        post = workflow.post_review(actor=persona(who), post=post, verb="approve")
    assert (post.status, crisis_services.publication_blocker(post)) == ("scheduled", None)


def test_without_a_crisis_circuit_new_posts_in_scope_wait_on_hold(persona, market, demo_org):
    CircuitCondition.objects.filter(organization=demo_org, kind="crisis").delete()
    crisis, _held = crisis_services.crisis_declare(actor=persona("hq_admin"), title="T", reason="R",
                                                   markets=[market("FR")])  # fmt: skip
    loc = Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="FR")
    post = content.post_create(
        actor=persona("fr_community_manager"), channel=Channel.objects.get(handle="vireo-france"), localization=loc,
        text="Vireo Coat X durcit plus vite.", scheduled_at=_future(),
    )  # fmt: skip
    assert (post.status, post.held_from) == ("on_hold", "draft")
    post = crisis_services.crisis_release(actor=persona("hq_admin"), crisis=crisis, post=post)
    assert post.status == "draft"
    # Released: the author resubmits and the usual circuit applies, not the hold.
    post = workflow.post_submit(actor=persona("fr_community_manager"), post=post)
    assert post.status == "in_review"


def test_a_holding_statement_goes_out_within_a_minute_without_review(persona, market, demo_org):
    statement = HoldingStatement.objects.get(organization=demo_org, language="fr")
    crisis, _held = crisis_services.crisis_declare(actor=persona("fr_market_lead"), title="T", reason="R",
                                                   markets=[market("FR")])  # fmt: skip
    channels = [Channel.objects.get(handle="vireo-france"), Channel.objects.get(handle="vireo-fr.bsky.social")]
    start = timezone.now()
    posts = crisis_services.statement_publish(actor=persona("fr_market_lead"), crisis=crisis, statement=statement,
                                              channels=channels)  # fmt: skip
    assert [(p.status, p.text) for p in posts] == [("scheduled", statement.text)] * 2
    assert all(dt.timedelta(seconds=59) < p.scheduled_at - start < dt.timedelta(seconds=61) for p in posts)
    assert [crisis_services.publication_blocker(p) for p in posts] == [None, None]
    assert ApprovalRequest.objects.filter(post__in=posts).count() == 0
    with pytest.raises(ValidationFailed) as exc:
        crisis_services.statement_publish(actor=persona("hq_admin"), crisis=crisis, statement=statement,
                                          channels=[Channel.objects.get(handle="vireo-deutschland")])  # fmt: skip
    assert exc.value.message == "Vireo Deutschland (LinkedIn) is outside this crisis's scope."
    report = selectors.crisis_report(actor=persona("hq_admin"), crisis=crisis)
    assert report.counts["statement"] == 2
    assert report.first_statement_after is not None
    assert report.first_statement_after < dt.timedelta(seconds=5)


def test_the_demo_past_crisis_has_its_timeline(persona, demo_org):
    crisis = Crisis.objects.get(organization=demo_org, title="Delivery delays rumour in Germany")
    report = selectors.crisis_report(actor=persona("hq_admin"), crisis=crisis)
    assert (crisis.status, report.duration, report.first_statement_after) == (
        "ended",
        dt.timedelta(hours=5),
        dt.timedelta(minutes=14),
    )
    assert {k: v for k, v in report.counts.items() if v} == {
        "declared": 1,
        "held": 13,
        "statement": 1,
        "note": 1,
        "released": 13,
        "ended": 1,
    }


def test_a_held_post_leaves_the_hold_only_through_the_crisis_console(persona, market):
    _crisis, held = crisis_services.crisis_declare(actor=persona("hq_admin"), title="T", reason="R",
                                                   markets=[market("FR")])  # fmt: skip
    post = next(p for p in held if p.held_from == "in_review")
    expected = "This post is on hold during a crisis: release, reschedule or cancel it from the crisis console."
    for attempt in (workflow.post_withdraw, content.post_cancel):
        with pytest.raises(ValidationFailed) as exc:
            attempt(actor=persona("fr_community_manager"), post=post)
        assert (exc.value.code, exc.value.message) == ("on_hold", expected)
    post.refresh_from_db()
    assert post.status == "on_hold"
