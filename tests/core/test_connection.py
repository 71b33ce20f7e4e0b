"""A socket's outbox (chat.live.connection) on a real Starlette WebSocket whose client end can stop
reading: a send that waits past the timeout stops the sender, one that is merely slow does not.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from starlette.websockets import WebSocket

from chat.domain.records import StoredMessage
from chat.live import connection
from chat.live.connection import Connection


class StallingPeer:
    """The client end of an in-process ASGI WebSocket that reads only while ``reading``."""

    def __init__(self) -> None:
        self.reading = asyncio.Event()
        self.reading.set()
        self.received: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        scope = {"type": "websocket", "path": "/ws/visit", "headers": [], "query_string": b""}
        self.websocket = WebSocket(scope, self._receive, self._send)

    async def _receive(self) -> MutableMapping[str, Any]:
        return {"type": "websocket.connect"}

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        await self.reading.wait()  # as a full TCP buffer holds the server's write
        if message["type"] == "websocket.send":
            self.received.append(json.loads(message["text"]))
            self.arrived.set()


async def _nothing_stored(_chat: str, _after: int) -> list[StoredMessage]:
    return []


def _never_framed(_chat: str, _message: StoredMessage) -> dict[str, Any]:
    raise AssertionError("nothing is replayed here")


async def _outbox(
    monkeypatch: pytest.MonkeyPatch, timeout_secs: float
) -> tuple[StallingPeer, Connection]:
    """A peer, and the outbox of its accepted socket with a send timeout of ``timeout_secs``."""
    monkeypatch.setattr(connection, "SEND_TIMEOUT_SECS", timeout_secs)
    peer = StallingPeer()
    await peer.websocket.accept()
    return peer, Connection(
        peer.websocket,
        own_author="visitor",
        read_after=_nothing_stored,
        frame_message=_never_framed,
    )


def _given_up(outbox: Connection) -> bool:
    return outbox.closed


async def _sent(peer: StallingPeer, count: int) -> None:
    async with asyncio.timeout(5):
        while len(peer.received) < count:
            peer.arrived.clear()
            await peer.arrived.wait()


async def test_a_client_that_stops_reading_stops_its_sender(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    peer, outbox = await _outbox(monkeypatch, 0.1)
    outbox.deliver({"type": "queued", "n": 1})
    await _sent(peer, 1)

    peer.reading.clear()
    outbox.deliver({"type": "queued", "n": 2})  # its send waits for a reader that is gone
    await asyncio.sleep(0.05)
    outbox.deliver({"type": "queued", "n": 3})  # within the timeout: queued behind it
    assert not _given_up(outbox)
    await asyncio.sleep(0.15)
    outbox.deliver({"type": "queued", "n": 4})  # past it: the sender is given up
    assert _given_up(outbox)
    await asyncio.sleep(0.05)
    peer.reading.set()
    await asyncio.sleep(0.05)
    assert [f["n"] for f in peer.received] == [1]  # nothing more went out once given up
    await outbox.stop()


async def test_a_slow_reader_within_the_timeout_gets_everything_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    peer, outbox = await _outbox(monkeypatch, 0.5)
    peer.reading.clear()
    for n in range(5):
        outbox.deliver({"type": "queued", "n": n})
    await asyncio.sleep(0.2)
    peer.reading.set()
    await _sent(peer, 5)
    outbox.deliver({"type": "queued", "n": 5})
    await _sent(peer, 6)
    assert [f["n"] for f in peer.received] == list(range(6))
    assert not outbox.closed
    await outbox.stop()
