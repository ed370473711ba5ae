"""OAuth 2 for the networks that use it: each network's settings, and the generic token calls over ``httpx``.

The settings come from ``docs/network-apis.md`` (sections 2.1, 4.1, 5.1, 7.1, 8, 9.1, 10.1; Pinterest is not in
it and is marked [K] below: long-standing platform knowledge to re-check). What differs between networks:

* where the member authorizes and where the code is exchanged, which scopes, and the scope separator;
* PKCE (S256) or not; how the token endpoint wants the client to authenticate (HTTP Basic or form fields);
* how tokens are refreshed (:class:`RefreshStyle`): a rotating refresh token that dies once used (X), a reusable
  one the response may leave out (Google, LinkedIn), no refresh token but a long-lived access token exchanged for
  a new one (Instagram, Threads), or no refresh at all (Mastodon tokens never expire; Facebook Page tokens do not
  expire and need the member again when revoked);
* Meta's extra step after the code: the short-lived token is exchanged for a long-lived one.

Every failure leaves as a :class:`~harmonie.connectors.base.ConnectorError` of the shared set: ``invalid_grant``
(the grant is dead) and refused client credentials are ``auth_revoked`` (someone must reconnect or fix the app),
429 is ``rate_limited``, 5xx and network failures are ``transient``, anything else the network refuses is
``validation``. Nothing here touches the database or logs a token: the connections service stores what these
functions return, and connectors call :func:`refresh_tokens` from their ``refresh()``.

Endpoints can be overridden per organization app (``NetworkApp.settings``: ``authorize_url``, ``token_url``,
``long_lived_url``, ``refresh_url``, ``graph_url``, ``scopes``), for a network's sandbox, a proxy, or a local test
server; Mastodon's are relative to the instance (``service_url``).
"""

# The words "token_url", "token_method" and "access_token" name OAuth endpoints and fields here, not secrets:
# ruff: noqa: S105, S106

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import enum
import hashlib
import logging
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from harmonie.connectors.base import ConnectorError, Credentials, ErrorKind, TokenSet

# Short: a refresh holds the connection's row lock (on SQLite, the database's write lock) while it waits.
TIMEOUT = httpx.Timeout(8.0, connect=4.0)
_SECRET_PARAMS = re.compile(
    r"((?:^|[?&])(?:access_token|refresh_token|client_secret|fb_exchange_token|code|code_verifier|input_token)=)"
    r"[^&#\s]*"
)


