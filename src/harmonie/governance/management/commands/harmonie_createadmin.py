from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from harmonie.core.errors import DomainError
from harmonie.governance import services


class Command(BaseCommand):
    help = "Create an organization and its first org admin (password from --password-env or a prompt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--organization", required=True, help="Organization name")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--preset", default="mixed", choices=["centralized", "mixed", "decentralized"])
        parser.add_argument("--timezone", default="UTC", help="IANA zone of the Global market")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument(
            "--password-env", default="HARMONIE_ADMIN_PASSWORD", help="environment variable holding the password"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        email = options["email"].strip().lower()
        user = user_model.objects.filter(email=email).first()
        if user is None:
            password = os.environ.get(options["password_env"]) or ""
            if not password:
                if not os.isatty(0):
                    raise CommandError(f"Set {options['password_env']} or run interactively to give a password.")
                password = getpass.getpass("Password for the new org admin: ")
            candidate = user_model(email=email, first_name=options["first_name"], last_name=options["last_name"])
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            user = user_model.objects.create_user(
                email=email, password=password, first_name=options["first_name"], last_name=options["last_name"]
            )
        try:
            org, _member = services.organization_create(
                name=options["organization"],
                admin_user=user,
                preset=options["preset"],
                timezone=options["timezone"],
                currency=options["currency"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} with {email} as org admin."))
