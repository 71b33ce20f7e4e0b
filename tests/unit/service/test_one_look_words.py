"""The quick exit says the same words on the chat page and in the knowledge bank, in every
language (issue 12: one set of controls). The two packages keep their own words (kb may not
import chat), so this test holds them together."""

from __future__ import annotations

import pytest

from chat.domain.languages import LANGUAGE_CODES
from chat.texts.page_strings import PageStrings
from kb.pages import UI


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_the_quick_exit_says_the_same_on_both(lang: str) -> None:
    assert UI[lang]["quick_exit"] == PageStrings().strings(lang)["quickExit"]