class RedactSecrets(logging.Filter):
    """Blank token-like query parameters in what ``httpx`` logs (it logs every request's full URL at INFO, and
    Meta's token endpoints take tokens in the query string)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _SECRET_PARAMS.sub(r"\1[redacted]", str(arg)) if isinstance(arg, httpx.URL | str) else arg
                for arg in record.args
            )
        return True


if not any(isinstance(f, RedactSecrets) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(RedactSecrets())
DEFAULT_GRAPH_VERSION = "v23.0"
MASTODON_OOB = "urn:ietf:wg:oauth:2.0:oob"


class ClientAuth(enum.StrEnum):
    BASIC = "basic"  # HTTP Basic ``client_id:client_secret`` (X confidential clients, Pinterest)
    BODY = "body"  # ``client_id`` and ``client_secret`` as form fields or query parameters


class RefreshStyle(enum.StrEnum):
    ROTATING = "rotating"  # a new refresh token each time; the old one dies (replaying it can kill the chain)
    REUSABLE = "reusable"  # the refresh token stays valid; responses may omit it (keep the stored one)
    ACCESS_TOKEN = "access_token"  # no refresh token: the long-lived access token is exchanged for a new one
    NONE = "none"  # no refresh: the token never expires, or only the member can renew it


@dataclass(frozen=True)
class OAuthSpec:
    network: str
    label: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    pkce: bool
    client_auth: ClientAuth
    refresh: RefreshStyle
    access_lifetime: dt.timedelta | None  # the usual access-token life; None: it does not expire
    scope_separator: str = " "
    token_method: str = "POST"
    authorize_params: tuple[tuple[str, str], ...] = ()
    long_lived_url: str = ""  # Meta: short-lived -> long-lived token exchange
    long_lived_grant: str = ""
    refresh_url: str = ""  # RefreshStyle.ACCESS_TOKEN: where the long-lived token is renewed
    refresh_grant: str = ""
    per_instance: bool = False  # URLs are paths on the account's instance (Mastodon)
    doc: str = ""  # where network-apis.md describes it


_GRAPH = "https://graph.facebook.com/{graph_version}"

SPECS: dict[str, OAuthSpec] = {
    spec.network: spec
    for spec in (
        OAuthSpec(
            network="x", label="X",
            authorize_url="https://x.com/i/oauth2/authorize",
            token_url="https://api.x.com/2/oauth2/token",
            scopes=("tweet.read", "tweet.write", "users.read", "media.write", "offline.access"),
            pkce=True, client_auth=ClientAuth.BASIC, refresh=RefreshStyle.ROTATING,
            access_lifetime=dt.timedelta(hours=2), doc="4.1",
        ),
        OAuthSpec(
            network="linkedin", label="LinkedIn",
            authorize_url="https://www.linkedin.com/oauth/v2/authorization",
            token_url="https://www.linkedin.com/oauth/v2/accessToken",
            scopes=("openid", "profile", "w_member_social", "w_organization_social", "r_organization_social",
                    "rw_organization_admin"),
            pkce=False, client_auth=ClientAuth.BODY, refresh=RefreshStyle.REUSABLE,
            access_lifetime=dt.timedelta(days=60), doc="5.1",
        ),
        OAuthSpec(
            network="facebook", label="Facebook",
            authorize_url="https://www.facebook.com/{graph_version}/dialog/oauth",
            token_url=_GRAPH + "/oauth/access_token",
            scopes=("pages_show_list", "pages_manage_posts", "pages_read_engagement", "pages_read_user_content",
                    "pages_manage_engagement", "read_insights"),
            scope_separator=",", pkce=False, client_auth=ClientAuth.BODY, refresh=RefreshStyle.NONE,
            access_lifetime=None, token_method="GET",
            long_lived_url=_GRAPH + "/oauth/access_token", long_lived_grant="fb_exchange_token", doc="7.1",
        ),
        OAuthSpec(
            network="instagram", label="Instagram",
            authorize_url="https://www.instagram.com/oauth/authorize",
            token_url="https://api.instagram.com/oauth/access_token",
            scopes=("instagram_business_basic", "instagram_business_content_publish",
                    "instagram_business_manage_comments", "instagram_business_manage_insights"),
            scope_separator=",", pkce=False, client_auth=ClientAuth.BODY, refresh=RefreshStyle.ACCESS_TOKEN,
            access_lifetime=dt.timedelta(days=60),
            long_lived_url="https://graph.instagram.com/access_token", long_lived_grant="ig_exchange_token",
            refresh_url="https://graph.instagram.com/refresh_access_token", refresh_grant="ig_refresh_token",
            doc="8 (Instagram Login)",
        ),
        OAuthSpec(
            network="threads", label="Threads",
            authorize_url="https://threads.net/oauth/authorize",
            token_url="https://graph.threads.net/oauth/access_token",
            scopes=("threads_basic", "threads_content_publish", "threads_read_replies", "threads_manage_replies",
                    "threads_manage_insights", "threads_manage_mentions", "threads_delete"),
            scope_separator=",", pkce=False, client_auth=ClientAuth.BODY, refresh=RefreshStyle.ACCESS_TOKEN,
            access_lifetime=dt.timedelta(days=60),
            long_lived_url="https://graph.threads.net/access_token", long_lived_grant="th_exchange_token",
            refresh_url="https://graph.threads.net/refresh_access_token", refresh_grant="th_refresh_token",
            doc="9.1",
        ),
        OAuthSpec(
            network="youtube", label="YouTube",
            authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
            token_url="https://oauth2.googleapis.com/token",
            scopes=("https://www.googleapis.com/auth/youtube.upload",
                    "https://www.googleapis.com/auth/youtube.force-ssl",
                    "https://www.googleapis.com/auth/youtube.readonly",
                    "https://www.googleapis.com/auth/yt-analytics.readonly"),
            pkce=True, client_auth=ClientAuth.BODY, refresh=RefreshStyle.REUSABLE,
            access_lifetime=dt.timedelta(hours=1),
            authorize_params=(("access_type", "offline"), ("prompt", "consent"), ("include_granted_scopes", "true")),
            doc="10.1",
        ),
        OAuthSpec(  # [K] not in network-apis.md: Pinterest API v5 OAuth as documented by Pinterest
            network="pinterest", label="Pinterest",
            authorize_url="https://www.pinterest.com/oauth/",
            token_url="https://api.pinterest.com/v5/oauth/token",
            scopes=("boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read"),
            scope_separator=",", pkce=False, client_auth=ClientAuth.BASIC, refresh=RefreshStyle.REUSABLE,
            access_lifetime=dt.timedelta(days=30), doc="[K]",
        ),
        OAuthSpec(
            network="mastodon", label="Mastodon",
            authorize_url="/oauth/authorize",
            token_url="/oauth/token",
            scopes=("read:accounts", "read:statuses", "read:notifications", "read:search", "write:statuses",
                    "write:media"),
            pkce=True, client_auth=ClientAuth.BODY, refresh=RefreshStyle.NONE, access_lifetime=None,
            per_instance=True, doc="2.1",
        ),
    )
}  # fmt: skip

# Token lives of networks that do not use these OAuth settings (for "refresh before it expires").
OTHER_LIFETIMES: dict[str, dt.timedelta] = {"bluesky": dt.timedelta(hours=2)}


def spec_for(network: str) -> OAuthSpec:
    try:
        return SPECS[network]
    except KeyError:
        raise ConnectorError(
            ErrorKind.VALIDATION, _("%(network)s does not connect with OAuth in Harmonie.") % {"network": network}
        ) from None


def supports_oauth(network: str) -> bool:
    return network in SPECS


def refresh_margin(network: str) -> dt.timedelta:
    """Refresh this long before expiry: at 80 % of the access token's life (5 minutes when unknown)."""
    spec = SPECS.get(network)
    life = spec.access_lifetime if spec else OTHER_LIFETIMES.get(network)
    return life / 5 if life else dt.timedelta(minutes=5)


