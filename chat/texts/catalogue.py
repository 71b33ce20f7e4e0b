"""The visitor's words in gettext catalogues: ``chat/locale/<lang>/LC_MESSAGES/visitor.po``.

One catalogue per language (issue 12), made and kept with Babel: ``make i18n-extract`` writes
the template ``chat/locale/visitor.pot`` from the English sources (the page's
``chat/content/strings/en.json`` and the service's own system texts in
``chat/texts/system_texts.py``), ``make i18n-update`` merges it into every language's ``.po`` and
``make i18n-compile`` writes the ``.mo`` files the service reads. Each entry's context is a
key (``quickExit``, ``system.requeue``) and its ``msgid`` the English text, so a translator
sees what the words are for and what they say.

English is the source and the fallback: an entry a catalogue lacks, leaves empty, or has
marked fuzzy reads in English, never as an empty label.

A ``.po`` newer than its ``.mo`` (a translation edited but not compiled) is read instead of it,
so a checkout serves what its catalogues say; the service never writes here. Each catalogue is
read once, with Babel, into a plain table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
VISITOR_DOMAIN: Final = "visitor"
SOURCE_LANG: Final = "en"

#: (context, source text) -> translation, for the entries a catalogue translates.
Entries = dict[tuple[str | None, str], str]


def _read(po: Path) -> Entries:
    """The catalogue's translated entries: from its .mo when that is fresh, else its .po."""
    mo = po.with_suffix(".mo")
    catalog: Catalog
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            catalog = read_mo(handle)
    else:
        with po.open("rb") as handle:
            catalog = read_po(handle)
    return {
        (m.context, m.id): m.string
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
        if not m.fuzzy
    }


class Catalogues:
    """Every language's catalogue of one domain, read once (the staff's too: their source is
    Swedish, counsellor_console/domain/staff_language.py)."""

    def __init__(
        self, locale_dir: Path = LOCALE_DIR, domain: str = VISITOR_DOMAIN, source: str = SOURCE_LANG
    ) -> None:
        self.source = source
        self._by_lang: dict[str, Entries] = {
            po.parent.parent.name: _read(po)
            for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{domain}.po"))
        }

    @property
    def languages(self) -> frozenset[str]:
        """The languages with a catalogue, and the source language (English for visitors)."""
        return frozenset(self._by_lang) | {self.source}

    def text(self, lang: str, key: str, english: str) -> str:
        """``english`` (the entry ``key``'s source text) in ``lang``, or in English."""
        return self._by_lang.get(lang, {}).get((key, english)) or english

    def gettext(self, lang: str, source: str) -> str:
        """``source`` (an entry without a context, in the domain's source language) in ``lang``."""
        return self._by_lang.get(lang, {}).get((None, source)) or source

    def keyed(self, lang: str) -> dict[str, str]:
        """Key -> translation of every entry with a key (a context) that ``lang`` translates."""
        return {key: text for (key, _source), text in self._by_lang.get(lang, {}).items() if key}


@cache
def visitor_catalogues() -> Catalogues:
    """The visitor domain's catalogues, read on first use and kept for the process."""
    return Catalogues()
