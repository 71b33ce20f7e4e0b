"""The languages the service speaks: one list for `hello.lang`, `GET /api/languages`, the
reporting-duty notice and the page (issue 12).

A language is *complete* when the centre has every visitor-facing text in it, reviewed; the
others have the page, the notice and the core articles translated and marked for review by a
native speaker, with English filling any gap. The knowledge bank keeps its own copy of the
codes (kb may not import chat); a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Direction = Literal["ltr", "rtl"]


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1 where there is one; ckb (Central Kurdish, Sorani) is ISO 639-3
    name: str  # the language's own name for itself, as a reader looks for it
    dir: Direction
    complete: bool

    def as_json(self) -> dict[str, str | bool]:
        return {"code": self.code, "name": self.name, "dir": self.dir, "complete": self.complete}


LANGUAGES: Final = (
    Language("sv", "Svenska", "ltr", complete=True),
    Language("en", "English", "ltr", complete=True),
    Language("ar", "العربية", "rtl", complete=True),
    Language("fa", "فارسی", "rtl", complete=False),
    Language("so", "Soomaali", "ltr", complete=False),
    Language("ckb", "کوردی", "rtl", complete=False),
    Language("ti", "ትግርኛ", "ltr", complete=False),
)
LANGUAGE_CODES: Final = tuple(language.code for language in LANGUAGES)
RTL_CODES: Final = frozenset(language.code for language in LANGUAGES if language.dir == "rtl")
FALLBACK_LANG: Final = "en"  # what a text missing in an incomplete language falls back to

_BY_CODE: Final = {language.code: language for language in LANGUAGES}


def language(code: str) -> Language | None:
    """The listed language with this code, or None."""
    return _BY_CODE.get(code)


def languages_json() -> dict[str, list[dict[str, str | bool]]]:
    """The body of `GET /api/languages` (protocol.md, Languages)."""
    return {"languages": [language.as_json() for language in LANGUAGES]}
