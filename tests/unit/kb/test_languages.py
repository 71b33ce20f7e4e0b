"""The bank serves every language chat/domain/languages.py lists (issue 12): the same codes and
directions, interface words with no empty label, and tokens for Arabic and Ge'ez script."""

from __future__ import annotations

import pytest

from chat.domain.languages import LANGUAGE_CODES, LANGUAGES, RTL_CODES
from kb.analysis import query_terms, tokenize
from kb.article import LANGS, RTL_LANGS
from kb.pages import LANG_NAMES, UI, ui_words


def test_same_languages_as_chat() -> None:
    assert LANGS == LANGUAGE_CODES
    assert RTL_LANGS == RTL_CODES
    assert {lang.code: lang.name for lang in LANGUAGES} == LANG_NAMES


@pytest.mark.parametrize("lang", LANGS)
def test_every_interface_word_is_there_and_not_empty(lang: str) -> None:
    assert lang in UI
    words = ui_words(lang)
    assert set(words) == set(UI["en"])
    assert all(value.strip() for value in words.values())


def test_a_missing_word_falls_back_to_english() -> None:
    UI["ti"]["related"], saved = "", UI["ti"]["related"]
    try:
        assert ui_words("ti")["related"] == UI["en"]["related"]
    finally:
        UI["ti"]["related"] = saved


def test_sorani_letters_fold_to_what_an_arabic_keyboard_types() -> None:
    (token,) = tokenize("مەترسی", "ckb")
    assert query_terms("مهترسي", "ckb")[0] in token.terms


def test_persian_zero_width_non_joiner_stays_inside_the_word() -> None:
    tokens = list(tokenize("می\u200cخواهم", "fa"))  # noqa: RUF001 -- Persian on purpose
    assert len(tokens) == 1
    assert set(query_terms("میخواهم", "fa")) & set(tokens[0].terms)


def test_geez_word_separators_split_words() -> None:
    words = [t.primary for t in tokenize("ሓገዝ፡ሕጂ። ናብ 112 ደውሉ", "ti")]
    assert words == ["ሓገዝ", "ሕጂ", "ናብ", "112", "ደውሉ"]


def test_geez_query_without_language_is_analysed_as_tigrinya() -> None:
    assert query_terms("ሓገዝ", None) == ("ሓገዝ",)
