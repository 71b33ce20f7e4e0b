"""Limits per client address: sockets, HTTP requests and new chats, keyed by a daily hash.

Loopback clients are exempt (they are the reverse proxy), so the tests speak as a remote
client through X-Forwarded-For, which uvicorn trusts from the proxy address 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
import redis
import websockets
from websockets.exceptions import InvalidStatus

from tests.support.server import RunningServer

REMOTE = "203.0.113.7"  # TEST-NET-3: documentation range, never routed


def headers(address: str = REMOTE) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def open_visitor(server: RunningServer, address: str = REMOTE) -> websockets.ClientConnection:
    return await websockets.connect(
        f"{server.ws_base}/ws/visit",
        origin=server.origin,  # type: ignore[arg-type]  # plain str origin
        additional_headers=headers(address),
    )


async def test_socket_cap_per_address(server_factory: Callable[..., RunningServer]) -> None:
    server = server_factory(FRISTAD_ADDRESS_SOCKETS="3")
    sockets = [await open_visitor(server) for _ in range(3)]
    with pytest.raises(InvalidStatus) as refused:
        await open_visitor(server)
    assert refused.value.response.status_code == 403
    # Another address is not affected, and a closed socket frees its place.
    other = await open_visitor(server, "203.0.113.8")
    await sockets[0].close()
    again = await open_visitor(server)
    for ws in [*sockets[1:], other, again]:
        await ws.close()


async def test_new_chats_per_minute(server_factory: Callable[..., RunningServer]) -> None:
    server = server_factory(FRISTAD_ADDRESS_CHAT_RATE="2")
    hello = {"type": "hello", "v": 1, "channel": "youth", "lang": "sv", "age": "18plus"}
    answers = []
    for _ in range(3):
        ws = await open_visitor(server)
        await ws.send(json.dumps(hello))
        answers.append(json.loads(await ws.recv()))
        await ws.close()
    assert [a["type"] for a in answers[:2]] == ["welcome", "welcome"]
    assert answers[2] == {"type": "error", "code": "rate_limited"}


def test_http_requests_per_minute(server_factory: Callable[..., RunningServer]) -> None:
    server = server_factory(FRISTAD_ADDRESS_HTTP_RATE="5")
    with httpx.Client(base_url=server.base_url) as client:
        codes = [client.get("/api/topics", headers=headers()).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        limited = client.get("/api/topics", headers=headers())
        assert limited.headers["retry-after"] == "60"
        assert limited.headers["cache-control"] == "no-store"
        # Health checks are exempt; another address has its own budget.
        assert client.get("/healthz", headers=headers()).status_code == 200
        assert client.get("/api/topics", headers=headers("203.0.113.9")).status_code == 200


def test_no_address_is_stored(server_factory: Callable[..., RunningServer]) -> None:
    server = server_factory(FRISTAD_ADDRESS_HTTP_RATE="50")
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(3):
            client.get("/api/status", headers=headers())
    store = redis.Redis.from_url(server.redis_url)
    for key in store.scan_iter(match="*"):
        assert REMOTE.encode() not in key
        if store.type(key) == b"string":
            value = store.get(key) or b""
            assert REMOTE.encode() not in value
    store.close()
