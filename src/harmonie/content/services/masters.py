"""Master content, local-only content and localizations, under the governance matrix."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.content.models import (
    Campaign,
    ContentKind,
    Localization,
    LocalizationState,
    MasterContent,
    MasterRevision,
    MediaAsset,
)
from harmonie.core.audit import audit_record
from harmonie.core.errors import Conflict, NotPermitted, ValidationFailed
from harmonie.core.validation import normalize_language_tag
from harmonie.governance import matrix
from harmonie.governance.models import Dimension, GovernanceRule, LocalVariants, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.strategy.models import ContentPillar, KeyMessage


def _refuse(decision: matrix.Decision) -> None:
    if not decision.allowed:
        raise NotPermitted(decision.reason, code="governance")


def _clean_refs(
    *, actor: Actor, campaign: Campaign | None, pillar: ContentPillar | None, key_messages: Sequence[KeyMessage],
    media: Sequence[MediaAsset],
) -> None:  # fmt: skip
    org = actor.organization_id
    if campaign is not None and campaign.organization_id != org:
        raise ValidationFailed(_("Choose a campaign of this organization."), field="campaign")
    if pillar is not None and pillar.organization_id != org:
        raise ValidationFailed(_("Choose a pillar of this organization."), field="pillar")
    if any(k.organization_id != org for k in key_messages):
        raise ValidationFailed(_("Choose key messages of this organization."), field="key_messages")
    if any(m.organization_id != org for m in media):
        raise ValidationFailed(_("Choose media of this organization's library."), field="media")


def _revision(master: MasterContent, actor: Actor) -> None:
    MasterRevision.objects.create(
        master=master, version=master.version, title=master.title, body=master.body, created_at=timezone.now(),
        created_by=actor.user,
    )  # fmt: skip


@transaction.atomic
def master_create(
    *,
    actor: Actor,
    market: Market,
    dimension: Dimension,
    title: str,
    body: str,
    source_language: str,
    kind: str = ContentKind.MASTER,
    campaign: Campaign | None = None,
    pillar: ContentPillar | None = None,
    key_messages: Sequence[KeyMessage] = (),
    media: Sequence[MediaAsset] = (),
) -> MasterContent:
    """Master content (to be localized) or, with ``kind=local``, a market's own content.

    Both need the governance matrix's "may create" for the dimension in that market: a community manager
    cannot create content in a dimension the matrix keeps global.
    """
    if market.organization_id != actor.organization_id or dimension.organization_id != actor.organization_id:
        raise ValidationFailed(_("Choose a market and a dimension of this organization."))
    if kind not in ContentKind.values:
        raise ValidationFailed(_("Choose master or local content."), field="kind")
    if kind == ContentKind.LOCAL and market.is_root:
        raise ValidationFailed(_("Local content belongs to a market; Global content is master content."),
                               field="market")  # fmt: skip
    _refuse(matrix.can_create(actor, dimension, market))
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationFailed(_("Give the content a title."), field="title")
    if not body:
        raise ValidationFailed(_("Write the text."), field="body")
    language = normalize_language_tag(source_language, field="source_language")
    _clean_refs(actor=actor, campaign=campaign, pillar=pillar, key_messages=key_messages, media=media)
    master = MasterContent.objects.create(
        organization=actor.organization, kind=kind, market=market, campaign=campaign, dimension=dimension,
        pillar=pillar, title=title, body=body, source_language=language, created_by=actor.user,
    )  # fmt: skip
    master.key_messages.set(key_messages)
    master.media.set(media)
    _revision(master, actor)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action=f"{kind}_content.create", target=master,
        after={"title": title, "dimension": dimension.pk, "market": market.pk, "version": 1},
        market_id=market.pk,
    )  # fmt: skip
    return master


@transaction.atomic
def master_update(
    *,
    actor: Actor,
    master: MasterContent,
    title: str,
    body: str,
    pillar: ContentPillar | None = None,
    key_messages: Sequence[KeyMessage] = (),
    media: Sequence[MediaAsset] = (),
    campaign: Campaign | None = None,
) -> MasterContent:
    """Change a master. A new text is a new version: localizations made on an older one become outdated."""
    _refuse(matrix.can_change_content(actor, master.dimension, master.market))
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationFailed(_("Title and text cannot be empty."), field="body" if title else "title")
    _clean_refs(actor=actor, campaign=campaign, pillar=pillar, key_messages=key_messages, media=media)
    before = {"title": master.title, "body": master.body, "version": master.version}
    text_changed = (title, body) != (master.title, master.body)
    master.title, master.body, master.pillar, master.campaign = title, body, pillar, campaign
    if text_changed:
        master.version += 1
    master.save()
    master.key_messages.set(key_messages)
    master.media.set(media)
    if text_changed:
        _revision(master, actor)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="master_content.update", target=master,
        before=before, after={"title": title, "body": body, "version": master.version}, market_id=master.market_id,
    )  # fmt: skip
    return master


def _rule(master: MasterContent, market: Market) -> GovernanceRule:
    rule, _source = matrix.RuleBook.for_organization(master.organization_id).effective(master.dimension, market)
    assert rule is not None
    return rule


def _check_localizable(actor: Actor, master: MasterContent, market: Market) -> None:
    if master.kind != ContentKind.MASTER:
        raise ValidationFailed(_("Local content is not localized; create a post from it."), field="master")
    if market.organization_id != actor.organization_id or market.is_root:
        raise ValidationFailed(_("Choose a market to localize for."), field="market")
    if not market.path.startswith(master.market.path):
        raise ValidationFailed(_("%(market)s is outside %(owner)s, which owns this master.")
                               % {"market": market.name, "owner": master.market.name}, field="market")  # fmt: skip


@transaction.atomic
def localization_request(*, actor: Actor, master: MasterContent, market: Market, language: str) -> Localization:
    """Open a pending localization of ``master`` for ``market`` in one of its languages (HQ or the market)."""
    _check_localizable(actor, master, market)
    if not (actor.can(Perm.CONTENT_CREATE, master.market) or actor.can(Perm.CONTENT_CREATE, market)):
        raise NotPermitted(_("You have no role that creates content in %(market)s.") % {"market": market.name})
    language = normalize_language_tag(language, field="language")
    if language not in market.languages:
        raise ValidationFailed(
            _("%(market)s speaks %(languages)s; choose one of them.")
            % {"market": market.name, "languages": ", ".join(market.languages)},
            field="language",
        )
    if Localization.objects.filter(master=master, market=market, language=language).exists():
        raise Conflict(_("%(market)s already has a %(language)s localization of this content.")
                       % {"market": market.name, "language": language}, field="language")  # fmt: skip
    localization = Localization.objects.create(
        master=master, market=market, language=language, based_on_version=master.version, updated_by=actor.user
    )
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="localization.request", target=localization,
        after={"state": "pending", "language": language}, market_id=market.pk,
        target_label=f"{master.title} → {market.name} ({language})",
    )  # fmt: skip
    return localization


def _set_state(actor: Actor, localization: Localization, state: str, **fields: str) -> Localization:
    before = {"state": localization.state, "based_on_version": localization.based_on_version}
    localization.state = state
    localization.based_on_version = localization.master.version
    localization.updated_by = actor.user
    for key, value in fields.items():
        setattr(localization, key, value)
    localization.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action=f"localization.{state}", target=localization,
        before=before, after={"state": state, "based_on_version": localization.based_on_version, **fields},
        market_id=localization.market_id,
        target_label=f"{localization.master.title} → {localization.market.name} ({localization.language})",
    )  # fmt: skip
    return localization


@transaction.atomic
def localization_adopt(*, actor: Actor, localization: Localization) -> Localization:
    """Publish the master as is in this market (always possible for someone who creates content there)."""
    actor.require(Perm.CONTENT_CREATE, localization.market)
    return _set_state(actor, localization, LocalizationState.ADOPTED, title="", body="", decline_reason="")


@transaction.atomic
def localization_adapt(*, actor: Actor, localization: Localization, title: str, body: str) -> Localization:
    """A local wording of the master, where the matrix allows local variants."""
    master = localization.master
    _refuse(matrix.can_localize(actor, master.dimension, localization.market))
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write the local text, or adopt the master as is."), field="body")
    return _set_state(
        actor, localization, LocalizationState.ADAPTED, title=(title or "").strip(), body=body, decline_reason=""
    )


@transaction.atomic
def localization_decline(*, actor: Actor, localization: Localization, reason: str) -> Localization:
    """Say why this market will not use the master. Refused where the matrix requires local variants."""
    actor.require(Perm.CONTENT_CREATE, localization.market)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the market declines this content."), field="decline_reason")
    rule = _rule(localization.master, localization.market)
    if rule.local_variants == LocalVariants.REQUIRED:
        raise NotPermitted(
            _("%(dimension)s content is required in every market: adopt or adapt it, do not decline it.")
            % {"dimension": localization.master.dimension.name},
            code="governance",
        )
    return _set_state(actor, localization, LocalizationState.DECLINED, decline_reason=reason, title="", body="")
