"""Every read of the content domain, scoped to the acting member: organization, then markets, then the
governance matrix's cross-market openings (read only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from harmonie.content.diff import DiffPart, word_diff
from harmonie.content.models import (
    Campaign,
    CampaignLaunch,
    ContentKind,
    Localization,
    LocalizationState,
    MasterContent,
    MasterRevision,
    MediaAsset,
    Post,
)
from harmonie.core.errors import NotFound
from harmonie.governance.matrix import RuleBook
from harmonie.governance.models import Dimension, Market
from harmonie.governance.permissions import Actor, Perm


def _ancestor_ids(actor: Actor, perm: Perm) -> set[int]:
    ids: set[int] = set()
    for path in actor.scope_paths(perm):
        ids.update(int(p) for p in path.strip("/").split("/") if p)
    return ids


def _open_cells_q(actor: Actor, *, market_field: str, dimension_field: str) -> Q:
    """Cells (dimension × market outside the actor's scope) that the matrix opens to other markets."""
    if not actor.can(Perm.CONTENT_VIEW):
        return Q(pk__in=[])
    book = RuleBook.for_organization(actor.organization_id)
    markets = list(Market.objects.filter(organization=actor.organization))
    q = Q(pk__in=[])
    for dimension in Dimension.objects.filter(organization=actor.organization):
        opened = [
            m.pk
            for m in markets
            if not actor.can(Perm.CONTENT_VIEW, m)
            and (rule := book.effective(dimension, m)[0]) is not None
            and rule.cross_market_visibility
        ]
        if opened:
            q |= Q(**{dimension_field: dimension.pk, f"{market_field}__in": opened})
    return q


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    actor.require(Perm.CONTENT_VIEW)
    return (
        Campaign.objects.filter(organization=actor.organization)
        .select_related("dimension", "budget__market", "budget__dimension")
        .prefetch_related(Prefetch("launches", queryset=CampaignLaunch.objects.select_related("market")), "objectives")
    )


def campaign_get(*, actor: Actor, pk: int) -> Campaign:
    campaign = campaign_list(actor=actor).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("No such campaign."))
    return campaign


def master_list(*, actor: Actor, campaign_pk: int | None = None, kind: str | None = None) -> QuerySet[MasterContent]:
    """Masters owned by a market in scope or above it (Global's brand content), and local content of
    markets in scope or opened by the matrix."""
    actor.require(Perm.CONTENT_VIEW)
    qs = MasterContent.objects.filter(organization=actor.organization).filter(
        actor.market_q(Perm.CONTENT_VIEW, "market__path")
        | Q(market_id__in=_ancestor_ids(actor, Perm.CONTENT_VIEW))
        | _open_cells_q(actor, market_field="market_id", dimension_field="dimension_id")
    )
    if campaign_pk is not None:
        qs = qs.filter(campaign_id=campaign_pk)
    # Holding statements are kept in the crisis library, not among editorial content.
    qs = qs.filter(kind=kind) if kind else qs.exclude(kind=ContentKind.STATEMENT)
    return qs.select_related("market", "dimension", "campaign", "pillar").prefetch_related(
        Prefetch("localizations", queryset=Localization.objects.select_related("market"))
    )


def master_get(*, actor: Actor, pk: int) -> MasterContent:
    master = master_list(actor=actor).filter(pk=pk).first()
    if master is None:
        raise NotFound(_("No such content."))
    return master


def localization_list(*, actor: Actor, master_pk: int | None = None) -> QuerySet[Localization]:
    actor.require(Perm.CONTENT_VIEW)
    qs = Localization.objects.filter(master__organization=actor.organization).filter(
        actor.market_q(Perm.CONTENT_VIEW, "market__path")
        | _open_cells_q(actor, market_field="market_id", dimension_field="master__dimension_id")
    )
    if master_pk is not None:
        qs = qs.filter(master_id=master_pk)
    return qs.select_related("master__dimension", "market")


def localization_get(*, actor: Actor, pk: int) -> Localization:
    localization = localization_list(actor=actor).filter(pk=pk).first()
    if localization is None:
        raise NotFound(_("No such localization."))
    return localization


def is_outdated(localization: Localization) -> bool:
    """Adapted on an older version of the master. An adopted localization publishes the master as is, so it
    always carries the current version (its posts take the master's current text)."""
    return (
        localization.state == LocalizationState.ADAPTED and localization.based_on_version < localization.master.version
    )


@dataclass(frozen=True)
class MasterChange:
    from_version: int
    to_version: int
    parts: list[DiffPart]


def localization_master_change(*, localization: Localization) -> MasterChange | None:
    """What changed in the master since the localization was made (None when it is up to date)."""
    if not is_outdated(localization):
        return None
    master = localization.master
    revisions = {
        r.version: r
        for r in MasterRevision.objects.filter(
            master=master, version__in=[localization.based_on_version, master.version]
        )
    }
    old = revisions.get(localization.based_on_version)
    old_text = f"{old.title}\n{old.body}" if old else ""
    return MasterChange(
        localization.based_on_version, master.version, word_diff(old_text, f"{master.title}\n{master.body}")
    )


def post_list(
    *,
    actor: Actor,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    market_pk: int | None = None,
    channel_pk: int | None = None,
    campaign_pk: int | None = None,
    dimension_pk: int | None = None,
    status: str | None = None,
) -> QuerySet[Post]:
    """Posts of markets in scope (and cells the matrix opens), filtered; ``start``/``end`` bound scheduled_at."""
    actor.require(Perm.CONTENT_VIEW)
    qs = Post.objects.filter(organization=actor.organization).filter(
        actor.market_q(Perm.CONTENT_VIEW, "market__path")
        | _open_cells_q(actor, market_field="market_id", dimension_field="master__dimension_id")
    )
    if start is not None:
        qs = qs.filter(scheduled_at__gte=start)
    if end is not None:
        qs = qs.filter(scheduled_at__lt=end)
    if market_pk is not None:
        qs = qs.filter(market_id=market_pk)
    if channel_pk is not None:
        qs = qs.filter(channel_id=channel_pk)
    if campaign_pk is not None:
        qs = qs.filter(master__campaign_id=campaign_pk)
    if dimension_pk is not None:
        qs = qs.filter(master__dimension_id=dimension_pk)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("channel", "market", "master__dimension", "master__campaign", "localization")


def post_get(*, actor: Actor, pk: int) -> Post:
    post = post_list(actor=actor).filter(pk=pk).first()
    if post is None:
        raise NotFound(_("No such post."))
    return post


def media_list(*, actor: Actor, tag: str | None = None, kind: str | None = None) -> QuerySet[MediaAsset]:
    """The library: assets owned by a market in scope or above it."""
    actor.require(Perm.CONTENT_VIEW)
    qs = MediaAsset.objects.filter(organization=actor.organization).filter(
        actor.market_q(Perm.CONTENT_VIEW, "owner_market__path")
        | Q(owner_market_id__in=_ancestor_ids(actor, Perm.CONTENT_VIEW))
    )
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__icontains=tag)
    return qs.select_related("owner_market").prefetch_related("allowed_markets")


def media_get(*, actor: Actor, pk: int) -> MediaAsset:
    asset = media_list(actor=actor).filter(pk=pk).first()
    if asset is None:
        raise NotFound(_("No such asset."))
    return asset
