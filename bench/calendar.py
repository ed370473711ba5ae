"""Benchmark of the calendar's month view: 5,000 scheduled posts over 50 channels in one month.

Run from the repository root:  .venv/bin/python bench/calendar.py [--requests 20] [--view month]

It builds its own SQLite database in a temporary folder (HARMONIE_VAR_DIR), migrates it, loads the demo
organization, then bulk-creates 50 channels (with cadence targets) and 5,000 scheduled posts in the month
after this one. Those rows are written with ``bulk_create``, BYPASSING THE SERVICES (no network, rights,
objectives or charter checks, no audit rows): this measures reading, not writing. It then times N requests
of the calendar through ``django.test.Client``, logged in as the org admin, and prints the median and p95
server time, the number of SQL queries per request and the ratio to the 300 ms target.
"""

# ruff: noqa: T201, PLC0415
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file is named like the standard library's ``calendar`` module, which Django imports: take its folder
# off the import path before anything else is imported.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

TARGET_MS = 300.0
POSTS, CHANNELS = 5_000, 50
ADMIN = "claire.martin@vireo.example"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="timed requests (default 20)")
    parser.add_argument("--view", choices=["month", "week", "list"], default="month")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="harmonie-bench-"))
    os.environ["HARMONIE_VAR_DIR"] = str(var_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "harmonie.config.settings"
    os.environ["HARMONIE_ALLOWED_HOSTS"] = "testserver"
    os.environ["HARMONIE_SECURE_COOKIES"] = "0"
    os.environ.setdefault("HARMONIE_LOG_LEVEL", "ERROR")
    try:
        return run(args.requests, args.view)
    finally:
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def seed() -> tuple[str, int]:
    """Demo + 50 channels + 5,000 posts in next month. Returns (first day of that month, posts in it)."""
    import datetime as dt
    import random
    import zoneinfo

    from django.core.management import call_command
    from django.utils import timezone

    from harmonie.config.demo import load_all
    from harmonie.content.models import MasterContent, Post, PostStatus
    from harmonie.governance.models import Channel, Market
    from harmonie.strategy.models import CadenceTarget

    call_command("migrate", verbosity=0)
    org, _created = load_all()
    markets = list(Market.objects.filter(organization=org, code__in=["FR", "DE", "US", "BR", "JP"]))
    networks = ["linkedin", "x", "bluesky", "facebook", "instagram", "mastodon", "threads", "youtube"]
    Channel.objects.bulk_create(
        Channel(
            organization=org, network=networks[i % len(networks)], handle=f"bench-{i:02d}",
            display_name=f"Bench {markets[i % len(markets)].code} {i:02d}", owner_market=markets[i % len(markets)],
            timezone=markets[i % len(markets)].timezone,
        )
        for i in range(CHANNELS)
    )  # fmt: skip
    channels = list(
        Channel.objects.filter(organization=org, handle__startswith="bench-").select_related("owner_market")
    )
    CadenceTarget.objects.bulk_create(
        CadenceTarget(channel=c, posts_per_week=20 + i % 10, main_format="text") for i, c in enumerate(channels)
    )
    master = MasterContent.objects.filter(organization=org).order_by("pk").first()
    assert master is not None
    today = timezone.localdate()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    rng = random.Random(2026)  # noqa: S311 - repeatable sample data, not a secret
    text = "Vireo Coat X cures faster at 80 °C so lines restart sooner ask our engineers for a trial"
    words = text.split()
    posts = []
    for i in range(POSTS):
        channel = channels[i % CHANNELS]
        zone = zoneinfo.ZoneInfo(channel.timezone)
        local = dt.datetime.combine(
            first + dt.timedelta(days=i % days), dt.time(7 + rng.randrange(12), 15 * rng.randrange(4))
        )
        posts.append(
            Post(
                organization=org, channel=channel, market=channel.owner_market, master=master,
                text=" ".join(rng.choices(words, k=30)), status=PostStatus.SCHEDULED,
                scheduled_at=local.replace(tzinfo=zone).astimezone(dt.UTC),
            )
        )  # fmt: skip
    Post.objects.bulk_create(posts, batch_size=500)
    return f"{first:%Y-%m-%d}", POSTS


def run(requests: int, view: str) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from harmonie.accounts.models import User

    started = time.perf_counter()
    month, created = seed()
    print(f"seeded the demo, {CHANNELS} channels and {created} posts (bulk_create, no services) "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    User.objects.filter(email=ADMIN).update(timezone="Europe/Paris", language="en")
    client = Client()
    client.force_login(User.objects.get(email=ADMIN))
    url = f"/content/calendar/?view={view}&date={month}"
    warm = client.get(url)  # first request: template compilation, caches
    if warm.status_code != 200:
        print(f"GET {url} answered {warm.status_code}")
        return 1
    timings, queries = [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
        queries.append(len(captured))
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
    body = response.content.decode()
    print(f"GET {url} as the org admin (Europe/Paris), {requests} requests after one warm-up")
    print(f"  cards rendered: {body.count('data-post=')}, response size: {len(body) / 1024:.0f} KiB")
    print(f"  median {median:.1f} ms, p95 {p95:.1f} ms, min {timings[0]:.1f} ms, max {timings[-1]:.1f} ms")
    print(f"  SQL queries per request: {sorted(set(queries))}")
    print(f"  median / 300 ms target = {median / TARGET_MS:.2f}; p95 / target = {p95 / TARGET_MS:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
