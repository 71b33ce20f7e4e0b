"""The one place a Redis client is made, with the service's timeouts and retries.

With ``FRISTAD_REDIS_SENTINELS`` the client comes from redis-py's own Sentinel support: each
new connection asks the Sentinels which server is the primary now, a connection to a primary
that was demoted is dropped (``READONLY``), and so after a failover every command, and the
process's pub/sub subscriber when it subscribes again, reaches the promoted replica.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

from service.settings import RedisTarget

T = TypeVar("T")

REDIS_SOCKET_TIMEOUT_SECS: Final = 5.0
# Asking a Sentinel is quick or that Sentinel is gone: the next one is asked.
SENTINEL_TIMEOUT_SECS: Final = 1.0
HEALTH_CHECK_INTERVAL_SECS: Final = 10
# A burst waits for a connection instead of failing: redis-py's default pool raises on the
# 101st command in flight, which turned a surge of visitors into `server_error`s (bench/relay).
MAX_CONNECTIONS: Final = 200
POOL_WAIT_SECS: Final = 5.0


class BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """A Sentinel-managed pool that waits for a free connection, as the plain one does."""


def _connection_options() -> dict[str, Any]:
    return {
        "decode_responses": True,
        "socket_timeout": REDIS_SOCKET_TIMEOUT_SECS,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECS,
        "health_check_interval": HEALTH_CHECK_INTERVAL_SECS,
        "retry_on_timeout": True,
    }


def open_redis(target: RedisTarget | str) -> Redis:
    """A pooled client; it connects lazily and reconnects by itself after an outage."""
    if isinstance(target, str):
        target = RedisTarget(url=target)
    if target.sentinels:
        sentinel = Sentinel(
            list(target.sentinels),
            sentinel_kwargs={
                "socket_timeout": SENTINEL_TIMEOUT_SECS,
                "socket_connect_timeout": SENTINEL_TIMEOUT_SECS,
            },
        )
        client: Redis = sentinel.master_for(
            target.service,
            redis_class=Redis,
            connection_pool_class=BlockingSentinelPool,
            max_connections=MAX_CONNECTIONS,
            timeout=POOL_WAIT_SECS,
            password=target.password,
            **_connection_options(),
        )
        return client
    pool = BlockingConnectionPool.from_url(
        target.url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_SECS, **_connection_options()
    )
    return Redis.from_pool(pool)


def run_with_redis(target: RedisTarget | str, action: Callable[[Redis], Awaitable[T]]) -> T:
    """For the command line: run ``action`` with a client that is closed afterwards."""

    async def run() -> T:
        client = open_redis(target)
        try:
            return await action(client)
        finally:
            await client.aclose()

    return asyncio.run(run())
