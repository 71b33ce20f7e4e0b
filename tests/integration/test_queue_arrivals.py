"""An arrival costs the same however long the queue is (issue 10): a visitor joining the
back of the queue moves nobody, so the waiting visitors' positions are not looked up again,
and nobody is sent a `queued` that did not change. A departure from the front still moves
everyone, and each is told."""

from __future__ import annotations

import asyncio

import redis

from tests.support.clients import Peers, WsClient
from tests.support.server import RunningServer

WAITING = 30
ARRIVALS = 20


def zrank_calls(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return int(stats.get("cmdstat_zrank", {}).get("calls", 0))


async def test_arrivals_do_not_look_up_every_waiting_position(
    redis_url: str, fresh: RunningServer, peers: Peers
) -> None:
    first: list[tuple[WsClient, str]] = [await peers.queued(fresh) for _ in range(WAITING)]
    await asyncio.sleep(1.0)  # any refresh still due after those arrivals has run
    for visitor, _ in first:
        await visitor.drain("queued", within=0)

    client = redis.Redis.from_url(redis_url)
    try:
        before = zrank_calls(client)
        for _ in range(ARRIVALS):
            await peers.queued(fresh)
        await asyncio.sleep(1.0)  # long enough for the position refresher to have run
        looked_up = zrank_calls(client) - before
    finally:
        client.close()

    # At most two ZRANKs per arrival (its position in the enqueue script, and once more for
    # the newcomers themselves), none for the 30 already waiting: on main each refresh pass
    # looked up every waiting position again (101 in one run).
    assert looked_up <= 2 * ARRIVALS + 2, looked_up
    for visitor, _ in first:
        assert await visitor.drain("queued", within=0) == []


async def test_a_departure_from_the_front_still_moves_everyone(
    redis_url: str, fresh: RunningServer, peers: Peers
) -> None:
    waiting = [await peers.queued(fresh) for _ in range(4)]
    front, _ = waiting[0]
    await front.send({"type": "end"})
    await front.expect("ended")
    for n, (visitor, _) in enumerate(waiting[1:], start=1):
        moved = await visitor.expect("queued", timeout=5)
        assert moved["position"] == n
