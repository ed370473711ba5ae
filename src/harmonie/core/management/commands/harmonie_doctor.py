from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.tasks import TaskResultStatus

from harmonie.core.tasks import worker_ping


class Command(BaseCommand):
    help = "Check the database, migrations and that a background worker answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        self.stdout.write(f"database: ok ({connection.vendor})")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(f"migrations: {len(pending)} pending — run `harmonie migrate`")
        self.stdout.write("migrations: ok")
        result = worker_ping.enqueue()
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"worker: ok (answered by pid {result.return_value['pid']})")
                return
            if result.status == TaskResultStatus.FAILED:
                raise CommandError("worker: the ping task failed")
            time.sleep(0.5)
        raise CommandError(f"worker: no answer within {options['timeout']:.0f} s — is `harmonie worker` running?")
