#!/usr/bin/env python3
"""Compile every ``.po`` catalogue under ``src/harmonie/locale`` to ``.mo``, with Babel (no GNU gettext needed).

Run at set-up (``scripts/lib.sh``); the ``.mo`` files are build output and not kept in git. Fuzzy entries are
left out, as ``msgfmt`` does. Exit status 1 if a catalogue has untranslated or fuzzy entries when ``--strict``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "harmonie" / "locale"


def compile_catalogue(po_path: Path) -> tuple[Path, int, list[str]]:
    """Write the ``.mo`` next to ``po_path``; return it, the number of messages and the problems found."""
    with po_path.open("rb") as f:
        catalog = read_po(f, abort_invalid=True)
    problems = [
        f"{po_path}: {'fuzzy' if message.fuzzy else 'untranslated'}: {message.id!r}"
        for message in catalog
        if message.id
        and (message.fuzzy or not (all(message.string) if isinstance(message.string, tuple) else message.string))
    ]
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    return mo_path, sum(1 for message in catalog if message.id), problems


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[tuple[Path, int, list[str]]]:
    return [compile_catalogue(po) for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="fail when a message is untranslated or fuzzy")
    args = parser.parse_args(argv)
    results = compile_all()
    failed = False
    for mo_path, count, problems in results:
        print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent.parent.parent)} ({count} messages)")  # noqa: T201
        for problem in problems:
            print(problem, file=sys.stderr)  # noqa: T201
        failed = failed or bool(problems)
    if not results:
        print(f"no .po files under {LOCALE_DIR}", file=sys.stderr)  # noqa: T201
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
