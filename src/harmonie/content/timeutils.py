"""Local wall-clock times to UTC and back, with daylight-saving transitions handled explicitly."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils.translation import gettext as _

from harmonie.core.errors import ValidationFailed


def local_to_utc(day: dt.date, time: dt.time, tz_name: str, *, field: str = "scheduled_at") -> dt.datetime:
    """``day`` at ``time`` on the wall clock of ``tz_name``, as an aware UTC datetime.

    A time that does not exist (clocks go forward: 02:30 on the last Sunday of March in Paris) is refused
    with the time to choose instead; an ambiguous one (clocks go back) is the first occurrence.
    """
    tz = zoneinfo.ZoneInfo(tz_name)
    naive = dt.datetime.combine(day, time.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either a gap (nonexistent) or an overlap (ambiguous). Round-tripping tells which.
        round_trip = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            later = naive + (second.utcoffset() or dt.timedelta()) - (first.utcoffset() or dt.timedelta())
            raise ValidationFailed(
                _("%(time)s does not exist on %(day)s in %(zone)s (the clocks go forward); choose %(later)s instead.")
                % {"time": time.strftime("%H:%M"), "day": day.isoformat(), "zone": tz_name,
                   "later": later.strftime("%H:%M")},
                field=field,
            )  # fmt: skip
    return first.astimezone(dt.UTC)


def utc_to_local(moment: dt.datetime, tz_name: str) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("utc_to_local needs an aware datetime")
    return moment.astimezone(zoneinfo.ZoneInfo(tz_name))


def weekly_series(*, first_day: dt.date, time: dt.time, tz_name: str, weeks: int) -> list[dt.datetime]:
    """The same wall-clock time every week in ``tz_name``, as UTC instants (they move across DST changes)."""
    if not 1 <= weeks <= 260:
        raise ValidationFailed(_("A weekly series has between 1 and 260 occurrences."), field="weeks")
    return [local_to_utc(first_day + dt.timedelta(weeks=i), time, tz_name) for i in range(weeks)]
