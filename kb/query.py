"""Turn what someone typed into an FTS5 query over the analysed index.

Each word becomes a clause: its terms, the corrections of a misspelling, the parts of an
unknown compound, and a prefix for the last word (search while typing). Words that form a
synonym phrase ("gifta bort") are also offered the phrase's concept term. The clauses are
joined with AND first; the caller falls back to OR when that finds too little.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from kb.analysis import fold, query_terms, surface
from kb.fuzzy import Vocabulary
from kb.synonyms import SynonymTable

MAX_QUERY_CHARS: Final = 200
MAX_QUERY_WORDS: Final = 12
MIN_PREFIX_CHARS: Final = 3
MIN_COMPOUND_PART_CHARS: Final = 3

_QUERY_WORD_RE: Final = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u064b-\u065f\u0670\u0640])+")

_STOPWORD_TEXT: Final = (
    # Swedish
    "och i att det som en på är av för med till den har de inte om ett men var jag sig "
    "från vi så kan man när hon han också eller nu sin där vid mot ska skulle kommer får "
    "finns vara hade alla andra mycket än här dem då sedan över bara in blir upp även vad "
    "mig min mitt mina du dig din ditt hur vill vem vilka vilken vilket någon något jo "
    # English
    "the a an and or of to in on for with is are be me my you your it what how do does "
    "can if at by from that this am was will about who where when"
    # Arabic
    " في من على إلى الى عن ما ماذا هل أن ان و أو او لا هذا هذه كيف أنا انا لي"
)
STOPWORDS: Final = frozenset(fold(w) for w in _STOPWORD_TEXT.split())


@dataclass
class Clause:
    """What one word (or one synonym phrase) may match."""

    terms: list[str] = field(default_factory=list)
    prefix: str | None = None
    parts: list[str] = field(default_factory=list)  # compound split: all must match

    def fts(self) -> str:
        options = [_quote(t) for t in self.terms]
        if self.prefix:
            options.append(_quote(self.prefix) + "*")
        if self.parts:
            options.append("(" + " AND ".join(_quote(p) for p in self.parts) + ")")
        return "(" + " OR ".join(options) + ")"


@dataclass
class ParsedQuery:
    clauses: list[str]
    terms: frozenset[str]  # every term a snippet may show
    prefixes: tuple[str, ...]

    def expression(self, *, strict: bool) -> str:
        return (" AND " if strict else " OR ").join(self.clauses)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class QueryParser:
    def __init__(self, vocabulary: Vocabulary, sorted_terms: Sequence[str], synonyms: SynonymTable):
        self._vocabulary = vocabulary
        self._sorted = sorted_terms
        self._synonyms = synonyms

    def parse(self, q: str, lang: str | None) -> ParsedQuery | None:
        """The query for `q`, or None when nothing in it can match anything."""
        text = q[:MAX_QUERY_CHARS]
        words = _QUERY_WORD_RE.findall(text)[:MAX_QUERY_WORDS]
        content = [w for w in words if fold(w.casefold()) not in STOPWORDS] or words
        typing_last = bool(content) and content[-1] == words[-1] and not text[-1:].isspace()
        clauses = [
            self._clause(w, lang, prefix=typing_last and i == len(content) - 1)
            for i, w in enumerate(content)
        ]
        clauses = [c for c in clauses if c.terms or c.prefix or c.parts]
        if not clauses:
            return None
        fts = [c.fts() for c in clauses]
        terms = {t for c in clauses for t in (*c.terms, *c.parts)}
        spans: dict[tuple[int, int], list[str]] = {}
        for concept, first, last in self._synonyms.matches([frozenset(c.terms) for c in clauses]):
            spans.setdefault((first, last), []).append(concept)
            terms |= self._synonyms.member_terms[concept]
        taken: set[int] = set()
        for (first, last), concepts in sorted(spans.items(), key=lambda s: s[0][0] - s[0][1]):
            if taken.intersection(range(first, last + 1)):
                continue  # overlaps a longer phrase already replaced
            taken.update(range(first, last + 1))
            options = [_quote(c) for c in dict.fromkeys(concepts)]
            options.append("(" + " AND ".join(fts[first : last + 1]) + ")")
            fts[first : last + 1] = ["(" + " OR ".join(options) + ")"] + [""] * (last - first)
        prefixes = tuple(c.prefix for c in clauses if c.prefix)
        return ParsedQuery([c for c in fts if c], frozenset(terms), prefixes)

    def _clause(self, word: str, lang: str | None, *, prefix: bool) -> Clause:
        clause = Clause()
        candidates = query_terms(word, lang)
        clause.terms = [t for t in candidates if t in self._vocabulary]
        typed = surface(word)
        if prefix and len(typed) >= MIN_PREFIX_CHARS and self._has_prefix(typed):
            clause.prefix = typed
        if not clause.terms:
            for term in candidates:
                clause.terms.extend(self._vocabulary.corrections(term))
            clause.terms = list(dict.fromkeys(clause.terms))
        if not clause.terms and candidates:
            clause.parts = self._split(candidates[0])
        return clause

    def _has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)

    def _split(self, term: str) -> list[str]:
        """Two known words that make up an unknown compound, with or without a linking s."""
        return split_compound(term, self._vocabulary)


def split_compound(term: str, vocabulary: Vocabulary) -> list[str]:
    """Split `term` into two vocabulary words ("hedersvald" -> heder + vald), or []."""
    low = MIN_COMPOUND_PART_CHARS
    for cut in range(len(term) - low, low - 1, -1):
        left, right = term[:cut], term[cut:]
        if right not in vocabulary:
            continue
        if left in vocabulary:
            return [left, right]
        if left.endswith("s") and left[:-1] in vocabulary and len(left) > low:
            return [left[:-1], right]
    return []
