"""The charter lint engine on real sentences: exact findings, exact spans in the original text."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import regex
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harmonie.core.errors import ValidationFailed
from harmonie.strategy.charter import Finding, LintContext, RuleKind, RuleSpec, Severity, lint, validate_params
from harmonie.strategy.charter.text import fold

PARIS = ZoneInfo("Europe/Paris")
FR = LintContext(language="fr-FR", network="linkedin")
DE = LintContext(language="de-DE", network="linkedin")
EN = LintContext(language="en-US", network="linkedin")


def rule(kind: str, params: dict[str, Any], *, rule_id: int | str = 1, severity: str = "block") -> RuleSpec:
    return RuleSpec(id=rule_id, kind=kind, severity=severity, params=params, name="r", rationale="Because.")


def spans(findings: list[Finding]) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.excerpt) for f in findings]


def check(text: str, kind: str, params: dict[str, Any], context: LintContext = FR) -> list[Finding]:
    findings = lint(text=text, rules=[rule(kind, params)], context=context)
    for f in findings:  # the excerpt is always the original characters at the span
        assert f.excerpt == text[f.start : f.end]
    return findings


# --- Banned terms ------------------------------------------------------------------------------------------


def test_fr_banned_terms_with_exception_flag_only_the_unsubstantiated_claim():
    text = "Découvrez nos produits RÉVOLUTIONNAIRES, livraison gratuite !"
    findings = check(
        text,
        "banned_term",
        {"terms": ["produit révolutionnaire", "gratuit"], "exceptions": ["livraison gratuite"]},
    )
    assert findings == [
        Finding(
            rule_id=1,
            kind="banned_term",
            severity="block",
            message=(
                "“produits RÉVOLUTIONNAIRES” matches the banned term “produit révolutionnaire”. Remove it or rephrase."
            ),
            start=14,
            end=39,
            rationale="Because.",
            excerpt="produits RÉVOLUTIONNAIRES",
        )
    ]


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("gratuit", "GRATUITS et gratuite, pas engratuitement ni gratuitement.", ["GRATUITS", "gratuite"]),
        ("garantie", "Deux garanties, une garantie.", ["garanties", "garantie"]),
        ("produit revolutionnaire", "Produit révolutionnaire", ["Produit révolutionnaire"]),
        # any whitespace (line break, no-break space) between the words, inflection on each word
        ("produit révolutionnaire", "Des produits\n  révolutionnaires, un produit\u00a0révolutionnaire.",
         ["produits\n  révolutionnaires", "produit\u00a0révolutionnaire"]),
        # accents typed as combining marks: the span keeps the mark
        ("révolutionnaire", "Un outil re\u0301volutionnaire.", ["re\u0301volutionnaire"]),
        ("guaranteed", "Guaranteed results, guaranteeing growth, two guarantees.",
         ["Guaranteed", "guaranteeing", "guarantees"]),
        ("revolutionary", "Two revolutionaries", ["revolutionaries"]),
        ("game changer", "A true game-changer, and more game changers.", ["game-changer", "game changers"]),
        ("revolutionär", "Revolutionäre Werkstoffe, ein revolutionärer Schritt.", ["Revolutionäre", "revolutionärer"]),
        ("Lösung", "Neue Lösungen für die Lösung.", ["Lösungen", "Lösung"]),
        ("Produkt", "Unsere Produkte, des Produktes.", ["Produkte", "Produktes"]),
        ("heureux", "Une cliente heureuse", ["heureuse"]),
        ("best in the world", "The Best  In The World!", ["Best  In The World"]),
        ("data", "ta data, metadata", ["data"]),
    ],
)  # fmt: skip
def test_banned_terms_tolerate_case_accents_and_inflections(term, text, expected):
    assert [f.excerpt for f in check(text, "banned_term", {"terms": [term]})] == expected


def test_spans_point_at_original_characters_after_emoji_and_sharp_s():
    text = "🇫🇷👍🏽 Die Straße, die STRASSE und GROẞE Sorgen."
    findings = check(text, "banned_term", {"terms": ["strasse", "große Sorge"]})
    # 🇫🇷 is two code points, 👍🏽 two more: "Straße" starts at 9
    assert spans(findings) == [(9, 15, "Straße"), (21, 28, "STRASSE"), (33, 45, "GROẞE Sorgen")]
    assert findings[0].message == "“Straße” matches the banned term “strasse”. Remove it or rephrase."


def test_exceptions_are_accent_and_case_tolerant_and_only_cover_their_own_span():
    text = "Livraison GRATUITE et essai gratuit."
    findings = check(text, "banned_term", {"terms": ["gratuit"], "exceptions": ["livraison gratuite"]})
    assert spans(findings) == [(28, 35, "gratuit")]


def test_overlapping_terms_of_one_rule_give_one_finding_on_the_longest():
    text = "Un produit révolutionnaire."
    findings = check(text, "banned_term", {"terms": ["révolutionnaire", "produit révolutionnaire"]})
    assert spans(findings) == [(3, 26, "produit révolutionnaire")]


# Hypothesis: a disguised occurrence of a term put between any texts is found exactly where it was put.
TERMS = {
    "gratuit": ["gratuit", "gratuite", "gratuits", "gratuites"],
    "produit révolutionnaire": ["produit révolutionnaire", "produits révolutionnaires"],
    "straße": ["straße", "strasse", "straßen"],
    "garantie": ["garantie", "garanties"],
    "game changer": ["game changer", "game changers"],
    "sponsorisé": ["sponsorisé", "sponsorisée", "sponsorisés"],
}
NOISE = st.lists(
    st.one_of(
        st.sampled_from([*"aéßẞ ,.'’-#\n\u0301\u00a0", "👍🏽", "🇫🇷", "👨‍👩‍👧", "日本", "gratuit "]),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
).map("".join)


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    term = draw(st.sampled_from(sorted(TERMS)))
    form = draw(st.sampled_from(TERMS[term]))
    out = []
    for word_index, word in enumerate(form.split(" ")):
        if word_index:
            out.append(draw(st.sampled_from([" ", "  ", "\n", "\u00a0", "\u202f", "-"])))
        for char in word:
            variant = draw(st.sampled_from(["same", "upper", "nfd"]))
            if variant == "upper":
                out.append(draw(st.sampled_from(["ẞ", "SS"])) if char == "ß" else char.upper())
            elif variant == "nfd":
                out.append(unicodedata.normalize("NFD", char))
            else:
                out.append(char)
    return term, "".join(out)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=disguised(),
    before=NOISE,
    after=NOISE,
    left=st.sampled_from([" ", "\n", "(", "« ", "👍🏽 ", "l'"]),
    right=st.sampled_from([" ", ".", ")", " »", "’s", "!👍🏽"]),
)
def test_property_a_disguised_term_is_found_exactly_where_it_is(case, before, after, left, right):
    term, variant = case
    prefix, suffix = before + left, right + after
    assume(not unicodedata.category(suffix[0]).startswith("M"))  # a combining mark would join the word
    text = prefix + variant + suffix
    found = spans(check(text, "banned_term", {"terms": [term]}))
    assert (len(prefix), len(prefix) + len(variant), variant) in found


PIECES = st.sampled_from([*"aeéiEÉßẞs ,.'’-_\n\u0301\u0308\u200d\u00a0", "👍🏽", "🇫🇷", "日本", "\u0600"])


@settings(max_examples=500)
@given(data=st.data(), term=st.text(alphabet="abeéisßü ", min_size=1, max_size=10))
def test_property_spans_are_non_empty_whole_graphemes_whose_excerpt_alone_is_flagged(data, term):
    assume(term.strip())
    params = validate_params(kind="banned_term", params={"terms": [term]})
    variants = st.sampled_from([term, term.upper(), unicodedata.normalize("NFD", term), term + "s", term + "e"])
    text = "".join(data.draw(st.lists(st.one_of(PIECES, variants, st.characters()), max_size=12)))
    bounds = {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}
    for f in check(text, "banned_term", params):
        assert 0 <= f.start < f.end <= len(text)
        assert f.start in bounds
        assert f.end in bounds
        assert [(x.start, x.end) for x in check(f.excerpt, "banned_term", params)] == [(0, len(f.excerpt))]


# --- Competitors -------------------------------------------------------------------------------------------


def test_competitor_names_with_possessive_and_plural():
    text = "Unlike Acme's coatings (and Acme’s glue), ACME MATERIALS products and the Acmes fade. Acmeco is fine."
    findings = check(text, "competitor", {"names": ["Acme", "Acme Materials"]}, EN)
    assert spans(findings) == [
        (7, 13, "Acme's"),
        (28, 34, "Acme’s"),
        (42, 56, "ACME MATERIALS"),
        (74, 79, "Acmes"),
    ]
    assert [f.message for f in findings[1:3]] == [
        "This names the competitor Acme. Remove the name, or have the comparison reviewed.",
        "This names the competitor Acme Materials. Remove the name, or have the comparison reviewed.",
    ]


# --- Required mentions -------------------------------------------------------------------------------------

DISCLOSURE = {"mentions": ["Publicité", "Collaboration commerciale"], "when_any": ["partenariat", "sponsorisé", "#ad"]}


def test_required_mention_triggered_without_mention_spans_the_first_trigger():
    text = "Notre partenariat avec Vireo : découvrez la gamme."
    findings = check(text, "required_mention", DISCLOSURE)
    assert spans(findings) == [(6, 17, "partenariat")]
    assert findings[0].message == (
        "The text mentions “partenariat”, so it must carry one of: “Publicité”, “Collaboration commerciale”. Add one."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Notre partenariat avec Vireo. PUBLICITE",  # accent- and case-tolerant
        "Contenu sponsorisé — collaboration  commerciale.",
        "Une nouvelle gamme chez Vireo.",  # no trigger: the rule does not apply
    ],
)
def test_required_mention_satisfied_or_not_triggered(text):
    assert check(text, "required_mention", DISCLOSURE) == []


def test_required_mention_triggers_are_inflection_tolerant_and_hashtags_count():
    assert spans(check("Vidéos sponsorisées #ad", "required_mention", DISCLOSURE)) == [(7, 19, "sponsorisées")]
    assert spans(check("New drop #AD", "required_mention", DISCLOSURE, EN)) == [(9, 12, "#AD")]


def test_required_mention_without_triggers_spans_the_whole_text():
    text = "Rejoignez-nous !"
    findings = check(text, "required_mention", {"mentions": ["Vireo"]})
    assert spans(findings) == [(0, 16, "Rejoignez-nous !")]
    assert findings[0].message == "The text carries none of the required mentions. Add one of: “Vireo”."


# --- Hashtags ----------------------------------------------------------------------------------------------


def test_hashtags_beyond_max_and_forbidden_ones_case_insensitive():
    text = "#Innovation #Nachhaltigkeit #Chemie #inovação, see https://x.com/a#anchor and #AD"
    findings = check(text, "hashtags", {"max": 2, "forbidden": ["#ad"]}, EN)
    assert spans(findings) == [
        (28, 35, "#Chemie"),
        (36, 45, "#inovação"),
        (78, 81, "#AD"),
        (78, 81, "#AD"),
    ]
    assert [f.message for f in findings[2:]] == [
        "#AD is one hashtag too many: the charter allows 2 and the text has 5. Remove the extra ones.",
        "#AD is a forbidden hashtag (#ad). Remove it.",
    ]


def test_hashtag_rules_on_unicode_tags_urls_and_required_ones():
    text = "Tokyo #日本 #INOVACAO C# https://vireo.example/#/jobs &#39;"
    params = {"required": ["Inovação", "#Vireo"], "forbidden": ["日本"]}
    findings = check(text, "hashtags", params, EN)
    assert [(f.start, f.end, f.message) for f in findings] == [
        (0, 57, "Add the required hashtag(s) #Vireo."),
        (6, 9, "#日本 is a forbidden hashtag (#日本). Remove it."),
    ]


# --- Length ------------------------------------------------------------------------------------------------

BLUESKY = {"max": 300, "network": "bluesky"}


def test_length_counts_graphemes_on_bluesky():
    # 296 plain letters + e with a combining accent + 👍🏽 + 👨‍👩‍👧 + 🇫🇷 = 300 graphemes, 307 code points
    text = "a" * 296 + "e\u0301" + "👍🏽" + "👨‍👩‍👧" + "🇫🇷"
    assert len(text) == 307
    assert check(text, "length", BLUESKY, LintContext(network="bluesky")) == []
    longer = text + "e\u0301!"
    findings = check(longer, "length", BLUESKY, LintContext(network="bluesky"))
    assert spans(findings) == [(307, 310, "e\u0301!")]
    assert findings[0].message == "The text is 302 characters long; bluesky allows 300. Cut 2."


def test_length_for_another_network_does_not_apply_but_a_network_free_limit_does():
    text = "Un texte un peu trop long."
    assert check(text, "length", {"max": 10, "network": "bluesky"}, LintContext(network="linkedin")) == []
    assert check(text, "length", {"max": 10, "network": "bluesky"}, LintContext()) == []
    findings = check(text, "length", {"max": 10}, LintContext(network="linkedin"))
    assert spans(findings) == [(10, 26, "n peu trop long.")]
    assert findings[0].message == "The text is 26 characters long; the charter allows 10. Cut 16."


# --- UTM ---------------------------------------------------------------------------------------------------


def test_utm_flags_only_the_untracked_link():
    text = (
        "Read more at https://vireo.example/news?utm_source=linkedin&utm_medium=social. Or https://vireo.example/jobs."
    )
    findings = check(text, "utm", {"required": ["utm_source", "utm_medium"]}, EN)
    assert spans(findings) == [(82, 108, "https://vireo.example/jobs")]
    assert findings[0].message == (
        "This link has no utm_source, utm_medium. Add them so visits from this post are measured."
    )


def test_utm_default_parameters_domains_bare_www_and_brackets():
    text = (
        "Voir (https://vireo.example/a_(b)) et www.vireo.example/x?utm_source=a&utm_medium=&utm_campaign=c, "
        "https://blog.vireo.example/y?utm_source=a&utm_medium=b&utm_campaign=c. https://other.example/z"
    )
    findings = check(text, "utm", {"domains": ["https://Vireo.example/"]})
    assert spans(findings) == [
        (6, 33, "https://vireo.example/a_(b)"),
        (38, 97, "www.vireo.example/x?utm_source=a&utm_medium=&utm_campaign=c"),
    ]
    assert [f.message for f in findings] == [
        "This link has no utm_source, utm_medium, utm_campaign. Add them so visits from this post are measured.",
        "This link has no utm_medium. Add them so visits from this post are measured.",  # empty value = missing
    ]


# --- Forms of address --------------------------------------------------------------------------------------

VOUS = {"language": "fr", "form": "formal"}
SIE = {"language": "de", "form": "formal"}
DU = {"language": "de", "form": "informal"}


def test_fr_vous_rule_flags_tu_forms_and_elided_t():
    text = "Inscris-toi vite et t’inscrire reste simple : ton avis compte"
    findings = check(text, "address_form", VOUS)
    assert spans(findings) == [(8, 11, "toi"), (20, 22, "t’"), (46, 49, "ton")]
    assert findings[0].message == "“toi” tutoie the reader; this charter says “vous”. Rewrite with vous, votre or vos."


def test_fr_vous_rule_keeps_to_whole_words_and_skips_the_noun_ton():
    text = "Adoptez le bon ton. Ton équipe, ta data, t'es là, il s'est tu. Tu viens ? Votre avis."
    assert spans(check(text, "address_form", VOUS)) == [(20, 23, "Ton"), (32, 34, "ta"), (41, 43, "t'"),
                                                        (63, 65, "Tu")]  # fmt: skip


def test_fr_tu_rule_flags_vous_forms():
    findings = check("Vous et votre équipe, vos idées.", "address_form", {"language": "fr", "form": "informal"})
    assert spans(findings) == [(0, 4, "Vous"), (8, 13, "votre"), (22, 25, "vos")]


def test_de_sie_rule_flags_du_forms():
    text = "Hast du schon unsere neue Broschüre? Dein Team wird sie lieben."
    findings = check(text, "address_form", SIE, DE)
    assert spans(findings) == [(5, 7, "du"), (37, 41, "Dein")]
    assert findings[1].message == (
        "“Dein” addresses the reader as “du”; this charter says “Sie”. Rewrite with Sie, Ihnen or Ihr."
    )


def test_de_du_rule_flags_polite_forms_except_at_sentence_start():
    text = "Wir danken Ihnen. Sie finden Ihre Unterlagen hier."
    findings = check(text, "address_form", DU, DE)
    assert spans(findings) == [(11, 16, "Ihnen"), (29, 33, "Ihre")]
    assert findings[0].message == (
        "“Ihnen” addresses the reader as “Sie”; this charter says “du”. Rewrite with du, dich or dein."
    )


def test_de_du_rule_ignores_lowercase_sie_and_sentence_starts_after_quotes_and_colons():
    text = "„Sie kommen“, sagte sie. Danke – Sie sind toll: Ihr Team!\n👉 Ihre Daten. Wir fragen Sie."
    assert spans(check(text, "address_form", DU, LintContext(language="de-CH"))) == [
        (33, 36, "Sie"),
        (83, 86, "Sie"),
    ]


@pytest.mark.parametrize(
    ("params", "context"),
    [(VOUS, EN), (VOUS, LintContext()), (VOUS, DE), (SIE, FR)],
)
def test_address_form_rules_only_apply_to_their_language(params, context):
    assert check("Do you want ta data? Hast du? Tu viens ?", "address_form", params, context) == []


# --- Emoji -------------------------------------------------------------------------------------------------


def test_emoji_beyond_max_count_whole_clusters():
    text = "Go 👨‍👩‍👧 🇫🇷 👍🏽 © 1️⃣ ❤️ 😀"
    findings = check(text, "emoji", {"max": 2})
    assert spans(findings) == [(12, 14, "👍🏽"), (17, 20, "1️⃣"), (21, 23, "❤️"), (24, 25, "😀")]
    assert findings[0].message == (
        "One emoji too many: the charter allows 2 and the text has 6. Remove the extra ones."
    )
    assert check(text, "emoji", {"max": 6}) == []


# --- Quiet periods -----------------------------------------------------------------------------------------

CLOSED = {
    "start": "2027-01-15T00:00:00+01:00",
    "end": "2027-02-12T08:00:00+01:00",
    "dimensions": ["financial"],
    "reason": "Closed period before the FY2026 results",
}


def test_quiet_period_inside_blocks_the_whole_text_and_gives_the_period_in_utc():
    text = "Nos résultats arrivent."
    at = dt.datetime(2027, 2, 12, 7, 59, tzinfo=PARIS)  # one minute before the end
    findings = check(text, "quiet_period", CLOSED, LintContext(language="fr", dimension="financial", at=at))
    assert spans(findings) == [(0, 23, text)]
    assert findings[0].message == (
        "Publishing is paused from 2027-01-14 23:00 to 2027-02-12 07:00 UTC. "
        "Reason: Closed period before the FY2026 results. Schedule it after the end."
    )


@pytest.mark.parametrize(
    ("at", "dimension"),
    [
        (dt.datetime(2027, 2, 12, 8, 0, tzinfo=PARIS), "financial"),  # end is exclusive
        (dt.datetime(2027, 1, 14, 23, 59, tzinfo=PARIS), "financial"),  # before the start
        (dt.datetime(2027, 1, 20, 12, 0, tzinfo=PARIS), "products"),  # another dimension
        (dt.datetime(2027, 1, 20, 12, 0, tzinfo=PARIS), None),
    ],
)
def test_quiet_period_outside_or_for_another_dimension(at, dimension):
    assert check("Texte.", "quiet_period", CLOSED, LintContext(dimension=dimension, at=at)) == []


def test_quiet_period_start_is_inclusive_networks_filter_and_now_is_the_default(monkeypatch):
    params = {"start": "2027-01-15T00:00:00+01:00", "end": "2027-01-16T00:00:00+01:00", "networks": ["x"]}
    start = dt.datetime(2027, 1, 14, 23, 0, tzinfo=dt.UTC)
    assert len(check("T", "quiet_period", params, LintContext(network="x", at=start))) == 1
    assert check("T", "quiet_period", params, LintContext(network="bluesky", at=start)) == []
    monkeypatch.setattr(timezone, "now", lambda: start)
    findings = check("T", "quiet_period", params, LintContext(network="x"))
    assert findings[0].message == (
        "Publishing is paused from 2027-01-14 23:00 to 2027-01-15 23:00 UTC. Schedule it after the end."
    )


# --- lint() as a whole -------------------------------------------------------------------------------------


def test_findings_of_several_rules_are_sorted_by_span_then_rule_id():
    text = "Tu veux un produit gratuit ? #promo"
    rules = [
        rule("hashtags", {"forbidden": ["#promo"]}, rule_id=7, severity="warn"),
        rule("banned_term", {"terms": ["gratuit"]}, rule_id=3),
        rule("address_form", VOUS, rule_id=2),
        rule("required_mention", {"mentions": ["Vireo"]}, rule_id=5, severity="warn"),
    ]
    findings = lint(text=text, rules=rules, context=FR)
    assert [(f.rule_id, f.kind, f.severity, f.start, f.end) for f in findings] == [
        (2, "address_form", "block", 0, 2),
        (5, "required_mention", "warn", 0, 35),
        (3, "banned_term", "block", 19, 26),
        (7, "hashtags", "warn", 29, 35),
    ]
    assert {f.rationale for f in findings} == {"Because."}


@pytest.mark.parametrize(
    ("rules", "context", "message"),
    [
        ([rule("tone", {}, rule_id=9)], FR,
         "Charter rule 9 has unknown kind 'tone'; known kinds: banned_term, competitor, required_mention, hashtags, "
         "length, utm, address_form, emoji, quiet_period."),
        ([rule("emoji", {"max": 1}, severity="info")], FR,
         "Charter rule 1 has severity 'info'; use 'block' or 'warn'."),
        ([rule("emoji", {"max": -1}, rule_id="r1")], FR,
         "Charter rule 'r1' (emoji) has invalid params: \"max\" must be a whole number from 0 to 100; got -1."),
        ([], LintContext(at=dt.datetime(2027, 1, 1)),  # noqa: DTZ001
         "LintContext.at must be an aware datetime (the planned publication time, with its zone)."),
    ],
)  # fmt: skip
def test_lint_refuses_what_it_cannot_check(rules, context, message):
    with pytest.raises(ValueError) as caught:
        lint(text="x", rules=rules, context=context)
    assert str(caught.value) == message


def test_public_enums():
    assert [k.value for k in RuleKind] == [
        "banned_term", "competitor", "required_mention", "hashtags", "length", "utm", "address_form", "emoji",
        "quiet_period",
    ]  # fmt: skip
    assert [s.value for s in Severity] == ["block", "warn"]


# --- validate_params ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "normalized"),
    [
        ("banned_term", {"terms": ["  game   changer ", "Gratuit", "gratuit"]},
         {"terms": ["game changer", "Gratuit"], "exceptions": []}),
        ("competitor", {"names": ["Acme"]}, {"names": ["Acme"]}),
        ("required_mention", {"mentions": ["Publicité"], "when_any": None},
         {"mentions": ["Publicité"], "when_any": []}),
        ("hashtags", {"max": 3, "forbidden": ["ad", "#Promo"]},
         {"max": 3, "required": [], "forbidden": ["#ad", "#Promo"]}),
        ("length", {"max": 300, "network": " Bluesky "}, {"max": 300, "network": "bluesky"}),
        ("length", {"max": 1300, "network": ""}, {"max": 1300, "network": None}),
        ("utm", {"domains": ["https://Vireo.example/path", "*.vireo.example", "bücher.example"]},
         {"required": ["utm_source", "utm_medium", "utm_campaign"],
          "domains": ["vireo.example", "xn--bcher-kva.example"]}),
        ("address_form", {"language": "FR-fr", "form": "Formal"}, {"language": "fr", "form": "formal"}),
        ("emoji", {"max": 0}, {"max": 0}),
        ("quiet_period", {"start": "2027-01-15T00:00:00+01:00", "end": "2027-02-12T07:00:00Z", "reason": " Closed. "},
         {"start": "2027-01-15T00:00:00+01:00", "end": "2027-02-12T07:00:00+00:00", "dimensions": [], "networks": [],
          "reason": "Closed."}),
    ],
)  # fmt: skip
def test_validate_params_normalizes(kind, params, normalized):
    assert validate_params(kind=kind, params=params) == normalized


@pytest.mark.parametrize(
    ("kind", "params", "field", "message"),
    [
        ("tone", {}, "kind", "Unknown rule kind 'tone'. Choose one of: banned_term, competitor, required_mention, "
                             "hashtags, length, utm, address_form, emoji, quiet_period."),
        ("banned_term", {"terms": []}, "params",
         'Give at least one entry in "terms", e.g. ["gratuit", "produit révolutionnaire"].'),
        ("banned_term", {"terms": "gratuit"}, "params",
         '"terms" must be a list of texts, e.g. ["gratuit", "produit révolutionnaire"].'),
        ("banned_term", {"terms": ["ok", "  "]}, "params", 'Entry 2 of "terms" is empty: remove it or write a word.'),
        ("banned_term", {"terms": [3]}, "params", 'Entry 1 of "terms" is not a text: write it between quotes.'),
        ("banned_term", {"terms": ["!!!"]}, "params",
         '"!!!" in "terms" has no letter or digit, so it would match nothing: write a word.'),
        ("banned_term", {"term": ["gratuit"]}, "params",
         'Unknown parameter "term" for a banned_term rule. Use only: terms, exceptions.'),
        ("emoji", {"max": -1}, "params", '"max" must be a whole number from 0 to 100; got -1.'),
        ("emoji", {"max": True}, "params", '"max" must be a whole number from 0 to 100; got True.'),
        ("length", {}, "params", 'Give "max", a whole number from 1 to 100000.'),
        ("hashtags", {}, "params", 'A hashtag rule needs "max", "required" or "forbidden": give at least one.'),
        ("hashtags", {"forbidden": ["#no way"]}, "params",
         '"#no way" in "forbidden" is not a hashtag: write # then letters, digits or _, e.g. #Innovation.'),
        ("hashtags", {"required": ["#Vireo"], "forbidden": ["vireo"]}, "params",
         "A hashtag cannot be both required and forbidden: remove #vireo from one list."),
        ("address_form", {"language": "es", "form": "formal"}, "params",
         "\"language\" must be one of \"fr\", \"de\"; got 'es'."),
        ("utm", {"domains": ["not a domain"]}, "params",
         '"not a domain" in "domains" is not a domain name: write it like vireo.example (subdomains included).'),
        ("quiet_period", {"start": "15/01/2027", "end": "2027-02-12T08:00:00+01:00"}, "params",
         '"start" is not an ISO 8601 date and time: write it like 2027-01-15T00:00:00+01:00.'),
        ("quiet_period", {"start": "2027-01-15T00:00:00", "end": "2027-02-12T08:00:00+01:00"}, "params",
         '"start" has no UTC offset, so the time is ambiguous: add one, e.g. 2027-01-15T00:00:00+01:00.'),
        ("quiet_period", {"start": "2027-02-12T08:00:00+01:00", "end": "2027-01-15T00:00:00+01:00"}, "params",
         '"end" (2027-01-15T00:00:00+01:00) must come after "start" (2027-02-12T08:00:00+01:00): '
         "swap them or fix the dates."),
        ("quiet_period", {"start": "2027-02-12T08:00:00+01:00"}, "params",
         'Give "end", an ISO 8601 date and time such as 2027-01-15T00:00:00+01:00.'),
        ("quiet_period", {"start": "2027-01-15T00:00:00+01:00", "end": "2027-02-12T08:00:00+01:00",
                          "dimensions": ["Financial results"]}, "params",
         '"financial results" in "dimensions" is not a key: use lowercase letters, digits, "-" or "_", '
         'e.g. ["financial"].'),
        ("emoji", ["max", 1], "params",
         'The parameters of a rule must be an object (a JSON dictionary such as {"max": 3}).'),
    ],
)  # fmt: skip
def test_validate_params_errors_say_what_to_fix(kind, params, field, message):
    with pytest.raises(ValidationFailed) as caught:
        validate_params(kind=kind, params=params)
    assert caught.value.field == field
    assert caught.value.message == message


def test_fold_maps_sharp_s_accents_and_apostrophes():
    assert fold("Straße GROẞE Élan l’été ﬁn") == "strasse grosse elan l'ete fin"
