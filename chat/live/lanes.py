"""A connection's inbound work, taken off its receive loop: ordered lanes, each drained by a
task that exists only while the lane has work.

Why: uvicorn stops reading a socket while a received message waits for the application
(``transport.pause_reading`` until ``receive()`` is called again), and the keepalive's pong is
read only with the rest of the socket's bytes. A receive loop that awaited each frame's Redis
round trips before reading the next stopped reading for as long as its frames took, so under
load the pong sat unread and uvicorn closed a busy counsellor's console with 1011 after
``ws_ping_timeout`` (docs/performance.md, issue 10). The receive loop now only reads and
queues here; the lanes do the work.

Back-pressure never stalls the pong for long: past ``soft_limit`` queued frames the reader
waits for room at most ``HOLD_SECS`` (well under the 20 s ping timeout) and then reads on;
past ``hard_limit`` a frame is refused (``rate_limited``, no strike: the server is the slow
one) instead of growing the backlog without bound.

Ordering: a lane runs its jobs one after another, in arrival order; different lanes run side
by side. A console puts each chat's frames in that chat's lane, so one chat's Redis round
trip does not hold up another's, and the frames that concern the console as a whole in one
lane of their own (``None``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

import structlog

log = structlog.get_logger(__name__)

Job = Callable[[], Awaitable[None]]

# The reader waits this long at most for room before it reads the next frame anyway: the
# socket's bytes (and so its pong) are read at least this often, whatever the backlog.
HOLD_SECS: Final = 5.0
# On disconnect, the frames already received are still handled (a `msg` sent just before the
# page closed is stored), for at most this long.
FINISH_SECS: Final = 5.0


class Lanes:
    """Per-connection queues of jobs keyed by lane; bounded in total."""

    __slots__ = ("_lanes", "_room", "_tasks", "backlog", "hard_limit", "soft_limit")

    def __init__(self, soft_limit: int, hard_limit: int) -> None:
        self.soft_limit = soft_limit
        self.hard_limit = hard_limit
        self.backlog = 0
        self._lanes: dict[str | None, deque[Job]] = {}
        self._tasks: dict[str | None, asyncio.Task[None]] = {}
        self._room: asyncio.Event | None = None  # made only when a reader has to wait

    async def wait_for_room(self) -> bool:
        """Wait (at most ``HOLD_SECS``) while the backlog is at its soft limit; False when the
        frame about to be read would pass the hard limit and must be refused."""
        if self.backlog >= self.soft_limit:
            if self._room is None:
                self._room = asyncio.Event()
            self._room.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HOLD_SECS):
                    while self.backlog >= self.soft_limit:
                        await self._room.wait()
                        self._room.clear()
        return self.backlog < self.hard_limit

    def put(self, lane: str | None, job: Job) -> None:
        """Queue a job at the end of its lane; the lane's task starts if it is not running."""
        queue = self._lanes.get(lane)
        if queue is None:
            queue = self._lanes[lane] = deque()
        queue.append(job)
        self.backlog += 1
        if lane not in self._tasks:
            self._tasks[lane] = asyncio.get_running_loop().create_task(self._drain(lane, queue))

    async def _drain(self, lane: str | None, queue: deque[Job]) -> None:
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the job's own handler reports to the client
                    log.error("lane_job_failed", error=type(exc).__name__)
                finally:
                    self.backlog -= 1
                    if self._room is not None and self.backlog < self.soft_limit:
                        self._room.set()
        finally:
            # An idle lane keeps nothing: no deque, no finished task.
            if self._tasks.get(lane) is asyncio.current_task():
                del self._tasks[lane]
            if self._lanes.get(lane) is queue and not queue:
                del self._lanes[lane]

    def busy_lanes(self) -> int:
        return len(self._tasks)

    async def finish(self, within: float = FINISH_SECS) -> None:
        """Let what was already received be handled, for at most ``within`` seconds, then
        cancel the rest (the connection is gone)."""
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=within)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1.0)
        for queue in self._lanes.values():
            self.backlog -= len(queue)
            queue.clear()
