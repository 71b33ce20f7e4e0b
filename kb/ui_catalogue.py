"""The knowledge bank's interface words, per language: English in ``kb/ui.yaml`` (the source)
and every other language in its gettext catalogue, ``kb/locale/<lang>/LC_MESSAGES/kb.po``
(issue 12), made with Babel like the visitor's and the staff's (``make i18n-extract
i18n-update``).

The bank reads its ``.po`` files directly with Babel at start-up: eighteen words in seven
languages need no compiled ``.mo``, and a checkout then serves what its catalogues say. A word
a catalogue lacks, leaves empty, or marks fuzzy is left out here, so the page shows it in
English (kb/pages.py), never empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import yaml
from babel.messages.pofile import read_po

KB_DIR: Final = Path(__file__).resolve().parent
UI_FILE: Final = KB_DIR / "ui.yaml"
KB_LOCALE_DIR: Final = KB_DIR / "locale"
KB_DOMAIN: Final = "kb"
SOURCE_LANG: Final = "en"


def load_ui_words(
    ui_file: Path = UI_FILE, locale_dir: Path = KB_LOCALE_DIR
) -> dict[str, dict[str, str]]:
    """Language -> key -> word: English complete, the others with what they translate."""
    english = {str(k): str(v) for k, v in yaml.safe_load(ui_file.read_text("utf-8"))["en"].items()}
    words: dict[str, dict[str, str]] = {SOURCE_LANG: english}
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{KB_DOMAIN}.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        words[po.parent.parent.name] = {
            str(m.context): str(m.string)
            for m in catalog
            if m.id and m.context in english and m.string and not m.fuzzy
        }
    return words
