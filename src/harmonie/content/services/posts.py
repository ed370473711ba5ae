"""Posts: what goes to one channel at one time, checked against the network, the media rights, the
objectives-first policy and the charter before it is scheduled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from harmonie.approvals.services import workflow
from harmonie.content.models import (
    ContentKind,
    Localization,
    LocalizationState,
    MasterContent,
    MediaAsset,
    Post,
    PostStatus,
)
from harmonie.content.networks import MediaInfo, validate_post
from harmonie.content.services.transitions import post_transition
from harmonie.content.states import EDITABLE, check_transition
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.governance import matrix
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy import selectors as strategy_selectors
from harmonie.strategy.services import objectives_first_check

POST_FIELDS = ["channel", "market", "text", "link", "first_comment", "utm", "scheduled_at", "status"]
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _serves(channel: Channel, market: Market) -> bool:
    return channel.owner_market_id == market.pk or any(m.pk == market.pk for m in channel.served_markets.all())


def _clean_utm(utm: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in utm.items():
        if key not in UTM_KEYS:
            raise ValidationFailed(
                _("Unknown UTM parameter '%(key)s'; use %(keys)s.") % {"key": key, "keys": ", ".join(UTM_KEYS)},
                field="utm",
            )
        text = str(value).strip()
        if text:
            out[key] = text
    return out


# A draft may still lack what only publication needs (the media Instagram or TikTok require).
DRAFT_TOLERATED = frozenset({"media_required"})


def network_problems(
    *, channel: Channel, text: str, media: Sequence[MediaAsset], link: str, first_comment: str, draft: bool = False
) -> None:
    """Raise with every problem the channel's network finds in the post (all at once, not the first)."""
    infos = [
        MediaInfo(
            kind=m.kind, mime_type=m.mime_type, size_bytes=m.size_bytes, width=m.width, height=m.height,
            duration_seconds=float(m.duration_seconds) if m.duration_seconds is not None else None,
            alt_text=m.alt_text,
        )
        for m in media
    ]  # fmt: skip
    problems = validate_post(network=channel.network, text=text, media=infos, link=link, first_comment=first_comment)
    if draft:
        problems = [p for p in problems if p.code not in DRAFT_TOLERATED]
    if problems:
        raise ValidationFailed(" ".join(p.message for p in problems), field=problems[0].field, code="network_limits")


def media_rights_problems(*, media: Sequence[MediaAsset], market: Market, at: dt.datetime) -> list[str]:
    """Why each asset may not be published in ``market`` at ``at`` (expired rights, market not allowed)."""
    problems: list[str] = []
    for asset in media:
        if asset.rights_expire_at is not None and asset.rights_expire_at <= at:
            problems.append(
                _("The usage rights of “%(asset)s” expire on %(expiry)s, before this publication: "
                  "choose another asset or renew the rights.")
                % {"asset": asset, "expiry": date_format(asset.rights_expire_at, "DATETIME_FORMAT")}
            )  # fmt: skip
        allowed = list(asset.allowed_markets.all())
        if allowed and not any(market.path.startswith(m.path) for m in allowed):
            problems.append(
                _("“%(asset)s” may be used in %(markets)s only, not in %(market)s.")
                % {"asset": asset, "markets": ", ".join(m.name for m in allowed), "market": market.name}
            )
    return problems


def _source(
    *, actor: Actor, channel: Channel, localization: Localization | None, master: MasterContent | None
) -> tuple[MasterContent, Localization | None, Market, str]:
    if (localization is None) == (master is None):
        raise ValidationFailed(_("A post comes from a localization or from local content."), field="source")
    if localization is not None:
        if localization.state not in (LocalizationState.ADOPTED, LocalizationState.ADAPTED):
            raise ValidationFailed(
                _("This localization is %(state)s: adopt or adapt it before making posts from it.")
                % {"state": localization.get_state_display().lower()},
                field="localization",
            )
        source_master, market = localization.master, localization.market
        text = localization.body or source_master.body
    else:
        assert master is not None
        if master.kind != ContentKind.LOCAL:
            raise ValidationFailed(_("Master content is posted through a localization."), field="master")
        source_master, market, text = master, master.market, master.body
    if source_master.organization_id != actor.organization_id or channel.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose content and a channel of this organization."))
    actor.require(Perm.CONTENT_CREATE, market)
    if not _serves(channel, market):
        raise ValidationFailed(
            _("%(channel)s does not serve %(market)s.") % {"channel": channel, "market": market.name}, field="channel"
        )
    if not channel.is_active:
        raise ValidationFailed(_("%(channel)s is archived.") % {"channel": channel}, field="channel")
    return source_master, localization, market, text


