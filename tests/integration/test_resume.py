"""protocol.md "Resuming": a dropped connection does not end a chat, and nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.integration.conftest import Team
from tests.support.clients import (
    QUEUE_UPDATE_WAIT_S,
    Frame,
    Peers,
    WsClient,
    accept,
    hello,
)
from tests.support.server import RunningServer

RESUME_FRAMES = ("welcome", "msg", "joined", "queued", "error")


async def resume(
    peers: Peers, server: RunningServer, token: str, last_seq: int
) -> tuple[WsClient, list[Frame]]:
    """Reconnect with `resume`; returns the client and the frames up to the state frame."""
    visitor = await peers.visitor(server)
    await visitor.send(hello(resume={"token": token, "last_seq": last_seq}))
    frames = await visitor.next_frames(
        lambda f: f.get("type") in ("joined", "queued", "error"), only=RESUME_FRAMES
    )
    return visitor, frames


async def test_resume_replays_and_rejoins(team: Team, peers: Peers) -> None:
    visitor, welcome = await peers.chat(team.server)
    chat = welcome["chat"]
    await visitor.expect("queued")
    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await visitor.expect("joined")

    await visitor.send({"type": "msg", "id": "v1", "text": "mitt första"})
    v1 = (await visitor.expect("ack", id="v1"))["seq"]
    await console.send({"type": "msg", "chat": chat, "id": "c1", "text": "svar ett"})
    c1 = (await visitor.expect("msg", text="svar ett"))["seq"]
    await visitor.send({"type": "msg", "id": "v2", "text": "mitt andra"})
    v2 = (await visitor.expect("ack", id="v2"))["seq"]

    visitor.abort()  # the network goes away
    await asyncio.sleep(0.3)
    await console.send({"type": "msg", "chat": chat, "id": "c2", "text": "medan du var borta"})
    c2 = (await console.expect("ack", id="c2"))["seq"]
    await console.expect_none("visitor_left", within=0.3)

    back, frames = await resume(peers, team.server, welcome["token"], v1)
    again = frames[0]
    assert again["type"] == "welcome", frames
    assert again["chat"] == chat
    assert again["token"] != welcome["token"], "each token works once: a fresh one is issued"
    msgs = [f for f in frames if f["type"] == "msg"]
    assert [(m["seq"], m["from"], m["text"]) for m in msgs if m["seq"] in (c1, v2, c2)] == [
        (c1, "counsellor", "svar ett"),
        (v2, "visitor", "mitt andra"),
        (c2, "counsellor", "medan du var borta"),
    ], "every msg with seq > last_seq, the visitor's own included, in order"
    assert all(m["seq"] > v1 for m in msgs), msgs
    assert [m["seq"] for m in msgs] == list(range(v1 + 1, v1 + 1 + len(msgs))), msgs
    assert frames[-1]["type"] == "joined", frames
    assert frames[-1]["counsellor"] == team.display["anna"]

    # The chat carries on, both ways, with the next seq.
    await back.send({"type": "msg", "id": "v3", "text": "jag är tillbaka"})
    v3 = (await back.expect("ack", id="v3"))["seq"]
    assert v3 == max(c2, msgs[-1]["seq"]) + 1
    assert (await console.expect("msg", text="jag är tillbaka"))["seq"] == v3


async def test_resend_after_resume_is_stored_once(team: Team, peers: Peers) -> None:
    visitor, welcome = await peers.chat(team.server)
    chat = welcome["chat"]
    await visitor.expect("queued")
    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await visitor.send({"type": "msg", "id": "dup", "text": "kom det fram?"})
    first = (await visitor.expect("ack", id="dup"))["seq"]
    await console.expect("msg", text="kom det fram?")
    await visitor.close()

    # The client saw no ack (say) and sends again with the old CLIENT_ID.
    back, frames = await resume(peers, team.server, welcome["token"], first)
    assert frames[0]["type"] == "welcome"
    await back.send({"type": "msg", "id": "dup", "text": "kom det fram?"})
    assert (await back.expect("ack", id="dup"))["seq"] == first
    await console.expect_none("msg", within=0.4, text="kom det fram?")


async def test_resume_while_queued_keeps_the_position(team: Team, peers: Peers) -> None:
    first, _ = await peers.queued(team.server)
    second, welcome = await peers.chat(team.server)
    assert (await second.expect("queued"))["position"] == 2
    await second.send({"type": "msg", "id": "q", "text": "väntar fortfarande"})
    seq = (await second.expect("ack", id="q"))["seq"]
    third, _ = await peers.queued(team.server)

    await second.close()
    await asyncio.sleep(0.3)
    _back, frames = await resume(peers, team.server, welcome["token"], 0)
    assert frames[0]["type"] == "welcome"
    assert frames[0]["chat"] == welcome["chat"]
    msgs = [f for f in frames if f["type"] == "msg"]
    assert (seq, "visitor", "väntar fortfarande") in [
        (m["seq"], m["from"], m["text"]) for m in msgs
    ]
    assert frames[-1]["type"] == "queued"
    assert frames[-1]["position"] == 2, "the queue position is kept"
    # And the third visitor did not overtake.
    await third.expect_none("queued", within=0.5, position=2)
    del first


async def test_token_works_once(team: Team, peers: Peers) -> None:
    visitor, welcome = await peers.chat(team.server)
    await visitor.expect("queued")
    await visitor.close()
    _, frames = await resume(peers, team.server, welcome["token"], 0)
    assert frames[0]["type"] == "welcome"
    new_token = frames[0]["token"]

    other = await peers.visitor(team.server)
    await other.send(hello(resume={"token": welcome["token"], "last_seq": 0}))
    await other.expect("error", code="resume_failed")
    await other.expect_none("welcome", within=0.3)
    # The client may then send a plain hello: a new chat.
    await other.send(hello())
    plain = await other.expect("welcome")
    assert plain["chat"] != welcome["chat"]
    assert plain["token"] != new_token


async def test_resume_while_connected_takes_over(team: Team, peers: Peers) -> None:
    """A resume while the old socket still looks alive (a half-open TCP) must work too."""
    visitor, welcome = await peers.chat(team.server)
    await visitor.expect("queued")
    _, frames = await resume(peers, team.server, welcome["token"], 0)
    assert frames[0]["type"] == "welcome"
    assert frames[0]["chat"] == welcome["chat"]
    assert frames[-1]["type"] == "queued"


@pytest.mark.parametrize("where", ["same-process", "other-process"])
async def test_resume_takes_the_chat_over_from_a_live_socket(
    team: Team, peers: Peers, server_factory: Callable[..., RunningServer], where: str
) -> None:
    """A chat has one visitor socket: a second connection resuming with the live token takes
    the chat over, and the first is closed with 4000 "replaced" and gets nothing more, also
    when it is held by another process (docs/protocol.md, issue 8)."""
    visitor, welcome = await peers.chat(team.server)
    chat = welcome["chat"]
    await visitor.expect("queued")
    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await visitor.expect("joined")

    other = team.server if where == "same-process" else server_factory()
    back, frames = await resume(peers, other, welcome["token"], 0)
    assert frames[0]["type"] == "welcome", frames
    assert frames[0]["chat"] == chat, frames
    assert frames[-1]["type"] == "joined", frames

    await console.send({"type": "msg", "chat": chat, "id": "c1", "text": "till den nya"})
    assert (await back.expect("msg", text="till den nya"))["from"] == "counsellor"
    assert await visitor.closed_code() == 4000
    assert visitor.ws.close_reason == "replaced"
    assert [f for f in visitor.buffer if f.get("type") == "msg"] == [], visitor.buffer

    # The chat goes on on the new socket, both ways; the old one's close ended nothing.
    await back.send({"type": "msg", "id": "v1", "text": "jag är här"})
    await back.expect("ack", id="v1")
    await console.expect("msg", text="jag är här")
    await console.expect_none("visitor_left", within=0.5)


async def test_unknown_token(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(hello(resume={"token": "A" * 43, "last_seq": 0}))
    await visitor.expect("error", code="resume_failed")
    await visitor.expect_none("welcome", within=0.3)
    await visitor.send(hello())
    await visitor.expect("welcome")


async def test_token_of_an_ended_chat_fails(team: Team, peers: Peers) -> None:
    visitor, welcome = await peers.chat(team.server)
    await visitor.expect("queued")
    await visitor.send({"type": "end"})
    await visitor.expect("ended")
    await visitor.close()
    other = await peers.visitor(team.server)
    await other.send(hello(resume={"token": welcome["token"], "last_seq": 0}))
    await other.expect("error", code="resume_failed")


GRACE_S = 2


@pytest.fixture(scope="module")
def short_grace(module_server_factory: Callable[..., RunningServer]) -> RunningServer:
    return module_server_factory(FRISTAD_RESUME_GRACE_S=str(GRACE_S))


async def test_grace_period_ends_the_chat(
    team: Team, short_grace: RunningServer, peers: Peers
) -> None:
    srv = short_grace
    visitor, welcome = await peers.chat(srv)
    chat = welcome["chat"]
    await visitor.expect("queued")
    console = await peers.console(srv, team.http["anna"])
    await accept(console, chat)
    await visitor.expect("joined")

    visitor.abort()
    left = await console.expect("visitor_left", chat=chat, timeout=8)
    assert left["how"] == "timeout"

    late = await peers.visitor(srv)
    await late.send(hello(resume={"token": welcome["token"], "last_seq": 0}))
    await late.expect("error", code="resume_failed")


async def test_resume_within_a_short_grace_period(
    team: Team, short_grace: RunningServer, peers: Peers
) -> None:
    srv = short_grace
    visitor, welcome = await peers.chat(srv)
    await visitor.expect("queued")
    visitor.abort()
    await asyncio.sleep(GRACE_S / 3)
    _, frames = await resume(peers, srv, welcome["token"], 0)
    assert frames[0]["type"] == "welcome"
    assert frames[-1]["type"] == "queued"
    # The resumed chat is not ended when the first connection's grace runs out.
    await asyncio.sleep(GRACE_S)
    console = await peers.console(srv, team.http["anna"])
    await accept(console, welcome["chat"])


async def test_queued_visitor_grace_leaves_the_queue(
    redis_url: str, short_grace: RunningServer, peers: Peers
) -> None:
    srv = short_grace
    gone, welcome = await peers.chat(srv)
    await gone.expect("queued")
    stays, _ = await peers.chat(srv)
    assert (await stays.expect("queued"))["position"] == 2
    gone.abort()
    moved = await stays.expect("queued", position=1, timeout=GRACE_S + 3 + QUEUE_UPDATE_WAIT_S)
    assert moved["position"] == 1
    del welcome
