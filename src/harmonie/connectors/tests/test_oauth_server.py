"""A real HTTP server on 127.0.0.1 playing a network's OAuth side, for the connection tests (no test here).

It speaks the token-endpoint shapes of ``docs/network-apis.md``: X (``POST /2/oauth2/token``, HTTP Basic client
auth, PKCE, **single-use rotating refresh tokens**, ``GET /2/users/me``), Google (``POST /token``, client fields in
the form, PKCE, refresh answers without a refresh token) and a Mastodon instance (``POST /api/v1/apps``,
``POST /oauth/token``, ``GET /api/v1/accounts/verify_credentials``). It counts every call, can answer slowly
(``delay`` on refresh) and can revoke every grant (then refresh answers ``invalid_grant``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "harmonie-test-client"
CLIENT_SECRET = "harmonie-test-secret"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def grant(self) -> str:
        return self.form.get("grant_type", "")


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


Reply = tuple[int, dict[str, Any]]


class NetworkServer:
    def __init__(self, *, prefix: str = "x") -> None:
        self.prefix = prefix  # tokens look like "<prefix>-access-<n>"
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.delay = 0.0
        self.revoked = False
        self.fail_with: Reply | None = None  # the next token request answers this (then normal again)
        self.rotate = True
        self.counter = 0
        self.codes: dict[str, str] = {}  # authorization code -> S256 challenge
        self.refresh_valid: set[str] = set()
        self.access_valid: set[str] = set()
        self.routes: dict[tuple[str, str], Callable[[Seen], Reply]] = {
            ("POST", "/2/oauth2/token"): self._x_token,
            ("GET", "/2/users/me"): self._x_me,
            ("POST", "/token"): self._google_token,
            ("POST", "/api/v1/apps"): self._mastodon_apps,
            ("POST", "/oauth/token"): self._mastodon_token,
            ("GET", "/api/v1/accounts/verify_credentials"): self._mastodon_me,
        }
        self._server: ThreadingHTTPServer | None = None

    # --- life cycle

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                    form={k: v[-1] for k, v in parse_qs(body).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                with owner.lock:
                    owner.seen.append(seen)
                    forced, owner.fail_with = owner.fail_with, None
                route = owner.routes.get((self.command, parts.path))
                if forced is not None:
                    status, payload = forced
                else:
                    status, payload = route(seen) if route else (404, {"error": "Record not found"})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # --- for the tests

    def calls(self, path: str, grant: str = "") -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path and (not grant or s.grant == grant)]

    def issue_code(self, challenge: str) -> str:
        """What the authorization page gives back after the member agreed (bound to the PKCE challenge)."""
        with self.lock:
            self.counter += 1
            code = f"code-{self.counter}"
            self.codes[code] = challenge
        return code

    # --- token logic

    def _new_tokens(self, *, refresh: bool) -> dict[str, Any]:
        self.counter += 1
        access = f"{self.prefix}-access-{self.counter}"
        self.access_valid.add(access)
        out: dict[str, Any] = {"token_type": "bearer", "expires_in": 7200, "access_token": access}
        if refresh:
            token = f"{self.prefix}-refresh-{self.counter}"
            self.refresh_valid.add(token)
            out["refresh_token"] = token
        return out

    def _client_ok(self, seen: Seen, *, basic: bool) -> bool:
        if basic:
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            return seen.headers.get("authorization") == expected
        return seen.form.get("client_id") == CLIENT_ID and seen.form.get("client_secret") == CLIENT_SECRET

    def _code_grant(self, seen: Seen, *, pkce: bool) -> Reply | None:
        challenge = self.codes.pop(seen.form.get("code", ""), None)
        if challenge is None or (pkce and s256(seen.form.get("code_verifier", "")) != challenge):
            return 400, {"error": "invalid_grant", "error_description": "Invalid authorization code."}
        return None

    def _refresh_grant(self, seen: Seen) -> Reply | None:
        time.sleep(self.delay)
        token = seen.form.get("refresh_token", "")
        if self.revoked:
            return 400, {"error": "invalid_grant", "error_description": "The refresh token was revoked."}
        if token not in self.refresh_valid:
            return 400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
        return None

    def _x_token(self, seen: Seen) -> Reply:
        if not self._client_ok(seen, basic=True):
            return 401, {"error": "unauthorized_client", "error_description": "Missing valid authorization header"}
        with self.lock:
            if seen.grant == "authorization_code":
                refused = self._code_grant(seen, pkce=True)
                if refused:
                    return refused
                return 200, self._new_tokens(refresh=True) | {
                    "scope": "tweet.read tweet.write users.read offline.access"
                }
            if seen.grant == "refresh_token":
                refused = self._refresh_grant(seen)
                if refused:
                    return refused
                if self.rotate:  # X: the refresh token is single-use
                    self.refresh_valid.discard(seen.form["refresh_token"])
                return 200, self._new_tokens(refresh=self.rotate) | {"scope": "tweet.read tweet.write users.read"}
        return 400, {"error": "unsupported_grant_type"}

    def _google_token(self, seen: Seen) -> Reply:
        if not self._client_ok(seen, basic=False):
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
        with self.lock:
            if seen.grant == "authorization_code":
                refused = self._code_grant(seen, pkce=True)
                if refused:
                    return refused
                tokens = self._new_tokens(refresh=True) | {"expires_in": 3599, "token_type": "Bearer"}
                return 200, tokens | {"scope": "https://www.googleapis.com/auth/youtube.upload"}
            if seen.grant == "refresh_token":
                refused = self._refresh_grant(seen)
                if refused:
                    return refused
                tokens = self._new_tokens(refresh=False) | {"expires_in": 3599, "token_type": "Bearer"}
                return 200, tokens | {"scope": "https://www.googleapis.com/auth/youtube.upload"}
        return 400, {"error": "unsupported_grant_type"}

    def _bearer_ok(self, seen: Seen) -> bool:
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            return token in self.access_valid

    def _x_me(self, seen: Seen) -> Reply:
        if not self._bearer_ok(seen):
            return 401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
        return 200, {"data": {"id": "1467726470533754880", "name": "Vireo France", "username": "VireoFR",
                              "public_metrics": {"followers_count": 1234}}}  # fmt: skip

    def _mastodon_apps(self, seen: Seen) -> Reply:
        if not seen.form.get("client_name") or not seen.form.get("redirect_uris"):
            return 422, {"error": "Validation failed: Name can't be blank"}
        return 200, {
            "id": "563419",
            "name": seen.form["client_name"],
            "website": seen.form.get("website"),
            "scopes": seen.form.get("scopes", "read").split(),
            "redirect_uri": seen.form["redirect_uris"],
            "redirect_uris": [seen.form["redirect_uris"]],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=",
        }

    def _mastodon_token(self, seen: Seen) -> Reply:
        if not self._client_ok(seen, basic=False):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed."}
        with self.lock:
            refused = self._code_grant(seen, pkce=True)
            if refused:
                return refused
            tokens = self._new_tokens(refresh=False)
        return 200, {"access_token": tokens["access_token"], "token_type": "Bearer",
                     "scope": seen.form.get("scope", "read write"), "created_at": 1732428000}  # fmt: skip

    def _mastodon_me(self, seen: Seen) -> Reply:
        if not self._bearer_ok(seen):
            return 401, {"error": "The access token is invalid"}
        return 200, {"id": "109302", "username": "vireo_de", "acct": "vireo_de", "display_name": "Vireo Deutschland",
                     "url": "https://mastodon.social/@vireo_de", "followers_count": 812, "following_count": 40,
                     "statuses_count": 321, "created_at": "2022-11-04T00:00:00.000Z", "note": "", "avatar": "",
                     "header": "", "locked": False, "bot": False, "emojis": [], "fields": []}  # fmt: skip


# --- shared set-up of the connection tests (through the services, as a member would) ----------------------------

# Fixed keyrings: "test1" is the tests' current key, "test2" the one rotation moves to.
KEY_1 = "test1:" + base64.b64encode(bytes(range(32))).decode()
KEY_2 = "test2:" + base64.b64encode(bytes(range(32, 64))).decode()


def query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def x_app(admin: Any, server: NetworkServer) -> Any:
    """The organization's X app, pointed at the local server (authorize page, token endpoint and API)."""
    from harmonie.connectors import services

    return services.network_app_save(
        actor=admin,
        network="x",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        options={
            "authorize_url": f"{server.url}/i/oauth2/authorize",
            "token_url": f"{server.url}/2/oauth2/token",
            "api_url": server.url,
        },
    )


