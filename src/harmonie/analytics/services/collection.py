"""Metric collection: which posts and channels are due, reading them through their connectors, and the daily rollups.

* **Schedule by age** (:func:`collection_interval`): a post is read every hour during its first day, every day until
  it is 30 days old, every week after that, for as long as it exists (history is never deleted).
* **Discovery** (:func:`collections_discover`): a post whose publication is published with a remote id gets a
  :class:`PostCollection`, first due one hour after it went out; an active, connected channel gets a
  :class:`ChannelCollection`, due at once then daily.
* **Claims**: due rows are taken in one short transaction that pushes their ``next_due_at`` a lease ahead, so that
  another worker does not take them; a worker that dies leaves them due again when the lease ends. On PostgreSQL the
  rows are read with ``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite every transaction begins ``IMMEDIATE`` (the
  settings' ``transaction_mode``), so a second claim runs after the first and sees its result.
* **Posts** (:func:`post_metrics_collect`): per channel, credentials from the publishing engine's helper (refreshed
  when they expire soon, once more when the network says the token expired), ``read_metrics`` in batches, the
  snapshot of the day (in the channel's time zone) upserted, and the increase since the post's previous snapshot
  added to the channel's :class:`ChannelDailyStat` of that day (see :func:`increase`), and to its
  :class:`ChannelMonthlyStat` of that month (the sums of its days, what dashboards read for whole months): both in the
  same transaction, so that they always agree; after days were written in bulk (demo data, imports),
  :func:`channel_months_rebuild` recomputes the months from them.
* **Channels** (:func:`channel_metrics_collect`): ``account_info`` → followers on today's daily stat.
* **Errors**: ``rate_limited`` waits for ``retry_after``; other failures count in ``failures``, say what happened in
  ``last_error`` and back off (5 minutes doubling up to a day); a refused token also marks the channel's connection
  *needs attention* (shown on the Connections page). Nothing already collected is ever removed.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, CharField, F, Max, Q, Sum
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.analytics.models import (
    ChannelCollection,
    ChannelDailyStat,
    ChannelMonthlyStat,
    PostCollection,
    PostMetricSnapshot,
)
from harmonie.analytics.models.metrics import COUNTS
from harmonie.connectors import registry
from harmonie.connectors.base import (
    AccountReader,
    Connector,
    ConnectorError,
    Credentials,
    ErrorKind,
    MetricsReader,
    PostMetrics,
    RemoteRef,
)
from harmonie.connectors.models import ConnectionStatus
from harmonie.governance.models import Channel
from harmonie.publishing import connections
from harmonie.publishing.models import Publication
from harmonie.publishing.states import PublicationStatus

log = logging.getLogger(__name__)

HOURLY = dt.timedelta(hours=1)
DAILY = dt.timedelta(days=1)
WEEKLY = dt.timedelta(days=7)
#: Posts younger than this are read every hour…
FIRST_DAY = dt.timedelta(hours=24)
#: …younger than this every day, and weekly after.
FIRST_MONTH = dt.timedelta(days=30)
#: How long a claim keeps rows from other workers (a worker that dies leaves them due again after it).
CLAIM_LEASE = dt.timedelta(minutes=10)
BACKOFF_BASE = dt.timedelta(minutes=5)
BACKOFF_MAX = dt.timedelta(days=1)
#: Posts per ``read_metrics`` call.
BATCH = 25
AUTH = frozenset({ErrorKind.AUTH_EXPIRED, ErrorKind.AUTH_REVOKED})


# --- schedule ---------------------------------------------------------------------------------------------------


def collection_interval(age: dt.timedelta) -> dt.timedelta:
    """How long until a post of this age is read again: hourly the first day, daily for 30 days, weekly after."""
    if age < FIRST_DAY:
        return HOURLY
    if age < FIRST_MONTH:
        return DAILY
    return WEEKLY


def next_collection_at(*, published_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    return now + collection_interval(now - published_at)


def backoff(failures: int, retry_after: float | None = None) -> dt.timedelta:
    """The wait after the ``failures``-th failure in a row: what the network asked for, else 5 minutes doubling each
    time, at most a day."""
    if retry_after is not None and retry_after > 0:
        return dt.timedelta(seconds=retry_after)
    wait: dt.timedelta = BACKOFF_BASE * 2 ** max(0, failures - 1)
    return min(BACKOFF_MAX, wait)


def local_day(moment: dt.datetime, tz_name: str) -> dt.date:
    """The calendar day of ``moment`` on the channel's wall clock."""
    return moment.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def increase(new: int | None, previous: int | None) -> int:
    """What a count gained since the previous snapshot. Never negative: a count that went down (a like withdrawn, a
    post deleted) adds nothing, and if it climbs back the regained interactions count again (the daily rollup is
    "interactions seen that day", not a net balance). A figure the network does not give (``None``) adds nothing;
    one it gives for the first time counts in full."""
    if new is None:
        return 0
    return max(0, new - (previous or 0))


