"""The one-voice report on the pages: the scores of the coverage grid (one batch per page, a fixed number of
queries), the report of a localization, its French rendering, and real variants made through the content services,
with the demo's exact values."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from harmonie.accounts.models import User
from harmonie.approvals.consistency import VoiceChecker, VoiceReport, coverage_scores
from harmonie.approvals.onevoice import CharterFindingRef, Grade, KeyMessageRef, one_voice_report
from harmonie.content import selectors, services
from harmonie.content.demo import demo_master, load_demo
from harmonie.content.models import ContentKind, Localization, LocalizationState, MasterContent
from harmonie.governance.demo import PERSONAS
from harmonie.governance.models import Dimension, Market, Organization
from harmonie.governance.permissions import Actor
from harmonie.strategy import services as strategy_services
from harmonie.strategy.models import KeyMessage

FR_REASON = "Figure “35%” became “30 %” (−20)"
CO_DEVELOP_NOTE = (
    "The master itself does not say the key message “We co-develop with our customers' engineers, close to their "
    "plants.”: it is not asked of the local version."
)


@pytest.fixture
def demo(demo_org: Organization) -> MasterContent:
    """The content demo's master "Vireo Coat X: curing 35% faster" (loading the demo again does nothing)."""
    load_demo(demo_org)
    return demo_master(demo_org)


@pytest.fixture
def client_as(client_for: Callable[[str], Client]) -> Callable[..., Client]:
    """``client_as("hq_admin", "fr")``: logged in, the interface in that language (English unless told)."""
    emails = {p.key: p.email for p in PERSONAS}

    def get(key: str, language: str = "en") -> Client:
        User.objects.filter(email=emails[key]).update(language=language)
        return client_for(key)

    return get


def _loc(master: MasterContent, code: str) -> Localization:
    return master.localizations.get(market__code=code)


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment: tags dropped, entities decoded, white space collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _cell(html: str, testid: str) -> str:
    match = re.search(rf'<td [^>]*data-testid="{re.escape(testid)}"[^>]*>.*?</td>', html, re.S)
    assert match, testid
    return match.group(0)


def _scores(html: str, master: MasterContent, codes: list[str]) -> dict[str, tuple[str, str, str] | None]:
    """Per market: the cell's (score, grade, title) or None when the cell shows no score."""
    out: dict[str, tuple[str, str, str] | None] = {}
    for code in codes:
        found = re.search(
            r'class="ov-chip ov-(\w+)" title="([^"]*)" data-testid="cov-score" data-localization="\d+" '
            r'data-score="(\d+)" data-grade="(\w+)"',
            _cell(html, f"cov-{master.pk}-{code}"),
        )
        if found is None:
            out[code] = None
            continue
        css, title, score, grade = found.groups()
        assert css == grade
        out[code] = (score, grade, html_lib.unescape(title))
    return out


def _items(html: str, testid: str) -> list[tuple[str, str]]:
    """(status, visible text) of each ``<li data-testid=testid ...>`` of the report."""
    items = re.findall(rf'<li data-testid="{testid}"[^>]*?data-status="(\w+)">(.*?)</li>', html, re.S)
    return [(status, _text(body)) for status, body in items]


def _all(html: str, testid: str) -> list[str]:
    return [_text(m) for m in re.findall(rf'<li data-testid="{testid}"[^>]*>(.*?)</li>', html, re.S)]


def _attribute(html: str, testid: str, name: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*?{name}="([^"]*)"', html)
    assert found, (testid, name)
    return found.group(1)


# --- the coverage grid ---------------------------------------------------------------------------


