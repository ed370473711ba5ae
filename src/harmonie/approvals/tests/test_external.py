"""External review links: hashed, expiring, revocable, limited to their posts and to review actions."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from harmonie.approvals.models import ApprovalCircuit, ExternalReviewLink, ReviewAction
from harmonie.approvals.services import circuits, external, workflow
from harmonie.content import services as content
from harmonie.content.models import Localization, Post
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.governance.models import Channel


def _future(days: int = 20) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)


def _post(persona, demo_org, handle: str = "vireo-france") -> Post:
    loc = Localization.objects.get(master__organization=demo_org, master__kind="master", market__code="FR")
    return content.post_create(
        actor=persona("fr_community_manager"), channel=Channel.objects.get(handle=handle), localization=loc,
        text="Vireo Coat X durcit plus vite.", scheduled_at=_future(),
    )  # fmt: skip


def test_the_token_is_shown_once_and_only_its_hash_is_stored(persona, demo_org):
    post = _post(persona, demo_org)
    link, token = external.external_link_create(actor=persona("fr_community_manager"), posts=[post],
                                                reviewer_name="Anne Roux", days=3)  # fmt: skip
    stored = ExternalReviewLink.objects.get(pk=link.pk)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert external.link_for_token(token).pk == link.pk
    assert external.link_post(link, post.pk).pk == post.pk
    with pytest.raises(NotFound) as exc:
        external.link_post(link, Post.objects.exclude(pk=post.pk).first().pk)  # type: ignore[union-attr]
    assert exc.value.message == "This review link does not cover that post."


@pytest.mark.parametrize(
    ("change", "error", "code", "message"),
    [
        ({"expires_at": "past"}, NotPermitted, "link_expired",
         "This review link has expired. Ask the person who sent it for a new one."),
        ({"revoked_at": "now"}, NotPermitted, "link_revoked",
         "This review link was revoked. Ask the person who sent it for a new one."),
    ],
)  # fmt: skip
def test_expired_or_revoked_links_are_refused(persona, demo_org, change, error, code, message):
    link, token = external.external_link_create(
        actor=persona("fr_community_manager"), posts=[_post(persona, demo_org)], reviewer_name="Anne Roux"
    )
    now = timezone.now()
    values = {k: (now - dt.timedelta(seconds=1) if v == "past" else now) for k, v in change.items()}
    ExternalReviewLink.objects.filter(pk=link.pk).update(**values)
    with pytest.raises(error) as exc:
        external.external_review(token=token, post_id=link.posts.get().pk, verb="comment", comment="Bonjour")
    assert (exc.value.code, exc.value.message) == (code, message)
    with pytest.raises(NotFound):
        external.link_for_token(token + "x")


def test_a_link_lasts_one_to_thirty_days_and_needs_a_name(persona, demo_org):
    post = _post(persona, demo_org)
    with pytest.raises(ValidationFailed) as exc:
        external.external_link_create(actor=persona("fr_community_manager"), posts=[post], reviewer_name="A", days=31)
    assert exc.value.message == "A review link lasts 1 to 30 days."
    with pytest.raises(ValidationFailed):
        external.external_link_create(actor=persona("fr_community_manager"), posts=[post], reviewer_name=" ")
    with pytest.raises(NotPermitted):  # a German community manager cannot share French posts
        external.external_link_create(actor=persona("de_community_manager"), posts=[post], reviewer_name="A")


def test_an_external_reviewer_comments_any_time_but_approves_only_an_external_step(persona, demo_org):
    hq = persona("hq_admin")
    partner = ApprovalCircuit.objects.get(organization=demo_org, key="partner-signoff")
    circuits.condition_add(actor=hq, kind="network", network="linkedin", circuit=partner)
    post = _post(persona, demo_org)
    _link, token = external.external_link_create(actor=persona("fr_market_lead"), posts=[post],
                                                 reviewer_name="Anne Roux")  # fmt: skip
    external.external_review(token=token, post_id=post.pk, verb="comment", comment="Je regarde dès demain.")
    with pytest.raises(ValidationFailed) as exc:
        external.external_review(token=token, post_id=post.pk, verb="approve")
    assert (exc.value.code, exc.value.message) == (
        "not_your_step",
        "It is not your turn yet: the step “Brand” is in progress. You can comment meanwhile.",
    )
    post = workflow.post_review(actor=persona("brand_approver"), post=post, verb="approve")
    with pytest.raises(NotPermitted) as refused:  # members cannot act on the partner's step
        workflow.post_review(actor=persona("hq_admin"), post=post, verb="approve")
    assert refused.value.message == "The step “Partner” is for the external reviewer, through their review link."
    post = external.external_review(token=token, post_id=post.pk, verb="approve", comment="Bon pour moi.")
    assert post.status == "scheduled"
    assert list(ReviewAction.objects.filter(post=post).values_list("verb", "author_label")) == [
        ("submit", "Camille Durand"),
        ("comment", "Anne Roux (external reviewer)"),
        ("approve", "Lucas Moreau"),
        ("approve", "Anne Roux (external reviewer)"),
    ]
