"""CSV and XLSX writers that take rows one at a time (never the whole table in memory).

CSV: UTF-8 with a byte order mark (Excel then reads accents right), and every text cell that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a quote
(OWASP "CSV injection"). XLSX: openpyxl's write-only workbook; text is always written as text, never a formula."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

type Cell = str | int | float | Decimal | dt.date | dt.datetime | None

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 refuses (openpyxl raises IllegalCharacterError on them).
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_safe(value: Cell) -> str | int | float | Decimal:
    """A cell as CSV text; text a spreadsheet would evaluate gets a leading quote. Numbers stay numbers (a negative
    number is not text and is safe)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return value


class _Echo:
    """A file-like object whose ``write`` returns what it is given (for streaming with ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[Cell]]) -> Iterator[str]:
    """The CSV file as successive pieces of text, the BOM first."""
    writer = csv.writer(_Echo())
    yield BOM + str(writer.writerow([csv_safe(h) for h in header]))
    for row in rows:
        yield str(writer.writerow([csv_safe(v) for v in row]))


def write_csv(stream: IO[str], header: list[str], rows: Iterable[list[Cell]]) -> None:
    for piece in csv_lines(header, rows):
        stream.write(piece)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> Any:
    if isinstance(value, dt.datetime):  # Excel has no time zones: UTC, without the zone (the header says UTC)
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, str):
        text = _ILLEGAL_XML.sub("", value)
        if text.startswith("="):  # openpyxl would store it as a formula
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"
            return cell
        return text
    return value


def write_xlsx(target: str | IO[bytes], header: list[str], rows: Iterable[list[Cell]], *, title: str) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    workbook.save(target)
