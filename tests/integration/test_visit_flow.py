"""The visitor's side of protocol.md, end to end: hello, notice, queue, talk, end, return codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.integration.conftest import Team
from tests.support.clients import (
    QUEUE_UPDATE_WAIT_S,
    Frame,
    Peers,
    WsClient,
    accept,
    get_json,
    hello,
    parse_timestamp,
    queue_chats,
    wait_queue,
)
from tests.support.server import RunningServer


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def seqs_seen(frames: list[Frame]) -> list[int]:
    """The seqs a peer has learnt, from its acks and from the msg frames it received."""
    return [f["seq"] for f in frames if f.get("type") in ("ack", "msg")]


async def all_frames(client: WsClient, within: float = 0.3) -> list[Frame]:
    await client.pump(within)
    frames, client.buffer = client.buffer, []
    return frames


async def joined_pair(
    team: Team, peers: Peers, who: str = "anna", **hello_extra: str
) -> tuple[WsClient, WsClient, str]:
    """A visitor accepted by `who`; returns (visitor, console, chat)."""
    visitor, chat = await peers.queued(team.server, **hello_extra)
    console = await peers.console(team.server, team.http[who])
    await accept(console, chat)
    await visitor.expect("joined")
    return visitor, console, chat


# ---- hello and welcome -----------------------------------------------------------------------


async def test_welcome_fields_and_types(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(hello())
    welcome = await visitor.expect("welcome")
    assert isinstance(welcome["chat"], str)
    assert welcome["chat"]
    assert isinstance(welcome["token"], str)
    assert len(welcome["token"]) >= 16, "a resume token must not be guessable"
    session = welcome["session"]
    assert is_int(session["number"])
    assert session["number"] == 1
    assert is_int(session["cap"])
    assert session["cap"] == 5  # FRISTAD_SESSION_CAP default
    assert session["over_cap"] is False
    queued = await visitor.expect("queued")
    assert queued["position"] == 1
    assert queued["eta_s"] is None or is_int(queued["eta_s"])


async def test_two_chats_get_different_ids_and_tokens(fresh: RunningServer, peers: Peers) -> None:
    _, one = await peers.chat(fresh)
    _, two = await peers.chat(fresh)
    assert one["chat"] != two["chat"]
    assert one["token"] != two["token"]


async def test_adult_is_queued_without_notice(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(hello(age="18plus"))
    await visitor.expect("welcome")
    await visitor.expect("queued")
    assert not [f for f in visitor.buffer if f.get("type") == "notice"], visitor.buffer
    await visitor.expect_none("notice", within=0.2)


# ---- the reporting-duty notice ----------------------------------------------------------------


@pytest.mark.parametrize("age", ["under18", "unsaid"])
async def test_notice_gate(team: Team, peers: Peers, age: str) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor = await peers.visitor(team.server)
    await visitor.send(hello(age=age))
    welcome = await visitor.expect("welcome")
    notice = await visitor.expect("notice", id="reporting-duty")
    assert isinstance(notice["text"], str)
    assert len(notice["text"]) > 40, notice

    # Before the acknowledgement: no queue position, messages refused, no console sees it.
    await visitor.send({"type": "msg", "id": "early", "text": "får jag skriva nu?"})
    await visitor.expect("error", code="notice_required")
    await visitor.expect_none("queued", within=0.6)
    await visitor.expect_none("ack", within=0.01)
    for frame in await console.drain("queue", within=0.3):
        assert welcome["chat"] not in queue_chats(frame), frame
        assert frame["total"].get("youth", 0) == 0, frame
    assert (await get_json(team.server, "/api/status"))["queue"]["youth"] == 0

    await visitor.send({"type": "notice_ack", "id": "reporting-duty"})
    queued = await visitor.expect("queued")
    assert queued["position"] == 1
    frame = await wait_queue(console, lambda f: welcome["chat"] in queue_chats(f))
    item = next(i for i in frame["items"] if i["chat"] == welcome["chat"])
    assert item["age"] == age
    assert item["preview"] == 0, "the refused message was not kept"

    # Once acknowledged, messages are taken.
    await visitor.send({"type": "msg", "id": "later", "text": "nu då?"})
    await visitor.expect("ack", id="later")


async def test_notice_is_in_the_visitors_language(fresh: RunningServer, peers: Peers) -> None:
    texts = {}
    for lang in ("sv", "en"):
        visitor = await peers.visitor(fresh)
        await visitor.send(hello(age="under18", lang=lang))
        texts[lang] = (await visitor.expect("notice", id="reporting-duty"))["text"]
    assert texts["sv"] != texts["en"]
    assert any(w in texts["sv"].lower() for w in ("socialtjänst", "anmäl")), texts["sv"]
    assert "social services" in texts["en"].lower(), texts["en"]


async def test_notice_ack_before_hello_does_not_queue(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send({"type": "notice_ack", "id": "reporting-duty"})
    await visitor.expect_none("queued", within=0.3)
    await visitor.send(hello(age="under18"))
    await visitor.expect("notice", id="reporting-duty")
    await visitor.expect_none("queued", within=0.3)


# ---- the queue --------------------------------------------------------------------------------


async def test_positions_and_moving_up(team: Team, peers: Peers) -> None:
    first, chat1 = await peers.chat(team.server)
    assert (await first.expect("queued"))["position"] == 1
    second, _ = await peers.chat(team.server)
    assert (await second.expect("queued"))["position"] == 2
    third, _ = await peers.chat(team.server, channel="professional")
    assert (await third.expect("queued"))["position"] == 1, "each channel has its own queue"

    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat1["chat"])
    moved = await second.expect("queued", timeout=QUEUE_UPDATE_WAIT_S)
    assert moved["position"] == 1
    await first.expect("joined")


async def test_status_counts_the_queue(fresh: RunningServer, peers: Peers) -> None:
    await peers.queued(fresh)
    await peers.queued(fresh)
    await peers.queued(fresh, channel="professional")
    status = await get_json(fresh, "/api/status")
    assert status["open"] is True
    assert status["queue"] == {"youth": 2, "professional": 1}


async def test_messages_while_waiting_are_shown_on_acceptance(team: Team, peers: Peers) -> None:
    visitor, chat = await peers.queued(team.server)
    await visitor.send({"type": "msg", "id": "w1", "text": "hej, är det någon där?"})
    await visitor.send({"type": "msg", "id": "w2", "text": "jag väntar"})
    ack1 = await visitor.expect("ack", id="w1")
    ack2 = await visitor.expect("ack", id="w2")
    assert ack2["seq"] == ack1["seq"] + 1

    console = await peers.console(team.server, team.http["anna"])
    frame = await wait_queue(console, lambda f: chat in queue_chats(f))
    assert next(i for i in frame["items"] if i["chat"] == chat)["preview"] == 2

    await console.send({"type": "accept", "chat": chat})
    got = await console.next_frames(
        lambda f: f.get("type") == "msg" and f.get("seq") == ack2["seq"],
        only=("assigned", "msg", "error"),
    )
    assert got[0]["type"] == "assigned", got
    assert got[0]["chat"] == chat
    assert got[0]["age"] == "18plus"
    assert got[0]["lang"] == "sv"
    assert got[0]["session"]["number"] == 1
    msgs = [f for f in got if f["type"] == "msg"]
    from_visitor = [m for m in msgs if m["from"] == "visitor"]
    assert [(m["seq"], m["text"]) for m in from_visitor] == [
        (ack1["seq"], "hej, är det någon där?"),
        (ack2["seq"], "jag väntar"),
    ]
    for m in msgs:
        assert m["chat"] == chat
        parse_timestamp(m["at"])
    assert [m["seq"] for m in msgs] == sorted(m["seq"] for m in msgs)

    joined = await visitor.expect("joined")
    assert joined["counsellor"] == team.display["anna"]


# ---- talking ----------------------------------------------------------------------------------


async def test_conversation_both_ways(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)

    await visitor.send({"type": "msg", "id": "v1", "text": "hej"})
    ack = await visitor.expect("ack", id="v1")
    assert set(ack) >= {"type", "id", "seq"}
    relayed = await console.expect("msg", chat=chat, text="hej")
    assert relayed["seq"] == ack["seq"]
    assert relayed["from"] == "visitor"
    parse_timestamp(relayed["at"])

    await console.send({"type": "msg", "chat": chat, "id": "c1", "text": "Hej! Jag heter Anna."})
    cack = await console.expect("ack", id="c1")
    assert cack["chat"] == chat
    assert cack["seq"] == ack["seq"] + 1
    got = await visitor.expect("msg", text="Hej! Jag heter Anna.")
    assert got["seq"] == cack["seq"]
    assert got["from"] == "counsellor"
    assert parse_timestamp(got["at"]) >= parse_timestamp(relayed["at"])

    for i in range(3):
        await visitor.send({"type": "msg", "id": f"v-more-{i}", "text": f"rad {i}"})
        await console.send({"type": "msg", "chat": chat, "id": f"c-more-{i}", "text": f"svar {i}"})

    # The sender gets its ack, never its own msg.
    await visitor.expect_none("msg", within=0.3, where={"from": "visitor"})
    await console.expect_none("msg", within=0.01, where={"from": "counsellor"})

    # Each side has learnt every seq exactly once, from 1 up with no gap, msgs in order.
    learnt = {id(visitor): [ack["seq"], got["seq"]], id(console): [relayed["seq"], cack["seq"]]}
    for peer in (visitor, console):
        frames = await all_frames(peer)
        seqs = learnt[id(peer)] + seqs_seen(frames)
        assert sorted(seqs) == list(range(1, max(seqs) + 1)), frames
        msg_seqs = [f["seq"] for f in frames if f.get("type") == "msg"]
        assert msg_seqs == sorted(msg_seqs), frames


async def test_seq_counts_messages_from_one(team: Team, peers: Peers) -> None:
    visitor, _chat = await peers.queued(team.server)
    await visitor.send({"type": "msg", "id": "first", "text": "första"})
    await visitor.send({"type": "msg", "id": "second", "text": "andra"})
    await visitor.expect("ack", id="second")
    seqs = seqs_seen(await all_frames(visitor))
    # Any system message the chat began with is a msg frame the visitor saw.
    assert sorted(seqs) == list(range(1, len(seqs) + 1)), seqs


async def test_idempotent_resend(team: Team, peers: Peers) -> None:
    visitor, chat = await peers.queued(team.server)
    await visitor.send({"type": "msg", "id": "q-1", "text": "skickad två gånger i kön"})
    await visitor.send({"type": "msg", "id": "q-1", "text": "skickad två gånger i kön"})
    a1 = await visitor.expect("ack", id="q-1")
    a2 = await visitor.expect("ack", id="q-1")
    assert a1["seq"] == a2["seq"]

    console = await peers.console(team.server, team.http["anna"])
    await accept(console, chat)
    await visitor.expect("joined")
    await console.expect("msg", text="skickad två gånger i kön")
    await console.expect_none("msg", within=0.3, text="skickad två gånger i kön")

    await visitor.send({"type": "msg", "id": "j-1", "text": "en gång till"})
    b1 = await visitor.expect("ack", id="j-1")
    await visitor.send({"type": "msg", "id": "j-1", "text": "en gång till"})
    b2 = await visitor.expect("ack", id="j-1")
    assert b1["seq"] == b2["seq"]
    await console.expect("msg", text="en gång till")
    await console.expect_none("msg", within=0.3, text="en gång till")

    # The resends took no seq: the next message follows straight on.
    await visitor.send({"type": "msg", "id": "j-2", "text": "nästa"})
    c = await visitor.expect("ack", id="j-2")
    assert c["seq"] == b1["seq"] + 1


async def test_counsellor_resend_is_idempotent(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)
    frame = {"type": "msg", "chat": chat, "id": "cc", "text": "bara en gång"}
    await console.send(frame)
    await console.send(frame)
    a1 = await console.expect("ack", id="cc")
    a2 = await console.expect("ack", id="cc")
    assert a1["seq"] == a2["seq"]
    await visitor.expect("msg", text="bara en gång")
    await visitor.expect_none("msg", within=0.3, text="bara en gång")


async def test_typing_is_relayed_and_never_stored(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)
    await visitor.send({"type": "msg", "id": "t0", "text": "före"})
    before = (await visitor.expect("ack", id="t0"))["seq"]

    await visitor.send({"type": "typing"})
    await console.expect("typing", chat=chat)
    await console.send({"type": "typing", "chat": chat})
    await visitor.expect("typing")

    await visitor.send({"type": "msg", "id": "t1", "text": "efter"})
    assert (await visitor.expect("ack", id="t1"))["seq"] == before + 1
    assert (await console.expect("msg", text="efter"))["seq"] == before + 1


# ---- ending -----------------------------------------------------------------------------------


async def test_visitor_end(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)
    await visitor.send({"type": "end"})
    ended = await visitor.expect("ended")
    assert ended["by"] == "visitor"
    left = await console.expect("visitor_left", chat=chat)
    assert left["how"] == "end"


async def test_visitor_exit(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)
    await visitor.send({"type": "exit"})
    left = await console.expect("visitor_left", chat=chat)
    assert left["how"] == "exit"


async def test_visitor_end_while_queued_leaves_the_queue(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await wait_queue(console, lambda f: chat in queue_chats(f))
    await visitor.send({"type": "end"})
    assert (await visitor.expect("ended"))["by"] == "visitor"
    await wait_queue(console, lambda f: chat not in queue_chats(f))


async def test_counsellor_end(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)
    await console.send({"type": "end", "chat": chat, "reasons": ["control", "abroad"]})
    ended = await visitor.expect("ended")
    assert ended["by"] == "counsellor"


# ---- return codes and sessions ----------------------------------------------------------------


async def test_return_code_links_sessions(team: Team, peers: Peers) -> None:
    visitor, console, chat = await joined_pair(team, peers)
    await console.send({"type": "end", "chat": chat, "reasons": ["control"]})
    await visitor.expect("ended")
    await visitor.send({"type": "return_code"})
    issued = await visitor.expect("return_code")
    code = issued["code"]
    assert isinstance(code, str)
    assert len(code) >= 8
    assert issued["sessions_used"] == 1
    assert issued["cap"] == 5

    again, welcome = await peers.chat(team.server, return_code=code)
    assert welcome["session"]["number"] == 2
    assert welcome["session"]["cap"] == 5
    assert welcome["session"]["over_cap"] is False
    await again.expect("queued")
    await again.send({"type": "return_code"})
    same = await again.expect("return_code")
    assert same["code"] == code, "a chat that came with a code gets the same code back"
    assert same["sessions_used"] == 1, "this chat was not accepted, so it does not count"


async def test_unknown_return_code(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(hello(return_code="ingen-sådan-kod-finns"))
    await visitor.expect("error", code="unknown_return_code")
    welcome = await visitor.expect("welcome")
    assert welcome["session"]["number"] == 1
    await visitor.expect("queued")


@pytest.fixture(scope="module")
def small(module_server_factory: Callable[..., RunningServer]) -> RunningServer:
    """A server with a session cap of 1 and room for 2 in each channel's queue."""
    return module_server_factory(FRISTAD_SESSION_CAP="1", FRISTAD_QUEUE_MAX="2")


