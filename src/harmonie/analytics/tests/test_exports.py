"""Exports: formula-safe CSV with a BOM, XLSX with exact values, long exports as background jobs with progress,
downloads for the requester only, cleanup after 7 days, scoping to the member's markets."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from harmonie.analytics.exports.writers import csv_lines, csv_safe
from harmonie.analytics.models import ChannelDailyStat, ExportJob
from harmonie.analytics.services import exports
from harmonie.analytics.tasks import export_job_run_task
from harmonie.governance.models import Channel

HEADER = [
    "day",
    "channel",
    "network",
    "market",
    "followers",
    "posts",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "impressions",
    "views",
    "clicks",
    "saves",
]


@pytest.fixture(autouse=True)
def _exports_dir(settings, tmp_path):
    settings.HARMONIE_EXPORTS_DIR = tmp_path / "exports"
    settings.HARMONIE_EXPORT_STREAM_MAX_ROWS = 3


@pytest.fixture
def stats(demo_org):
    fr = Channel.objects.get(organization=demo_org, handle="vireo-france")
    de = Channel.objects.get(organization=demo_org, handle="vireo-deutschland")
    for i in range(5):
        for channel, base in ((fr, 1000), (de, 2000)):
            ChannelDailyStat.objects.create(
                organization=demo_org,
                channel=channel,
                day=dt.date(2026, 3, 1) + dt.timedelta(days=i),
                followers=base + i,
                posts_published=1,
                likes=10 * i,
                clicks=i,
            )


def test_csv_cells_cannot_become_formulas():
    assert [csv_safe(v) for v in ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "ok", -3, None]] == [
        "'=1+1",
        "'+33 1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        -3,
        "",
    ]
    text = "".join(csv_lines(["a", "b"], [['=HYPERLINK("x")', 1]]))
    assert text == '\ufeffa,b\r\n"\'=HYPERLINK(""x"")",1\r\n'


def test_small_export_streams_csv_scoped_to_the_market(client_for, stats):
    response = client_for("fr_market_lead").post(
        "/analytics/exports/",
        {"kind": "channel_daily", "file_format": "csv", "date_from": "2026-03-01", "date_to": "2026-03-03"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="channel_daily-vireo-20260301-20260303.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffday,channel,network,market,followers")
    assert body.splitlines()[1:] == [
        "2026-03-01,Vireo France,linkedin,FR,1000,1,0,0,0,0,0,0,0,0",
        "2026-03-02,Vireo France,linkedin,FR,1001,1,10,0,0,0,0,0,1,0",
        "2026-03-03,Vireo France,linkedin,FR,1002,1,20,0,0,0,0,0,2,0",
    ]  # Germany's channel is outside the French lead's scope


def test_long_export_runs_as_a_job_with_progress(client_for, persona, stats, django_capture_on_commit_callbacks):
    client = client_for("hq_admin")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/analytics/exports/",
            {"kind": "channel_daily", "file_format": "xlsx", "date_from": "2026-03-01", "date_to": "2026-03-31"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is enqueued once the request commits
    job = ExportJob.objects.get()
    assert (job.status, job.rows_total, job.rows_done) == ("queued", 10, 0)
    page = client.get("/analytics/exports/").content.decode()
    assert f'hx-get="/analytics/exports/{job.pk}/progress/" hx-trigger="every 1s"' in page
    assert '<progress value="0" max="10"' in page
    assert export_job_run_task.call(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done, job.error) == ("done", 10, 10, "")
    partial = client.get(f"/analytics/exports/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in partial
    assert f"/analytics/exports/{job.pk}/download/" in partial
    response = client.get(f"/analytics/exports/{job.pk}/download/")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    path = exports.exports_dir() / job.file_path
    sheet = load_workbook(path, read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1] == [
        dt.datetime(2026, 3, 1, tzinfo=dt.UTC).replace(tzinfo=None),
        "Vireo Deutschland",
        "linkedin",
        "DE",
        2000,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]
    assert rows[10] == [
        dt.datetime(2026, 3, 5, tzinfo=dt.UTC).replace(tzinfo=None),
        "Vireo France",
        "linkedin",
        "FR",
        1004,
        1,
        40,
        0,
        0,
        0,
        0,
        0,
        4,
        0,
    ]
    assert len(rows) == 11
    # Only the requester downloads it; another organization's admin gets a 404.
    assert client_for("analyst").get(f"/analytics/exports/{job.pk}/download/").status_code == 404


def test_other_organization_gets_404(client, other_org, persona, stats):
    filters = exports.export_filters_build(
        actor=persona("hq_admin"), date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    job = exports.export_job_create(actor=persona("hq_admin"), kind="channel_daily", file_format="csv", filters=filters)
    exports.export_job_run(job_id=job.pk)
    _org, olga = other_org
    client.force_login(olga.user)
    assert client.get(f"/analytics/exports/{job.pk}/download/").status_code == 404
    assert client.get(f"/analytics/exports/{job.pk}/progress/").status_code == 404


def test_cleanup_removes_files_after_seven_days(persona, stats):
    actor = persona("hq_admin")
    filters = exports.export_filters_build(actor=actor, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    job = exports.export_job_run(
        job_id=exports.export_job_create(actor=actor, kind="channel_daily", file_format="csv", filters=filters).pk
    )
    path = exports.exports_dir() / job.file_path
    assert path.read_text(encoding="utf-8").count("\n") == 11
    assert exports.exports_cleanup(now=job.created_at + dt.timedelta(days=6)) == 0
    assert path.exists()
    assert exports.exports_cleanup(now=job.created_at + dt.timedelta(days=7, seconds=1)) == 1
    assert not path.exists()
    assert not ExportJob.objects.exists()


def test_filters_are_checked(persona, market):
    from harmonie.core.errors import NotFound, ValidationFailed

    with pytest.raises(ValidationFailed):
        exports.export_filters_build(
            actor=persona("hq_admin"), date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 1)
        )
    with pytest.raises(NotFound):
        exports.export_filters_build(
            actor=persona("fr_market_lead"),
            date_from=dt.date(2026, 3, 1),
            date_to=dt.date(2026, 3, 2),
            market_id=market("DE").pk,
        )


def test_files_follow_the_members_analytics_access_now(client_for, persona, market, stats):
    """Access is checked at download time: a member moved from Germany to France keeps their "all my markets" and
    later files, not Germany's; without analytics.view they read no file at all."""
    from harmonie.core.errors import NotFound, NotPermitted
    from harmonie.governance.models import RoleAssignment

    lead = persona("de_market_lead")

    def job(market_id):  # type: ignore[no-untyped-def]
        filters = exports.export_filters_build(
            actor=lead, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), market_id=market_id
        )
        created = exports.export_job_create(actor=lead, kind="channel_daily", file_format="csv", filters=filters)
        return exports.export_job_run(job_id=created.pk)

    de_job, all_job = job(market("DE").pk), job(None)
    assert [j.pk for j in exports.export_job_list(actor=lead)] == [all_job.pk, de_job.pk]
    assert exports.export_job_file(actor=lead, pk=de_job.pk)[0] == de_job
    client = client_for("de_market_lead")
    assert client.get(f"/analytics/exports/{de_job.pk}/download/").status_code == 200

    RoleAssignment.objects.filter(member=lead.member).update(market=market("FR"))
    moved = persona("de_market_lead")
    assert [j.pk for j in exports.export_job_list(actor=moved)] == [all_job.pk]
    with pytest.raises(NotFound):
        exports.export_job_file(actor=moved, pk=de_job.pk)
    assert client.get(f"/analytics/exports/{de_job.pk}/download/").status_code == 404
    assert exports.export_job_file(actor=moved, pk=all_job.pk)[0] == all_job

    RoleAssignment.objects.filter(member=lead.member).update(role="contributor")
    gone = persona("de_market_lead")
    for call in (exports.export_job_list, lambda actor: exports.export_job_file(actor=actor, pk=all_job.pk)):
        with pytest.raises(NotPermitted):
            call(actor=gone)
    assert client.get(f"/analytics/exports/{all_job.pk}/download/").status_code == 403
