"""The garbage collector's pace (service/gc_pacing.py): no automatic full collection, which
held every chat for 100-500 ms every few seconds of a surge, and a full one on a timer."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest

from service.gc_pacing import NEVER, collect_on_schedule, pace_collections, restore_collections


@pytest.fixture
def paced() -> Iterator[tuple[int, int, int]]:
    before = pace_collections()
    try:
        yield before
    finally:
        restore_collections(before)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def full_collections_during(run: Any) -> int:
    seen: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(watch)
    try:
        run()
    finally:
        gc.callbacks.remove(watch)
    return len(seen)


def test_the_start_up_heap_is_frozen_and_no_full_collection_runs_by_itself(
    paced: tuple[int, int, int],
) -> None:
    assert gc.get_freeze_count() > 1000  # the modules and everything imported so far
    assert gc.get_threshold() == (paced[0], paced[1], NEVER)
    assert gc.isenabled()  # the young generations still collect young cycles

    def grow() -> None:  # far more long-lived objects than a quarter of the heap
        kept = [[Node() for _ in range(100)] for _ in range(2000)]
        assert kept

    assert full_collections_during(grow) == 0


def test_restoring_undoes_it(paced: tuple[int, int, int]) -> None:
    restore_collections(paced)
    assert gc.get_threshold() == paced
    assert gc.get_freeze_count() == 0
    pace_collections()  # the fixture restores again


async def test_the_full_collection_runs_on_its_timer(paced: tuple[int, int, int]) -> None:
    ran = asyncio.Event()

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            ran.set()

    gc.callbacks.append(watch)
    task = asyncio.create_task(collect_on_schedule(every_secs=0.05))
    try:
        async with asyncio.timeout(5):
            await ran.wait()
    finally:
        task.cancel()
        gc.callbacks.remove(watch)