# --- discovery --------------------------------------------------------------------------------------------------


@transaction.atomic
def collections_discover(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Start tracking what was published and the channels that can be read. Returns (posts, channels) added:
    distinct posts whose tracking row this call created (a post with several published publications is tracked
    once, from its first one; rows another worker created meanwhile are not counted)."""
    now = now or timezone.now()
    published = (
        Publication.objects.filter(status=PublicationStatus.PUBLISHED, post__metric_collection__isnull=True)
        .exclude(remote_id="")
        .filter(channel__is_active=True)
        .order_by("post_id", "published_at", "pk")
        .values_list("organization_id", "post_id", "channel_id", "published_at")
    )
    rows: dict[int, PostCollection] = {}
    for org_id, post_id, channel_id, at in published:
        if post_id in rows:
            continue
        when = at or now
        rows[post_id] = PostCollection(organization_id=org_id, post_id=post_id, channel_id=channel_id,
                                       published_at=when, next_due_at=when + HOURLY)  # fmt: skip
    before = PostCollection.objects.filter(post_id__in=list(rows)).count() if rows else 0
    PostCollection.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    created_posts = (PostCollection.objects.filter(post_id__in=list(rows)).count() - before) if rows else 0
    channels = Channel.objects.filter(
        is_active=True, connection__status=ConnectionStatus.CONNECTED, metric_collection__isnull=True
    ).values_list("organization_id", "pk")
    new = [ChannelCollection(organization_id=org_id, channel_id=pk, next_due_at=now) for org_id, pk in channels]
    ChannelCollection.objects.bulk_create(new, ignore_conflicts=True)
    return created_posts, len(new)


# --- claims -----------------------------------------------------------------------------------------------------


def _claim[M: (PostCollection, ChannelCollection)](model: type[M], *, now: dt.datetime, limit: int) -> list[int]:
    """Ids of due rows, now this caller's for ``CLAIM_LEASE`` (see the module's description)."""
    with transaction.atomic():
        qs = model.objects.filter(next_due_at__lte=now).order_by("next_due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if ids:
            model.objects.filter(pk__in=ids).update(next_due_at=now + CLAIM_LEASE)
    return ids


def post_collections_claim(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    return _claim(PostCollection, now=now or timezone.now(), limit=limit)


def channel_collections_claim(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    return _claim(ChannelCollection, now=now or timezone.now(), limit=limit)


# --- failures ---------------------------------------------------------------------------------------------------


def _failed(rows: Sequence[PostCollection | ChannelCollection], message: str, now: dt.datetime,
            retry_after: float | None = None, *, count: bool = True) -> None:  # fmt: skip
    """Record a failure on claimed rows: the reason, one more failure in a row, due again after the backoff."""
    for row in rows:
        if count:
            row.failures += 1
        row.last_error = message
        row.next_due_at = now + backoff(row.failures, retry_after)
        row.save(update_fields=["failures", "last_error", "next_due_at"])


def _error_message(channel: Channel, exc: ConnectorError) -> str:
    if exc.kind == ErrorKind.RATE_LIMITED:
        return _("%(network)s asked Harmonie to slow down; collection resumes after the wait.") % {
            "network": channel.get_network_display()
        }
    if exc.kind in AUTH:
        return _("Harmonie cannot act as %(channel)s any more: reconnect the channel. (%(message)s)") % {
            "channel": channel,
            "message": exc.message,
        }
    return _("%(network)s could not be read for now: %(message)s") % {
        "network": channel.get_network_display(),
        "message": exc.message,
    }


class _Caller:
    """A channel's credentials and one call to its connector, refreshing the token once if the network says it
    expired, marking the connection *needs attention* if the network refuses it."""

    def __init__(self, channel: Channel, connector: Connector) -> None:
        self.channel, self.connector = channel, connector
        self.credentials: Credentials | None = None
        self.refreshed = False

    def call[T](self, read: Callable[..., T], *args: Any) -> T:
        if self.credentials is None:  # refused here: the connections service already says why (needs attention)
            self.credentials = connections.credentials(channel=self.channel, connector=self.connector)
        try:
            try:
                return read(self.credentials, *args)
            except ConnectorError as exc:
                if exc.kind != ErrorKind.AUTH_EXPIRED or self.refreshed:
                    raise
                self.refreshed = True
                self.credentials = connections.refresh(channel=self.channel, connector=self.connector)
                return read(self.credentials, *args)
        except ConnectorError as exc:
            if exc.kind in AUTH:
                connections.mark_needs_attention(channel=self.channel, kind=str(exc.kind), message=exc.message)
            raise


# --- posts ------------------------------------------------------------------------------------------------------


@dataclass
class CollectResult:
    collected: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _day_stat_add(*, organization_id: int, channel_id: int, day: dt.date, followers: int | None = None,
                  **added: int) -> None:  # fmt: skip
    """Add to (or create) a channel's stat of ``day``, and add the same counts to its month's: counts with ``F()``
    so that two workers never lose one, both rows in one transaction so that the month stays the sum of its days."""
    changes: dict[str, Any] = {k: F(k) + v for k, v in added.items() if v}
    if followers is not None:
        changes["followers"] = followers
    if not changes:
        return
    with transaction.atomic():
        _upsert(ChannelDailyStat, {"channel_id": channel_id, "day": day}, organization_id, changes,
                {"followers": followers, **{k: v for k, v in added.items() if v}})  # fmt: skip
        counts = {k: v for k, v in added.items() if v}
        if counts:
            _upsert(ChannelMonthlyStat, {"channel_id": channel_id, "month": day.replace(day=1)}, organization_id,
                    {k: F(k) + v for k, v in counts.items()}, counts)  # fmt: skip


def _upsert(model: type[ChannelDailyStat | ChannelMonthlyStat], key: dict[str, Any], organization_id: int,
            changes: dict[str, Any], created: dict[str, Any]) -> None:  # fmt: skip
    if model.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(organization_id=organization_id, **key, **created)
    except IntegrityError:  # another worker created it meanwhile
        model.objects.filter(**key).update(**changes)


MONTH_SUMS = ("posts_published", *COUNTS)


def channel_months_rebuild(*, channel_ids: Iterable[int]) -> int:
    """Recompute the :class:`ChannelMonthlyStat` rows of these channels from their days (after days were written in
    bulk, bypassing :func:`_day_stat_add`: demo data, imports, benchmarks): one delete, one aggregate query and bulk
    inserts of 2,000 months, in one transaction; returns the number of months written. The months are deleted
    before the days are read, so that a collection adding to an existing month meanwhile waits for the rebuild and
    then adds to the new row (a collection creating a month meanwhile makes the rebuild fail: run it again)."""
    ids = list(channel_ids)
    if not ids:
        return 0
    sums = {f"s_{name}": Cast(Sum(name), output_field=BigIntegerField()) for name in MONTH_SUMS}
    with transaction.atomic():
        ChannelMonthlyStat.objects.filter(channel_id__in=ids).delete()
        rows = (
            ChannelDailyStat.objects.filter(channel_id__in=ids)
            .order_by()
            .annotate(m=Substr(Cast("day", output_field=CharField()), 1, 7))  # "YYYY-MM": no per-row date function
            .values("organization_id", "channel_id", "m")
            .annotate(**sums)
            .values_list("organization_id", "channel_id", "m", *sums)
        )
        months = [
            ChannelMonthlyStat(
                organization_id=org_id,
                channel_id=channel_id,
                month=dt.date(int(month[:4]), int(month[5:7]), 1),
                **{name: value or 0 for name, value in zip(MONTH_SUMS, values, strict=True)},
            )
            for org_id, channel_id, month, *values in rows
        ]
        ChannelMonthlyStat.objects.bulk_create(months, batch_size=2000)
    return len(months)


def _previous(post_ids: Iterable[int]) -> dict[int, PostMetricSnapshot]:
    """Each post's latest snapshot (two queries whatever the history's length)."""
    latest = PostMetricSnapshot.objects.filter(post_id__in=post_ids).values("post_id").annotate(day=Max("day"))
    pairs = Q(pk__in=[])
    for row in latest:
        pairs |= Q(post_id=row["post_id"], day=row["day"])
    return {s.post_id: s for s in PostMetricSnapshot.objects.filter(pairs)} if latest else {}


@transaction.atomic
def _record(channel: Channel, rows: Sequence[PostCollection], found: dict[int, PostMetrics], now: dt.datetime) -> None:
    """Snapshots of the day, rollups and schedules for one batch of a channel's posts."""
    today = local_day(now, channel.timezone)
    before = _previous(found)
    gained = dict.fromkeys(COUNTS, 0)
    published_days: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        metrics = found.get(row.post_id)
        if metrics is None:
            continue
        previous = before.get(row.post_id)
        values = {k: getattr(metrics, k) for k in COUNTS}
        for k in COUNTS:
            gained[k] += increase(values[k], getattr(previous, k) if previous is not None else None)
        PostMetricSnapshot.objects.update_or_create(
            post_id=row.post_id, day=today,
            defaults={"organization_id": row.organization_id, "channel_id": channel.pk, "captured_at": now, **values},
        )  # fmt: skip
        if row.collections == 0:
            published_days[local_day(row.published_at, channel.timezone)] += 1
        row.collections += 1
        row.last_collected_at, row.failures, row.last_error = now, 0, ""
        row.next_due_at = next_collection_at(published_at=row.published_at, now=now)
        row.save(update_fields=["collections", "last_collected_at", "failures", "last_error", "next_due_at"])
    _day_stat_add(organization_id=channel.organization_id, channel_id=channel.pk, day=today, **gained)
    for day, count in published_days.items():
        _day_stat_add(organization_id=channel.organization_id, channel_id=channel.pk, day=day, posts_published=count)
    missing = [row for row in rows if row.post_id not in found]
    _failed(missing, _("The network no longer shows this post (deleted, or hidden from Harmonie)."), now)