@transaction.atomic
def post_create(
    *,
    actor: Actor,
    channel: Channel,
    localization: Localization | None = None,
    master: MasterContent | None = None,
    text: str | None = None,
    link: str = "",
    first_comment: str = "",
    utm: Mapping[str, Any] | None = None,
    media: Sequence[MediaAsset] | None = None,
    scheduled_at: dt.datetime | None = None,
) -> Post:
    """A draft post from a localization (or local content), scheduled at once if ``scheduled_at`` is given."""
    source_master, localization, market, default_text = _source(
        actor=actor, channel=channel, localization=localization, master=master
    )
    if localization is None:
        _refuse(matrix.can_create(actor, source_master.dimension, market))
    body = (text if text is not None else default_text).strip()
    assets = list(media) if media is not None else list(source_master.media.all())
    if any(a.organization_id != actor.organization_id for a in assets):
        raise ValidationFailed(_("Choose media of this organization's library."), field="media")
    network_problems(channel=channel, text=body, media=assets, link=link, first_comment=first_comment, draft=True)
    post = Post.objects.create(
        organization=actor.organization, channel=channel, market=market, master=source_master,
        localization=localization, text=body, link=link.strip(), first_comment=first_comment.strip(),
        utm=_clean_utm(utm or {}), created_by=actor.user,
    )  # fmt: skip
    post.media.set(assets)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="post.create", target=post,
        after=snapshot(post, POST_FIELDS), market_id=market.pk,
    )  # fmt: skip
    if scheduled_at is not None:
        post = _schedule(actor=actor, post=post, scheduled_at=scheduled_at)
    return post


def _refuse(decision: matrix.Decision) -> None:
    if not decision.allowed:
        raise NotPermitted(decision.reason, code="governance")


def schedule_problems(*, actor: Actor, post: Post, scheduled_at: dt.datetime) -> None:
    """Raise if ``post`` may not be published at ``scheduled_at``: in the past, network limits, media rights,
    objectives first, blocking charter findings."""
    if scheduled_at.tzinfo is None:
        raise ValidationFailed(_("Give the time with its time zone."), field="scheduled_at")
    if scheduled_at <= timezone.now():
        raise ValidationFailed(_("This time is in the past: choose a time to come."), field="scheduled_at")
    media = list(post.media.all())
    network_problems(
        channel=post.channel, text=post.text, media=media, link=post.link, first_comment=post.first_comment
    )
    rights = media_rights_problems(media=media, market=post.market, at=scheduled_at)
    if rights:
        raise ValidationFailed(" ".join(rights), field="media", code="media_rights")
    objectives_first_check(channel=post.channel, at=scheduled_at)
    lint = strategy_selectors.charter_lint(
        actor=actor, text=post.text, market=post.market, channel=post.channel, dimension=post.master.dimension,
        at=scheduled_at,
    )  # fmt: skip
    blocking = [f for f in lint.findings if f.severity == "block"]
    if blocking:
        raise ValidationFailed(
            _("The editorial charter blocks this post: %(findings)s")
            % {"findings": " ".join(f"{lint.rules[int(f.rule_id)].name}: {f.message}" for f in blocking)},
            field="text",
            code="charter",
        )


# Statuses from which a time can be set; a draft (or a post with changes requested) is then submitted.
SCHEDULABLE = frozenset(
    {
        PostStatus.DRAFT,
        PostStatus.CHANGES_REQUESTED,
        PostStatus.IN_REVIEW,
        PostStatus.APPROVED,
        PostStatus.NEEDS_NEW_TIME,
        PostStatus.SCHEDULED,
        PostStatus.FAILED,
    }
)


