"""How each network measures a text: graphemes, X's weighted characters, Mastodon's URL and mention
rules, Threads' emoji bytes, UTF-16 units and UTF-8 bytes; and the hashtags, mentions and links in it.

URL detection (X, Mastodon, Threads' link count) follows twitter-text's ``valid_url`` in a reduced form:
a URL starts with ``http://`` or ``https://`` (and, for X and Threads, ``www.``) after a character that is not a
letter, digit, ``@``, ``$`` or ``#``; its host has at least two labels (one after ``www.``), each at most 63
characters (IDN labels measured in punycode), no leading or trailing hyphen, no underscore in the last two,
and ends in letters or is an IPv4 address; the path stops at a space or a character twitter-text does not take
(CJK, quotes, ``<``, ``>``) and drops trailing punctuation (``.``, ``,``, ``!``, ``?``, an unbalanced ``)``...).
Not detected: bare domains such as ``vireo.com`` (twitter-text counts them 23 when the TLD is valid; here they
count character by character) and twitter-text's TLD list (``https://example.invalidtld`` counts as a URL).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import regex

from harmonie.content.networks.limits import NetworkLimits, limits_for

# -- URLs ------------------------------------------------------------------------------------------------------

_LABEL = r"[\p{L}\p{N}\p{M}_-]+"
_URL_RE = regex.compile(
    r"(?<![A-Za-z0-9@＠$#＃\uFFFE\uFEFF\uFFFF])"
    r"(?:(?P<scheme>https?://)|(?P<www>www\.))"
    r"(?:[A-Za-z0-9._~%!$&'()*+,;=:-]+@)?"  # user information
    rf"(?P<host>{_LABEL}(?:\.{_LABEL})*)"
    r"(?::[0-9]{1,5})?"
    r"(?:[/?#][A-Za-z0-9\u00C0-\u024F\u0400-\u04FF!*';:=+,.$/?%#\[\]\-_~|&@()]*)?",
    regex.IGNORECASE,
)
_URL_END_RE = regex.compile(r"[A-Za-z0-9=_#/+\-\u00C0-\u024F\u0400-\u04FF)]")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_RE = regex.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_ASCII_THEN_OTHER_RE = regex.compile(r"^[A-Za-z0-9-]+(?=[^\x00-\x7f])")

# -- emoji (an emoji sequence, as twemoji-parser finds them for twitter-text) ---------------------------------

_EMOJI_ELEMENT = r"[\p{Extended_Pictographic}\p{Emoji_Presentation}]\p{Emoji_Modifier}?\uFE0F?"
_EMOJI_RE = regex.compile(
    r"\p{Regional_Indicator}{2}"  # a flag
    r"|[#*0-9]\uFE0F?\u20E3"  # a keycap
    r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"  # a subdivision flag (tag sequence)
    rf"|{_EMOJI_ELEMENT}(?:\u200D{_EMOJI_ELEMENT})*"  # one emoji, or a ZWJ sequence of them
)
_EMOJI_PRESENTATION_RE = regex.compile(r"[\p{Emoji_Presentation}\p{Emoji_Modifier}\uFE0F\u200D\u20E3\U000E007F]")

# -- hashtags and mentions -------------------------------------------------------------------------------------

_HASHTAG_RE = regex.compile(r"(?<![\w&#＃])[#＃][\w\p{M}]+")
_INSTAGRAM_MENTION_RE = regex.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# Mastodon's Account::MENTION_RE: @user or @user@server, not after a word character, "=" or "/".
_MASTODON_MENTION_RE = regex.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?", regex.IGNORECASE
)

# -- X weights (twitter-text config/v3.json) -------------------------------------------------------------------

X_SCALE = 100
X_DEFAULT_WEIGHT = 200
X_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))
X_INVALID_CHARACTERS = frozenset("\ufffe\ufeff\uffff")


def _label_ok(label: str) -> bool:
    if not label or label.startswith("-") or label.endswith("-"):
        return False
    encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
    return len(encoded) <= 63


def _host_ok(host: str, *, after_www: bool) -> bool:
    if _IPV4_RE.fullmatch(host):
        return not after_www
    labels = host.split(".")
    if len(labels) < (1 if after_www else 2) or not all(_label_ok(label) for label in labels):
        return False
    if any("_" in label for label in labels[-2:]):
        return False
    return bool(regex.fullmatch(r"[\p{L}\p{M}]{2,}", labels[-1]))


def url_spans(text: str, *, www: bool = True) -> list[tuple[int, int]]:
    """Where the URLs of ``text`` are (start, end), by the reduced twitter-text rule of the module docstring.
    ``www``: also ``www.`` links without a scheme (X does; Mastodon does not)."""
    spans: list[tuple[int, int]] = []
    for match in _URL_RE.finditer(text):
        if match.group("www") and not www:
            continue
        start, end = match.span()
        host_start, host_end = match.span("host")
        host = match.group("host")
        tld = host.rsplit(".", 1)[-1]
        mixed = _ASCII_THEN_OTHER_RE.match(tld)
        if mixed:  # "https://example.comで": the URL stops where the ASCII TLD does
            host = host[: len(host) - len(tld) + mixed.end()]
            end = host_start + len(host)
        else:
            while end > host_end:  # drop trailing punctuation and an unbalanced ")"
                last = text[end - 1]
                if last == ")" and text.count("(", start, end) >= text.count(")", start, end):
                    break
                if last != ")" and _URL_END_RE.match(last):
                    break
                end -= 1
        if _host_ok(host, after_www=bool(match.group("www"))):
            spans.append((start, end))
    return spans


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """Where the emoji sequences of ``text`` are: a flag, a keycap, a ZWJ sequence (👨‍👩‍👧), an emoji with
    its skin tone, or a pictograph in emoji presentation. A bare text-style pictograph (© without U+FE0F)
    is not one."""
    return [m.span() for m in _EMOJI_RE.finditer(text) if _EMOJI_PRESENTATION_RE.search(m.group())]


def _segments(
    text: str, *, urls: bool = False, www: bool = True, emoji: bool = False, mastodon_mentions: bool = False
) -> Iterator[tuple[str, str]]:
    """``text`` cut into ("url" | "mention" | "emoji" | "char", piece); a URL wins over what starts inside it."""
    starts: dict[int, tuple[str, int]] = {}
    if emoji:
        starts.update((s, ("emoji", e)) for s, e in emoji_spans(text))
    if mastodon_mentions:
        starts.update((m.start(), ("mention", m.end())) for m in _MASTODON_MENTION_RE.finditer(text))
    if urls:
        starts.update((s, ("url", e)) for s, e in url_spans(text, www=www))
    i = 0
    while i < len(text):
        kind, end = starts.get(i, ("char", i + 1))
        yield kind, text[i:end]
        i = end


def grapheme_length(text: str) -> int:
    """User-perceived characters: "é" (e + U+0301), 👨‍👩‍👧, 🇫🇷 and 👍🏽 are one each."""
    return len(regex.findall(r"\X", text))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _x_weight(char: str) -> int:
    point = ord(char)
    for start, end, weight in X_RANGES:
        if start <= point <= end:
            return weight
    return X_DEFAULT_WEIGHT


def x_weighted_length(text: str) -> int:
    """The length X gives ``text`` (twitter-text v3, ``config/v3.json``): NFC first; a URL weighs 23 whatever
    its length (t.co); an emoji sequence 2 (👨‍👩‍👧 and 🇫🇷 too); a code point 1 in U+0000–U+10FF,
    U+2000–U+200D, U+2010–U+201F, U+2032–U+2037, else 2 (CJK). The limit is 280."""
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    for kind, piece in _segments(normalized, urls=True, emoji=True):
        if kind == "url":
            total += 23 * X_SCALE
        elif kind == "emoji":
            total += X_DEFAULT_WEIGHT
        else:
            total += _x_weight(piece)
    return total // X_SCALE


def mastodon_length(text: str, *, url_length: int = 23) -> int:
    """Graphemes as Mastodon counts them: every http(s) URL counts ``url_length``; ``@user@server`` counts as
    ``@user`` (``www.`` links without a scheme count as written)."""
    pieces: list[str] = []
    for kind, piece in _segments(text, urls=True, www=False, mastodon_mentions=True):
        if kind == "url":
            pieces.append("x" * url_length)
        elif kind == "mention":
            pieces.append("@" + piece[1:].split("@", 1)[0])
        else:
            pieces.append(piece)
    return grapheme_length("".join(pieces))


def threads_length(text: str) -> int:
    """Code points, an emoji counting its UTF-8 bytes (😀 4, 🇫🇷 8, 👨‍👩‍👧 18)."""
    return sum(utf8_length(piece) if kind == "emoji" else 1 for kind, piece in _segments(text, emoji=True))


def length(limits: NetworkLimits, text: str) -> int:
    """``text`` measured in ``limits.text_unit``."""
    match limits.text_unit:
        case "graphemes" if limits.url_length is not None or limits.mentions_as_user:
            return mastodon_length(text, url_length=limits.url_length or 0)
        case "graphemes":
            return grapheme_length(text)
        case "weighted":
            return x_weighted_length(text)
        case "chars":
            return len(text)
        case "utf16":
            return utf16_length(text)
        case "bytes":
            return utf8_length(text)
        case "emoji_bytes":
            return threads_length(text)
    raise ValueError(f"Unknown text unit {limits.text_unit!r}.")


def measure(network: str, text: str) -> int:
    """The length of ``text`` as ``network`` counts it (Mastodon with the default rules)."""
    return length(limits_for(network), text)


def _without_urls(text: str) -> str:
    for start, end in reversed(url_spans(text)):
        text = text[:start] + " " + text[end:]
    return text


def count_hashtags(text: str) -> int:
    """Hashtags (#word, ＃word) outside URLs, each occurrence."""
    return len(_HASHTAG_RE.findall(_without_urls(text)))


def count_mentions(text: str) -> int:
    """@username mentions (Instagram's username characters) outside URLs and e-mail addresses, each occurrence."""
    return len(_INSTAGRAM_MENTION_RE.findall(_without_urls(text)))


def count_links(text: str) -> int:
    """http(s):// and www. links in ``text``."""
    return len(url_spans(text))
