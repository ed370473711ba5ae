"""The review pages: the member's queue, a post's review (decide, comment, submit / withdraw / rework, share it
through an external link), notifications, and the external reviewer's page — no account there: the link's token
is the credential, and the page shows the posts it covers and nothing else of the organization.

Views parse input, call one service or selector and render; a service's refusal is shown with its message
(on the form it concerns, or as a message after a redirect back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.approvals import selectors
from harmonie.approvals.consistency import VoiceChecker
from harmonie.approvals.forms import ExternalLinkForm, ReviewForm
from harmonie.approvals.models import ExternalReviewLink, ReviewVerb
from harmonie.approvals.services import external as external_services
from harmonie.approvals.services import notifications as notification_services
from harmonie.approvals.services import workflow
from harmonie.content import selectors as content_selectors
from harmonie.content.models import Post
from harmonie.content.states import PostStatus
from harmonie.content.views.pages.present import charter_check, network_check, preview_for
from harmonie.core.errors import DomainError, NotFound
from harmonie.governance.forms import add_domain_error
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

# Statuses from which the author may take a post back to draft (the workflow's withdraw accepts these).
WITHDRAWABLE = frozenset(
    {
        PostStatus.IN_REVIEW,
        PostStatus.CHANGES_REQUESTED,
        PostStatus.APPROVED,
        PostStatus.NEEDS_NEW_TIME,
        PostStatus.SCHEDULED,
    }
)


@dataclass(frozen=True)
class AuthorActions:
    """The moves offered to whoever may create content in the post's market (its author, typically)."""

    submit: bool = False
    withdraw: bool = False
    rework: bool = False

    @property
    def any(self) -> bool:
        return self.submit or self.withdraw or self.rework


def author_actions(actor: Actor, post: Post) -> AuthorActions:
    """Submit for review (draft, changes requested), take back to draft, rework (rejected): shown where they work."""
    if not actor.can(Perm.CONTENT_CREATE, post.market):
        return AuthorActions()
    return AuthorActions(
        submit=post.status in workflow.SUBMITTABLE,
        withdraw=post.status in WITHDRAWABLE,
        rework=post.status == PostStatus.REJECTED,
    )


def _safe_next(request: HttpRequest, target: str) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _post(actor: Actor, pk: int) -> Post:
    return content_selectors.post_get(actor=actor, pk=pk)


# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    item: selectors.QueueItem
    overdue_hours: int  # whole hours past the due time


