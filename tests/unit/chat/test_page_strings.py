"""The visitor page's strings: English in chat/content/strings/en.json, every other language
in its gettext catalogue (chat/locale/<lang>/LC_MESSAGES/visitor.po)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chat.texts.catalogue import Catalogues, visitor_catalogues
from chat.texts.page_strings import STRINGS_DIR, PageStrings, StringsError
from chat.web.visit_page import VISIT_DIR
from tests.support.po import write_catalogue

ROOT = Path(__file__).resolve().parents[3]
ENGLISH = json.loads((STRINGS_DIR / "en.json").read_text("utf-8"))
COMPLETE = ("sv", "en", "ar")
TINY = {"start": "Start", "back": "Back", "list": "a\nb"}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A strings directory with the English source, and ``tmp_path/locale`` beside it."""
    strings = tmp_path / "strings"
    strings.mkdir()
    (strings / "en.json").write_text(json.dumps(TINY), "utf-8")
    write_catalogue(tmp_path / "locale", "sv", TINY, {"start": "Starta", "back": "Tillbaka"})
    return tmp_path


def page(root: Path) -> PageStrings:
    return PageStrings(root / "strings", Catalogues(root / "locale"))


class TestFiles:
    @pytest.mark.parametrize("lang", COMPLETE)
    def test_complete_languages_translate_every_key(self, lang: str) -> None:
        table = PageStrings().strings(lang)
        assert set(table) == {k for k in ENGLISH if not k.startswith("_")}
        assert all(v.strip() for v in table.values())
        if lang != "en":
            untranslated = {k for k, v in table.items() if v == ENGLISH[k] and " " in v}
            assert untranslated == set(), untranslated

    def test_every_catalogue_is_offered(self) -> None:
        strings = PageStrings()
        assert {lang.code for lang in strings.languages} == set(visitor_catalogues().languages)
        assert [lang.code for lang in strings.languages] == [
            "sv",
            "en",
            "ar",
            "fa",
            "so",
            "ckb",
            "ti",
        ]

    def test_every_key_the_page_uses_exists(self) -> None:
        used = set()
        for script in VISIT_DIR.glob("*.js"):
            used |= set(re.findall(r"\bt\('(\w+)'", script.read_text("utf-8")))
            used |= set(re.findall(r"'(opt[A-Z]\w*)'", script.read_text("utf-8")))
        html = (ROOT / "chat" / "web" / "templates" / "visit.html").read_text("utf-8")
        used |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="(\w+)"', html))
        assert used
        assert used - set(ENGLISH) == set()


class TestFallback:
    def test_a_missing_empty_or_fuzzy_entry_falls_back_to_english(self, tiny: Path) -> None:
        write_catalogue(tiny / "locale", "fa", TINY, {"back": "برگشت", "list": "x"}, fuzzy=["list"])
        fa = page(tiny).strings("fa")
        assert fa == {"start": "Start", "back": "برگشت", "list": "a\nb"}

    def test_a_stray_entry_never_reaches_the_page(self, tiny: Path) -> None:
        write_catalogue(tiny / "locale", "so", {**TINY, "stray": "y"}, {"stray": "z"})
        assert page(tiny).strings("so") == TINY

    def test_each_catalogue_offers_its_language_in_order(self, tiny: Path) -> None:
        write_catalogue(tiny / "locale", "ckb", TINY, {})
        write_catalogue(tiny / "locale", "ar", TINY, {})
        strings = page(tiny)
        assert [lang.code for lang in strings.languages] == ["sv", "en", "ar", "ckb"]
        assert strings.language("ckb").dir == "rtl"
        assert strings.language("ckb").name == "کوردی"
        assert strings.language("sv").locale == "sv-SE"
        assert strings.strings("sv")["start"] == "Starta"
        assert not strings.offers("fa")

    @pytest.mark.parametrize("bad", [[], {"start": 3}, {"start": ["a", 1]}])
    def test_an_english_source_that_is_not_strings_stops_the_start(
        self, tiny: Path, bad: object
    ) -> None:
        (tiny / "strings" / "en.json").write_text(json.dumps(bad), "utf-8")
        with pytest.raises(StringsError, match=r"en\.json"):
            page(tiny)

    def test_english_and_swedish_are_required(self, tmp_path: Path) -> None:
        (tmp_path / "strings").mkdir()
        with pytest.raises(StringsError, match=r"en\.json"):
            page(tmp_path)
        (tmp_path / "strings" / "en.json").write_text(json.dumps(TINY), "utf-8")
        with pytest.raises(StringsError, match="sv catalogue"):
            page(tmp_path)