def test_coverage_grid_scores_each_adopted_and_adapted_cell(
    demo: MasterContent, client_as: Callable[..., Client]
) -> None:
    html = client_as("hq_admin").get(reverse("content:coverage")).content.decode()
    assert _scores(html, demo, ["FR", "DE", "US", "BR", "JP"]) == {
        "FR": ("80", "review", f"To review: {FR_REASON}"),  # adapted on version 1: outdated, still says 30 %
        "DE": ("100", "consistent", "Consistent: nothing deducted."),
        "US": ("100", "consistent", "Consistent: nothing deducted."),  # adopted: the master's own text
        "BR": None,  # declined
        "JP": None,  # pending
    }
    # The states are still shown next to the scores; the score links to the localization's report.
    fr = _cell(html, f"cov-{demo.pk}-FR")
    assert 'data-state="outdated"' in fr
    assert f'href="/content/localizations/{_loc(demo, "FR").pk}/#one-voice"' in fr
    # The master's mean score: (80 + 100 + 100) / 3 = 93.3 -> 93, consistent.
    average = _cell(html, f"cov-avg-{demo.pk}")
    assert 'data-score="93" data-grade="consistent"' in average
    assert _text(average) == "93"
    legend = re.search(r'<ul class="legend ov-legend" data-testid="ov-legend">(.*?)</ul>', html, re.S)
    assert legend
    assert re.findall(r'<li data-grade="(\w+)">(.*?)</li>', legend.group(1)) == [
        ("consistent", '<span class="ov-chip ov-consistent">85–100</span>Consistent'),
        ("review", '<span class="ov-chip ov-review">60–84</span>To review'),
        ("off_message", '<span class="ov-chip ov-off_message">0–59</span>Off message'),
    ]


def test_a_master_without_scored_localization_has_no_mean(
    demo: MasterContent,
    client_as: Callable[..., Client],
    persona: Callable[[str], Actor],
    market: Callable[[str], Market],
) -> None:
    hq = persona("hq_admin")
    fresh = services.master_create(
        actor=hq, market=market("GLOBAL"), dimension=demo.dimension, campaign=demo.campaign,
        title="Coat X datasheet", body="Vireo Coat X: the datasheet.", source_language="en",
    )  # fmt: skip
    services.localization_request(actor=hq, master=fresh, market=market("JP"), language="ja-JP")
    html = client_as("hq_admin").get(reverse("content:coverage")).content.decode()
    average = _cell(html, f"cov-avg-{fresh.pk}")
    assert "data-score" not in average
    assert _text(average) == "—"
    assert _scores(html, fresh, ["FR", "JP"]) == {"FR": None, "JP": None}


def test_campaign_page_grid_shows_the_same_scores(demo: MasterContent, client_as: Callable[..., Client]) -> None:
    html = client_as("hq_admin").get(reverse("content:campaign", args=[demo.campaign_id])).content.decode()
    assert _scores(html, demo, ["FR", "DE", "US", "BR", "JP"]) == {
        "FR": ("80", "review", f"To review: {FR_REASON}"),
        "DE": ("100", "consistent", "Consistent: nothing deducted."),
        "US": ("100", "consistent", "Consistent: nothing deducted."),
        "BR": None,
        "JP": None,
    }
    assert 'data-score="93" data-grade="consistent"' in _cell(html, f"cov-avg-{demo.pk}")
    assert 'data-testid="ov-legend"' in html


def test_a_cell_lists_at_most_three_reasons_in_its_title(
    demo: MasterContent, client_as: Callable[..., Client], persona: Callable[[str], Actor]
) -> None:
    de = services.localization_adapt(
        actor=persona("de_market_lead"), localization=_loc(demo, "DE"), title="",
        body="Vireo Coatx härtet schneller aus. Revolutionär! Nordalys kann das nicht.",
    )  # fmt: skip
    report = VoiceChecker(persona("hq_admin")).localization(de)
    assert report is not None
    assert report.report.reasons == (
        "Figure “35%” is missing (−15)",
        "Figure “80” is missing (−15)",
        "Name “Vireo Coat X” is misspelled as “Vireo Coatx” (−10)",
        "Charter rule blocks: Unsubstantiated superlatives: “Revolutionär” matches the banned term “revolutionär”. "
        "Remove it or rephrase. (−20)",
        "Charter warning: Competitors are not named: This names the competitor Nordalys. Remove the name, or have the "
        "comparison reviewed. (−5)",
    )
    assert (report.score, report.grade) == (35, "off_message")
    html = client_as("hq_admin").get(reverse("content:coverage")).content.decode()
    title = (
        "Off message: Figure “35%” is missing (−15); Figure “80” is missing (−15); "
        "Name “Vireo Coat X” is misspelled as “Vireo Coatx” (−10) (and 2 more)"
    )
    assert _scores(html, demo, ["DE"]) == {"DE": ("35", "off_message", title)}
    # (80 + 35 + 100) / 3 = 71.7 -> 72, to review.
    assert 'data-score="72" data-grade="review"' in _cell(html, f"cov-avg-{demo.pk}")


