"""Typo tolerance: map a query term that the index has never seen to the nearest terms it has.

A trigram index narrows the vocabulary to a few candidates; an edit distance (optimal string
alignment, so a swapped pair of letters counts once) decides. The allowed distance grows with
the word, because a one-letter slip in "våld" is a different word, in "könsstympning" it is not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Final

MAX_CANDIDATES: Final = 40  # edit distances computed per unknown term, at most
MAX_CORRECTIONS: Final = 3  # terms a misspelling may expand to


def allowed_distance(term: str) -> int:
    """0 for short words (too many neighbours), 1 from five letters, 2 from nine."""
    if len(term) < 5:
        return 0
    return 1 if len(term) < 9 else 2


def _trigrams(term: str) -> set[str]:
    padded = f"${term}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, or `limit + 1` once it is certainly larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


class Vocabulary:
    """Every term the index knows, with a trigram index over them."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = frozenset(terms)
        grams: defaultdict[str, list[str]] = defaultdict(list)
        for term in self._terms:
            for gram in _trigrams(term):
                grams[gram].append(term)
        self._grams = dict(grams)

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def __len__(self) -> int:
        return len(self._terms)

    def corrections(self, term: str) -> list[str]:
        """The closest known terms to an unknown `term`, best first; [] if none is close."""
        limit = allowed_distance(term)
        if limit == 0 or term in self._terms:
            return []
        shared: Counter[str] = Counter()
        for gram in _trigrams(term):
            for candidate in self._grams.get(gram, ()):
                if abs(len(candidate) - len(term)) <= limit:
                    shared[candidate] += 1
        scored = []
        for candidate, _ in shared.most_common(MAX_CANDIDATES):
            distance = edit_distance(term, candidate, limit)
            if distance <= limit:
                scored.append((distance, candidate))
        scored.sort()
        best = scored[0][0] if scored else 0
        return [c for d, c in scored if d == best][:MAX_CORRECTIONS]
