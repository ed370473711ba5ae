"""Word-level differences between two versions of a master's text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffPart:
    op: str  # "equal" | "insert" | "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """Words (and the spaces between them) kept, inserted or deleted from ``old`` to ``new``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(b[j1:j2])))
    merged: list[DiffPart] = []
    for part in parts:
        if merged and merged[-1].op == part.op:
            merged[-1] = DiffPart(part.op, merged[-1].text + part.text)
        elif part.text:
            merged.append(part)
    return merged


def changed_words(parts: list[DiffPart]) -> tuple[list[str], list[str]]:
    """(deleted words, inserted words), for summaries and tests."""
    deleted = [w for p in parts if p.op == "delete" for w in p.text.split()]
    inserted = [w for p in parts if p.op == "insert" for w in p.text.split()]
    return deleted, inserted
