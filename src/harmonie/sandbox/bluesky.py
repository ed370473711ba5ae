"""A real Bluesky network on loopback, driven from Python: for the end-to-end tests and the sandbox.

It runs ``tools/bluesky/network.mjs`` (Bluesky's own PLC directory, PDS and, in ``full`` mode, AppView from
``@atproto/dev-env``) with the Node 22 that ``scripts/lib.sh``'s ``bluesky_deps`` installs next to it, waits for
its one ``{"ready": true, ...}`` line and stops it with SIGTERM (then SIGKILL), which removes its data. All state
is in memory or in the run's own folder and database: a new start is a new, empty network.

    with LocalBluesky("pds", port_base=12582) as network:
        did, handle = network.create_account("alice.test", "a-password")
        ...  # http://127.0.0.1:12583 is the PDS

Ports: PLC = base, PDS = base + 1, AppView = base + 2, Ozone = base + 5 (full mode), all on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools" / "bluesky"
DEFAULT_PORT_BASE = 12582
MODES = ("pds", "full")
# dev-env's fixed secrets (loopback only): the admin's Basic-auth password and the key that signs sessions
ADMIN_PASSWORD = "admin-pass"  # noqa: S105
JWT_SECRET = "jwt-secret"  # noqa: S105
STDERR_TAIL = 4000


class BlueskyNotReady(RuntimeError):
    """The local network did not come up; the message carries the end of its stderr."""


class LocalBluesky:
    """One local Bluesky network process. ``mode``: ``pds`` (PLC + PDS) or ``full`` (+ AppView, PostgreSQL)."""

    def __init__(
        self,
        mode: str = "pds",
        *,
        port_base: int = DEFAULT_PORT_BASE,
        database: str | None = None,
        tools_dir: Path | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.mode = mode
        self.port_base = port_base
        self.database = database  # full mode: the AppView's database (default: one per run, dropped at the end)
        self.tools_dir = tools_dir or Path(os.environ.get("HARMONIE_BLUESKY_TOOLS", TOOLS_DIR))
        self.log_file = log_file
        self.info: dict[str, Any] = {}
        self.ready_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._datadir: str | None = None

    # -- life cycle

    @property
    def node(self) -> Path:
        return self.tools_dir / "node_modules" / "node" / "bin" / "node"

    def start(self, mode: str | None = None, *, timeout: float = 120.0) -> Self:
        """Start the network and wait until it is ready (raises BlueskyNotReady after ``timeout`` seconds)."""
        if self._process is not None:
            raise RuntimeError("This local Bluesky network is already started.")
        self.mode = mode or self.mode
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not self.node.exists():
            raise BlueskyNotReady(
                f"Node 22 and @atproto/dev-env are not installed in {self.tools_dir}: run "
                "`bash -c 'source scripts/lib.sh && bluesky_deps'` (or scripts/test.sh) first."
            )
        self._datadir = tempfile.mkdtemp(prefix="harmonie-bluesky-")
        env = {**os.environ, "HARMONIE_BLUESKY_TMPDIR": self._datadir}
        for name in ("DB", "PLC_PORT", "PDS_PORT", "APPVIEW_PORT", "OZONE_PORT"):  # ours come from port_base
            env.pop(f"HARMONIE_BLUESKY_{name}", None)
        if self.database:
            env["HARMONIE_BLUESKY_DB"] = self.database
        if self.log_file:
            env["HARMONIE_BLUESKY_LOG"] = str(self.log_file)
        self._stderr = tempfile.TemporaryFile(prefix="harmonie-bluesky-stderr-")  # noqa: SIM115 - closed in stop()
        command = [
            str(self.node), "--require", "./loopback.cjs", "network.mjs", self.mode, "--port-base", str(self.port_base)
        ]  # fmt: skip
        started = time.monotonic()
        self._process = subprocess.Popen(  # noqa: S603 - our own runner, fixed arguments
            command,
            cwd=self.tools_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,  # Ctrl+C in a terminal reaches us, and we stop it cleanly
        )
        threading.Thread(target=self._read_stdout, args=(self._process.stdout,), daemon=True).start()
        try:
            self.info = self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self.ready_seconds = time.monotonic() - started
        return self

    def _read_stdout(self, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def _wait_ready(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:  # stdout closed: the runner is exiting
                with contextlib.suppress(subprocess.TimeoutExpired):
                    assert self._process is not None
                    self._process.wait(timeout=10)
                break
            with contextlib.suppress(ValueError):
                info = json.loads(line)
                if isinstance(info, dict) and info.get("ready") is True:
                    return info
        assert self._process is not None
        code = self._process.poll()
        why = f"exited with code {code}" if code is not None else f"was not ready after {timeout:.0f} s"
        raise BlueskyNotReady(
            f"The local Bluesky network ({self.mode} mode, ports from {self.port_base}) {why}. "
            f"End of its stderr:\n{self.stderr_tail()}"
        )

    def stderr_tail(self, size: int = STDERR_TAIL) -> str:
        if self._stderr is None or self._stderr.closed:
            return ""
        self._stderr.flush()
        self._stderr.seek(0, os.SEEK_END)
        end = self._stderr.tell()
        self._stderr.seek(max(0, end - size))
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (the runner closes the services, drops its database, removes its data), SIGKILL if it hangs."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                self._drop_database()
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._datadir is not None:
            shutil.rmtree(self._datadir, ignore_errors=True)
            self._datadir = None

    def _drop_database(self) -> None:
        """After a SIGKILL the runner could not drop its AppView database: do it here."""
        name = self.info.get("database")
        if not name:
            return
        import psycopg  # noqa: PLC0415 - only on this rare path

        server = os.environ.get("HARMONIE_BLUESKY_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
        with contextlib.suppress(psycopg.Error), psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> Self:
        if self._process is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- addresses

    def _url(self, name: str) -> str:
        url = self.info.get(name)
        if not url:
            raise RuntimeError(
                f"The local Bluesky network has no {name} URL (mode {self.mode}, started: {self.running})."
            )
        return str(url)

    @property
    def pds_url(self) -> str:
        return self._url("pds")

    @property
    def appview_url(self) -> str:
        return self._url("appview")

    @property
    def plc_url(self) -> str:
        return self._url("plc")

    # -- accounts

    def create_account(self, handle: str, password: str, *, email: str = "") -> tuple[str, str]:
        return create_account(self.pds_url, handle, password, email=email)

    def create_session(self, identifier: str, password: str) -> dict[str, Any]:
        return create_session(self.pds_url, identifier, password)

    def create_app_password(self, identifier: str, password: str, name: str) -> str:
        return create_app_password(self.pds_url, identifier, password, name)


# --- accounts on a PDS (this network's, or the sandbox's) -------------------------------------------------------


def _xrpc(pds_url: str, method: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(f"{pds_url}/xrpc/{method}", json=body, headers=headers, timeout=30.0)
    if answer.status_code != 200:
        raise BlueskyAccountError(f"{method} failed: HTTP {answer.status_code} {answer.text}", answer)
    result: dict[str, Any] = answer.json() if answer.content else {}
    return result


class BlueskyAccountError(RuntimeError):
    def __init__(self, message: str, response: httpx.Response) -> None:
        super().__init__(message)
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        body = body if isinstance(body, dict) else {}
        self.error, self.message = str(body.get("error", "")), str(body.get("message", ""))


def create_account(pds_url: str, handle: str, password: str, *, email: str = "") -> tuple[str, str]:
    """A new account on the PDS (com.atproto.server.createAccount) -> (did, handle). Handles end in ``.test``."""
    if not handle.endswith(".test"):
        raise ValueError(f"Local Bluesky handles end in .test, not {handle!r}.")
    body = {"handle": handle, "password": password, "email": email or f"{handle}@example.com"}
    created = _xrpc(pds_url, "com.atproto.server.createAccount", body)
    return str(created["did"]), str(created["handle"])


def create_session(pds_url: str, identifier: str, password: str) -> dict[str, Any]:
    """com.atproto.server.createSession -> {accessJwt, refreshJwt, did, handle, ...}."""
    return _xrpc(pds_url, "com.atproto.server.createSession", {"identifier": identifier, "password": password})


def create_app_password(pds_url: str, identifier: str, password: str, name: str) -> str:
    """An app password for the account (com.atproto.server.createAppPassword), as a person makes one in the
    Bluesky app's settings to connect Harmonie."""
    session = create_session(pds_url, identifier, password)
    made = _xrpc(pds_url, "com.atproto.server.createAppPassword", {"name": name}, token=session["accessJwt"])
    return str(made["password"])


def create_record(pds_url: str, session: dict[str, Any], collection: str, record: dict[str, Any]) -> dict[str, Any]:
    """A record in the session's repository (a like, a repost, a follow): what another person does on Bluesky."""
    body = {"repo": session["did"], "collection": collection, "record": record}
    return _xrpc(pds_url, "com.atproto.repo.createRecord", body, token=session["accessJwt"])


def list_records(
    pds_url: str, repo: str, collection: str = "app.bsky.feed.post", limit: int = 50
) -> list[dict[str, Any]]:
    """The repository's latest records of a collection (com.atproto.repo.listRecords, public)."""
    answer = httpx.get(
        f"{pds_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": repo, "collection": collection, "limit": limit},
        timeout=30.0,
    )
    answer.raise_for_status()
    records: list[dict[str, Any]] = answer.json().get("records", [])
    return records
