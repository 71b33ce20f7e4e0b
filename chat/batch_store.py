"""One pipelined write per event-loop turn for the relay's Redis commands.

The relay's cost is redis-py's overhead per call (pool checkout, retry wrapper, timeouts),
not Redis: shared/performance.md measured 4x the throughput when every command of one
event-loop turn went out as one pipeline. ``RedisBatcher.call`` queues a command and returns
a future; the first call of a turn schedules a flush for the end of the turn, which sends
everything queued as one non-transactional pipeline and routes each reply (or error) back to
its caller's future. A caller still awaits its own reply before acting on it, so "stored
before acked" and the order of one coroutine's commands are what they were.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

# More than this many commands waiting go out at once, without waiting for the turn's end.
MAX_BATCH: Final = 512

Command = tuple[str | int | float | bytes, ...]


class LuaScript:
    """A script run by SHA; its source is sent only after Redis says NOSCRIPT."""

    __slots__ = ("sha", "source")

    def __init__(self, redis: Redis, source: str) -> None:
        self.source = source
        # Hashed locally (register_script does not talk to Redis).
        self.sha = str(redis.register_script(source).sha)


class RedisBatcher:
    """Per-process queue of Redis commands, flushed as one pipeline per event-loop turn."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pending: list[tuple[Command, asyncio.Future[Any]]] = []
        self._scheduled = False
        # Flushes in flight: a task that nothing references may be collected mid-way.
        self._flushes: set[asyncio.Task[None]] = set()

    def script(self, source: str) -> LuaScript:
        return LuaScript(self._redis, source)

    def call(self, *command: str | int | float | bytes) -> asyncio.Future[Any]:
        """Queue one command; the future gets its reply, or the error Redis gave for it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((command, future))
        if len(self._pending) >= MAX_BATCH:
            self._flush()
        elif not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return future

    async def run_script(
        self, script: LuaScript, keys: list[str], args: list[str | int | float | bytes]
    ) -> Any:
        """EVALSHA, and EVAL once the script is not cached (a new or restarted Redis)."""
        try:
            return await self.call("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            # NOSCRIPT means it did not run: sending it again is safe; EVAL caches it.
            return await self.call("EVAL", script.source, len(keys), *keys, *args)

    def _flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _send(self, batch: list[tuple[Command, asyncio.Future[Any]]]) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for command, _ in batch:
                    pipe.execute_command(*command)
                replies = await pipe.execute(raise_on_error=False)
        except Exception as exc:  # the connection failed: every caller hears of it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():  # its caller was cancelled meanwhile
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)
