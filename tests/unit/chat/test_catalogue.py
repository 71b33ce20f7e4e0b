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
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from chat.catalogue import LOCALE_DIR, VISITOR_DOMAIN, Catalogues
from chat.languages import LANGUAGES
from tests.support.po import write_catalogue

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = LOCALE_DIR / f"{VISITOR_DOMAIN}.pot"
#: The keyword chat.system_texts marks its English with, as the Makefile passes it to Babel.
KEYWORDS = {**DEFAULT_KEYWORDS, "text": ((1, "c"), 2)}
_BRACES = re.compile(r"\{(\w+)\}")

Entry = tuple[str, str]


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _entries(catalog: Catalog) -> set[Entry]:
    return {(str(m.context), str(m.id)) for m in catalog if m.id}


def _extracted() -> set[Entry]:
    """What `make i18n-extract` would write into the template now."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    found: set[Entry] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        assert context, message
        assert isinstance(message, str), message
        found.add((context, message))
    return found


def _languages() -> list[str]:
    return sorted(
        p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{VISITOR_DOMAIN}.po")
    )


def test_the_template_holds_every_string_a_visitor_reads() -> None:
    extracted = _extracted()
    assert len(extracted) > 150  # positive control: the page's table and the system texts
    assert ("system.requeue", next(m for c, m in extracted if c == "system.requeue")) in extracted
    template = _entries(_read(TEMPLATE))
    assert extracted - template == set(), "new strings: run `make i18n-extract i18n-update`"
    assert template - extracted == set(), "strings gone from the code: run `make i18n-extract`"


def test_every_language_of_the_service_has_a_catalogue() -> None:
    assert set(_languages()) == {lang.code for lang in LANGUAGES} - {"en"}


@pytest.mark.parametrize("lang", _languages())
def test_each_catalogue_follows_the_template(lang: str) -> None:
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po")
    assert str(catalog.locale) == lang
    assert _entries(catalog) == _entries(_read(TEMPLATE)), "run `make i18n-update`"
    assert not catalog.obsolete


@pytest.mark.parametrize(
    "lang", [lang.code for lang in LANGUAGES if lang.complete and lang.code != "en"]
)
def test_complete_languages_translate_every_entry(lang: str) -> None:
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po")
    gaps = [m.context for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert gaps == []


@pytest.mark.parametrize("lang", _languages())
def test_placeholders_survive_translation(lang: str) -> None:
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / f"{VISITOR_DOMAIN}.po")
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
    for message in _read(TEMPLATE):
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


def test_a_stale_mo_is_not_read(tmp_path: Path) -> None:
    english = {"start": "Start"}
    po = write_catalogue(tmp_path, "sv", english, {"start": "Börja"})
    _compile(tmp_path)
    assert Catalogues(tmp_path).text("sv", "start", "Start") == "Börja"
    write_catalogue(tmp_path, "sv", english, {"start": "Starta"})
    mo = po.with_suffix(".mo")
    stat = mo.stat()
    os.utime(po, (stat.st_atime, stat.st_mtime + 5))
    assert Catalogues(tmp_path).text("sv", "start", "Start") == "Starta"
