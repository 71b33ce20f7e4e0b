"""The visitor page's words, one file per language: ``chat/content/strings/<lang>.json``.

Each file is a flat JSON object, key → string, with the keys of the English file. The page
gets only the strings of the language in use (in its data block, or from
``GET /api/strings?lang=`` when the visitor switches language), so a page never carries
every language (issue 10). A key a translation lacks, or leaves empty, falls back to
English, never to an empty label (issue 12). Keys beginning with ``_`` are notes for
translators and reviewers and never reach the page. A list of strings (the cover recipe's
ingredients and steps) is accepted and kept as lines.

Every language whose file exists is offered on the page; its name and direction come from
:data:`LANGUAGE_NAMES` and :data:`RTL_LANGS`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

STRINGS_DIR: Final = Path(__file__).resolve().parent / "content" / "strings"
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
_LANG_FILE: Final = re.compile(r"[a-z]{2,3}")


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

    def __init__(self, directory: Path = STRINGS_DIR) -> None:
        files = {p.stem: p for p in directory.glob("*.json") if _LANG_FILE.fullmatch(p.stem)}
        if FALLBACK_LANG not in files or DEFAULT_LANG not in files:
            raise StringsError(f"{directory}: needs {FALLBACK_LANG}.json and {DEFAULT_LANG}.json")
        english = _read(files[FALLBACK_LANG])
        self._tables: dict[str, dict[str, str]] = {}
        for code, path in files.items():
            own = _read(path)
            # English keys only: a stray key in a translation is never sent.
            self._tables[code] = {key: own.get(key) or text for key, text in english.items()}
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
