"""Which campaigns and channels a tracking row may point at: the campaign must be visible in the row's market (no
launch list, or launched in that market, one of its parents or one of its sub-markets) and the channel must be owned
by or serve the row's market. The same rules give the form choices (within the acting member's markets)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from harmonie.content.models import Campaign
from harmonie.core.errors import ValidationFailed
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm


def _ancestor_ids(actor: Actor, perm: Perm) -> set[int]:
    ids: set[int] = set()
    for path in actor.scope_paths(perm):
        ids.update(int(p) for p in path.strip("/").split("/") if p)
    return ids


def campaigns_in_scope(*, actor: Actor, perm: Perm) -> QuerySet[Campaign]:
    """Campaigns of the organization visible in one of the markets where ``actor`` holds ``perm``."""
    if not actor.can(perm):
        return Campaign.objects.none()
    visible = Q(launches__isnull=True) | Q(
        pk__in=Campaign.objects.filter(organization=actor.organization)
        .filter(actor.market_q(perm, "launches__market__path") | Q(launches__market_id__in=_ancestor_ids(actor, perm)))
        .values("pk")
    )
    return Campaign.objects.filter(organization=actor.organization).filter(visible).distinct().order_by("name")


def channels_in_scope(*, actor: Actor, perm: Perm) -> QuerySet[Channel]:
    """Channels of the organization owned by or serving a market where ``actor`` holds ``perm``."""
    ids = Channel.objects.filter(organization=actor.organization).filter(
        actor.market_q(perm, "owner_market__path") | actor.market_q(perm, "served_markets__path")
    )
    return Channel.objects.filter(pk__in=ids.values("pk")).select_related("owner_market").order_by("network", "handle")


def check_campaign(*, campaign: Campaign | None, market: Market, field: str = "campaign") -> None:
    """Refuse a campaign of another organization, or one launched only in markets unrelated to ``market``."""
    if campaign is None:
        return
    if campaign.organization_id != market.organization_id:
        raise ValidationFailed(_("Choose a campaign of this organization."), field=field)
    paths = list(campaign.launches.values_list("market__path", flat=True))
    if paths and not any(market.path.startswith(p) or p.startswith(market.path) for p in paths):
        raise ValidationFailed(
            _("The campaign %(campaign)s is not run in %(market)s: choose one of its campaigns.")
            % {"campaign": campaign.name, "market": market.name},
            field=field,
        )


def check_channel(*, channel: Channel | None, market: Market, field: str = "channel") -> None:
    """Refuse a channel of another organization, or one that neither belongs to nor serves ``market``."""
    if channel is None:
        return
    if channel.organization_id != market.organization_id:
        raise ValidationFailed(_("Choose a channel of this organization."), field=field)
    if channel.owner_market_id != market.pk and not channel.served_markets.filter(pk=market.pk).exists():
        raise ValidationFailed(
            _("The channel %(channel)s neither belongs to nor serves %(market)s: choose one of its channels.")
            % {"channel": channel.handle, "market": market.name},
            field=field,
        )
