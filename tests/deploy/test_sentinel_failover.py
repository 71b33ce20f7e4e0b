"""A Redis that fails over (issue 10): the service finds its primary through Redis Sentinel
(FRISTAD_REDIS_SENTINELS), the primary is killed with SIGKILL mid-chat, and the chat carries
on against the promoted replica within 15 s. With FRISTAD_ACK_REPLICAS=1 every acknowledged
message was on the replica before its ack, so none is lost in the failover.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from tests.deploy.sentinel import SERVICE, RedisSet
from tests.support.clients import Frame, Peers, WsClient, accept, connect_console, login, start_chat
from tests.support.server import RunningServer, add_staff, start_server_with

CARRY_ON_WITHIN_S = 15.0
BURST = 12  # under the visitor rate limit's burst (FRISTAD_VISITOR_RATE)


@pytest.fixture
def redis_set(tmp_path: Path) -> Iterator[RedisSet]:
    started = RedisSet(tmp_path / "redis")
    started.start()
    yield started
    started.stop()


def serve(redis_set: RedisSet, tmp_path: Path, **env: str) -> RunningServer:
    # REDIS_URL points nowhere: with Sentinels it is ignored.
    settings = {
        "FRISTAD_REDIS_SENTINELS": redis_set.sentinels_setting,
        "FRISTAD_REDIS_SERVICE": SERVICE,
        "FRISTAD_ACK_REPLICAS": "1",
        **env,
    }
    return start_server_with("redis://127.0.0.1:1/0", tmp_path, settings)


@pytest.fixture
def service(redis_set: RedisSet, tmp_path: Path) -> Iterator[RunningServer]:
    server = serve(redis_set, tmp_path)
    yield server
    server.stop()


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    tracked = Peers()
    yield tracked
    await tracked.close_all()


async def until_acked(client: WsClient, frame: Frame, deadline: float) -> Frame:
    """Send, and send again with the same id after a `server_error`, until it is acked."""
    while True:
        await client.send(frame)
        try:
            return await client.expect("ack", id=frame["id"], timeout=1.5)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise AssertionError(f"no ack for {frame['id']}: {client.buffer[-5:]}") from None


async def test_chats_carry_on_after_the_primary_is_killed(
    redis_set: RedisSet, service: RunningServer, peers: Peers
) -> None:
    creds = add_staff(redis_set.url(redis_set.primary_port), "anna", name="Anna")
    with contextlib.closing(login(service, creds)) as http:
        console = peers.track(await connect_console(service, http))
        visitor, welcome = await start_chat(service)
        peers.track(visitor)
        chat = welcome["chat"]
        await visitor.expect("queued")
        await accept(console, chat)
        await visitor.expect("joined")

        # A burst, each acked only once the replica holds it; the primary dies right after.
        for i in range(BURST):
            await visitor.send({"type": "msg", "id": f"b{i}", "text": f"meddelande {i}"})
        acked = [(await visitor.expect("ack", id=f"b{i}"))["seq"] for i in range(BURST)]
        redis_set.kill("primary")
        killed_at = time.monotonic()
        deadline = killed_at + CARRY_ON_WITHIN_S

        after = await until_acked(
            visitor, {"type": "msg", "id": "a1", "text": "är du kvar?"}, deadline
        )
        await console.expect(
            "msg", chat=chat, text="är du kvar?", timeout=deadline - time.monotonic()
        )
        await until_acked(
            console, {"type": "msg", "chat": chat, "id": "c1", "text": "ja, här"}, deadline
        )
        await visitor.expect("msg", text="ja, här", timeout=deadline - time.monotonic())
        carried_on = time.monotonic() - killed_at
        assert carried_on < CARRY_ON_WITHIN_S
        assert redis_set.primary_now() == redis_set.replica_port, "the replica was promoted"
        assert after["seq"] == acked[-1] + 1, "the log on the new primary ends with the burst"

        # A fresh console reads the transcript from the promoted replica: every acked message.
        fresh = peers.track(await connect_console(service, http))
        frames = await fresh.next_frames(
            lambda f: f.get("type") == "msg" and f.get("text") == "ja, här",
            only=("msg",),
            within=10,
        )
        texts = [f["text"] for f in frames if f.get("chat") == chat]
        assert texts[:BURST] == [f"meddelande {i}" for i in range(BURST)]
        assert texts[BURST:] == ["är du kvar?", "ja, här"]
    print(f"chats carried on {carried_on:.1f} s after the primary was killed")


STALL_S = 1.5


async def test_an_ack_waits_for_the_replica(
    redis_set: RedisSet, tmp_path: Path, peers: Peers
) -> None:
    """While the replica stalls, a message is stored on the primary but not acked."""
    server = serve(redis_set, tmp_path, FRISTAD_ACK_TIMEOUT_MS="5000")
    try:
        visitor, _ = await start_chat(server)
        peers.track(visitor)
        await visitor.expect("queued")
        await visitor.send({"type": "msg", "id": "m0", "text": "före"})
        await visitor.expect("ack", id="m0")

        def stall() -> None:
            with redis.Redis(port=redis_set.replica_port) as replica:
                replica.execute_command("DEBUG", "SLEEP", str(STALL_S))

        stalled = asyncio.create_task(asyncio.to_thread(stall))
        await asyncio.sleep(0.2)  # the replica is asleep now
        sent = time.monotonic()
        await visitor.send({"type": "msg", "id": "m1", "text": "under tiden"})
        await visitor.expect("ack", id="m1", timeout=STALL_S + 3)
        waited = time.monotonic() - sent
        await stalled
        assert waited >= STALL_S - 0.4, f"acked after {waited:.2f} s, before the replica held it"
    finally:
        server.stop()
