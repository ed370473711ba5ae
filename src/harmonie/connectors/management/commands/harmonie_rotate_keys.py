"""``harmonie rotate_keys``-style command: re-encrypt every stored secret with the current key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from harmonie.connectors.services import encryption_rotate
from harmonie.core import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (network tokens, app passwords, app client secrets) with the current key, "
        "the first of the keyring. Put the new key first, keep the old ones after it, run this, then remove them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ring = crypto.keyring()
            count = encryption_rotate()
        except crypto.EncryptionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Re-encrypted {count} secret(s) with key {ring.current_id}.")
