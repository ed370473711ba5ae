"""UTM parameters: the five standard keys, cleaning values, merging presets, tagging a URL.

Tagging keeps what the link already carries (the rule the publishing engine applies, ``tagged_link``): a
``utm_source`` written by hand in the link wins over any preset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from harmonie.publishing.services.sending import tagged_link

__all__ = ["UTM_KEYS", "clean_utm", "merge_utm", "tagged_link"]

UTM_KEYS: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def clean_utm(values: Mapping[str, object]) -> dict[str, str]:
    """The non-empty UTM values of ``values`` (stripped), standard keys only, in the standard order."""
    out: dict[str, str] = {}
    for key in UTM_KEYS:
        value = str(values.get(key) or "").strip()
        if value:
            out[key] = value
    return out


def merge_utm(layers: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Merge layers given from the MOST specific to the least: the first non-empty value of each key wins."""
    out: dict[str, str] = {}
    for layer in layers:
        for key, value in clean_utm(layer).items():
            out.setdefault(key, value)
    return {key: out[key] for key in UTM_KEYS if key in out}
