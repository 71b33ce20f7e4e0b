"""A chat handed back to the queue: first in the server's order, and the time it has really
waited is what the console, /admin's longest wait and the metrics' oldest-wait gauge show
(not the seconds since the hand-back)."""

from __future__ import annotations

import asyncio
import re

from tests.integration.conftest import Team
from tests.support.clients import Peers, accept, queue_chats, wait_queue

WAITED_S = 2.5


def gauge(metrics_text: str, channel: str) -> float:
    pattern = rf'^fristad_queue_oldest_wait_seconds\{{channel="{channel}"\}} (\S+)$'
    found = re.search(pattern, metrics_text, re.MULTILINE)
    assert found, metrics_text
    return float(found.group(1))


async def test_a_hand_back_goes_first_and_keeps_the_time_it_waited(
    team: Team, peers: Peers
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    visitor, handed_back = await peers.queued(team.server)
    await asyncio.sleep(WAITED_S)  # the time this visitor waits before anyone answers
    await accept(anna, handed_back)
    await visitor.expect("joined")
    _, arrived = await peers.queued(team.server)

    await anna.send({"type": "transfer", "chat": handed_back, "to": "queue"})
    await visitor.expect("queued", position=1)
    frame = await wait_queue(anna, lambda f: len(queue_chats(f)) == 2)
    assert queue_chats(frame) == [handed_back, arrived]
    waited = {item["chat"]: item["waited_s"] for item in frame["items"]}
    assert waited[handed_back] >= int(WAITED_S), waited
    assert waited[arrived] < WAITED_S, waited

    overview = team.http["sigrid"].get("/api/admin/overview").json()["queues"]["youth"]
    assert overview["total"] == 2
    assert overview["items"][0]["waited_s"] >= int(WAITED_S), overview
    assert overview["oldest_wait_s"] >= int(WAITED_S), overview

    metrics = team.http["sigrid"].get("/metrics")
    assert metrics.status_code == 200
    assert gauge(metrics.text, "youth") >= int(WAITED_S)
    assert gauge(metrics.text, "professional") == 0


async def test_the_longest_wait_is_not_always_the_head(team: Team, peers: Peers) -> None:
    """A hand-back that waited little goes first; the longest wait is the arrival behind it."""
    anna = await peers.console(team.server, team.http["anna"])
    visitor, handed_back = await peers.queued(team.server)
    await accept(anna, handed_back)
    await visitor.expect("joined")
    _, arrived = await peers.queued(team.server)
    await asyncio.sleep(WAITED_S)
    await anna.send({"type": "transfer", "chat": handed_back, "to": "queue"})
    await visitor.expect("queued", position=1)
    frame = await wait_queue(anna, lambda f: len(queue_chats(f)) == 2)
    assert queue_chats(frame) == [handed_back, arrived]

    overview = team.http["sigrid"].get("/api/admin/overview").json()["queues"]["youth"]
    assert overview["items"][0]["waited_s"] < WAITED_S
    assert overview["oldest_wait_s"] >= int(WAITED_S), overview
    assert gauge(team.http["sigrid"].get("/metrics").text, "youth") >= int(WAITED_S)