def _collect_channel_posts(channel: Channel, rows: list[PostCollection], refs: dict[int, RemoteRef],
                           now: dt.datetime, result: CollectResult) -> None:  # fmt: skip
    try:
        connector = registry.get(channel.network)
    except registry.UnknownNetwork:
        connector = None
    if not isinstance(connector, MetricsReader) or connector is None:
        msg = _("Harmonie cannot read metrics from %(network)s.") % {"network": channel.get_network_display()}
        _failed(rows, msg, now, retry_after=WEEKLY.total_seconds(), count=False)
        result.failed += len(rows)
        return
    caller = _Caller(channel, connector)
    readable = [row for row in rows if row.post_id in refs]
    for start in range(0, len(readable), BATCH):
        batch = readable[start : start + BATCH]
        by_remote = {refs[row.post_id].remote_id: row.post_id for row in batch}
        try:
            answer: dict[str, PostMetrics] = caller.call(connector.read_metrics, [refs[r.post_id] for r in batch])
        except ConnectorError as exc:
            rest = readable[start:]
            message = _error_message(channel, exc)
            retry_after = exc.retry_after if exc.kind == ErrorKind.RATE_LIMITED else None
            _failed(rest, message, now, retry_after, count=exc.kind != ErrorKind.RATE_LIMITED)
            result.failed += len(rest)
            result.errors.append(f"{channel}: {message}")
            return
        found = {by_remote[remote]: metrics for remote, metrics in answer.items() if remote in by_remote}
        _record(channel, batch, found, now)
        result.collected += len(found)
        result.failed += len(batch) - len(found)


