"""CSV import of posts: every row goes through ``post_create`` (network limits, media rights, objectives first,
the charter, the governance matrix) inside its own savepoint, so a bad row is rolled back alone.

Modes: ``valid_rows`` saves the rows that pass and reports the others; ``all_or_nothing`` saves nothing when
one row fails (and still checks and reports every row); ``dry_run`` checks everything and saves nothing.
The file format is described in :mod:`harmonie.content.csv_io`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.content import selectors
from harmonie.content.csv_io import UTM_COLUMNS, CsvRow, parse_posts_csv
from harmonie.content.models import ContentKind, Localization, LocalizationState, MasterContent, Post, PostStatus
from harmonie.content.services.posts import post_create
from harmonie.content.timeutils import local_to_utc, utc_to_local
from harmonie.core.errors import DomainError, NotFound, ValidationFailed
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm


class ImportMode(StrEnum):
    VALID_ROWS = "valid_rows"
    ALL_OR_NOTHING = "all_or_nothing"


# The CSV column to blame for a service's refusal, by the field the service names. A refusal without a field
# (a missing permission, the governance matrix) is about who may create in the row's market.
SERVICE_COLUMNS = {
    "scheduled_at": "time",
    "localization": "source",
    "master": "source",
    "source": "source",
    "media": "source",  # the media come from the source
    "utm": "utm_source",
    "channel": "channel",
    "text": "text",
    "link": "link",
    "first_comment": "first_comment",
    "status": "status",
}
LINK_MAX = 2000  # Post.link's max_length

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")
_SOURCE_RE = re.compile(r"(localization|content|master):(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class RowError:
    column: str | None  # None: the row as a whole
    value: str
    message: str


@dataclass
class RowResult:
    number: int
    errors: list[RowError] = field(default_factory=list)
    status: str = ""  # the post's status once saved (or that it would have): "scheduled" | "draft"
    scheduled_at: dt.datetime | None = None
    timezone: str = ""
    post_id: int | None = None  # None unless the post was saved
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    mode: ImportMode
    dry_run: bool
    rows: list[RowResult]
    saved: bool  # whether the valid rows were saved
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def valid(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    @property
    def imported(self) -> int:
        return self.valid if self.saved else 0

    @property
    def errors(self) -> list[tuple[int, RowError]]:
        """(row number, error) for every error, in row order."""
        return [(r.number, e) for r in self.rows for e in r.errors]


class _RowRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class _Planned:
    market: Market
    channel: Channel
    localization: Localization | None
    master: MasterContent | None
    scheduled_at: dt.datetime | None
    status: str


class _Rows:
    """Resolves the cells of each row through the scoped selectors (one query per distinct value)."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.markets = {m.code.casefold(): m for m in governance_selectors.market_list(actor=actor)}
        channels = list(governance_selectors.channel_list(actor=actor))
        self.channels = {f"{c.network}:{c.handle}".casefold(): c for c in channels}
        self.channel_ids = {str(c.pk): c for c in channels}
        self.localizations: dict[int, Localization | None] = {}
        self.masters: dict[int, MasterContent | None] = {}
        self.market_localizations: dict[tuple[int, int], list[Localization]] = {}

    # -- each column ---------------------------------------------------------------------------------------

    def market(self, value: str) -> Market:
        if not value:
            raise _one("market", value, _("Give the market's code."))
        market = self.markets.get(value.casefold())
        if market is None:
            raise _one("market", value, _("Unknown market “%(value)s”: write the code of one of your markets.")
                       % {"value": value})  # fmt: skip
        return market

    def channel(self, value: str) -> Channel:
        if not value:
            raise _one("channel", value, _("Give the channel as network:handle or its id."))
        channel = self.channel_ids.get(value) or self.channels.get(value.casefold())
        if channel is None:
            raise _one(
                "channel",
                value,
                _("Unknown channel “%(value)s”: write network:handle (such as linkedin:our-page) or the channel's id.")
                % {"value": value},
            )
        return channel

    def _localization(self, pk: int) -> Localization | None:
        if pk not in self.localizations:
            try:
                self.localizations[pk] = selectors.localization_get(actor=self.actor, pk=pk)
            except NotFound:
                self.localizations[pk] = None
        return self.localizations[pk]

    def _master(self, pk: int) -> MasterContent | None:
        if pk not in self.masters:
            try:
                self.masters[pk] = selectors.master_get(actor=self.actor, pk=pk)
            except NotFound:
                self.masters[pk] = None
        return self.masters[pk]

    def _localizations_of(self, master: MasterContent, market: Market) -> list[Localization]:
        key = (master.pk, market.pk)
        if key not in self.market_localizations:
            found = selectors.localization_list(actor=self.actor, master_pk=master.pk).filter(market=market)
            usable = (LocalizationState.ADOPTED, LocalizationState.ADAPTED)
            # Usable ones first; a pending or declined one is left to post_create, which says why it cannot serve.
            self.market_localizations[key] = sorted(found, key=lambda loc: (loc.state not in usable, loc.language))
        return self.market_localizations[key]

    def source(self, value: str, market: Market) -> tuple[Localization | None, MasterContent | None]:
        match = _SOURCE_RE.fullmatch(value)
        if match is None:
            raise _one("source", value, _("“%(value)s” is not a source: write localization:<id>, content:<id> "
                                          "(local content) or master:<id>.") % {"value": value})  # fmt: skip
        kind, pk = match.group(1).lower(), int(match.group(2))
        unknown = _one("source", value, _("Unknown source “%(value)s”.") % {"value": value})
        if kind == "localization":
            localization = self._localization(pk)
            if localization is None:
                raise unknown
            _same_market(value, localization.market, market)
            return localization, None
        master = self._master(pk)
        if master is None:
            raise unknown
        if kind == "content":
            if master.kind != ContentKind.LOCAL:
                raise _one("source", value, _("“%(value)s” is master content: write master:%(pk)s (the row's market "
                                              "picks its localization) or localization:<id>.")
                           % {"value": value, "pk": pk})  # fmt: skip
            _same_market(value, master.market, market)
            return None, master
        if master.kind == ContentKind.LOCAL:
            raise _one("source", value, _("“%(value)s” is local content: write content:%(pk)s.")
                       % {"value": value, "pk": pk})  # fmt: skip
        localizations = self._localizations_of(master, market)
        if not localizations:
            raise _one("source", value, _("%(market)s has no localization of “%(title)s”: request one first.")
                       % {"market": market.name, "title": master.title})  # fmt: skip
        return localizations[0], None


