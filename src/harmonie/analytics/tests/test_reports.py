"""Scheduled reports: periods and next runs in the market's zone (DST), recipients, the report's content in HTML and
PDF (EN/FR), sending by e-mail exactly once per period, errors kept on the delivery, the pages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from harmonie.accounts.models import User
from harmonie.analytics.demo_reports import load_demo_reports
from harmonie.analytics.exports.datasets import DATASETS, ExportFilters
from harmonie.analytics.models import ChannelDailyStat, PostMetricSnapshot, ReportDelivery, ReportSchedule
from harmonie.analytics.services import reports
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.governance.models import Channel, Market, Member, RoleAssignment
from harmonie.strategy.models import KPI, Objective

PARIS = ZoneInfo("Europe/Paris")
# Monday 9 March 2026, 07:00 in Paris: the weekly report of 2-8 March is due.
MONDAY = dt.datetime(2026, 3, 9, 7, 0, tzinfo=PARIS).astimezone(dt.UTC)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(autouse=True)
def _reports_dir(settings, tmp_path):
    settings.HARMONIE_REPORTS_DIR = tmp_path / "reports"


@pytest.fixture
def fr_week(demo_org, market):
    """A week of figures for Vireo France (LinkedIn: the rate is interactions ÷ impressions) and an engagements KPI
    of France for exactly that week: 7,126 interactions (likes 1000..1006 = 7,021, reposts 70, replies 35) against
    a target of 10,000."""
    channel = Channel.objects.get(organization=demo_org, handle="vireo-france")
    for i in range(7):
        ChannelDailyStat.objects.create(
            organization=demo_org,
            channel=channel,
            day=dt.date(2026, 3, 2) + dt.timedelta(days=i),
            followers=12000 + i,
            posts_published=1,
            likes=1000 + i,
            reposts=10,
            replies=5,
            quotes=0,
            impressions=4000,
            clicks=30,
        )
    objective = Objective.objects.get(organization=demo_org, market=market("FR"))
    KPI.objects.create(
        objective=objective,
        metric="engagements",
        target=Decimal(10000),
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 8),
    )
    return channel


def _fr_schedule(actor, market, **kwargs):
    values = {"name": "France weekly", "market": market("FR"), "frequency": "weekly",
              "recipients": "julien.bernard@vireo.example\nteam@vireo.example",
              "now": MONDAY - dt.timedelta(days=3)}  # fmt: skip
    return reports.report_schedule_create(actor=actor, **(values | kwargs))


def _read_in_english(email: str) -> None:
    """Demo personas may read the pages in French: switch one to English for assertions on English texts."""
    User.objects.filter(email=email).update(language="en")


def test_weekly_and_monthly_periods_in_the_market_zone():
    # Sunday 8 March 23:30 in Paris is still in the week of 2-8 March: the last full week is 23 Feb-1 March.
    sunday_night = dt.datetime(2026, 3, 8, 22, 30, tzinfo=dt.UTC)
    assert reports.report_period(frequency="weekly", zone=PARIS, now=sunday_night) == (
        dt.date(2026, 2, 23),
        dt.date(2026, 3, 1),
    )
    # The same instant is already Monday in Tokyo.
    assert reports.report_period(frequency="weekly", zone=ZoneInfo("Asia/Tokyo"), now=sunday_night) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 8),
    )
    assert reports.report_period(frequency="monthly", zone=PARIS, now=MONDAY) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )


def test_next_run_is_monday_or_the_first_at_seven_across_dst():
    # Paris leaves winter time on Sunday 29 March 2026: 07:00 is 06:00 UTC before, 05:00 UTC after.
    wednesday = dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC)
    assert reports.report_next_run(frequency="weekly", zone=PARIS, now=wednesday) == dt.datetime(
        2026, 3, 23, 6, 0, tzinfo=dt.UTC
    )
    after = dt.datetime(2026, 3, 23, 6, 0, tzinfo=dt.UTC)
    assert reports.report_next_run(frequency="weekly", zone=PARIS, now=after) == dt.datetime(
        2026, 3, 30, 5, 0, tzinfo=dt.UTC
    )
    assert reports.report_next_run(frequency="monthly", zone=PARIS, now=wednesday) == dt.datetime(
        2026, 4, 1, 5, 0, tzinfo=dt.UTC
    )
    # Back to winter time on 25 October: 1 November 07:00 is 06:00 UTC.
    assert reports.report_next_run(frequency="monthly", zone=PARIS, now=dt.datetime(2026, 10, 2, tzinfo=dt.UTC)) == (
        dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)
    )


def test_recipients_are_checked(persona, market):
    lead = persona("fr_market_lead")
    with pytest.raises(ValidationFailed) as exc:
        reports.report_schedule_create(
            actor=lead,
            name="FR",
            market=market("FR"),
            frequency="weekly",
            recipients="ok@vireo.example\nnot-an-address",
        )
    assert exc.value.field == "recipients"
    assert "“not-an-address” is not an e-mail address" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        reports.report_schedule_create(
            actor=lead,
            name="FR",
            market=market("FR"),
            frequency="weekly",
            recipients=[f"p{i}@vireo.example" for i in range(51)],
        )
    assert "At most 50 recipients per report (51 given)" in exc.value.message
    schedule = reports.report_schedule_create(
        actor=lead,
        name="FR",
        market=market("FR"),
        frequency="weekly",
        recipients="a@vireo.example, A@vireo.example; b@vireo.example",
        now=MONDAY - dt.timedelta(hours=1),
    )
    assert schedule.recipients == ["a@vireo.example", "b@vireo.example"]
    assert schedule.next_run_at == MONDAY


def test_org_wide_reports_need_the_global_permission(persona, market):
    with pytest.raises(NotPermitted):
        reports.report_schedule_create(
            actor=persona("fr_market_lead"), name="Org", market=None, frequency="monthly", recipients="a@vireo.example"
        )
    with pytest.raises(NotPermitted):  # a community manager reads analytics but does not manage them
        reports.report_schedule_create(
            actor=persona("fr_community_manager"),
            name="FR",
            market=market("FR"),
            frequency="weekly",
            recipients="a@vireo.example",
        )


def test_run_due_sends_the_report_once_with_the_pdf(persona, market, fr_week, client_for):
    schedule = _fr_schedule(persona("fr_market_lead"), market)
    assert reports.report_schedules_run_due(now=MONDAY - dt.timedelta(minutes=1)) == []
    done = reports.report_schedules_run_due(now=MONDAY)
    assert [(d.period_start, d.period_end, d.error) for d in done] == [(dt.date(2026, 3, 2), dt.date(2026, 3, 8), "")]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["julien.bernard@vireo.example", "team@vireo.example"]
    assert message.subject == "France weekly — 03/02/2026 – 03/08/2026"
    assert message.alternatives[0].mimetype == "text/html"
    html = message.alternatives[0].content
    assert "Social media report — France" in html
    assert "Engagements: 7,126 · Clicks: 210 · Posts published: 7" in message.body
    assert "Followers: 12,006" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("report-fr-20260302-20260308.pdf", "application/pdf")
    text = pdf_text(content)
    assert "Social media report — France" in text
    assert "2026-03-02 → 2026-03-08" in text
    # The KPI table of France's objective: target 10,000 for the week, actual 7,126, 71 % of target, missed.
    assert "Notoriété de Vireo France" in text
    assert "10,000 10,000 7,126 71 % Missed" in text
    # LinkedIn's rate: 7,126 interactions ÷ 28,000 impressions = 25.45 %; followers grew 12,000 -> 12,006.
    assert "25.45 %" in text
    assert "0.05 % over the period" in text
    assert "Leads DACH" not in text  # Germany is outside the author's view
    # The chart of the objective (cumulative engagements vs target), drawn by analytics.charts.
    assert 'id="report-kpi-' in html
    assert "Engagements: cumulative actual vs target" in html
    schedule.refresh_from_db()
    assert schedule.next_run_at == dt.datetime(2026, 3, 16, 6, 0, tzinfo=dt.UTC)
    assert reports.report_schedules_run_due(now=MONDAY + dt.timedelta(minutes=1)) == []
    assert len(mail.outbox) == 1

    # The PDF sent is kept: downloading the delivery later serves those bytes, whatever the data became since.
    [delivery] = ReportDelivery.objects.filter(schedule=schedule)
    assert delivery.pdf_path
    assert (reports.reports_dir() / delivery.pdf_path).read_bytes() == content
    ChannelDailyStat.objects.filter(channel=fr_week).update(likes=0)
    url = f"/analytics/reports/{schedule.pk}/deliveries/{delivery.pk}/pdf/"
    response = client_for("fr_community_manager").get(url)  # reads analytics in France
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report-fr-20260302-20260308.pdf"'
    assert b"".join(response.streaming_content) == content
    assert client_for("de_market_lead").get(url).status_code == 404
    # The schedule page links the stored PDF.
    page = client_for("fr_market_lead").get(f"/analytics/reports/{schedule.pk}/").content.decode()
    assert f'href="{url}"' in page


def test_the_report_shows_what_its_author_may_see(persona, market, fr_week, demo_org):
    """No request when a report is scheduled: the author's access decides. Gone or without analytics.view: the
    delivery says so and nothing is sent; whoever edits the schedule becomes its author."""
    lead = persona("fr_market_lead")
    schedule = _fr_schedule(lead, market)
    RoleAssignment.objects.filter(member=lead.member).delete()
    [delivery] = reports.report_schedules_run_due(now=MONDAY)
    assert delivery.error == (
        "The person who scheduled this report no longer has access to analytics for France; edit the schedule "
        "(whoever saves it becomes its author)."
    )
    assert (delivery.sent_at, delivery.pdf_path) == (None, "")
    assert mail.outbox == []
    assert not reports.reports_dir().exists() or list(reports.reports_dir().iterdir()) == []

    # A member deactivated (or gone: created_by nulled) is refused the same way.
    admin = persona("hq_admin")
    reports.report_schedule_update(
        actor=admin, schedule=schedule, name=schedule.name, market=market("FR"), frequency="weekly",
        recipients=schedule.recipients, language="en", is_active=True,
    )  # fmt: skip
    schedule.refresh_from_db()
    assert schedule.created_by == admin.user
    Member.objects.filter(pk=admin.member.pk).update(is_active=False)
    with pytest.raises(reports.ReportAccessLost):
        reports.report_schedule_actor(schedule=schedule)
    Member.objects.filter(pk=admin.member.pk).update(is_active=True)
    ReportSchedule.objects.filter(pk=schedule.pk).update(created_by=None)
    schedule.refresh_from_db()
    with pytest.raises(reports.ReportAccessLost):
        reports.report_schedule_actor(schedule=schedule)

    # Edited by the org admin: sent again for the same period, with the admin's view.
    reports.report_schedule_update(
        actor=admin, schedule=schedule, name=schedule.name, market=market("FR"), frequency="weekly",
        recipients=schedule.recipients, language="en", is_active=True,
    )  # fmt: skip
    delivery = reports.report_send_now(actor=admin, schedule=schedule, now=MONDAY)
    assert (delivery.error, bool(delivery.sent_at), bool(delivery.pdf_path)) == ("", True, True)
    assert len(mail.outbox) == 1


def test_a_period_already_claimed_is_not_sent_twice(persona, market, fr_week):
    schedule = reports.report_schedule_create(
        actor=persona("fr_market_lead"),
        name="FR",
        market=market("FR"),
        frequency="weekly",
        recipients="a@vireo.example",
        now=MONDAY - dt.timedelta(days=1),
    )
    # Another worker created the delivery first: the insert here hits the unique constraint.
    ReportDelivery.objects.create(
        schedule=schedule, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 8), created_at=MONDAY
    )
    assert reports.report_schedules_run_due(now=MONDAY) == []
    assert mail.outbox == []
    schedule.refresh_from_db()
    assert schedule.next_run_at == dt.datetime(2026, 3, 16, 6, 0, tzinfo=dt.UTC)
    assert ReportDelivery.objects.filter(schedule=schedule).count() == 1


def test_a_sending_error_is_kept_and_the_schedule_goes_on(persona, market, fr_week, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    schedule = reports.report_schedule_create(
        actor=persona("fr_market_lead"),
        name="FR",
        market=market("FR"),
        frequency="weekly",
        recipients="a@vireo.example",
        now=MONDAY - dt.timedelta(days=1),
    )
    [delivery] = reports.report_schedules_run_due(now=MONDAY)
    assert delivery.sent_at is None
    assert "ConnectionRefusedError" in delivery.error or "refused" in delivery.error.lower()
    assert delivery.pdf_path == ""
    assert list(reports.reports_dir().iterdir()) == []  # the PDF prepared was not sent: not kept
    schedule.refresh_from_db()
    assert schedule.is_active
    assert schedule.next_run_at == dt.datetime(2026, 3, 16, 6, 0, tzinfo=dt.UTC)


def test_french_report_pdf_groups_thousands(persona, market, fr_week):
    report = reports.report_build(
        actor=persona("fr_market_lead"),
        market=market("FR"),
        frequency="weekly",
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 8),
        language="fr",
        today=dt.date(2026, 3, 9),
    )
    [kpi] = [k for o in report.objectives for k in o.kpis if k.result.metric == "engagements"]
    assert kpi.result.actual == Decimal("7126.00")
    # Django 6.1 writes French thousands with a no-break space (U+00A0) and decimals with a comma.
    assert (kpi.target, kpi.actual, kpi.percent) == ("10\xa0000", "7\xa0126", "71 %")
    assert report.headline_text("followers") == "12\xa0006"
    assert report.headline_text("engagement_rate") == "25,45 %"
    html = reports.report_render_html(report)
    assert '<td class="num" data-testid="report-kpi-actual">7\xa0126</td>' in html
    text = pdf_text(reports.report_render_pdf(report))
    assert "France" in text
    assert "02/03/2026" in text  # French date format
    assert "Vireo Industries" in text
    assert "7\xa0126" in text
    assert "12\xa0006" in text
    assert "25,45 %" in text


def test_send_now_and_pages(client_for, persona, market, fr_week):
    schedule = reports.report_schedule_create(
        actor=persona("fr_market_lead"),
        name="FR weekly",
        market=market("FR"),
        frequency="weekly",
        recipients="a@vireo.example",
    )
    _read_in_english("julien.bernard@vireo.example")  # the texts asserted below are the English ones
    client = client_for("fr_market_lead")
    response = client.post(f"/analytics/reports/{schedule.pk}/send/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@vireo.example"]
    assert schedule.deliveries.get().sent_at is not None
    page = client.get(f"/analytics/reports/{schedule.pk}/")
    assert page.status_code == 200
    assert "Sent" in page.content.decode()
    view = client.get(f"/analytics/reports/{schedule.pk}/view/")
    assert view.status_code == 200
    assert 'data-testid="figure-engagements">' in view.content.decode()
    pdf = client.get(f"/analytics/reports/{schedule.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    delivery = schedule.deliveries.get()
    stored = client.get(f"/analytics/reports/{schedule.pk}/deliveries/{delivery.pk}/pdf/")
    assert b"".join(stored.streaming_content) == (reports.reports_dir() / delivery.pdf_path).read_bytes()
    # The community manager reads the report but cannot send it; Germany's lead does not see it.
    assert client_for("fr_community_manager").post(f"/analytics/reports/{schedule.pk}/send/").status_code == 403
    assert client_for("de_market_lead").get(f"/analytics/reports/{schedule.pk}/").status_code == 404


def test_list_page_queries_are_constant(client_for, persona, market):
    lead = persona("hq_admin")
    client = client_for("hq_admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/analytics/reports/").status_code == 200
        return len(ctx.captured_queries)

    reports.report_schedule_create(
        actor=lead, name="A", market=market("FR"), frequency="weekly", recipients="a@x.example"
    )
    first = count()
    for code in ("DE", "US", "JP"):
        reports.report_schedule_create(
            actor=lead, name=code, market=market(code), frequency="weekly", recipients="a@x.example"
        )
    assert count() == first


def test_create_through_the_form(client_for, market):
    _read_in_english("claire.martin@vireo.example")  # the error asserted below is the English one
    client = client_for("hq_admin")
    response = client.post(
        "/analytics/reports/new/",
        {
            "name": "Org monthly",
            "market": "",
            "frequency": "monthly",
            "language": "en",
            "recipients": "x",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "“x” is not an e-mail address" in response.content.decode()
    response = client.post(
        "/analytics/reports/new/",
        {
            "name": "Org monthly",
            "market": "",
            "frequency": "monthly",
            "language": "en",
            "recipients": "a@x.example",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ReportSchedule.objects.get(name="Org monthly").market is None


def test_demo_reports_are_idempotent(demo_org):
    ReportSchedule.objects.filter(organization=demo_org).delete()
    assert load_demo_reports(demo_org) is True
    assert load_demo_reports(demo_org) is False
    rows = sorted(
        ReportSchedule.objects.filter(organization=demo_org).values_list("frequency", "language", "recipients")
    )
    assert rows == [
        ("monthly", "en", ["claire.martin@vireo.example"]),
        ("weekly", "fr", ["julien.bernard@vireo.example"]),
    ]


def test_kpi_table_export_rows_are_the_dashboard_figures(persona, market, fr_week):
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 8)
    dataset = DATASETS["kpi_table"]
    rows = list(dataset.rows(persona("fr_market_lead"), ExportFilters(start, end, market("FR"))))
    [row] = [r for r in rows if r[2] == "engagements"]
    assert dict(zip(dataset.header, row, strict=True)) == {
        "objective": "Notoriété de Vireo France", "objective_market": "FR", "kpi": "engagements", "unit": "count",
        "baseline": None, "target": Decimal(10000), "target_for_period": Decimal("10000.00"),
        "actual": Decimal("7126.00"), "percent_of_target": Decimal("71.26"), "status": "missed",
        "period_start": start, "period_end": end,
    }  # fmt: skip
    # Germany's lead reads no French objective.
    de_rows = list(dataset.rows(persona("de_market_lead"), ExportFilters(start, end, None)))
    assert all(r[1] != "FR" for r in de_rows)


def test_top_posts_are_only_those_of_the_viewers_markets(persona, market, demo_org):
    """A German channel that also serves France carries German and Global posts too: a France-only viewer sees the
    French post only (texts of other markets are not theirs to read); an org admin sees all three."""
    from harmonie.content.models import MasterContent, Post
    from harmonie.content.states import PostStatus

    channel = Channel.objects.get(organization=demo_org, handle="vireo-deutschland")
    channel.served_markets.add(market("FR"))
    master = MasterContent.objects.filter(organization=demo_org).order_by("pk").first()
    at = dt.datetime(2030, 1, 3, 9, 0, tzinfo=dt.UTC)
    posts = {}
    for code, likes in (("FR", 5), ("DE", 50), ("GLOBAL", 500)):
        m = market(code) if code != "GLOBAL" else Market.objects.get(organization=demo_org, parent__isnull=True)
        post = Post.objects.create(
            organization=demo_org, channel=channel, market=m, master=master, text=f"{code} post text",
            scheduled_at=at, status=PostStatus.PUBLISHED,
        )  # fmt: skip
        PostMetricSnapshot.objects.create(
            organization=demo_org, post=post, channel=channel, day=dt.date(2030, 1, 4), captured_at=at,
            likes=likes, impressions=1000,
        )  # fmt: skip
        posts[code] = post
    start, end = dt.date(2030, 1, 1), dt.date(2030, 1, 7)

    def top(actor, chosen=None):  # type: ignore[no-untyped-def]
        report = reports.report_build(
            actor=actor, market=chosen, frequency="weekly", period_start=start, period_end=end, language="en"
        )
        return [(p.post_id, p.text, p.engagements) for p in report.top_posts]

    fr_only = persona("fr_community_manager")
    assert top(fr_only) == [(posts["FR"].pk, "FR post text", 5)]
    assert top(fr_only, market("FR")) == [(posts["FR"].pk, "FR post text", 5)]
    assert top(persona("hq_admin"), market("FR")) == [(posts["FR"].pk, "FR post text", 5)]
    assert top(persona("hq_admin")) == [
        (posts["GLOBAL"].pk, "GLOBAL post text", 500),
        (posts["DE"].pk, "DE post text", 50),
        (posts["FR"].pk, "FR post text", 5),
    ]


def test_a_member_who_lost_analytics_downloads_no_older_pdf(persona, market, fr_week, client_for):
    schedule = _fr_schedule(persona("fr_market_lead"), market)
    [delivery] = reports.report_schedules_run_due(now=MONDAY)
    assert delivery.pdf_path
    url = f"/analytics/reports/{schedule.pk}/deliveries/{delivery.pk}/pdf/"
    cm = persona("fr_community_manager")
    assert reports.report_delivery_pdf(actor=cm, schedule_pk=schedule.pk, pk=delivery.pk)[2] == (
        "report-fr-20260302-20260308.pdf"
    )
    client = client_for("fr_community_manager")
    assert client.get(url).status_code == 200
    # The community manager becomes a contributor (no analytics.view): the stored PDF is refused too.
    RoleAssignment.objects.filter(member=cm.member).update(role="contributor")
    with pytest.raises(NotPermitted):
        reports.report_delivery_pdf(actor=persona("fr_community_manager"), schedule_pk=schedule.pk, pk=delivery.pk)
    assert client.get(url).status_code in {403, 404}
