"""The batcher's pipelines (chat/stores/batch_store.py) on the session's real Redis: a read queued
in
the same turn as a write is not held behind it, so a Redis that pauses writes (a failover's
CLIENT PAUSE WRITE) still answers the other chats' reads."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from chat.stores.batch_store import RedisBatcher


async def test_a_read_is_not_held_behind_a_paused_write(redis: Redis) -> None:
    await redis.hset("f:test:batch", "field", "value")
    batcher = RedisBatcher(redis)
    await redis.client_pause(2000, all=False)  # writes wait, reads go on
    try:
        write = batcher.call("PUBLISH", "f:test:batch-channel", "x")  # waits for the pause
        read = batcher.call("HGET", "f:test:batch", "field")  # the same turn
        async with asyncio.timeout(1):
            assert await read == "value"
        assert not write.done()
    finally:
        await redis.client_unpause()
    async with asyncio.timeout(2):
        assert await write == 0  # nobody subscribed; it went out once the pause ended
