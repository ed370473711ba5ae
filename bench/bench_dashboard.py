"""Benchmark of the dashboards: 500 channels, 100,000 published posts, 12 months of daily channel figures.

Run from the repository root:

    .venv/bin/python bench/bench_dashboard.py                       # SQLite (a file in a temporary folder)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7c_bench .venv/bin/python bench/bench_dashboard.py
    .venv/bin/python bench/bench_dashboard.py --requests 20 --keep

On PostgreSQL it (re)creates the database named in DATABASE_URL on that server and drops it at the end; on SQLite
it uses a file under a temporary folder (HARMONIE_VAR_DIR), removed at the end.

It migrates, loads the demo organization, then bulk-creates 500 channels over the demo's markets (one in five owned
by Global), 100,000 published posts over the last 12 months with one metric snapshot each (their latest), 365 days
of ChannelDailyStat per channel (182,500 rows; their monthly sums, ChannelMonthlyStat, rebuilt from them by the
collection service's ``channel_months_rebuild`` as after any bulk load), 200 short links with 50,000 clicks, promo
redemptions, leads, spend entries, and 30 objectives with 90 KPIs. Those rows are written with ``bulk_create``,
BYPASSING THE SERVICES (no checks, no audit rows): this measures reading, not writing. It then times N requests of
each dashboard page through ``django.test.Client``, logged in as the org admin, and prints the median and p95 server
time, the number of SQL queries per request and the ratio to the 500 ms target.
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
from urllib.parse import urlsplit, urlunsplit

# bench/ holds ``calendar.py``, named like the standard library's module that Django imports: take this folder
# off the import path before anything else is imported.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

TARGET_MS = 500.0
CHANNELS, POSTS, DAYS = 500, 100_000, 365
LINKS, CLICKS = 200, 50_000
ADMIN = "claire.martin@vireo.example"


def _pg_database(url: str, *, create: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "test", "template0", "template1"}:
        raise SystemExit(f"Give a database of its own in DATABASE_URL (not {name!r}): it is dropped at the end.")
    admin = urlunsplit(parts._replace(path="/postgres")).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder / database")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="harmonie-bench-"))
    os.environ["HARMONIE_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "harmonie.config.settings"
    os.environ["HARMONIE_ALLOWED_HOSTS"] = "testserver"
    os.environ["HARMONIE_SECURE_COOKIES"] = "0"
    os.environ.setdefault("HARMONIE_LOG_LEVEL", "ERROR")
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if postgres:
        _pg_database(url, create=True)
    try:
        return run(args.requests, "PostgreSQL" if postgres else "SQLite (WAL, file)")
    finally:
        if args.keep:
            print(f"kept {var_dir}" + (f" and {url}" if postgres else ""))
        else:
            if postgres:
                from django.db import connections

                connections.close_all()
                _pg_database(url, create=False)
            shutil.rmtree(var_dir, ignore_errors=True)


def seed() -> None:  # noqa: PLR0915 - one linear script
    import datetime as dt
    import random
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from harmonie.analytics.models import (
        ChannelDailyStat,
        LeadEntry,
        LinkClick,
        PostMetricSnapshot,
        PromoCode,
        PromoRedemption,
        ShortLink,
        SpendEntry,
    )
    from harmonie.analytics.services.collection import channel_months_rebuild
    from harmonie.config.demo import load_all
    from harmonie.content.models import MasterContent, Post, PostStatus
    from harmonie.governance.models import Channel, Dimension, Market
    from harmonie.strategy.models import KPI, CadenceTarget, ContentPillar, Objective

    call_command("migrate", verbosity=0)
    org, _created = load_all()
    rng = random.Random(2026)  # noqa: S311 - repeatable sample data, not a secret
    markets = list(Market.objects.filter(organization=org).order_by("path"))
    root = next(m for m in markets if m.parent_id is None)
    countries = [m for m in markets if m.kind == "country"]
    networks = ["linkedin", "x", "bluesky", "facebook", "instagram", "mastodon", "threads", "youtube"]
    owners = [root if i % 5 == 0 else countries[i % len(countries)] for i in range(CHANNELS)]
    Channel.objects.bulk_create(
        Channel(
            organization=org, network=networks[i % len(networks)], handle=f"bench-{i:03d}",
            display_name=f"Bench {owners[i].code} {i:03d}", owner_market=owners[i], timezone=owners[i].timezone,
        )
        for i in range(CHANNELS)
    )  # fmt: skip
    channels = list(Channel.objects.filter(organization=org, handle__startswith="bench-").order_by("pk"))
    CadenceTarget.objects.bulk_create(
        CadenceTarget(channel=c, posts_per_week=3 + i % 5, main_format="text") for i, c in enumerate(channels)
    )
    pillars = list(ContentPillar.objects.filter(organization=org))
    dimension = Dimension.objects.filter(organization=org).order_by("position").first()
    assert dimension is not None
    MasterContent.objects.bulk_create(
        MasterContent(
            organization=org, market=root, dimension=dimension, pillar=pillars[i % len(pillars)] if pillars else None,
            title=f"Bench master {i}", body="Bench", source_language="en",
        )
        for i in range(20)
    )  # fmt: skip
    masters = list(MasterContent.objects.filter(organization=org, title__startswith="Bench master"))
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=DAYS - 1)
    now = timezone.now()
    started = time.perf_counter()
    batch: list[Post] = []
    for i in range(POSTS):
        channel = channels[i % CHANNELS]
        at = now - dt.timedelta(days=rng.randrange(DAYS), hours=rng.randrange(24), minutes=rng.randrange(60))
        batch.append(
            Post(
                organization=org, channel=channel, market=channel.owner_market, master=masters[i % len(masters)],
                text="Bench post", status=PostStatus.PUBLISHED, scheduled_at=at,
            )
        )  # fmt: skip
    Post.objects.bulk_create(batch, batch_size=2000)
    print(f"  {POSTS} posts in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    snapshots = []
    for post_id, channel_id, at in Post.objects.filter(organization=org, text="Bench post").values_list(
        "pk", "channel_id", "scheduled_at"
    ):
        snapshots.append(
            PostMetricSnapshot(
                organization=org, post_id=post_id, channel_id=channel_id, day=at.date() + dt.timedelta(days=1),
                captured_at=at + dt.timedelta(days=1), likes=rng.randrange(200), reposts=rng.randrange(30),
                replies=rng.randrange(20), quotes=rng.randrange(5), impressions=rng.randrange(100, 20000),
            )
        )  # fmt: skip
    PostMetricSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    print(f"  {len(snapshots)} post snapshots in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    stats = []
    for i, channel in enumerate(channels):
        followers = 1000 + 97 * i
        for d in range(DAYS):
            followers += rng.randrange(-2, 12)
            stats.append(
                ChannelDailyStat(
                    organization=org, channel=channel, day=first_day + dt.timedelta(days=d), followers=followers,
                    posts_published=rng.randrange(3), likes=rng.randrange(300), reposts=rng.randrange(40),
                    replies=rng.randrange(30), quotes=rng.randrange(8), impressions=rng.randrange(1000, 30000),
                    views=rng.randrange(5000), clicks=rng.randrange(200), saves=rng.randrange(20),
                )
            )  # fmt: skip
        if len(stats) >= 20_000:
            ChannelDailyStat.objects.bulk_create(stats, batch_size=2000)
            stats = []
    ChannelDailyStat.objects.bulk_create(stats, batch_size=2000)
    print(f"  {CHANNELS * DAYS} channel days in {time.perf_counter() - started:.1f} s")
    # The days were written in bulk, bypassing the collection service that keeps their monthly sums: rebuild those
    # as after any bulk load (demo data, imports).
    started = time.perf_counter()
    months = channel_months_rebuild(channel_ids=[c.pk for c in channels])
    print(f"  {months} channel months rebuilt from the days in {time.perf_counter() - started:.1f} s")
    ShortLink.objects.bulk_create(
        ShortLink(
            organization=org, market=owners[i], channel=channels[i], code=f"bench{i}",
            destination="https://example.com/", purpose="qr" if i % 10 == 0 else "post",
        )
        for i in range(LINKS)
    )  # fmt: skip
    links = list(ShortLink.objects.filter(code__startswith="bench").values_list("pk", flat=True))
    LinkClick.objects.bulk_create(
        (
            LinkClick(
                link_id=links[i % LINKS],
                clicked_at=now - dt.timedelta(minutes=rng.randrange(DAYS * 1440)),
                is_bot=i % 13 == 0,
            )
            for i in range(CLICKS)
        ),
        batch_size=5000,
    )
    codes = PromoCode.objects.bulk_create(
        PromoCode(organization=org, market=c, code=f"BENCH{c.code}", starts_on=first_day) for c in countries
    )
    PromoRedemption.objects.bulk_create(
        PromoRedemption(promo_code=code, day=first_day + dt.timedelta(days=d), count=rng.randrange(1, 30))
        for code in codes
        for d in range(0, DAYS, 2)
    )
    LeadEntry.objects.bulk_create(
        LeadEntry(organization=org, market=c, day=first_day + dt.timedelta(days=d), count=rng.randrange(1, 40))
        for c in countries
        for d in range(0, DAYS, 3)
    )
    SpendEntry.objects.bulk_create(
        SpendEntry(
            organization=org, market=c, media_type=["paid", "owned"][m % 2],
            period_start=first_day + dt.timedelta(days=30 * m), period_end=first_day + dt.timedelta(days=30 * m + 29),
            amount=Decimal(rng.randrange(500, 5000)), currency=c.currency, engagements=rng.randrange(1000, 9000),
            clicks=rng.randrange(100, 900), conversions=rng.randrange(10, 90),
        )
        for c in countries
        for m in range(12)
    )  # fmt: skip
    types = ["drive_to_web", "awareness", "engagement", "data_capture", "drive_to_store", "sales"]
    metric_sets = [
        ["clicks", "ctr", "cost_per_result"], ["impressions", "followers", "follower_growth"],
        ["engagements", "engagement_rate", "share_of_voice"], ["leads", "cost_per_result", "conversions"],
        ["store_visits", "cost_per_result", "clicks"], ["conversions", "cost_per_result", "first_response_time"],
    ]  # fmt: skip
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=org, market=[root, *countries][i % (len(countries) + 1)], name=f"Bench objective {i}",
            type=types[i % len(types)], period_start=first_day, period_end=today + dt.timedelta(days=30),
        )
        for i in range(30)
    )  # fmt: skip
    KPI.objects.bulk_create(
        KPI(
            objective=o, metric=metric, baseline=Decimal(10), target=Decimal(1000), period_start=o.period_start,
            period_end=o.period_end,
        )
        for i, o in enumerate(objectives)
        for metric in metric_sets[i % len(metric_sets)]
    )  # fmt: skip


def run(requests: int, backend: str) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from harmonie.accounts.models import User
    from harmonie.governance.models import Channel

    print(f"dashboard benchmark on {backend}, {os.cpu_count()} CPU(s)")
    started = time.perf_counter()
    seed()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"seeded the demo, {CHANNELS} channels, {POSTS} posts (+ one snapshot each), {CHANNELS * DAYS} channel "
          f"days, {CLICKS} clicks (bulk_create, no services) in {time.perf_counter() - started:.1f} s")  # fmt: skip
    User.objects.filter(email=ADMIN).update(timezone="Europe/Paris", language="en")
    client = Client()
    client.force_login(User.objects.get(email=ADMIN))
    channel = Channel.objects.filter(handle="bench-001").values_list("pk", flat=True).get()
    pages = [
        "/analytics/?period=this_month",
        "/analytics/?period=last_12_months",
        "/analytics/dashboards/cadence/?period=quarter",
        "/analytics/dashboards/pillars/?period=last_12_months",
        "/analytics/dashboards/global-local/?period=last_12_months",
        f"/analytics/dashboards/best-time/?channel={channel}",
        "/analytics/dashboards/media/?period=last_12_months",
    ]
    worst = 0.0
    for url in pages:
        warm = client.get(url)
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
        worst = max(worst, p95)
        print(f"GET {url}: median {median:.0f} ms, p95 {p95:.0f} ms, {sorted(set(queries))} queries, "
              f"{len(response.content) / 1024:.0f} KiB; median / target = {median / TARGET_MS:.2f}")  # fmt: skip
    print(f"worst p95 / target = {worst / TARGET_MS:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
