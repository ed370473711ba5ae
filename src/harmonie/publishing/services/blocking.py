"""Whether a post may go out: approvals' rule (``publication_blocker``: scheduled, and no active crisis covering it
unless it was released), asked for a whole claim at once, and before each call.

``publication_blocker`` reads the organization's active crises for every post it is asked about. Crises are rare:
a claim first asks which of its organizations have an active crisis at all (one query), and asks the rule itself
only for the posts of those organizations (and for posts that are not scheduled, which the rule refuses). For a
post of an organization without an active crisis the rule's answer is known: nothing blocks it.

Before each call the sender looks again, for a crisis declared since the claim. It asks the database at most every
``CRISIS_CACHE_SECONDS`` per organization whether it has an active crisis (a burst of calls does not make one
query each), and when it has, the rule itself. (Suggested to approvals: a batch form of ``publication_blocker``.)
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterable, Sequence

from harmonie.approvals.models import Crisis, CrisisStatus
from harmonie.approvals.services.crisis import publication_blocker
from harmonie.content.models import Post
from harmonie.content.states import PostStatus

CRISIS_CACHE_SECONDS = 0.25
_seen: dict[int, tuple[float, bool]] = {}  # organization id -> (when asked, whether it had an active crisis)
_lock = threading.Lock()


def organizations_in_crisis(organization_ids: Iterable[int]) -> set[int]:
    ids = set(organization_ids)
    if not ids:
        return set()
    active = Crisis.objects.filter(organization_id__in=ids, status=CrisisStatus.ACTIVE)
    return set(active.values_list("organization_id", flat=True))


def blockers(posts: Sequence[Post]) -> dict[int, str | None]:
    """``publication_blocker`` for each post of a claim (by post id), with one query for the common case."""
    in_crisis = organizations_in_crisis(p.organization_id for p in posts)
    return {
        post.pk: publication_blocker(post)
        if post.organization_id in in_crisis or post.status != PostStatus.SCHEDULED
        else None
        for post in posts
    }


def forget() -> None:
    with _lock:
        _seen.clear()


def _in_crisis(organization_id: int) -> bool:
    now = time.monotonic()
    with _lock:
        seen = _seen.get(organization_id)
    if seen is not None and now - seen[0] < CRISIS_CACHE_SECONDS:
        return seen[1]
    found = organization_id in organizations_in_crisis([organization_id])
    with _lock:
        _seen[organization_id] = (now, found)
    return found


def crisis_blocker(post: Post, *, fresh: bool = True) -> str | None:
    """Why a post already on its way must not be sent now: the approvals rule, asked as if the post were still
    scheduled, so that a crisis declared after the claim still stops it. ``fresh=False``: whether the organization
    has an active crisis may be known from up to ``CRISIS_CACHE_SECONDS`` ago (the sender, in a burst)."""
    if not fresh and not _in_crisis(post.organization_id):
        return None
    probe = copy.copy(post)
    probe.status = PostStatus.SCHEDULED
    return publication_blocker(probe)
