"""Overload is a state, not a crash (issue 10): Redis stops answering for 3 s in the middle of
chats and a burst of new visitors, and no socket is closed; every message acknowledged
reaches the other side afterwards.

The keepalive is shortened to 1 s (FRISTAD_WS_PING_S) so that a pong left unread behind
frames waiting for Redis would close the socket with 1011 within the pause, as the 20 s
keepalive did under a real surge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import redis
from websockets.protocol import State

from tests.support.clients import Peers, WsClient, accept, hello, login
from tests.support.server import RunningServer, StaffCredentials

CHATS = 3
BURST = 20
PAUSE_MS = 3000
AFTER_PAUSE_S = 20.0


def pause_redis(url: str, ms: int) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.client_pause(ms, all=True)
    finally:
        client.close()


def still_open(client: WsClient) -> bool:
    return client.ws.state is State.OPEN and client.ws.close_code is None


async def test_a_redis_pause_mid_chat_and_mid_surge_closes_no_socket(
    redis_url: str,
    server_factory: Callable[..., RunningServer],
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    server = server_factory(FRISTAD_WS_PING_S="1")
    http = login(server, staff(name="Sam"))
    try:
        await _chats_and_surge_through_a_pause(redis_url, server, http, peers)
    finally:
        http.close()


async def _chats_and_surge_through_a_pause(
    redis_url: str, server: RunningServer, http: httpx.Client, peers: Peers
) -> None:
    console = await peers.console(server, http)

    chats: list[tuple[WsClient, str]] = []
    for _ in range(CHATS):
        visitor, chat = await peers.queued(server)
        await accept(console, chat)
        await visitor.expect("joined")
        chats.append((visitor, chat))

    pause_redis(redis_url, PAUSE_MS)
    # Mid-pause: both sides of every chat send (two frames each, so one waits behind the
    # other), and a burst of new visitors arrives.
    for i, (visitor, chat) in enumerate(chats):
        for part in ("a", "b"):
            await visitor.send({"type": "msg", "id": f"v{i}{part}", "text": f"besökare {i}{part}"})
            await console.send(
                {"type": "msg", "chat": chat, "id": f"c{i}{part}", "text": f"rådgivare {i}{part}"}
            )

    async def newcomer() -> tuple[WsClient, str]:
        client = await peers.visitor(server)
        await client.send(hello())
        await client.expect("welcome", timeout=AFTER_PAUSE_S)
        outcome = await client.next_frames(
            lambda f: f.get("type") in ("queued", "unavailable"),
            within=AFTER_PAUSE_S,
            only=("queued", "unavailable"),
        )
        return client, str(outcome[-1]["type"])

    burst = [asyncio.create_task(newcomer()) for _ in range(BURST)]
    await asyncio.sleep(PAUSE_MS / 1000 + 1.5)  # the pause and then some: pings went unanswered

    # Every message was acknowledged and reached the other side.
    for i, (visitor, chat) in enumerate(chats):
        for part in ("a", "b"):
            await visitor.expect("ack", id=f"v{i}{part}", timeout=AFTER_PAUSE_S)
            await console.expect(
                "msg", chat=chat, text=f"besökare {i}{part}", timeout=AFTER_PAUSE_S
            )
            await console.expect("ack", id=f"c{i}{part}", chat=chat, timeout=AFTER_PAUSE_S)
            await visitor.expect("msg", text=f"rådgivare {i}{part}", timeout=AFTER_PAUSE_S)

    arrived = await asyncio.gather(*burst)
    # The line for new visitors is long enough for this burst: all of them queued.
    assert [first for _, first in arrived] == ["queued"] * BURST

    # The chats go on, and no socket was closed, neither the running ones nor the newcomers.
    visitor, chat = chats[0]
    await visitor.send({"type": "msg", "id": "after", "text": "efteråt"})
    await console.expect("msg", chat=chat, text="efteråt", timeout=AFTER_PAUSE_S)
    await asyncio.sleep(2.5)  # two more keepalive rounds
    everyone = [console, *(v for v, _ in chats), *(c for c, _ in arrived)]
    closed = [c.ws.close_code for c in everyone if not still_open(c)]
    assert closed == [], f"sockets closed during the overload: {closed}"
    assert "keepalive" not in server.logs()
