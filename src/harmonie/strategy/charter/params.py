"""Validation and normalization of charter rule parameters, one function per rule kind.

Every error is a ``ValidationFailed`` on the field ``params`` whose message names the parameter and says
what to write instead. The normalized dict is JSON-serializable (it is stored as is).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from harmonie.core.errors import ValidationFailed
from harmonie.strategy.charter.spec import RuleKind
from harmonie.strategy.charter.text import ascii_host, fold, hashtag_key, is_word_char, parse_hashtag

MAX_ITEMS = 500
MAX_ITEM_LENGTH = 200
DEFAULT_UTM = ("utm_source", "utm_medium", "utm_campaign")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PARAM_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_HOST = re.compile(r"^(?:[\w-]+\.)*[\w-]+$")


def fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="params")


def validate_params(*, kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Normalize and validate a rule's params; raise ``ValidationFailed`` saying what to fix."""
    try:
        rule_kind = RuleKind(kind)
    except ValueError:
        raise ValidationFailed(
            _("Unknown rule kind '%(kind)s'. Choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(k.value for k in RuleKind)},
            field="kind",
        ) from None
    if not isinstance(params, Mapping):
        raise fail(_('The parameters of a rule must be an object (a JSON dictionary such as {"max": 3}).'))
    validator, allowed = _VALIDATORS[rule_kind]
    unknown = sorted(str(key) for key in params if key not in allowed)
    if unknown:
        raise fail(
            _("Unknown parameter %(keys)s for a %(kind)s rule. Use only: %(allowed)s.")
            % {"keys": ", ".join(f'"{k}"' for k in unknown), "kind": rule_kind.value, "allowed": ", ".join(allowed)}
        )
    return validator(params)


# --- Building blocks ---------------------------------------------------------------------------------------


def _texts(params: Mapping[str, Any], key: str, *, required: bool, example: str) -> list[str]:
    """A list of texts, whitespace collapsed, duplicates (same folded form) removed, in order."""
    value = params.get(key)
    if value is None or value == []:
        if required:
            raise fail(_('Give at least one entry in "%(key)s", e.g. %(example)s.') % {"key": key, "example": example})
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise fail(_('"%(key)s" must be a list of texts, e.g. %(example)s.') % {"key": key, "example": example})
    if len(value) > MAX_ITEMS:
        raise fail(
            _('"%(key)s" has %(n)d entries; keep it to %(max)d.') % {"key": key, "n": len(value), "max": MAX_ITEMS}
        )
    out: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise fail(
                _('Entry %(n)d of "%(key)s" is not a text: write it between quotes.') % {"n": position, "key": key}
            )
        cleaned = " ".join(item.split())
        if not cleaned:
            raise fail(_('Entry %(n)d of "%(key)s" is empty: remove it or write a word.') % {"n": position, "key": key})
        if len(cleaned) > MAX_ITEM_LENGTH:
            raise fail(
                _('Entry %(n)d of "%(key)s" is longer than %(max)d characters: shorten it.')
                % {"n": position, "key": key, "max": MAX_ITEM_LENGTH}
            )
        folded = fold(cleaned)
        if folded not in seen:
            seen.add(folded)
            out.append(cleaned)
    return out


def _words(params: Mapping[str, Any], key: str, *, required: bool, example: str) -> list[str]:
    """Texts that are matched as words: each needs a letter or a digit."""
    values = _texts(params, key, required=required, example=example)
    for value in values:
        if not any(is_word_char(c) for c in value):
            raise fail(
                _('"%(value)s" in "%(key)s" has no letter or digit, so it would match nothing: write a word.')
                % {"value": value, "key": key}
            )
    return values


def _int(params: Mapping[str, Any], key: str, *, minimum: int, maximum: int, required: bool) -> int | None:
    value = params.get(key)
    if value is None:
        if required:
            raise fail(_('Give "%(key)s", a whole number from %(min)d to %(max)d.')
                       % {"key": key, "min": minimum, "max": maximum})  # fmt: skip
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise fail(
            _('"%(key)s" must be a whole number from %(min)d to %(max)d; got %(value)s.')
            % {"key": key, "min": minimum, "max": maximum, "value": repr(value)}
        )
    return value


def _choice(params: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = params.get(key)
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise fail(
            _('"%(key)s" must be one of %(choices)s; got %(value)s.')
            % {"key": key, "choices": ", ".join(f'"{c}"' for c in choices), "value": repr(value)}
        )
    return value.strip().lower()


def _slugs(params: Mapping[str, Any], key: str, *, example: str) -> list[str]:
    values = [v.lower() for v in _texts(params, key, required=False, example=example)]
    for value in values:
        if not _SLUG.match(value):
            raise fail(
                _('"%(value)s" in "%(key)s" is not a key: use lowercase letters, digits, "-" or "_", e.g. %(example)s.')
                % {"value": value, "key": key, "example": example}
            )
    return values


def _hashtag_list(params: Mapping[str, Any], key: str) -> list[str]:
    out: list[str] = []
    for value in _texts(params, key, required=False, example='["#Innovation"]'):
        tag = parse_hashtag(value)
        if tag is None:
            raise fail(
                _('"%(value)s" in "%(key)s" is not a hashtag: write # then letters, digits or _, e.g. #Innovation.')
                % {"value": value, "key": key}
            )
        out.append("#" + tag)
    return out


def _datetime(params: Mapping[str, Any], key: str) -> datetime.datetime:
    value = params.get(key)
    example = "2027-01-15T00:00:00+01:00"
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise fail(
                _('"%(key)s" is not an ISO 8601 date and time: write it like %(example)s.')
                % {"key": key, "example": example}
            ) from None
    else:
        raise fail(
            _('Give "%(key)s", an ISO 8601 date and time such as %(example)s.') % {"key": key, "example": example}
        )
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise fail(
            _('"%(key)s" has no UTC offset, so the time is ambiguous: add one, e.g. %(example)s.')
            % {"key": key, "example": example}
        )
    return parsed


# --- One validator per kind --------------------------------------------------------------------------------


def _banned_term(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "terms": _words(params, "terms", required=True, example='["gratuit", "produit révolutionnaire"]'),
        "exceptions": _words(params, "exceptions", required=False, example='["livraison gratuite"]'),
    }


def _competitor(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"names": _words(params, "names", required=True, example='["Acme Materials"]')}


def _required_mention(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "mentions": _words(params, "mentions", required=True, example='["Publicité", "Collaboration commerciale"]'),
        "when_any": _words(params, "when_any", required=False, example='["partenariat", "#ad"]'),
    }


def _hashtags(params: Mapping[str, Any]) -> dict[str, Any]:
    limit = _int(params, "max", minimum=0, maximum=100, required=False)
    required, forbidden = _hashtag_list(params, "required"), _hashtag_list(params, "forbidden")
    if limit is None and not required and not forbidden:
        raise fail(_('A hashtag rule needs "max", "required" or "forbidden": give at least one.'))
    clash = {hashtag_key(t) for t in required} & {hashtag_key(t) for t in forbidden}
    if clash:
        raise fail(
            _("A hashtag cannot be both required and forbidden: remove #%(tag)s from one list.")
            % {"tag": sorted(clash)[0]}
        )
    return {"max": limit, "required": required, "forbidden": forbidden}


def _length(params: Mapping[str, Any]) -> dict[str, Any]:
    network = params.get("network")
    if network is not None and not isinstance(network, str):
        raise fail(_('"network" must be a network key such as "bluesky", or null for every network.'))
    network = (network or "").strip().lower() or None
    if network is not None and not _SLUG.match(network):
        raise fail(_('"network" must be a network key such as "bluesky"; got %(value)s.') % {"value": repr(network)})
    return {"max": _int(params, "max", minimum=1, maximum=100_000, required=True), "network": network}


def _utm(params: Mapping[str, Any]) -> dict[str, Any]:
    required = _texts(params, "required", required=False, example='["utm_source", "utm_medium"]')
    for name in required:
        if not _PARAM_NAME.match(name):
            raise fail(
                _('"%(value)s" in "required" is not a URL parameter name: use letters, digits, "_", "." or "-".')
                % {"value": name}
            )
    domains: list[str] = []
    for value in _texts(params, "domains", required=False, example='["vireo.example"]'):
        host = value.split("://", 1)[1] if "://" in value else value
        host = ascii_host(host.split("/", 1)[0].removeprefix("*."))
        if not _HOST.match(host):
            raise fail(
                _('"%(value)s" in "domains" is not a domain name: write it like vireo.example (subdomains included).')
                % {"value": value}
            )
        if host not in domains:
            domains.append(host)
    return {"required": [n.lower() for n in required] or list(DEFAULT_UTM), "domains": domains}


def _address_form(params: Mapping[str, Any]) -> dict[str, Any]:
    language = params.get("language")
    if isinstance(language, str):
        language = language.strip().replace("_", "-").split("-", 1)[0]
    return {
        "language": _choice({"language": language}, "language", ("fr", "de")),
        "form": _choice(params, "form", ("formal", "informal")),
    }


def _emoji(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"max": _int(params, "max", minimum=0, maximum=100, required=True)}


def _quiet_period(params: Mapping[str, Any]) -> dict[str, Any]:
    start, end = _datetime(params, "start"), _datetime(params, "end")
    if end <= start:
        raise fail(
            _('"end" (%(end)s) must come after "start" (%(start)s): swap them or fix the dates.')
            % {"end": end.isoformat(), "start": start.isoformat()}
        )
    reason = params.get("reason") or ""
    if not isinstance(reason, str):
        raise fail(_('"reason" must be a text that says why publishing pauses.'))
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "dimensions": _slugs(params, "dimensions", example='["financial"]'),
        "networks": _slugs(params, "networks", example='["x", "linkedin"]'),
        "reason": " ".join(reason.split()),
    }


_Validator = Callable[[Mapping[str, Any]], dict[str, Any]]
_VALIDATORS: dict[RuleKind, tuple[_Validator, tuple[str, ...]]] = {
    RuleKind.BANNED_TERM: (_banned_term, ("terms", "exceptions")),
    RuleKind.COMPETITOR: (_competitor, ("names",)),
    RuleKind.REQUIRED_MENTION: (_required_mention, ("mentions", "when_any")),
    RuleKind.HASHTAGS: (_hashtags, ("max", "required", "forbidden")),
    RuleKind.LENGTH: (_length, ("max", "network")),
    RuleKind.UTM: (_utm, ("required", "domains")),
    RuleKind.ADDRESS_FORM: (_address_form, ("language", "form")),
    RuleKind.EMOJI: (_emoji, ("max",)),
    RuleKind.QUIET_PERIOD: (_quiet_period, ("start", "end", "dimensions", "networks", "reason")),
}
