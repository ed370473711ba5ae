"""The post state machine and the review workflow on the demo organization: which circuit applies (matrix ×
conditions), any/all steps, four-eyes, edits withdrawing approvals, late approvals, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.approvals import selectors
from harmonie.approvals.models import (
    ApprovalCircuit,
    ApprovalRequest,
    Notification,
    RequestStatus,
    ReviewAction,
    StepStatus,
)
from harmonie.approvals.reasons import describe_reason
from harmonie.approvals.resolution import resolve
from harmonie.approvals.services import circuits, workflow
from harmonie.approvals.services import crisis as crisis_services
from harmonie.content import services as content
from harmonie.content.models import Localization, MasterContent, Post
from harmonie.content.states import TRANSITIONS, PostStatus, check_transition
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.core.models import AuditEntry
from harmonie.governance import services as governance
from harmonie.governance.models import Channel, Dimension, GovernanceRule, Member, Role, RoleAssignment
from harmonie.governance.permissions import actor_for


def _channel(handle: str) -> Channel:
    return Channel.objects.get(handle=handle)


def _future(days: int = 20, hour: int = 9) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _fr_loc(demo_org) -> Localization:
    return Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="FR")


def _country(demo_org, code: str) -> MasterContent:
    return MasterContent.objects.get(organization=demo_org, kind="local", market__code=code,
                                     title__in=["Portes ouvertes à Lyon", "Plant tour in Ohio"])  # fmt: skip


def _draft(persona, demo_org, text: str, handle: str = "vireo-france", who: str = "fr_community_manager") -> Post:
    return content.post_create(actor=persona(who), channel=_channel(handle), localization=_fr_loc(demo_org), text=text)


def _names(request: ApprovalRequest) -> list[tuple[str, str, list[str], str]]:
    out = []
    for step in request.steps.order_by("position"):
        emails = sorted(Member.objects.filter(pk__in=step.approver_ids).values_list("user__email", flat=True))
        out.append((step.name, step.status, emails, step.reason))
    return out


PLAIN_FR = "Vireo Coat X durcit plus vite : vos lignes redémarrent plus tôt. Demandez un essai à nos ingénieurs."
LUCAS, SOPHIE = "lucas.moreau@vireo.example", "sophie.laurent@vireo.example"


# --- the state machine ------------------------------------------------------------------------------------


def test_every_status_has_a_row_and_final_statuses_allow_nothing():
    assert set(TRANSITIONS) == set(PostStatus.values)
    assert TRANSITIONS[PostStatus.PUBLISHED] == frozenset()
    assert TRANSITIONS[PostStatus.CANCELLED] == frozenset()
    assert TRANSITIONS[PostStatus.PUBLISHING] == {PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.UNCONFIRMED}


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        ("published", "draft", "A post that is published cannot become draft. From published it can become: "
                               "nothing (this status is final)."),
        ("draft", "scheduled", "A post that is draft cannot become scheduled. From draft it can become: approved, "
                               "cancelled, in review, on hold (crisis)."),
        ("on_hold", "publishing", "A post that is on hold (crisis) cannot become publishing. From on hold (crisis) it "
                                  "can become: cancelled, draft, in review, needs a new time, scheduled."),
    ],
)  # fmt: skip
def test_invalid_transitions_are_refused_with_what_is_allowed(current, target, message):
    with pytest.raises(ValidationFailed) as exc:
        check_transition(current, target)
    assert (exc.value.code, exc.value.message) == ("invalid_transition", message)


def test_every_transition_is_audited_with_before_and_after(persona, demo_org):
    post = _draft(persona, demo_org, PLAIN_FR)
    content.post_cancel(actor=persona("fr_community_manager"), post=post)
    entry = AuditEntry.objects.filter(target_id=str(post.pk), action="post.transition").get()
    assert (entry.before["status"], entry.after["status"]) == ("draft", "cancelled")
    with pytest.raises(ValidationFailed) as exc:
        workflow.post_submit(actor=persona("fr_community_manager"), post=post)
    assert exc.value.code == "invalid_transition"


# --- which circuit applies -------------------------------------------------------------------------------


def test_a_french_product_post_goes_to_hq_brand(persona, demo_org):
    post = content.post_schedule(actor=persona("fr_community_manager"), post=_draft(persona, demo_org, PLAIN_FR),
                                 scheduled_at=_future())  # fmt: skip
    assert post.status == "in_review"
    request = ApprovalRequest.objects.get(post=post)
    assert _names(request) == [("Brand", "pending", [LUCAS], "Governance matrix: Product × default")]


def test_figures_add_the_legal_step_after_brand(persona, demo_org):
    post = _draft(persona, demo_org, "Vireo Coat X durcit 35 % plus vite, dès 49 € le litre.")
    post = content.post_schedule(actor=persona("fr_community_manager"), post=post, scheduled_at=_future())
    assert _names(ApprovalRequest.objects.get(post=post)) == [
        ("Brand", "pending", [LUCAS], "Governance matrix: Product × default"),
        ("Legal", "waiting", [SOPHIE], "Contains figures or financial terms: 35 %, 49 €"),
    ]


def test_country_content_goes_to_the_lead_of_its_own_market(persona, demo_org, market):
    fr = content.post_create(actor=persona("fr_community_manager"), channel=_channel("vireo-fr.bsky.social"),
                             master=_country(demo_org, "FR"), scheduled_at=_future())  # fmt: skip
    assert _names(ApprovalRequest.objects.get(post=fr)) == [
        ("Market lead", "pending", ["julien.bernard@vireo.example"], "Governance matrix: Country × default")
    ]
    jonas = persona("de_community_manager")
    de_local = content.master_create(
        actor=jonas, market=market("DE"), dimension=Dimension.objects.get(organization=demo_org, key="country"),
        kind="local", title="Werksführung", body="Unser Werk in Duisburg öffnet seine Türen.", source_language="de",
    )  # fmt: skip
    de = content.post_create(actor=jonas, channel=_channel("vireo-deutschland"), master=de_local,
                             scheduled_at=_future())  # fmt: skip
    assert _names(ApprovalRequest.objects.get(post=de))[0][2] == ["katrin.schulz@vireo.example"]


def test_a_market_override_changes_the_circuit_there_only(persona, demo_org, market):
    hq = persona("hq_admin")
    product = Dimension.objects.get(organization=demo_org, key="product")
    default = GovernanceRule.objects.get(dimension=product, market__isnull=True)
    governance.governance_rule_set(
        actor=hq, dimension=product, market=market("DE"), ownership=default.ownership, creators=default.creators,
        local_variants=default.local_variants, approval_circuit="finance-legal",
    )  # fmt: skip
    de_loc = Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="DE")
    de = content.post_create(actor=persona("de_community_manager"), channel=_channel("vireo-deutschland"),
                             localization=de_loc, text="Vireo Coat X härtet schneller aus.",
                             scheduled_at=_future())  # fmt: skip
    assert [(n, s, r) for n, s, _e, r in _names(ApprovalRequest.objects.get(post=de))] == [
        ("Finance", "pending", "Governance matrix: Product × Germany"),
        ("Legal (all)", "waiting", "Governance matrix: Product × Germany"),
    ]
    fr = content.post_schedule(actor=persona("fr_community_manager"), post=_draft(persona, demo_org, PLAIN_FR),
                               scheduled_at=_future())  # fmt: skip
    assert [n for n, *_rest in _names(ApprovalRequest.objects.get(post=fr))] == ["Brand"]


def test_an_override_without_a_circuit_inherits_the_default_one(persona, demo_org, market):
    product = Dimension.objects.get(organization=demo_org, key="product")
    governance.governance_rule_set(
        actor=persona("hq_admin"), dimension=product, market=market("FR"), ownership="global_led",
        creators="community_managers", local_variants="allowed", approval_circuit="",
    )  # fmt: skip
    post = content.post_schedule(actor=persona("fr_community_manager"), post=_draft(persona, demo_org, PLAIN_FR),
                                 scheduled_at=_future())  # fmt: skip
    assert _names(ApprovalRequest.objects.get(post=post))[0][3] == "Governance matrix: Product × default"


def test_network_and_campaign_conditions_add_their_circuits(persona, demo_org):
    hq = persona("hq_admin")
    partner = ApprovalCircuit.objects.get(organization=demo_org, key="partner-signoff")
    claims = ApprovalCircuit.objects.get(organization=demo_org, key="legal-claims")
    circuits.condition_add(actor=hq, kind="network", network="linkedin", circuit=partner)
    linkedin = content.post_schedule(actor=persona("fr_community_manager"), post=_draft(persona, demo_org, PLAIN_FR),
                                     scheduled_at=_future())  # fmt: skip
    assert [(n, r) for n, _s, _e, r in _names(ApprovalRequest.objects.get(post=linkedin))] == [
        ("Brand", "Governance matrix: Product × default"),
        ("Partner", "Published on LinkedIn"),
    ]
    campaign = _fr_loc(demo_org).master.campaign
    circuits.condition_add(actor=hq, kind="campaign", campaign=campaign, circuit=claims)
    bluesky = content.post_schedule(
        actor=persona("fr_community_manager"),
        post=_draft(persona, demo_org, PLAIN_FR, handle="vireo-fr.bsky.social"), scheduled_at=_future(),
    )  # fmt: skip
    assert [(n, r) for n, _s, _e, r in _names(ApprovalRequest.objects.get(post=bluesky))] == [
        ("Brand", "Governance matrix: Product × default"),
        ("Legal", "Part of the campaign “Vireo Coat X launch”"),
    ]


def test_a_charter_warning_adds_brand_once(persona, demo_org):
    # The demo charter warns above three hashtags; on country content that adds the brand step.
    text = "Nos équipes de Lyon vous accueillent samedi. #Lyon #Usine #Visite #Industrie"
    post = content.post_create(actor=persona("fr_community_manager"), channel=_channel("vireo-fr.bsky.social"),
                               master=_country(demo_org, "FR"), text=text, scheduled_at=_future())  # fmt: skip
    steps = _names(ApprovalRequest.objects.get(post=post))
    assert [n for n, *_r in steps] == ["Market lead", "Brand"]
    assert steps[1][3].startswith("The charter warns: Three hashtags at most: ")
    # On product content brand is already required: it is not asked twice.
    product = content.post_schedule(
        actor=persona("fr_community_manager"), post=_draft(persona, demo_org, PLAIN_FR + " #a #b #c #d"),
        scheduled_at=_future(),
    )  # fmt: skip
    assert [n for n, *_r in _names(ApprovalRequest.objects.get(post=product))] == ["Brand"]


def test_resolution_lists_every_reason(persona, demo_org):
    post = _draft(persona, demo_org, "Vireo Coat X : 35 % plus rapide.")
    resolution = resolve(post, submitter_id=persona("fr_community_manager").user.pk)
    assert [(r["circuit"], describe_reason(r["why"])) for r in resolution.reasons] == [
        ("brand-hq", "Governance matrix: Product × default"),
        ("legal-claims", "Contains figures or financial terms: 35 %"),
    ]


# --- acting on steps ---------------------------------------------------------------------------------------


def _submitted(persona, demo_org, text: str = PLAIN_FR, at: dt.datetime | None = None) -> Post:
    post = _draft(persona, demo_org, text)
    return content.post_schedule(actor=persona("fr_community_manager"), post=post, scheduled_at=at or _future())


def test_the_author_never_approves_their_own_post(persona, demo_org):
    post = _submitted(persona, demo_org)
    with pytest.raises(NotPermitted) as exc:
        workflow.post_review(actor=persona("fr_community_manager"), post=post, verb="approve")
    assert (exc.value.code, exc.value.message) == (
        "four_eyes",
        "You wrote or submitted this post: someone else must approve it (four-eyes).",
    )


def test_a_step_with_nobody_but_the_author_escalates_to_the_org_admins(persona, demo_org):
    # Julien leads France: he is the only approver of French country content, so his own post goes to Claire.
    julien = persona("fr_market_lead")
    post = content.post_create(actor=julien, channel=_channel("vireo-fr.bsky.social"),
                               master=_country(demo_org, "FR"), scheduled_at=_future())  # fmt: skip
    assert _names(ApprovalRequest.objects.get(post=post)) == [
        ("Market lead", "pending", ["claire.martin@vireo.example"],
         "Governance matrix: Country × default — escalated to the org admins: nobody else can approve this step "
         "here"),
    ]  # fmt: skip


def test_a_step_nobody_else_can_approve_refuses_the_submission(persona, demo_org, market):
    # During a crisis the crisis lead is an org admin; Claire is the only one, so her own post has nobody.
    crisis_services.crisis_declare(actor=persona("hq_admin"), title="T", reason="R", markets=[market("FR")])
    claire = persona("hq_admin")
    post = _draft(persona, demo_org, PLAIN_FR, who="hq_admin")
    with pytest.raises(ValidationFailed) as exc:
        content.post_schedule(actor=claire, post=post, scheduled_at=_future())
    assert exc.value.message == (
        "Nobody other than the post's authors can approve the step “Crisis lead” (Crisis in progress: T). "
        "Ask an org admin to name an approver in that circuit."
    )
    post.refresh_from_db()
    assert (post.status, ApprovalRequest.objects.filter(post=post).count()) == ("draft", 0)


def test_someone_outside_the_step_cannot_approve(persona, demo_org):
    post = _submitted(persona, demo_org)
    with pytest.raises(NotPermitted) as exc:
        workflow.post_review(actor=persona("legal_approver"), post=post, verb="approve")
    assert exc.value.message == "You are not an approver of the step “Brand”."


def test_steps_run_in_order_and_the_last_approval_schedules(persona, demo_org):
    post = _submitted(persona, demo_org, text="Vireo Coat X : 35 % plus rapide.")
    with pytest.raises(NotPermitted):
        workflow.post_review(actor=persona("legal_approver"), post=post, verb="approve")  # Legal is not current
    post = workflow.post_review(actor=persona("brand_approver"), post=post, verb="approve")
    assert post.status == "in_review"
    post = workflow.post_review(actor=persona("legal_approver"), post=post, verb="approve", comment="OK")
    assert (post.status, post.status_note) == ("scheduled", "")
    request = ApprovalRequest.objects.get(post=post)
    assert (request.status, [s.status for s in request.steps.order_by("position")]) == (
        "approved",
        ["approved", "approved"],
    )


def _second_legal_approver(demo_org, market) -> Member:
    user = User.objects.create_user(email="paul.leroy@vireo.example", password="x" * 12, first_name="Paul",
                                    last_name="Leroy")  # fmt: skip
    member = Member.objects.create(organization=demo_org, user=user)
    RoleAssignment.objects.create(member=member, role=Role.APPROVER_LEGAL, market=market("GLOBAL"))
    return member


def test_an_all_step_needs_every_approver_an_any_step_one(persona, demo_org, market):
    paul = actor_for(_second_legal_approver(demo_org, market))
    product = Dimension.objects.get(organization=demo_org, key="product")
    default = GovernanceRule.objects.get(dimension=product, market__isnull=True)
    governance.governance_rule_set(
        actor=persona("hq_admin"), dimension=product, market=market("FR"), ownership=default.ownership,
        creators=default.creators, local_variants=default.local_variants, approval_circuit="finance-legal",
    )  # fmt: skip
    post = _submitted(persona, demo_org)
    request = ApprovalRequest.objects.get(post=post)
    assert [(n, s, e) for n, s, e, _r in _names(request)] == [
        ("Finance", "pending", ["nadia.haddad@vireo.example"]),
        ("Legal (all)", "waiting", ["paul.leroy@vireo.example", SOPHIE]),
    ]
    workflow.post_review(actor=persona("finance_approver"), post=post, verb="approve")  # any: one is enough
    post = workflow.post_review(actor=persona("legal_approver"), post=post, verb="approve")
    assert (post.status, request.steps.get(position=2).status) == ("in_review", StepStatus.PENDING)
    with pytest.raises(ValidationFailed) as exc:
        workflow.post_review(actor=persona("legal_approver"), post=post, verb="approve")
    assert exc.value.message == "You already approved this step."
    post = workflow.post_review(actor=paul, post=post, verb="approve")
    assert post.status == "scheduled"


def test_request_changes_needs_a_comment_then_the_edit_starts_round_two(
    persona, demo_org, django_capture_on_commit_callbacks
):
    post = _submitted(persona, demo_org)
    with pytest.raises(ValidationFailed) as exc:
        workflow.post_review(actor=persona("brand_approver"), post=post, verb="request_changes", comment=" ")
    assert exc.value.message == "Say what should change (or why you reject it) in a comment."
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = workflow.post_review(actor=persona("brand_approver"), post=post, verb="request_changes",
                                    comment="Ajoutez le chiffre : 35 %.")  # fmt: skip
    assert (post.status, post.status_note) == ("changes_requested", "Lucas Moreau: Ajoutez le chiffre : 35 %.")
    camille = Member.objects.get(user__email="camille.durand@vireo.example")
    note = Notification.objects.filter(member=camille, kind="changes_requested").get()
    # Camille reads French: the notification and the e-mail are in French.
    assert note.message.startswith("Lucas Moreau demande des modifications")
    assert [m.to for m in mail.outbox] == [["camille.durand@vireo.example"]]
    post = content.post_update(actor=persona("fr_community_manager"), post=post, text=PLAIN_FR + " 35 % plus vite.")
    assert post.status == "changes_requested"  # edited, not yet resubmitted
    post = workflow.post_submit(actor=persona("fr_community_manager"), post=post)
    rounds = list(ApprovalRequest.objects.filter(post=post).order_by("round"))
    assert [(r.round, r.status, r.post_revision) for r in rounds] == [(1, "changes_requested", 1), (2, "open", 2)]
    assert [n for n, *_r in _names(rounds[1])] == ["Brand", "Legal"]  # the new text has a figure


def test_an_edit_after_approval_withdraws_it_and_reviews_again(persona, demo_org):
    post = _submitted(persona, demo_org)
    post = workflow.post_review(actor=persona("brand_approver"), post=post, verb="approve")
    assert post.status == "scheduled"
    # A new time keeps the approval: what the post says did not change.
    post = content.post_schedule(actor=persona("fr_community_manager"), post=post, scheduled_at=_future(days=21))
    assert (post.status, ApprovalRequest.objects.filter(post=post).count()) == ("scheduled", 1)
    post = content.post_update(actor=persona("fr_community_manager"), post=post, text=PLAIN_FR + " Dès lundi.")
    assert (post.status, post.revision) == ("in_review", 2)
    assert list(ApprovalRequest.objects.filter(post=post).order_by("round").values_list("round", "status")) == [
        (1, RequestStatus.WITHDRAWN),
        (2, RequestStatus.OPEN),
    ]
    assert ReviewAction.objects.filter(post=post, verb="withdraw").count() == 1
    assert AuditEntry.objects.filter(target_id=str(post.pk), action="review.withdraw").count() == 1


def test_an_approval_after_the_planned_time_needs_a_new_time(persona, demo_org):
    post = _submitted(persona, demo_org, at=timezone.now() + dt.timedelta(hours=2))
    # Two hours pass while the brand team is away.
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - dt.timedelta(minutes=5))
    post = workflow.post_review(actor=persona("brand_approver"), post=post, verb="approve")
    assert post.status == "needs_new_time"
    assert post.status_note.startswith("Approved on ")
    assert post.status_note.endswith(": choose a new time.")
    post = content.post_schedule(actor=persona("fr_community_manager"), post=post, scheduled_at=_future())
    assert (post.status, ApprovalRequest.objects.filter(post=post).count()) == ("scheduled", 1)


def test_reject_then_rework(persona, demo_org):
    post = _submitted(persona, demo_org)
    post = workflow.post_review(actor=persona("brand_approver"), post=post, verb="reject", comment="Hors charte.")
    assert post.status == "rejected"
    with pytest.raises(ValidationFailed) as exc:
        workflow.post_submit(actor=persona("fr_community_manager"), post=post)
    assert exc.value.message == "This post was rejected: rework it first (it goes back to draft)."
    assert workflow.post_rework(actor=persona("fr_community_manager"), post=post).status == "draft"


def test_withdraw_takes_a_post_in_review_back_to_draft(persona, demo_org):
    post = _submitted(persona, demo_org)
    post = workflow.post_withdraw(actor=persona("fr_community_manager"), post=post)
    assert (post.status, ApprovalRequest.objects.get(post=post).status) == ("draft", "withdrawn")


def test_submission_notifies_the_approvers_of_the_first_step(persona, demo_org):
    lucas = Member.objects.get(user__email=LUCAS)
    before = Notification.objects.filter(member=lucas).count()
    _submitted(persona, demo_org)
    assert Notification.objects.filter(member=lucas).count() == before + 1
    # Lucas reads French in the demo: his notification is written in French, whoever submitted.
    assert lucas.user.language == "fr"
    assert Notification.objects.filter(member=lucas).order_by("-pk").first().message == (  # type: ignore[union-attr]
        "Merci de relire une publication pour Vireo France (LinkedIn) (étape « Brand »)."
    )


def test_the_nav_badge_counts_exactly_the_queue(persona):
    sizes = {key: selectors.review_queue_size(actor=persona(key))
             for key in ("brand_approver", "legal_approver", "fr_community_manager", "hq_admin")}  # fmt: skip
    assert sizes == {"brand_approver": 1, "legal_approver": 1, "fr_community_manager": 0, "hq_admin": 0}
    assert all(sizes[key] == len(selectors.review_queue(actor=persona(key))) for key in sizes)
