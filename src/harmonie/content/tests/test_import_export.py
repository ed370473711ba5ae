"""CSV import of posts (each row through post_create in a savepoint; valid rows, all or nothing, dry run), the
whole-file refusals, and the streamed export in the same format (export → edit → import round-trips)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from harmonie.accounts.models import User
from harmonie.content.csv_io import parse_posts_csv
from harmonie.content.demo import demo_master
from harmonie.content.models import Localization, MasterContent, Post
from harmonie.content.services.imports import posts_import
from harmonie.content.timeutils import local_to_utc, utc_to_local
from harmonie.core.errors import NotPermitted, ValidationFailed
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel

HEADER = "market,channel,source,date,time,status,text,link,first_comment,utm_campaign,utm_source,utm_medium"
EXPORT_HEADER = (
    "id,market,channel,timezone,date,time,scheduled_at_utc,status,campaign,dimension,source,text,link,"
    "first_comment,utm_campaign,utm_source,utm_medium"
)
PARIS = "Europe/Paris"


def _loc(org, code: str) -> Localization:
    return Localization.objects.get(master=demo_master(org), market__code=code)


def _local(org, code: str) -> MasterContent:
    return MasterContent.objects.get(organization=org, kind="local", market__code=code)


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _csv(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


@pytest.fixture
def sample(demo_org):
    """Three good rows and one bad row of each kind, with an empty line and a line of empty cells."""
    fr, de, jp = _loc(demo_org, "FR"), _loc(demo_org, "DE"), _loc(demo_org, "JP")
    fr_local, master = _local(demo_org, "FR"), demo_master(demo_org)
    d1, d2, d3 = _day(20), _day(21), _day(22)
    long_text = "a" * 320
    text = _csv(
        f"FR,linkedin:vireo-france,localization:{fr.pk},{d1},09:30,,,,,coat-x,linkedin,social",  # 2 good
        "",  # 3 empty
        f"FR,linkedin:vireo-france,localization:{fr.pk},2026-02-30,09:00",  # 4
        f"FR,linkedin:vireo-france,localization:{fr.pk},12/03/2027,09:00",  # 5
        f"FR,linkedin:vireo-france,localization:{fr.pk},{d1},25:00",  # 6
        f"FR,linkedin:vireo-italia,localization:{fr.pk},{d1},09:00",  # 7
        f"IT,linkedin:vireo-france,localization:{fr.pk},{d1},09:00",  # 8
        f"FR,linkedin:vireo-deutschland,localization:{fr.pk},{d1},09:00",  # 9
        f'FR,bluesky:vireo-fr.bsky.social,content:{fr_local.pk},{d2},12:00,,"Portes ouvertes à Lyon, samedi."',
        f"FR,bluesky:vireo-fr.bsky.social,content:{fr_local.pk},{d2},12:00,,{long_text}",  # 11
        f"FR,linkedin:vireo-france,localization:{de.pk},{d1},09:00",  # 12
        f"JP,x:@Vireo_JP,localization:{jp.pk},{d1},09:00",  # 13
        f"FR,linkedin:vireo-france,localization:{fr.pk},{_day(-1)},09:00",  # 14
        HEADER,  # 15
        f"US,x:@VireoUS,master:{master.pk},{d3},11:00,scheduled",  # 16 good
        ",,,,,,,,,,,",  # 17 empty cells
    )
    expected_errors = [
        (4, "date", "2026-02-30", "“2026-02-30” is not a date: write YYYY-MM-DD, such as 2027-03-12."),
        (5, "date", "12/03/2027", "“12/03/2027” is not a date: write YYYY-MM-DD, such as 2027-03-12."),
        (6, "time", "25:00", "“25:00” is not a time: write HH:MM on a 24-hour clock, such as 09:30."),
        (
            7,
            "channel",
            "linkedin:vireo-italia",
            "Unknown channel “linkedin:vireo-italia”: write network:handle (such as linkedin:our-page) or the "
            "channel's id.",
        ),
        (8, "market", "IT", "Unknown market “IT”: write the code of one of your markets."),
        (9, "channel", "linkedin:vireo-deutschland", "Vireo Deutschland (LinkedIn) does not serve France."),
        (11, "text", long_text, "Bluesky allows 300 characters (graphemes); this text has 320. Shorten it by 20."),
        (
            12,
            "source",
            f"localization:{de.pk}",
            f"“localization:{de.pk}” belongs to Germany; this row is for France.",
        ),
        (
            13,
            "source",
            f"localization:{jp.pk}",
            "This localization is pending: adopt or adapt it before making posts from it.",
        ),
        (14, "time", "09:00", "This time is in the past: choose a time to come."),
        (15, None, "", "This row repeats the header: remove it."),
    ]
    return text, expected_errors


@pytest.fixture
def client_as(client_for):
    """``client_as("hq_admin")``: logged in, interface in English (whatever the persona's saved language)."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str):
        User.objects.filter(email=emails[key]).update(language="en")
        return client_for(key)

    return get


def _errors(report):
    return [(number, e.column, e.value, e.message) for number, e in report.errors]


def test_valid_rows_saves_exactly_the_good_rows_and_reports_each_bad_one(sample, persona, demo_org):
    text, expected = sample
    before = set(Post.objects.values_list("pk", flat=True))
    report = posts_import(actor=persona("hq_admin"), data=text.encode(), mode="valid_rows", dry_run=False)

    assert _errors(report) == expected
    assert [r.number for r in report.rows] == [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]  # 3 and 17 skipped
    assert [r.number for r in report.rows if r.ok] == [2, 10, 16]
    assert (report.total, report.valid, report.failed, report.imported, report.saved) == (14, 3, 11, 3, True)

    created = Post.objects.exclude(pk__in=before).select_related("channel", "market", "localization").order_by("pk")
    # A row with a time submits its post: product posts to the HQ brand review, local ones to the market lead.
    assert [(p.market.code, p.channel.handle, p.status) for p in created] == [
        ("FR", "vireo-france", "in_review"),
        ("FR", "vireo-fr.bsky.social", "in_review"),
        ("US", "@VireoUS", "in_review"),
    ]
    first, second, third = created
    assert utc_to_local(first.scheduled_at, PARIS).strftime("%Y-%m-%d %H:%M") == f"{_day(20)} 09:30"
    assert first.utm == {"utm_campaign": "coat-x", "utm_source": "linkedin", "utm_medium": "social"}
    assert first.text == _loc(demo_org, "FR").body  # no text: the localization's
    assert second.text == "Portes ouvertes à Lyon, samedi."
    assert third.localization == _loc(demo_org, "US")  # master:<id> picks the market's adopted localization
    assert utc_to_local(third.scheduled_at, "America/New_York").strftime("%H:%M") == "11:00"
    ok = next(r for r in report.rows if r.number == 2)
    assert ok.post_id == first.pk
    local = utc_to_local(first.scheduled_at, PARIS)
    assert ok.message == (
        f"Submitted for review, planned for {_day(20)} 09:30 (Europe/Paris), {first.scheduled_at:%H:%M} UTC."
    )
    assert local.strftime("%H:%M") == "09:30"


def test_all_or_nothing_saves_nothing_and_reports_the_same_rows(sample, persona):
    text, expected = sample
    count = Post.objects.count()
    report = posts_import(actor=persona("hq_admin"), data=text, mode="all_or_nothing", dry_run=False)
    assert Post.objects.count() == count
    assert _errors(report) == expected
    assert (report.valid, report.failed, report.imported, report.saved) == (3, 11, 0, False)
    assert {r.message for r in report.rows if r.ok} == {
        "Valid, but not saved: another row failed and this import is all or nothing."
    }
    assert all(r.post_id is None for r in report.rows)


@pytest.mark.parametrize("mode", ["valid_rows", "all_or_nothing"])
def test_dry_run_saves_nothing(sample, persona, mode):
    text, expected = sample
    count = Post.objects.count()
    report = posts_import(actor=persona("hq_admin"), data=text, mode=mode, dry_run=True)
    assert Post.objects.count() == count
    assert _errors(report) == expected
    assert (report.valid, report.imported, report.saved) == (3, 0, False)
    assert next(r for r in report.rows if r.number == 2).message.startswith(
        f"Valid: would be submitted for review, planned for {_day(20)} 09:30 (Europe/Paris), "
    )


def test_all_or_nothing_saves_everything_when_every_row_passes(demo_org, persona):
    fr = _loc(demo_org, "FR")
    text = _csv(
        f"FR,linkedin:vireo-france,localization:{fr.pk},{_day(30)},10:00",
        f"FR,linkedin:vireo-france,localization:{fr.pk},{_day(31)},10:00,draft",
        f"FR,linkedin:vireo-france,localization:{fr.pk},,,draft",
    )
    count = Post.objects.count()
    report = posts_import(actor=persona("fr_community_manager"), data=text, mode="all_or_nothing", dry_run=False)
    assert (report.imported, report.failed) == (3, 0)
    assert Post.objects.count() == count + 3
    assert [r.status for r in report.rows] == ["in_review", "draft", "draft"]  # the first goes to the brand review
    assert report.rows[1].message == "Saved as a draft, without a time: schedule it from the post's page."
    drafts = Post.objects.filter(pk__in=[report.rows[1].post_id, report.rows[2].post_id])
    assert [(p.status, p.scheduled_at) for p in drafts] == [("draft", None), ("draft", None)]


def test_a_time_that_does_not_exist_on_the_channel_clock_is_a_row_error(demo_org, persona):
    fr = _loc(demo_org, "FR")
    text = _csv(
        f"FR,linkedin:vireo-france,localization:{fr.pk},2027-03-28,02:30",
        f"FR,linkedin:vireo-france,localization:{fr.pk},2027-03-28,03:30",
    )
    report = posts_import(actor=persona("hq_admin"), data=text, mode="valid_rows", dry_run=False)
    assert _errors(report) == [
        (
            2,
            "time",
            "02:30",
            "02:30 does not exist on 2027-03-28 in Europe/Paris (the clocks go forward); choose 03:30 instead.",
        )
    ]
    post = Post.objects.get(pk=report.rows[1].post_id)
    assert post.scheduled_at == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)  # 03:30 CEST


