"""The crisis pages, as the demo personas use them: the console, declaring a crisis for France, deciding on each
held post, publishing a holding statement, ending the crisis, the after-action report and its CSV, the holding
statement library, French rendering and query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from harmonie.accounts.models import User
from harmonie.approvals.demo import PAST_CRISIS
from harmonie.approvals.models import Crisis, CrisisEvent, HoldingStatement
from harmonie.approvals.services import crisis as crisis_services
from harmonie.content.models import Post
from harmonie.content.states import HOLDABLE
from harmonie.content.timeutils import local_to_utc
from harmonie.core.models import AuditEntry
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Channel, Market

CONSOLE = "/approvals/crisis/"
STATEMENTS = "/approvals/crisis/statements/"
EMAILS = {p.key: p.email for p in PERSONAS}
CSV_HEADER = ["time", "time_zone", "event", "event_label", "actor", "post", "channel", "market", "detail"]
STATEMENT_TITLE = "Deliveries: we are looking into it"


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[..., Client]:
    """Logged in with the interface in English unless ``language`` says otherwise."""

    def get(key: str, language: str = "en") -> Client:
        User.objects.filter(email=EMAILS[key]).update(language=language)
        return client_for(key)

    return get


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _mkt(code: str) -> Market:
    return Market.objects.get(organization__slug="vireo", code=code)


def _channel(handle: str) -> Channel:
    return Channel.objects.get(organization__slug="vireo", handle=handle)


def _fr_holdable_ids() -> list[int]:
    """The French posts a crisis in France must hold: those that could still go out."""
    return sorted(
        Post.objects.filter(
            Q(market__path__startswith=_mkt("FR").path), organization__slug="vireo", status__in=HOLDABLE
        ).values_list("pk", flat=True)
    )


def _past_crisis() -> Crisis:
    return Crisis.objects.get(organization__slug="vireo", title=PAST_CRISIS)


def _declare_fr(client: Client) -> Crisis:
    response = client.post(
        CONSOLE + "declare/",
        {"title": "Fire at the Lyon plant", "reason": "A fire broke out in the Lyon plant this morning.",
         "scope": "some", "markets": [_mkt("FR").pk]},
    )  # fmt: skip
    assert response.status_code == 302, _html(response)
    crisis = Crisis.objects.get(title="Fire at the Lyon plant")
    assert response["Location"] == f"{CONSOLE}{crisis.pk}/"
    return crisis


# --- the console ----------------------------------------------------------------------------------------


def test_the_console_lists_the_past_crisis_with_a_link_to_its_report(client_as):
    response = client_as("de_market_lead").get(CONSOLE)
    assert response.status_code == 200
    assert response.context["active"] == []
    past = response.context["past"]
    assert [(r.crisis.title, r.scope, r.duration) for r in past] == [(PAST_CRISIS, "Germany", "5 h 00 min")]
    html = _html(response)
    assert 'data-testid="no-active-crisis"' in html
    assert f'href="{CONSOLE}{past[0].crisis.pk}/" data-testid="report-link-{past[0].crisis.pk}"' in html
    # Katrin manages crises in Germany: she may declare one, for Germany and its channels only.
    form = response.context["form"]
    assert list(form.fields["scope"].choices) == [("some", "Chosen markets and/or channels")]
    assert [m.code for m in form.fields["markets"].queryset] == ["DE"]
    assert sorted(c.handle for c in form.fields["channels"].queryset) == [
        "vireo-deutschland",
        "vireo_de@mastodon.social",
    ]


def test_the_declare_form_is_only_shown_to_members_managing_crises(client_as):
    html = _html(client_as("fr_community_manager").get(CONSOLE))
    assert 'data-testid="declare-form"' not in html
    html = _html(client_as("hq_admin").get(CONSOLE))
    assert 'data-testid="declare-form"' in html
    assert 'value="organization"' in html


@pytest.mark.parametrize("who", ["hq_admin", "fr_market_lead"])
def test_declaring_a_crisis_for_france_holds_exactly_the_french_posts_that_could_go_out(client_as, who):
    expected = _fr_holdable_ids()
    others = dict(Post.objects.exclude(pk__in=expected).values_list("pk", "status"))
    assert len(expected) == 22
    client = client_as(who)
    crisis = _declare_fr(client)
    assert list(crisis.markets.values_list("code", flat=True)) == ["FR"]
    assert sorted(CrisisEvent.objects.filter(crisis=crisis, kind="held").values_list("post_id", flat=True)) == expected
    assert set(Post.objects.filter(pk__in=expected).values_list("status", flat=True)) == {"on_hold"}
    assert dict(Post.objects.exclude(pk__in=expected).values_list("pk", "status")) == others

    page = client.get(f"{CONSOLE}{crisis.pk}/")
    assert page.status_code == 200
    assert "Crisis declared: 22 posts put on hold." in _html(page)
    assert sorted(row.post.pk for row in page.context["held"]) == expected
    assert "22 posts on hold" in _html(page)
    console = client.get(CONSOLE)
    assert [(r.crisis.pk, r.scope, r.on_hold) for r in console.context["active"]] == [(crisis.pk, "France", 22)]


def test_a_held_post_row_shows_its_channel_market_local_time_and_previous_status(client_as):
    client = client_as("fr_market_lead")
    held = _fr_holdable_ids()
    crisis = _declare_fr(client)
    post = Post.objects.filter(pk__in=held, held_from="in_review").get()
    html = _html(client.get(f"{CONSOLE}{crisis.pk}/"))
    row = re.search(rf'<tr data-testid="held-{post.pk}">.*?</tr>', html, re.S).group(0)
    local = timezone.localtime(post.scheduled_at, dt.timezone(dt.timedelta(hours=1)))  # Paris in winter
    assert f"{local:%H:%M}" in row
    assert "Europe/Paris" in row
    assert post.channel.display_name in row
    assert '<span class="badge status-in_review" data-testid="held-from">In review</span>' in row
    for hook in (f"release-{post.pk}", f"cancel-{post.pk}", f"reschedule-{post.pk}"):
        assert f'data-testid="{hook}"' in row


def test_the_french_community_manager_cannot_declare_nor_decide(client_as, persona, market):
    crises = Crisis.objects.count()
    client = client_as("fr_community_manager")
    response = client.post(
        CONSOLE + "declare/", {"title": "Rumour", "reason": "x", "scope": "some", "markets": [_mkt("FR").pk]}
    )
    assert response.status_code == 403
    assert "You do not have the permission &#x27;crisis.manage&#x27;" in _html(response)
    assert Crisis.objects.count() == crises
    assert set(Post.objects.filter(pk__in=_fr_holdable_ids()).values_list("status", flat=True)) != {"on_hold"}

    crisis, held = crisis_services.crisis_declare(
        actor=persona("fr_market_lead"), title="Incendie", reason="Lyon.", markets=[market("FR")]
    )
    page = client.get(f"{CONSOLE}{crisis.pk}/")
    assert page.status_code == 200
    html = _html(page)
    assert f'data-testid="held-{held[0].pk}"' in html
    for hook in ("release-", "publish-", "note-form", "end-form"):
        assert f'data-testid="{hook}' not in html
    refused = client.post(f"{CONSOLE}{crisis.pk}/posts/{held[0].pk}/release/")
    assert refused.status_code == 403
    held[0].refresh_from_db()
    assert held[0].status == "on_hold"


def test_a_market_lead_cannot_declare_for_the_whole_organization(client_as):
    response = client_as("fr_market_lead").post(
        CONSOLE + "declare/", {"title": "Everything", "reason": "Why not.", "scope": "organization"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "scope": ["Select a valid choice. organization is not one of the available choices."]
    }
    response = client_as("fr_market_lead").post(
        CONSOLE + "declare/", {"title": "Nothing", "reason": "No scope.", "scope": "some"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "markets": ["Choose at least one market or channel (or the whole organization)."]
    }
    assert not Crisis.objects.filter(title__in=["Everything", "Nothing"]).exists()


# --- deciding on held posts, ending ---------------------------------------------------------------------------


def test_ending_is_refused_while_posts_are_held_and_works_once_each_is_decided(client_as):
    client = client_as("fr_market_lead")
    held = _fr_holdable_ids()
    crisis = _declare_fr(client)

    refused = client.post(f"{CONSOLE}{crisis.pk}/end/", {"summary": "Too early."})
    assert refused.status_code == 409
    message = "22 post(s) are still on hold: release, reschedule or cancel each of them before ending the crisis."
    assert refused.context["end_form"].non_field_errors() == [message]
    assert re.search(r'data-testid="end-error">([^<]*)<', _html(refused)).group(1) == message
    assert Crisis.objects.get(pk=crisis.pk).status == "active"

    in_review = Post.objects.get(pk__in=held, held_from="in_review")
    to_reschedule, to_cancel = [p for p in held if p != in_review.pk][:2]

    # Reschedule one on the channel's wall clock (Paris).
    day = timezone.localdate() + dt.timedelta(days=40)
    post = Post.objects.select_related("channel").get(pk=to_reschedule)
    past = client.post(
        f"{CONSOLE}{crisis.pk}/posts/{post.pk}/reschedule/", {"scheduled_date": "2020-01-06", "scheduled_time": "10:00"}
    )
    assert past.status_code == 400
    assert "This time is in the past: choose a time to come." in _html(past)
    response = client.post(
        f"{CONSOLE}{crisis.pk}/posts/{post.pk}/reschedule/",
        {"scheduled_date": day.isoformat(), "scheduled_time": "10:30"},
    )
    assert (response.status_code, response["Location"]) == (302, f"{CONSOLE}{crisis.pk}/#held")
    post.refresh_from_db()
    assert (post.status, post.scheduled_at, post.held_from) == (
        "scheduled",
        local_to_utc(day, dt.time(10, 30), "Europe/Paris"),
        "",
    )

    # Cancel one.
    response = client.post(f"{CONSOLE}{crisis.pk}/posts/{to_cancel}/cancel/")
    assert response.status_code == 302
    assert Post.objects.get(pk=to_cancel).status == "cancelled"
    # Releasing a post that is not on hold any more is refused, with the reason on its page.
    again = client.post(f"{CONSOLE}{crisis.pk}/posts/{to_cancel}/release/")
    assert again.status_code == 400
    assert "This post is not on hold (it is cancelled)." in _html(again)

    # Release the rest: each goes back where it was.
    for pk in held:
        if pk not in (to_reschedule, to_cancel):
            assert client.post(f"{CONSOLE}{crisis.pk}/posts/{pk}/release/").status_code == 302
    assert Post.objects.get(pk=in_review.pk).status == "in_review"
    statuses = sorted(Post.objects.filter(pk__in=held).values_list("status", flat=True))
    assert statuses == ["cancelled", "in_review"] + ["scheduled"] * 20

    page = client.get(f"{CONSOLE}{crisis.pk}/")
    assert page.context["held"] == []
    response = client.post(f"{CONSOLE}{crisis.pk}/end/", {"summary": "Back to normal by noon."})
    assert (response.status_code, response["Location"]) == (302, f"{CONSOLE}{crisis.pk}/")
    crisis.refresh_from_db()
    assert (crisis.status, crisis.summary) == ("ended", "Back to normal by noon.")
    report = client.get(f"{CONSOLE}{crisis.pk}/")
    counts = {name: value for name, _label, value in report.context["counts"]}
    assert counts == {"held": 22, "released": 20, "rescheduled": 1, "cancelled": 1, "statements": 0}
    html = _html(report)
    assert 'data-testid="crisis-summary"' in html
    assert 'data-testid="end-form"' not in html
    assert AuditEntry.objects.filter(action="crisis.end", target_id=str(crisis.pk)).count() == 1


def test_a_note_goes_into_the_timeline(client_as):
    client = client_as("hq_admin")
    crisis = _declare_fr(client)
    empty = client.post(f"{CONSOLE}{crisis.pk}/note/", {"text": ""})
    assert empty.status_code == 400
    response = client.post(f"{CONSOLE}{crisis.pk}/note/", {"text": "Fire brigade on site."})
    assert (response.status_code, response["Location"]) == (302, f"{CONSOLE}{crisis.pk}/#timeline")
    note = CrisisEvent.objects.get(crisis=crisis, kind="note")
    assert (note.detail, note.actor_label) == ("Fire brigade on site.", "Claire Martin")


# --- holding statements during a crisis -----------------------------------------------------------------------


def test_publishing_a_holding_statement_schedules_posts_on_the_chosen_channels(client_as):
    client = client_as("fr_market_lead")
    crisis = _declare_fr(client)
    page = client.get(f"{CONSOLE}{crisis.pk}/")
    rows = page.context["statements"]
    assert [(r.statement.title, r.statement.language) for r in rows] == [
        (STATEMENT_TITLE, "de"),
        (STATEMENT_TITLE, "en"),
        (STATEMENT_TITLE, "fr"),
        (STATEMENT_TITLE, "pt-BR"),
    ]
    fr_rows = client.get(f"{CONSOLE}{crisis.pk}/?language=fr").context["statements"]
    assert [r.statement.language for r in fr_rows] == ["fr"]
    statement = fr_rows[0].statement
    offered = sorted(label for _pk, label in fr_rows[0].form.fields["channels"].choices)
    assert offered == ["Vireo France (Bluesky) · FR", "Vireo France (LinkedIn) · FR"]

    before = set(Post.objects.values_list("pk", flat=True))
    outside = client.post(
        f"{CONSOLE}{crisis.pk}/statements/{statement.pk}/publish/", {"channels": [_channel("vireo-group").pk]}
    )
    assert outside.status_code == 400
    assert outside.context["statements"][2].form.errors == {
        "channels": [f"Select a valid choice. {_channel('vireo-group').pk} is not one of the available choices."]
    }
    assert set(Post.objects.values_list("pk", flat=True)) == before

    start = timezone.now()
    channels = [_channel("vireo-france"), _channel("vireo-fr.bsky.social")]
    response = client.post(
        f"{CONSOLE}{crisis.pk}/statements/{statement.pk}/publish/", {"channels": [c.pk for c in channels]}
    )
    assert (response.status_code, response["Location"]) == (302, f"{CONSOLE}{crisis.pk}/#statements")
    new = list(Post.objects.exclude(pk__in=before).order_by("channel__handle"))
    assert [(p.channel.handle, p.market.code, p.status, p.text) for p in new] == [
        ("vireo-fr.bsky.social", "FR", "scheduled", statement.text),
        ("vireo-france", "FR", "scheduled", statement.text),
    ]
    for post in new:
        assert post.scheduled_at is not None
        assert dt.timedelta(seconds=59) <= post.scheduled_at - start <= dt.timedelta(seconds=61)
    events = CrisisEvent.objects.filter(crisis=crisis, kind="statement")
    assert sorted(e.post_id for e in events) == sorted(p.pk for p in new)
    assert {e.detail for e in events} == {f"{STATEMENT_TITLE} (fr)"}
    page = client.get(f"{CONSOLE}{crisis.pk}/")
    assert "Holding statement scheduled on 2 channels, to go out within a minute." in _html(page)
    assert page.context["first_statement"] != ""


# --- the after-action report ----------------------------------------------------------------------------------


def test_the_report_of_the_past_crisis_shows_its_timeline_in_order_with_counts_and_chart(client_as):
    crisis = _past_crisis()
    response = client_as("analyst").get(f"{CONSOLE}{crisis.pk}/")
    assert response.status_code == 200
    events = list(CrisisEvent.objects.filter(crisis=crisis).order_by("at", "pk"))
    kinds = [e.kind for e in events]
    assert kinds == ["declared"] + ["held"] * 13 + ["statement", "note"] + ["released"] * 13 + ["ended"]
    assert [e.pk for e in response.context["report"].events] == [e.pk for e in events]
    html = _html(response)
    assert re.findall(r'<tr data-testid="event" data-kind="(\w+)">', html) == kinds
    counts = {name: value for name, _label, value in response.context["counts"]}
    assert counts == {"held": 13, "released": 13, "rescheduled": 0, "cancelled": 0, "statements": 1}
    assert (response.context["duration"], response.context["first_statement"]) == ("5 h 00 min", "14 min")
    assert re.search(r'data-testid="report-duration">([^<]*)<', html).group(1) == "5 h 00 min"
    assert re.search(r'data-testid="report-first-statement">([^<]*)<', html).group(1) == "14 min"
    bars = [(b.label, b.value, b.percent) for b in response.context["kind_bars"]]
    assert bars == [
        ("Crisis declared", 1, 8),
        ("Post put on hold", 13, 100),
        ("Holding statement scheduled", 1, 8),
        ("Post released", 13, 100),
        ("Note", 1, 8),
        ("Crisis ended", 1, 8),
    ]
    assert '<li data-testid="bar-held">' in html
    assert 'data-testid="crisis-summary"' in html
    assert "Statement out in 14 minutes." in html
    # An ended crisis offers nothing to act on.
    for hook in ("release-", "publish-", "note-form", "end-form"):
        assert f'data-testid="{hook}' not in html
    # The time is shown in the viewer's zone.
    first = events[0].at.astimezone(dt.UTC)
    assert date_format(first, "D j M Y H:i") in html


def test_the_timeline_csv_has_the_header_and_one_row_per_event(client_as):
    crisis = _past_crisis()
    response = client_as("de_market_lead").get(f"{CONSOLE}{crisis.pk}/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="crisis-{crisis.pk}-timeline.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == CSV_HEADER
    assert len(rows) == 1 + 30 == 1 + CrisisEvent.objects.filter(crisis=crisis).count()
    declared = rows[1]
    assert declared[1:6] == ["UTC", "declared", "Crisis declared", "Katrin Schulz", ""]
    assert declared[8].startswith("A trade forum claimed")
    statement = next(r for r in rows if r[2] == "statement")
    assert statement[6:9] == ["Vireo Deutschland (LinkedIn)", "DE", f"{STATEMENT_TITLE} (de)"]
    assert [r[2] for r in rows[1:]] == [e.kind for e in CrisisEvent.objects.filter(crisis=crisis).order_by("at", "pk")]


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(client_as, persona, market):
    crisis, _held = crisis_services.crisis_declare(
        actor=persona("hq_admin"), title="=cmd|' /C calc'!A0", reason="-2+3", markets=[market("JP")]
    )
    for text in ('=HYPERLINK("http://evil.example")', "+1", "@SUM(A1)", "plain"):
        crisis_services.crisis_note(actor=persona("hq_admin"), crisis=crisis, text=text)
    rows = list(
        csv.reader(io.StringIO(client_as("hq_admin").get(f"{CONSOLE}{crisis.pk}/?format=csv").content.decode()))
    )
    notes = [r[8] for r in rows if r[2] == "note"]
    assert notes == ['\'=HYPERLINK("http://evil.example")', "'+1", "'@SUM(A1)", "plain"]
    assert rows[1][8] == "'-2+3"


# --- the holding statement library ----------------------------------------------------------------------------


def test_the_statement_library_lists_titles_by_language(client_as):
    response = client_as("fr_community_manager").get(STATEMENTS)
    assert response.status_code == 200
    assert response.context["languages"] == ["de", "en", "fr", "pt-BR"]
    rows = response.context["rows"]
    assert [(r.title, [s.language for s in r.cells]) for r in rows] == [(STATEMENT_TITLE, ["de", "en", "fr", "pt-BR"])]
    html = _html(response)
    assert 'data-testid="statement-new"' not in html
    assert 'data-testid="statement-edit-' not in html
    assert client_as("fr_community_manager").get(STATEMENTS + "new/").status_code == 403
    # content.approve in France only is not enough: statements are approved at Global.
    assert client_as("fr_market_lead").get(STATEMENTS + "new/").status_code == 403


def test_an_approver_at_global_writes_and_edits_a_statement(client_as):
    client = client_as("legal_approver")
    assert 'data-testid="statement-new"' in _html(client.get(STATEMENTS))
    form = client.get(STATEMENTS + "new/")
    assert form.status_code == 200
    crisis_dimension = form.context["form"].initial["dimension"]
    data = {"title": STATEMENT_TITLE, "language": "es", "dimension": crisis_dimension,
            "text": "Conocemos las informaciones sobre nuestras entregas y las estamos verificando."}  # fmt: skip
    response = client.post(STATEMENTS + "new/", data)
    assert (response.status_code, response["Location"]) == (302, STATEMENTS)
    created = HoldingStatement.objects.get(title=STATEMENT_TITLE, language="es")
    assert created.approved_by.email == EMAILS["legal_approver"]  # type: ignore[union-attr]
    assert client.get(STATEMENTS).context["languages"] == ["de", "en", "es", "fr", "pt-BR"]

    duplicate = client.post(STATEMENTS + "new/", data)
    assert duplicate.status_code == 409
    assert duplicate.context["form"].errors == {
        "title": ["A statement with this title exists in this language already."]
    }
    bad = client.post(STATEMENTS + "new/", {**data, "language": "klingon!"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["language"] == [
        "'klingon!' is not a BCP 47 language tag. Use a form such as fr, de-CH, pt-BR or zh-Hant."
    ]

    edit = client.get(f"{STATEMENTS}{created.pk}/edit/")
    assert edit.context["form"]["language"].value() == "es"
    response = client.post(f"{STATEMENTS}{created.pk}/edit/", {**data, "language": "es-MX", "text": "Nuevo texto."})
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.language, created.text) == ("es-MX", "Nuevo texto.")
    assert AuditEntry.objects.filter(target_type="approvals.holdingstatement", target_id=str(created.pk)).count() == 2


# --- French, queries ----------------------------------------------------------------------------------------


def test_the_console_renders_in_french(client_as):
    crisis = _past_crisis()
    response = client_as("hq_admin", language="fr").get(CONSOLE)
    assert response.status_code == 200
    html = _html(response)
    assert '<html lang="fr"' in html
    assert "Tableau de bord" in html
    with translation.override("fr"):
        declared = date_format(crisis.declared_at.astimezone(dt.UTC), "D j M Y H:i")
    with translation.override("en"):
        assert declared != date_format(crisis.declared_at.astimezone(dt.UTC), "D j M Y H:i")
    assert declared in html


def test_the_console_runs_a_fixed_number_of_queries(client_as, persona, market, django_assert_max_num_queries):
    client = client_as("hq_admin")
    client.get(CONSOLE)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(CONSOLE).status_code == 200
    hq = persona("hq_admin")
    for code in ("BR", "US"):
        crisis, held = crisis_services.crisis_declare(
            actor=hq, title=f"Past in {code}", reason="x", markets=[market(code)]
        )
        for post in held:
            crisis_services.crisis_cancel_post(actor=hq, crisis=crisis, post=post)
        crisis_services.crisis_end(actor=hq, crisis=crisis)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert len(client.get(CONSOLE).context["past"]) == 3
