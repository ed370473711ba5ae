"""Versioned data files of the strategy app: the metric dictionary and cadence benchmarks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    unit: str
    direction: str  # "up" or "down"
    description: str


@dataclass(frozen=True)
class Benchmark:
    network: str
    posts_per_week: Decimal
    label: str
    source: str


def _load(name: str) -> dict[str, object]:
    path = DATA_DIR / name
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    if "version" not in data:
        raise ValueError(f"{path}: missing 'version'")
    return data


@cache
def metrics() -> dict[str, Metric]:
    data = _load("metrics.toml")
    raw = data["metrics"]
    assert isinstance(raw, dict)
    out: dict[str, Metric] = {}
    for key, item in raw.items():
        if item.get("direction") not in {"up", "down"}:
            raise ValueError(f"metrics.toml: metrics.{key}.direction must be 'up' or 'down'")
        out[key] = Metric(key, item["name"], item["unit"], item["direction"], item["description"])
    return out


@cache
def benchmarks() -> tuple[Benchmark, ...]:
    data = _load("cadence_benchmarks.toml")
    items = data["benchmarks"]
    assert isinstance(items, list)
    return tuple(Benchmark(b["network"], Decimal(str(b["posts_per_week"])), b["label"], b["source"]) for b in items)


def benchmarks_for(network: str) -> list[Benchmark]:
    return [b for b in benchmarks() if b.network == network]


# Usual main format per network, for a channel's default cadence format.
DEFAULT_FORMAT = {
    "youtube": "video",
    "tiktok": "video",
    "instagram": "image",
    "pinterest": "image",
    "facebook": "image",
    "threads": "text",
    "x": "text",
    "bluesky": "text",
    "mastodon": "text",
    "linkedin": "text",
}

# Default minutes per post (writing, visual, review, first hour of replies); organizations tune them.
DEFAULT_MINUTES = {"text": 30, "image": 60, "video": 240, "live": 180}
