"""The one-voice check on real localizations of one master: exact statuses, scores, grades and reasons."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from harmonie.approvals import onevoice
from harmonie.approvals.onevoice import (
    WEIGHTS,
    CharterFindingRef,
    Figure,
    FigureKind,
    Grade,
    KeyMessageRef,
    OneVoiceReport,
    Status,
    extract_figures,
    one_voice_report,
    significant_words,
)

MASTER = (
    "Vireo Coat X cures 30% faster and costs €49 per litre from 12 March 2027. Made in Lyon. "
    "Details: https://vireo.example/en/coat-x #VireoCoatX"
)
BRANDS = ("Vireo", "Vireo Coat X")
MASTER_URL = "https://vireo.example/en/coat-x"

# The key messages of the master, as each market is expected to say them.
KEY_MESSAGES = {
    "fr-FR": (
        KeyMessageRef(id=1, label="Cures 30% faster", wording="Durcit 30 % plus vite"),
        KeyMessageRef(id=2, label="Made in Lyon", wording="Fabriqué à Lyon"),
    ),
    "de-DE": (
        KeyMessageRef(id=1, label="Cures 30% faster", wording="Härtet 30 % schneller aus"),
        KeyMessageRef(id=2, label="Made in Lyon", wording="Hergestellt in Lyon"),
    ),
    "pt-BR": (
        KeyMessageRef(id=1, label="Cures 30% faster", wording="Cura 30% mais rápido"),
        KeyMessageRef(id=2, label="Made in Lyon", wording="Fabricado em Lyon"),
    ),
}

# Faithful translations, with each market's typography (narrow no-break spaces in French).
FR_FAITHFUL = (
    "Vireo Coat X durcit 30\u202f% plus vite et coûte 49\u00a0€ le litre à partir du 12 mars 2027. "
    "Fabriqué à Lyon. Détails : https://vireo.example/fr/coat-x #PeintureVireo"
)
DE_FAITHFUL = (
    "Vireo Coat X härtet 30 % schneller aus und kostet 49 € pro Liter ab dem 12. März 2027. "
    "Hergestellt in Lyon. Details: https://vireo.de/coat-x #VireoCoatX"
)
PT_FAITHFUL = (
    "Vireo Coat X cura 30% mais rápido e custa € 49 o litro a partir de 12 de março de 2027. "
    "Fabricado em Lyon. Detalhes: https://vireo.example/en/coat-x/?utm_source=instagram&utm_medium=social "
    "#vireocoatx"
)


def check(variant: str, language: str, **kwargs: object) -> OneVoiceReport:
    return one_voice_report(
        master_text=MASTER,
        master_language="en",
        variant_text=variant,
        variant_language=language,
        key_messages=KEY_MESSAGES[language],
        brand_names=BRANDS,
        **kwargs,  # type: ignore[arg-type]
    )


def figure_rows(report: OneVoiceReport) -> list[tuple[str, str, str | None]]:
    return [(c.figure.text, c.status.value, c.found.text if c.found else None) for c in report.figures]


def normalized(text: str, language: str) -> list[tuple[str, Decimal, str | None]]:
    return [(f.kind.value, f.value, f.unit) for f in extract_figures(text, language=language)]


# --- Whole reports on the localizations of one master ---------------------------------------------------------


def test_faithful_french_variant_maps_the_link_and_the_hashtag():
    report = check(FR_FAITHFUL, "fr-FR", hashtag_map={"vireocoatx": ["PeintureVireo"]})

    assert (report.score, report.grade, report.reasons) == (100, Grade.CONSISTENT, ())
    assert [(k.key_message.id, k.status, k.found, k.total) for k in report.key_messages] == [
        (1, Status.COVERED, 3, 3),
        (2, Status.COVERED, 2, 2),
    ]
    assert figure_rows(report) == [
        ("30%", "preserved", "30\u202f%"),
        ("€49", "preserved", "49\u00a0€"),
        ("12 March 2027", "preserved", "12 mars 2027"),
    ]
    assert report.extra_figures == ()
    assert [(c.url, c.status, c.found) for c in report.links] == [
        (MASTER_URL, Status.MAPPED, "https://vireo.example/fr/coat-x")
    ]
    assert [(c.tag, c.status, c.found) for c in report.hashtags] == [("#VireoCoatX", Status.MAPPED, "#PeintureVireo")]
    # "Vireo" only stands inside "Vireo Coat X" in the master: it is not checked on its own.
    assert [(c.name, c.status, c.found) for c in report.names] == [("Vireo Coat X", Status.PRESERVED, ())]


def test_french_variant_without_the_hashtag_map_misses_the_hashtag():
    report = check(FR_FAITHFUL, "fr-FR")

    assert (report.score, report.grade) == (95, Grade.CONSISTENT)
    assert report.reasons == ("Hashtag #VireoCoatX is missing (−5)",)


def test_faithful_german_variant_uses_the_link_map_for_its_own_domain():
    report = check(DE_FAITHFUL, "de-DE", link_map={MASTER_URL: ["https://vireo.de/coat-x/"]})

    assert (report.score, report.grade, report.reasons) == (100, Grade.CONSISTENT, ())
    assert figure_rows(report) == [
        ("30%", "preserved", "30 %"),
        ("€49", "preserved", "49 €"),
        ("12 March 2027", "preserved", "12. März 2027"),
    ]
    assert [(c.status, c.found) for c in report.links] == [(Status.MAPPED, "https://vireo.de/coat-x")]
    assert [(c.status, c.found) for c in report.hashtags] == [(Status.PRESERVED, "#VireoCoatX")]


def test_german_link_on_another_domain_without_a_link_map_is_missing():
    report = check(DE_FAITHFUL, "de-DE")

    assert (report.score, report.grade) == (90, Grade.CONSISTENT)
    assert report.reasons == ("Link https://vireo.example/en/coat-x is missing (−10)",)


def test_faithful_brazilian_variant_keeps_the_link_despite_slash_and_utm_parameters():
    report = check(PT_FAITHFUL, "pt-BR")

    assert (report.score, report.grade, report.reasons) == (100, Grade.CONSISTENT, ())
    assert figure_rows(report) == [
        ("30%", "preserved", "30%"),
        ("€49", "preserved", "€ 49"),
        ("12 March 2027", "preserved", "12 de março de 2027"),
    ]
    assert [(c.status, c.found) for c in report.links] == [
        (Status.PRESERVED, "https://vireo.example/en/coat-x/?utm_source=instagram&utm_medium=social")
    ]
    assert [(c.status, c.found) for c in report.hashtags] == [(Status.PRESERVED, "#vireocoatx")]


def test_french_variant_that_changed_a_figure():
    variant = FR_FAITHFUL.replace("30\u202f%", "35\u202f%")
    report = check(variant, "fr-FR", hashtag_map={"VireoCoatX": ["#peinturevireo"]})

    assert (report.score, report.grade) == (80, Grade.REVIEW)
    assert report.reasons == ("Figure “30%” became “35\u202f%” (−20)",)
    assert figure_rows(report) == [
        ("30%", "changed", "35\u202f%"),
        ("€49", "preserved", "49\u00a0€"),
        ("12 March 2027", "preserved", "12 mars 2027"),
    ]
    # Two of the three significant words ("durcit", "vite") are still there: the message itself is covered.
    first = report.key_messages[0]
    assert (first.status, first.found, first.total, first.missing_words) == (Status.COVERED, 2, 3, ("30",))


def test_german_variant_that_dropped_a_key_message():
    variant = DE_FAITHFUL.replace(" Hergestellt in Lyon.", "")
    report = check(variant, "de-DE", link_map={MASTER_URL: ["https://vireo.de/coat-x"]})

    assert (report.score, report.grade) == (75, Grade.REVIEW)
    assert report.reasons == ("Key message “Made in Lyon” is missing (−25)",)
    dropped = report.key_messages[1]
    assert (dropped.status, dropped.found, dropped.total, dropped.missing_words) == (
        Status.MISSING,
        0,
        2,
        ("hergestellt", "lyon"),
    )


def test_brazilian_variant_with_a_misspelled_product_name_and_no_hashtag_stays_just_consistent():
    variant = PT_FAITHFUL.replace("Vireo Coat X", "Vireo CoatX").replace(" #vireocoatx", "")
    report = check(variant, "pt-BR")

    assert (report.score, report.grade) == (85, Grade.CONSISTENT)
    assert report.reasons == (
        "Hashtag #VireoCoatX is missing (−5)",
        "Name “Vireo Coat X” is misspelled as “Vireo CoatX” (−10)",
    )
    assert [(c.name, c.status, c.found) for c in report.names] == [
        ("Vireo Coat X", Status.MISSPELLED, ("Vireo CoatX",))
    ]


def test_off_message_variant_loses_everything_and_the_score_stops_at_zero():
    variant = "Vireo coat-x sèche plus vite, 59\u00a0€ le litre dès le 1er avril 2027, en 2 couches. #Peinture"
    findings = (
        CharterFindingRef(severity="block", message="“sèche” is a banned term."),
        CharterFindingRef(severity="warn", message="Add a call to action."),
    )
    report = check(variant, "fr-FR", charter_findings=findings)

    assert (report.score, report.grade) == (0, Grade.OFF_MESSAGE)
    assert report.reasons == (
        "Key message “Cures 30% faster” is missing (−25)",
        "Key message “Made in Lyon” is missing (−25)",
        "Figure “30%” is missing (−15)",
        "Figure “€49” became “59\u00a0€” (−20)",
        "Figure “12 March 2027” became “1er avril 2027” (−20)",
        "Link https://vireo.example/en/coat-x is missing (−10)",
        "Hashtag #VireoCoatX is missing (−5)",
        "Name “Vireo Coat X” is misspelled as “Vireo coat-x” (−10)",
        "Charter rule blocks: “sèche” is a banned term. (−20)",
        "Charter warning: Add a call to action. (−5)",
    )
    assert figure_rows(report) == [
        ("30%", "missing", None),
        ("€49", "changed", "59\u00a0€"),
        ("12 March 2027", "changed", "1er avril 2027"),
    ]
    assert report.extra_figures == (Figure(kind=FigureKind.NUMBER, value=Decimal(2), unit=None, text="2"),)
    assert (report.charter_blocks, report.charter_warnings, report.charter_findings) == (1, 1, findings)


@pytest.mark.parametrize(
    ("severities", "score", "grade"),
    [
        (("warn",) * 3, 85, Grade.CONSISTENT),
        (("warn",) * 4, 80, Grade.REVIEW),
        (("block", "block"), 60, Grade.REVIEW),
        (("block", "block", "warn"), 55, Grade.OFF_MESSAGE),
    ],
)
def test_grade_boundaries(severities, score, grade):
    findings = [CharterFindingRef(severity=s, message="m") for s in severities]
    report = one_voice_report(
        master_text=MASTER,
        master_language="en",
        variant_text=MASTER,
        variant_language="en",
        charter_findings=findings,
    )
    assert (report.score, report.grade) == (score, grade)
    assert len(report.reasons) == len(severities)


def test_weights_are_the_documented_ones():
    assert (
        WEIGHTS.missing_key_message,
        WEIGHTS.changed_figure,
        WEIGHTS.missing_figure,
        WEIGHTS.missing_link,
        WEIGHTS.missing_hashtag,
        WEIGHTS.misspelled_name,
        WEIGHTS.missing_name,
        WEIGHTS.charter_block,
        WEIGHTS.charter_warn,
    ) == (25, 20, 15, 10, 5, 10, 10, 20, 5)


def test_labels_of_statuses_and_grades():
    assert [s.label for s in Status] == ["covered", "preserved", "mapped", "changed", "misspelled", "missing"]
    assert [g.label for g in Grade] == ["Consistent", "To review", "Off message"]


def test_unknown_charter_severity_is_refused():
    with pytest.raises(ValueError, match="'block' or 'warn'"):
        CharterFindingRef(severity="info", message="m")  # type: ignore[arg-type]


def test_module_imports_no_models():
    tree = ast.parse(Path(onevoice.__file__).read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert [name for name in imported if name.endswith("models") or name.startswith("django.db")] == []


# --- Key messages ----------------------------------------------------------------------------------------------

TERRACE = KeyMessageRef(
    id="terrace", label="For wooden terraces", wording="Durable waterproof coating for wooden terraces"
)


@pytest.mark.parametrize(
    ("variant", "status", "found", "missing_words"),
    [
        # 3 of 5 significant words: 60 %, covered ("coating" and "wood" match by their stems).
        ("A durable coating for wood.", Status.COVERED, 3, ("waterproof", "terraces")),
        # 2 of 5: 40 %, missing.
        ("A durable coating.", Status.MISSING, 2, ("waterproof", "wooden", "terraces")),
    ],
)
def test_key_message_threshold_on_both_sides(variant, status, found, missing_words):
    report = one_voice_report(
        master_text="Durable waterproof coating for wooden terraces.",
        master_language="en",
        variant_text=variant,
        variant_language="en-GB",
        key_messages=[TERRACE],
    )
    check_ = report.key_messages[0]
    assert (check_.status, check_.found, check_.total, check_.missing_words) == (status, found, 5, missing_words)
    expected_reasons = () if status is Status.COVERED else ("Key message “For wooden terraces” is missing (−25)",)
    assert report.reasons == expected_reasons


@pytest.mark.parametrize(
    ("one", "other"),
    [("rapide", "rapides"), ("faster", "fast"), ("schneller", "schnell"), ("Fabriqué", "fabrique"), ("cures", "cure")],
)
def test_light_stemming_matches_inflected_forms(one, other):
    assert [stem for _word, stem in significant_words(one)] == [stem for _word, stem in significant_words(other)]


def test_light_stemming_keeps_different_words_apart():
    assert significant_words("rapide")[0][1] != significant_words("rigide")[0][1]


def test_significant_words_drop_stop_words_and_keep_digits():
    assert significant_words("Le revêtement le plus rapide du marché, 30 % de mieux") == [
        ("revetement", "revet"),
        ("rapide", "rapid"),
        ("marche", "march"),
        ("30", "30"),
        ("mieux", "mieux"),
    ]


# --- Figures across locales -------------------------------------------------------------------------------------

PCT = ("percent", Decimal("1.5"), "%")
PRICE = ("number", Decimal("1299.50"), None)
EUR49 = ("money", Decimal(49), "EUR")
USD1299 = ("money", Decimal(1299), "USD")
MARCH_12 = ("date", Decimal(20270312), None)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1.5%", "en", [PCT]),
        ("1,5 %", "fr-FR", [PCT]),
        ("1,5\u202f%", "fr-FR", [PCT]),
        ("1,5\u00a0%", "fr", [PCT]),
        ("1,5 %", "de-DE", [PCT]),
        ("1,5%", "pt-BR", [PCT]),
        ("30 Prozent", "de-DE", [("percent", Decimal(30), "%")]),
        ("1,299.50", "en-US", [PRICE]),
        ("1 299,50", "fr-FR", [PRICE]),
        ("1\u202f299,50", "fr-FR", [PRICE]),
        ("1.299,50", "de-DE", [PRICE]),
        ("1.299,50", "pt-BR", [PRICE]),
        ("€49", "en", [EUR49]),
        ("49 €", "fr-FR", [EUR49]),
        ("49 EUR", "de-DE", [EUR49]),
        ("49 euros", "fr-FR", [EUR49]),
        ("$1,299", "en-US", [USD1299]),
        ("US$ 1.299", "pt-BR", [USD1299]),
        ("1 299 $", "fr-FR", [USD1299]),
        ("1\u202f299 $US", "fr-FR", [USD1299]),
        ("R$ 1.299,90", "pt-BR", [("money", Decimal("1299.9"), "BRL")]),
        # The ambiguous "1,500": a thousand and a half in English, one and a half in French and German.
        ("1,500", "en-US", [("number", Decimal(1500), None)]),
        ("1,500", "fr-FR", [("number", Decimal("1.5"), None)]),
        ("1,500", "de-DE", [("number", Decimal("1.5"), None)]),
        ("1.500", "de-DE", [("number", Decimal(1500), None)]),
        ("1.500", "en-US", [("number", Decimal("1.5"), None)]),
        # Written with another locale's decimal point: not a thousands group, so a decimal.
        ("1.5", "de-DE", [("number", Decimal("1.5"), None)]),
        ("12 March 2027", "en-GB", [MARCH_12]),
        ("March 12, 2027", "en-US", [MARCH_12]),
        ("12 mars 2027", "fr-FR", [MARCH_12]),
        ("12. März 2027", "de-DE", [MARCH_12]),
        ("12 de março de 2027", "pt-BR", [MARCH_12]),
        ("2027-03-12", "de-DE", [MARCH_12]),
        ("12/03/2027", "fr-FR", [MARCH_12]),
        ("12.03.2027", "de-DE", [MARCH_12]),
        ("12/03/2027", "pt-BR", [MARCH_12]),
        ("12/03/2027", "en-GB", [MARCH_12]),
        ("03/12/2027", "en-US", [MARCH_12]),
        ("12/03/2027", "en-US", [("date", Decimal(20271203), None)]),
        ("03/12/2027", "fr-FR", [("date", Decimal(20271203), None)]),
        # No 13th month: read day-first even in en-US.
        ("13/03/2027", "en-US", [("date", Decimal(20270313), None)]),
        ("1er mars 2027", "fr-FR", [("date", Decimal(20270301), None)]),
        ("le 12 mars", "fr-FR", [("date", Decimal(312), None)]),
        # A year alone is a number; the year of a date is not counted again.
        ("en 2027", "fr-FR", [("number", Decimal(2027), None)]),
        ("Le 12 mars 2027, 2027 clients", "fr-FR", [MARCH_12, ("number", Decimal(2027), None)]),
        # "out" is October in Portuguese, but "3 out of 5" holds no date.
        ("3 out of 5", "pt-BR", [("number", Decimal(3), None), ("number", Decimal(5), None)]),
        # Links, hashtags and names with digits hold no figures.
        ("Voir https://vireo.example/p/2027?id=49 #Coat2027 et H2O", "fr-FR", []),
    ],
)
def test_figures_are_normalized_across_locales(text, language, expected):
    assert normalized(text, language) == expected


def test_figures_keep_the_text_as_written_in_order():
    figures = extract_figures("Dès le 12. März 2027: 30 % günstiger, nur 49 € statt 70 €.", language="de-DE")
    assert [(f.kind, f.text) for f in figures] == [
        (FigureKind.DATE, "12. März 2027"),
        (FigureKind.PERCENT, "30 %"),
        (FigureKind.MONEY, "49 €"),
        (FigureKind.MONEY, "70 €"),
    ]


def test_unknown_language_falls_back_to_english_conventions():
    assert normalized("1,500 and 03/12/2027", "zz-ZZ") == [("number", Decimal(1500), None), MARCH_12]


# --- Links, hashtags and names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant_url", "link_map", "status"),
    [
        ("https://vireo.example/en/coat-x/", {}, Status.PRESERVED),
        ("https://vireo.example/en/coat-x?utm_source=li&utm_campaign=q1", {}, Status.PRESERVED),
        ("https://vireo.example/fr-fr/coat-x", {}, Status.MAPPED),
        ("https://www.vireo.example/de/coat-x", {}, Status.MAPPED),
        ("https://vireo.example/fr/coat-y", {}, Status.MISSING),
        ("https://vireo.example/en/coat-x?ref=fr", {}, Status.MISSING),
        ("https://vireo.fr/peinture-coat-x", {MASTER_URL: ["https://vireo.fr/peinture-coat-x"]}, Status.MAPPED),
        ("https://vireo.fr/peinture-coat-x", {"https://vireo.example/en/other": ["https://vireo.fr/peinture-coat-x"]},
         Status.MISSING),
    ],
)  # fmt: skip
def test_link_statuses(variant_url, link_map, status):
    report = one_voice_report(
        master_text=f"Details: {MASTER_URL}",
        master_language="en",
        variant_text=f"Détails : {variant_url}.",
        variant_language="fr-FR",
        link_map=link_map,
    )
    assert [(c.url, c.status, c.found if status is not Status.MISSING else None) for c in report.links] == [
        (MASTER_URL, status, None if status is Status.MISSING else variant_url)
    ]


@pytest.mark.parametrize(
    ("variant", "hashtag_map", "expected"),
    [
        ("#VIREOCOATX", {}, [("#VireoCoatX", Status.PRESERVED, "#VIREOCOATX"), ("#Lyon", Status.MISSING, None)]),
        ("#PeintureVireo #lyon", {"VireoCoatX": ["PeintureVireo"]},
         [("#VireoCoatX", Status.MAPPED, "#PeintureVireo"), ("#Lyon", Status.PRESERVED, "#lyon")]),
        ("#Peinture #Lyon", {"VireoCoatX": ["PeintureVireo"]},
         [("#VireoCoatX", Status.MISSING, None), ("#Lyon", Status.PRESERVED, "#Lyon")]),
    ],
)  # fmt: skip
def test_hashtag_statuses(variant, hashtag_map, expected):
    report = one_voice_report(
        master_text="#VireoCoatX #Lyon #vireocoatx",
        master_language="en",
        variant_text=variant,
        variant_language="fr-FR",
        hashtag_map=hashtag_map,
    )
    assert [(c.tag, c.status, c.found) for c in report.hashtags] == expected


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        (
            "Vireo présente Vireo Coat X.",
            [("Vireo Coat X", Status.PRESERVED, ()), ("Vireo", Status.PRESERVED, ())],
        ),
        (
            "VIREO présente vireo coat-x.",
            [("Vireo Coat X", Status.MISSPELLED, ("vireo coat-x",)), ("Vireo", Status.MISSPELLED, ("VIREO",))],
        ),
        # The short name inside the long one does not stand for the short name.
        (
            "Vireo Coat X, le nouveau revêtement.",
            [("Vireo Coat X", Status.PRESERVED, ()), ("Vireo", Status.MISSING, ())],
        ),
        (
            "Viréo présente Vireo Coat X.",
            [("Vireo Coat X", Status.PRESERVED, ()), ("Vireo", Status.MISSPELLED, ("Viréo",))],
        ),
        # A hashtag is no spelling of the name.
        ("Le nouveau revêtement #VireoCoatX", [("Vireo Coat X", Status.MISSING, ()), ("Vireo", Status.MISSING, ())]),
    ],
)
def test_name_statuses_longest_first(variant, expected):
    report = one_voice_report(
        master_text="Vireo launches Vireo Coat X.",
        master_language="en",
        variant_text=variant,
        variant_language="fr-FR",
        brand_names=BRANDS,
    )
    assert [(c.name, c.status, c.found) for c in report.names] == expected


def test_missing_and_misspelled_names_cost_points():
    report = one_voice_report(
        master_text="Vireo launches Vireo Coat X.",
        master_language="en",
        variant_text="VIREO lance un revêtement.",
        variant_language="fr-FR",
        brand_names=BRANDS,
    )
    assert (report.score, report.grade) == (80, Grade.REVIEW)
    assert report.reasons == (
        "Name “Vireo Coat X” is missing (−10)",
        "Name “Vireo” is misspelled as “VIREO” (−10)",
    )
