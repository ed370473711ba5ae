"""Personal access tokens, login throttling and user preferences."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.accounts.models import LoginFailure, PersonalAccessToken, User
from harmonie.core.errors import NotFound, ValidationFailed
from harmonie.core.validation import validate_timezone

TOKEN_PREFIX = "hrm"  # noqa: S105 - a public prefix, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, organization_id: int, name: str, expires_at: dt.datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Create a token; the full secret is returned once and only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the token after what will use it, e.g. 'reporting script'."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry date must be in the future."), field="expires_at")
    if not user.memberships.filter(organization_id=organization_id, is_active=True).exists():
        raise ValidationFailed(_("You are not a member of that organization."))
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = PersonalAccessToken.objects.create(
        user=user,
        organization_id=organization_id,
        name=name,
        prefix=prefix,
        token_hash=_hash(raw),
        expires_at=expires_at,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> PersonalAccessToken:
    token = PersonalAccessToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(*, raw: str) -> PersonalAccessToken | None:
    """The live token matching ``raw`` (not revoked, not expired, active user), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX + "_"):
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def login_is_locked(*, login: str, ip_address: str | None) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.HARMONIE_LOGIN_WINDOW_SECONDS)
    limit = settings.HARMONIE_LOGIN_MAX_FAILURES
    by_login = LoginFailure.objects.filter(login=login.strip().lower(), created_at__gte=since).count()
    if by_login >= limit:
        return True
    if ip_address:
        by_ip = LoginFailure.objects.filter(ip_address=ip_address, created_at__gte=since).count()
        return by_ip >= limit * 4
    return False


def login_failure_record(*, login: str, ip_address: str | None) -> None:
    now = timezone.now()
    LoginFailure.objects.create(login=login.strip().lower()[:254], ip_address=ip_address, created_at=now)
    # Keep the table small: forget failures older than a day.
    LoginFailure.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()


def login_success_record(*, login: str) -> None:
    LoginFailure.objects.filter(login=login.strip().lower()).delete()


@transaction.atomic
def user_preferences_update(*, user: User, language: str | None = None, timezone_name: str | None = None) -> User:
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise ValidationFailed(_("Choose English or French."), field="language")
        user.language = language
    if timezone_name is not None:
        user.timezone = validate_timezone(timezone_name)
    user.save(update_fields=["language", "timezone"])
    return user
