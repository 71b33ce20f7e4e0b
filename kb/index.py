"""The search index: SQLite FTS5 in memory, fed with our own analysed token stream.

FTS5 does the part that is hard to get right and fast (posting lists, bm25 ranking, column
weights); `kb.analysis` does the part SQLite cannot (Snowball stemming in three languages,
folding, synonyms, compounds). We write already-analysed terms into the table, so FTS5's own
`unicode61` tokenizer only has to split on the spaces we put there.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kb.analysis import Token, tokenize
from kb.fuzzy import Vocabulary
from kb.query import ParsedQuery, QueryParser, split_compound
from kb.synonyms import SynonymTable

SNIPPET_CHARS: Final = 180
MAX_RESULTS: Final = 50
COMPOUND_MIN_CHARS: Final = 9  # shorter words are rarely compounds worth splitting

# Language and audience are tokens in an indexed `meta` column, so FTS5 filters them with its
# posting lists instead of reading every matching row (this halved p99 in bench/kb_search.py).
_SCHEMA: Final = (
    "CREATE VIRTUAL TABLE docs USING fts5(title, summary, body, extra, meta,"
    " tokenize='unicode61 remove_diacritics 0', prefix='3')"
)
# A word in the title says more than the same word in the body.
# The bm25 weights follow the column order: title, summary, body, extra, meta.
_QUERY: Final = (
    "SELECT rowid FROM docs WHERE docs MATCH ?1"
    " ORDER BY bm25(docs, 8.0, 4.0, 1.0, 1.5, 0.0) LIMIT ?2"
)
_STAFF_META: Final = "metastaff"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the index needs of an article."""

    title: str
    summary: str
    text: str  # plain text of the body
    lang: str
    staff_only: bool


@dataclass(frozen=True, slots=True)
class Hit:
    position: int  # the entry's index in the sequence the index was built from
    snippet: str


@dataclass(frozen=True, slots=True)
class _Analysed:
    title: tuple[Token, ...]
    summary: tuple[Token, ...]
    text: tuple[Token, ...]
    first: dict[str, int]  # term -> index of the first body token carrying it


def _analyse(entry: IndexEntry) -> _Analysed:
    text = tuple(tokenize(entry.text, entry.lang))
    first: dict[str, int] = {}
    for i, token in enumerate(text):
        for term in token.terms:
            first.setdefault(term, i)
    return _Analysed(
        tuple(tokenize(entry.title, entry.lang)),
        tuple(tokenize(entry.summary, entry.lang)),
        text,
        first,
    )


class SearchIndex:
    def __init__(self, entries: Sequence[IndexEntry], synonyms: SynonymTable) -> None:
        self._entries = list(entries)
        self._synonyms = synonyms
        self._analysed = [_analyse(e) for e in self._entries]
        words = {
            t for a in self._analysed for tok in (*a.title, *a.summary, *a.text) for t in tok.terms
        }
        self._words = Vocabulary(words)
        self._splits: dict[str, list[str]] = {}
        extra_terms = {t for terms in synonyms.member_terms.values() for t in terms}
        vocabulary = Vocabulary(words | extra_terms)
        self._parser = QueryParser(vocabulary, sorted(words), synonyms)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(_SCHEMA)
        self._db.executemany(
            "INSERT INTO docs(rowid, title, summary, body, extra, meta) VALUES (?, ?, ?, ?, ?, ?)",
            (self._row(i) for i in range(len(self._entries))),
        )
        self._db.commit()

    def _row(self, i: int) -> tuple[object, ...]:
        entry, analysed = self._entries[i], self._analysed[i]
        extra: list[str] = []
        for tokens in (analysed.title, analysed.summary, analysed.text):
            for token in tokens:
                extra.extend(token.terms[1:])
                extra.extend(self._compound_parts(token.primary))
        return (
            i,
            self._column(analysed.title),
            self._column(analysed.summary),
            self._column(analysed.text),
            " ".join(extra),
            f"metalang{entry.lang}" + (f" {_STAFF_META}" if entry.staff_only else ""),
        )

    def _compound_parts(self, term: str) -> list[str]:
        if len(term) < COMPOUND_MIN_CHARS:
            return []
        parts = self._splits.get(term)
        if parts is None:
            parts = split_compound(term, self._words)
            self._splits[term] = parts
        return parts

    def _column(self, tokens: Sequence[Token]) -> str:
        concepts = [c for c, _, _ in self._synonyms.matches([frozenset(t.terms) for t in tokens])]
        return " ".join([t.primary for t in tokens] + concepts)

    def search(self, q: str, lang: str | None, *, include_staff: bool, limit: int) -> list[Hit]:
        """Best first: every word matched if that finds `limit` results, else any word."""
        parsed = self._parser.parse(q, lang)
        limit = max(0, min(limit, MAX_RESULTS))
        if parsed is None or limit == 0:
            return []
        found = self._run(parsed.expression(strict=True), lang, include_staff, limit)
        if len(found) < limit and len(parsed.clauses) > 1:
            seen = set(found)
            loose = self._run(parsed.expression(strict=False), lang, include_staff, limit)
            found.extend(p for p in loose if p not in seen)
        return [Hit(p, self._snippet(p, parsed)) for p in found[:limit]]

    def _run(self, expression: str, lang: str | None, include_staff: bool, limit: int) -> list[int]:
        # The searcher's words look only in the text columns, never in `meta`.
        match = f"{{title summary body extra}} : ({expression})"
        if lang is not None:
            match = f'meta : "metalang{lang}" AND {match}'
        if not include_staff:
            match = f'{match} NOT meta : "{_STAFF_META}"'
        with self._lock:
            rows = self._db.execute(_QUERY, (match, limit)).fetchall()
        return [int(row[0]) for row in rows]

    def _snippet(self, position: int, parsed: ParsedQuery) -> str:
        entry = self._entries[position]
        hit = _first_hit(self._analysed[position], parsed)
        if hit is None:
            return _shorten(entry.summary, SNIPPET_CHARS)
        return _window(entry.text, hit, SNIPPET_CHARS)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _first_hit(analysed: _Analysed, parsed: ParsedQuery) -> Token | None:
    """The first body word the query matched: exact terms by lookup, prefixes by scan."""
    first = analysed.first
    best = min((first[t] for t in parsed.terms if t in first), default=None)
    for prefix in parsed.prefixes:
        for term, i in first.items():
            if (best is None or i < best) and term.startswith(prefix):
                best = i
    return None if best is None else analysed.text[best]


def _window(text: str, token: Token, width: int) -> str:
    """About `width` characters of `text` around `token`, cut at spaces and line ends."""
    line_start = text.rfind("\n", 0, token.start) + 1
    line_end = text.find("\n", token.end)
    line_end = len(text) if line_end == -1 else line_end
    start = max(line_start, token.start - width // 3)
    if start > line_start:
        start = text.find(" ", start, token.start) + 1 or token.start
    end = min(line_end, start + width)
    if end < line_end:
        end = text.rfind(" ", token.end, end) if text.rfind(" ", token.end, end) > 0 else end
    prefix = "…" if start > line_start else ""
    suffix = "…" if end < line_end else ""
    return prefix + text[start:end].strip() + suffix


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[: cut if cut > 0 else width] + "…"
