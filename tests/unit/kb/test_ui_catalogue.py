"""The knowledge bank's interface words in gettext catalogues (issue 12): the template holds
every English word of kb/ui.yaml, each language's catalogue follows it, and a word a catalogue
lacks shows in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.pofile import write_po

from kb.article import LANGS
from kb.pages import ui_words
from kb.ui_catalogue import KB_DOMAIN, KB_LOCALE_DIR, UI_FILE, load_ui_words
from tests.support.po import entries, extracted, read_catalogue

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = KB_LOCALE_DIR / f"{KB_DOMAIN}.pot"


def test_the_template_holds_every_word_of_the_bank() -> None:
    found = extracted(ROOT, "babel-kb.cfg", DEFAULT_KEYWORDS)
    assert ("quick_exit", "Leave this page") in found
    assert found == entries(read_catalogue(TEMPLATE)), "run `make i18n-extract i18n-update`"


@pytest.mark.parametrize("lang", [code for code in LANGS if code != "en"])
def test_each_language_has_a_catalogue_that_follows_the_template(lang: str) -> None:
    catalog = read_catalogue(KB_LOCALE_DIR / lang / "LC_MESSAGES" / f"{KB_DOMAIN}.po")
    assert entries(catalog) == entries(read_catalogue(TEMPLATE)), "run `make i18n-update`"
    translated = {m.context for m in catalog if m.id and m.string}
    # The quick exit, the danger line and the way to the chat are in every language.
    assert {"quick_exit", "danger", "chat", "site"} <= translated
    if lang in ("sv", "ar"):
        assert translated == {m.context for m in catalog if m.id}


def test_a_word_a_catalogue_lacks_shows_in_english(tmp_path: Path) -> None:
    catalog = Catalog(locale="so", domain=KB_DOMAIN)
    catalog.add("Knowledge bank", "Bangiga aqoonta", context="site")
    catalog.add("Search", "", context="search")
    catalog.add("Read also", "Akhri sidoo kale", context="related", flags=["fuzzy"])
    target = tmp_path / "so" / "LC_MESSAGES" / f"{KB_DOMAIN}.po"
    target.parent.mkdir(parents=True)
    with target.open("wb") as handle:
        write_po(handle, catalog)
    words = load_ui_words(UI_FILE, tmp_path)
    assert words["so"] == {"site": "Bangiga aqoonta"}
    assert words["en"]["search"] == "Search"


def test_the_pages_get_every_word_in_every_language() -> None:
    for lang in LANGS:
        words = ui_words(lang)
        assert set(words) == set(load_ui_words()["en"]), lang
        assert all(value.strip() for value in words.values()), lang
