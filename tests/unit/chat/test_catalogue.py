"""The visitor's gettext catalogues (issue 12): the template holds every string a visitor reads,
every language's catalogue follows the template, and the compiled `.mo` the service reads says
what the `.po` says."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS

from chat.domain.languages import LANGUAGES
from chat.texts.catalogue import LOCALE_DIR, VISITOR_DOMAIN, Catalogues
from tests.support.po import Entry, entries, extracted, read_catalogue, write_catalogue

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = LOCALE_DIR / f"{VISITOR_DOMAIN}.pot"
#: The keyword chat.texts.system_texts marks its English with, as the Makefile passes it to Babel.
KEYWORDS = {**DEFAULT_KEYWORDS, "text": ((1, "c"), 2)}
_BRACES = re.compile(r"\{(\w+)\}")


def _extracted() -> set[Entry]:
    found = extracted(ROOT, "babel.cfg", KEYWORDS)
    assert all(context for context, _ in found)  # every visitor entry has its key
    return found


def _languages() -> list[str]:
    return sorted(
        p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{VISITOR_DOMAIN}.po")
    )


def test_the_template_holds_every_string_a_visitor_reads() -> None:
    extracted = _extracted()
    assert len(extracted) > 150  # positive control: the page's table and the system texts
    assert ("system.requeue", next(m for c, m in extracted if c == "system.requeue")) in extracted
    template = entries(read_catalogue(TEMPLATE))
    assert extracted - template == set(), "new strings: run `make i18n-extract i18n-update`"
    assert template - extracted == set(), "strings gone from the code: run `make i18n-extract`"


def test_every_language_of_the_service_has_a_catalogue() -> None:
    assert set(_languages()) == {lang.code for lang in LANGUAGES} - {"en"}


@pytest.mark.parametrize("lang", _languages())
def test_each_catalogue_follows_the_template(lang: str) -> None:
    catalog = read_catalogue(LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po")
    assert str(catalog.locale) == lang
    assert entries(catalog) == entries(read_catalogue(TEMPLATE)), "run `make i18n-update`"
    assert not catalog.obsolete


@pytest.mark.parametrize(
    "lang", [lang.code for lang in LANGUAGES if lang.complete and lang.code != "en"]
)
def test_complete_languages_translate_every_entry(lang: str) -> None:
    catalog = read_catalogue(LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po")
    gaps = [m.context for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert gaps == []


@pytest.mark.parametrize("lang", _languages())
def test_placeholders_survive_translation(lang: str) -> None:
    catalog = read_catalogue(LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po")
    for message in catalog:
        if message.id and message.string:
            assert sorted(_BRACES.findall(str(message.string))) == sorted(
                _BRACES.findall(str(message.id))
            ), (lang, message.context)


def _compile(locale_dir: Path) -> None:
    """What `make i18n-compile` does: pybabel writes a .mo beside each .po."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "compile",
            "-d",
            str(locale_dir),
            "-D",
            VISITOR_DOMAIN,
        ],
        check=True,
        capture_output=True,
    )


def test_the_compiled_catalogues_say_what_the_po_files_say(tmp_path: Path) -> None:
    """`make i18n-compile` (pybabel) writes `.mo` files that read as the service reads the
    `.po` files it compiles in memory when a `.mo` is missing."""
    for po in LOCALE_DIR.glob(f"*/LC_MESSAGES/{VISITOR_DOMAIN}.po"):
        target = tmp_path / po.relative_to(LOCALE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(po.read_bytes())
    _compile(tmp_path)
    in_memory = Catalogues(tmp_path)  # .mo present and fresh: read as compiled
    for message in read_catalogue(TEMPLATE):
        if not message.id:
            continue
        for lang in _languages():
            mo = tmp_path / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.mo"
            assert mo.is_file()
            with mo.open("rb") as handle:
                compiled = gettext.GNUTranslations(handle)
            key, english = str(message.context), str(message.id)
            assert in_memory.text(lang, key, english) == (
                compiled.pgettext(key, english) or english
            )
            assert Catalogues().text(lang, key, english) == in_memory.text(lang, key, english)


def test_a_stale_mo_is_notread_catalogue(tmp_path: Path) -> None:
    english = {"start": "Start"}
    po = write_catalogue(tmp_path, "sv", english, {"start": "Börja"})
    _compile(tmp_path)
    assert Catalogues(tmp_path).text("sv", "start", "Start") == "Börja"
    write_catalogue(tmp_path, "sv", english, {"start": "Starta"})
    mo = po.with_suffix(".mo")
    stat = mo.stat()
    os.utime(po, (stat.st_atime, stat.st_mtime + 5))
    assert Catalogues(tmp_path).text("sv", "start", "Start") == "Starta"
