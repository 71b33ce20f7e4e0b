"""Text analysis for search: the same token stream for articles and for queries.

Each word becomes one or more *terms*: its Snowball stem, folded (so "våld", "vald" and
"VÅLD" meet), plus its folded surface form when that differs, plus for Arabic a light stem
(prefixes such as ال and وال removed), because the Snowball Arabic stemmer treats a word
with and without its article differently in some cases (الختان / ختان). Stemming happens
before folding because the Swedish stemmer knows å, ä and ö.

Languages without a Snowball stemmer (Somali, Sorani, Tigrinya) are indexed by their folded
surface forms; prefix search then finds inflected forms. Sorani is written in Arabic script
with letters Arabic lacks (U+0695, U+06B5, U+06C6, U+06CE, U+06D5), which an Arabic
keyboard cannot type: they fold to their nearest Arabic letters. Tigrinya is written in
Ge'ez (Ethiopic) script, whose word separator and full stop split words like spaces.
Persian writes a zero-width non-joiner inside words; it is dropped, so a word typed
without it still matches.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import snowballstemmer

STEMMERS: Final = {"sv": "swedish", "en": "english", "ar": "arabic", "fa": "persian"}
ARABIC_SCRIPT_LANGS: Final = ("ar", "fa", "ckb")
LATIN_SCRIPT_LANGS: Final = ("sv", "en", "so")
ETHIOPIC_SCRIPT_LANGS: Final = ("ti",)
MAX_TERM_CHARS: Final = 40  # longer "words" are noise or abuse, not vocabulary

# Letters, plus the combining marks, tatweel, soft hyphen and zero-width non-joiner that live
# inside words.
_WORD_RE: Final = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u064b-\u065f\u0670\u0640\u00ad\u200c\u135d-\u135f])+"
)
_ARABIC_MARKS_RE: Final = re.compile(r"[\u064b-\u065f\u0670\u0640\u00ad\u200c]")
_ARABIC_LETTER_RE: Final = re.compile(r"[\u0600-\u06ff]")
_ETHIOPIC_LETTER_RE: Final = re.compile(r"[\u1200-\u137f\u1380-\u139f\u2d80-\u2ddf]")
_ARABIC_FOLD: Final = str.maketrans(
    {
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
        "\u06cc": "\u064a",
        "\u06a9": "\u0643",
        # Sorani letters an Arabic keyboard lacks, and heh doachashmee
        "\u0695": "\u0631",
        "\u06b5": "\u0644",
        "\u06c6": "\u0648",
        "\u06ce": "\u064a",
        "\u06d5": "\u0647",
        "\u06be": "\u0647",
    }
)
_ARABIC_PREFIXES: Final = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال")

_local = threading.local()


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the original text, where it is, and the terms it is indexed under."""

    start: int
    end: int
    terms: tuple[str, ...]  # the first is the primary term

    @property
    def primary(self) -> str:
        return self.terms[0]


def fold(text: str) -> str:
    """Drop diacritics and unify letter variants: å→a, ö→o, é→e; Arabic alef forms,
    alef maqsura and teh marbuta to their plain letters; harakat go with the marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD)


def is_arabic_script(word: str) -> bool:
    return _ARABIC_LETTER_RE.search(word) is not None


def is_ethiopic_script(word: str) -> bool:
    return _ETHIOPIC_LETTER_RE.search(word) is not None


def script_langs(word: str) -> tuple[str, ...]:
    """The languages we serve that are written in the script of `word`."""
    if is_arabic_script(word):
        return ARABIC_SCRIPT_LANGS
    if is_ethiopic_script(word):
        return ETHIOPIC_SCRIPT_LANGS
    return LATIN_SCRIPT_LANGS


def tokenize(text: str, lang: str) -> Iterator[Token]:
    """Every word of `text` with its offsets and terms, analysed as language `lang`."""
    for match in _WORD_RE.finditer(text):
        terms = word_terms(match.group(), lang)
        if terms:
            yield Token(match.start(), match.end(), terms)


def query_terms(word: str, lang: str | None) -> tuple[str, ...]:
    """The terms a query word may match: analysed in `lang`, or in every language of its
    script when the searcher did not say which language they read."""
    same_script = script_langs(word)
    langs = (lang,) if lang in same_script else same_script
    terms: dict[str, None] = {}
    for each in langs:
        terms.update(dict.fromkeys(word_terms(word, each)))
    return tuple(terms)


def surface(word: str) -> str:
    """The word as typed, case- and diacritic-folded: what a prefix search starts from."""
    return fold(_ARABIC_MARKS_RE.sub("", unicodedata.normalize("NFKC", word).casefold()))


@functools.lru_cache(maxsize=65_536)
def word_terms(word: str, lang: str) -> tuple[str, ...]:
    """Terms for one word: folded stem first, then folded surface form, then light stem."""
    norm = unicodedata.normalize("NFKC", word).casefold()
    norm = _ARABIC_MARKS_RE.sub("", norm)
    if not norm or len(norm) > MAX_TERM_CHARS:
        return ()
    script_lang = lang
    if is_arabic_script(norm) and lang not in ARABIC_SCRIPT_LANGS:
        script_lang = "ar"
    elif is_ethiopic_script(norm):
        script_lang = "ti"
    terms = [fold(_stem(script_lang, norm)), fold(norm)]
    if script_lang in ARABIC_SCRIPT_LANGS:
        terms.append(fold(_light_arabic_stem(norm)))
    return tuple(dict.fromkeys(t for t in terms if t))


def _stem(lang: str, word: str) -> str:
    stemmers: dict[str, object] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = {}
        _local.stemmers = stemmers
    algorithm = STEMMERS.get(lang)
    if algorithm is None:
        return word
    stemmer = stemmers.get(lang)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(algorithm)
        stemmers[lang] = stemmer
    stemmed: str = stemmer.stemWord(word)  # type: ignore[attr-defined]  # untyped library
    return stemmed


def _light_arabic_stem(word: str) -> str:
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word
