"""The one place a Redis client is made, with the service's timeouts and retries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis

T = TypeVar("T")

REDIS_SOCKET_TIMEOUT_SECS: Final = 5.0
HEALTH_CHECK_INTERVAL_SECS: Final = 10
# A burst waits for a connection instead of failing: redis-py's default pool raises on the
# 101st command in flight, which turned a surge of visitors into `server_error`s (bench/relay).
MAX_CONNECTIONS: Final = 200
POOL_WAIT_SECS: Final = 5.0


def open_redis(url: str) -> Redis:
    """A pooled client; it connects lazily and reconnects by itself after an outage."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_WAIT_SECS,
        decode_responses=True,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECS,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_SECS,
        health_check_interval=HEALTH_CHECK_INTERVAL_SECS,
        retry_on_timeout=True,
    )
    return Redis.from_pool(pool)


def run_with_redis(url: str, action: Callable[[Redis], Awaitable[T]]) -> T:
    """For the command line: run ``action`` with a client that is closed afterwards."""

    async def run() -> T:
        client = open_redis(url)
        try:
            return await action(client)
        finally:
            await client.aclose()

    return asyncio.run(run())
