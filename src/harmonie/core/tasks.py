"""Core background tasks."""

from __future__ import annotations

import os
import socket

from django.tasks import task


@task()
def worker_ping() -> dict[str, str | int]:
    """Answered by whichever worker picks it up: proves a worker is running (``harmonie doctor``)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}
