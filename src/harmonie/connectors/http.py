"""Shared HTTP plumbing of the httpx-based connectors: a client with sane timeouts, one mapping from an HTTP
answer to a :class:`ConnectorError`, and a send wrapper that says when a write may have happened.

Each connector reads its network's error body itself (the codes differ everywhere) and passes what it found to
:func:`error_for`; this module knows what is common: the HTTP status, the rate-limit headers of every network
(``Retry-After``, X's ``x-rate-limit-*``, Mastodon's ``X-RateLimit-*``, Meta's ``X-App-Usage`` and
``X-Business-Use-Case-Usage``) and what a failed transport means for a write.

A write whose request may have reached the network (a read timeout, a connection dropped after sending, a 5xx
answer) fails with ``outcome_unknown=True``: the engine reconciles before anything else. A request that never
left (the connection could not be opened) is a plain transient failure.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext as _

from harmonie.connectors.base import ConnectorError, ErrorKind

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)  # media bytes: a slow link must not fail a large upload
USER_AGENT = "Harmonie (+https://github.com/harmonie-social/harmonie)"

PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's quota day
#: Above this share (percent) of a Meta usage header, the app or the page is throttled.
META_USAGE_LIMIT = 100
META_WINDOW_SECONDS = 3600.0  # Meta's platform rate limits are per hour (network-apis.md §6: "200 × DAU calls/hour")


def client(
    *,
    base_url: str = "",
    token: str = "",
    headers: Mapping[str, str] | None = None,
    timeout: httpx.Timeout = TIMEOUT,
) -> httpx.Client:
    """A client for one connector call (connectors keep no state between calls). ``token``: a Bearer token."""
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    return httpx.Client(base_url=base_url, headers=all_headers, timeout=timeout, follow_redirects=False)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- rate-limit headers -----------------------------------------------------------------------------------


def _seconds_until(moment: dt.datetime, *, at: dt.datetime) -> float:
    return max(0.0, (moment - at).total_seconds())


def _reset_to_datetime(value: str) -> dt.datetime | None:
    """A reset header: epoch seconds (X, Bluesky, some Mastodon forks) or an ISO-8601 moment (Mastodon)."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _retry_after_header(value: str, *, at: dt.datetime) -> float | None:
    """``Retry-After``: delay seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return _seconds_until(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC), at=at)


def _meta_usage(headers: httpx.Headers) -> tuple[float, float | None]:
    """The highest usage share (percent) in Meta's usage headers, and the longest wait they announce (seconds)."""
    highest = 0.0
    wait: float | None = None
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        raw = headers.get(name)
        if raw:
            highest = max(highest, *_usage_values(_json_or_none(raw)))
    raw = headers.get("x-business-use-case-usage")
    if raw:
        parsed = _json_or_none(raw)
        for entries in parsed.values() if isinstance(parsed, dict) else ():
            for entry in entries if isinstance(entries, list) else ():
                if not isinstance(entry, dict):
                    continue
                highest = max(highest, *_usage_values(entry))
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and minutes > 0:
                    wait = max(wait or 0.0, float(minutes) * 60)
    return highest, wait


def _usage_values(parsed: Any) -> list[float]:
    if not isinstance(parsed, dict):
        return [0.0]
    keys = ("call_count", "total_cputime", "total_time")
    return [0.0] + [float(parsed[key]) for key in keys if isinstance(parsed.get(key), int | float)]


