"""The visitor page's words: English in ``chat/content/strings/en.json``, the source, and every
other language in its gettext catalogue (chat/texts/catalogue.py, ``chat/locale/<lang>/``).

The English file is a flat JSON object, key → string (or a list of strings, kept as lines: the
cover recipe's steps); the page's scripts ask for words by key. The page gets only the strings
of the language in use (in its data block, or from ``GET /api/strings?lang=`` when the visitor
switches language), so a page never carries every language (issue 10). A key a catalogue lacks,
or leaves empty, reads in English, never as an empty label (issue 12). Keys beginning with
``_`` are notes for translators and never reach the page.

Every language with a catalogue is offered on the page; its name and direction come from
:data:`LANGUAGE_NAMES` and :data:`RTL_LANGS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from chat.texts.catalogue import Catalogues, visitor_catalogues

STRINGS_DIR: Final = Path(__file__).resolve().parents[1] / "content" / "strings"
FALLBACK_LANG: Final = "en"
DEFAULT_LANG: Final = "sv"
#: The order the page lists languages in; others with a file follow, by code.
LANGUAGE_ORDER: Final = ("sv", "en", "ar", "fa", "so", "ckb", "ti")
#: Each language's name in itself, as its speakers look for it.
LANGUAGE_NAMES: Final = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "so": "Soomaali",
    "ckb": "کوردی",
    "ti": "ትግርኛ",
}
RTL_LANGS: Final = frozenset({"ar", "fa", "ckb"})
#: The locale for dates and times where it is not the language code itself.
LOCALES: Final = {"sv": "sv-SE", "en": "en-GB"}


class StringsError(ValueError):
    """A strings file is not a JSON object of strings."""


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str
    dir: str
    locale: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "dir": self.dir, "locale": self.locale}


def _read(path: Path) -> dict[str, str]:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise StringsError(f"{path.name}: not JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise StringsError(f"{path.name}: not a JSON object")
    table: dict[str, str] = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        if isinstance(value, list) and all(isinstance(line, str) for line in value):
            value = "\n".join(value)
        if not isinstance(value, str):
            raise StringsError(f"{path.name}: {key} is not a string")
        table[key] = value
    return table


class PageStrings:
    """Every language's strings, read once at start-up, each completed from English."""

    def __init__(self, directory: Path = STRINGS_DIR, catalogues: Catalogues | None = None) -> None:
        english_file = directory / f"{FALLBACK_LANG}.json"
        if not english_file.is_file():
            raise StringsError(f"{directory}: needs {FALLBACK_LANG}.json, the source")
        english = _read(english_file)
        found = catalogues or visitor_catalogues()
        if DEFAULT_LANG not in found.languages:
            raise StringsError(f"no {DEFAULT_LANG} catalogue: the page's default language")
        self._tables: dict[str, dict[str, str]] = {
            # English keys only: a stray entry in a catalogue is never sent.
            code: {key: found.text(code, key, text) for key, text in english.items()}
            for code in found.languages
        }
        order = {code: i for i, code in enumerate(LANGUAGE_ORDER)}
        codes = sorted(self._tables, key=lambda c: (order.get(c, len(order)), c))
        self.languages: tuple[Language, ...] = tuple(
            Language(
                code=code,
                name=LANGUAGE_NAMES.get(code, code),
                dir="rtl" if code in RTL_LANGS else "ltr",
                locale=LOCALES.get(code, code),
            )
            for code in codes
        )

    def offers(self, lang: str) -> bool:
        return lang in self._tables

    def strings(self, lang: str) -> dict[str, str]:
        """The strings of ``lang`` (a language offered), complete."""
        return self._tables[lang]

    def language(self, lang: str) -> Language:
        return next(language for language in self.languages if language.code == lang)