# --- queries -------------------------------------------------------------------------------------


def _grow(org: Organization, demo: MasterContent) -> int:
    """Eight more masters (two dimensions, key messages) localized in every country: adopted, adapted, outdated,
    declined, pending. Returns how many localizations can be scored."""
    messages = list(KeyMessage.objects.filter(organization=org))
    dimensions = list(Dimension.objects.filter(organization=org).order_by("pk")[:2])
    masters = MasterContent.objects.bulk_create([
        MasterContent(organization=org, market=demo.market, dimension=dimensions[i % 2], campaign=demo.campaign,
                      title=f"Extra master {i}", body=f"Vireo Coat X cures {20 + i}% faster. Our materials cut our "
                      "customers' CO2 emissions by 20% on average.", source_language="en", version=2)
        for i in range(8)
    ])  # fmt: skip
    through = MasterContent.key_messages.through
    through.objects.bulk_create([
        through(mastercontent_id=m.pk, keymessage_id=k.pk) for m in masters for k in messages
    ])  # fmt: skip
    countries = {m.code: m for m in Market.objects.filter(organization=org, code__in=["FR", "DE", "US", "BR", "JP"])}
    plan = [
        ("FR", "fr-FR", LocalizationState.ADAPTED, "Vireo Coat X durcit {n} % plus vite.", 1),
        ("DE", "de-DE", LocalizationState.ADAPTED, "Die Beschichtung härtet {n} % schneller aus.", 2),
        ("US", "en-US", LocalizationState.ADOPTED, "", 2),
        ("BR", "pt-BR", LocalizationState.DECLINED, "", 2),
        ("JP", "ja-JP", LocalizationState.PENDING, "", 1),
    ]
    Localization.objects.bulk_create([
        Localization(master=m, market=countries[code], language=language, state=state,
                     body=body.format(n=20 + i), based_on_version=version)
        for i, m in enumerate(masters) for code, language, state, body, version in plan
    ])  # fmt: skip
    return 3 * len(masters)


def test_coverage_page_runs_the_same_queries_whatever_the_grid(
    demo: MasterContent, demo_org: Organization, client_as: Callable[..., Client]
) -> None:
    clients = {who: client_as(who) for who in ("hq_admin", "fr_community_manager")}

    def measure() -> dict[str, tuple[int, int]]:
        """Per member: (queries, scored cells) of the coverage page."""
        out = {}
        for who, client in clients.items():
            client.get(reverse("content:coverage"))  # the session and the caches are warm
            with CaptureQueriesContext(connection) as queries:
                html = client.get(reverse("content:coverage")).content.decode()
            out[who] = (len(queries), html.count('data-testid="cov-score"'))
        return out

    before = measure()
    assert _grow(demo_org, demo) == 24
    after = measure()
    # France's community manager sees France only (FR is the one scored cell of each master).
    assert {who: scored for who, (_queries, scored) in before.items()} == {"hq_admin": 3, "fr_community_manager": 1}
    assert {who: scored for who, (_queries, scored) in after.items()} == {"hq_admin": 27, "fr_community_manager": 9}
    assert {who: queries for who, (queries, _scored) in after.items()} == {
        who: queries for who, (queries, _scored) in before.items()
    }


