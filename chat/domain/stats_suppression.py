"""Which counts an export may show: small cells suppressed, and the cells that would give them
away suppressed too (secondary suppression; issue 12).

Pure. A count of 1 to 4 is shown as ``<5`` (primary suppression). That alone is not enough:
the contact measures add up (every contact adds one to each of ``contacts_channel``,
``contacts_age``, ``contacts_gender``, ``contacts_kommun`` and ``contacts_topic``, so each sums
to ``contacts|all``; the professional channel's ``professionals_*`` sum to
``contacts_channel|professional``; a city's ``contacts_district`` rows sum to its
``contacts_kommun``), and ``professionals_kommun|K <= contacts_kommun|K``,
``sessions_over_cap <= contacts``. With ``contacts 12`` and ``youth 9`` shown, ``professional
<5`` is 3. So this module reads the export as an attacker would, with exactly those relations,
and hides more until no ``<5`` can be worked out:

1. every cell gets the interval a reader can see: a number n is [n, n], ``<5`` is [1, 4],
   :data:`HIDDEN` (``..``, a cell of 5 or more hidden to protect another) is [5, ∞), a
   missing row is 0;
2. the relations narrow the intervals until nothing changes (bounds propagation: each
   interval stays true, so what it pins, a reader can pin);
3. a ``<5`` cell whose interval is one value is protected by the cheapest of: hiding the
   smallest shown cell beside it (the same measure; with that cell's own breakdown, if it
   has one), hiding a cell beside its total, hiding its total (never ``contacts|all``),
   withholding its own breakdown; and, when nothing else helps, withholding its measure:
   every row of it is left out and one row ``(measure, withheld, ..)`` says so
   (a row count alone can give values away: seven kommuner each ``<5`` with ``contacts 7``
   are one contact each).

Measures with no known total (end reasons, survey and risk-guide answers, referrals,
hand-offs, consultations) are only primary-suppressed: nothing in an export adds them up.
``tests/unit/chat/test_stats_suppression.py`` searches every value a reader could assign and
finds no ``<5`` with only one possible value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from chat.domain.municipalities import districts

__all__ = ["HIDDEN", "SUPPRESSED", "WITHHELD", "shown_cells"]

Key = tuple[str, str]

SUPPRESSION_THRESHOLD: Final = 5
SUPPRESSED: Final = "<5"
#: A cell of 5 or more, hidden so that no ``<5`` can be worked out from the others.
HIDDEN: Final = ".."
#: The category of the one row left for a measure whose rows are all withheld.
WITHHELD: Final = "withheld"
#: Stands for "no upper bound"; far above any count a centre can reach.
_INF: Final = 10**12
#: Bounds propagation stops after this many rounds (each round keeps every bound true).
_MAX_ROUNDS: Final = 60

_TOTAL: Final = ("contacts", "all")
_PROFESSIONAL: Final = ("contacts_channel", "professional")
_PARTS_OF_TOTAL: Final = (
    "contacts_channel",
    "contacts_age",
    "contacts_gender",
    "contacts_kommun",
    "contacts_topic",
)
_PARTS_OF_PROFESSIONAL: Final = ("professionals_kommun", "professionals_profession")
_DISTRICT: Final = "contacts_district"

Group = tuple[str, str]  # (measure, category prefix): the rows withheld together


@dataclass(frozen=True, slots=True)
class _Relation:
    """parent = sum(children); the children are every non-zero row of one group."""

    parent: Key
    children: tuple[Key, ...]
    group: Group


@dataclass(slots=True)
class _State:
    counts: Mapping[Key, int]
    shown: dict[Key, str]  # key -> number, SUPPRESSED or HIDDEN
    relations: list[_Relation]
    below: list[tuple[Key, Key]]  # (a, b): a <= b
    withheld: set[Group] = field(default_factory=set)

    def copy(self) -> _State:
        return _State(
            self.counts,
            dict(self.shown),
            list(self.relations),
            list(self.below),
            set(self.withheld),
        )


def _first_shown(count: int) -> str:
    return SUPPRESSED if count < SUPPRESSION_THRESHOLD else str(count)


def _group_of(key: Key) -> Group:
    measure, category = key
    if measure == _DISTRICT:
        return measure, category.split("-", 1)[0] + "-"
    return measure, ""


def _structure(counts: Mapping[Key, int]) -> tuple[list[_Relation], list[tuple[Key, Key]]]:
    """The relations a reader knows, kept only where the counts really satisfy them (days
    counted before a measure existed would not)."""
    by_group: dict[Group, list[Key]] = {}
    for key in sorted(counts):
        by_group.setdefault(_group_of(key), []).append(key)
    wanted: list[tuple[Key, Group]] = [(_TOTAL, (m, "")) for m in _PARTS_OF_TOTAL]
    wanted += [(_PROFESSIONAL, (m, "")) for m in _PARTS_OF_PROFESSIONAL]
    wanted += [
        (("contacts_kommun", kommun), (_DISTRICT, kommun + "-"))
        for (measure, kommun) in sorted(counts)
        if measure == "contacts_kommun" and districts(kommun)
    ]
    relations = []
    for parent, group in wanted:
        children = tuple(by_group.get(group, ()))
        if parent in counts and children and sum(counts[c] for c in children) == counts[parent]:
            relations.append(_Relation(parent, children, group))
    pairs = [(("sessions_over_cap", "all"), _TOTAL)]
    pairs += [
        (("professionals_kommun", k), ("contacts_kommun", k))
        for (m, k) in sorted(counts)
        if m == "professionals_kommun"
    ]
    below = [(a, b) for a, b in pairs if a in counts and b in counts and counts[a] <= counts[b]]
    return relations, below


def _interval(shown: str | None) -> tuple[int, int]:
    if shown is None:  # withheld: a free number
        return 0, _INF
    if shown == SUPPRESSED:
        return 1, SUPPRESSION_THRESHOLD - 1
    if shown == HIDDEN:
        return SUPPRESSION_THRESHOLD, _INF
    return int(shown), int(shown)


def _sum_hi(his: list[int]) -> int:
    return _INF if any(h >= _INF for h in his) else sum(his)


def _tighten(bounds: dict[Key, tuple[int, int]], rel: _Relation) -> bool:
    """One pass of parent = sum(children) over the intervals; True if any narrowed."""
    plo, phi = bounds[rel.parent]
    los = [bounds[c][0] for c in rel.children]
    his = [bounds[c][1] for c in rel.children]
    sum_lo = sum(los)
    changed = False
    new_parent = (max(plo, sum_lo), min(phi, _sum_hi(his)))
    if new_parent != (plo, phi):
        bounds[rel.parent], changed = new_parent, True
    plo, phi = new_parent
    for i, child in enumerate(rel.children):
        others_hi = _sum_hi(his[:i] + his[i + 1 :])
        lo, hi = los[i], his[i]
        new = (max(lo, plo - others_hi), min(hi, phi - (sum_lo - lo)))
        if new != (lo, hi):
            bounds[child], changed = new, True
    return changed


def _bounds(state: _State) -> dict[Key, tuple[int, int]]:
    bounds = {key: _interval(state.shown.get(key)) for key in state.counts}
    for _ in range(_MAX_ROUNDS):
        changed = False
        for rel in state.relations:
            changed |= _tighten(bounds, rel)
        for a, b in state.below:
            (alo, ahi), (blo, bhi) = bounds[a], bounds[b]
            new_a, new_b = (alo, min(ahi, bhi)), (max(blo, alo), bhi)
            if (new_a, new_b) != (bounds[a], bounds[b]):
                bounds[a], bounds[b], changed = new_a, new_b, True
        if not changed:
            break
    return bounds


def _depth(key: Key) -> tuple[int, Key]:
    """Totals before their parts: protecting a city first saves withholding its districts."""
    if key == _TOTAL:
        return 0, key
    if key[0] in _PARTS_OF_TOTAL:
        return 1, key
    return 2, key


def _pinned(state: _State) -> list[Key]:
    bounds = _bounds(state)
    return sorted(
        (
            key
            for key, shown in state.shown.items()
            if shown == SUPPRESSED and bounds[key][0] == bounds[key][1]
        ),
        key=_depth,
    )


def _withhold(state: _State, group: Group) -> None:
    """Leave out every row of a group; as a total of other rows it becomes a free number."""
    state.withheld.add(group)
    for key in [k for k in state.shown if _group_of(k) == group]:
        del state.shown[key]
    state.relations = [r for r in state.relations if r.group != group]
    state.below = [(a, b) for a, b in state.below if a in state.shown and b in state.shown]


def _hide_smallest(state: _State, keys: Iterable[Key]) -> bool:
    exact = [k for k in keys if state.shown.get(k) not in (None, SUPPRESSED, HIDDEN)]
    if not exact:
        return False
    state.shown[min(exact, key=lambda k: (state.counts[k], k))] = HIDDEN
    return True


def _remedies(state: _State, cell: Key) -> list[_State]:
    """Ways to protect ``cell``, cheapest first, each a changed copy of the state.
    ``contacts|all``, the figure a report leads with, is never hidden: withholding the
    cell's measure always protects it instead."""
    out: list[_State] = []
    as_child = [r for r in state.relations if cell in r.children]

    def trial(*hides: Iterable[Key]) -> None:
        attempt = state.copy()
        if all(_hide_smallest(attempt, keys) for keys in hides):
            out.append(attempt)

    for rel in as_child:
        siblings = [c for c in rel.children if c != cell]
        trial(siblings)
        # A sibling with a breakdown of its own (a city and its districts): hide in both.
        exact = [c for c in siblings if state.shown.get(c) not in (None, SUPPRESSED, HIDDEN)]
        if exact:
            smallest = min(exact, key=lambda k: (state.counts[k], k))
            for below in (r for r in state.relations if r.parent == smallest):
                trial([smallest], below.children)
        for upper in (r for r in state.relations if rel.parent in r.children):
            trial([c for c in upper.children if c != rel.parent])
        if rel.parent != _TOTAL:
            trial([rel.parent])
    for rel in (r for r in state.relations if r.parent == cell):
        attempt = state.copy()
        _withhold(attempt, rel.group)
        out.append(attempt)
    return out


