"""Posts: the filtered list, a post's page, creation from a localization or local content (the time typed on the
channel's wall clock), edition, scheduling, cancellation, and the live checks and preview that HTMX asks for
while the text is typed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harmonie.approvals.views.review import author_actions
from harmonie.content import selectors, services
from harmonie.content.forms import (
    PostCheckForm,
    PostCreateForm,
    PostEditForm,
    PostFilterForm,
    PostScheduleForm,
    PostSource,
    PostSourceForm,
    post_sources,
    with_form_names,
)
from harmonie.content.models import MediaAsset, Post, PostStatus
from harmonie.content.timeutils import local_to_utc, utc_to_local
from harmonie.content.views.pages.present import Preview, charter_check, network_check, preview_for
from harmonie.governance.models import Channel, Dimension, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

PER_PAGE = 50


def scheduled_message(post: Post) -> str:
    """The message after saving: "Scheduled for 12 January 2027 09:00 (Europe/Paris), 08:00 UTC." or a draft's."""
    if post.status != PostStatus.SCHEDULED or post.scheduled_at is None:
        return _("Draft saved.")
    local = utc_to_local(post.scheduled_at, post.channel.timezone)
    return _("Scheduled for %(local)s (%(zone)s), %(utc)s UTC.") % {
        "local": date_format(local, "DATETIME_FORMAT"),
        "zone": post.channel.timezone,
        "utc": post.scheduled_at.strftime("%H:%M"),
    }


def _preview(
    *, channel: Channel, text: str, link: str, media: Sequence[MediaAsset], first_comment: str = ""
) -> Preview | None:
    """The post as its network will show it, or None for a network whose limits Harmonie does not know (the
    loopback "sink" of the tests and benchmarks): the page then says there is no preview instead of failing."""
    try:
        return preview_for(channel=channel, text=text, link=link, media=media, first_comment=first_comment)
    except ValueError:  # limits_for(): "Unknown network"
        return None


# --- list and page -----------------------------------------------------------------------------


@common.member_required
@require_GET
def post_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters = PostFilterForm(request.GET or None, actor=actor)
    data = filters.cleaned_data if filters.is_valid() else {}
    market, channel, campaign = data.get("market"), data.get("channel"), data.get("campaign")
    posts = selectors.post_list(
        actor=actor,
        market_pk=market.pk if market else None,
        channel_pk=channel.pk if channel else None,
        campaign_pk=campaign.pk if campaign else None,
        status=data.get("status") or None,
    )
    page = Paginator(posts, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "content/posts.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "can_create": actor.can(Perm.CONTENT_CREATE)},
    )


def _checks_context(
    actor: Actor, *, channel: Channel, market: Market, dimension: Dimension | None, text: str, link: str,
    first_comment: str, media: Sequence[MediaAsset],
) -> dict[str, Any]:  # fmt: skip
    return {
        "network": network_check(channel=channel, text=text, link=link, first_comment=first_comment, media=media),
        "charter": charter_check(actor=actor, text=text, market=market, channel=channel, dimension=dimension),
        "preview": preview_for(channel=channel, text=text, link=link, media=media, first_comment=first_comment),
    }


@common.member_required
@require_GET
def post_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    post = selectors.post_get(actor=actor, pk=pk)
    media = list(post.media.all())
    return render(
        request,
        "content/post.html",
        {
            "post": post,
            "media": media,
            "local_time": utc_to_local(post.scheduled_at, post.channel.timezone) if post.scheduled_at else None,
            "preview": _preview(
                channel=post.channel, text=post.text, link=post.link, media=media, first_comment=post.first_comment
            ),
            "can_change": post.status != PostStatus.CANCELLED and actor.can(Perm.CONTENT_CREATE, post.market),
            "author": author_actions(actor, post),
        },
    )


# --- create ------------------------------------------------------------------------------------


def _source_step(request: HttpRequest, actor: Actor, form: PostSourceForm, *, status: int = 200) -> HttpResponse:
    return render(request, "content/post_source.html", {"form": form}, status=status)


