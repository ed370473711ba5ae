"""What the strategy pages share with the governance ones (member check, form submission, errors, bars),
plus the clock they read, which tests pin."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from harmonie.governance.views.common import Bar, bars, error_response, is_htmx, member_required, submit

__all__ = ["Bar", "bars", "error_response", "is_htmx", "member_required", "now", "submit"]


def now() -> dt.datetime:
    """The current time (aware, UTC). The overview reads coverage "today" through it."""
    return timezone.now()
