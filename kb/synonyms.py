"""Synonyms and compound words: the words people use for one thing, kept as reviewed content.

Swedish writes "tvångsäktenskap", says "tvångsgifte" and asks about being "gift bort"; a
stemmer cannot know these are one thing. The table in `content/synonyms.yaml` lists such
groups. Each group gets a concept term; an article that uses any member phrase is indexed
under the concept too, and a query that uses any member phrase also asks for the concept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from kb.analysis import query_terms

SYNONYMS_FILE: Final = "synonyms.yaml"
MAX_GAP_WORDS: Final = 1  # "gifte bort henne" and "gifta bort" both match "gifta bort"


class SynonymError(ValueError):
    """The synonym table does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class Phrase:
    concept: str
    words: tuple[frozenset[str], ...]  # per word, the terms it may appear as


class SynonymTable:
    def __init__(self, groups: dict[str, list[str]]) -> None:
        self._by_first: dict[str, list[Phrase]] = {}
        self.member_terms: dict[str, frozenset[str]] = {}
        for name, members in groups.items():
            concept = "syn" + "".join(ch for ch in name if ch.isalnum()).lower()
            terms: set[str] = set()
            for member in members:
                words = tuple(frozenset(query_terms(w, None)) for w in member.split())
                phrase = Phrase(concept, words)
                for term in words[0]:
                    self._by_first.setdefault(term, []).append(phrase)
                for word in words:
                    terms.update(word)
            self.member_terms[concept] = frozenset(terms)

    @classmethod
    def load(cls, path: Path) -> SynonymTable:
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, dict) or not all(
            isinstance(v, list) and all(isinstance(m, str) for m in v) for v in groups.values()
        ):
            raise SynonymError(f"{path}: expected 'groups: {{name: [phrase, ...]}}'")
        return cls({str(k): v for k, v in groups.items()})

    def matches(self, words: Sequence[frozenset[str]]) -> list[tuple[str, int, int]]:
        """(concept, first word, last word) for every member phrase found in `words`."""
        found: list[tuple[str, int, int]] = []
        for start, terms in enumerate(words):
            for phrase in {p for t in terms for p in self._by_first.get(t, ())}:
                end = self._match_at(phrase, words, start)
                if end is not None:
                    found.append((phrase.concept, start, end))
        return found

    @staticmethod
    def _match_at(phrase: Phrase, words: Sequence[frozenset[str]], start: int) -> int | None:
        pos = start
        for wanted in phrase.words[1:]:
            window = words[pos + 1 : pos + 2 + MAX_GAP_WORDS]
            hit = next((i for i, terms in enumerate(window) if terms & wanted), None)
            if hit is None:
                return None
            pos = pos + 1 + hit
        return pos
