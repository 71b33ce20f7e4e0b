"""The Redis side of the event hub: one PUBLISH per event, one subscriber per process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Final

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from chat.live.lifecycle import running
from chat.stores.batch_store import RedisBatcher

log = structlog.get_logger(__name__)

EVENTS_CHANNEL: Final = "f:events"
RECONNECT_DELAY_SECS: Final = 0.5
RECONNECT_DELAY_MAX_SECS: Final = 5.0


class PubSubTransport:
    """Publishes events and runs the process's one subscriber, reconnecting by itself."""

    def __init__(self, redis: Redis, batcher: RedisBatcher | None = None) -> None:
        self._redis = redis
        self._batch = batcher or RedisBatcher(redis)
        self.connected = asyncio.Event()
        self.on_reconnect: Callable[[], Awaitable[None]] | None = None

    async def publish(self, payload: str) -> None:
        await self._batch.call("PUBLISH", EVENTS_CHANNEL, payload)

    async def run(self, dispatch: Callable[[str | bytes], None]) -> None:
        """Receive events until cancelled; after a Redis outage, subscribe again."""
        delay = RECONNECT_DELAY_SECS
        first = True
        while running():
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(EVENTS_CHANNEL)
                self.connected.set()
                log.info("event_subscriber_ready", again=not first)
                if not first and self.on_reconnect is not None:
                    await self.on_reconnect()
                first = False
                delay = RECONNECT_DELAY_SECS
                while running():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self.connected.clear()
                log.warning("event_subscriber_lost", error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_DELAY_MAX_SECS)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
