"""Budgets and concurrency caps shared by every worker, kept in the database.

* **Budget** (``connector.budget``: at most N publishing calls per S seconds per account, and an optional
  ``connector.network_budget`` for the whole network): a token bucket per scope in :class:`Throttle`
  (``channel:<id>``, ``network:<name>``), refilled continuously at N/S tokens a second up to N. A claim takes one
  token per publication it claims.
* **Concurrency** (``connector.concurrency``: calls in flight at once per account): the publications of the
  channel that a worker owns (claimed or sending, lease not expired) are counted.
* **Retry-After**: a rate-limited answer sets ``blocked_until`` on the account's bucket; nothing of that account
  is claimed before it.

Claims lock the bucket rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, in the order of their scope names):
a bucket that another worker's claim holds is skipped, and that account's posts wait for a later claim, so that
workers share the accounts out instead of queuing behind each other. Counting the owned publications while holding
the account's row gives every worker the same answer, on one machine or several. On SQLite the claim's transaction
holds the database's write lock (``BEGIN IMMEDIATE``), which serialises claims just the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q

from harmonie.connectors import registry
from harmonie.connectors.base import Connector, RateBudget
from harmonie.publishing.models import Publication, Throttle
from harmonie.publishing.services.rows import update_each
from harmonie.publishing.states import OWNED


def channel_scope(channel_id: int) -> str:
    return f"channel:{channel_id}"


def network_scope(network: str) -> str:
    return f"network:{network}"


def budgets(channel_id: int, connector: Connector) -> list[tuple[str, RateBudget]]:
    """The buckets one publishing call of this channel takes a token from."""
    scopes = [(channel_scope(channel_id), connector.budget)]
    network_budget = connector.network_budget
    if isinstance(network_budget, RateBudget):
        scopes.append((network_scope(connector.network), network_budget))
    return scopes


def _refill(row: Throttle, now: dt.datetime) -> None:
    elapsed = max(0.0, (now - row.refilled_at).total_seconds())
    row.tokens = min(row.capacity, row.tokens + elapsed * row.rate)
    row.refilled_at = max(now, row.refilled_at)


def _available(row: Throttle, now: dt.datetime) -> float:
    elapsed = max(0.0, (now - row.refilled_at).total_seconds())
    return min(row.capacity, row.tokens + elapsed * row.rate)


def owned_counts(now: dt.datetime, channel_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Publications each channel has with a worker right now (claimed or sending, lease running)."""
    qs = Publication.objects.filter(status__in=OWNED, lease_until__gt=now)
    if channel_ids is not None:
        qs = qs.filter(channel_id__in=list(channel_ids))
    return {row["channel_id"]: row["n"] for row in qs.values("channel_id").annotate(n=Count("id"))}


def saturated(now: dt.datetime) -> tuple[set[int], set[str]]:
    """Channels and networks that can take no call now (read without locks, to keep them out of a claim's
    candidates so that one busy account does not hold up everyone else's posts; the claim checks again under
    the locks)."""
    channels: set[int] = set()
    networks: set[str] = set()
    for row in Throttle.objects.all():
        blocked = row.blocked_until is not None and row.blocked_until > now
        if blocked or _available(row, now) < 1:
            kind, _sep, name = row.scope.partition(":")
            if kind == "channel":
                channels.add(int(name))
            elif kind == "network":
                networks.add(name)
    busy = Publication.objects.filter(status__in=OWNED, lease_until__gt=now).values("channel_id", "channel__network")
    for group in busy.annotate(n=Count("id")):
        try:
            cap = registry.get(group["channel__network"]).concurrency
        except registry.UnknownNetwork:
            continue
        if group["n"] >= cap:
            channels.add(group["channel_id"])
    return channels, networks


