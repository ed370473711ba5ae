"""Reading entered and imported values: amounts in English or French writing, dates, whole numbers, and CSV files
with named columns. Every error says where it is and what to write instead."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from harmonie.core.errors import ValidationFailed

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


class ImportFailed(ValidationFailed):
    """A file with errors: nothing was written. ``errors`` lists each one as "Line N: ..."."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:50]
        more = len(errors) - len(shown)
        message = _("Nothing was imported: %(n)d error(s) to fix.") % {"n": len(errors)}
        if more:
            message += " " + _("(the first 50 are listed)")
        super().__init__(message, field="file")
        self.errors = shown


def parse_decimal(raw: object, *, places: int = 2) -> Decimal:
    """``1234.50``, ``1 234,50`` (French, any space), ``1,234.50`` and ``1.234,50``: the last of ``.``/``,`` is the
    decimal separator when both appear; a lone comma is a decimal comma. More than ``places`` decimals is refused
    (so ``1,234`` cannot silently mean 1.234). Raises ValueError with the reason."""
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    else:
        text = _SPACES.sub("", str(raw or "")).replace("\u2212", "-")
        if not text:
            raise ValueError(_("a number is required"))
        if "," in text and "." in text:
            decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
            thousands = "." if decimal_sep == "," else ","
            text = text.replace(thousands, "").replace(decimal_sep, ".")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        if not _NUMBER.match(text):
            raise ValueError(_("“%(raw)s” is not a number; write 1234.50 or 1 234,50") % {"raw": raw})
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above already refuses it
            raise ValueError(_("“%(raw)s” is not a number") % {"raw": raw}) from exc
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(
            _("“%(raw)s” has more than %(places)d decimals; write 1234.50 or 1 234,50") % {"raw": raw, "places": places}
        )
    return value.quantize(Decimal(1).scaleb(-places)) if places else value


def parse_count(raw: object, *, required: bool = True) -> int | None:
    """A whole number ≥ 0 (spaces as thousands separators allowed); None when empty and not required."""
    text = _SPACES.sub("", str(raw if raw is not None else ""))
    if not text:
        if required:
            raise ValueError(_("a whole number is required"))
        return None
    if not text.isdigit():
        raise ValueError(_("“%(raw)s” is not a whole number ≥ 0") % {"raw": raw})
    return int(text)


def parse_day(raw: object) -> dt.date:
    """``2026-03-31`` (ISO) or ``31/03/2026`` (day first, as written in Europe)."""
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    raise ValueError(_("“%(raw)s” is not a date; write 2026-03-31 or 31/03/2026") % {"raw": raw})


@dataclass
class CsvRows:
    """The rows of a CSV file as dicts keyed by lower-case column names, with their line numbers."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def read_csv(data: bytes, *, required: Iterable[str], optional: Iterable[str]) -> CsvRows:  # noqa: PLR0912
    """Decode (UTF-8, with or without BOM), detect the separator (``,``, ``;`` or tab) and check the header: every
    required column present, no unknown column. Raises ImportFailed listing what to fix."""
    required, optional = list(required), list(optional)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed([_("The file is larger than 5 MB: split it.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([_("The file is not UTF-8 text: save it as “CSV UTF-8” and import it again.")]) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ImportFailed(
            [_("The file is empty: the first line must name the columns: %(cols)s.") % {"cols": ", ".join(required)}]
        )
    header = lines[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    names = [name.strip().lower() for name in next(reader)]
    errors = []
    missing = [c for c in required if c not in names]
    if missing:
        errors.append(
            _("Line 1: missing column(s) %(cols)s; the header must name %(all)s.")
            % {"cols": ", ".join(missing), "all": ", ".join(required + optional)}
        )
    unknown = [c for c in names if c and c not in required and c not in optional]
    if unknown:
        errors.append(
            _("Line 1: unknown column(s) %(cols)s; known columns: %(all)s.")
            % {"cols": ", ".join(unknown), "all": ", ".join(required + optional)}
        )
    if len(set(names)) != len(names):
        errors.append(_("Line 1: a column name appears twice."))
    if errors:
        raise ImportFailed(errors)
    out = CsvRows(columns=names)
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(names):
            errors.append(
                _("Line %(line)d: %(n)d values for %(cols)d columns; quote values containing “%(sep)s”.")
                % {"line": line, "n": len(values), "cols": len(names), "sep": delimiter}
            )
            continue
        out.rows.append((line, {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(names)}))
        if len(out.rows) > MAX_IMPORT_ROWS:
            raise ImportFailed([_("More than %(n)d rows: split the file.") % {"n": MAX_IMPORT_ROWS}])
    if errors:
        raise ImportFailed(errors)
    if not out.rows:
        raise ImportFailed([_("The file has a header but no rows.")])
    return out
