"""Urgent chats in the queue (protocol.md, Console 1.1, Safety): pure, no I/O.

A queue is a sorted set whose score is the time a chat was queued (ms): lowest is next. An
urgent chat's score is its queued time minus ``URGENT_SHIFT_MS``, about 300 years, so every
urgent chat sorts before every other one, and the urgent ones among themselves oldest first.
Marking a waiting chat urgent is one ZADD (O(log N)); nothing is re-sorted. A chat handed
back to the front of the queue goes before the oldest chat of its own band: a plain chat never
jumps ahead of an urgent one.
"""

from __future__ import annotations

from typing import Final

URGENT_SHIFT_MS: Final = 10**13
#: Scores below this are urgent (queued times are positive, urgent ones about -8e12).
URGENT_BELOW: Final = -(URGENT_SHIFT_MS // 2)


def is_urgent_score(score: float) -> bool:
    return score < URGENT_BELOW


def urgent_score(queued_ms: int) -> int:
    return queued_ms - URGENT_SHIFT_MS