def test_semicolons_bom_crlf_and_extra_columns_are_read(demo_org, persona):
    fr = _loc(demo_org, "FR")
    header = HEADER.replace(",", ";") + ";notes"
    body = f'FR;linkedin:vireo-france;localization:{fr.pk};{_day(25)};8:05;;"Texte ; avec point-virgule";;;;;;x'
    data = ("\ufeff" + header + "\r\n" + body + "\r\n").encode()
    report = posts_import(actor=persona("hq_admin"), data=data, mode="valid_rows", dry_run=True)
    assert (report.valid, report.failed, report.ignored_columns) == (1, 0, ["notes"])


def test_a_row_with_several_problems_reports_each(demo_org, persona):
    text = _csv("XX,linkedin:nope,localization:1,tomorrow,9h,published")
    report = posts_import(actor=persona("hq_admin"), data=text, mode="valid_rows", dry_run=True)
    assert [(e.column, e.value) for _n, e in report.errors] == [
        ("status", "published"),
        ("market", "XX"),
        ("channel", "linkedin:nope"),
        ("date", "tomorrow"),
        ("time", "9h"),
    ]
    assert report.errors[0][1].message == "Unknown status “published”: write scheduled or draft (empty: scheduled)."


# --- whole-file refusals ---------------------------------------------------------------------------------


