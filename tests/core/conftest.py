"""The chat core in one process, on the session's real Redis: no server, no network socket.

`core` wires the real store, the real pub/sub transport (its subscriber running), the hub and
the operations, as `service.app.create_app` does. `AsgiPeer` is the client end of one
in-process ASGI WebSocket: the endpoint's socket objects run on a real Starlette WebSocket,
and the test reads, in order, what they sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis
from starlette.websockets import WebSocket

from chat.domain.config import ChatConfig
from chat.operations.conversations import Conversations
from chat.operations.events import EventHub
from chat.stores.batch_store import RedisBatcher
from chat.stores.pubsub_store import PubSubTransport
from chat.stores.store import ChatStore

MASTER_KEY = bytes(range(32))
SUBSCRIBE_WAIT_SECS = 5.0
FRAME_WAIT_SECS = 5.0


@dataclass
class Core:
    redis: Redis
    store: ChatStore
    hub: EventHub
    ops: Conversations


@pytest.fixture
async def core(redis_url: str) -> AsyncIterator[Core]:
    redis = Redis.from_url(redis_url, decode_responses=True)
    batcher = RedisBatcher(redis)
    transport = PubSubTransport(redis, batcher)
    hub = EventHub(transport)
    store = ChatStore(redis, MASTER_KEY, batcher=batcher)
    ops = Conversations(store, hub, ChatConfig())
    subscriber = asyncio.create_task(transport.run(hub.dispatch))
    await asyncio.wait_for(transport.connected.wait(), SUBSCRIBE_WAIT_SECS)
    try:
        yield Core(redis, store, hub, ops)
    finally:
        subscriber.cancel()
        await asyncio.wait([subscriber], timeout=2)
        await redis.aclose()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """A client of the session's Redis, for the stores' own tests."""
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def store(redis: Redis) -> ChatStore:
    """A bare ChatStore (no batcher, no hub): each Lua script and method on its own."""
    return ChatStore(redis, MASTER_KEY)


class AsgiPeer:
    """The client side of an in-process ASGI WebSocket."""

    def __init__(self, path: str = "/ws/console") -> None:
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._to_app.put_nowait({"type": "websocket.connect"})
        scope = {"type": "websocket", "path": path, "headers": [], "query_string": b""}
        self.websocket = WebSocket(scope, self._receive, self._send)

    async def _receive(self) -> MutableMapping[str, Any]:
        return await self._to_app.get()

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        self._from_app.put_nowait(dict(message))

    async def accepted(self) -> WebSocket:
        await self.websocket.accept()
        assert (await self._from_app.get())["type"] == "websocket.accept"
        return self.websocket

    async def frame(self, type_: str) -> dict[str, Any]:
        """The next frame the app sent of this type (others before it are skipped)."""
        return (await self.frames_until(type_))[-1]

    async def frames_until(self, type_: str) -> list[dict[str, Any]]:
        """Every frame the app sent, in order, up to and including the next of this type."""
        out: list[dict[str, Any]] = []
        async with asyncio.timeout(FRAME_WAIT_SECS):
            while True:
                message = await self._from_app.get()
                if message["type"] == "websocket.send":
                    frame: dict[str, Any] = json.loads(message["text"])
                    out.append(frame)
                    if frame.get("type") == type_:
                        return out