@dataclass(frozen=True)
class OAuthApp:
    """The organization's app on a network: what the token endpoint authenticates the client with."""

    client_id: str
    client_secret: str = ""
    service_url: str = ""  # Mastodon: the instance the app is registered on
    settings: Mapping[str, str] = field(default_factory=dict)


# --- PKCE and state -----------------------------------------------------------------------------------------


def new_state() -> str:
    return secrets.token_urlsafe(32)


def new_verifier() -> str:
    """A PKCE code verifier: 64 characters from the unreserved set (RFC 7636 allows 43 to 128)."""
    return secrets.token_urlsafe(48)


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


# --- endpoints ----------------------------------------------------------------------------------------------


def _endpoint(spec: OAuthSpec, name: str, *, settings: Mapping[str, str], service_url: str) -> str:
    override = settings.get(name, "")
    if override:
        return override
    template: str = getattr(spec, name)
    if spec.per_instance:
        if not service_url:
            raise ConnectorError(
                ErrorKind.VALIDATION,
                _("%(network)s needs the instance's address to connect.") % {"network": spec.label},
            )
        return service_url.rstrip("/") + template
    return template.format(graph_version=settings.get("graph_version") or DEFAULT_GRAPH_VERSION)


def scopes_for(network: str, settings: Mapping[str, str] | None = None) -> list[str]:
    """The scopes to ask for: the app's ``scopes`` setting (space or comma separated), else the network's."""
    spec = spec_for(network)
    custom = (settings or {}).get("scopes", "")
    if custom.strip():
        return custom.replace(",", " ").split()
    return list(spec.scopes)


def build_authorize_url(network: str, *, app: OAuthApp, redirect_uri: str, state: str, code_challenge: str = "") -> str:
    """Where to send the member's browser. ``code_challenge`` (S256) is required for networks with PKCE."""
    spec = spec_for(network)
    if spec.pkce and not code_challenge:
        raise ValueError(f"{spec.label} uses PKCE: pass the S256 code_challenge.")
    params: list[tuple[str, str]] = [
        ("response_type", "code"),
        ("client_id", app.client_id),
        ("redirect_uri", redirect_uri),
        ("scope", spec.scope_separator.join(scopes_for(network, app.settings))),
        ("state", state),
    ]
    if spec.pkce:
        params += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
    params += list(spec.authorize_params)
    base = _endpoint(spec, "authorize_url", settings=app.settings, service_url=app.service_url)
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params, quote_via=quote)}"


# --- HTTP ---------------------------------------------------------------------------------------------------


@contextmanager
def _client(http: httpx.Client | None) -> Iterator[httpx.Client]:
    if http is not None:
        yield http
        return
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        yield client


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    if raw:
        if raw.isdigit():
            return float(raw)
        when = email.utils.parsedate_to_datetime(raw) if raw else None
        if when is not None:
            return max(0.0, (when - timezone.now()).total_seconds())
    reset = response.headers.get("x-rate-limit-reset", "").strip()
    if reset.isdigit():
        return max(0.0, int(reset) - timezone.now().timestamp())
    return None


