"""Calendar feeds: an iCal URL per market or channel, read by calendar apps without a login.

The URL carries a secret token; only its SHA-256 hash is stored (like invitations and API tokens), so a
leaked database does not leak working feed URLs. The token is shown once, when the feed is created.

A feed reads posts with the rights its creator holds *when the feed is read*: a creator who leaves the
organization, or loses the market, takes the feed's content with them.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.content.models import CalendarFeed
from harmonie.core.audit import audit_record
from harmonie.core.errors import Conflict, NotFound, ValidationFailed
from harmonie.governance.models import Channel, Market, Member
from harmonie.governance.permissions import Actor, Perm, actor_for

FEED_FIELDS = ("name", "market", "channel")


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_market(feed: CalendarFeed) -> Market:
    """The market whose rights govern the feed: its market, or its channel's owner market."""
    if feed.market is not None:
        return feed.market
    assert feed.channel is not None  # the model's check constraint: a market or a channel
    return feed.channel.owner_market


def _sees_channel(actor: Actor, channel: Channel) -> bool:
    return actor.can(Perm.CONTENT_VIEW, channel.owner_market) or any(
        actor.can(Perm.CONTENT_VIEW, m) for m in channel.served_markets.all()
    )


@transaction.atomic
def calendar_feed_create(
    *, actor: Actor, market: Market | None = None, channel: Channel | None = None, name: str = ""
) -> tuple[CalendarFeed, str]:
    """A feed of one market's (and the markets below it) or one channel's scheduled posts.

    Returns the feed and its secret token, which is not stored and cannot be shown again."""
    if (market is None) == (channel is None):
        raise ValidationFailed(_("Choose a market or a channel for the feed."), field="scope")
    if market is not None:
        if market.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose a market of this organization."), field="scope")
        actor.require(Perm.CONTENT_VIEW, market)
        default_name = market.name
    else:
        assert channel is not None
        if channel.organization_id != actor.organization_id:
            raise ValidationFailed(_("Choose a channel of this organization."), field="scope")
        if not _sees_channel(actor, channel):
            actor.require(Perm.CONTENT_VIEW, channel.owner_market)  # raises with the usual message
        default_name = str(channel)
    name = (name or "").strip() or default_name
    if len(name) > 120:
        raise ValidationFailed(_("Give a name of 120 characters at most."), field="name")
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        organization=actor.organization,
        market=market,
        channel=channel,
        name=name,
        token_hash=feed_token_hash(token),
        created_by=actor.user,
    )
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="calendar_feed.create",
        target=feed,
        after={"name": name, "market": market.pk if market else None, "channel": channel.pk if channel else None},
        market_id=feed_market(feed).pk,
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor: Actor, feed: CalendarFeed) -> CalendarFeed:
    """Stop a feed: its URL answers 404 from now on. Its creator, or who creates content in its market."""
    locked = (
        CalendarFeed.objects.select_for_update(of=("self",))
        .select_related("market", "channel__owner_market")
        .get(pk=feed.pk)
    )
    if locked.organization_id != actor.organization_id:
        raise NotFound(_("No such calendar feed."))
    if locked.created_by_id != actor.member.user_id:
        actor.require(Perm.CONTENT_CREATE, feed_market(locked))
    if locked.revoked_at is not None:
        raise Conflict(_("This feed was already revoked."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        organization_id=actor.organization_id,
        actor=actor.user,
        action="calendar_feed.revoke",
        target=locked,
        before={"revoked_at": None},
        after={"revoked_at": locked.revoked_at},
        market_id=feed_market(locked).pk,
    )
    return locked


# --- reads that belong with the token (like ``invitation_by_token``) ---------------------------------


def calendar_feed_list(*, actor: Actor) -> QuerySet[CalendarFeed]:
    """Live feeds of markets and channels in the actor's scope, and the feeds the actor created."""
    actor.require(Perm.CONTENT_VIEW)
    return (
        CalendarFeed.objects.filter(organization=actor.organization, revoked_at__isnull=True)
        .filter(
            actor.market_q(Perm.CONTENT_VIEW, "market__path")
            | actor.market_q(Perm.CONTENT_VIEW, "channel__owner_market__path")
            | Q(created_by_id=actor.member.user_id)
        )
        .select_related("market", "channel__owner_market", "created_by")
        .order_by("name", "pk")
    )


def calendar_feed_get(*, actor: Actor, pk: int) -> CalendarFeed:
    feed = calendar_feed_list(actor=actor).filter(pk=pk).first()
    if feed is None:
        raise NotFound(_("No such calendar feed."))
    return feed


def calendar_feed_by_token(token: str) -> tuple[CalendarFeed, Actor]:
    """The live feed of a token and the member it reads as; NotFound for an unknown or revoked token, or
    when its creator is no longer an active member of the organization."""
    feed = (
        CalendarFeed.objects.select_related("organization", "market", "channel__owner_market")
        .filter(token_hash=feed_token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or feed.created_by_id is None:
        raise NotFound(_("No such calendar feed."))
    member = (
        Member.objects.select_related("organization", "user")
        .filter(organization_id=feed.organization_id, user_id=feed.created_by_id, is_active=True)
        .first()
    )
    if member is None:
        raise NotFound(_("No such calendar feed."))
    return feed, actor_for(member)
