"""Posts as CSV: reading an uploaded file into rows, and writing posts as rows of the same format, so that
export → edit → import round-trips.

Reading refuses the whole file (``ValidationFailed`` on ``file``) when it cannot be read as one table of posts:
not CSV, no header, a required column missing or twice, too large. Checking each row is the import service's
work (:mod:`harmonie.content.services.imports`).

The format, one post per row, a header first (UTF-8 with or without BOM, comma or semicolon):

* ``market``: the market's code; ``channel``: ``network:handle`` (``linkedin:vireo-france``) or the channel's id;
* ``source``: ``localization:<id>``, ``content:<id>`` (local content), or ``master:<id>`` (the row market's
  adopted or adapted localization of that master);
* ``date`` (YYYY-MM-DD) and ``time`` (HH:MM) on the channel's wall clock;
* optional: ``status`` (``scheduled``, the default, or ``draft``), ``text`` (default: the source's text),
  ``link``, ``first_comment``, ``utm_campaign``, ``utm_source``, ``utm_medium``;
* written by the export and ignored on import: ``id``, ``timezone``, ``scheduled_at_utc``, ``campaign``,
  ``dimension``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harmonie.content.models import Post
from harmonie.content.networks.formatting import number
from harmonie.content.timeutils import utc_to_local
from harmonie.core.errors import ValidationFailed

MAX_ROWS = 5000
MAX_MEGABYTES = 5
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024

REQUIRED_COLUMNS = ("market", "channel", "source", "date", "time")
OPTIONAL_COLUMNS = ("status", "text", "link", "first_comment", "utm_campaign", "utm_source", "utm_medium")
EXPORT_ONLY_COLUMNS = ("id", "timezone", "scheduled_at_utc", "campaign", "dimension")
EXPORT_COLUMNS = (
    "id",
    "market",
    "channel",
    "timezone",
    "date",
    "time",
    "scheduled_at_utc",
    "status",
    "campaign",
    "dimension",
    "source",
    "text",
    "link",
    "first_comment",
    "utm_campaign",
    "utm_source",
    "utm_medium",
)
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS + EXPORT_ONLY_COLUMNS)
UTM_COLUMNS = ("utm_campaign", "utm_source", "utm_medium")
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvRow:
    """One non-empty row. ``number`` is the row as a spreadsheet numbers it: the header is row 1."""

    number: int
    values: dict[str, str]  # column -> cell, trimmed; a column the row lacks is ""
    repeats_header: bool = False
    extra_cells: int = 0  # non-empty cells beyond the header's columns


@dataclass(frozen=True)
class ParsedCsv:
    columns: list[str]
    ignored_columns: list[str]  # neither imported nor written by the export: left aside, shown in the report
    delimiter: str
    rows: list[CsvRow]


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file", code="import_file")


def _not_csv() -> ValidationFailed:
    return _refuse(_("This file is not a CSV file: export your sheet as “CSV UTF-8” and upload that file."))


def check_size(n_bytes: int) -> None:
    """Refuse a file over the size limit (before reading it, when its size is known)."""
    if n_bytes > MAX_BYTES:
        raise _too_large()


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        check_size(len(data))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_csv() from None
    else:
        text = data
        check_size(len(text.encode("utf-8")))
    text = text.removeprefix(BOM)
    if "\x00" in text:
        raise _not_csv()
    return text


def _too_large() -> ValidationFailed:
    return _refuse(
        _("The file is larger than %(max)s MB: split it into smaller files.") % {"max": number(MAX_MEGABYTES)}
    )


def _delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more (spreadsheets in French write semicolons)."""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _header(cells: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in cells]
    while columns and not columns[-1]:  # trailing delimiters
        columns.pop()
    known = [c for c in columns if c in KNOWN_COLUMNS]
    if not known:
        raise _refuse(
            _("The first row is not a header: it must name the columns, at least %(columns)s.")
            % {"columns": ", ".join(REQUIRED_COLUMNS)}
        )
    seen: set[str] = set()
    for column in columns:
        if column in seen and column:
            raise _refuse(_("The column “%(column)s” appears twice in the header: keep one.") % {"column": column})
        seen.add(column)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise _refuse(
            ngettext(
                "The header lacks the required column %(columns)s.",
                "The header lacks the required columns %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(f"“{c}”" for c in missing)}
        )
    return columns


def parse_posts_csv(data: bytes | str) -> ParsedCsv:
    """The rows of a posts CSV, or ``ValidationFailed`` (field ``file``) saying why the whole file is refused.

    Empty lines (and lines of empty cells) are skipped; row numbers still count them, as a spreadsheet does.
    """
    text = _decode(data)
    if not text.strip():
        raise _refuse(
            _("The file is empty: its first row must be the header (%(columns)s…).")
            % {"columns": ", ".join(REQUIRED_COLUMNS)}
        )
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error:
        raise _refuse(
            _(
                "This file cannot be read as CSV near line %(line)s: a quote is not closed, or is followed by other "
                "characters. Put a text that holds quotes, commas or line breaks in double quotes, and double the "
                "quotes inside it."
            )
            % {"line": number(reader.line_num)}
        ) from None
    numbered = [(i + 1, cells) for i, cells in enumerate(records) if not _blank(cells)]
    _header_number, header_cells = numbered[0]
    columns = _header(header_cells)
    body = numbered[1:]
    if len(body) > MAX_ROWS:
        raise _refuse(
            _("The file has %(count)s rows; at most %(max)s are imported at once: split it into smaller files.")
            % {"count": number(len(body)), "max": number(MAX_ROWS)}
        )
    rows: list[CsvRow] = []
    for row_number, cells in body:
        trimmed = [cell.strip() for cell in cells]
        values = {c: (trimmed[i] if i < len(trimmed) else "") for i, c in enumerate(columns) if c}
        extra = sum(1 for cell in trimmed[len(columns) :] if cell)
        repeats = [cell.lower() for cell in trimmed[: len(columns)]] == columns
        rows.append(CsvRow(row_number, values, repeats_header=repeats, extra_cells=extra))
    ignored = [c for c in columns if c and c not in KNOWN_COLUMNS]
    return ParsedCsv(columns=columns, ignored_columns=ignored, delimiter=delimiter, rows=rows)


# --- writing ---------------------------------------------------------------------------------------------


def channel_ref(network: str, handle: str) -> str:
    """How a channel is written in the CSV: ``linkedin:vireo-france``."""
    return f"{network}:{handle}"


def source_ref(post: Post) -> str:
    if post.localization_id is not None:
        return f"localization:{post.localization_id}"
    return f"content:{post.master_id}"


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def post_row(post: Post) -> list[str]:
    """A post as a row of :data:`EXPORT_COLUMNS` (the posts' channel, market, master and campaign loaded)."""
    channel = post.channel
    local = utc_to_local(post.scheduled_at, channel.timezone) if post.scheduled_at is not None else None
    campaign = post.master.campaign
    utm = post.utm or {}
    return [
        str(post.pk),
        post.market.code,
        channel_ref(channel.network, channel.handle),
        channel.timezone,
        local.date().isoformat() if local else "",
        local.strftime("%H:%M") if local else "",
        utc_iso(post.scheduled_at) if post.scheduled_at is not None else "",
        post.status,
        campaign.name if campaign is not None else "",
        post.master.dimension.key,
        source_ref(post),
        post.text,
        post.link,
        post.first_comment,
        *(str(utm.get(column, "")) for column in UTM_COLUMNS),
    ]


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes, one row at a time."""

    def write(self, value: str) -> str:
        return value


def export_lines(posts: Iterable[Post]) -> Iterator[str]:
    """The CSV, line by line (a BOM first, so that spreadsheets read it as UTF-8), for a streamed response."""
    writer = csv.writer(_Line())
    yield BOM + str(writer.writerow(EXPORT_COLUMNS))
    for post in posts:
        yield str(writer.writerow(post_row(post)))
