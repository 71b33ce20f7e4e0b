"""A console's frames for different chats do not wait for one another (issue 10): while
Redis holds back one chat's write, a frame for another chat is answered; each chat's own
frames keep their order."""

from __future__ import annotations

import redis

from tests.integration.conftest import Team
from tests.support.clients import Peers, accept

PAUSE_MS = 2500


async def test_a_stalled_chat_does_not_hold_up_another_and_keeps_its_order(
    redis_url: str, team: Team, peers: Peers
) -> None:
    server = team.server
    console = await peers.console(server, team.http["anna"])
    visitor_a, chat_a = await peers.queued(server)
    visitor_b, chat_b = await peers.queued(server)
    await accept(console, chat_a)
    await accept(console, chat_b)
    await visitor_a.expect("joined")
    await visitor_b.expect("joined")

    client = redis.Redis.from_url(redis_url)
    try:
        # Writes wait, reads go on: chat A's messages are stalled in their append.
        client.client_pause(PAUSE_MS, all=False)
        for n in range(3):
            await console.send({"type": "msg", "chat": chat_a, "id": f"a{n}", "text": f"A {n}"})
        # Chat B's frame needs only reads (its chat, the colleague it names): it is answered
        # while chat A's messages still wait, which one frame after another could not do.
        await console.send({"type": "transfer", "chat": chat_b, "to": "nobody-here"})
        await console.expect("error", code="bad_field", field="to", timeout=PAUSE_MS / 2000)
        assert not [f for f in console.buffer if f.get("type") == "ack"], console.buffer
    finally:
        client.close()

    # After the pause chat A's messages are stored and delivered in the order sent.
    acks = [await console.expect("ack", id=f"a{n}", chat=chat_a, timeout=10) for n in range(3)]
    seqs = [ack["seq"] for ack in acks]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 3
    got = [await visitor_a.expect("msg", text=f"A {n}", timeout=10) for n in range(3)]
    assert [m["seq"] for m in got] == seqs
    # And chat B works as before.
    await console.send({"type": "msg", "chat": chat_b, "id": "b0", "text": "B 0"})
    await visitor_b.expect("msg", text="B 0")
