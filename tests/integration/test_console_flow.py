"""The console's side of protocol.md: queue frames, accept, notes, transfer back to the queue."""

from __future__ import annotations

import asyncio
import json

from tests.integration.conftest import Team
from tests.support.clients import (
    QUEUE_UPDATE_WAIT_S,
    Peers,
    accept,
    connect_console,
    hello,
    queue_chats,
    wait_queue,
)

MAX_ITEMS_PER_CHANNEL = 50


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


async def test_queue_frame_on_connect_when_empty(team: Team, peers: Peers) -> None:
    console = peers.track(await connect_console(team.server, team.http["anna"]))
    first = await console.recv_any()
    assert first["type"] == "queue", first
    assert first["items"] == []
    assert isinstance(first["total"], dict)
    assert all(v == 0 for v in first["total"].values()), first


async def test_queue_item_fields(team: Team, peers: Peers) -> None:
    visitor = await peers.visitor(team.server)
    await visitor.send(hello(age="unsaid", channel="professional", lang="en", topic="violence"))
    welcome = await visitor.expect("welcome")
    await visitor.expect("notice")
    await visitor.send({"type": "notice_ack", "id": "reporting-duty"})
    await visitor.expect("queued")
    await visitor.send({"type": "msg", "id": "p1", "text": "I am a teacher and worried"})
    await visitor.expect("ack", id="p1")

    console = await peers.console(team.server, team.http["anna"])
    frame = await wait_queue(
        console,
        lambda f: any(i["chat"] == welcome["chat"] and i["preview"] == 1 for i in f["items"]),
    )
    item = next(i for i in frame["items"] if i["chat"] == welcome["chat"])
    assert item["channel"] == "professional"
    assert item["lang"] == "en"
    assert item["age"] == "unsaid"
    assert item["topic"] == "violence"
    assert is_int(item["waited_s"])
    assert item["waited_s"] >= 0
    assert item["session"]["number"] == 1
    assert item["session"]["over_cap"] is False
    assert is_int(item["session"]["cap"])
    assert frame["total"]["professional"] == 1
    assert frame["total"].get("youth", 0) == 0
    # The queue shows no message text: only how many.
    assert "teacher" not in json.dumps(frame)


async def test_queue_is_capped_at_50_per_channel_oldest_first(team: Team, peers: Peers) -> None:
    youth_chats: list[str] = []
    for _ in range(60):
        _, chat = await peers.queued(team.server)
        youth_chats.append(chat)
    pro_chats: list[str] = []
    for _ in range(3):
        _, chat = await peers.queued(team.server, channel="professional")
        pro_chats.append(chat)

    console = await peers.console(team.server, team.http["anna"])
    frame = await wait_queue(
        console,
        lambda f: f["total"].get("youth") == 60 and f["total"].get("professional") == 3,
        within=5,
    )
    assert queue_chats(frame, "youth") == youth_chats[:MAX_ITEMS_PER_CHANNEL]
    assert queue_chats(frame, "professional") == pro_chats
    assert len(frame["items"]) == MAX_ITEMS_PER_CHANNEL + 3
    waited = [i["waited_s"] for i in frame["items"] if i["channel"] == "youth"]
    assert waited == sorted(waited, reverse=True), "oldest first"
    # "The frame stays small however long the queue grows."
    assert len(json.dumps(frame)) < 64 * 1024

    # Accepting the oldest brings the 51st into view; total counts down.
    await accept(console, youth_chats[0])
    frame = await wait_queue(console, lambda f: f["total"].get("youth") == 59)
    assert queue_chats(frame, "youth") == youth_chats[1 : MAX_ITEMS_PER_CHANNEL + 1]


async def test_queue_updates_are_coalesced(team: Team, peers: Peers) -> None:
    """A burst of 30 arrivals reaches a console as a few frames (at most 4 a second)."""
    console = await peers.console(team.server, team.http["anna"])
    await asyncio.gather(*(peers.queued(team.server) for _ in range(30)))
    frames = await console.drain("queue", within=1.0)
    frames += await console.drain("queue", within=0.6)
    assert frames, "the console was not told about the new visitors"
    assert frames[-1]["total"]["youth"] == 30
    assert len(frames) <= 10, f"{len(frames)} queue frames for one burst"


async def test_accepted_chat_leaves_every_consoles_queue(team: Team, peers: Peers) -> None:
    _, chat = await peers.queued(team.server)
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    await wait_queue(bilal, lambda f: chat in queue_chats(f))
    assigned = await accept(anna, chat)
    assert assigned["age"] == "18plus"
    assert assigned["lang"] == "sv"
    assert assigned["session"]["number"] == 1
    await wait_queue(bilal, lambda f: chat not in queue_chats(f))
    await wait_queue(anna, lambda f: chat not in queue_chats(f))


async def test_accept_twice_by_others_is_already_taken(team: Team, peers: Peers) -> None:
    _, chat = await peers.queued(team.server)
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    await accept(anna, chat)
    await bilal.send({"type": "accept", "chat": chat})
    err = await bilal.expect("error", code="already_taken")
    assert err["chat"] == chat
    await bilal.expect_none("assigned", within=0.2)


