"""Folding, stemming and typo tolerance, the pieces search quality rests on."""

from __future__ import annotations

import pytest

from kb.analysis import fold, query_terms, tokenize, word_terms
from kb.fuzzy import Vocabulary, allowed_distance, edit_distance
from kb.query import split_compound
from kb.synonyms import SynonymTable


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("våld", "vald"),
        ("ÄKTENSKAP".casefold(), "aktenskap"),
        ("förtryck", "fortryck"),
        ("café", "cafe"),
        ("أسرة", "اسره"),
        ("إجبار", "اجبار"),
        ("آمن", "امن"),
        ("مستشفى", "مستشفي"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_swedish_inflections_share_a_stem() -> None:
    stems = {word_terms(w, "sv")[0] for w in ("tvångsäktenskap", "tvångsäktenskapet")}
    assert len(stems) == 1


def test_typed_without_diacritics_meets_the_written_word() -> None:
    assert word_terms("tvangsaktenskap", "sv")[0] == word_terms("tvångsäktenskap", "sv")[0]


def test_arabic_harakat_and_tatweel_are_ignored() -> None:
    plain = word_terms("الزواج", "ar")
    assert word_terms("الزَّوَاج", "ar") == plain
    assert word_terms("الزواـــج", "ar") == plain


def test_arabic_word_gets_a_light_stem_without_the_article() -> None:
    assert "ختان" in word_terms("الختان", "ar")


def test_tokens_keep_offsets() -> None:
    text = "Hej, jag heter Sara."
    tokens = list(tokenize(text, "sv"))
    assert [text[t.start : t.end] for t in tokens] == ["Hej", "jag", "heter", "Sara"]


def test_query_without_language_uses_every_language_of_its_script() -> None:
    terms = query_terms("married", None)
    assert word_terms("married", "en")[0] in terms
    assert word_terms("married", "sv")[0] in terms


def test_overlong_word_is_ignored() -> None:
    assert word_terms("a" * 100, "sv") == ()


class TestFuzzy:
    def test_allowed_distance_grows_with_length(self) -> None:
        assert [allowed_distance("x" * n) for n in (3, 6, 12)] == [0, 1, 2]

    def test_transposition_counts_once(self) -> None:
        assert edit_distance("vlad", "vald", 2) == 1

    def test_distance_stops_early(self) -> None:
        assert edit_distance("abcdefgh", "zzzzzzzz", 1) == 2

    def test_corrections_find_the_nearest_term(self) -> None:
        vocabulary = Vocabulary(["konsstympning", "kontroll", "tvangsaktenskap"])
        assert vocabulary.corrections("konstympning") == ["konsstympning"]
        assert vocabulary.corrections("tvongsaktenskap") == ["tvangsaktenskap"]

    def test_short_words_are_not_corrected(self) -> None:
        assert Vocabulary(["vald"]).corrections("valf") == []


def test_compound_splits_into_known_words() -> None:
    vocabulary = Vocabulary(["heder", "vald", "tvang", "aktenskap"])
    assert split_compound("hedersvald", vocabulary) == ["heder", "vald"]
    assert split_compound("tvangsaktenskap", vocabulary) == ["tvang", "aktenskap"]
    assert split_compound("okantord", vocabulary) == []


def test_synonym_phrase_allows_one_word_between() -> None:
    table = SynonymTable({"forced": ["gifta bort"]})
    words = [frozenset(query_terms(w, "sv")) for w in ["de", "ska", "gifta", "mig", "bort"]]
    assert [(c, a, b) for c, a, b in table.matches(words)] == [("synforced", 2, 4)]
