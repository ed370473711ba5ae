"""Notifications in the app and by e-mail, each written in its reader's language."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from harmonie.approvals.models import Notification
from harmonie.content.models import Post
from harmonie.governance.models import Member

logger = logging.getLogger(__name__)


def post_url(post: Post) -> str:
    return f"/approvals/posts/{post.pk}/"


def notify(
    *,
    member_ids: Iterable[int],
    post: Post | None,
    kind: str,
    message: Callable[[], str],
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify each member (in the app, and by e-mail after the transaction commits). ``message`` is called in
    each reader's language, so it must translate when called."""
    now = timezone.now()
    created: list[Notification] = []
    members = Member.objects.filter(pk__in=set(member_ids), is_active=True).select_related("user")
    mails: list[tuple[str, str, str]] = []
    for member in members:
        with translation.override(member.user.language or settings.LANGUAGE_CODE):
            text = message()
        created.append(Notification(member=member, post=post, kind=kind, message=text[:500], url=url, created_at=now))
        if email and member.user.email:
            mails.append((member.user.email, text, url))
    Notification.objects.bulk_create(created)
    base = settings.HARMONIE_PUBLIC_URL.rstrip("/")

    def _send() -> None:
        for address, text, link in mails:
            body = f"{text}\n\n{base}{link}" if link else text
            try:
                send_mail(f"Harmonie: {text[:80]}", body, settings.DEFAULT_FROM_EMAIL, [address])
            except OSError:  # the in-app notification stands; a mail server outage must not fail the action
                logger.exception("Could not e-mail a notification to %s", address)

    if mails:
        transaction.on_commit(_send)
    return created