@dataclass
class Gates:
    """The buckets and caps of one claim, locked for its transaction."""

    now: dt.datetime
    rows: dict[str, Throttle] = field(default_factory=dict)
    owned: dict[int, int] = field(default_factory=dict)
    budgets: dict[int, list[tuple[str, RateBudget]]] = field(default_factory=dict)
    caps: dict[int, int] = field(default_factory=dict)

    def lock(self, channels: dict[int, Connector]) -> None:
        """Lock every bucket these channels need, in scope order, and count what each channel has in flight."""
        wanted: dict[str, RateBudget] = {}
        for channel_id, connector in channels.items():
            self.budgets[channel_id] = budgets(channel_id, connector)
            self.caps[channel_id] = connector.concurrency
            wanted.update(dict(self.budgets[channel_id]))
        params = {
            scope: (float(b.calls), b.calls / max(b.seconds, 1e-9)) for scope, b in wanted.items()
        }  # scope -> (capacity, rate)
        missing = set(params) - set(Throttle.objects.filter(scope__in=params).values_list("scope", flat=True))
        if missing:  # a new account or network: a full bucket (another worker may be making it too)
            Throttle.objects.bulk_create(
                [Throttle(scope=s, capacity=params[s][0], rate=params[s][1], tokens=params[s][0], refilled_at=self.now)
                 for s in sorted(missing)],
                ignore_conflicts=True,
            )  # fmt: skip
        # One statement locks them all, in scope order (PostgreSQL locks the rows as the sorted scan returns them),
        # skipping those another worker's claim holds: that account waits for a later claim, instead of every
        # worker's claim queuing behind one (so workers share the accounts out between them).
        skip = connection.features.has_select_for_update_skip_locked
        for row in Throttle.objects.select_for_update(skip_locked=skip).filter(scope__in=params).order_by("scope"):
            capacity, rate = params[row.scope]
            if (row.capacity, row.rate) != (capacity, rate):  # the connector's budget changed
                row.capacity, row.rate = capacity, rate
                row.tokens = min(row.tokens, capacity)
            _refill(row, self.now)
            self.rows[row.scope] = row
        self.owned = owned_counts(self.now, channels)

    def admit(self, channel_id: int) -> bool:
        """Take a token from each of the channel's buckets and a place under its cap, if all have one (and this
        claim holds them all: not one that another worker's claim has locked)."""
        if self.owned.get(channel_id, 0) >= self.caps[channel_id]:
            return False
        if any(scope not in self.rows for scope, _budget in self.budgets[channel_id]):
            return False
        rows = [self.rows[scope] for scope, _budget in self.budgets[channel_id]]
        for row in rows:
            if (row.blocked_until is not None and row.blocked_until > self.now) or row.tokens < 1:
                return False
        for row in rows:
            row.tokens -= 1
        self.owned[channel_id] = self.owned.get(channel_id, 0) + 1
        return True

    def give_back(self, channel_id: int) -> None:
        """Undo an ``admit`` (the post turned out to be blocked)."""
        for scope, _budget in self.budgets[channel_id]:
            self.rows[scope].tokens += 1
        self.owned[channel_id] -= 1

    def save(self) -> None:
        update_each(
            Throttle,
            {
                row.pk: {
                    "capacity": row.capacity,
                    "rate": row.rate,
                    "tokens": row.tokens,
                    "refilled_at": row.refilled_at,
                }
                for row in self.rows.values()
            },
        )


def block(*, channel_id: int, until: dt.datetime) -> None:
    """The network asked this account to wait: no claim for it before ``until``."""
    scope = channel_scope(channel_id)
    Throttle.objects.filter(Q(blocked_until__isnull=True) | Q(blocked_until__lt=until), scope=scope).update(
        blocked_until=until
    )
    if not Throttle.objects.filter(scope=scope).exists():
        Throttle.objects.get_or_create(
            scope=scope,
            defaults={"capacity": 1.0, "rate": 1.0, "tokens": 1.0, "refilled_at": until, "blocked_until": until},
        )