def _schedule(*, actor: Actor, post: Post, scheduled_at: dt.datetime) -> Post:
    actor.require(Perm.CONTENT_CREATE, post.market)
    if post.status == PostStatus.ON_HOLD:
        raise ValidationFailed(
            _("This post is on hold during a crisis: release or reschedule it from the crisis console."),
            field="status", code="on_hold",
        )  # fmt: skip
    if post.status not in SCHEDULABLE:
        check_transition(post.status, PostStatus.SCHEDULED)
    schedule_problems(actor=actor, post=post, scheduled_at=scheduled_at)
    before = snapshot(post, POST_FIELDS)
    post.scheduled_at = scheduled_at.astimezone(dt.UTC)
    post.save(update_fields=["scheduled_at", "updated_at"])
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="post.schedule", target=post, before=before,
        after=snapshot(post, POST_FIELDS), market_id=post.market_id,
    )  # fmt: skip
    if post.status in (PostStatus.DRAFT, PostStatus.CHANGES_REQUESTED):
        return workflow.submit_locked(actor=actor, post=post)
    if post.status in (PostStatus.APPROVED, PostStatus.NEEDS_NEW_TIME, PostStatus.FAILED):
        return post_transition(post=post, to=PostStatus.SCHEDULED, user=actor.user)
    return post


@transaction.atomic
def post_schedule(*, actor: Actor, post: Post, scheduled_at: dt.datetime) -> Post:
    """Schedule (or reschedule, e.g. by drag and drop in the calendar) a post, after every check. A draft is
    submitted for review: it is scheduled once approved (at once when no review step applies); a new time
    keeps the approvals, since what the post says did not change."""
    locked = (
        Post.objects.select_for_update(of=("self",))
        .select_related("channel", "market", "master__dimension")
        .get(pk=post.pk)
    )
    return _schedule(actor=actor, post=locked, scheduled_at=scheduled_at)


@transaction.atomic
def post_update(
    *,
    actor: Actor,
    post: Post,
    text: str,
    link: str = "",
    first_comment: str = "",
    utm: Mapping[str, Any] | None = None,
    media: Sequence[MediaAsset] | None = None,
) -> Post:
    """Change what a post says. After submission this withdraws the approvals given and starts a new review."""
    post = workflow.lock(post)
    actor.require(Perm.CONTENT_CREATE, post.market)
    if post.status not in EDITABLE:
        raise ValidationFailed(
            _("A post that is %(status)s cannot be edited.") % {"status": str(PostStatus(post.status).label).lower()},
            field="status", code="invalid_transition",
        )  # fmt: skip
    body = (text or "").strip()
    assets = list(media) if media is not None else list(post.media.all())
    draft = post.status not in (PostStatus.SCHEDULED, PostStatus.APPROVED)
    network_problems(channel=post.channel, text=body, media=assets, link=link, first_comment=first_comment, draft=draft)
    before = snapshot(post, POST_FIELDS)
    before_media = sorted(post.media.values_list("pk", flat=True))
    previous_revision = post.revision
    post.text, post.link, post.first_comment = body, link.strip(), first_comment.strip()
    post.utm = _clean_utm(utm or {})
    after = snapshot(post, POST_FIELDS)
    if after == before and sorted(a.pk for a in assets) == before_media:
        return post
    post.revision += 1
    post.save()
    post.media.set(assets)
    if post.status == PostStatus.SCHEDULED and post.scheduled_at is not None:
        schedule_problems(actor=actor, post=post, scheduled_at=post.scheduled_at)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="post.update", target=post, before=before,
        after=after, market_id=post.market_id,
    )  # fmt: skip
    return workflow.after_edit(actor=actor, post=post, previous_revision=previous_revision)


@transaction.atomic
def post_cancel(*, actor: Actor, post: Post) -> Post:
    post = workflow.lock(post)
    actor.require(Perm.CONTENT_CREATE, post.market)
    workflow.refuse_if_held(post)
    workflow.close_open_request(post=post, actor=actor, note=_("The post was cancelled."))
    return post_transition(post=post, to=PostStatus.CANCELLED, user=actor.user)
