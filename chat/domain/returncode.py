"""Return codes: random Swedish words that let a young person come back without an account.

Pure: no I/O beyond reading the shipped word list once at import. The Redis side, which
stores nothing of a code in clear, is :mod:`chat.stores.returncode_store`.

Design, after SecureDrop's codenames (see docs/returncodes.md): a code is
:data:`CODE_WORDS` words drawn with :mod:`secrets` from a list of 2048. The first
:data:`LOOKUP_WORDS` words are the *lookup part* (the server finds the record by a keyed hash
of it); the rest is the *secret part* (checked with argon2id, never stored). The young person
only ever sees one code; the split is an implementation detail.

People type codes on phones, from paper, after hearing them said aloud, so
:func:`normalise_code` forgives case, spacing, punctuation between words, and å/ä/ö typed as
a/o. The list is built so that folding never makes two words collide.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Final, NewType

from chat.domain.limits import MAX_RETURN_CODE_CHARS

__all__ = [
    "CODE_BITS",
    "CODE_WORDS",
    "LOOKUP_WORDS",
    "MAX_CODE_INPUT_CHARS",
    "WORDS",
    "CodeParts",
    "ReturnCode",
    "ReturnCodeFormatError",
    "fold_word",
    "format_code",
    "generate_code",
    "normalise_code",
    "split_code",
]

#: A return code in canonical form: list words, lowercase, separated by single spaces.
ReturnCode = NewType("ReturnCode", str)

#: Words in a code. 6 words from 2048 carry 66 bits (issue 3 asks for at least 64).
CODE_WORDS: Final = 6
#: Leading words that form the lookup part; the other CODE_WORDS - LOOKUP_WORDS are secret.
#: 2 words (22 bits) give about 4 million lookup slots: collisions are rare and are resolved
#: by drawing a new code, and the 4 secret words (44 bits) are what an attacker must guess.
LOOKUP_WORDS: Final = 2
#: Longest text accepted by normalise_code, in characters. A code is at most about 55
#: characters; the bound leaves room for generous spacing and stops a megabyte "code" from
#: costing CPU (cf. SecureDrop's MAX_PASSPHRASE_LENGTH, "avoid DoS").
MAX_CODE_INPUT_CHARS: Final = MAX_RETURN_CODE_CHARS  # chat/domain/limits.py

_WORD_FILE: Final = "returncode_words.txt"
# Letters that NFKD does not decompose; Danish/Norwegian keyboards type æ/ø for ä/ö.
_EXTRA_FOLDS: Final = str.maketrans({"æ": "a", "ø": "o", "ß": "ss"})
# Anything that is not a letter or digit separates words: spaces, hyphens, dots, commas...
_SEPARATORS: Final = re.compile(r"[\W_]+")


class _ReturnCodeError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class ReturnCodeFormatError(_ReturnCodeError, ValueError):
    """Text is not a return code: wrong number of words, or a word that is not on the list.

    The message never repeats the text: it may be most of a real code, and messages end up
    in logs.
    """


@dataclass(frozen=True, slots=True)
class CodeParts:
    """A canonical code split into the part used for lookup and the part kept secret."""

    lookup: str
    secret: str


def fold_word(word: str) -> str:
    """Fold a word for comparison: lowercase, diacritics dropped (å/ä -> a, ö -> o).

    Both the list and the visitor's input are folded, so "blabar" finds "blåbär".
    """
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_EXTRA_FOLDS)


def _load_words() -> tuple[str, ...]:
    text = resources.files("chat").joinpath("data", _WORD_FILE).read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


#: The word list, in file order. Shipped in chat/data/returncode_words.txt.
WORDS: Final[tuple[str, ...]] = _load_words()
#: Entropy of a generated code, in bits.
CODE_BITS: Final = CODE_WORDS * math.log2(len(WORDS))

# folded spelling -> list spelling; building it checks that folding keeps words distinct.
_BY_FOLDED: Final[dict[str, str]] = {fold_word(w): w for w in WORDS}
if len(_BY_FOLDED) != len(WORDS):  # pragma: no cover - guarded by the word-list tests
    raise RuntimeError("return-code word list has words that collide after folding")


def generate_code() -> ReturnCode:
    """Draw a new random code with the operating system's CSPRNG.

    Returns:
        :data:`CODE_WORDS` words in canonical form. The caller must check that the lookup
        part is free (:class:`chat.stores.returncode_store.ReturnCodeStore.issue` does).
    """
    return ReturnCode(" ".join(secrets.choice(WORDS) for _ in range(CODE_WORDS)))


def normalise_code(text: str) -> ReturnCode:
    """Turn what a visitor typed into the canonical code.

    Accepts any case, extra whitespace, hyphens, dots, commas or other punctuation between
    words, and å/ä/ö typed as a/o (or æ/ø).

    Args:
        text: The code as typed.

    Raises:
        ReturnCodeFormatError: If the text is longer than :data:`MAX_CODE_INPUT_CHARS`, does
            not hold exactly :data:`CODE_WORDS` words, or holds a word that is not on the list.

    Returns:
        The list's spelling of each word, lowercase, separated by single spaces.
    """
    if len(text) > MAX_CODE_INPUT_CHARS:
        raise ReturnCodeFormatError(
            f"expected at most {MAX_CODE_INPUT_CHARS} characters, got {len(text)}"
        )
    tokens = [t for t in _SEPARATORS.split(fold_word(text)) if t]
    if len(tokens) != CODE_WORDS:
        raise ReturnCodeFormatError(f"expected {CODE_WORDS} words, got {len(tokens)}")
    words: list[str] = []
    for position, token in enumerate(tokens, start=1):
        word = _BY_FOLDED.get(token)
        if word is None:
            raise ReturnCodeFormatError(f"word {position} is not on the word list")
        words.append(word)
    return ReturnCode(" ".join(words))


def format_code(code: str) -> str:
    """The code as shown to the young person and read out on the phone.

    Words in their Swedish spelling, lowercase, separated by single spaces: a space is what
    people naturally write on paper and say as a pause, whereas a hyphen is read out as
    "bindestreck" and invites typing it. Any separator is accepted back.

    Raises:
        ReturnCodeFormatError: If ``code`` is not a code (see :func:`normalise_code`).
    """
    return normalise_code(code)


def split_code(code: ReturnCode) -> CodeParts:
    """Split a canonical code into its lookup and secret parts."""
    words = code.split(" ")
    if len(words) != CODE_WORDS:
        raise ReturnCodeFormatError(f"expected {CODE_WORDS} words, got {len(words)}")
    return CodeParts(
        lookup=" ".join(words[:LOOKUP_WORDS]),
        secret=" ".join(words[LOOKUP_WORDS:]),
    )
