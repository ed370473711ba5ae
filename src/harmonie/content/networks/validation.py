"""Check a post against its network's limits before it is saved or scheduled: every problem at once, each
with a message that says the limit, what was measured and what to do."""

from __future__ import annotations

from collections.abc import Sequence

import regex
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harmonie.content.networks.counting import (
    X_INVALID_CHARACTERS,
    count_hashtags,
    count_links,
    count_mentions,
    length,
    utf8_length,
)
from harmonie.content.networks.formatting import number
from harmonie.content.networks.limits import MediaInfo, NetworkLimits, Problem, limits_for
from harmonie.content.networks.media import media_problems

LINK_SEPARATOR = "\n\n"
_LINK_RE = regex.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", regex.IGNORECASE)


def text_with_link(network: str, text: str, link: str, *, has_media: bool) -> str:
    """The text as the network will show it: where the link has no field of its own (or its link card cannot
    sit beside media) and the text does not already hold it, the connector appends it after a blank line."""
    limits = limits_for(network)
    link = link.strip()
    if not link or link in text or limits.link_mode == "none" or (limits.link_mode == "card" and not has_media):
        return text
    return f"{text.rstrip()}{LINK_SEPARATOR}{link}" if text.strip() else link


def _too_long_message(limits: NetworkLimits, *, what: str, count: int) -> str:
    values = {"network": limits.label, "max": number(limits.text_max), "what": what, "count": number(count)}
    over = count - limits.text_max
    shorten = _("Shorten it by %(over)s.") % {"over": number(over)}
    match limits.text_unit:
        case "weighted":
            sentence = _(
                "%(network)s allows %(max)s characters as it counts them (a link counts 23, an emoji or a CJK "
                "character 2); %(what)s counts %(count)s."
            )
        case "graphemes" if limits.url_length is not None:
            values["url"] = number(limits.url_length)
            sentence = _(
                "%(network)s allows %(max)s characters on this server (a link counts %(url)s, a mention "
                "@user@server counts as @user); %(what)s counts %(count)s."
            )
        case "graphemes":
            sentence = _("%(network)s allows %(max)s characters (graphemes); %(what)s has %(count)s.")
        case "utf16":
            sentence = _(
                "%(network)s allows %(max)s characters (UTF-16 units: an emoji counts 2); %(what)s has %(count)s."
            )
        case "emoji_bytes":
            sentence = _(
                "%(network)s allows %(max)s characters (an emoji counts its UTF-8 bytes: 4 for 😀); %(what)s "
                "counts %(count)s."
            )
        case "bytes":
            sentence = _(
                "%(network)s allows %(max)s bytes (UTF-8: an accented letter takes 2, an emoji 4); %(what)s has "
                "%(count)s bytes."
            )
            shorten = ngettext("Shorten it by %(over)s byte.", "Shorten it by %(over)s bytes.", over) % {
                "over": number(over)
            }
        case _:  # "chars"
            sentence = _("%(network)s allows %(max)s characters; %(what)s has %(count)s.")
    return f"{sentence % values} {shorten}"


