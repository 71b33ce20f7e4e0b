"""The chat page put together at start-up: small files inline, each with its CSP hash."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chat.web.visit_page import COMMON_DIR, VISIT_DIR, VisitPage, common_module_script
from chat.wire.inbound import MAX_TEXT_CHARS
from security.inline import InlineScriptError, csp_hash

DATA = re.compile(r'<script type="application/json" id="page-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def page() -> VisitPage:
    return VisitPage(resume_grace_s=90)


def page_data(page: VisitPage, lang: str) -> dict[str, object]:
    found = DATA.search(page.body_html(lang))
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


class TestScripts:
    def test_every_file_is_carried_once_in_order_with_its_hash(self, page: VisitPage) -> None:
        names = [script.name for script in page.page_scripts]
        assert names[:3] == ["common/dom.js", "common/text.js", "common/http.js"]
        assert names[3] == "visit/state.js"
        assert names[-1] == "visit/main.js"
        assert sorted(names[3:]) == sorted(f"visit/{p.name}" for p in VISIT_DIR.glob("*.js"))
        for script in (page.quick_exit, *page.page_scripts):
            assert script.hash == csp_hash(script.source)
            assert script.hash in page.hashes

    def test_files_stay_small(self) -> None:
        for path in [*VISIT_DIR.glob("*.js"), *COMMON_DIR.glob("*.js")]:
            assert len(path.read_text("utf-8").splitlines()) <= 400, path.name

    def test_a_common_module_becomes_members_of_fristad_common(self) -> None:
        script = common_module_script(COMMON_DIR / "dom.js")
        assert not re.search(r"^\s*export\b", script.source, re.M)
        for name in ("$", "show", "el", "clear"):
            assert f"C.{name} = {name};" in script.source
        assert script.source.endswith("}(window.FristadCommon = window.FristadCommon || {}));\n")

    @pytest.mark.parametrize(
        "text", ["import { a } from './a.js';\n", "export const A = 1;\n", "export default 1;\n"]
    )
    def test_other_module_syntax_is_refused(self, tmp_path: Path, text: str) -> None:
        path = tmp_path / "mod.js"
        path.write_text("export function a() {}\n" + text, "utf-8")
        with pytest.raises(InlineScriptError, match=r"mod\.js"):
            common_module_script(path)

    def test_no_script_hard_codes_a_limit_or_a_language(self) -> None:
        for path in VISIT_DIR.glob("*.js"):
            text = path.read_text("utf-8")
            # The server's limits are read from the data block, never written as numbers.
            assert re.search(r"(?:MAX_\w+|GIVE_UP_MS)\s*=\s*\d", text) is None, path.name
            assert re.search(r"maxLength\s*=\s*\d", text) is None, path.name
            # Nor a language: no list of codes, no test for one (Swedish names may be compared
            # in Swedish: toLocaleLowerCase('sv') for the municipality picker).
            assert re.search(r"\[\s*'(?:sv|en|ar|fa)'", text) is None, path.name
            assert re.search(r"[=!]==\s*'(?:sv|en|ar|fa)'", text) is None, path.name


class TestData:
    def test_the_page_gets_only_its_languages_strings(self, page: VisitPage) -> None:
        data = page_data(page, "sv")
        strings = data["strings"]
        assert isinstance(strings, dict)
        assert strings["start"] == "Starta chatten"
        assert "Start the chat" not in page.body_html("sv")
        assert page_data(page, "en")["lang"] == "en"

    def test_limits_and_languages_reach_the_page_as_data(self, page: VisitPage) -> None:
        data = page_data(page, "ar")
        assert data["limits"] == {
            "message_chars": MAX_TEXT_CHARS,
            "return_code_chars": 200,
            "survey_text_chars": 1000,
            "resume_grace_s": 90,
        }
        languages = data["languages"]
        assert isinstance(languages, list)
        assert {"code": "ar", "name": "العربية", "dir": "rtl", "locale": "ar"} in languages

    def test_a_language_is_chosen_only_if_offered(self, page: VisitPage) -> None:
        assert page.chosen("ar") == "ar"
        assert page.chosen("xx") == "sv"
        assert page.chosen(None) == "sv"

    def test_the_switch_route_answers_one_language(self, page: VisitPage) -> None:
        answer = page.strings_json("ar")
        assert answer["lang"] == "ar"
        assert answer["dir"] == "rtl"
        assert answer["strings"] == page.strings.strings("ar")