def _one(column: str | None, value: str, message: str) -> _RowRefused:
    return _RowRefused([RowError(column, value, message)])


def _same_market(value: str, owner: Market, market: Market) -> None:
    if owner.pk != market.pk:
        raise _one("source", value, _("“%(value)s” belongs to %(owner)s; this row is for %(market)s.")
                   % {"value": value, "owner": owner.name, "market": market.name})  # fmt: skip


def _date(value: str) -> dt.date:
    if _DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _one("date", value, _("“%(value)s” is not a date: write YYYY-MM-DD, such as 2027-03-12.") % {"value": value})


def _time(value: str) -> dt.time:
    match = _TIME_RE.fullmatch(value)
    if match is not None and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return dt.time(int(match.group(1)), int(match.group(2)))
    raise _one("time", value, _("“%(value)s” is not a time: write HH:MM on a 24-hour clock, such as 09:30.")
               % {"value": value})  # fmt: skip


# An exported file carries every status; on import a row is either planned (submitted for review as its circuit
# requires) or kept as a draft.
_AS_DRAFT = frozenset({PostStatus.DRAFT, PostStatus.CHANGES_REQUESTED, PostStatus.REJECTED, PostStatus.CANCELLED})
# What went out (or tried to) is history, not a plan: not importable.
_HISTORY = frozenset({PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.UNCONFIRMED})


def _status(value: str) -> str:
    status = value.lower() or PostStatus.SCHEDULED
    if status not in PostStatus.values or status in _HISTORY:
        raise _one("status", value, _("Unknown status “%(value)s”: write scheduled or draft (empty: scheduled).")
                   % {"value": value})  # fmt: skip
    return PostStatus.DRAFT if status in _AS_DRAFT else PostStatus.SCHEDULED


def _attempt[T](errors: list[RowError], parse: Callable[[], T]) -> T | None:
    try:
        return parse()
    except _RowRefused as refused:
        errors.extend(refused.errors)
        return None


def _plan(rows: _Rows, row: CsvRow) -> _Planned:
    """Every problem of the row's own cells at once (the services then say what else is wrong)."""
    if row.repeats_header:
        raise _one(None, "", _("This row repeats the header: remove it."))
    if row.extra_cells:
        raise _one(None, "", _("This row has more cells than the header has columns: put a text that holds the "
                               "delimiter in double quotes."))  # fmt: skip
    v = row.values
    errors: list[RowError] = []
    status = _attempt(errors, lambda: _status(v.get("status", "")))
    market = _attempt(errors, lambda: rows.market(v["market"]))
    channel = _attempt(errors, lambda: rows.channel(v["channel"]))
    day: dt.date | None = None
    time: dt.time | None = None
    # A draft has no time: its date and time may stay empty (when given, they are checked all the same).
    if not (status == PostStatus.DRAFT and not v["date"] and not v["time"]):
        day = _attempt(errors, lambda: _date(v["date"]))
        time = _attempt(errors, lambda: _time(v["time"]))
    if len(v.get("link", "")) > LINK_MAX:
        errors.append(RowError("link", v["link"], _("A link has at most %(max)s characters.") % {"max": LINK_MAX}))
    source = None if market is None else _attempt(errors, lambda: rows.source(v["source"], market))
    at: dt.datetime | None = None
    if channel is not None and day is not None and time is not None:
        try:
            at = local_to_utc(day, time, channel.timezone, field="time")
        except DomainError as exc:
            errors.append(RowError("time", v["time"], exc.message))
    if errors:
        raise _RowRefused(errors)
    assert status is not None
    assert market is not None
    assert channel is not None
    assert source is not None
    return _Planned(
        market=market,
        channel=channel,
        localization=source[0],
        master=source[1],
        scheduled_at=at if status == PostStatus.SCHEDULED else None,
        status=status,
    )


