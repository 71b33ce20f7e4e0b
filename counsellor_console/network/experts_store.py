"""The experts' space in Redis, every title and post encrypted under the thread's own key.

Keys (every one expires at the thread's deadline: its last post or closing + the retention)::

    f:net:thread:{id}        hash   topic, status, starter, created_ms, last_ms, posts,
                                    deadline, dek (wrapped data key), title (sealed)
    f:net:thread:{id}:posts  list   "{seq}:" + sealed post {by, name, at, text}; AAD "{id}:{seq}"
    f:net:threads            zset   id -> deadline (unix s), for the list and the purge
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from chat.api import as_hash
from counsellor_console.network.experts import (
    MAX_POSTS_PER_THREAD,
    MAX_THREADS,
    Post,
    Thread,
    ThreadStatus,
    new_thread_id,
)
from counsellor_console.network.sealed import Sealer
from security.roles import StaffIdentity

PREFIX: Final = "f:net:"
INDEX_KEY: Final = f"{PREFIX}threads"


def thread_key(thread_id: str) -> str:
    return f"{PREFIX}thread:{thread_id}"


def posts_key(thread_id: str) -> str:
    return f"{PREFIX}thread:{thread_id}:posts"


class _ExpertsError(Exception):
    """Base of the experts' space's refusals."""


class ThreadClosedError(_ExpertsError):
    """Expected an open thread, got a closed one."""


class ThreadFullError(_ExpertsError):
    """The thread (or the space) holds as much as it may."""


class ExpertsStore:
    def __init__(
        self,
        redis: Redis,
        sealer: Sealer,
        retention_secs: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._sealer = sealer
        self._retention = retention_secs
        self._clock = clock

    def _deadline(self, now: float) -> int:
        return int(now) + self._retention

    async def start_thread(self, staff: StaffIdentity, topic: str, title: str, text: str) -> str:
        """A new thread with its first post; returns its id."""
        if await self._redis.zcard(INDEX_KEY) >= MAX_THREADS:
            raise ThreadFullError("the experts' space is full")
        thread_id = new_thread_id()
        key, wrapped = self._sealer.new_thread_key(thread_id)
        now = self._clock()
        deadline = self._deadline(now)
        now_ms = int(now * 1000)
        fields: dict[str, str | int] = {
            "topic": topic,
            "status": ThreadStatus.OPEN.value,
            "starter": staff.username,
            "created_ms": now_ms,
            "last_ms": now_ms,
            "posts": 1,
            "deadline": deadline,
            "dek": wrapped,
            "title": self._sealer.seal(key, {"title": title}, f"{thread_id}:title"),
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(thread_key(thread_id), mapping=cast(dict[Any, Any], fields))
            pipe.rpush(posts_key(thread_id), self._seal_post(key, thread_id, 0, staff, now, text))
            self._expire_all(pipe, thread_id, deadline)
            await pipe.execute()
        return thread_id

    def _seal_post(
        self, key: bytes, thread_id: str, seq: int, staff: StaffIdentity, now: float, text: str
    ) -> str:
        body = {"by": staff.username, "name": staff.display_name, "at": int(now * 1000)}
        return f"{seq}:" + self._sealer.seal(key, {**body, "text": text}, f"{thread_id}:{seq}")

    def _expire_all(self, pipe: Pipeline, thread_id: str, deadline: int) -> None:
        pipe.expireat(thread_key(thread_id), deadline)
        pipe.expireat(posts_key(thread_id), deadline)
        pipe.zadd(INDEX_KEY, {thread_id: deadline})
        pipe.expire(INDEX_KEY, self._retention + 24 * 3600)

    async def add_post(self, staff: StaffIdentity, thread_id: str, text: str) -> int:
        """Append a reply; returns its seq. Raises for a closed, full or missing thread."""
        thread = await self.thread(thread_id)
        if thread is None:
            raise KeyError(thread_id)
        if not thread.is_open:
            raise ThreadClosedError(thread_id)
        if thread.posts >= MAX_POSTS_PER_THREAD:
            raise ThreadFullError(thread_id)
        key = await self._key(thread_id)
        now = self._clock()
        deadline = self._deadline(now)
        # The seq is claimed first, so two replies at once never share one AAD.
        seq = int(await self._redis.hincrby(thread_key(thread_id), "posts", 1)) - 1
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(posts_key(thread_id), self._seal_post(key, thread_id, seq, staff, now, text))
            pipe.hset(
                thread_key(thread_id), mapping={"last_ms": int(now * 1000), "deadline": deadline}
            )
            self._expire_all(pipe, thread_id, deadline)
            await pipe.execute()
        return seq

    async def close(self, thread_id: str) -> bool:
        """Close a thread: no more posts, and deleted a retention from now."""
        if not await self._redis.exists(thread_key(thread_id)):
            return False
        deadline = self._deadline(self._clock())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                thread_key(thread_id),
                mapping={"status": ThreadStatus.CLOSED.value, "deadline": deadline},
            )
            self._expire_all(pipe, thread_id, deadline)
            await pipe.execute()
        return True

    async def _key(self, thread_id: str) -> bytes:
        wrapped = await self._redis.hget(thread_key(thread_id), "dek")
        if not wrapped:
            raise KeyError(thread_id)
        return self._sealer.thread_key(thread_id, str(wrapped))

    async def thread(self, thread_id: str) -> Thread | None:
        raw = as_hash(await self._redis.hgetall(thread_key(thread_id)))
        if not raw or "dek" not in raw:
            return None
        key = self._sealer.thread_key(thread_id, raw["dek"])
        title = self._sealer.open(key, raw["title"], f"{thread_id}:title")["title"]
        return Thread(
            id=thread_id,
            topic=raw["topic"],
            title=str(title),
            starter=raw["starter"],
            status=ThreadStatus(raw["status"]),
            created_ms=int(raw["created_ms"]),
            last_ms=int(raw["last_ms"]),
            posts=int(raw["posts"]),
            deadline=int(raw["deadline"]),
        )

    async def posts(self, thread_id: str) -> list[Post]:
        key = await self._key(thread_id)
        blobs = await self._redis.lrange(posts_key(thread_id), 0, MAX_POSTS_PER_THREAD - 1)
        out = []
        for item in blobs:
            # The seq is bound as AAD: a blob moved or renumbered fails to open.
            seq, _, blob = str(item).partition(":")
            body = self._sealer.open(key, blob, f"{thread_id}:{seq}")
            out.append(Post(int(seq), body["by"], body["name"], body["at"], body["text"]))
        return sorted(out, key=lambda p: p.seq)

    async def threads(self) -> list[Thread]:
        """Every live thread, the most recently active first."""
        ids = await self._redis.zrangebyscore(INDEX_KEY, int(self._clock()), "+inf")
        found = [t for t in [await self.thread(str(i)) for i in ids] if t is not None]
        return sorted(found, key=lambda t: t.last_ms, reverse=True)

    async def purge_expired(self) -> int:
        """Delete every thread past its deadline now (the TTLs would, a little later)."""
        ids = await self._redis.zrangebyscore(INDEX_KEY, "-inf", int(self._clock()))
        if not ids:
            return 0
        async with self._redis.pipeline(transaction=True) as pipe:
            for thread_id in ids:
                pipe.delete(thread_key(str(thread_id)), posts_key(str(thread_id)))
            pipe.zrem(INDEX_KEY, *ids)
            await pipe.execute()
        return len(ids)
