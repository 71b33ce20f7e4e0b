"""The queue's estimated wait, measured from real accepts through real sockets.

No estimate without a basis (a fresh service says nothing about minutes); once counsellors
have accepted chats on a channel, a visitor queued on it, a chat handed back to the queue and
``/api/status`` all carry a number of seconds, on both channels.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis

from tests.integration.conftest import Team
from tests.support.clients import Peers, WsClient, accept, get_json

CHANNELS = ("youth", "professional")


def is_seconds(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


async def accept_some(
    team: Team, peers: Peers, console: WsClient, channel: str, n: int, apart_s: float = 0.0
) -> None:
    """``n`` visitors queue on ``channel`` and the console accepts each (the estimate's basis),
    ``apart_s`` seconds apart."""
    for i in range(n):
        if i and apart_s:
            await asyncio.sleep(apart_s)  # a pace of accepts, not a burst
        visitor, chat = await peers.queued(team.server, channel=channel)
        await accept(console, chat)
        await visitor.expect("joined")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_no_number_without_a_basis_then_a_number_after_accepts(
    team: Team, peers: Peers, channel: str
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    first, _ = await peers.chat(team.server, channel=channel)
    assert (await first.expect("queued"))["eta_s"] is None
    status = await get_json(team.server, "/api/status")
    assert status["eta_s_by_channel"][channel] is None

    await accept_some(team, peers, anna, channel, 3)

    later, _ = await peers.chat(team.server, channel=channel)
    queued = await later.expect("queued")
    assert is_seconds(queued["eta_s"]), queued
    status = await get_json(team.server, "/api/status")
    assert is_seconds(status["eta_s_by_channel"][channel]), status
    if channel == "youth":
        assert status["eta_s"] == status["eta_s_by_channel"]["youth"]


async def test_the_estimate_grows_with_the_position(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    await accept_some(team, peers, anna, "youth", 3, apart_s=1.5)
    etas = []
    for _ in range(3):
        visitor, _ = await peers.chat(team.server)
        etas.append((await visitor.expect("queued"))["eta_s"])
    assert all(is_seconds(e) for e in etas), etas
    assert etas == sorted(etas)
    assert etas[2] > etas[0]


async def test_a_chat_handed_back_to_the_queue_gets_a_number(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    await accept_some(team, peers, anna, "professional", 2)
    visitor, chat = await peers.queued(team.server, channel="professional")
    await accept(anna, chat)
    await visitor.expect("joined")

    await anna.send({"type": "transfer", "chat": chat, "to": "queue"})
    queued = await visitor.expect("queued")
    assert queued["position"] == 1
    assert is_seconds(queued["eta_s"]), queued


async def test_status_estimates_both_channels_at_once(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    for channel in CHANNELS:
        await accept_some(team, peers, anna, channel, 3)
    status = await get_json(team.server, "/api/status")
    assert set(status["eta_s_by_channel"]) == set(CHANNELS)
    assert all(is_seconds(v) for v in status["eta_s_by_channel"].values()), status
    assert is_seconds(status["eta_s"])


async def test_the_estimates_samples_are_bare_bounded_numbers_that_expire(
    team: Team, peers: Peers
) -> None:
    """What the estimate keeps says nothing about who chatted: durations and times, each
    list at most 30 long and gone within the hour after the last sample."""
    anna = await peers.console(team.server, team.http["anna"])
    chats = []
    for _ in range(32):
        visitor, chat = await peers.queued(team.server)
        await accept(anna, chat)
        await visitor.send({"type": "end"})
        await visitor.expect("ended")
        chats.append(chat)
    db = redis.Redis.from_url(team.server.redis_url, decode_responses=True)
    try:
        for key in ("f:handled:youth", "f:accepts:youth"):
            values = db.lrange(key, 0, -1)
            assert 0 < len(values) <= 30, (key, values)
            assert all(v.isdigit() for v in values), values
            assert 0 < db.ttl(key) <= 3600, key
            assert not any(chat in v for v in values for chat in chats)
        assert all(int(v) < 60 for v in db.lrange("f:handled:youth", 0, -1))
    finally:
        db.close()
