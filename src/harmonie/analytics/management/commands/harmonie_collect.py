"""``harmonie collect``: the analytics rounds (discover, read metrics due, send reports due) from the command line.

``--once`` runs one round and exits (for cron); without it, a round every ``--interval`` seconds until Ctrl-C or
SIGTERM. ``harmonie worker`` runs the same loop on a thread of its own, so this is only for deployments that keep
collection apart.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from harmonie.analytics.scheduler import run_periodic


class Command(BaseCommand):
    help = "Collect due metrics and send due reports: one round with --once, else every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one round and exit (for cron)")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds (default 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()

        def stop(_signum: int, _frame: FrameType | None) -> None:
            stopping.set()

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            done = run_periodic()
            self.stdout.write(f"collect: {done.summary()}")
            for error in done.errors:
                self.stdout.write(f"  {error}")
            self.stdout.flush()
            if options["once"] or stopping.wait(max(1.0, options["interval"])):
                break
