"""What every page shows of connections: how many channels the member can see need attention."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harmonie.connectors import selectors
from harmonie.governance.permissions import Perm


def connections(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.can(Perm.CHANNELS_VIEW):
        return {}
    return {"channels_needing_attention": selectors.channels_needing_attention(actor=actor).count()}