async def test_over_cap_still_goes_ahead(team: Team, small: RunningServer, peers: Peers) -> None:
    srv = small
    visitor, chat = await peers.queued(srv)
    console = await peers.console(srv, team.http["anna"])
    await accept(console, chat)
    await visitor.expect("joined")
    await visitor.send({"type": "return_code"})
    code = (await visitor.expect("return_code"))["code"]

    _, welcome = await peers.chat(srv, return_code=code)
    assert welcome["session"]["number"] == 2
    assert welcome["session"]["cap"] == 1
    assert welcome["session"]["over_cap"] is True
    frame = await wait_queue(console, lambda f: welcome["chat"] in queue_chats(f))
    item = next(i for i in frame["items"] if i["chat"] == welcome["chat"])
    assert item["session"]["over_cap"] is True


async def test_survey_after_end(team: Team, peers: Peers) -> None:
    questions = (await get_json(team.server, "/api/survey"))["questions"]
    visitor, _console, _chat = await joined_pair(team, peers)
    await visitor.send({"type": "end"})
    await visitor.expect("ended")
    answers: dict[str, object] = {}
    for q in questions:
        if q["kind"] == "choice" and q.get("options"):
            option = q["options"][0]
            if isinstance(option, dict):
                option = option.get("value", option.get("code", option.get("key")))
            answers[q["key"]] = option
    await visitor.send({"type": "survey", "answers": answers})
    await visitor.expect_none("error", within=0.4)


