from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from harmonie.governance.permissions import Perm


class _PermChecker:
    """In templates: ``{% if perms_h.channels_manage %}`` — holds the permission somewhere."""

    def __init__(self, request: HttpRequest) -> None:
        self._actor = getattr(request, "actor", None)

    def __getattr__(self, name: str) -> bool:
        if self._actor is None:
            return False
        key = name.replace("_", ".", 1)
        try:
            perm = Perm(key)
        except ValueError:
            return False
        return bool(self._actor.can(perm))


def actor(request: HttpRequest) -> dict[str, Any]:
    a = getattr(request, "actor", None)
    return {"actor": a, "perms_h": _PermChecker(request)}