def _post_form_page(
    request: HttpRequest, actor: Actor, form: PostCreateForm, *, source: PostSource, channel: Channel,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    values = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    media = list(values["assets"]) if "assets" in values else list(source.master.media.all())
    checks = _checks_context(
        actor, channel=channel, market=source.market, dimension=source.master.dimension,
        text=values.get("text", form["text"].value() or ""), link=values.get("link", form["link"].value() or ""),
        first_comment=values.get("first_comment", form["first_comment"].value() or ""), media=media,
    )  # fmt: skip
    return render(
        request,
        "content/post_form.html",
        {
            "form": form,
            "post": None,
            "source": source,
            "channel": channel,
            "market": source.market,
            "dimension": source.master.dimension,
            "source_outdated": source.localization is not None and selectors.is_outdated(source.localization),
            **checks,
        },
        status=status,
    )


@common.member_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Step 1 (GET without both): choose the content and the channel. Step 2: the post, its time typed on the
    channel's wall clock (shown with its zone) and converted to UTC; checked live, saved by the service."""
    actor.require(Perm.CONTENT_CREATE)
    sources = post_sources(actor)
    if request.method == "GET":
        wanted = request.GET.get("source")
        if not (wanted and request.GET.get("channel")):
            step = PostSourceForm(actor=actor, sources=sources, initial={"source": wanted})
            return _source_step(request, actor, step)
        step = PostSourceForm(request.GET, actor=actor, sources=sources)
        if not step.is_valid():
            return _source_step(request, actor, step, status=400)
        source, channel = step.cleaned_data["source"], step.cleaned_data["channel"]
        initial = {
            "source": source.key,
            "channel": channel.pk,
            "text": source.text,
            "assets": [m.pk for m in source.master.media.all()],
        }
        form = PostCreateForm(actor=actor, sources=sources, initial=initial)
        return _post_form_page(request, actor, form, source=source, channel=channel)

    form = PostCreateForm(request.POST, actor=actor, sources=sources)
    form.is_valid()
    source, channel = form.cleaned_data.get("source"), form.cleaned_data.get("channel")
    if source is None or channel is None:
        step = PostSourceForm(request.POST, actor=actor, sources=sources)
        step.is_valid()
        return _source_step(request, actor, step, status=400)

    def create(data: dict[str, Any]) -> Post:
        def call() -> Post:
            at = None
            if data["scheduled_date"] is not None:
                at = local_to_utc(data["scheduled_date"], data["scheduled_time"], channel.timezone)
            return services.post_create(
                actor=actor, channel=channel, localization=source.localization,
                master=source.master if source.localization is None else None, text=data["text"],
                link=data["link"], first_comment=data["first_comment"], utm=form.utm(), media=list(data["assets"]),
                scheduled_at=at,
            )  # fmt: skip

        return with_form_names(call)

    post, status = common.submit(request, form, create)
    if post is not None:
        messages.success(request, scheduled_message(post))
        return redirect("content:post", pk=post.pk)
    return _post_form_page(request, actor, form, source=source, channel=channel, status=status)


@common.member_required
@require_GET
def post_channels(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The channels serving the chosen content's market (HTMX swaps the select in)."""
    form = PostSourceForm(request.GET, actor=actor)
    return render(request, "content/post_source.html#channel_select", {"form": form})


# --- edit, schedule, cancel --------------------------------------------------------------------


def _edit_page(
    request: HttpRequest, actor: Actor, post: Post, *, form: PostEditForm | None = None,
    schedule_form: PostScheduleForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    post_media = list(post.media.all())
    if form is None:
        initial = {
            "text": post.text, "link": post.link, "first_comment": post.first_comment,
            "assets": [m.pk for m in post_media], **post.utm,
        }  # fmt: skip
        form = PostEditForm(actor=actor, initial=initial)
    if schedule_form is None:
        local = utc_to_local(post.scheduled_at, post.channel.timezone) if post.scheduled_at else None
        schedule_form = PostScheduleForm(
            initial={"scheduled_date": local.date(), "scheduled_time": local.time()} if local else {}
        )
    values = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    media = list(values["assets"]) if "assets" in values else post_media
    checks = _checks_context(
        actor, channel=post.channel, market=post.market, dimension=post.master.dimension,
        text=values.get("text", form["text"].value() or ""), link=values.get("link", form["link"].value() or ""),
        first_comment=values.get("first_comment", form["first_comment"].value() or ""), media=media,
    )  # fmt: skip
    local = utc_to_local(post.scheduled_at, post.channel.timezone) if post.scheduled_at else None
    return render(
        request,
        "content/post_form.html",
        {
            "form": form,
            "schedule_form": schedule_form,
            "post": post,
            "channel": post.channel,
            "market": post.market,
            "dimension": post.master.dimension,
            "local_time": local,
            "author": author_actions(actor, post),
            **checks,
        },
        status=status,
    )


def _changeable(actor: Actor, pk: int) -> Post:
    post = selectors.post_get(actor=actor, pk=pk)
    actor.require(Perm.CONTENT_CREATE, post.market)
    return post


@common.member_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    post = _changeable(actor, pk)
    if request.method == "GET":
        return _edit_page(request, actor, post)
    form = PostEditForm(request.POST, actor=actor)

    def update(data: dict[str, Any]) -> Post:
        def call() -> Post:
            return services.post_update(
                actor=actor, post=post, text=data["text"], link=data["link"], first_comment=data["first_comment"],
                utm=form.utm(), media=list(data["assets"]),
            )  # fmt: skip

        return with_form_names(call)

    updated, status = common.submit(request, form, update)
    if updated is not None:
        messages.success(request, _("Post saved."))
        return redirect("content:post", pk=updated.pk)
    return _edit_page(request, actor, selectors.post_get(actor=actor, pk=pk), form=form, status=status)


@common.member_required
@require_POST
def post_schedule(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    post = _changeable(actor, pk)
    form = PostScheduleForm(request.POST)

    def schedule(data: dict[str, Any]) -> Post:
        def call() -> Post:
            at = local_to_utc(data["scheduled_date"], data["scheduled_time"], post.channel.timezone)
            return services.post_schedule(actor=actor, post=post, scheduled_at=at)

        return with_form_names(call)

    done, status = common.submit(request, form, schedule)
    if done is not None:
        messages.success(request, scheduled_message(done))
        return redirect("content:post", pk=done.pk)
    return _edit_page(request, actor, post, schedule_form=form, status=status)


@common.member_required
@require_POST
def post_cancel(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    post = _changeable(actor, pk)
    services.post_cancel(actor=actor, post=post)
    messages.success(request, _("Post cancelled: it will not be published."))
    return redirect("content:post", pk=post.pk)


# --- live checks -------------------------------------------------------------------------------


def _check_form(request: HttpRequest, actor: Actor) -> tuple[PostCheckForm, dict[str, Any] | None]:
    form = PostCheckForm(request.POST, actor=actor)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    context = _checks_context(
        actor, channel=data["channel"], market=data["market"], dimension=data["dimension"], text=data["text"],
        link=data["link"], first_comment=data["first_comment"], media=list(data["assets"]),
    )  # fmt: skip
    return form, context


@common.member_required
@require_POST
def post_lint(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The live checks of the post being typed: its length as the network counts it, the network's problems,
    the charter findings highlighted; the preview comes along out of band."""
    form, context = _check_form(request, actor)
    if context is None:
        return render(request, "content/post_form.html#checks", {"check_errors": form.errors}, status=400)
    return render(request, "content/post_live.html", {**context, "oob": True})


@common.member_required
@require_POST
def post_preview(request: HttpRequest, actor: Actor) -> HttpResponse:
    """How the post being typed will look on its network."""
    form, context = _check_form(request, actor)
    if context is None:
        return render(request, "content/post_form.html#checks", {"check_errors": form.errors}, status=400)
    return render(request, "content/post_form.html#preview", context)