def post_metrics_collect(*, now: dt.datetime | None = None, limit: int = 500) -> CollectResult:
    """Read the metrics of the posts due (claimed first: several workers may run this at once)."""
    now = now or timezone.now()
    result = CollectResult()
    ids = post_collections_claim(now=now, limit=limit)
    if not ids:
        return result
    rows = list(PostCollection.objects.filter(pk__in=ids).select_related("channel").order_by("channel_id", "pk"))
    refs = {
        post_id: RemoteRef(remote_id, uri=uri, cid=cid, url=url)
        for post_id, remote_id, uri, cid, url in Publication.objects.filter(
            post_id__in=[r.post_id for r in rows], status=PublicationStatus.PUBLISHED
        ).values_list("post_id", "remote_id", "remote_uri", "remote_cid", "remote_url")
    }
    lost = [row for row in rows if row.post_id not in refs]
    _failed(lost, _("This post has no published publication any more."), now, retry_after=WEEKLY.total_seconds())
    by_channel: dict[int, list[PostCollection]] = defaultdict(list)
    for row in rows:
        by_channel[row.channel_id].append(row)
    for channel_rows in by_channel.values():
        channel = channel_rows[0].channel
        try:
            _collect_channel_posts(channel, channel_rows, refs, now, result)
        except Exception as exc:  # a bug or a broken answer: recorded on the rows, the other channels go on
            log.exception("metric collection of channel %s failed", channel.pk)
            pending = [r for r in channel_rows if r.next_due_at == now + CLAIM_LEASE]
            _failed(pending, _("Internal error while reading metrics: %(error)r") % {"error": exc}, now)
            result.failed += len(pending)
    return result


