"""A loopback "sink": a pseudo-network for tests and benchmarks. NOT A REAL NETWORK.

:class:`SinkServer` is a tiny HTTP server bound to 127.0.0.1 that stores posts per account and honours an
idempotency key (the same key twice gives back the post made the first time, and is counted as a replay), with
scripted faults (rate limits, expired or revoked tokens, refusals, a 5xx after storing, a dropped connection,
slow answers) so that every path of the publishing engine can be driven over real HTTP. It counts every write it
accepted per key: "each post published exactly once" is checked on those counts, not on Harmonie's database.

:class:`SinkConnector` is the connector of the network ``"sink"``. Worker subprocesses load it with
``HARMONIE_EXTRA_CONNECTORS=harmonie.publishing.testing.sink``. Its credentials come from the connections
service like any other network's: a sink channel's connection names the server (``service_url``) and the account
(``handle``); see :func:`connect` for tests. It replies too (a first comment is a post of its own, with its own
key, that names the post it answers in ``reply_to``).

Run one on its own:  ``python -m harmonie.publishing.testing.sink --port 8765``
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import select
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from harmonie.connectors.base import (
    Connector,
    ConnectorError,
    Credentials,
    ErrorKind,
    Found,
    PublishRequest,
    PublishResult,
    RateBudget,
    Reconciliation,
    RemoteRef,
    TokenSet,
)
from harmonie.connectors.registry import register

NETWORK = "sink"


# --- the server ---------------------------------------------------------------------------------------------


@dataclass
class Fault:
    """What the server does instead of (or after) its normal answer, for one publish call.

    ``kind``: ``rate_limited`` (429 + Retry-After), ``unavailable`` (503, nothing stored), ``expired`` /
    ``revoked`` (401 ExpiredToken / InvalidToken), ``validation`` (400), ``policy`` (403), ``media`` (422),
    ``duplicate`` (409, naming the stored post when there is one), ``error_after_store`` (stores, then 500),
    ``error_before_store`` (500, nothing stored), ``drop_after_store`` (stores, then closes the connection
    without an answer), ``slow`` (waits ``delay`` seconds, then answers normally)."""

    kind: str
    retry_after: float | None = None
    message: str = ""
    delay: float = 0.0


@dataclass
class SinkPost:
    account: str
    key: str
    id: str
    text: str
    link: str
    language: str
    media: list[dict[str, Any]]
    created_at: str
    reply_to: str = ""  # the id of the post this one replies to (a first comment)

    @property
    def url(self) -> str:
        return f"https://sink.invalid/{self.account}/{self.id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "key": self.key, "account": self.account, "text": self.text, "link": self.link,
            "language": self.language, "media": self.media, "created_at": self.created_at, "url": self.url,
            "reply_to": self.reply_to,
        }  # fmt: skip


@dataclass
class SinkAccount:
    access_token: str = ""  # empty: any bearer token is accepted
    refresh_token: str = ""
    revoked: bool = False


@dataclass
class SinkState:
    posts: dict[tuple[str, str], SinkPost] = field(default_factory=dict)
    writes: Counter[tuple[str, str]] = field(default_factory=Counter)  # accepted creates per (account, key)
    replays: Counter[tuple[str, str]] = field(default_factory=Counter)  # same key sent again
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # per account, consumed in order
    reconcile_faults: dict[str, list[str]] = field(default_factory=dict)  # "unknown" | "error"
    accounts: dict[str, SinkAccount] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)
    max_in_flight: Counter[str] = field(default_factory=Counter)
    call_times: dict[str, list[float]] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small answers go out at once (no 40 ms delayed-ACK stalls on keep-alive)
    wbufsize = 64 * 1024  # headers and body leave in one write, flushed at the end of each request
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet

    def _json(self, status: int, body: dict[str, Any] | list[Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        loaded: dict[str, Any] = json.loads(raw or b"{}")
        return loaded

    def _parts(self) -> list[str]:
        return [unquote(p) for p in self.path.split("?", 1)[0].strip("/").split("/")]

    def _authorized(self, account: str) -> str:
        """'' when the bearer token is good, else the XRPC-style error name."""
        sink = self.server.sink
        acct = sink.state.accounts.get(account)
        if acct is None or not acct.access_token:
            return ""
        if acct.revoked:
            return "InvalidToken"
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if token == acct.access_token:
            return ""
        return "ExpiredToken"

    def do_GET(self) -> None:
        parts = self._parts()
        sink = self.server.sink
        if parts[:1] == ["accounts"] and len(parts) == 4 and parts[2] == "posts":
            account, key = parts[1], parts[3]
            with sink.lock:
                sink.state.calls["reconcile"] += 1
                planned = sink.state.reconcile_faults.get(account) or []
                fault = planned.pop(0) if planned else ""
                post = sink.state.posts.get((account, key))
            if fault == "unknown":
                self._json(501, {"error": "CannotTell", "message": "This server cannot tell whether it has it."})
            elif fault == "error":
                self._json(503, {"error": "Unavailable", "message": "Try again later."})
            elif post is None:
                self._json(404, {"error": "RecordNotFound", "message": "No post with this key."})
            else:
                self._json(200, post.as_json())
            return
        if parts[:1] == ["accounts"] and len(parts) == 3 and parts[2] == "posts":
            with sink.lock:
                posts = [p.as_json() for (a, _k), p in sink.state.posts.items() if a == parts[1]]
            self._json(200, posts)
            return
        if parts == ["_health"]:
            self._json(200, {"ok": True})
            return
        self._json(404, {"error": "NotFound", "message": self.path})

    def do_POST(self) -> None:
        parts = self._parts()
        if parts == ["token"]:
            self._refresh()
            return
        if parts[:1] == ["accounts"] and len(parts) == 3 and parts[2] == "posts":
            self._publish(parts[1])
            return
        self._json(404, {"error": "NotFound", "message": self.path})

    def _refresh(self) -> None:
        sink = self.server.sink
        body = self._body()
        account = str(body.get("account", ""))
        with sink.lock:
            acct = sink.state.accounts.get(account)
            if acct is None or acct.revoked or body.get("refresh_token") != acct.refresh_token:
                self._json(401, {"error": "InvalidToken", "message": "The refresh token was refused."})
                return
            acct.access_token = f"access-{uuid.uuid4().hex[:12]}"
            sink.state.calls["refresh"] += 1
            self._json(200, {"access_token": acct.access_token, "refresh_token": acct.refresh_token})

    def _publish(self, account: str) -> None:
        sink = self.server.sink
        key = self.headers.get("Idempotency-Key") or ""
        body = self._body()
        with sink.lock:
            sink.state.calls["publish"] += 1
            sink.state.in_flight[account] += 1
            sink.state.max_in_flight[account] = max(sink.state.max_in_flight[account], sink.state.in_flight[account])
            sink.state.call_times.setdefault(account, []).append(time.monotonic())
            planned = sink.state.faults.get(account) or []
            fault = planned.pop(0) if planned else None
            delay = sink.delay
        try:
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            elif delay:
                time.sleep(delay)
            auth = self._authorized(account)
            if auth:
                message = "Token has expired" if auth == "ExpiredToken" else "Token could not be verified"
                self._json(401, {"error": auth, "message": message})
                return
            if not key:
                self._json(400, {"error": "InvalidRequest", "message": "An Idempotency-Key header is required."})
                return
            kind = fault.kind if fault is not None else ""
            if kind == "rate_limited":
                retry = fault.retry_after if fault and fault.retry_after is not None else 1
                self._json(429, {"error": "RateLimitExceeded", "message": fault.message if fault else ""},
                           headers={"Retry-After": f"{retry:g}"})  # fmt: skip
                return
            refusals = {"unavailable": 503, "validation": 400, "policy": 403, "media": 422, "error_before_store": 500}
            if kind in refusals:
                message = (fault.message if fault else "") or f"Refused by the sink ({kind})."
                self._json(refusals[kind], {"error": kind, "message": message})
                return
            if kind == "duplicate":
                with sink.lock:
                    existing = sink.state.posts.get((account, key))
                self._json(409, {"error": "Duplicate", "message": "This post exists already.",
                                 "existing": existing.as_json() if existing else None})  # fmt: skip
                return
            post, replay = sink.store(account, key, body)
            if kind == "error_after_store":
                self._json(500, {"error": "InternalServerError", "message": "Internal Server Error"})
                return
            if kind == "drop_after_store":
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(2)
                return
            self._json(
                200 if replay else 201, post.as_json(), headers={"Idempotent-Replay": "true"} if replay else None
            )
        finally:
            with sink.lock:
                sink.state.in_flight[account] -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, sink: SinkServer, port: int) -> None:
        self.sink = sink
        super().__init__(("127.0.0.1", port), _Handler)


class SinkServer:
    """The loopback sink. ``with SinkServer() as sink:`` starts it on a free port of 127.0.0.1 in a thread."""

    def __init__(self, port: int = 0, *, delay: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.state = SinkState()
        self.delay = delay
        self._server = _Server(self, port)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SinkServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="sink", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SinkServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests script and read -------------------------------------------------------------------

    def store(self, account: str, key: str, body: dict[str, Any]) -> tuple[SinkPost, bool]:
        with self.lock:
            existing = self.state.posts.get((account, key))
            if existing is not None:
                self.state.replays[(account, key)] += 1
                return existing, True
            post = SinkPost(
                account=account, key=key, id=uuid.uuid4().hex[:16], text=str(body.get("text", "")),
                link=str(body.get("link", "")), language=str(body.get("language", "")),
                media=list(body.get("media", [])), created_at=dt.datetime.now(dt.UTC).isoformat(),
                reply_to=str(body.get("reply_to", "")),
            )  # fmt: skip
            self.state.posts[(account, key)] = post
            self.state.writes[(account, key)] += 1
            return post, False

    def fail_next(self, account: str, *faults: Fault) -> None:
        with self.lock:
            self.state.faults.setdefault(account, []).extend(faults)

    def reconcile_next(self, account: str, *answers: str) -> None:
        """The next reconciliations of ``account`` answer ``"unknown"`` (501) or ``"error"`` (503)."""
        with self.lock:
            self.state.reconcile_faults.setdefault(account, []).extend(answers)

    def set_account(self, account: str, *, access_token: str = "", refresh_token: str = "") -> None:
        with self.lock:
            self.state.accounts[account] = SinkAccount(access_token=access_token, refresh_token=refresh_token)

    def revoke(self, account: str) -> None:
        with self.lock:
            account_state = self.state.accounts.setdefault(account, SinkAccount())
            account_state.access_token = account_state.access_token or f"revoked-{account}"
            account_state.revoked = True

    def posts(self, account: str | None = None) -> list[SinkPost]:
        with self.lock:
            return [p for (a, _k), p in self.state.posts.items() if account is None or a == account]

    def duplicates(self) -> dict[tuple[str, str], int]:
        """Keys whose post was written more than once (always empty: the sink deduplicates; kept for symmetry)."""
        with self.lock:
            return {k: n for k, n in self.state.writes.items() if n > 1}

    def replayed(self) -> dict[tuple[str, str], int]:
        """Keys sent again after their post was made: each one would have been a duplicate on a network without
        idempotency keys."""
        with self.lock:
            return dict(self.state.replays)


# --- the connector ------------------------------------------------------------------------------------------


# The connector talks to the sink with the standard library's ``http.client``, one kept-alive connection per thread
# and server: a call costs it about a quarter of what it costs through httpx, so that a benchmark measures the
# publishing engine more than the HTTP client. (Real connectors use httpx or the networks' SDKs.)
_local = threading.local()
TIMEOUT = 10.0


class _Unreached(Exception):
    """The request never left: no connection to the sink."""


class _NoAnswer(Exception):
    """The request may have reached the sink, and no answer came back."""


@dataclass
class _Answer:
    status_code: int
    headers: dict[str, str]  # names in lower case
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content or b"null")


def _connection(host: str, port: int) -> http.client.HTTPConnection:
    """This thread's kept-alive connection to the sink, or a new one. One the sink closed while it was idle (it
    reads as ready: end of file) is dropped before use, never sent on."""
    conns: dict[tuple[str, int], http.client.HTTPConnection] = _local.__dict__.setdefault("conns", {})
    conn = conns.get((host, port))
    if conn is not None and (conn.sock is None or select.select([conn.sock], [], [], 0)[0]):
        conn.close()
        conn = None
    if conn is None:
        conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        try:
            conn.connect()
        except OSError as exc:
            raise _Unreached(str(exc)) from exc
        conns[(host, port)] = conn
    return conn


def _call(
    method: str, url: str, *, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> _Answer:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    conn = _connection(host, port)
    data = json.dumps(body).encode() if body is not None else None
    sent = {**(headers or {}), **({"Content-Type": "application/json"} if data is not None else {})}
    try:
        conn.request(method, parts.path, body=data, headers=sent)
        response = conn.getresponse()
        content = response.read()
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        _local.conns.pop((host, port), None)
        raise _NoAnswer(repr(exc)) from exc
    if response.will_close:
        conn.close()
        _local.conns.pop((host, port), None)
    return _Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, content)


def _error(response: _Answer) -> ConnectorError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    name = str(body.get("error", "")) if isinstance(body, dict) else ""
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    status = response.status_code
    message = message or f"HTTP {status}"
    if status == 401:
        kind = ErrorKind.AUTH_EXPIRED if name == "ExpiredToken" else ErrorKind.AUTH_REVOKED
        return ConnectorError(kind, message, code=name, http_status=status)
    if status == 429:
        retry = response.headers.get("retry-after")
        return ConnectorError(ErrorKind.RATE_LIMITED, message or "Too many requests", code=name, http_status=status,
                              retry_after=float(retry) if retry else None)  # fmt: skip
    if status == 409:
        existing = body.get("existing") if isinstance(body, dict) else None
        return ConnectorError(
            ErrorKind.DUPLICATE, message, code=name, http_status=status,
            remote_id=str(existing["id"]) if existing else "", remote_url=str(existing["url"]) if existing else "",
        )  # fmt: skip
    kinds = {400: ErrorKind.VALIDATION, 403: ErrorKind.POLICY, 422: ErrorKind.MEDIA_PROCESSING}
    if status in kinds:
        return ConnectorError(kinds[status], message, code=name, http_status=status)
    if status == 503:  # refused before doing anything
        return ConnectorError(ErrorKind.TRANSIENT, message, code=name, http_status=status)
    # Any other 5xx on a write: it may have happened.
    return ConnectorError(ErrorKind.TRANSIENT, message, code=name, http_status=status, outcome_unknown=True)


def _result(body: dict[str, Any]) -> PublishResult:
    return PublishResult(
        remote_id=str(body["id"]), url=str(body["url"]), uri=f"sink://{body['account']}/{body['key']}",
        published_at=dt.datetime.fromisoformat(str(body["created_at"])),
    )  # fmt: skip


@register
class SinkConnector(Connector):
    """The loopback sink's connector (tests and benchmarks only)."""

    network: ClassVar[str] = NETWORK
    label: ClassVar[str] = "Loopback sink (tests)"
    budget: ClassVar[RateBudget] = RateBudget(calls=1_000_000, seconds=1)
    concurrency: ClassVar[int] = 8
    auth: ClassVar[str] = "token"
    exact_reconcile: ClassVar[bool] = True  # it keeps every key it was given

    def new_key(self) -> str:
        return uuid.uuid4().hex

    def _posts_url(self, credentials: Credentials) -> str:
        base = credentials.service_url.rstrip("/")
        return f"{base}/accounts/{credentials.handle or credentials.account_id}/posts"

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        body = {
            "text": request.text, "link": request.link, "language": request.language,
            "media": [{"mime_type": m.mime_type, "alt": m.alt_text, "size": len(m.data)} for m in request.media],
            "reply_to": request.reply_to.remote_id if request.reply_to else "",
        }  # fmt: skip
        headers = {"Idempotency-Key": request.idempotency_key, "Authorization": f"Bearer {credentials.access_token}"}
        try:
            response = _call("POST", self._posts_url(credentials), body=body, headers=headers)
        except _Unreached as exc:  # never reached the server
            raise ConnectorError(ErrorKind.TRANSIENT, f"Cannot reach the sink: {exc}") from exc
        except _NoAnswer as exc:  # sent, then the answer was lost: it may have happened
            raise ConnectorError(ErrorKind.TRANSIENT, f"No answer from the sink: {exc}", outcome_unknown=True) from exc
        if response.status_code in (200, 201):
            return _result(response.json())
        raise _error(response)

    def reply(self, credentials: Credentials, to: RemoteRef, request: PublishRequest) -> PublishResult:
        """A reply to one of the account's posts (a first comment): a post of its own, with its own key."""
        return self.publish(credentials, dataclasses.replace(request, reply_to=to))

    def reconcile(self, credentials: Credentials, request: PublishRequest) -> Reconciliation:
        try:
            response = _call("GET", f"{self._posts_url(credentials)}/{request.idempotency_key}")
        except (_Unreached, _NoAnswer) as exc:
            raise ConnectorError(ErrorKind.TRANSIENT, f"Cannot reach the sink: {exc}") from exc
        if response.status_code == 200:
            return Reconciliation(Found.PUBLISHED, _result(response.json()))
        if response.status_code == 404:
            return Reconciliation(Found.ABSENT, detail="No post with this key on the sink.")
        if response.status_code == 501:
            return Reconciliation(Found.UNKNOWN, detail="The sink cannot tell.")
        raise _error(response)

    def refresh(self, credentials: Credentials) -> TokenSet:
        base = credentials.service_url.rstrip("/")
        payload = {"account": credentials.handle, "refresh_token": credentials.refresh_token}
        try:
            response = _call("POST", f"{base}/token", body=payload)
        except (_Unreached, _NoAnswer) as exc:
            raise ConnectorError(ErrorKind.TRANSIENT, f"Cannot reach the sink: {exc}") from exc
        if response.status_code != 200:
            raise _error(response)
        body = response.json()
        return TokenSet(access_token=str(body["access_token"]), refresh_token=str(body.get("refresh_token", "")))


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the loopback sink on 127.0.0.1 (tests and benchmarks).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each publish call takes")
    args = parser.parse_args()
    sink = SinkServer(args.port, delay=args.delay).start()
    print(json.dumps({"ready": True, "url": sink.url}), flush=True)  # noqa: T201
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


if __name__ == "__main__":
    main()
