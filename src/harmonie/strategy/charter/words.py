"""Forms of address (tu/vous, du/Sie): which words of a text break a formal or an informal charter.

Only pronouns and possessives are recognized; verb endings ("tu as", "Sie haben" vs "ihr habt") are out
of scope. Where a word is ambiguous the rule stays silent rather than flagging a correct text.
"""

from __future__ import annotations

# ``regex`` ships no type hints (types-regex is not a dependency).
import regex

from harmonie.strategy.charter.text import WORD_CLASS, is_sentence_start

_B = rf"(?<![{WORD_CLASS}])"
_E = rf"(?![{WORD_CLASS}])"

# French "tu" forms, and "t'" elided before a vowel ("t'inscrire", "t’es").
_FR_TU = regex.compile(rf"(?i){_B}(?:(?:tu|te|toi|ton|ta|tes){_E}|t['’](?=[{WORD_CLASS}]))")
_FR_VOUS = regex.compile(rf"(?i){_B}(?:vous|votre|vos|vôtre|vôtres){_E}")
# German "du" and "ihr"-plural forms ("ihr" itself is also "her"/"their": not flagged).
_DE_DU = regex.compile(
    rf"(?i){_B}(?:du|dich|dir|dein|deine|deinen|deinem|deiner|deines|euch|euer|eure|euren|eurem|eurer|eures){_E}"
)
# German polite forms are capitalized; lowercase "sie"/"ihr" mean she/they/her.
_DE_SIE = regex.compile(rf"{_B}(?:Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres){_E}")

# The word just before, in the same sentence.
_WORD_BEFORE = regex.compile(rf"([{WORD_CLASS}]+)[^{WORD_CLASS}.!?…:;\n]*$")
# "le ton", "votre ton", "un bon ton": the noun (tone), not the possessive.
_FR_TON_NOUN_AFTER = frozenset(
    {"le", "un", "du", "au", "ce", "cet", "bon", "même", "meme", "quel", "mauvais", "juste", "leur", "notre",
     "votre", "son", "mon", "nouveau", "vrai"}
)  # fmt: skip
# "il s'est tu", "elles se sont tues": the past participle of "se taire".
_FR_TU_PARTICIPLE_AFTER = frozenset({"est", "sont", "était", "etait", "été", "ete", "être", "etre", "soit"})


def _previous_word(text: str, index: int) -> str:
    match = _WORD_BEFORE.search(text[max(0, index - 40) : index])
    return str(match.group(1)).lower() if match else ""


def address_form_spans(text: str, *, language: str, form: str) -> list[tuple[int, int]]:
    """Spans of the words that break ``form`` ("formal"/"informal") in ``language`` ("fr"/"de")."""
    if language == "fr" and form == "formal":
        spans = []
        for match in _FR_TU.finditer(text):
            word = str(match.group()).lower()
            previous = _previous_word(text, match.start())
            if word == "ton" and previous in _FR_TON_NOUN_AFTER:
                continue
            if word == "tu" and previous in _FR_TU_PARTICIPLE_AFTER:
                continue
            spans.append((match.start(), match.end()))
        return spans
    if language == "fr":
        return [(m.start(), m.end()) for m in _FR_VOUS.finditer(text)]
    if form == "formal":
        return [(m.start(), m.end()) for m in _DE_DU.finditer(text)]
    # Sentence-initial "Sie"/"Ihr" may be "she"/"they"/"her": ambiguous, not flagged.
    return [(m.start(), m.end()) for m in _DE_SIE.finditer(text) if not is_sentence_start(text, m.start())]