def _detail(text: str) -> str:
    return " ".join(text.split())[:200]


# Meta Graph error codes (network-apis.md §6).
_META_RATE = {4, 17, 32, 613, 80001, 80002}
_META_TRANSIENT = {1, 2}


def _error(spec: OAuthSpec, response: httpx.Response, *, refreshing: bool) -> ConnectorError:
    status = response.status_code
    body = _json(response)
    label = spec.label
    raw_error = body.get("error")
    if isinstance(raw_error, dict):  # Meta's Graph envelope
        code = int(raw_error.get("code") or 0)
        detail = _detail(str(raw_error.get("message") or ""))
        common: dict[str, Any] = {"code": str(code), "http_status": status}
        if status == 429 or code in _META_RATE:
            return ConnectorError(
                ErrorKind.RATE_LIMITED,
                _("%(network)s is rate limiting token requests: Harmonie tries again later.") % {"network": label},
                retry_after=_retry_after(response),
                **common,
            )
        if code in _META_TRANSIENT or raw_error.get("is_transient") or status >= 500:
            return ConnectorError(
                ErrorKind.TRANSIENT,
                _("%(network)s's token endpoint failed for now (%(detail)s): Harmonie tries again later.")
                % {"network": label, "detail": detail},
                **common,
            )
        if code == 190:
            return ConnectorError(
                ErrorKind.AUTH_REVOKED,
                _("%(network)s refused the authorization (%(detail)s): reconnect the channel.")
                % {"network": label, "detail": detail},
                **common,
            )
        if code == 10 or 200 <= code <= 299 or code == 368:
            return ConnectorError(
                ErrorKind.POLICY,
                _("%(network)s refused a permission (%(detail)s): check the app's permissions and reconnect.")
                % {"network": label, "detail": detail},
                **common,
            )
        return ConnectorError(
            ErrorKind.VALIDATION,
            _("%(network)s refused the token request (%(detail)s).") % {"network": label, "detail": detail},
            **common,
        )

    code_str = str(raw_error or body.get("code") or "")
    detail = (
        _detail(str(body.get("error_description") or body.get("message") or body.get("detail") or code_str or ""))
        or f"HTTP {status}"
    )
    if status == 429:
        return ConnectorError(
            ErrorKind.RATE_LIMITED,
            _("%(network)s is rate limiting token requests: Harmonie tries again later.") % {"network": label},
            code=code_str,
            http_status=status,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        return ConnectorError(
            ErrorKind.TRANSIENT,
            _("%(network)s's token endpoint failed for now (HTTP %(status)s): Harmonie tries again later.")
            % {"network": label, "status": status},
            code=code_str,
            http_status=status,
        )
    if code_str in {"invalid_client", "unauthorized_client"} or (status == 401 and not code_str):
        return ConnectorError(
            ErrorKind.AUTH_REVOKED,
            _(
                "%(network)s refused the organization's app credentials (%(detail)s): check the client ID and "
                "secret in the app credentials, then reconnect the channel."
            )
            % {"network": label, "detail": detail},
            code=code_str,
            http_status=status,
        )
    # A refresh request holds nothing of ours but the refresh token: if it is refused, the grant is dead
    # (X answers invalid_request "Value passed for the token was invalid." for a used refresh token).
    if code_str == "invalid_grant" or (refreshing and code_str == "invalid_request"):
        return ConnectorError(
            ErrorKind.AUTH_REVOKED,
            _("%(network)s refused the authorization (%(detail)s): reconnect the channel.")
            % {"network": label, "detail": detail},
            code=code_str,
            http_status=status,
        )
    return ConnectorError(
        ErrorKind.VALIDATION,
        _("%(network)s refused the token request (%(detail)s).") % {"network": label, "detail": detail},
        code=code_str,
        http_status=status,
    )


def _send(
    spec: OAuthSpec,
    http: httpx.Client | None,
    method: str,
    url: str,
    *,
    data: Mapping[str, str],
    auth: tuple[str, str] | None = None,
    refreshing: bool = False,
) -> dict[str, Any]:
    try:
        with _client(http) as client:
            if method == "GET":
                response = client.get(url, params=dict(data), auth=auth or httpx.USE_CLIENT_DEFAULT)
            else:
                response = client.post(
                    url, data=dict(data), auth=auth or httpx.USE_CLIENT_DEFAULT, headers={"Accept": "application/json"}
                )
    except httpx.TimeoutException as exc:
        raise ConnectorError(
            ErrorKind.TRANSIENT,
            _("%(network)s's token endpoint did not answer in time: Harmonie tries again later.")
            % {"network": spec.label},
            outcome_unknown=not isinstance(exc, httpx.ConnectTimeout),
        ) from None
    except httpx.HTTPError:
        raise ConnectorError(
            ErrorKind.TRANSIENT,
            _("%(network)s's token endpoint could not be reached: Harmonie tries again later.")
            % {"network": spec.label},
        ) from None
    if response.status_code >= 400:
        raise _error(spec, response, refreshing=refreshing)
    body = _json(response)
    if not body:
        raise ConnectorError(
            ErrorKind.TRANSIENT,
            _("%(network)s's token endpoint answered something that is not JSON: Harmonie tries again later.")
            % {"network": spec.label},
            http_status=response.status_code,
        )
    return body


def _client_fields(
    spec: OAuthSpec, client_id: str, client_secret: str
) -> tuple[dict[str, str], tuple[str, str] | None]:
    """Form fields and HTTP Basic credentials for client authentication, as the network wants them."""
    if spec.client_auth is ClientAuth.BASIC and client_secret:
        return {}, (client_id, client_secret)
    fields = {"client_id": client_id}
    if client_secret:
        fields["client_secret"] = client_secret
    return fields, None


def _token_set(spec: OAuthSpec, body: Mapping[str, Any], *, account_id: str = "") -> TokenSet:
    data = body.get("data")
    # Instagram Login's code exchange answers {"data": [{access_token, user_id, permissions}]}.
    if "access_token" not in body and isinstance(data, list) and data and isinstance(data[0], dict):
        body = data[0]
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ConnectorError(
            ErrorKind.VALIDATION,
            _("%(network)s's token endpoint answered without an access token.") % {"network": spec.label},
        )
    refresh = body.get("refresh_token")
    expires_in = body.get("expires_in")
    expires_at = None
    if expires_in not in (None, ""):
        try:
            expires_at = timezone.now() + dt.timedelta(seconds=int(expires_in))
        except (TypeError, ValueError):
            expires_at = None
    scope = body.get("scope", "")
    if isinstance(scope, list):
        scope = " ".join(str(s) for s in scope)
    user = body.get("user_id") or body.get("open_id") or ""
    return TokenSet(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) else "",
        expires_at=expires_at,
        account_id=account_id or str(user),
        scopes=" ".join(str(scope).replace(",", " ").split()),
    )