def _refusal(data, persona) -> str:
    with pytest.raises(ValidationFailed) as exc:
        posts_import(actor=persona("hq_admin"), data=data, mode="valid_rows", dry_run=False)
    assert exc.value.field == "file"
    return exc.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty: its first row must be the header (market, channel, source, date, time…)."),
        (b"\n\n", "The file is empty: its first row must be the header (market, channel, source, date, time…)."),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            "This file is not a CSV file: export your sheet as “CSV UTF-8” and upload that file.",
        ),
        (
            "march\u00e9,canal\n".encode("latin-1"),
            "This file is not a CSV file: export your sheet as “CSV UTF-8” and upload that file.",
        ),
        (
            b"FR,linkedin:vireo-france,localization:1,2027-01-04,09:00\n",
            "The first row is not a header: it must name the columns, at least market, channel, source, date, time.",
        ),
        (b"market,channel,source,date\nFR,x,y,z\n", "The header lacks the required column “time”."),
        (b"market;channel;text\n", "The header lacks the required columns “source”, “date”, “time”."),
        (
            b"market,channel,source,date,time,date\n",
            "The column “date” appears twice in the header: keep one.",
        ),
        (
            b'market,channel,source,date,time,text\nFR,a,b,c,d,"never closed\n',
            "This file cannot be read as CSV near line 2: a quote is not closed, or is followed by other characters. "
            "Put a text that holds quotes, commas or line breaks in double quotes, and double the quotes inside it.",
        ),
    ],
)
def test_whole_file_refusals(persona, data, message):
    assert _refusal(data, persona) == message


def test_too_many_rows_and_too_large_files_are_refused_with_the_limit(persona):
    rows = _csv(*["FR,linkedin:vireo-france,localization:1,2027-01-04,09:00"] * 5001)
    assert _refusal(rows, persona) == (
        "The file has 5,001 rows; at most 5,000 are imported at once: split it into smaller files."
    )
    big = (HEADER + "\n").encode() + b"x" * (5 * 1024 * 1024)
    assert _refusal(big, persona) == "The file is larger than 5 MB: split it into smaller files."
    at_the_limit = _csv(*[""] * 10, *["FR,linkedin:vireo-france,localization:1,2027-01-04,09:00"] * 5000)
    parsed = parse_posts_csv(at_the_limit)  # empty lines do not count
    assert (len(parsed.rows), parsed.rows[0].number, parsed.rows[-1].number) == (5000, 12, 5011)


