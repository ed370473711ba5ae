"""Cadence targets per channel and the effort each format costs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.core.audit import audit_record
from harmonie.core.errors import ValidationFailed
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.models import CadenceTarget, FormatEffort, PostFormat


@transaction.atomic
def cadence_target_set(
    *, actor: Actor, channel: Channel, posts_per_week: Decimal | str | float, main_format: str, basis: str = ""
) -> CadenceTarget:
    actor.require(Perm.STRATEGY_MANAGE, channel.owner_market)
    try:
        value = Decimal(str(posts_per_week)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("Posts per week must be a number, e.g. 3 or 3.5."), field="posts_per_week") from exc
    if not Decimal(0) <= value <= Decimal(500):
        raise ValidationFailed(_("Posts per week must be between 0 and 500."), field="posts_per_week")
    if main_format not in PostFormat.values:
        raise ValidationFailed(_("Choose a format: text, image, video or live."), field="main_format")
    target = CadenceTarget.objects.filter(channel=channel).first()
    before = (
        {"posts_per_week": str(target.posts_per_week), "main_format": target.main_format, "basis": target.basis}
        if target
        else None
    )
    target = target or CadenceTarget(channel=channel)
    target.posts_per_week, target.main_format, target.basis = value, main_format, basis.strip()
    target.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="cadence.set", target=target,
        before=before, after={"posts_per_week": str(value), "main_format": main_format, "basis": target.basis},
        market_id=channel.owner_market_id, target_label=str(channel),
    )  # fmt: skip
    return target


@transaction.atomic
def format_effort_set(*, actor: Actor, format: str, minutes_per_post: int) -> FormatEffort:
    actor.require_global(Perm.STRATEGY_MANAGE)
    if format not in PostFormat.values:
        raise ValidationFailed(_("Choose a format: text, image, video or live."), field="format")
    if not 1 <= int(minutes_per_post) <= 60 * 40:
        raise ValidationFailed(_("Minutes per post must be between 1 and 2400."), field="minutes_per_post")
    effort = FormatEffort.objects.filter(organization=actor.organization, format=format).first()
    before = {"minutes_per_post": effort.minutes_per_post} if effort else None
    effort = effort or FormatEffort(organization=actor.organization, format=format)
    effort.minutes_per_post = int(minutes_per_post)
    effort.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="format_effort.set", target=effort,
        before=before, after={"minutes_per_post": effort.minutes_per_post},
    )  # fmt: skip
    return effort