def test_the_scores_of_a_grid_cost_four_queries_once_masters_are_prefetched(
    demo: MasterContent,
    demo_org: Organization,
    persona: Callable[[str], Actor],
    django_assert_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    hq = persona("hq_admin")
    _grow(demo_org, demo)
    masters = list(
        selectors.master_list(actor=hq, kind=ContentKind.MASTER).prefetch_related("key_messages").order_by("pk")
    )
    localizations = [loc for m in masters for loc in m.localizations.all()]
    # Brand names, Global's language, key message wordings, charter rules: whatever the number of localizations.
    with django_assert_num_queries(4):
        reports = coverage_scores(actor=hq, localizations=localizations)
    assert len(reports) == 3 + 24
    assert {r.grade for r in reports.values()} == {"consistent", "review", "off_message"}


# --- the localization page -----------------------------------------------------------------------


def test_localization_page_shows_the_report_of_the_outdated_french_wording(
    demo: MasterContent, client_as: Callable[..., Client]
) -> None:
    html = client_as("fr_market_lead").get(reverse("content:localization", args=[_loc(demo, "FR").pk])).content.decode()
    assert _attribute(html, "ov-score", "data-score") == "80"
    assert _attribute(html, "ov-grade", "data-grade") == "review"
    assert _text(re.search(r'data-testid="ov-grade"[^>]*>(.*?)</span>', html).group(1)) == "To review"  # type: ignore[union-attr]
    assert _all(html, "ov-reason") == [FR_REASON]
    assert _items(html, "ov-figure") == [("changed", "changed 35% → 30 %"), ("preserved", "preserved 80")]
    assert _items(html, "ov-name") == [("preserved", "preserved Vireo Coat X")]
    # The demo master carries a key message it does not say: nothing is asked of France, and the page says so.
    assert _items(html, "ov-key-message") == []
    assert _all(html, "ov-note") == [CO_DEVELOP_NOTE]
    assert 'data-section="links"' not in html
    assert 'data-section="charter"' not in html
    assert 'style="width: 80%"' in html


@pytest.mark.parametrize(("code", "score"), [("DE", "100"), ("US", "100")])
def test_localization_page_of_a_faithful_variant_has_nothing_deducted(
    demo: MasterContent, client_as: Callable[..., Client], code: str, score: str
) -> None:
    html = client_as("hq_admin").get(reverse("content:localization", args=[_loc(demo, code).pk])).content.decode()
    assert _attribute(html, "ov-score", "data-score") == score
    assert _attribute(html, "ov-grade", "data-grade") == "consistent"
    assert _all(html, "ov-reason") == []
    assert 'data-testid="ov-no-reason">Nothing deducted: the local text says what the master says.</p>' in html
    assert [status for status, _text in _items(html, "ov-figure")] == ["preserved", "preserved"]


@pytest.mark.parametrize("code", ["BR", "JP"])
def test_declined_and_pending_localizations_have_no_report(
    demo: MasterContent, client_as: Callable[..., Client], code: str
) -> None:
    html = client_as("hq_admin").get(reverse("content:localization", args=[_loc(demo, code).pk])).content.decode()
    assert 'data-testid="one-voice"' not in html
    assert 'data-testid="ov-score"' not in html


def test_the_report_is_rendered_in_the_member_s_language(demo: MasterContent, client_as: Callable[..., Client]) -> None:
    """A French member reads the page in French; the report's labels and reasons are translated with the page (the
    report is built during the request, in its language)."""
    client = client_as("fr_market_lead", "fr")
    html = client.get(reverse("content:localization", args=[_loc(demo, "FR").pk])).content.decode()
    assert '<html lang="fr"' in html
    assert "<h2>Adopter tel quel</h2>" in html
    with translation.override("fr"):
        reason = gettext("Figure “%(master)s” became “%(variant)s” (−%(points)d)") % {
            "master": "35%", "variant": "30 %", "points": 20,
        }  # fmt: skip
        grade = str(Grade.REVIEW.label)
        changed, preserved = pgettext("one-voice status", "changed"), pgettext("one-voice status", "preserved")
        title, hint = gettext("One voice"), gettext("%(grade)s: %(reasons)s") % {"grade": grade, "reasons": reason}
    assert _attribute(html, "ov-score", "data-score") == "80"
    assert f'data-grade="review">{grade}</span>' in html
    assert _all(html, "ov-reason") == [reason]
    assert _items(html, "ov-figure") == [("changed", f"{changed} 35% → 30 %"), ("preserved", f"{preserved} 80")]
    assert f'<h2 id="one-voice-title">{title} ' in html
    coverage = client.get(reverse("content:coverage")).content.decode()
    assert _scores(coverage, demo, ["FR"]) == {"FR": ("80", "review", hint)}
    assert "<h1>Couverture</h1>" in coverage


# --- the partial on its own: every section --------------------------------------------------------


def test_the_partial_renders_every_section_of_a_report() -> None:
    master = (
        "Vireo Coat X cures 30% faster and costs €49 per litre. Made in Lyon. "
        "Details: https://vireo.example/en/coat-x https://vireo.example/en/support #VireoCoatX #Lyon"
    )
    variant = (
        "Vireo Coatx durcit 35 % plus vite, dès 2027. Détails : https://vireo.example/fr/coat-x #PeintureVireo "
        "Fabriqué à Lyon."
    )
    report = one_voice_report(
        master_text=master, master_language="en", variant_text=variant, variant_language="fr-FR",
        key_messages=(
            KeyMessageRef(id=1, label="Cures 30% faster", wording="Durcit 30 % plus vite"),
            KeyMessageRef(id=2, label="Made in Lyon", wording="Fabriqué à Lyon"),
            KeyMessageRef(id=3, label="Costs €49", wording="Coûte 49 € le litre"),
        ),
        brand_names=("Vireo", "Vireo Coat X"), hashtag_map={"#VireoCoatX": ["#PeintureVireo"]},
        charter_findings=(
            CharterFindingRef(severity="block", message="Unsubstantiated superlatives: “révolutionnaire”"),
            CharterFindingRef(severity="warn", message="Tracked links: add utm parameters"),
        ),
    )  # fmt: skip
    html = render_to_string("approvals/_one_voice.html", {"one_voice": VoiceReport(report, ["No wording for Japan."])})
    assert _items(html, "ov-key-message") == [
        ("covered", "covered Cures 30% faster 2 of 3 words · missing words: 30"),
        ("covered", "covered Made in Lyon 2 of 2 words"),
        ("missing", "missing Costs €49 0 of 3 words · missing words: coute, 49, litre"),
    ]
    assert _items(html, "ov-figure") == [
        ("changed", "changed 30% → 35 %"),
        ("missing", "missing €49"),
    ]
    assert _all(html, "ov-extra-figure") == ["added 2027 in the local text only"]
    assert _items(html, "ov-link") == [
        ("mapped", "mapped https://vireo.example/en/coat-x → https://vireo.example/fr/coat-x"),
        ("missing", "missing https://vireo.example/en/support"),
        ("mapped", "mapped #VireoCoatX → #PeintureVireo"),
        ("missing", "missing #Lyon"),
    ]
    assert _items(html, "ov-name") == [("misspelled", "misspelled Vireo Coat X written “Vireo Coatx”")]
    assert _all(html, "ov-charter") == [
        "blocks Unsubstantiated superlatives: “révolutionnaire”",
        "warning Tracked links: add utm parameters",
    ]
    assert "1 blocking · 1 warning" in _text(html)
    assert _all(html, "ov-note") == ["No wording for Japan."]
    assert _all(html, "ov-reason") == list(report.reasons)
    assert _attribute(html, "ov-score", "data-score") == str(report.score)
    assert _attribute(html, "ov-grade", "data-grade") == "off_message"


# --- real variants through the content services ----------------------------------------------------

COAT_BODY = (
    "Our materials cut our customers' CO2 emissions by 20% on average: Vireo Coat X cures in 12 minutes. "
    "Every litre is made in our Lyon plant."
)
FR_FAITHFUL = (
    "Nos matériaux réduisent en moyenne de 20 % les émissions de CO2 de nos clients : Vireo Coat X durcit en "
    "12 minutes. Chaque litre est fabriqué dans notre usine de Lyon."
)
DE_FIGURE_CHANGED = (
    "Unsere Werkstoffe senken die CO2-Emissionen unserer Kunden um durchschnittlich 20 %: Vireo Coat X härtet in "
    "15 Minuten aus. Jeder Liter wird in unserem Werk in Lyon hergestellt."
)
BR_KEY_MESSAGE_DROPPED = (
    "Nossos materiais reduzem em média 20% as emissões de CO2 dos nossos clientes: Vireo Coat X cura em 12 minutos."
)
CO2 = "Our materials cut our customers' CO2 emissions by 20% on average."
LYON = "Every litre is made in our Lyon plant."


@pytest.fixture
def coat(
    demo: MasterContent, persona: Callable[[str], Actor], market: Callable[[str], Market]
) -> Callable[[str, str, str, str], Localization]:
    """A new master in English carrying two key messages worded for France, Germany and Brazil; ``coat(code,
    language, persona, text)`` adapts it in that market through the content services."""
    hq = persona("hq_admin")
    co2 = KeyMessage.objects.get(organization=hq.organization, text=CO2)  # worded for FR and DE by the demo
    lyon = strategy_services.key_message_create(actor=hq, text=LYON)
    wordings = [
        (lyon, "FR", "Chaque litre est fabriqué dans notre usine de Lyon."),
        (lyon, "DE", "Jeder Liter wird in unserem Werk in Lyon hergestellt."),
        (lyon, "BR", "Cada litro é fabricado na nossa fábrica de Lyon."),
        (co2, "BR", "Nossos materiais reduzem em média 20% as emissões de CO2 dos nossos clientes."),
    ]
    for message, code, text in wordings:
        strategy_services.key_message_adapt(actor=hq, message=message, market=market(code), text=text)
    master = services.master_create(
        actor=hq, market=market("GLOBAL"), dimension=demo.dimension, title="Vireo Coat X: lower CO2, made in Lyon",
        body=COAT_BODY, source_language="en", key_messages=[co2, lyon],
    )  # fmt: skip

    def adapt(code: str, language: str, who: str, text: str) -> Localization:
        existing = master.localizations.filter(market__code=code, language=language).first()
        loc = existing or services.localization_request(actor=hq, master=master, market=market(code), language=language)
        return services.localization_adapt(actor=persona(who), localization=loc, title="", body=text)

    return adapt


def _report(persona: Callable[[str], Actor], localization: Localization) -> VoiceReport:
    report = VoiceChecker(persona("hq_admin")).localization(localization)
    assert report is not None
    return report


def _key_rows(report: VoiceReport) -> list[tuple[str, str, int, int, tuple[str, ...]]]:
    return [
        (k.key_message.label, k.status.value, k.found, k.total, k.missing_words) for k in report.report.key_messages
    ]


def _figure_rows(report: VoiceReport) -> list[tuple[str, str, str | None]]:
    return [(c.figure.text, c.status.value, c.found.text if c.found else None) for c in report.report.figures]


def test_a_faithful_french_variant_is_consistent(
    coat: Callable[[str, str, str, str], Localization], persona: Callable[[str], Actor]
) -> None:
    report = _report(persona, coat("FR", "fr-FR", "fr_market_lead", FR_FAITHFUL))
    assert (report.score, report.grade, report.report.reasons, report.notes) == (100, "consistent", (), [])
    assert _key_rows(report) == [(CO2, "covered", 8, 8, ()), (LYON, "covered", 5, 5, ())]
    assert _figure_rows(report) == [("20%", "preserved", "20 %"), ("12", "preserved", "12")]
    assert [(n.name, n.status.value) for n in report.report.names] == [("Vireo Coat X", "preserved")]


def test_a_german_variant_that_changed_a_figure_is_to_review(
    coat: Callable[[str, str, str, str], Localization], persona: Callable[[str], Actor]
) -> None:
    report = _report(persona, coat("DE", "de-DE", "de_market_lead", DE_FIGURE_CHANGED))
    assert (report.score, report.grade, report.notes) == (80, "review", [])
    assert report.report.reasons == ("Figure “12” became “15” (−20)",)
    assert _figure_rows(report) == [("20%", "preserved", "20 %"), ("12", "changed", "15")]
    assert _key_rows(report) == [(CO2, "covered", 9, 9, ()), (LYON, "covered", 6, 6, ())]


def test_a_brazilian_variant_that_dropped_a_key_message_is_to_review(
    coat: Callable[[str, str, str, str], Localization], persona: Callable[[str], Actor]
) -> None:
    report = _report(persona, coat("BR", "pt-BR", "br_community_manager", BR_KEY_MESSAGE_DROPPED))
    assert (report.score, report.grade, report.notes) == (75, "review", [])
    assert report.report.reasons == (f"Key message “{LYON}” is missing (−25)",)
    assert _key_rows(report) == [
        (CO2, "covered", 9, 9, ()),
        (LYON, "missing", 0, 4, ("cada", "litro", "fabricado", "lyon")),
    ]
    assert _figure_rows(report) == [("20%", "preserved", "20%"), ("12", "preserved", "12")]


def test_a_misspelled_brand_costs_ten_points(
    coat: Callable[[str, str, str, str], Localization], persona: Callable[[str], Actor]
) -> None:
    coat("FR", "fr-FR", "fr_market_lead", FR_FAITHFUL)
    # France edits its wording; a typo slips into the product name.
    report = _report(persona, coat("FR", "fr-FR", "fr_market_lead", FR_FAITHFUL.replace("Vireo Coat X", "Vireo Coatx")))
    assert (report.score, report.grade) == (90, "consistent")
    assert report.report.reasons == ("Name “Vireo Coat X” is misspelled as “Vireo Coatx” (−10)",)
    assert [(n.name, n.status.value, n.found) for n in report.report.names] == [
        ("Vireo Coat X", "misspelled", ("Vireo Coatx",))
    ]


def test_key_messages_without_a_wording_in_the_language_are_noted_not_scored(
    coat: Callable[[str, str, str, str], Localization], persona: Callable[[str], Actor]
) -> None:
    report = _report(
        persona,
        coat("US", "es-US", "us_market_lead", "Vireo Coat X reduce un 20% el CO2 y cura en 12 minutos en Lyon."),
    )
    assert (report.score, report.grade, report.report.reasons, report.report.key_messages) == (
        100, "consistent", (), (),
    )  # fmt: skip
    assert report.notes == [
        f"Key message “{CO2}” has no wording for United States in es-US: add one in the brand platform so it can be "
        "checked.",
        f"Key message “{LYON}” has no wording for United States in es-US: add one in the brand platform so it can be "
        "checked.",
    ]


def test_the_localization_page_shows_the_dropped_key_message_and_its_missing_words(
    coat: Callable[[str, str, str, str], Localization], client_as: Callable[..., Client]
) -> None:
    loc = coat("BR", "pt-BR", "br_community_manager", BR_KEY_MESSAGE_DROPPED)
    html = client_as("hq_admin").get(reverse("content:localization", args=[loc.pk])).content.decode()
    assert _attribute(html, "ov-score", "data-score") == "75"
    assert _items(html, "ov-key-message") == [
        ("covered", f"covered {CO2} 9 of 9 words"),
        ("missing", f"missing {LYON} 0 of 4 words · missing words: cada, litro, fabricado, lyon"),
    ]
    assert _all(html, "ov-reason") == [f"Key message “{LYON}” is missing (−25)"]
    assert 'data-testid="ov-notes"' not in html