def _json_or_none(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def retry_after(headers: httpx.Headers, *, at: dt.datetime | None = None) -> float | None:
    """Seconds to wait before calling again, from whatever rate-limit header the answer carries; None if none
    says. ``Retry-After`` wins; then Meta's ``estimated_time_to_regain_access`` (or its hourly window when a
    usage header is at 100 %); then the reset of an exhausted window (``x-rate-limit-reset`` of X,
    ``X-RateLimit-Reset`` of Mastodon and Pinterest, ``RateLimit-Reset``)."""
    at = at or now()
    if "retry-after" in headers:
        seconds = _retry_after_header(headers["retry-after"], at=at)
        if seconds is not None:
            return seconds
    usage, wait = _meta_usage(headers)
    if wait is not None:
        return wait
    if usage >= META_USAGE_LIMIT:  # Meta's platform limits count calls over a rolling hour (§6)
        return META_WINDOW_SECONDS
    # X sends 24-hour windows beside the 15-minute one on POST /2/tweets: the exhausted one decides.
    resets: list[float] = []
    for prefix in ("x-user-limit-24hour", "x-app-limit-24hour", "x-rate-limit", "x-ratelimit", "ratelimit"):
        remaining, reset = headers.get(f"{prefix}-remaining"), headers.get(f"{prefix}-reset")
        if reset is None:
            continue
        moment = _reset_to_datetime(reset)
        if moment is None:
            continue
        if remaining is not None and remaining.strip() not in {"0", "0.0"}:
            continue
        resets.append(_seconds_until(moment, at=at))
    return max(resets) if resets else None


def seconds_until_utc_midnight(at: dt.datetime | None = None) -> float:
    """LinkedIn's daily windows reset at 00:00 UTC (network-apis.md §5.5)."""
    at = (at or now()).astimezone(dt.UTC)
    midnight = dt.datetime.combine(at.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return _seconds_until(midnight, at=at)


def seconds_until_pacific_midnight(at: dt.datetime | None = None) -> float:
    """YouTube's quota resets at midnight Pacific time (network-apis.md §10.5)."""
    local = (at or now()).astimezone(PACIFIC)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=PACIFIC)
    return _seconds_until(midnight, at=local)


# --- mapping an answer to the shared error set ------------------------------------------------------------


def default_kind(status: int) -> ErrorKind:
    """The kind an HTTP status means when the body says nothing more precise."""
    if status == 401:
        return ErrorKind.AUTH_EXPIRED
    if status == 403:
        return ErrorKind.POLICY
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status in {408, 425} or status >= 500:
        return ErrorKind.TRANSIENT
    return ErrorKind.VALIDATION


def default_message(kind: ErrorKind, *, network: str, detail: str = "") -> str:
    """A sentence for people: what happened and what to do, with the network's own words when it gave some."""
    values = {"network": network}
    match kind:
        case ErrorKind.AUTH_EXPIRED:
            text = _(
                "%(network)s refused the channel's access token as expired; Harmonie refreshes it and tries again."
            )
        case ErrorKind.AUTH_REVOKED:
            text = _("%(network)s no longer accepts the channel's access: reconnect the channel.")
        case ErrorKind.RATE_LIMITED:
            text = _("%(network)s asks to slow down; Harmonie tries again after the wait it gives.")
        case ErrorKind.DUPLICATE:
            text = _("%(network)s says this post already exists.")
        case ErrorKind.TRANSIENT:
            text = _("%(network)s failed for now; Harmonie tries again later.")
        case ErrorKind.MEDIA_PROCESSING:
            text = _("%(network)s could not process a media file: check its format, or try another file.")
        case ErrorKind.POLICY:
            text = _("%(network)s refused the call under its rules: someone must check the account or the app.")
        case _:
            text = _("%(network)s refused this post as it is: correct it and publish again.")
    return with_detail(text % values, network=network, detail=detail)


def with_detail(message: str, *, network: str, detail: str) -> str:
    """``message`` followed by the network's own words, when it gave some."""
    if not detail.strip():
        return message
    return _("%(message)s %(network)s said: “%(detail)s”") % {
        "message": message,
        "network": network,
        "detail": detail.strip(),
    }


def error_for(
    response: httpx.Response,
    *,
    network: str,
    kind: ErrorKind | None = None,
    message: str = "",
    detail: str = "",
    code: str = "",
    write: bool = False,
    retry_after_seconds: float | None = None,
    remote_id: str = "",
    remote_url: str = "",
) -> ConnectorError:
    """The ConnectorError an unsuccessful ``response`` means. ``kind``: what the connector read in the body
    (else the HTTP status decides); ``write``: the request created or changed something, so a 5xx leaves its
    outcome unknown."""
    status = response.status_code
    kind = kind or default_kind(status)
    wait = retry_after_seconds
    if wait is None and kind in {ErrorKind.RATE_LIMITED, ErrorKind.TRANSIENT}:
        wait = retry_after(response.headers)
    return ConnectorError(
        kind,
        with_detail(message, network=network, detail=detail)
        if message
        else default_message(kind, network=network, detail=detail),
        code=code or str(status),
        http_status=status,
        retry_after=wait,
        outcome_unknown=write and status >= 500 and kind == ErrorKind.TRANSIENT,
        remote_id=remote_id,
        remote_url=remote_url,
    )


def json_body(response: httpx.Response) -> Any:
    """The JSON body, or None when there is none or it is not JSON (an HTML error page from a proxy)."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


# --- sending --------------------------------------------------------------------------------------------


def transport_error(exc: httpx.TransportError, *, network: str, write: bool) -> ConnectorError:
    """A request that got no answer. Only a connection that could not be opened (or a pool that gave none)
    proves the request never left; anything later may have reached the network."""
    never_sent = isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.UnsupportedProtocol
    )
    unknown = write and not never_sent
    if unknown:
        message = _(
            "%(network)s did not answer after the request was sent; Harmonie checks whether it was published "
            "before trying again."
        ) % {"network": network}
    else:
        message = _("%(network)s could not be reached; Harmonie tries again later.") % {"network": network}
    return ConnectorError(ErrorKind.TRANSIENT, message, code=type(exc).__name__, outcome_unknown=unknown)


@contextmanager
def sending(*, network: str, write: bool) -> Iterator[None]:
    """Wrap the httpx calls of one step: transport failures leave as ConnectorError (TRANSIENT, with
    ``outcome_unknown`` for a write that may have been received)."""
    try:
        yield
    except httpx.TransportError as exc:
        raise transport_error(exc, network=network, write=write) from exc


def send(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    network: str,
    write: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """One request; transport failures become ConnectorError (see :func:`sending`). The status is not checked."""
    with sending(network=network, write=write):
        return http.request(method, url, **kwargs)


# --- reconciliation -------------------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


def same_text(published: str, sent: str) -> bool:
    """Whether a post found on the network carries the text we sent: networks rewrite links (t.co, lnkd.in)
    and whitespace, so links count as one token and runs of space as one space."""

    def norm(text: str) -> str:
        return _SPACE_RE.sub(" ", _URL_RE.sub("<link>", text)).strip().casefold()

    return norm(published) == norm(sent)


def parse_time(value: str) -> dt.datetime | None:
    """An ISO-8601 moment from a network (``Z``, ``+0000`` and ``+00:00`` forms), aware in UTC."""
    value = value.strip()
    if not value:
        return None
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.replace("Z", "+00:00"))
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