async def test_only_the_assigned_counsellor_gets_the_chat(team: Team, peers: Peers) -> None:
    visitor, chat = await peers.queued(team.server)
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    await accept(anna, chat)
    await visitor.expect("joined")
    await visitor.send({"type": "msg", "id": "v", "text": "bara till Anna"})
    await anna.expect("msg", chat=chat, text="bara till Anna")
    await bilal.expect_none("msg", within=0.4)
    # Someone else cannot write into it.
    await bilal.send({"type": "msg", "chat": chat, "id": "x", "text": "inkräktare"})
    await bilal.expect("error")
    await visitor.expect_none("msg", within=0.3, text="inkräktare")


async def test_note_never_reaches_the_visitor_and_takes_no_seq(team: Team, peers: Peers) -> None:
    visitor, chat = await peers.queued(team.server)
    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await visitor.expect("joined")
    await console.send({"type": "msg", "chat": chat, "id": "n0", "text": "före anteckningen"})
    before = (await console.expect("ack", id="n0"))["seq"]
    await visitor.expect("msg", seq=before)

    await console.send({"type": "note", "chat": chat, "text": "INTERN: ring socialtjänsten"})
    await visitor.expect_none("msg", within=0.5)
    await visitor.expect_none("note", within=0.01)
    assert all("INTERN" not in json.dumps(f) for f in visitor.buffer), visitor.buffer

    await console.send({"type": "msg", "chat": chat, "id": "n1", "text": "efter anteckningen"})
    after = (await console.expect("ack", id="n1"))["seq"]
    assert after == before + 1
    assert (await visitor.expect("msg", text="efter anteckningen"))["seq"] == after


async def test_transfer_back_to_the_queue(team: Team, peers: Peers) -> None:
    waiting, waiting_chat = await peers.queued(team.server)
    await asyncio.sleep(1.1)  # the two have waited a different number of whole seconds
    visitor, chat = await peers.queued(team.server)
    anna = await peers.console(team.server, team.http["anna"])
    await accept(anna, chat)  # out of turn: the other visitor still waits, now at 1
    joined = await visitor.expect("joined")
    assert joined["counsellor"] == team.display["anna"]
    await visitor.send({"type": "msg", "id": "t1", "text": "före överlämningen"})
    await visitor.expect("ack", id="t1")

    # Updates from before the accept (an estimate that became a number) may still be buffered;
    # what counts is the first `queued` after the hand-back.
    visitor.buffer[:] = [frame for frame in visitor.buffer if frame.get("type") != "queued"]
    await anna.send({"type": "transfer", "chat": chat, "to": "queue"})
    queued = await visitor.expect("queued", timeout=QUEUE_UPDATE_WAIT_S)
    assert queued["position"] == 1, "back to the front of the queue"
    system = await visitor.expect("msg", where={"from": "system"})
    assert isinstance(system["text"], str)
    assert system["text"]
    bumped = await waiting.expect("queued", position=2, timeout=QUEUE_UPDATE_WAIT_S)
    assert bumped["position"] == 2

    bilal = await peers.console(team.server, team.http["bilal"])
    frame = await wait_queue(bilal, lambda f: chat in queue_chats(f))
    assert queue_chats(frame, "youth")[:2] == [chat, waiting_chat]

    await bilal.send({"type": "accept", "chat": chat})
    got = await bilal.next_frames(
        lambda f: f.get("type") == "msg" and f.get("seq") == system["seq"],
        only=("assigned", "msg", "error"),
    )
    assert got[0]["type"] == "assigned"
    texts = [f.get("text") for f in got if f["type"] == "msg"]
    assert "före överlämningen" in texts, "the new counsellor sees the conversation so far"
    rejoined = await visitor.expect("joined")
    assert rejoined["counsellor"] == team.display["bilal"]

    # The chat now belongs to Bilal: Anna's messages no longer go in.
    await bilal.send({"type": "msg", "chat": chat, "id": "b1", "text": "Hej, Bilal här"})
    await bilal.expect("ack", id="b1")
    await visitor.expect("msg", text="Hej, Bilal här")
    seqs = [f["seq"] for f in visitor.buffer if f.get("type") == "msg"]
    assert seqs == sorted(seqs)


async def test_counsellor_end_tells_the_console(team: Team, peers: Peers) -> None:
    visitor, chat = await peers.queued(team.server)
    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await console.send({"type": "end", "chat": chat, "reasons": ["forced_marriage"]})
    assert (await visitor.expect("ended"))["by"] == "counsellor"
    await visitor.send({"type": "msg", "id": "late", "text": "hallå?"})
    await visitor.expect_none("ack", within=0.5)
    await console.expect_none("msg", within=0.01, text="hallå?")


async def test_supervisor_may_accept(team: Team, peers: Peers) -> None:
    visitor, chat = await peers.queued(team.server)
    sigrid = await peers.console(team.server, team.http["sigrid"])
    await accept(sigrid, chat)
    assert (await visitor.expect("joined"))["counsellor"] == team.display["sigrid"]
