"""The visitor page's strings, one file per language (chat/content/strings/<lang>.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chat.page_strings import STRINGS_DIR, PageStrings, StringsError
from chat.visit_page import VISIT_DIR

ROOT = Path(__file__).resolve().parents[3]
ENGLISH = json.loads((STRINGS_DIR / "en.json").read_text("utf-8"))
COMPLETE = ("sv", "en", "ar")


def write(directory: Path, lang: str, table: object) -> None:
    (directory / f"{lang}.json").write_text(json.dumps(table, ensure_ascii=False), "utf-8")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    write(tmp_path, "en", {"start": "Start", "back": "Back", "list": "a\nb"})
    write(tmp_path, "sv", {"start": "Starta", "back": "Tillbaka", "list": "a\nb"})
    return tmp_path


class TestFiles:
    @pytest.mark.parametrize("lang", COMPLETE)
    def test_complete_languages_have_every_key(self, lang: str) -> None:
        own = json.loads((STRINGS_DIR / f"{lang}.json").read_text("utf-8"))
        assert set(own) == set(ENGLISH)
        assert all(isinstance(v, str) and v.strip() for v in own.values())

    def test_every_file_is_readable_and_holds_no_stray_key(self) -> None:
        strings = PageStrings()
        for path in STRINGS_DIR.glob("*.json"):
            own = json.loads(path.read_text("utf-8"))
            stray = {k for k in own if not k.startswith("_")} - set(ENGLISH)
            assert stray == set(), (path.name, stray)
            assert strings.offers(path.stem)

    def test_every_key_the_page_uses_exists(self) -> None:
        used = set()
        for script in VISIT_DIR.glob("*.js"):
            used |= set(re.findall(r"\bt\('(\w+)'", script.read_text("utf-8")))
            used |= set(re.findall(r"'(opt[A-Z]\w*)'", script.read_text("utf-8")))
        html = (ROOT / "chat" / "templates" / "visit.html").read_text("utf-8")
        used |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="(\w+)"', html))
        assert used
        assert used - set(ENGLISH) == set()


class TestFallback:
    def test_a_missing_or_empty_key_falls_back_to_english(self, tiny: Path) -> None:
        write(tiny, "fa", {"start": "", "_review": "needs a native speaker"})
        fa = PageStrings(tiny).strings("fa")
        assert fa == {"start": "Start", "back": "Back", "list": "a\nb"}

    def test_lists_become_lines_and_notes_never_reach_the_page(self, tiny: Path) -> None:
        write(tiny, "so", {"list": ["x", "y"], "_review": "x", "stray": "y"})
        assert PageStrings(tiny).strings("so") == {"start": "Start", "back": "Back", "list": "x\ny"}

    def test_each_file_offers_its_language_in_order(self, tiny: Path) -> None:
        write(tiny, "ckb", {})
        write(tiny, "ar", {})
        strings = PageStrings(tiny)
        assert [lang.code for lang in strings.languages] == ["sv", "en", "ar", "ckb"]
        assert strings.language("ckb").dir == "rtl"
        assert strings.language("ckb").name == "کوردی"
        assert strings.language("sv").locale == "sv-SE"
        assert not strings.offers("fa")

    @pytest.mark.parametrize("bad", [[], {"start": 3}, {"start": ["a", 1]}])
    def test_a_file_that_is_not_strings_stops_the_start(self, tiny: Path, bad: object) -> None:
        write(tiny, "ti", bad)
        with pytest.raises(StringsError, match=r"ti\.json"):
            PageStrings(tiny)

    def test_english_and_swedish_are_required(self, tmp_path: Path) -> None:
        write(tmp_path, "sv", {})
        with pytest.raises(StringsError, match=r"en\.json"):
            PageStrings(tmp_path)
