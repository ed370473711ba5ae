"""Small presentation helpers for the content templates: times on a channel's wall clock, network names."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format

from harmonie.content.timeutils import utc_to_local
from harmonie.governance.models import Network

register = template.Library()


@register.filter
def wall_clock(moment: dt.datetime | None, tz_name: str) -> str:
    """``{{ post.scheduled_at|wall_clock:post.channel.timezone }}`` -> ``Mon 12 Jan 2027 09:00``: the time on that
    zone's wall clock. (Django's ``date`` filter would show it in the server's zone.)"""
    if moment is None:
        return ""
    local = utc_to_local(moment, tz_name)
    return f"{date_format(local, 'D j M Y')} {local:%H:%M}"


@register.filter
def utc_clock(moment: dt.datetime | None) -> str:
    """``Mon 12 Jan 2027 08:00`` in UTC."""
    if moment is None:
        return ""
    utc = moment.astimezone(dt.UTC)
    return f"{date_format(utc, 'D j M Y')} {utc:%H:%M}"


@register.filter
def network_label(value: str) -> str:
    """``linkedin`` -> ``LinkedIn``."""
    return str(Network(value).label) if value in Network.values else value
