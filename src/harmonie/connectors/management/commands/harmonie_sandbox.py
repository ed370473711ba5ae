"""``harmonie sandbox``: connect the demo organization's Bluesky channels to a local Bluesky network.

``scripts/sandbox.sh`` starts the network (``tools/bluesky``, loopback only), runs this, then starts Harmonie.
``harmonie sandbox --show`` lists the latest posts of each connected channel, as the local server has them.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from harmonie.core.errors import DomainError
from harmonie.governance.demo import DEMO_SLUG, PERSONAS
from harmonie.governance.models import Member
from harmonie.governance.permissions import Actor, actor_for
from harmonie.sandbox.bluesky import BlueskyAccountError, list_records
from harmonie.sandbox.demo import bluesky_channels, sandbox_connect

DEFAULT_PDS = "http://127.0.0.1:13583"
DEFAULT_APPVIEW = "http://127.0.0.1:13584"
DEFAULT_PASSWORD = "harmonie-sandbox"  # noqa: S105 - accounts on a throw-away network on loopback


class Command(BaseCommand):
    help = (
        "Create an account on a local Bluesky network for each of the demo organization's Bluesky channels and "
        "connect the channels to them (app passwords), plus a reader account that follows them. "
        "With --show: list the latest posts of each connected channel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pds-url", default=os.environ.get("HARMONIE_SANDBOX_PDS_URL", DEFAULT_PDS))
        parser.add_argument("--appview-url", default=os.environ.get("HARMONIE_SANDBOX_APPVIEW_URL", DEFAULT_APPVIEW))
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the local accounts")
        parser.add_argument("--handle-prefix", default="", help="prefix of the local handles (tests)")
        parser.add_argument("--show", action="store_true", help="list the latest posts of each channel")
        parser.add_argument("--limit", type=int, default=5, help="posts per channel with --show")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._org_admin()
        try:
            if options["show"]:
                self._show(actor, options["limit"])
                return
            accounts = sandbox_connect(
                actor=actor,
                pds_url=options["pds_url"].rstrip("/"),
                password=options["password"],
                handle_prefix=options["handle_prefix"],
            )
        except httpx.HTTPError as exc:
            raise CommandError(
                f"The local Bluesky network does not answer at {options['pds_url']} ({exc}). "
                "Start it with scripts/sandbox.sh."
            ) from exc
        except (BlueskyAccountError, DomainError) as exc:
            raise CommandError(str(exc)) from exc
        self._report(accounts, options)

    def _org_admin(self) -> Actor:
        member = (
            Member.objects.select_related("organization", "user")
            .filter(organization__slug=DEMO_SLUG, user__email=PERSONAS[0].email)
            .first()
        )
        if member is None:
            raise CommandError("The demo organization is not loaded: run `harmonie demo` first.")
        return actor_for(member)

    def _report(self, accounts: list[Any], options: dict[str, Any]) -> None:
        pds, appview = options["pds_url"].rstrip("/"), options["appview_url"].rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Local Bluesky accounts on {pds} (password: {options['password']}):"))
        for account in accounts:
            what = f"{account.channel} -> connected" if account.channel else "reader (follows the channels)"
            self.stdout.write(f"  {account.handle:<28} {account.did:<34} {what}")
        self.stdout.write("See the posts as the server has them:")
        self.stdout.write("  harmonie sandbox --show")
        for account in accounts:
            if account.channel is not None:
                self.stdout.write(
                    f"  {pds}/xrpc/com.atproto.repo.listRecords?repo={account.handle}&collection=app.bsky.feed.post"
                )
                self.stdout.write(f"  {appview}/xrpc/app.bsky.feed.getAuthorFeed?actor={account.handle}")

    def _show(self, actor: Actor, limit: int) -> None:
        for channel in bluesky_channels(actor=actor):
            connection = getattr(channel, "connection", None)
            if connection is None or not connection.service_url:
                self.stdout.write(f"{channel}: not connected")
                continue
            repo = connection.account_id or connection.handle
            records = list_records(connection.service_url, repo, limit=limit)
            self.stdout.write(
                self.style.SUCCESS(f"{channel}: {connection.handle} on {connection.service_url}, latest {len(records)}")
            )
            for record in records:
                value, rkey = record["value"], record["uri"].rsplit("/", 1)[-1]
                text = " ".join(str(value.get("text", "")).split())
                self.stdout.write(f"  {value.get('createdAt', '')}  {rkey}  {text[:90]}")
