"""Mastodon (and Mastodon-API servers), through ``Mastodon.py`` (network-apis.md §2).

The instance comes from ``credentials.service_url``. Every status is posted with the publication's
``Idempotency-Key``: Mastodon keeps a key for an hour and answers a repeated POST with the status it already
made, so re-publishing inside that window is safe (``reconcile`` says ABSENT) and after it cannot be proven
safe (UNKNOWN). Media go through ``POST /api/v2/media`` with their alt text (``description``); a 202 (video,
audio, GIF) is polled on ``GET /api/v1/media/:id`` until it has a ``url``. Limits are the instance's own
(:meth:`MastodonConnector.instance_limits`). Tokens never expire, so a 401 means the access was revoked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import requests
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from harmonie.connectors import registry
from harmonie.connectors.base import (
    AccountInfo,
    Connector,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    MediaItem,
    Mention,
    PostMetrics,
    PublishRequest,
    PublishResult,
    RateBudget,
    Reconciliation,
    RemoteRef,
)
from harmonie.connectors.http import default_message
from harmonie.content.networks.limits import NetworkLimits, limits_for
from harmonie.content.networks.validation import text_with_link

NETWORK = "Mastodon"
VISIBILITIES = ("public", "unlisted", "private", "direct")
IDEMPOTENCY_WINDOW = dt.timedelta(hours=1)  # §2.2: the key is kept up to one hour
#: How close to the end of the window a re-POST is still trusted (the clock of the instance may differ).
WINDOW_MARGIN = dt.timedelta(minutes=5)
API_VERSION = "4.5.0"  # what Mastodon.py assumes, so that it never probes the instance's version on its own


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """A field of an object Mastodon.py returned (a dict subclass)."""
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _never_sent(exc: MastodonNetworkError) -> bool:
    """Mastodon.py wraps the ``requests`` error in its own: only a connection never opened proves the request
    did not leave (a read timeout or a dropped connection may follow a received request)."""
    cause = exc.__context__
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.exceptions.ConnectionError):
        text = str(cause)
        return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
    return False


@registry.register
class MastodonConnector(Connector):
    network = "mastodon"
    label = "Mastodon"
    limits: ClassVar[NetworkLimits | None] = limits_for("mastodon")
    # §2.6: 300 requests / 5 min per token, media 30 / 30 min: a post with media spends one media call each.
    budget = RateBudget(calls=30, seconds=1800)
    concurrency = 2
    auth = "oauth2"
    exact_reconcile = True  # the instance answers a repeated Idempotency-Key with the same status (an hour)

    request_timeout: float = 30.0
    media_poll_seconds: float = 2.0
    media_poll_attempts: int = 60  # two minutes for a video to be processed

    # --- plumbing -------------------------------------------------------------------------------------------

    def api(self, credentials: Credentials) -> Mastodon:
        if not credentials.service_url:
            raise ConnectorError(
                ErrorKind.AUTH_REVOKED,
                _("This Mastodon channel has no instance address: reconnect it with the instance's URL."),
                code="no_instance",
            )
        return Mastodon(
            access_token=credentials.access_token or None,
            api_base_url=credentials.service_url.rstrip("/"),
            ratelimit_method="throw",
            request_timeout=self.request_timeout,
            mastodon_version=API_VERSION,
            version_check_mode="created",  # with the version given: parsed, never probed
        )

    @contextmanager
    def _calls(self, api: Mastodon, *, write: bool) -> Iterator[None]:
        """Mastodon.py's exceptions, mapped to the shared set."""
        try:
            yield
        except MastodonRatelimitError as exc:
            reset = getattr(api, "ratelimit_reset", None)
            wait = max(0.0, float(reset) - time.time()) if isinstance(reset, int | float) else None
            raise ConnectorError(
                ErrorKind.RATE_LIMITED,
                default_message(ErrorKind.RATE_LIMITED, network=NETWORK),
                code="429",
                http_status=429,
                retry_after=wait,
            ) from exc
        except MastodonNetworkError as exc:
            unknown = write and not _never_sent(exc)
            message = (
                _(
                    "Mastodon did not answer after the post was sent; Harmonie checks whether it was published "
                    "before trying again."
                )
                if unknown
                else _("The Mastodon instance could not be reached; Harmonie tries again later.")
            )
            raise ConnectorError(ErrorKind.TRANSIENT, message, code="network", outcome_unknown=unknown) from exc
        except MastodonAPIError as exc:
            raise self._api_error(exc, write=write) from exc
        except MastodonIllegalArgumentError as exc:
            raise ConnectorError(ErrorKind.VALIDATION, str(exc), code="invalid_argument") from exc

    def _api_error(self, exc: MastodonAPIError, *, write: bool) -> ConnectorError:
        # args: ("Mastodon API returned error", status, reason, error message)
        status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
        detail = str(exc.args[3]) if len(exc.args) > 3 and exc.args[3] else ""
        if isinstance(exc, MastodonUnauthorizedError):
            kind = ErrorKind.AUTH_REVOKED  # §2.1: tokens do not expire; a refused one was revoked
        elif isinstance(exc, MastodonServerError):
            kind = ErrorKind.TRANSIENT
        elif isinstance(exc, MastodonNotFoundError):
            kind = ErrorKind.VALIDATION
        elif status == 403:
            kind = ErrorKind.POLICY
        elif status == 422 and "processing" in detail.casefold():
            kind = ErrorKind.MEDIA_PROCESSING  # §2.3: a status with unprocessed media is refused with 422
        elif status is not None and (status >= 500 or status == 408):
            kind = ErrorKind.TRANSIENT
        else:
            kind = ErrorKind.VALIDATION
        return ConnectorError(
            kind,
            default_message(kind, network=NETWORK, detail=detail),
            code=str(status or ""),
            http_status=status,
            outcome_unknown=write and kind == ErrorKind.TRANSIENT,
        )

    # --- limits -----------------------------------------------------------------------------------------------

    def instance_limits(self, credentials: Credentials) -> NetworkLimits:
        """The limits of this instance, read from ``GET /api/v2/instance`` → ``configuration`` (§2.2)."""
        api = self.api(credentials)
        with self._calls(api, write=False):
            instance = api.instance_v2()
        configuration = _get(instance, "configuration", {})
        statuses = _get(configuration, "statuses", {})
        media = _get(configuration, "media_attachments", {})
        base = limits_for("mastodon", instance_text_max=_get(statuses, "max_characters", None))
        changes: dict[str, Any] = {}
        for field, section, key in (
            ("max_images", statuses, "max_media_attachments"),
            ("url_length", statuses, "characters_reserved_per_url"),
            ("image_max_bytes", media, "image_size_limit"),
            ("video_max_bytes", media, "video_size_limit"),
            ("image_max_pixels", media, "image_matrix_limit"),
            ("alt_text_max", media, "description_limit"),
        ):
            value = _get(section, key, None)
            if isinstance(value, int) and value > 0:
                changes[field] = value
        mime_types = [str(m) for m in _get(media, "supported_mime_types", [])]
        if mime_types:
            changes["image_types"] = base.image_types & frozenset(m for m in mime_types if m.startswith("image/"))
            changes["video_types"] = base.video_types & frozenset(m for m in mime_types if m.startswith("video/"))
        host = credentials.service_url.removeprefix("https://").removeprefix("http://").rstrip("/")
        changes["source"] = f"{base.source} Media limits read from the configuration of {host}."
        return dataclasses.replace(base, **changes)

    # --- publishing -------------------------------------------------------------------------------------------

    def new_key(self) -> str:
        return uuid.uuid4().hex

    def _upload(self, api: Mastodon, item: MediaItem) -> str:
        with self._calls(api, write=False):
            attachment = api.media_post(
                item.data,
                mime_type=item.mime_type,
                description=item.alt_text or None,
                file_name=item.filename or None,
            )
        media_id = str(_get(attachment, "id"))
        attempts = 0
        # §2.3: a 202 has ``url: null`` while the server processes the file; poll until it has one.
        while not _get(attachment, "url"):
            attempts += 1
            if attempts > self.media_poll_attempts:
                raise ConnectorError(
                    ErrorKind.MEDIA_PROCESSING,
                    _("Mastodon is still processing a media file after %(seconds)s seconds; try again later.")
                    % {"seconds": int(self.media_poll_seconds * self.media_poll_attempts)},
                    code="media_timeout",
                )
            time.sleep(self.media_poll_seconds)
            with self._calls(api, write=False):
                attachment = api.media(media_id)
        return media_id

    def _post(self, credentials: Credentials, request: PublishRequest, *, in_reply_to: str = "") -> PublishResult:
        visibility = str(request.options.get("visibility", "") or "") or None
        if visibility is not None and visibility not in VISIBILITIES:
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("Mastodon has no visibility “%(value)s”: choose public, unlisted, private or direct.")
                % {"value": visibility},
                code="visibility",
            )
        api = self.api(credentials)
        media_ids = [self._upload(api, item) for item in request.media]
        text = text_with_link("mastodon", request.text, request.link, has_media=bool(request.media))
        with self._calls(api, write=True):
            status = api.status_post(
                text,
                in_reply_to_id=in_reply_to or None,
                media_ids=media_ids or None,
                visibility=visibility,
                language=request.language or None,
                sensitive=bool(request.options.get("sensitive", False)),
                spoiler_text=str(request.options.get("spoiler_text", "")) or None,
                idempotency_key=request.idempotency_key,
            )
        return _result(status)

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        return self._post(credentials, request, in_reply_to=request.reply_to.remote_id if request.reply_to else "")

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        return self._post(credentials, request, in_reply_to=to.remote_id)

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        """Inside the Idempotency-Key window a new POST with the same key returns the status already made (or
        makes it once): publishing again is safe. After it, Mastodon cannot tell."""
        first = request.first_attempt_at
        if first is not None and dt.datetime.now(dt.UTC) < first + IDEMPOTENCY_WINDOW - WINDOW_MARGIN:
            return Reconciliation(
                Found.ABSENT,
                detail=_(
                    "Mastodon keeps the idempotency key for an hour: publishing again with the same key returns "
                    "the post if it was made, and never makes a second one."
                ),
            )
        return Reconciliation(
            Found.UNKNOWN,
            detail=_(
                "The first attempt is more than an hour old: Mastodon no longer recognises its idempotency key, "
                "so someone must check the account before publishing again."
            ),
        )

    # --- other capabilities -----------------------------------------------------------------------------------

    def delete(self, credentials: Credentials, ref: RemoteRef) -> None:
        api = self.api(credentials)
        try:
            with self._calls(api, write=True):
                api.status_delete(ref.remote_id)
        except ConnectorError as exc:
            if exc.http_status != 404:  # already gone: what deleting wanted
                raise

    def read_metrics(self, credentials: Credentials, refs: Sequence[RemoteRef]) -> dict[str, PostMetrics]:
        api = self.api(credentials)
        metrics: dict[str, PostMetrics] = {}
        for ref in refs:
            try:
                with self._calls(api, write=False):
                    status = api.status(ref.remote_id)
            except ConnectorError as exc:
                if exc.http_status == 404:
                    continue
                raise
            metrics[ref.remote_id] = PostMetrics(
                likes=_get(status, "favourites_count", None),
                reposts=_get(status, "reblogs_count", None),
                replies=_get(status, "replies_count", None),
                quotes=_get(status, "quotes_count", None),  # Mastodon 4.5
            )
        return metrics

    def account_info(self, credentials: Credentials) -> AccountInfo:
        api = self.api(credentials)
        with self._calls(api, write=False):
            account = api.account_verify_credentials()
        return AccountInfo(
            account_id=str(_get(account, "id", "")),
            handle=str(_get(account, "acct", "")),
            display_name=str(_get(account, "display_name", "")),
            followers=_get(account, "followers_count", None),
            url=str(_get(account, "url", "")),
        )

    def read_mentions(self, credentials: Credentials, *, since: dt.datetime | None = None) -> list[Mention]:
        """``GET /api/v1/notifications?types[]=mention`` (§2.5), newest first, those after ``since``."""
        api = self.api(credentials)
        with self._calls(api, write=False):
            notifications = api.notifications(types=["mention"], limit=80)
        mentions: list[Mention] = []
        for notification in notifications or []:
            status = _get(notification, "status")
            if not status:
                continue
            created = _get(status, "created_at")
            if not isinstance(created, dt.datetime):
                continue
            created = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
            if since is not None and created <= since:
                continue
            account = _get(status, "account", {})
            mentions.append(
                Mention(
                    remote_id=str(_get(status, "id")),
                    author_handle=str(_get(account, "acct", "")),
                    author_id=str(_get(account, "id", "")),
                    text=html.unescape(strip_tags(str(_get(status, "content", "")))),
                    created_at=created.astimezone(dt.UTC),
                    url=str(_get(status, "url", "")),
                    uri=str(_get(status, "uri", "")),
                    in_reply_to=str(_get(status, "in_reply_to_id", "")),
                )
            )
        return mentions


def _result(status: Any) -> PublishResult:
    created = _get(status, "created_at")
    return PublishResult(
        remote_id=str(_get(status, "id")),
        url=str(_get(status, "url", "")),
        uri=str(_get(status, "uri", "")),
        published_at=created.astimezone(dt.UTC) if isinstance(created, dt.datetime) and created.tzinfo else None,
    )
