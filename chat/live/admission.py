"""New work waits its turn, the chats already running do not: a bounded line for new
visitors' ``hello``.

In a surge every new visitor's ``hello`` costs several Redis round trips (the chat, its
queue entry, the resume token, the address count). Left to run all at once they take every
connection of the Redis pool and every turn of the event loop, and the chats in progress, and
the consoles' pongs with them, wait behind them (issue 10: 18 of 20 consoles closed). Here at
most ``in_flight`` hellos run at a time per process; the others wait in line, up to
``max_waiting`` of them and for at most ``max_wait_secs``. A visitor who finds the line full,
or waits too long, gets ``unavailable: full`` (protocol.md) and may try again; the connection
stays open. Resumed chats, messages and consoles never pass through here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import structlog

log = structlog.get_logger(__name__)

HELLO_IN_FLIGHT: Final = 32
HELLO_MAX_WAITING: Final = 5000
HELLO_MAX_WAIT_SECS: Final = 20.0
# "Logged once": a shed surge writes one line per this many seconds, with a count.
LOG_EVERY_SECS: Final = 10.0


class LineFull(Exception):
    """The line for new visitors is full, or this one waited too long."""


class AdmissionLine:
    __slots__ = ("_last_log", "_shed", "_slots", "max_wait_secs", "max_waiting", "waiting")

    def __init__(
        self,
        in_flight: int = HELLO_IN_FLIGHT,
        max_waiting: int = HELLO_MAX_WAITING,
        max_wait_secs: float = HELLO_MAX_WAIT_SECS,
    ) -> None:
        self._slots = asyncio.Semaphore(in_flight)
        self.max_waiting = max_waiting
        self.max_wait_secs = max_wait_secs
        self.waiting = 0
        self._shed = 0
        self._last_log = 0.0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one of the slots for the body; raises ``LineFull`` instead of waiting past
        the bounds."""
        if self._slots.locked():
            if self.waiting >= self.max_waiting:
                self._note_shed()
                raise LineFull
            self.waiting += 1
            try:
                async with asyncio.timeout(self.max_wait_secs):
                    await self._slots.acquire()
            except TimeoutError:
                self._note_shed()
                raise LineFull from None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()

    def _note_shed(self) -> None:
        self._shed += 1
        now = time.monotonic()
        if now - self._last_log >= LOG_EVERY_SECS:
            log.warning("hello_shed", count=self._shed, waiting=self.waiting)
            self._last_log = now
            self._shed = 0
