"""The one place a Redis client is made, with the service's timeouts and retries."""

from __future__ import annotations

from typing import Final

from redis.asyncio import Redis

REDIS_SOCKET_TIMEOUT_SECS: Final = 5.0
HEALTH_CHECK_INTERVAL_SECS: Final = 10


def open_redis(url: str) -> Redis:
    """A pooled client; it connects lazily and reconnects by itself after an outage."""
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECS,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_SECS,
        health_check_interval=HEALTH_CHECK_INTERVAL_SECS,
        retry_on_timeout=True,
    )
