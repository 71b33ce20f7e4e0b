"""Babel's extractor for the knowledge bank's English interface words, ``kb/ui.yaml``.

Each word becomes a catalogue entry with its key as the context (``babel-kb.cfg``), so a
translator sees what it is for and what it says.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml


def extract_ui_words(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Yield ``(line, "pgettext", (key, english), [])`` for every word of the ``en`` table."""
    source = fileobj.read().decode("utf-8")
    english = yaml.safe_load(source)["en"]
    lines = source.splitlines()
    for key, text in english.items():
        line = next((n for n, row in enumerate(lines, 1) if row.startswith(f"  {key}:")), 0)
        yield line, "pgettext", (str(key), str(text)), []