def _protect(state: _State, cell: Key) -> _State:
    for trial in _remedies(state, cell):
        if cell not in _pinned(trial):
            return trial
    last = state.copy()
    _withhold(last, _group_of(cell))
    return last


def shown_cells(counts: Mapping[Key, int]) -> dict[Key, str]:
    """What an export shows for each non-zero counter: a number (5 or more), ``<5``,
    :data:`HIDDEN`, or nothing (withheld); plus a ``(measure, prefix + WITHHELD)`` entry
    showing :data:`HIDDEN` for each measure (or city's districts) withheld.

    Raises:
        ValueError: a negative count.
    """
    if any(n < 0 for n in counts.values()):
        raise ValueError("expected counts >= 0")
    live = {k: n for k, n in counts.items() if n > 0}
    relations, below = _structure(live)
    state = _State(live, {k: _first_shown(n) for k, n in live.items()}, relations, below)
    # Each remedy only widens what a reader can know and unpins at least one cell, so this
    # ends after at most one round per suppressed cell.
    pinned = _pinned(state)
    while pinned:
        state = _protect(state, pinned[0])
        pinned = _pinned(state)
    out = dict(state.shown)
    for measure, prefix in sorted(state.withheld):
        out[measure, prefix + WITHHELD] = HIDDEN
    return out