def youtube_app(admin: Any, server: NetworkServer) -> Any:
    from harmonie.connectors import services

    return services.network_app_save(
        actor=admin,
        network="youtube",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        options={"authorize_url": f"{server.url}/o/oauth2/v2/auth", "token_url": f"{server.url}/token",
                 "api_url": server.url},
    )  # fmt: skip


def fr_x_channel(admin: Any) -> Any:
    """An X account of the French market (the demo has none): made by the org admin, as in the channels page."""
    from harmonie.governance import services as governance_services
    from harmonie.governance.models import Channel, Market

    existing = Channel.objects.filter(organization=admin.organization, network="x", handle="@VireoFR").first()
    if existing is not None:
        return existing
    france = Market.objects.get(organization=admin.organization, code="FR")
    return governance_services.channel_create(
        actor=admin, network="x", handle="@VireoFR", display_name="Vireo France", owner_market=france
    )


def connect(actor: Any, channel: Any, server: NetworkServer) -> Any:
    """Start OAuth as ``actor``, agree on the (local) network's page, come back through the callback."""
    from harmonie.connectors import services

    url = services.oauth_start(actor=actor, channel=channel, request_base_url="http://testserver")
    params = query(url)
    code = server.issue_code(params["code_challenge"])
    return services.oauth_callback(actor=actor, state=params["state"], code=code)