def _text_problems(
    limits: NetworkLimits, text: str, *, field: str, what: str, link_added: bool, card_link: bool = False
) -> list[Problem]:
    """``link_added``: the post's link was appended to ``text``; ``card_link``: it travels beside the text (a link
    card), where it still counts among the links."""
    problems: list[Problem] = []
    link_note = (
        " " + _("This includes the link, which %(network)s shows in the text.") % {"network": limits.label}
        if link_added
        else ""
    )
    count = length(limits, text)
    if count > limits.text_max:
        problems.append(Problem("text_too_long", field, _too_long_message(limits, what=what, count=count) + link_note))
    size = utf8_length(text)
    if limits.text_max_bytes is not None and limits.text_unit != "bytes" and size > limits.text_max_bytes:
        over = size - limits.text_max_bytes
        message = _("%(network)s also allows at most %(max)s bytes (UTF-8); %(what)s has %(count)s bytes.") % {
            "network": limits.label,
            "max": number(limits.text_max_bytes),
            "what": what,
            "count": number(size),
        }
        shorten = ngettext(
            "Shorten it by %(over)s byte (an accented letter takes 2, an emoji 4 or more).",
            "Shorten it by %(over)s bytes (an accented letter takes 2, an emoji 4 or more).",
            over,
        ) % {"over": number(over)}
        problems.append(Problem("text_too_many_bytes", field, f"{message} {shorten}{link_note}"))
    if limits.network == "x" and X_INVALID_CHARACTERS.intersection(text):
        problems.append(
            Problem(
                "text_invalid_characters",
                field,
                _("%(network)s refuses the invisible characters U+FEFF, U+FFFE and U+FFFF; %(what)s has one: "
                  "remove it (retyping the text around it is enough).")
                % {"network": limits.label, "what": what},
            )
        )  # fmt: skip
    for code, limit, found, sentence in (
        ("too_many_hashtags", limits.max_hashtags, count_hashtags, _("%(network)s allows %(max)s hashtags")),
        ("too_many_mentions", limits.max_mentions, count_mentions, _("%(network)s allows %(max)s @mentions")),
        ("too_many_links", limits.max_links, count_links, _("%(network)s allows %(max)s links")),
    ):
        if limit is None:
            continue
        found_count = found(text) + (1 if card_link and code == "too_many_links" else 0)
        if found_count > limit:
            values = {"network": limits.label, "max": number(limit), "what": what, "count": number(found_count)}
            message = _("%(sentence)s; %(what)s has %(count)s. Remove %(over)s.") % {
                **values,
                "sentence": sentence % values,
                "over": number(found_count - limit),
            }
            problems.append(Problem(code, field, message + (link_note if code == "too_many_links" else "")))
    return problems


# -- link and title --------------------------------------------------------------------------------------------


def _link_problems(limits: NetworkLimits, link: str) -> list[Problem]:
    link = link.strip()
    if not link:
        return []
    if limits.link_mode == "none":
        message = _("%(network)s does not publish links (they are not clickable there): remove the link.")
        return [Problem("link_unsupported", "link", message % {"network": limits.label})]
    if not _LINK_RE.fullmatch(link):
        return [
            Problem("link_invalid", "link", _("Write the link as a full address starting with https:// or http://."))
        ]
    return []


def _title_problems(limits: NetworkLimits, title: str) -> list[Problem]:
    if limits.title_max is None:
        return []
    values = {"network": limits.label, "max": number(limits.title_max), "count": number(len(title))}
    if not title.strip():
        return [Problem("title_required", "title", _("%(network)s needs a title: add one.") % values)]
    problems: list[Problem] = []
    if len(title) > limits.title_max:
        message = _(
            "%(network)s allows %(max)s characters in a title; this title has %(count)s. Shorten it by %(over)s."
        )
        problems.append(
            Problem("title_too_long", "title", message % {**values, "over": number(len(title) - limits.title_max)})
        )
    if "<" in title or ">" in title:
        problems.append(
            Problem("title_characters", "title", _("%(network)s refuses < and > in a title: remove them.") % values)
        )
    return problems


def validate_post(
    *,
    network: str,
    text: str,
    media: Sequence[MediaInfo] = (),
    link: str = "",
    first_comment: str = "",
    instance_text_max: int | None = None,
    title: str | None = None,
) -> list[Problem]:
    """Every problem ``network`` would find in this post, in the order text, media, first comment, link, title;
    an empty list when it can be published. ``instance_text_max``: the Mastodon instance's text limit.
    ``title``: checked where the network has titles (YouTube); ``None`` skips the check."""
    limits = limits_for(network, instance_text_max=instance_text_max)
    body = text_with_link(network, text, link, has_media=bool(media))
    card_link = bool(link.strip()) and limits.link_mode == "card" and link.strip() not in body
    problems = _text_problems(
        limits, body, field="text", what=_("this text"), link_added=body != text, card_link=card_link
    )
    if not body.strip() and not media and not card_link and not limits.requires_media:
        problems.append(
            Problem(
                "text_required", "text", _("A post on %(network)s needs text or media.") % {"network": limits.label}
            )
        )
    problems += media_problems(limits, media)
    if first_comment.strip():
        if limits.first_comment:
            problems += _text_problems(
                limits, first_comment, field="first_comment", what=_("the first comment"), link_added=False
            )
        else:
            message = _("%(network)s cannot publish a first comment through its API: remove it.")
            problems.append(Problem("first_comment_unsupported", "first_comment", message % {"network": limits.label}))
    problems += _link_problems(limits, link)
    if title is not None:
        problems += _title_problems(limits, title)
    return problems