# --- the calls ----------------------------------------------------------------------------------------------


def exchange_code(
    network: str, *, code: str, verifier: str, app: OAuthApp, redirect_uri: str, http: httpx.Client | None = None
) -> TokenSet:
    """Exchange an authorization code for tokens (and, on Meta's networks, the short-lived token for a long-lived
    one). ``verifier`` is the PKCE code verifier ("" where the network has no PKCE)."""
    spec = spec_for(network)
    fields, auth = _client_fields(spec, app.client_id, app.client_secret)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, **fields}
    if spec.pkce:
        data["code_verifier"] = verifier
    if spec.network == "facebook":
        data.pop("grant_type")  # Facebook's code exchange is a GET without grant_type
    url = _endpoint(spec, "token_url", settings=app.settings, service_url=app.service_url)
    body = _send(spec, http, spec.token_method, url, data=data, auth=auth)
    short = _token_set(spec, body)
    if not spec.long_lived_url:
        return short
    long_url = _endpoint(spec, "long_lived_url", settings=app.settings, service_url=app.service_url)
    if spec.network == "facebook":
        params = {
            "grant_type": spec.long_lived_grant,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "fb_exchange_token": short.access_token,
        }
    else:
        params = {
            "grant_type": spec.long_lived_grant,
            "client_secret": app.client_secret,
            "access_token": short.access_token,
        }
    long_body = _send(spec, http, "GET", long_url, data=params)
    long = _token_set(spec, long_body, account_id=short.account_id)
    return TokenSet(
        access_token=long.access_token,
        refresh_token="",
        expires_at=long.expires_at,
        account_id=short.account_id,
        scopes=long.scopes or short.scopes,
    )


