"""Babel's extractor for the page's English source, ``chat/content/strings/en.json``.

The page's scripts name their words by key (``t("quickExit")``), so the English text lives in
one JSON table rather than in the scripts; this turns each entry into a catalogue entry with
the key as its context (``babel.cfg`` maps the file to it). A list (the cover recipe's steps)
becomes one text of lines, as the page shows it; keys beginning with ``_`` are notes for
translators and become the comment of the entry after them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any


def extract_page_strings(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Yield ``(line, "pgettext", (key, english), comments)`` for every entry."""
    source = fileobj.read().decode("utf-8")
    table = json.loads(source)
    lines = source.splitlines()
    notes: list[str] = []
    for key, value in table.items():
        if key.startswith("_"):
            notes.append(str(value))
            continue
        text = "\n".join(value) if isinstance(value, list) else str(value)
        yield _line_of(lines, key), "pgettext", (key, text), notes
        notes = []


def _line_of(lines: list[str], key: str) -> int:
    needle = json.dumps(key) + ":"
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return 0
