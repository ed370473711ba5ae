"""The `harmonie` command end to end, in subprocesses, on a throw-away SQLite database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HARMONIE = [sys.executable, "-m", "harmonie.config.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(HARMONIE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="harmonie.config.settings")
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HARMONIE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_migrate_demo_is_idempotent_and_prints_logins(env: dict[str, str]) -> None:
    assert _run(["migrate", "--no-input", "-v", "0"], env).returncode == 0
    first = _run(["demo"], env)
    assert first.returncode == 0, first.stderr
    assert "Loaded demo organization Vireo Industries." in first.stdout
    assert "claire.martin@vireo.example" in first.stdout
    assert "(password for all: harmonie-demo)" in first.stdout
    second = _run(["demo"], env)
    assert "Already loaded: demo organization Vireo Industries." in second.stdout


def test_doctor_reports_pending_migrations(env: dict[str, str]) -> None:
    result = _run(["doctor", "--timeout", "1"], env)
    assert result.returncode == 1
    assert "pending — run `harmonie migrate`" in result.stderr


def test_run_starts_web_and_worker_together(env: dict[str, str]) -> None:
    assert _run(["migrate", "--no-input", "-v", "0"], env).returncode == 0
    port = _free_port()
    proc = subprocess.Popen(
        [*HARMONIE, "run", "--port", str(port), "--web-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health: dict[str, object] = {}
        while time.monotonic() < deadline:  # the web server answers first, then the worker's first beat shows
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    health = json.loads(response.read())
                if health.get("status") == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert (health["status"], health["database"]) == ("ok", True)
        workers = health["workers"]
        assert isinstance(workers, list)
        assert len(workers) == 1
        assert workers[0]["host"] == socket.gethostname()
        doctor = _run(["doctor", "--timeout", "45"], env)
        assert doctor.returncode == 0, doctor.stderr
        assert doctor.stdout.splitlines()[:2] == ["database: ok (sqlite)", "migrations: ok"]
        assert doctor.stdout.splitlines()[2].startswith("worker: ok (answered by pid ")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0