def test_members_who_cannot_create_content_cannot_import(persona):
    with pytest.raises(NotPermitted):
        posts_import(actor=persona("analyst"), data=_csv(), mode="valid_rows", dry_run=True)


def test_an_unknown_mode_is_refused(persona):
    with pytest.raises(ValidationFailed) as exc:
        posts_import(actor=persona("hq_admin"), data=_csv(), mode="some", dry_run=True)
    assert (exc.value.field, exc.value.message) == ("mode", "Choose a mode: valid_rows, all_or_nothing.")


# --- scoping -------------------------------------------------------------------------------------------------


def test_a_french_community_manager_cannot_import_for_germany(demo_org, persona):
    de = _loc(demo_org, "DE")
    count = Post.objects.count()
    text = _csv(f"DE,linkedin:vireo-deutschland,localization:{de.pk},{_day(20)},10:00")
    report = posts_import(actor=persona("fr_community_manager"), data=text, mode="valid_rows", dry_run=False)
    assert _errors(report) == [
        (2, "market", "DE", "Unknown market “DE”: write the code of one of your markets."),
        (
            2,
            "channel",
            "linkedin:vireo-deutschland",
            "Unknown channel “linkedin:vireo-deutschland”: write network:handle (such as linkedin:our-page) or the "
            "channel's id.",
        ),
    ]
    assert Post.objects.count() == count


def test_a_market_in_view_but_not_in_the_members_roles_is_refused_by_the_service(demo_org, persona):
    """Global is visible to a French community manager (the markets above hers) but not hers to post in."""
    fr = _loc(demo_org, "FR")
    text = _csv(f"GLOBAL,linkedin:vireo-group,localization:{fr.pk},{_day(20)},10:00")
    report = posts_import(actor=persona("fr_community_manager"), data=text, mode="valid_rows", dry_run=True)
    assert _errors(report) == [
        (2, "source", f"localization:{fr.pk}", f"“localization:{fr.pk}” belongs to France; this row is for Global.")
    ]


# --- export ------------------------------------------------------------------------------------------------


