from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from harmonie.config.demo import load_all
from harmonie.governance.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Load the demo organization (Vireo Industries). Safe to run again: nothing is duplicated."

    def handle(self, *args: Any, **options: Any) -> None:
        org, created = load_all()
        verb = "Loaded" if created else "Already loaded:"
        self.stdout.write(self.style.SUCCESS(f"{verb} demo organization {org.name}."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for key, email, role in demo_logins():
            self.stdout.write(f"  {key:<22} {email:<36} {role}")
