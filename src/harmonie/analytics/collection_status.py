"""What the collection status page reads: per channel in the member's markets, when its metrics were last read,
when they are next due, how many posts are tracked, and what went wrong (three queries whatever the number of
channels and posts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q

from harmonie.analytics.models import PostCollection
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor, Perm


@dataclass(frozen=True)
class ChannelCollectionStatus:
    channel: Channel
    connection_status: str  # "" when never connected
    last_collected_at: dt.datetime | None
    next_due_at: dt.datetime | None
    posts_tracked: int
    posts_failing: int
    failures: int  # the channel's own (followers) failures in a row
    last_error: str

    @property
    def healthy(self) -> bool:
        return not self.failures and not self.posts_failing


def collection_status(*, actor: Actor) -> list[ChannelCollectionStatus]:
    actor.require(Perm.ANALYTICS_VIEW)
    channels = list(
        Channel.objects.filter(organization=actor.organization)
        .filter(actor.market_q(Perm.ANALYTICS_VIEW, "owner_market__path"))
        .select_related("owner_market", "metric_collection", "connection")
        .order_by("owner_market__path", "network", "handle")
    )
    ids = [c.pk for c in channels]
    grouped = (
        PostCollection.objects.filter(channel_id__in=ids)
        .values("channel_id")
        .annotate(tracked=Count("pk"), failing=Count("pk", filter=Q(failures__gt=0)), last=Max("last_collected_at"))
        .annotate(due=Min("next_due_at"))
        .order_by()
    )
    posts: dict[int, dict[str, Any]] = {row["channel_id"]: dict(row) for row in grouped}
    errors: dict[int, str] = {}
    failing = PostCollection.objects.filter(channel_id__in=ids, failures__gt=0).exclude(last_error="")
    failing = failing.order_by("channel_id", "-failures", "pk")
    for channel_id, message in failing.values_list("channel_id", "last_error"):
        errors.setdefault(channel_id, message)
    out = []
    for channel in channels:
        own = getattr(channel, "metric_collection", None)
        link = getattr(channel, "connection", None)
        row: dict[str, Any] = posts.get(channel.pk, {})
        moments_last = [m for m in (own.last_collected_at if own else None, row.get("last")) if m is not None]
        moments_due = [m for m in (own.next_due_at if own else None, row.get("due")) if m is not None]
        out.append(
            ChannelCollectionStatus(
                channel=channel, connection_status=link.status if link is not None else "",
                last_collected_at=max(moments_last) if moments_last else None,
                next_due_at=min(moments_due) if moments_due else None,
                posts_tracked=row.get("tracked", 0), posts_failing=row.get("failing", 0),
                failures=own.failures if own else 0,
                last_error=(own.last_error if own and own.last_error else "") or errors.get(channel.pk, ""),
            )
        )  # fmt: skip
    return out
