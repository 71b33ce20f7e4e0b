"""Return codes: the shipped word list, normalising what people type, generating codes."""

from __future__ import annotations

import math
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.domain.returncode import (
    CODE_BITS,
    CODE_WORDS,
    LOOKUP_WORDS,
    MAX_CODE_INPUT_CHARS,
    WORDS,
    ReturnCodeFormatError,
    fold_word,
    format_code,
    generate_code,
    normalise_code,
    split_code,
)

# Words that must never be part of a code shown to a young person living with honour-related
# violence: violence, death, weapons, family and honour, shame, bodies, slurs and swearing.
FORBIDDEN_WORDS = frozenset(
    """
    våld slag slå kniv yxa vapen pistol gevär bomb krig mord död döda blod gift hot hota rädd
    skräck fara farlig gråt tårar sorg straff fängelse polis brott offer tvång tvinga
    heder ära skam oskuld brud bröllop make maka förlovning hemgift familj släkt mamma pappa
    mor far bror syster kusin farbror morbror farmor mormor son dotter barn hem
    kropp bröst rumpa kön sex naken slöja sjal kjol klänning
    hora kuk fitta bög neger jävel helvete satan svin gris apa kossa kviga
    kista grav lik gravsten
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
FORBIDDEN_SUBSTRINGS = (
    "våld",
    "kniv",
    "vapen",
    "mord",
    "blod",
    "heder",
    "skam",
    "bomb",
    "krig",
    "tvång",
    "fitt",
    "jävl",
    "helvet",
    "hora",
)


class TestWordList:
    def test_has_2048_words(self) -> None:
        assert len(WORDS) == 2048

    def test_words_are_unique(self) -> None:
        assert len(set(WORDS)) == len(WORDS)

    def test_words_are_3_to_8_lowercase_swedish_letters(self) -> None:
        bad = [w for w in WORDS if not re.fullmatch("[a-zåäö]{3,8}", w)]
        assert bad == []

    def test_words_stay_distinct_after_folding(self) -> None:
        assert len({fold_word(w) for w in WORDS}) == len(WORDS)

    def test_folding_gives_plain_ascii(self) -> None:
        assert all(re.fullmatch("[a-z]+", fold_word(w)) for w in WORDS)

    def test_no_forbidden_words(self) -> None:
        assert sorted(FORBIDDEN_WORDS.intersection(WORDS)) == []

    def test_no_forbidden_substrings(self) -> None:
        bad = [w for w in WORDS if any(s in w for s in FORBIDDEN_SUBSTRINGS)]
        assert bad == []

    def test_file_is_sorted_for_review(self) -> None:
        order = {c: i for i, c in enumerate(string.ascii_lowercase + "åäö")}
        assert list(WORDS) == sorted(WORDS, key=lambda w: [order[c] for c in w])


class TestEntropy:
    def test_at_least_64_bits(self) -> None:
        assert CODE_WORDS * math.log2(len(WORDS)) >= 64
        assert CODE_BITS >= 64

    def test_secret_part_is_the_larger_part(self) -> None:
        assert 0 < LOOKUP_WORDS < CODE_WORDS - LOOKUP_WORDS


class TestGenerateCode:
    def test_has_code_words_from_the_list(self) -> None:
        words = generate_code().split(" ")
        assert len(words) == CODE_WORDS
        assert all(w in WORDS for w in words)

    def test_is_canonical(self) -> None:
        code = generate_code()
        assert normalise_code(code) == code

    def test_codes_differ(self) -> None:
        assert len({generate_code() for _ in range(200)}) == 200


class TestNormaliseCode:
    CODE = "blåbär kanel sol ekorre päron moln"

    def test_canonical_code_is_unchanged(self) -> None:
        assert normalise_code(self.CODE) == self.CODE

    def test_ignores_case(self) -> None:
        assert normalise_code(self.CODE.upper()) == self.CODE

    def test_accepts_a_and_o_for_swedish_letters(self) -> None:
        assert normalise_code("blabar kanel sol ekorre paron moln") == self.CODE

    def test_accepts_danish_and_norwegian_letters(self) -> None:
        assert normalise_code("blåbær kanel sol ekorre pæron moln") == self.CODE

    def test_accepts_decomposed_letters(self) -> None:
        assert normalise_code("bla\u030aba\u0308r kanel sol ekorre pa\u0308ron moln") == self.CODE

    @pytest.mark.parametrize(
        "text",
        [
            "  blåbär   kanel sol ekorre päron moln \n",
            "blåbär-kanel-sol-ekorre-päron-moln",
            "blåbär. kanel, sol; ekorre / päron _ moln",
            "Blåbär\tKanel\nSol \u2013 Ekorre · Päron · Moln",
        ],
    )
    def test_accepts_any_separators(self, text: str) -> None:
        assert normalise_code(text) == self.CODE

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", "expected 6 words, got 0"),
            ("blåbär kanel sol ekorre päron", "expected 6 words, got 5"),
            ("blåbär kanel sol ekorre päron moln moln", "expected 6 words, got 7"),
            ("blåbär kanel sol ekorre päron mojn", "word 6 is not on the word list"),
            ("blåbär kanel 5ol ekorre päron moln", "word 3 is not on the word list"),
            ("blåbärkanel sol ekorre päron moln x", "word 1 is not on the word list"),
        ],
    )
    def test_rejects_what_is_not_a_code(self, text: str, expected: str) -> None:
        with pytest.raises(ReturnCodeFormatError, match=expected):
            normalise_code(text)

    def test_error_never_repeats_the_text(self) -> None:
        with pytest.raises(ReturnCodeFormatError) as caught:
            normalise_code("blåbär kanel sol ekorre päron mojn")
        assert not any(w in str(caught.value) for w in self.CODE.split())

    def test_rejects_overly_long_input(self) -> None:
        text = self.CODE + " " * (MAX_CODE_INPUT_CHARS - len(self.CODE) + 1)
        with pytest.raises(ReturnCodeFormatError, match="at most 200 characters"):
            normalise_code(text)

    def test_accepts_input_at_the_bound(self) -> None:
        text = self.CODE + " " * (MAX_CODE_INPUT_CHARS - len(self.CODE))
        assert normalise_code(text) == self.CODE

    def test_error_is_a_value_error(self) -> None:
        assert issubclass(ReturnCodeFormatError, ValueError)


SEPARATORS = st.sampled_from([" ", "  ", "-", " - ", ".", ", ", "\t", "\n", "_", " / "])


@given(
    words=st.lists(st.sampled_from(WORDS), min_size=CODE_WORDS, max_size=CODE_WORDS),
    separators=st.lists(SEPARATORS, min_size=CODE_WORDS - 1, max_size=CODE_WORDS - 1),
    upper=st.lists(st.booleans(), min_size=60, max_size=60),
    fold=st.booleans(),
    padding=st.tuples(st.sampled_from(["", " ", "\n "]), st.sampled_from(["", " ", " \n"])),
)
def test_code_survives_how_people_type_it(
    words: list[str],
    separators: list[str],
    upper: list[bool],
    fold: bool,
    padding: tuple[str, str],
) -> None:
    code = " ".join(words)
    typed = words[0] + "".join(sep + w for sep, w in zip(separators, words[1:], strict=True))
    if fold:
        typed = typed.replace("å", "a").replace("ä", "a").replace("ö", "o")
    flags = upper + [False] * len(typed)
    typed = "".join(ch.upper() if up else ch for ch, up in zip(typed, flags, strict=False))
    assert normalise_code(padding[0] + typed + padding[1]) == code


@given(st.text(max_size=300))
def test_normalise_accepts_or_raises_format_error(text: str) -> None:
    try:
        code = normalise_code(text)
    except ReturnCodeFormatError:
        return
    assert len(code.split(" ")) == CODE_WORDS


class TestSplitAndFormat:
    def test_split_code(self) -> None:
        parts = split_code(normalise_code("blåbär kanel sol ekorre päron moln"))
        assert parts.lookup == "blåbär kanel"
        assert parts.secret == "sol ekorre päron moln"

    def test_format_code_uses_swedish_spelling_and_spaces(self) -> None:
        assert format_code("BLABAR-kanel-sol-ekorre-paron-moln") == (
            "blåbär kanel sol ekorre päron moln"
        )
