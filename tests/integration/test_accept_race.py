"""Atomic accept: many consoles on two processes race for one chat; exactly one wins."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.integration.conftest import Team
from tests.support.clients import Frame, Peers, WsClient
from tests.support.server import RunningServer

CONSOLES_PER_USER_PER_SERVER = 3  # 4 users x 2 servers x 3 = 24 consoles
ROUNDS = 4


@pytest.fixture(scope="module")
def second(module_server_factory: Callable[..., RunningServer]) -> RunningServer:
    """A second process on the same Redis."""
    return module_server_factory()


async def outcome(console: WsClient, chat: str) -> Frame:
    """The console's answer to its accept: `assigned` or an `already_taken` error."""
    while True:
        frame = await console.recv_any(timeout=10)
        if frame.get("type") == "assigned" and frame.get("chat") == chat:
            return frame
        if frame.get("type") == "error" and frame.get("chat") == chat:
            return frame
        if frame.get("type") == "error" and frame.get("code") == "already_taken":
            return frame


async def test_exactly_one_of_many_consoles_wins(
    team: Team, second: RunningServer, peers: Peers
) -> None:
    servers = [team.server, second]
    consoles: list[WsClient] = []
    for srv in servers:
        for name in team.http:
            for _ in range(CONSOLES_PER_USER_PER_SERVER):
                consoles.append(await peers.console(srv, team.http[name]))
    assert len(consoles) >= 20

    for round_ in range(ROUNDS):
        visitor, chat = await peers.queued(servers[round_ % 2])
        for c in consoles:
            c.buffer.clear()
        await asyncio.gather(*(c.send({"type": "accept", "chat": chat}) for c in consoles))
        results = await asyncio.gather(*(outcome(c, chat) for c in consoles))
        winners = [r for r in results if r["type"] == "assigned"]
        losers = [r for r in results if r["type"] == "error"]
        assert len(winners) == 1, f"round {round_}: {len(winners)} consoles got the chat"
        assert len(losers) == len(consoles) - 1
        assert {r["code"] for r in losers} == {"already_taken"}, losers
        assert all(r["chat"] == chat for r in losers), losers

        joined = await visitor.expect("joined")
        await visitor.expect_none("joined", within=0.3)
        assert joined["counsellor"] in team.display.values()

        # The winner, and only the winner, hears the visitor.
        winner = consoles[results.index(winners[0])]
        await visitor.send({"type": "msg", "id": f"r{round_}", "text": f"vem vann {round_}?"})
        await winner.expect("msg", chat=chat, text=f"vem vann {round_}?")
        for c in consoles:
            if c is not winner:
                assert not any(
                    f.get("type") == "msg" and f.get("chat") == chat for f in c.buffer
                ), c.buffer


async def test_several_chats_at_once_each_taken_once(
    team: Team, second: RunningServer, peers: Peers
) -> None:
    """Five chats, every console tries every chat at the same time."""
    servers = [team.server, second]
    consoles = [await peers.console(srv, team.http[name]) for srv in servers for name in team.http]
    consoles += [await peers.console(srv, team.http["anna"]) for srv in servers for _ in range(6)]
    assert len(consoles) >= 20
    chats = [(await peers.queued(servers[i % 2]))[1] for i in range(5)]

    await asyncio.gather(
        *(c.send({"type": "accept", "chat": chat}) for chat in chats for c in consoles)
    )

    async def answers(c: WsClient) -> list[Frame]:
        got: list[Frame] = []
        while len(got) < len(chats):
            frame = await c.recv_any(timeout=10)
            if frame.get("type") == "assigned" or (
                frame.get("type") == "error" and frame.get("code") == "already_taken"
            ):
                got.append(frame)
        return got

    per_console = await asyncio.gather(*(answers(c) for c in consoles))
    for chat in chats:
        won = [
            f for got in per_console for f in got if f["type"] == "assigned" and f["chat"] == chat
        ]
        lost = [f for got in per_console for f in got if f["type"] == "error" and f["chat"] == chat]
        assert len(won) == 1, (chat, len(won))
        assert len(lost) == len(consoles) - 1, (chat, len(lost))