def _create(actor: Actor, row: CsvRow, planned: _Planned) -> Post:
    v = row.values
    utm = {column: v[column] for column in UTM_COLUMNS if v.get(column)}
    return post_create(
        actor=actor,
        channel=planned.channel,
        localization=planned.localization,
        master=planned.master,
        text=v.get("text") or None,
        link=v.get("link", ""),
        first_comment=v.get("first_comment", ""),
        utm=utm,
        scheduled_at=planned.scheduled_at,
    )


def _import_row(actor: Actor, rows: _Rows, row: CsvRow) -> RowResult:
    result = RowResult(number=row.number)
    try:
        planned = _plan(rows, row)
    except _RowRefused as refused:
        result.errors = refused.errors
        return result
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
            post = _create(actor, row, planned)
    except DomainError as exc:
        column = SERVICE_COLUMNS.get(exc.field or "", "market")
        result.errors = [RowError(column, row.values.get(column, ""), exc.message)]
        return result
    result.post_id = post.pk
    result.status = post.status
    result.scheduled_at = post.scheduled_at
    result.timezone = planned.channel.timezone
    return result


def _ok_message(result: RowResult, *, saved: bool, dry_run: bool) -> str:
    if result.scheduled_at is not None and result.status != PostStatus.DRAFT:
        values = {
            "local": utc_to_local(result.scheduled_at, result.timezone).strftime("%Y-%m-%d %H:%M"),
            "zone": result.timezone,
            "utc": result.scheduled_at.strftime("%H:%M"),
            "status": str(PostStatus(result.status).label).lower(),
        }
        if result.status == PostStatus.SCHEDULED:
            if saved:
                return _("Scheduled for %(local)s (%(zone)s), %(utc)s UTC.") % values
            if dry_run:
                return _("Valid: would be scheduled for %(local)s (%(zone)s), %(utc)s UTC.") % values
        elif result.status == PostStatus.IN_REVIEW:
            if saved:
                return _("Submitted for review, planned for %(local)s (%(zone)s), %(utc)s UTC.") % values
            if dry_run:
                return (
                    _("Valid: would be submitted for review, planned for %(local)s (%(zone)s), %(utc)s UTC.") % values
                )
        elif saved:
            return _("Saved (%(status)s), planned for %(local)s (%(zone)s), %(utc)s UTC.") % values
        elif dry_run:
            return _("Valid: would be saved (%(status)s), planned for %(local)s (%(zone)s), %(utc)s UTC.") % values
    elif saved:
        return _("Saved as a draft, without a time: schedule it from the post's page.")
    elif dry_run:
        return _("Valid: would be saved as a draft, without a time.")
    return _("Valid, but not saved: another row failed and this import is all or nothing.")


def posts_import(*, actor: Actor, data: bytes | str, mode: str, dry_run: bool) -> ImportReport:
    """Check and create the posts of a CSV file; the report has a result for every non-empty row.

    The whole file is refused (``ValidationFailed`` on ``file``) when it is not a readable CSV with the required
    columns, or too large. Otherwise each row is resolved through the scoped selectors (a market, channel or
    source the member cannot see is unknown) and created by ``post_create`` in a savepoint.
    """
    actor.require(Perm.CONTENT_CREATE)
    if mode not in ImportMode:
        raise ValidationFailed(
            _("Choose a mode: %(modes)s.") % {"modes": ", ".join(m.value for m in ImportMode)}, field="mode"
        )
    import_mode = ImportMode(mode)
    parsed = parse_posts_csv(data)
    rows = _Rows(actor)
    with transaction.atomic():
        results = [_import_row(actor, rows, row) for row in parsed.rows]
        failed = any(not r.ok for r in results)
        saved = not dry_run and not (import_mode == ImportMode.ALL_OR_NOTHING and failed)
        if not saved:
            transaction.set_rollback(True)
    for result in results:
        if result.ok:
            result.message = _ok_message(result, saved=saved, dry_run=dry_run)
            if not saved:
                result.post_id = None
    return ImportReport(
        mode=import_mode, dry_run=dry_run, rows=results, saved=saved, ignored_columns=parsed.ignored_columns
    )
