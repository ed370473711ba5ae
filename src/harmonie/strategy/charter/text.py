"""Text machinery of the charter engine.

* ``Analyzed``: a text folded for matching (case, accents, compatibility forms, typographic apostrophes)
  with a map from every folded character back to the original ones, so spans always point at the
  characters the author typed (accents, ß, emoji before the match included).
* ``term_spans``: whole-word, accent- and case-tolerant matching of a term, optionally tolerant of
  inflections (French, English and German endings; see ``inflections``).
* graphemes, hashtags, links and emoji as a reader (and Bluesky) sees them.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

# ``regex`` ships no type hints (types-regex is not a dependency); its use is kept to this module.
import regex

WORD_CLASS = r"\p{L}\p{N}\p{M}_"
_BEFORE = rf"(?<![{WORD_CLASS}])"
_AFTER = rf"(?![{WORD_CLASS}])"
# Scripts written without spaces between words: a term in them cannot be bounded by word breaks.
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
# Between the words of a multi-word term: any whitespace, or a hyphen ("game-changer" = "game changer").
_TERM_SEPARATOR = regex.compile(r"[\s\-\u2010]+")
_MATCH_SEPARATOR = r"[\s\-\u2010]+"
_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u2032\uff07")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me"})
_SOFT_HYPHEN = "\u00ad"


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """Case-fold one character, decompose compatibility forms and drop accents: "É" -> "e", "ß" -> "ss"."""
    if char in _APOSTROPHES:
        return "'"
    if char == _SOFT_HYPHEN:
        return ""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) not in _DROPPED_CATEGORIES)


def fold(text: str) -> str:
    return "".join(fold_char(c) for c in text)


def is_word_char(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LNM"


class Analyzed:
    """A text and its folded form; ``span`` maps a folded span back to the original characters."""

    def __init__(self, text: str) -> None:
        self.original = text
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        group = 0  # index in ``chars`` of the first output of the last character that produced any
        for index, char in enumerate(text):
            out = fold_char(char)
            if out:
                group = len(chars)
                chars.extend(out)
                starts.extend([index] * len(out))
                ends.extend([index + 1] * len(out))
            else:  # a dropped accent or soft hyphen belongs to the character before it
                for k in range(group, len(chars)):
                    ends[k] = index + 1
        self.folded = "".join(chars)
        self._starts = starts
        self._ends = ends

    @cached_property
    def grapheme_bounds(self) -> list[int]:
        """Offsets where a grapheme cluster starts, then ``len(text)``."""
        return [*(m.start() for m in regex.finditer(r"\X", self.original)), len(self.original)]

    @cached_property
    def graphemes(self) -> list[tuple[int, int]]:
        bounds = self.grapheme_bounds
        return list(itertools.pairwise(bounds))

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen a span of the original text to whole grapheme clusters."""
        bounds = self.grapheme_bounds
        return bounds[bisect.bisect_right(bounds, start) - 1], bounds[bisect.bisect_left(bounds, end)]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span ``[start, end)`` (non-empty), widened to whole graphemes."""
        return self.snap(self._starts[start], self._ends[end - 1])


class Mode(StrEnum):
    EXACT = "exact"  # case and accents only
    PLURAL = "plural"  # + plural -s/-es and possessive 's on the last word (names)
    INFLECT = "inflect"  # + French, English and German endings on every word


def term_spans(text: Analyzed, term: str, *, mode: Mode) -> list[tuple[int, int]]:
    """Folded spans of the whole-word occurrences of ``term`` in ``text`` (use ``text.span`` to map back)."""
    pattern = _term_pattern(term, mode)
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text.folded)]


@lru_cache(maxsize=4096)
def _term_pattern(term: str, mode: Mode) -> Any:
    words = [w for w in _TERM_SEPARATOR.split(fold(term)) if w]
    if not words:
        return None
    parts = [_word_pattern(word, mode=mode, last=i == len(words) - 1) for i, word in enumerate(words)]
    body = _MATCH_SEPARATOR.join(parts)
    if mode is Mode.PLURAL:
        body += r"(?:'s|(?<=s)')?"
    first, last = words[0][0], words[-1][-1]
    before = _BEFORE if is_word_char(first) and not _UNSPACED.match(first) else ""
    after = _AFTER if is_word_char(last) and not _UNSPACED.match(last) else ""
    return regex.compile(before + body + after)


def _word_pattern(word: str, *, mode: Mode, last: bool) -> str:
    lead = 0
    while lead < len(word) and not is_word_char(word[lead]):
        lead += 1
    trail = len(word)
    while trail > lead and not is_word_char(word[trail - 1]):
        trail -= 1
    prefix, core, suffix = word[:lead], word[lead:trail], word[trail:]
    if not core or suffix:
        forms = {core}
    elif mode is Mode.INFLECT:
        forms = inflections(core)
    elif mode is Mode.PLURAL and last:
        forms = {core, core + "s", core + "es"}
    else:
        forms = {core}
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    alternatives = "|".join(str(regex.escape(f)) for f in ordered)
    return f"{regex.escape(prefix)}(?:{alternatives}){regex.escape(suffix)}"


# --- Inflections -------------------------------------------------------------------------------------------
# A term word is reduced to candidate stems (the author may have written an inflected form: "guaranteed",
# "gratuits"), and every stem is expanded with the endings below. Folded text has no accents, so German
# umlaut plurals (Produkt/Produkte, Apfel/Äpfel) and French è/e need no rule of their own.
MIN_STEM = 4
_STRIP_ENDINGS = ("ing", "ed", "es", "en", "er", "em", "e", "s", "n", "d")
_ADD_ENDINGS = ("", "s", "es", "e", "en", "er", "em", "ern", "n", "ed", "d", "ing")
# (base, inflected) pairs: French adjective/noun agreement, English -y plurals and past forms.
_PAIRS = (
    ("al", "aux"), ("au", "aux"), ("eau", "eaux"), ("eu", "eux"), ("eux", "euse"), ("eux", "euses"),
    ("if", "ive"), ("if", "ives"), ("el", "elle"), ("el", "elles"), ("en", "enne"), ("en", "ennes"),
    ("on", "onne"), ("on", "onnes"), ("et", "ette"), ("et", "ettes"), ("er", "ere"), ("er", "eres"),
    ("y", "ies"), ("y", "ied"),
)  # fmt: skip
_VOWELS = frozenset("aeiouy")


def _stems(word: str) -> set[str]:
    stems = {word}
    for ending in _STRIP_ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < MIN_STEM:
            continue
        if ending == "s" and word[-2] in "siu":  # "press", "analysis", "virus" are not plurals
            continue
        stem = word[: -len(ending)]
        stems.add(stem)
        if ending in ("ed", "ing"):
            stems.add(stem + "e")  # changing -> change
            if stem[-1] == stem[-2] and stem[-1] not in _VOWELS and len(stem) - 1 >= MIN_STEM:
                stems.add(stem[:-1])  # stopped -> stop
    for base, inflected in _PAIRS:
        if word.endswith(inflected) and len(word) - len(inflected) + len(base) >= MIN_STEM:
            stems.add(word[: -len(inflected)] + base)
    return stems


def inflections(word: str) -> set[str]:
    """Folded forms of a folded word: "gratuit" -> gratuite, gratuits, gratuites...; short words get -s/-es."""
    if len(word) < MIN_STEM or not word.isalpha():
        return {word, word + "s", word + "es"} if word.isalpha() else {word}
    forms: set[str] = set()
    for stem in _stems(word):
        forms.update(stem + ending for ending in _ADD_ENDINGS)
        for base, inflected in _PAIRS:
            if stem.endswith(base):
                forms.add(stem[: -len(base)] + inflected)
        if stem.endswith("e") and not stem.endswith("ee"):
            forms.add(stem[:-1] + "ing")  # change -> changing
        if stem[-1] not in _VOWELS and stem[-1] not in "wx" and stem[-2] in _VOWELS and stem[-3] not in _VOWELS:
            forms.update(stem + stem[-1] + ending for ending in ("ed", "ing", "er"))  # stop -> stopped
    return forms


# --- Hashtags, links, emoji --------------------------------------------------------------------------------
HASHTAG_BODY = rf"[{WORD_CLASS}]*\p{{L}}[{WORD_CLASS}]*"
_HASHTAG = regex.compile(rf"(?<![{WORD_CLASS}&])[#＃](?P<tag>{HASHTAG_BODY})")
_HASHTAG_ONLY = regex.compile(rf"[#＃]?(?P<tag>{HASHTAG_BODY})")
_LINK = regex.compile(r"(?i)(?<![\w@.:/\-])(?:https?://|www\.)[^\s<>\"“”«»‘’]+")
_TRAILING = ".,;:!?'\"…)]}>*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_EMOJI_CHAR = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")


def hashtag_key(tag: str) -> str:
    """How hashtags compare: without '#', case- and accent-insensitive."""
    return fold(tag.lstrip("#＃"))


def parse_hashtag(value: str) -> str | None:
    """The tag of ``value`` ("#Innovation" or "Innovation" -> "Innovation"), or None if it is no hashtag."""
    match = _HASHTAG_ONLY.fullmatch(value)
    return str(match.group("tag")) if match else None


@dataclass(frozen=True)
class Hashtag:
    start: int
    end: int
    text: str  # with its '#'

    @property
    def key(self) -> str:
        return hashtag_key(self.text)


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    url: str

    @property
    def host(self) -> str:
        rest = self.url.split("://", 1)[1] if "://" in self.url else self.url
        authority = regex.split(r"[/?#]", rest, maxsplit=1)[0]
        host = str(authority).rsplit("@", 1)[-1]
        if not host.startswith("["):
            host = host.split(":", 1)[0]
        return ascii_host(host)

    @property
    def query(self) -> str:
        return self.url.split("#", 1)[0].partition("?")[2]


def ascii_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def links(text: str) -> list[Link]:
    """http(s) and bare www. links; trailing punctuation and unbalanced closing brackets are not part of them."""
    found: list[Link] = []
    for match in _LINK.finditer(text):
        url = str(match.group())
        while url and url[-1] in _TRAILING:
            opener = _CLOSERS.get(url[-1])
            if opener and url.count(opener) >= url.count(url[-1]):
                break
            url = url[:-1]
        if "://" in url and len(url.split("://", 1)[1]) == 0:
            continue
        if url.lower() in ("www", "www."):
            continue
        found.append(Link(start=match.start(), end=match.start() + len(url), url=url))
    return found


def hashtags(text: str, *, outside: list[Link] | None = None) -> list[Hashtag]:
    """Hashtags: '#' + letters, digits, marks or '_' with at least one letter, not inside a link."""
    spans = [(link.start, link.end) for link in (outside if outside is not None else links(text))]
    found: list[Hashtag] = []
    for match in _HASHTAG.finditer(text):
        start, end = match.start(), match.end()
        if any(s <= start < e for s, e in spans):
            continue
        found.append(Hashtag(start=start, end=end, text=str(match.group())))
    return found


# Symbols of the text blocks (©, ®, ™, ‼, ↔...) are pictographic but read as text unless they carry the
# emoji variation selector U+FE0F.
_TEXT_SYMBOLS_END = 0x2200


def is_emoji(cluster: str) -> bool:
    """A grapheme cluster shown as an emoji: flags, ZWJ families, skin tones and keycaps count once."""
    presented = "\ufe0f" in cluster
    return any(_EMOJI_CHAR.match(c) and (presented or ord(c) >= _TEXT_SYMBOLS_END) for c in cluster)


def is_sentence_start(text: str, index: int) -> bool:
    """True when only quotes, brackets, dashes, bullets, emoji or spaces separate ``index`` from the start
    of the text, a line break or a sentence end (. ! ? … :). Abbreviations ("z. B.") count as sentence ends:
    the rules that use this prefer missing a case to flagging a correct text."""
    for k in range(index - 1, -1, -1):
        char = text[k]
        if char in ".!?…:\n\r\u2028\u2029":
            return True
        if is_word_char(char):
            return False
    return True
