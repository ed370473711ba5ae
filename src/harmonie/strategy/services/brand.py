"""The brand platform: DNA, story, value proposition, tone of voice, key messages, content pillars."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import NotFound, ValidationFailed
from harmonie.governance.models import Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.models import BrandPlatform, ContentPillar, KeyMessage, KeyMessageAdaptation

PLATFORM_FIELDS = ["dna", "story", "value_proposition", "tone_of_voice", "names"]


def clean_brand_names(names: Sequence[str]) -> list[str]:
    """Brand and product names, one per entry, spelled as they must appear; duplicates refused."""
    out: list[str] = []
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > 80:
            raise ValidationFailed(_("“%(name)s” is too long for a name (80 characters at most).") % {"name": name},
                                   field="names")  # fmt: skip
        if any(n.casefold() == name.casefold() for n in out):
            raise ValidationFailed(_("“%(name)s” is listed twice.") % {"name": name}, field="names")
        out.append(name)
    return out


@transaction.atomic
def brand_platform_update(
    *,
    actor: Actor,
    dna: str,
    story: str,
    value_proposition: str,
    tone_of_voice: str,
    names: Sequence[str] | None = None,
) -> BrandPlatform:
    actor.require_global(Perm.STRATEGY_MANAGE)
    platform, _created = BrandPlatform.objects.get_or_create(organization=actor.organization)
    before = snapshot(platform, PLATFORM_FIELDS)
    platform.dna, platform.story = dna.strip(), story.strip()
    platform.value_proposition, platform.tone_of_voice = value_proposition.strip(), tone_of_voice.strip()
    if names is not None:
        platform.names = clean_brand_names(names)
    platform.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="brand_platform.update", target=platform,
        before=before, after=snapshot(platform, PLATFORM_FIELDS), target_label=_("Brand platform"),
    )  # fmt: skip
    return platform


@transaction.atomic
def key_message_create(*, actor: Actor, text: str) -> KeyMessage:
    actor.require_global(Perm.STRATEGY_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the key message."), field="text")
    last = KeyMessage.objects.filter(organization=actor.organization).order_by("-position").first()
    message = KeyMessage.objects.create(
        organization=actor.organization, text=text, position=(last.position + 1) if last else 1
    )
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="key_message.create", target=message,
        after={"text": text},
    )  # fmt: skip
    return message


@transaction.atomic
def key_message_update(*, actor: Actor, message: KeyMessage, text: str, is_active: bool = True) -> KeyMessage:
    actor.require_global(Perm.STRATEGY_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the key message."), field="text")
    before = {"text": message.text, "is_active": message.is_active}
    message.text, message.is_active = text, is_active
    message.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="key_message.update", target=message,
        before=before, after={"text": text, "is_active": is_active},
    )  # fmt: skip
    return message


@transaction.atomic
def key_message_delete(*, actor: Actor, message: KeyMessage) -> None:
    actor.require_global(Perm.STRATEGY_MANAGE)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="key_message.delete", target=message,
        before={"text": message.text},
    )  # fmt: skip
    message.delete()


@transaction.atomic
def key_message_adapt(*, actor: Actor, message: KeyMessage, market: Market, text: str) -> KeyMessageAdaptation | None:
    """Set (or, with empty text, remove) a market's local wording of a key message."""
    if message.organization_id != actor.organization_id or market.organization_id != actor.organization_id:
        raise NotFound(_("No such key message."))
    actor.require(Perm.STRATEGY_MANAGE, market)
    if market.is_root:
        raise ValidationFailed(_("Global's wording is the key message itself; adapt it for a market."), field="market")
    existing = KeyMessageAdaptation.objects.filter(key_message=message, market=market).first()
    before = {"text": existing.text} if existing else None
    text = (text or "").strip()
    if not text:
        if existing is not None:
            audit_record(
                organization_id=actor.organization_id, actor=actor.user, action="key_message.adaptation_delete",
                target=existing, before=before, market_id=market.pk,
            )  # fmt: skip
            existing.delete()
        return None
    adaptation = existing or KeyMessageAdaptation(key_message=message, market=market)
    adaptation.text = text
    adaptation.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="key_message.adapt", target=adaptation,
        before=before, after={"text": text}, market_id=market.pk,
        target_label=f"{market.name}: {message.text[:80]}",
    )  # fmt: skip
    return adaptation


class PillarInput(TypedDict):
    name: str
    target_share: Decimal | str | int | float
    description: str


@transaction.atomic
def pillars_set(*, actor: Actor, pillars: Sequence[PillarInput]) -> list[ContentPillar]:
    """Replace the content pillars and their target mix; shares must add up to 100 %."""
    actor.require_global(Perm.STRATEGY_MANAGE)
    cleaned: list[tuple[str, Decimal, str]] = []
    names: set[str] = set()
    for index, pillar in enumerate(pillars):
        name = (pillar.get("name") or "").strip()
        if not name:
            raise ValidationFailed(_("Pillar %(n)s has no name.") % {"n": index + 1}, field="pillars")
        if name.casefold() in names:
            raise ValidationFailed(_("Two pillars are named %(name)s.") % {"name": name}, field="pillars")
        names.add(name.casefold())
        try:
            share = Decimal(str(pillar.get("target_share"))).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ValidationFailed(
                _("The share of %(name)s must be a number.") % {"name": name}, field="pillars"
            ) from exc
        if not Decimal(0) < share <= Decimal(100):
            raise ValidationFailed(_("The share of %(name)s must be between 0 and 100 %%.") % {"name": name},
                                   field="pillars")  # fmt: skip
        cleaned.append((name, share, (pillar.get("description") or "").strip()))
    total = sum((share for _n, share, _d in cleaned), Decimal(0))
    if cleaned and total != Decimal(100):
        raise ValidationFailed(
            _("The target mix adds up to %(total)s %%; it must add up to 100 %%.") % {"total": total}, field="pillars"
        )
    existing = list(ContentPillar.objects.filter(organization=actor.organization))
    before = [{"name": p.name, "target_share": str(p.target_share)} for p in existing]
    ContentPillar.objects.filter(organization=actor.organization).delete()
    created = [
        ContentPillar.objects.create(
            organization=actor.organization, name=name, target_share=share, description=description, position=i
        )
        for i, (name, share, description) in enumerate(cleaned)
    ]
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="pillars.set", target=actor.organization,
        before={"pillars": before},
        after={"pillars": [{"name": p.name, "target_share": str(p.target_share)} for p in created]},
        target_label=_("Content pillars"),
    )  # fmt: skip
    return created
