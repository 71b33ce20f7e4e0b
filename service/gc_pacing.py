"""Python's cyclic garbage collector, paced for a server whose heap grows in a surge.

CPython runs a full (generation 2) collection whenever the long-lived heap has grown by a
quarter since the last one, and each walks every tracked object: with thousands of visitors
waiting that is 100-500 ms in which no chat moves. A surge grows the heap all the time, so
bench.relay's surge saw one every five seconds, and the chats' p99 went from 2 ms to 300-650 ms
while the collections found a few hundred objects each.

So the objects made at start-up (modules, templates, catalogues, the knowledge bank's index)
are frozen out of every collection, the automatic full collection is switched off, and a full
collection runs on a timer instead: cyclic garbage waits at most ``FULL_COLLECTION_SECS``
(young cycles are still collected at once by the young generations), and a stall happens at
a known pace, never several times a minute because arrivals keep coming.

The price is memory: what departed visitors leave in cycles is freed only by the timed
collection, so a process keeps about the peak of its last five minutes (bench.relay: 375 MiB
after 10,000 waiting visitors had left, against 235-297 MiB with the automatic collector),
never more than that peak, since garbage cannot outgrow what was once alive.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Final

import structlog

from chat.live.lifecycle import running

log = structlog.get_logger(__name__)

#: How often the full collection runs; cyclic garbage that has reached the oldest generation
#: (a departed visitor's socket objects, say) waits at most this long.
FULL_COLLECTION_SECS: Final = 300.0
#: A generation-2 threshold CPython never reaches: it counts young collections, one per few
#: thousand allocations, so it would take years.
NEVER: Final = 1_000_000_000


def pace_collections() -> tuple[int, int, int]:
    """Freeze the start-up heap and leave full collections to :func:`collect_on_schedule`.

    Returns the thresholds that were in force, for a caller that restores them.
    """
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(before[0], before[1], NEVER)
    return before


def restore_collections(thresholds: tuple[int, int, int]) -> None:
    """Undo :func:`pace_collections` (an app served inside a test's process, say)."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def collect_on_schedule(every_secs: float = FULL_COLLECTION_SECS) -> None:
    """A full collection every ``every_secs``, logged with how long it held the loop."""
    while running():
        await asyncio.sleep(every_secs)
        started = time.perf_counter()
        found = gc.collect(2)
        log.info(
            "gc_full_collection",
            collected=found,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
