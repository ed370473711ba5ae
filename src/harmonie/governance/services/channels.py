"""Channels: one social account on one network. Connecting to the network comes with publishing."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import Conflict, ValidationFailed
from harmonie.core.validation import validate_timezone
from harmonie.governance.models import Channel, Market, Network
from harmonie.governance.permissions import Actor, Perm

CHANNEL_FIELDS = ["network", "handle", "display_name", "owner_market", "timezone", "is_active"]

_HANDLE_RULES: dict[str, tuple[re.Pattern[str], str | Promise]] = {
    Network.BLUESKY: (
        re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"),
        gettext_lazy("a domain handle such as acme.bsky.social"),
    ),
    Network.MASTODON: (
        re.compile(r"^@?[A-Za-z0-9_]{1,30}@([a-z0-9-]+\.)+[a-z]{2,}$"),
        gettext_lazy("user@instance, such as acme@mastodon.social"),
    ),
    Network.X: (
        re.compile(r"^@?[A-Za-z0-9_]{1,15}$"),
        gettext_lazy("1 to 15 letters, digits or underscores, such as @acme"),
    ),
    Network.INSTAGRAM: (
        re.compile(r"^@?[A-Za-z0-9_.]{1,30}$"),
        gettext_lazy("up to 30 letters, digits, dots or underscores"),
    ),
    Network.THREADS: (
        re.compile(r"^@?[A-Za-z0-9_.]{1,30}$"),
        gettext_lazy("up to 30 letters, digits, dots or underscores"),
    ),
    Network.TIKTOK: (
        re.compile(r"^@?[A-Za-z0-9_.]{2,24}$"),
        gettext_lazy("2 to 24 letters, digits, dots or underscores"),
    ),
}


def _clean_handle(network: str, handle: str) -> str:
    if network not in Network.values:
        raise ValidationFailed(_("Choose a network: %(v)s.") % {"v": ", ".join(Network.values)}, field="network")
    handle = (handle or "").strip()
    if network == Network.BLUESKY:
        handle = handle.lstrip("@").lower()
    if not handle:
        raise ValidationFailed(_("Give the account's handle."), field="handle")
    rule = _HANDLE_RULES.get(network)
    if rule and not rule[0].match(handle):
        raise ValidationFailed(
            _("'%(handle)s' is not a valid %(network)s handle: use %(hint)s.")
            % {"handle": handle, "network": Network(network).label, "hint": rule[1]},
            field="handle",
        )
    if network in (Network.X, Network.INSTAGRAM, Network.THREADS, Network.TIKTOK) and not handle.startswith("@"):
        handle = "@" + handle
    return handle


def _clean_served(actor: Actor, owner: Market, served: list[Market]) -> list[Market]:
    for market in served:
        if market.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose markets of this organization."), field="served_markets")
        if not market.path.startswith(owner.path):
            raise ValidationFailed(
                _("%(channel_owner)s's channel cannot serve %(market)s, which is outside it.")
                % {"channel_owner": owner.name, "market": market.name},
                field="served_markets",
            )
    return served or [owner]


@transaction.atomic
def channel_create(
    *,
    actor: Actor,
    network: str,
    handle: str,
    display_name: str,
    owner_market: Market,
    served_markets: list[Market] | None = None,
    timezone: str = "",
) -> Channel:
    actor.require(Perm.CHANNELS_MANAGE, owner_market)
    handle = _clean_handle(network, handle)
    if Channel.objects.filter(organization=actor.organization, network=network, handle=handle).exists():
        raise Conflict(
            _("This %(network)s account is already a channel.") % {"network": Network(network).label}, field="handle"
        )
    served = _clean_served(actor, owner_market, served_markets or [])
    channel = Channel.objects.create(
        organization=actor.organization,
        network=network,
        handle=handle,
        display_name=(display_name or "").strip() or handle,
        owner_market=owner_market,
        timezone=validate_timezone(timezone or owner_market.timezone),
    )
    channel.served_markets.set(served)
    after = snapshot(channel, CHANNEL_FIELDS) | {"served_markets": sorted(m.pk for m in served)}
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="channel.create",
        target=channel,
        after=after,
        market_id=owner_market.pk,
    )
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Actor,
    channel: Channel,
    display_name: str,
    served_markets: list[Market],
    timezone: str,
    is_active: bool = True,
) -> Channel:
    actor.require(Perm.CHANNELS_MANAGE, channel.owner_market)
    before = snapshot(channel, CHANNEL_FIELDS) | {
        "served_markets": sorted(channel.served_markets.values_list("pk", flat=True))
    }
    served = _clean_served(actor, channel.owner_market, served_markets)
    channel.display_name = (display_name or "").strip() or channel.handle
    channel.timezone = validate_timezone(timezone)
    channel.is_active = is_active
    channel.save()
    channel.served_markets.set(served)
    after = snapshot(channel, CHANNEL_FIELDS) | {"served_markets": sorted(m.pk for m in served)}
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="channel.update",
        target=channel,
        before=before,
        after=after,
        market_id=channel.owner_market_id,
    )
    return channel
