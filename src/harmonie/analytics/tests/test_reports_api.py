"""The reports and exports API (/api/v1/analytics), called with real personal access tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from harmonie.accounts.models import User
from harmonie.accounts.services import token_create
from harmonie.analytics.models import ChannelDailyStat, ExportJob, ReportSchedule
from harmonie.analytics.tasks import export_job_run_task
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Organization

EMAILS = {p.key: p.email for p in PERSONAS}
JSON = "application/json"
PREFIX = "/api/v1/analytics"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.HARMONIE_REPORTS_DIR = tmp_path / "reports"
    settings.HARMONIE_EXPORTS_DIR = tmp_path / "exports"


class Api:
    def __init__(self, raw_token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {raw_token}"})

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(PREFIX + url, params)

    def post(self, url: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(PREFIX + url, body or {}, content_type=JSON)


@pytest.fixture
def api_for(demo_org: Organization) -> Callable[[str], Api]:
    def get(key: str) -> Api:
        _token, raw = token_create(user=User.objects.get(email=EMAILS[key]), organization_id=demo_org.pk, name="t")
        return Api(raw)

    return get


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def test_schedules_create_list_and_send(api_for, market, demo_org):
    lead = api_for("fr_market_lead")
    fr = market("FR")
    # The same validation as the form, as clear errors on the field at fault.
    response = lead.post("/report-schedules", {"name": "FR", "market_id": fr.pk, "frequency": "weekly",
                                               "recipients": ["ok@vireo.example", "nope"]})  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {
        "error": "validation",
        "message": "“nope” is not an e-mail address. Write one address per line (or separate them with commas).",
        "field": "recipients",
    }
    response = lead.post("/report-schedules", {"name": "FR", "market_id": fr.pk, "frequency": "daily",
                                               "recipients": ["a@vireo.example"]})  # fmt: skip
    assert (response.status_code, response.json()["field"], response.json()["message"]) == (
        400, "frequency", "Choose weekly or monthly.",
    )  # fmt: skip
    response = lead.post("/report-schedules", {"name": "DE", "market_id": market("DE").pk, "frequency": "weekly",
                                               "recipients": ["a@vireo.example"]})  # fmt: skip
    assert (response.status_code, response.json()["field"]) == (400, "market_id")
    response = lead.post("/report-schedules", {"name": "Org", "market_id": None, "frequency": "monthly",
                                               "recipients": ["a@vireo.example"]})  # fmt: skip
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")

    body = {"name": "France weekly", "market_id": fr.pk, "frequency": "weekly", "recipients": ["a@vireo.example"],
            "language": "fr"}  # fmt: skip
    created = _ok(lead.post("/report-schedules", body), 201)
    assert {k: created[k] for k in ("name", "market_id", "market_code", "frequency", "language", "recipients")} == {
        "name": "France weekly", "market_id": fr.pk, "market_code": "FR", "frequency": "weekly", "language": "fr",
        "recipients": ["a@vireo.example"],
    }  # fmt: skip
    assert ReportSchedule.objects.get(pk=created["id"]).created_by.email == EMAILS["fr_market_lead"]

    listed = _ok(lead.get("/report-schedules"))
    assert [s["id"] for s in listed["items"]] == [created["id"]]
    assert _ok(api_for("de_market_lead").get("/report-schedules"))["items"] == []

    # Send now: the community manager reads but may not send; Germany's lead does not see it.
    assert api_for("fr_community_manager").post(f"/report-schedules/{created['id']}/send").status_code == 403
    assert api_for("de_market_lead").post(f"/report-schedules/{created['id']}/send").status_code == 404
    delivery = _ok(lead.post(f"/report-schedules/{created['id']}/send"))
    assert (delivery["status"], delivery["error"], delivery["recipients"]) == ("sent", "", ["a@vireo.example"])
    assert len(mail.outbox) == 1
    pdf = lead.client.get(delivery["pdf_url"])
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content) == mail.outbox[0].attachments[0][1]
    deliveries = _ok(lead.get(f"/report-schedules/{created['id']}/deliveries"))
    assert [d["id"] for d in deliveries] == [delivery["id"]]


def test_unauthenticated_is_401():
    response = Client().get(PREFIX + "/report-schedules")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_export_jobs_with_progress(api_for, demo_org, market, django_capture_on_commit_callbacks):
    channel = Channel.objects.get(organization=demo_org, handle="vireo-france")
    for i in range(4):
        ChannelDailyStat.objects.create(
            organization=demo_org, channel=channel, day=dt.date(2026, 3, 1) + dt.timedelta(days=i), likes=i
        )
    cm = api_for("fr_community_manager")
    response = cm.post("/exports", {"kind": "nothing", "date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert (response.status_code, response.json()["field"]) == (400, "kind")
    response = cm.post("/exports", {"kind": "channel_daily", "date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert (response.status_code, response.json()["message"]) == (
        400, "The end date must be on or after the start date.",
    )  # fmt: skip
    response = cm.post("/exports", {"kind": "channel_daily", "date_from": "2026-03-01", "date_to": "2026-03-31",
                                    "market_id": market("DE").pk})  # fmt: skip
    assert response.status_code == 404

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _ok(cm.post("/exports", {"kind": "channel_daily", "file_format": "csv", "date_from": "2026-03-01",
                                       "date_to": "2026-03-31", "market_id": market("FR").pk}), 201)  # fmt: skip
    assert (job["status"], job["rows_done"], job["percent"], job["download_url"]) == ("queued", 0, None, None)
    assert len(callbacks) == 1
    ExportJob.objects.filter(pk=job["id"]).update(status="running", rows_total=4, rows_done=2)
    progress = _ok(cm.get(f"/exports/{job['id']}"))
    assert (progress["status"], progress["rows_done"], progress["rows_total"], progress["percent"]) == (
        "running", 2, 4, 50,
    )  # fmt: skip
    ExportJob.objects.filter(pk=job["id"]).update(status="queued", rows_total=None, rows_done=0)
    callbacks[0]()  # the request committed: the task is enqueued
    assert export_job_run_task.call(job["id"]) == "done"  # a worker runs it
    done = _ok(cm.get(f"/exports/{job['id']}"))
    assert (done["status"], done["rows_done"], done["rows_total"], done["percent"]) == ("done", 4, 4, 100)
    download = cm.client.get(done["download_url"])
    assert download.status_code == 200
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("day,channel,network,market")
    assert [j["id"] for j in _ok(cm.get("/exports"))] == [job["id"]]
    # Another member neither lists nor reads it.
    other = api_for("fr_market_lead")
    assert _ok(other.get("/exports")) == []
    assert other.get(f"/exports/{job['id']}").status_code == 404
    assert other.client.get(done["download_url"]).status_code == 404