# --- channels ---------------------------------------------------------------------------------------------------


def channel_metrics_collect(*, now: dt.datetime | None = None, limit: int = 200) -> CollectResult:
    """Read the followers of the channels due and keep them on today's stat (the channel's day)."""
    now = now or timezone.now()
    result = CollectResult()
    ids = channel_collections_claim(now=now, limit=limit)
    for row in ChannelCollection.objects.filter(pk__in=ids).select_related("channel"):
        channel = row.channel
        try:
            connector = registry.get(channel.network)
        except registry.UnknownNetwork:
            connector = None
        if not isinstance(connector, AccountReader) or connector is None:
            msg = _("Harmonie cannot read followers from %(network)s.") % {"network": channel.get_network_display()}
            _failed([row], msg, now, retry_after=WEEKLY.total_seconds(), count=False)
            result.failed += 1
            continue
        try:
            info = _Caller(channel, connector).call(connector.account_info)
        except ConnectorError as exc:
            retry_after = exc.retry_after if exc.kind == ErrorKind.RATE_LIMITED else None
            message = _error_message(channel, exc)
            _failed([row], message, now, retry_after, count=exc.kind != ErrorKind.RATE_LIMITED)
            result.failed += 1
            result.errors.append(f"{channel}: {message}")
            continue
        with transaction.atomic():
            if info.followers is not None:
                _day_stat_add(organization_id=channel.organization_id, channel_id=channel.pk,
                              day=local_day(now, channel.timezone), followers=info.followers)  # fmt: skip
            row.last_collected_at, row.failures, row.last_error = now, 0, ""
            row.next_due_at = now + DAILY
            row.save(update_fields=["last_collected_at", "failures", "last_error", "next_due_at"])
        result.collected += 1
    return result