def refresh_tokens(network: str, credentials: Credentials, *, http: httpx.Client | None = None) -> TokenSet:
    """New tokens for ``credentials`` (refresh token, or the long-lived access token on Instagram and Threads).

    Connectors call this from their ``refresh()``. An empty ``refresh_token`` in the result means "keep the one you
    have". Raises ``auth_revoked`` when the network cannot refresh (no refresh token stored, a network without
    refresh) or refuses the grant: the channel must be reconnected."""
    spec = spec_for(network)
    settings = credentials.extra
    if spec.refresh is RefreshStyle.NONE:
        raise ConnectorError(
            ErrorKind.AUTH_REVOKED,
            _("%(network)s tokens cannot be renewed without the account's owner: reconnect the channel.")
            % {"network": spec.label},
        )
    if spec.refresh is RefreshStyle.ACCESS_TOKEN:
        if not credentials.access_token:
            raise ConnectorError(
                ErrorKind.AUTH_REVOKED,
                _("No %(network)s token is stored for this channel: reconnect it.") % {"network": spec.label},
            )
        url = _endpoint(spec, "refresh_url", settings=settings, service_url=credentials.service_url)
        body = _send(
            spec,
            http,
            "GET",
            url,
            data={"grant_type": spec.refresh_grant, "access_token": credentials.access_token},
            refreshing=True,
        )
        return _token_set(spec, body, account_id=credentials.account_id)
    if not credentials.refresh_token:
        raise ConnectorError(
            ErrorKind.AUTH_REVOKED,
            _(
                "%(network)s gave no refresh token for this channel (the app may lack the permission for it): "
                "reconnect the channel."
            )
            % {"network": spec.label},
        )
    fields, auth = _client_fields(spec, credentials.client_id, credentials.client_secret)
    data = {"grant_type": "refresh_token", "refresh_token": credentials.refresh_token, **fields}
    url = _endpoint(spec, "token_url", settings=settings, service_url=credentials.service_url)
    body = _send(spec, http, "POST", url, data=data, auth=auth, refreshing=True)
    return _token_set(spec, body, account_id=credentials.account_id)


def register_mastodon_app(
    instance_url: str,
    *,
    client_name: str,
    redirect_uri: str,
    website: str = "",
    scopes: list[str] | None = None,
    http: httpx.Client | None = None,
) -> OAuthApp:
    """Register Harmonie on a Mastodon instance (``POST /api/v1/apps``): the instance's client id and secret."""
    spec = SPECS["mastodon"]
    data = {
        "client_name": client_name,
        "redirect_uris": redirect_uri,
        "scopes": " ".join(scopes or spec.scopes),
    }
    if website:
        data["website"] = website
    body = _send(spec, http, "POST", instance_url.rstrip("/") + "/api/v1/apps", data=data)
    client_id, client_secret = body.get("client_id"), body.get("client_secret")
    if not isinstance(client_id, str) or not client_id or not isinstance(client_secret, str):
        raise ConnectorError(
            ErrorKind.VALIDATION,
            _("The Mastodon instance answered the app registration without a client id and secret."),
        )
    return OAuthApp(client_id=client_id, client_secret=client_secret, service_url=instance_url.rstrip("/"))


@dataclass(frozen=True)
class FacebookPage:
    page_id: str
    name: str
    username: str
    access_token: str

    def matches(self, hint: str) -> bool:
        wanted = hint.strip().lstrip("@").casefold()
        return wanted in {self.page_id.casefold(), self.name.casefold(), self.username.casefold()}


def facebook_pages(user_token: str, *, app: OAuthApp, http: httpx.Client | None = None) -> list[FacebookPage]:
    """The Pages the member manages, each with its Page access token (``GET /me/accounts``); Page tokens obtained
    from a long-lived user token do not expire."""
    spec = SPECS["facebook"]
    base = app.settings.get("graph_url") or _GRAPH.format(
        graph_version=app.settings.get("graph_version") or DEFAULT_GRAPH_VERSION
    )
    body = _send(
        spec,
        http,
        "GET",
        base.rstrip("/") + "/me/accounts",
        data={"fields": "id,name,username,access_token", "limit": "100", "access_token": user_token},
    )
    pages = []
    for item in body.get("data") or []:
        if isinstance(item, dict) and item.get("id") and item.get("access_token"):
            pages.append(
                FacebookPage(
                    page_id=str(item["id"]),
                    name=str(item.get("name") or ""),
                    username=str(item.get("username") or ""),
                    access_token=str(item["access_token"]),
                )
            )
    return pages