# ---- opening hours and a full queue -----------------------------------------------------------


def closed_hours() -> str:
    """Opening hours that exclude the present moment in Stockholm: a day three days away."""
    day = (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=3)).strftime("%a")
    return f"{day.lower()} 10:00-11:00"


async def test_closed_outside_opening_hours(
    redis_url: str, server_factory: Callable[..., RunningServer], peers: Peers
) -> None:
    srv = server_factory(FRISTAD_OPENING_HOURS=closed_hours())
    visitor = await peers.visitor(srv)
    await visitor.send(hello())
    frame = await visitor.expect("unavailable")
    assert frame["reason"] == "closed"
    if frame.get("opens") is not None:
        opens = parse_timestamp(frame["opens"])
        assert opens > datetime.now(opens.tzinfo)
    await visitor.expect_none("queued", within=0.3)
    # The connection stays open.
    await visitor.send({"type": "dance"})
    await visitor.expect("error", code="unknown_type")
    status = await get_json(srv, "/api/status")
    assert status["open"] is False


async def test_full_queue(redis_url: str, small: RunningServer, peers: Peers) -> None:
    srv = small
    await peers.queued(srv)
    await peers.queued(srv)
    visitor = await peers.visitor(srv)
    await visitor.send(hello())
    frame = await visitor.expect("unavailable")
    assert frame["reason"] == "full"
    await visitor.expect_none("queued", within=0.3)
    await visitor.send({"type": "dance"})
    await visitor.expect("error", code="unknown_type")
    # The limit is per channel.
    _, _ = await peers.queued(srv, channel="professional")
