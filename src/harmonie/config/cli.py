"""The ``harmonie`` command.

``harmonie run`` starts the web server and a background worker together (the default way to run
Harmonie on one machine); every other sub-command is a Django management command, with a few short
names for the ones people use most.

``harmonie worker`` is the ``harmonie_worker`` command: one process that publishes due posts (claims in the
database, a pool of threads for the network calls, a heartbeat) and, when the tasks backend is django-tasks-db's
database backend, also runs the ``django.tasks`` jobs, on a thread of its own in the same process (the
``db_worker`` loop). Start several, on one machine or many: the claims keep them from sending the same post twice.
With an RQ or Celery tasks backend, their own workers run the tasks and ``harmonie worker`` only publishes.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

ALIASES = {
    "worker": ["harmonie_worker"],
    "collect": ["harmonie_collect"],
    "demo": ["harmonie_demo"],
    "createadmin": ["harmonie_createadmin"],
    "doctor": ["harmonie_doctor"],
    "sandbox": ["harmonie_sandbox"],
    "rotate-keys": ["harmonie_rotate_keys"],
}

HELP = """usage: harmonie <command> [options]

  run [--host H] [--port N] [--web-workers N]   web server + background worker (default 127.0.0.1:8000)
  worker [--threads N] [--once] [--max-seconds S] one more background worker (publishing + tasks)
  collect [--once] [--interval S]                  collect due metrics and send due reports (cron-style)
  migrate                                        create or upgrade the database
  demo                                           load the demo organization (idempotent)
  createadmin                                    create an organization and its first org admin
  doctor                                         check the database, migrations and a worker
  sandbox                                        connect the demo's Bluesky channels to a local Bluesky network
  rotate-keys                                    re-encrypt stored network tokens with the current key
  <any Django management command>                e.g. harmonie check, harmonie shell
"""


def _setup_env() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmonie.config.settings")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="harmonie run", description="Run the web server and a worker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--no-worker", action="store_true", help="web server only")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if _is_loopback(args.host) and "HARMONIE_SECURE_COOKIES" not in env:
        # Plain HTTP on loopback: browsers drop Secure cookies on http://127.0.0.1.
        env["HARMONIE_SECURE_COOKIES"] = "0"
    env.setdefault("DJANGO_SETTINGS_MODULE", "harmonie.config.settings")

    web = [
        sys.executable, "-m", "gunicorn", "harmonie.config.wsgi:application",
        "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.web_workers), "--threads", "4",
        "--access-logfile", "-", "--graceful-timeout", "10",
    ]  # fmt: skip
    worker = [sys.executable, "-m", "harmonie.config.cli", "worker"]
    procs: list[tuple[str, subprocess.Popen[bytes]]] = [("web server", subprocess.Popen(web, env=env))]
    if not args.no_worker:
        procs.append(("worker", subprocess.Popen(worker, env=env)))
    print(f"Harmonie is starting at http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)

    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for _name, p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    code = 0
    try:
        while True:
            for name, p in procs:
                rc = p.poll()
                if rc is not None:
                    if not stopping:
                        print(f"harmonie run: the {name} exited with {rc}; stopping the rest", file=sys.stderr)
                        code = rc or 1
                    _stop(signal.SIGTERM, None)
                    for _other, q in procs:
                        try:
                            q.wait(timeout=15)
                        except subprocess.TimeoutExpired:
                            q.kill()
                    return code
            time.sleep(0.5)
    except KeyboardInterrupt:
        _stop(signal.SIGINT, None)
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _setup_env()
    if not args or args[0] in {"-h", "--help", "help"}:
        print(HELP)
        return 0
    if args[0] == "run":
        return run(args[1:])
    from django.core.management import execute_from_command_line

    command = ALIASES.get(args[0], [args[0]])
    execute_from_command_line(["harmonie", *command, *args[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