def _rows(items: list[selectors.QueueItem]) -> list[QueueRow]:
    return [
        QueueRow(item=i, overdue_hours=int(i.overdue_by.total_seconds() // 3600) if i.overdue_by else 0) for i in items
    ]


@common.member_required
@require_GET
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The steps waiting for me; the overdue steps of my markets (for those who approve: leads, HQ, approvers);
    my own posts in review, with changes requested or rejected."""
    actor.require(Perm.CONTENT_VIEW)
    oversees = actor.can(Perm.CONTENT_APPROVE)
    return render(
        request,
        "approvals/queue.html",
        {
            "rows": _rows(selectors.review_queue(actor=actor)),
            "oversees": oversees,
            "overdue": _rows(selectors.overdue_steps(actor=actor)) if oversees else [],
            "submissions": list(selectors.my_submissions(actor=actor)),
        },
    )


# --- a post's review ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRow:
    link: ExternalReviewLink
    expired: bool
    can_revoke: bool


@dataclass(frozen=True)
class NewLink:
    link: ExternalReviewLink
    url: str


def _review_page(
    request: HttpRequest, actor: Actor, post: Post, *, form: ReviewForm | None = None,
    link_form: ExternalLinkForm | None = None, new_link: NewLink | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    review = selectors.post_review(actor=actor, post=post)
    media = list(post.media.all())
    revokes_any, now = actor.can_globally(Perm.CONTENT_APPROVE), timezone.now()
    links = [
        LinkRow(
            link=x, expired=x.expires_at <= now,
            can_revoke=x.revoked_at is None and (revokes_any or x.created_by_id == actor.user.pk),
        )
        for x in review.links
    ]  # fmt: skip
    return render(
        request,
        "approvals/post_review.html",
        {
            "review": review,
            "post": post,
            "media": media,
            "preview": preview_for(
                channel=post.channel, text=post.text, link=post.link, media=media, first_comment=post.first_comment
            ),
            "form": form or ReviewForm(),
            "author": author_actions(actor, post),
            "can_share": actor.can(Perm.CONTENT_APPROVE, post.market) or actor.can(Perm.CONTENT_CREATE, post.market),
            "link_form": link_form or ExternalLinkForm(),
            "links": links,
            "new_link": new_link,
            # What the reviewer checks: the network's limits, the charter findings, and the one-voice report
            # against the master (posts made from a localization).
            "network": network_check(
                channel=post.channel, text=post.text, link=post.link, first_comment=post.first_comment, media=media
            ),
            "charter": charter_check(
                actor=actor, text=post.text, market=post.market, channel=post.channel, dimension=post.master.dimension
            ),
            "one_voice": VoiceChecker(actor).post(post) if actor.can(Perm.CONTENT_VIEW, post.market) else None,
        },
        status=status,
    )


@common.member_required
@require_GET
def post_review(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _review_page(request, actor, _post(actor, pk))


def _decision_message(verb: str, post: Post) -> str:
    status = str(PostStatus(post.status).label).lower()
    if verb == ReviewVerb.APPROVE:
        return _("Your approval is recorded: the post is %(status)s.") % {"status": status}
    if verb == ReviewVerb.REQUEST_CHANGES:
        return _("Changes requested: the author is notified.")
    if verb == ReviewVerb.REJECT:
        return _("Post rejected: the author is notified.")
    return _("Comment added.")


@common.member_required
@require_POST
def post_act(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Approve, request changes, reject (the current step's approvers) or comment (anyone who sees the post)."""
    post = _post(actor, pk)
    form = ReviewForm(request.POST)
    done, status = common.submit(
        request,
        form,
        lambda data: workflow.post_review(actor=actor, post=post, verb=data["verb"], comment=data["comment"]),
    )
    if done is not None:
        messages.success(request, _decision_message(form.cleaned_data["verb"], done))
        return redirect("approvals:post", pk=done.pk)
    return _review_page(request, actor, _post(actor, pk), form=form, status=status)


def _move(request: HttpRequest, actor: Actor, pk: int, move: Callable[[Post], Post]) -> HttpResponse:
    """Run an author's move and go back where the button was (the post page or the review page)."""
    post = _post(actor, pk)
    try:
        moved = move(post)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        message = _("The post is now %(status)s.") % {"status": str(PostStatus(moved.status).label).lower()}
        if moved.status_note:
            message = f"{message} {moved.status_note}"
        messages.success(request, message)
    back = _safe_next(request, request.POST.get("next", ""))
    return HttpResponseRedirect(back or reverse("approvals:post", args=[post.pk]))


@common.member_required
@require_POST
def post_submit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _move(request, actor, pk, lambda post: workflow.post_submit(actor=actor, post=post))


@common.member_required
@require_POST
def post_withdraw(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _move(request, actor, pk, lambda post: workflow.post_withdraw(actor=actor, post=post))


@common.member_required
@require_POST
def post_rework(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _move(request, actor, pk, lambda post: workflow.post_rework(actor=actor, post=post))


@never_cache
@common.member_required
@require_POST
def link_create(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """A review link for this post. Its address is shown in this answer only (only its hash is stored), so the
    page is rendered here rather than after a redirect, and never cached."""
    post = _post(actor, pk)
    form = ExternalLinkForm(request.POST)

    def create(data: dict[str, Any]) -> tuple[ExternalReviewLink, str]:
        return external_services.external_link_create(
            actor=actor, posts=[post], reviewer_name=data["reviewer_name"], reviewer_email=data["reviewer_email"],
            days=data["days"],
        )  # fmt: skip

    created, status = common.submit(request, form, create)
    if created is None:
        return _review_page(request, actor, post, link_form=form, status=status)
    link, token = created
    url = request.build_absolute_uri(reverse("approvals:external", args=[token]))
    return _review_page(request, actor, post, new_link=NewLink(link=link, url=url))


@common.member_required
@require_POST
def link_revoke(request: HttpRequest, actor: Actor, pk: int, link_pk: int) -> HttpResponse:
    post = _post(actor, pk)
    link = next((x for x in selectors.post_review(actor=actor, post=post).links if x.pk == link_pk), None)
    if link is None:
        raise NotFound(_("No such link."))
    try:
        external_services.external_link_revoke(actor=actor, link=link)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The link of %(name)s is revoked.") % {"name": link.reviewer_name})
    return redirect("approvals:post", pk=post.pk)


# --- notifications -----------------------------------------------------------------------------


@common.member_required
@require_GET
def notification_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    items = selectors.notifications(actor=actor)
    items.sort(key=lambda n: n.read_at is not None)  # unread first; each group stays newest first
    unread = sum(1 for n in items if n.read_at is None)
    return render(request, "approvals/notifications.html", {"notifications": items, "unread": unread})


@common.member_required
@require_GET
def notification_open(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Opening a notification marks it read (the member's own only) and goes to what it is about."""
    notification_services.notifications_mark_read(actor=actor, ids=[pk])
    target = _safe_next(request, request.GET.get("next", ""))
    return HttpResponseRedirect(target or reverse("approvals:notifications"))


@common.member_required
@require_POST
def notifications_read(request: HttpRequest, actor: Actor) -> HttpResponse:
    count = notification_services.notifications_mark_read(actor=actor)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("approvals:notifications")


# --- the external reviewer (no account) --------------------------------------------------------


@dataclass(frozen=True)
class ExternalRow:
    view: selectors.ExternalPostView
    form: ReviewForm


def _external_form(post_id: int, data: QueryDict | None = None) -> ReviewForm:
    return ReviewForm(data, auto_id=f"post{post_id}_%s")


def _external_headers(response: HttpResponse) -> HttpResponse:
    # The token is in the address: never sent on to another site, never indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _external_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _external_headers(
        render(
            request,
            "approvals/external_refused.html",
            {"message": exc.message, "status": exc.status_code},
            status=exc.status_code,
        )
    )


def _link_refusal(exc: DomainError) -> bool:
    """Unknown, revoked or expired link, or a post it does not cover: the whole page is refused."""
    return isinstance(exc, NotFound) or exc.code in ("link_revoked", "link_expired")


def _external_page(
    request: HttpRequest, link: ExternalReviewLink, token: str, *, post_id: int | None = None,
    form: ReviewForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    views = selectors.external_posts(link=link, post_id=post_id)
    rows = [
        ExternalRow(view=v, form=form if form is not None and v.post.pk == post_id else _external_form(v.post.pk))
        for v in views
    ]
    return _external_headers(
        render(
            request,
            "approvals/external_review.html",
            {"link": link, "token": token, "rows": rows, "single": post_id is not None},
            status=status,
        )
    )


@never_cache
@require_GET
def external(request: HttpRequest, token: str) -> HttpResponse:
    """The posts a review link covers, each with its current step, its thread and the review form."""
    try:
        link = external_services.link_for_token(token)
    except DomainError as exc:
        return _external_refused(request, exc)
    return _external_page(request, link, token)


@never_cache
@require_http_methods(["GET", "POST"])
def external_post(request: HttpRequest, token: str, post_id: int) -> HttpResponse:
    """GET: one post of the link. POST: the reviewer's comment or decision on it."""
    try:
        link = external_services.link_for_token(token)
        external_services.link_post(link, post_id)
    except DomainError as exc:
        return _external_refused(request, exc)
    if request.method == "GET":
        return _external_page(request, link, token, post_id=post_id)
    form = _external_form(post_id, request.POST)
    if not form.is_valid():
        return _external_page(request, link, token, post_id=post_id, form=form, status=400)
    verb = form.cleaned_data["verb"]
    try:
        done = external_services.external_review(
            token=token, post_id=post_id, verb=verb, comment=form.cleaned_data["comment"]
        )
    except DomainError as exc:
        if _link_refusal(exc):
            return _external_refused(request, exc)
        add_domain_error(form, exc)
        return _external_page(request, link, token, post_id=post_id, form=form, status=exc.status_code)
    messages.success(request, _decision_message(verb, done))
    return HttpResponseRedirect(f"{reverse('approvals:external', args=[token])}#post-{post_id}")
