"""The reporting-duty notice in every listed language (issue 12): the same five paragraphs
as the Swedish reference, the law named without a section, 112 as is, English for the rest."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from chat.domain.languages import LANGUAGE_CODES, LANGUAGES
from chat.texts.notices import all_reporting_duty_texts, reporting_duty_text

CONTENT = Path(__file__).resolve().parents[3] / "chat" / "content"
SCRIPTS = {"ar": "ARABIC", "fa": "ARABIC", "ckb": "ARABIC", "ti": "ETHIOPIC"}
AWAITING_REVIEW = [lang.code for lang in LANGUAGES if not lang.complete]


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_every_listed_language_has_its_own_notice(lang: str) -> None:
    assert (CONTENT / f"reporting-duty.{lang}.txt").is_file()
    if lang != "en":
        assert reporting_duty_text(lang) != reporting_duty_text("en")


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_notice_follows_the_swedish_reference(lang: str) -> None:
    text = reporting_duty_text(lang)
    assert len(_paragraphs(text)) == len(_paragraphs(reporting_duty_text("sv")))
    assert "18" in text
    assert _paragraphs(text)[-1].count("112") == 1  # the last line: call 112


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_notice_names_the_law_but_cites_no_section(lang: str) -> None:
    text = reporting_duty_text(lang)
    assert "socialtjänstlagen" in text
    assert "§" not in text
    assert "kap" not in text
    assert set(re.findall(r"\d+", text)) == {"18", "112"}, "no section or SFS number"


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_notice_is_written_in_its_script(lang: str) -> None:
    letters = [ch for ch in reporting_duty_text(lang) if ch.isalpha()]
    own = [ch for ch in letters if unicodedata.name(ch).startswith(SCRIPTS[lang])]
    assert len(own) > 0.9 * len(letters)  # the rest: the Swedish name of the law


@pytest.mark.parametrize("lang", AWAITING_REVIEW)
def test_translations_are_marked_for_review(lang: str) -> None:
    readme = (CONTENT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{lang}` "))
    assert "native speaker" in row
    assert "centre" in row


@pytest.mark.parametrize("lang", ["de", "fi", "", "../en", "kmr"])
def test_a_language_without_a_notice_gets_english(lang: str) -> None:
    assert reporting_duty_text(lang) == reporting_duty_text("en")


def test_the_page_gets_every_listed_language() -> None:
    texts = all_reporting_duty_texts()
    assert list(texts) == list(LANGUAGE_CODES)
    assert all(text.strip() for text in texts.values())
