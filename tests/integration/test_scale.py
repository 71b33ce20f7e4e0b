"""More than one process on one Redis: chats across processes, and the loss of a process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.integration.conftest import Team
from tests.support.clients import Frame, Peers, WsClient, accept, hello
from tests.support.server import RunningServer

RESUME_FRAMES = ("welcome", "msg", "joined", "queued", "error")

# Grace (2 s) plus the time the service may need to notice that a process is gone.
LOST_PROCESS_GRACE_S = 12.0


async def resume_on(
    peers: Peers, server: RunningServer, token: str, last_seq: int
) -> tuple[WsClient, list[Frame]]:
    back = await peers.visitor(server)
    await back.send(hello(resume={"token": token, "last_seq": last_seq}))
    frames = await back.next_frames(
        lambda f: f.get("type") in ("joined", "queued", "error"), only=RESUME_FRAMES
    )
    return back, frames


async def test_chat_across_processes_survives_the_loss_of_one(
    team: Team, server_factory: Callable[..., RunningServer], peers: Peers
) -> None:
    a = server_factory()
    b = team.server
    console = await peers.console(b, team.http["anna"])

    visitor, welcome = await peers.chat(a)
    chat = welcome["chat"]
    await visitor.expect("queued")
    await visitor.send({"type": "msg", "id": "w", "text": "skrivet i kön på A"})
    await visitor.expect("ack", id="w")
    await accept(console, chat)  # on B
    await console.expect("msg", chat=chat, text="skrivet i kön på A")
    joined = await visitor.expect("joined")  # told on A
    assert joined["counsellor"] == team.display["anna"]

    transcript: dict[int, tuple[str, str]] = {}
    for i in range(3):
        await visitor.send({"type": "msg", "id": f"v{i}", "text": f"från A {i}"})
        seq = (await visitor.expect("ack", id=f"v{i}"))["seq"]
        transcript[seq] = ("visitor", f"från A {i}")
        assert (await console.expect("msg", chat=chat, text=f"från A {i}"))["seq"] == seq
        await console.send({"type": "msg", "chat": chat, "id": f"c{i}", "text": f"från B {i}"})
        seq = (await console.expect("ack", id=f"c{i}"))["seq"]
        transcript[seq] = ("counsellor", f"från B {i}")
        assert (await visitor.expect("msg", text=f"från B {i}"))["seq"] == seq
    last_seen = max(transcript)

    # One more message acknowledged by A just before A dies.
    await visitor.send({"type": "msg", "id": "last-on-a", "text": "sista på A"})
    seq = (await visitor.expect("ack", id="last-on-a"))["seq"]
    transcript[seq] = ("visitor", "sista på A")
    a.kill()

    await console.send({"type": "msg", "chat": chat, "id": "gap", "text": "medan A var död"})
    seq = (await console.expect("ack", id="gap"))["seq"]
    transcript[seq] = ("counsellor", "medan A var död")

    back, frames = await resume_on(peers, b, welcome["token"], last_seen)
    assert frames[0]["type"] == "welcome", frames
    assert frames[0]["chat"] == chat
    replay = {f["seq"]: (f["from"], f["text"]) for f in frames if f["type"] == "msg"}
    expected = {s: t for s, t in transcript.items() if s > last_seen}
    assert {s: replay.get(s) for s in expected} == expected, "a message was lost with A"
    assert frames[-1]["type"] == "joined"

    # The chat carries on, entirely on B now.
    await back.send({"type": "msg", "id": "on-b", "text": "nu på B"})
    seq = (await back.expect("ack", id="on-b"))["seq"]
    assert seq == max(transcript) + 1
    assert (await console.expect("msg", chat=chat, text="nu på B"))["seq"] == seq
    await console.expect_none("visitor_left", within=0.3)

    # A full replay from 0 on B has every message exactly once, in order.
    await back.close()
    full_client, full = await resume_on(peers, b, frames[0]["token"], 0)
    seqs = [f["seq"] for f in full if f["type"] == "msg"]
    assert seqs == list(range(1, seq + 1)), seqs
    del full_client


async def test_grace_runs_out_even_when_the_visitors_process_died(
    team: Team, server_factory: Callable[..., RunningServer], peers: Peers
) -> None:
    """Nobody is left on A to time the grace period: the service must still end the chat."""
    a = server_factory(FRISTAD_RESUME_GRACE_S="2")
    b = server_factory(FRISTAD_RESUME_GRACE_S="2")
    visitor, welcome = await peers.chat(a)
    await visitor.expect("queued")
    console = await peers.console(b, team.http["anna"])
    await accept(console, welcome["chat"])
    await visitor.expect("joined")
    a.kill()
    left = await console.expect("visitor_left", chat=welcome["chat"], timeout=LOST_PROCESS_GRACE_S)
    assert left["how"] == "timeout"
    _, frames = await resume_on(peers, b, welcome["token"], 0)
    assert frames[-1]["type"] == "error", frames
    assert frames[-1]["code"] == "resume_failed"


async def test_queue_positions_are_shared_between_processes(
    team: Team, module_server_factory: Callable[..., RunningServer], peers: Peers
) -> None:
    a = module_server_factory()
    first, _ = await peers.chat(team.server)
    assert (await first.expect("queued"))["position"] == 1
    second, _ = await peers.chat(a)
    assert (await second.expect("queued"))["position"] == 2
    third, _ = await peers.chat(team.server)
    assert (await third.expect("queued"))["position"] == 3


async def test_sigterm_stops_a_server_that_had_a_dropped_visitor(
    redis_url: str, server_factory: Callable[..., RunningServer], peers: Peers
) -> None:
    """A restart must not wait out the resume grace period (120 s): the chat lives in Redis."""
    srv = server_factory()
    visitor, _ = await peers.queued(srv)
    await visitor.close()
    await asyncio.sleep(0.2)
    srv.proc.terminate()
    for _ in range(60):
        if srv.proc.poll() is not None:
            break
        await asyncio.sleep(0.05)
    assert srv.proc.poll() is not None, "fristad serve still running 3 s after SIGTERM"
