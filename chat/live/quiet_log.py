"""Errors logged once, not once per frame: in an outage (a paused Redis, a full pool) every
frame fails the same way, and a line per frame would bury the one line that matters and cost
the CPU the service needs to recover. The first failure of a kind is logged at once; the
same kind again within ``EVERY_SECS`` is only counted, and the count goes out with the next
line. Only the event name, the exception's type and counts: never an address or a text."""

from __future__ import annotations

import time
from typing import Final

import structlog

EVERY_SECS: Final = 10.0


class QuietLog:
    __slots__ = ("_last", "_logger", "_suppressed")

    def __init__(self, name: str) -> None:
        self._logger = structlog.get_logger(name)
        self._last: dict[tuple[str, str], float] = {}
        self._suppressed: dict[tuple[str, str], int] = {}

    def error(self, event: str, exc: BaseException) -> None:
        key = (event, type(exc).__name__)
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < EVERY_SECS:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return
        self._last[key] = now
        self._logger.error(event, error=key[1], repeated=self._suppressed.pop(key, 0))