def _export(client, **params):
    response = client.get(reverse("content:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_export_of_the_french_posts_of_the_coming_weeks(demo_org, client_as, market):
    response, rows = _export(client_as("hq_admin"), start=_day(0), end=_day(40), market=market("FR").pk)
    assert ",".join(rows[0]) == EXPORT_HEADER
    assert response["Content-Disposition"] == f'attachment; filename="posts-{_day(0)}-{_day(40)}.csv"'
    data = rows[1:]
    # 12 on LinkedIn (Mon, Wed, Fri) + 8 on Bluesky (Tue, Thu), four weeks; and the approvals demo's LinkedIn post
    # in review and its approved Bluesky post.
    assert len(data) == 22
    by_channel = {}
    for row in data:
        by_channel.setdefault(row[2], []).append(row)
    assert {k: len(v) for k, v in by_channel.items()} == {
        "linkedin:vireo-france": 13,
        "bluesky:vireo-fr.bsky.social": 9,
    }
    first = by_channel["linkedin:vireo-france"][0]
    post = Post.objects.get(pk=int(first[0]))
    local = utc_to_local(post.scheduled_at, PARIS)
    assert first[1:11] == [
        "FR", "linkedin:vireo-france", PARIS, local.date().isoformat(), "09:00",
        post.scheduled_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "scheduled", "Vireo Coat X launch", "product",
        f"localization:{post.localization_id}",
    ]  # fmt: skip
    assert first[11] == post.text
    assert {row[3] for row in data} == {PARIS}
    assert {row[5] for row in by_channel["bluesky:vireo-fr.bsky.social"]} == {"12:00"}
    assert by_channel["bluesky:vireo-fr.bsky.social"][0][10].startswith("content:")


def test_export_edit_import_round_trips(demo_org, client_as, market, persona):
    _response, rows = _export(client_as("fr_community_manager"), start=_day(0), end=_day(40), market=market("FR").pk)
    header, row = rows[0], rows[1]
    day = dt.date.fromisoformat(row[4]) + dt.timedelta(days=7)
    row[4] = day.isoformat()
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    report = posts_import(actor=persona("fr_community_manager"), data=out.getvalue(), mode="valid_rows", dry_run=False)
    assert (report.imported, report.failed, report.ignored_columns) == (1, 0, [])
    created = Post.objects.get(pk=report.rows[0].post_id)
    original = Post.objects.get(pk=int(row[0]))
    assert created.pk != original.pk
    assert utc_to_local(created.scheduled_at, PARIS).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} {row[5]}"
    assert created.scheduled_at == local_to_utc(day, dt.time.fromisoformat(row[5]), PARIS)
    assert (created.channel_id, created.localization_id, created.master_id, created.text) == (
        original.channel_id,
        original.localization_id,
        original.master_id,
        original.text,
    )


def test_export_is_scoped_to_the_members_markets(demo_org, client_as):
    _response, rows = _export(client_as("fr_community_manager"), start=_day(0), end=_day(40))
    assert len(rows) == 23  # the header and the 22 French posts
    assert {row[1] for row in rows[1:]} == {"FR"}
    assert not any(row[2] == "linkedin:vireo-deutschland" for row in rows)


def test_export_filters_by_channel_status_and_local_date(demo_org, client_as):
    client = client_as("hq_admin")
    channel = Channel.objects.get(handle="@Vireo_JP")
    _response, rows = _export(client, start=_day(0), end=_day(40), channel=channel.pk, status="scheduled")
    assert len(rows) == 9
    assert {(row[3], row[5]) for row in rows[1:]} == {("Asia/Tokyo", "09:00")}  # 00:00 UTC: the local date counts
    first_day = rows[1][4]
    _response, same_day = _export(client, start=first_day, end=first_day, channel=channel.pk)
    assert [row[4] for row in same_day[1:]] == [first_day]
    _response, cancelled = _export(client, start=_day(0), end=_day(40), status="cancelled")
    assert cancelled == [EXPORT_HEADER.split(",")]


def test_export_refuses_a_range_that_ends_before_it_starts(client_as):
    response = client_as("hq_admin").get(reverse("content:export"), {"start": _day(5), "end": _day(1)})
    assert response.status_code == 400
    assert "The range ends before it starts." in response.content.decode()


# --- the page ----------------------------------------------------------------------------------------------


def test_import_page_uploads_and_shows_the_report(sample, client_as):
    text, _expected = sample
    client = client_as("hq_admin")
    page = client.get(reverse("content:import"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="nav-content-import"' in html
    assert 'data-testid="import-progress"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    count = Post.objects.count()
    upload = SimpleUploadedFile("plan.csv", text.encode(), content_type="text/csv")
    response = client.post(
        reverse("content:import"), {"file": upload, "mode": "valid_rows"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert Post.objects.count() == count + 3
    assert "<html" not in html  # the panel only
    assert 'data-testid="import-summary">3 posts imported, 11 failed.</p>' in html
    assert html.count('data-status="ok"') == 3
    assert html.count('data-status="error"') == 11
    assert "Vireo Deutschland (LinkedIn) does not serve France." in html


def test_import_page_dry_run_and_whole_file_refusal(client_as):
    client = client_as("fr_community_manager")
    count = Post.objects.count()
    bad = SimpleUploadedFile("plan.csv", b"market,channel\n", content_type="text/csv")
    response = client.post(reverse("content:import"), {"file": bad, "mode": "valid_rows", "dry_run": "on"})
    assert response.status_code == 400
    assert "The header lacks the required columns “source”, “date”, “time”." in response.content.decode()
    assert 'data-testid="error-file"' in response.content.decode()
    assert Post.objects.count() == count


def test_members_without_content_create_see_no_import(client_as):
    client = client_as("analyst")
    html = client.get(reverse("content:import")).content.decode()
    assert 'data-testid="nav-content-import"' not in html
    assert 'data-testid="import-form"' not in html
    assert 'data-testid="export-form"' in html


def test_exported_review_statuses_read_back_as_plans_or_drafts(persona, demo_org):
    fr = _loc(demo_org, "FR")
    text = _csv(
        f"FR,linkedin:vireo-france,localization:{fr.pk},{_day(25)},09:00,approved",
        f"FR,linkedin:vireo-france,localization:{fr.pk},,,changes_requested",
        f"FR,linkedin:vireo-france,localization:{fr.pk},{_day(25)},09:00,published",
    )
    report = posts_import(actor=persona("fr_community_manager"), data=text.encode(), mode="valid_rows", dry_run=False)
    assert [(r.number, r.status, r.ok) for r in report.rows] == [(2, "in_review", True), (3, "draft", True),
                                                                 (4, "", False)]  # fmt: skip
    assert report.rows[2].errors[0].message == (
        "Unknown status “published”: write scheduled or draft (empty: scheduled)."
    )
