"""One pipelined write (and one pipelined read) per event-loop turn for the relay's Redis
commands.

The relay's cost is redis-py's overhead per call (pool checkout, retry wrapper, timeouts),
not Redis: shared/performance.md measured 4x the throughput when every command of one
event-loop turn went out as one pipeline. ``RedisBatcher.call`` queues a command and returns
a future; the first call of a turn schedules a flush for the end of the turn, which sends
everything queued as one non-transactional pipeline (the reads as a second one, so that no
read waits behind a write) and routes each reply (or error) back to its caller's future. A
caller still awaits its own reply before acting on it, so "stored before acked" and the order
of one coroutine's commands are what they were.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import structlog
from redis.asyncio import Redis
from redis.exceptions import NoScriptError

log = structlog.get_logger(__name__)

# More than this many commands waiting go out at once, without waiting for the turn's end.
MAX_BATCH: Final = 512
#: The batched commands that only read. They go out in a pipeline of their own: on one
#: connection Redis answers in order, so a read queued behind a write waits for it, and under
#: CLIENT PAUSE WRITE (a failover) that would stop other chats' reads too
#: (tests/integration/test_console_lanes.py).
READS: Final = frozenset({"HGET", "HGETALL"})

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

    def __init__(self, redis: Redis, *, ack_replicas: int = 0, ack_timeout_ms: int = 500) -> None:
        self._redis = redis
        # FRISTAD_ACK_REPLICAS: a batch holding a durable write (a message about to be acked)
        # ends with WAIT, on the same connection, so its replies come once that many replicas
        # hold it and a failover loses no acknowledged message. Too few replicas: the replies
        # come after the timeout anyway (the message is on the primary), logged once.
        self._ack_replicas = ack_replicas
        self._ack_timeout_ms = ack_timeout_ms
        self._replicas_short = False
        self._durable = False
        self._pending: list[tuple[Command, asyncio.Future[Any]]] = []
        self._scheduled = False
        # Flushes in flight: a task that nothing references may be collected mid-way.
        self._flushes: set[asyncio.Task[None]] = set()

    def script(self, source: str) -> LuaScript:
        return LuaScript(self._redis, source)

    def call(
        self, *command: str | int | float | bytes, durable: bool = False
    ) -> asyncio.Future[Any]:
        """Queue one command; the future gets its reply, or the error Redis gave for it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((command, future))
        self._durable = self._durable or (durable and self._ack_replicas > 0)
        if len(self._pending) >= MAX_BATCH:
            self._flush()
        elif not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return future

    async def run_script(
        self,
        script: LuaScript,
        keys: list[str],
        args: list[str | int | float | bytes],
        *,
        durable: bool = False,
    ) -> Any:
        """EVALSHA, and EVAL once the script is not cached (a new or restarted Redis)."""
        try:
            return await self.call("EVALSHA", script.sha, len(keys), *keys, *args, durable=durable)
        except NoScriptError:
            # NOSCRIPT means it did not run: sending it again is safe; EVAL caches it.
            return await self.call("EVAL", script.source, len(keys), *keys, *args, durable=durable)

    def _flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        durable, self._durable = self._durable, False
        reads = [item for item in batch if item[0][0] in READS]
        writes = [item for item in batch if item[0][0] not in READS] if reads else batch
        loop = asyncio.get_running_loop()
        for part, waits in ((reads, False), (writes, durable)):
            if part:
                task = loop.create_task(self._send(part, waits))
                self._flushes.add(task)
                task.add_done_callback(self._flushes.discard)

    async def _send(
        self, batch: list[tuple[Command, asyncio.Future[Any]]], durable: bool = False
    ) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for command, _ in batch:
                    pipe.execute_command(*command)
                if durable:
                    pipe.execute_command("WAIT", self._ack_replicas, self._ack_timeout_ms)
                replies = await pipe.execute(raise_on_error=False)
            if durable:
                self._note_replicas(replies.pop())
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

    def _note_replicas(self, reached: Any) -> None:
        short = not isinstance(reached, int) or reached < self._ack_replicas
        if short != self._replicas_short:
            self._replicas_short = short
            if short:
                log.warning("ack_replicas_short", wanted=self._ack_replicas)
            else:
                log.info("ack_replicas_back", wanted=self._ack_replicas)
