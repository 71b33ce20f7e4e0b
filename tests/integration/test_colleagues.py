"""Colleagues and limits (protocol.md, "Console, version 1.1"): the `staff` frame, the chat
limit and `set_limit`, a warm transfer that carries the notes and stops at the colleague's
limit, `heavy` with its debrief and pause, and `match` on queue items. Real sockets, a real
server and Redis."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from tests.integration.conftest import Team
from tests.support.clients import (
    Frame,
    Peers,
    WsClient,
    accept,
    login,
    parse_timestamp,
    wait_frame,
    wait_queue,
)
from tests.support.server import RunningServer, add_staff

STAFF_WAIT_S = 4.0  # at most one staff frame a second, and a pub/sub hop


async def wait_staff(
    console: WsClient, check: Callable[[Frame], bool], within: float = STAFF_WAIT_S
) -> Frame:
    """The first `staff` frame (buffered or new) for which `check` holds."""
    return await wait_frame(console, "staff", check, within)


def entry(frame: Frame, username: str) -> dict[str, Any] | None:
    return next((e for e in frame["online"] if e["username"] == username), None)


def holds(username: str, chats: int) -> Callable[[Frame], bool]:
    def check(frame: Frame) -> bool:
        found = entry(frame, username)
        return found is not None and found["chats"] == chats

    return check


@pytest.fixture(scope="module")
def limited(module_server_factory: Callable[..., RunningServer]) -> RunningServer:
    """The service's default limit (3) and a two-second pause after a heavy chat."""
    return module_server_factory(FRISTAD_CHAT_LIMIT="", FRISTAD_HEAVY_PAUSE_S="2")


# ---- staff ---------------------------------------------------------------------------------


async def test_staff_frame_on_connect_and_on_every_change(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    first = await wait_staff(anna, lambda f: entry(f, "anna") is not None)
    assert entry(first, "anna") == {
        "username": "anna",
        "name": team.display["anna"],
        "role": "counsellor",
        "languages": [],
        "chats": 0,
        "limit": 20,  # the tests' servers run with FRISTAD_CHAT_LIMIT=20
        "paused": False,
    }

    bilal = await peers.console(team.server, team.http["bilal"])
    joined = await wait_staff(anna, lambda f: entry(f, "bilal") is not None)
    assert entry(joined, "bilal")["role"] == "counsellor"  # type: ignore[index]
    await wait_staff(bilal, lambda f: entry(f, "anna") is not None)

    _, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await wait_staff(bilal, holds("anna", 1))

    await bilal.close()
    await wait_staff(anna, lambda f: entry(f, "bilal") is None)


async def test_staff_frames_are_coalesced(team: Team, peers: Peers) -> None:
    """Eight accepts in a burst: frames at least about a second apart, never one per accept."""
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    await wait_staff(bilal, lambda f: entry(f, "anna") is not None)
    chats = [(await peers.queued(team.server))[1] for _ in range(8)]
    await bilal.drain("staff", within=1.2)
    await asyncio.gather(*(anna.send({"type": "accept", "chat": chat}) for chat in chats))
    arrivals: list[float] = []
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        try:
            frame = await bilal.expect("staff", timeout=deadline - time.monotonic())
        except TimeoutError:
            break
        arrivals.append(time.monotonic())
        if holds("anna", 8)(frame):
            break
    assert arrivals, "no staff frame after the accepts"
    assert holds("anna", 8)(frame)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert all(gap >= 0.8 for gap in gaps), gaps
    assert len(arrivals) < len(chats), arrivals


async def test_staff_frame_reaches_a_console_on_another_process(
    team: Team, peers: Peers, server_factory: Callable[..., RunningServer]
) -> None:
    second = server_factory()
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(second, team.http["bilal"])
    await wait_staff(anna, lambda f: entry(f, "bilal") is not None)
    _, chat = await peers.queued(second)
    await accept(bilal, chat)
    await wait_staff(anna, holds("bilal", 1))
    await bilal.close()
    await wait_staff(anna, lambda f: entry(f, "bilal") is None)


async def test_closing_one_of_two_consoles_on_two_processes_keeps_one_online(
    team: Team, peers: Peers, server_factory: Callable[..., RunningServer]
) -> None:
    second = server_factory()
    here = await peers.console(team.server, team.http["anna"])
    there = await peers.console(second, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    await wait_staff(bilal, lambda f: entry(f, "anna") is not None)
    await here.close()
    await bilal.pump(3.5)
    frames = [f for f in bilal.buffer if f.get("type") == "staff"]
    if frames:  # a moment without her is allowed; the last word must have her back
        assert entry(frames[-1], "anna") is not None, frames[-1]
    # And she can still be handed a chat, on the console she kept.
    _, chat = await peers.queued(team.server)
    await accept(bilal, chat)
    await bilal.send({"type": "transfer", "chat": chat, "to": "anna"})
    await there.expect("assigned", chat=chat)


# ---- the limit -----------------------------------------------------------------------------


async def test_accept_beyond_the_default_limit_is_refused(
    team: Team, limited: RunningServer, peers: Peers
) -> None:
    anna = await peers.console(limited, team.http["anna"])
    chats = [(await peers.queued(limited))[1] for _ in range(4)]
    for chat in chats[:3]:
        await accept(anna, chat)
    await anna.send({"type": "accept", "chat": chats[3]})
    refused = await anna.expect("error", code="at_limit")
    assert refused == {"type": "error", "code": "at_limit", "chat": chats[3]}
    await anna.expect_none("assigned", within=0.3, chat=chats[3])
    staff = await wait_staff(anna, holds("anna", 3))
    assert entry(staff, "anna")["limit"] == 3  # type: ignore[index]

    # The chat stays queued, and a colleague below the limit takes it.
    await wait_queue(anna, lambda f: chats[3] in [i["chat"] for i in f["items"]])
    bilal = await peers.console(limited, team.http["bilal"])
    await accept(bilal, chats[3])


async def test_set_limit_by_a_supervisor(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    boss = await peers.console(team.server, team.http["sigrid"])
    await boss.send({"type": "set_limit", "username": "anna", "limit": 1})
    await wait_staff(anna, lambda f: (entry(f, "anna") or {}).get("limit") == 1)

    first, second = [(await peers.queued(team.server))[1] for _ in range(2)]
    await accept(anna, first)
    await anna.send({"type": "accept", "chat": second})
    await anna.expect("error", code="at_limit", chat=second)

    # 0 is allowed: no chats at all.
    await boss.send({"type": "set_limit", "username": "bilal", "limit": 0})
    bilal = await peers.console(team.server, team.http["bilal"])
    await wait_staff(bilal, lambda f: (entry(f, "bilal") or {}).get("limit") == 0)
    await bilal.send({"type": "accept", "chat": second})
    await bilal.expect("error", code="at_limit", chat=second)

    events = team.http["sigrid"].get("/api/admin/audit").json()["events"]
    set_ = [e for e in events if e.get("kind") == "limit_set" and e.get("username") == "anna"]
    assert set_, events[:5]
    assert set_[0]["staff"] == "sigrid"
    assert set_[0]["limit"] == 1


async def test_set_limit_refusals(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    await anna.send({"type": "set_limit", "username": "anna", "limit": 10})
    assert await anna.expect("error", code="forbidden") == {"type": "error", "code": "forbidden"}

    boss = await peers.console(team.server, team.http["sigrid"])
    for bad in (21, -1, "3", True, 2.5, None):
        await boss.send({"type": "set_limit", "username": "anna", "limit": bad})
        await boss.expect("error", code="bad_field", field="limit")
    await boss.send({"type": "set_limit", "limit": 2})
    await boss.expect("error", code="bad_field", field="username")
    await boss.send({"type": "set_limit", "username": "nobody-such", "limit": 2})
    await boss.expect("error", code="bad_field", field="username")
    staff = await wait_staff(anna, lambda f: entry(f, "anna") is not None)
    assert entry(staff, "anna")["limit"] == 20  # type: ignore[index]


async def test_racing_accepts_on_two_processes_never_exceed_the_limit(
    team: Team, peers: Peers, server_factory: Callable[..., RunningServer]
) -> None:
    """Anna (limit 2) on six consoles across two processes, all accepting six chats at once."""
    second = server_factory()
    servers = [team.server, second]
    boss = await peers.console(team.server, team.http["sigrid"])
    await boss.send({"type": "set_limit", "username": "anna", "limit": 2})
    consoles = [await peers.console(servers[i % 2], team.http["anna"]) for i in range(6)]
    await wait_staff(consoles[0], lambda f: (entry(f, "anna") or {}).get("limit") == 2)
    chats = [(await peers.queued(servers[i % 2]))[1] for i in range(6)]
    for c in consoles:
        c.buffer.clear()
    await asyncio.gather(
        *(c.send({"type": "accept", "chat": chat}) for chat in chats for c in consoles)
    )

    async def answers(c: WsClient) -> list[Frame]:
        got: list[Frame] = []
        while len(got) < len(chats):
            frame = await c.recv_any(timeout=10)
            if frame.get("type") == "error" and frame.get("chat") in chats:
                got.append(frame)
            elif frame.get("type") == "assigned" and frame.get("chat") in chats:
                # The console that won it; the other consoles of the same counsellor
                # hear nothing for it.
                got.append(frame)
        return got

    per_console = await asyncio.gather(*(answers(c) for c in consoles))
    won = {f["chat"] for got in per_console for f in got if f["type"] == "assigned"}
    assert len(won) == 2, won
    codes = {f["code"] for got in per_console for f in got if f["type"] == "error"}
    assert codes <= {"at_limit", "already_taken"}, codes
    await wait_staff(boss, holds("anna", 2))


# ---- transfer ------------------------------------------------------------------------------


async def test_transfer_carries_the_notes_and_names_the_sender(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await anna.send({"type": "note", "chat": chat, "text": "Pratar om skolan, vill inte hem."})
    await anna.expect("note", chat=chat)
    await visitor.send({"type": "msg", "id": "v1", "text": "är du kvar?"})
    await visitor.expect("ack", id="v1")

    await anna.send({"type": "transfer", "chat": chat, "to": "bilal"})
    await anna.expect("transferred_out", chat=chat, to="bilal")
    assigned = await bilal.expect("assigned", chat=chat)
    assert assigned["from"] == "anna"
    assert "_floor" not in assigned
    [note] = assigned["notes"]
    assert note["by"] == team.display["anna"]
    assert note["text"] == "Pratar om skolan, vill inte hem."
    parse_timestamp(note["at"])
    await bilal.expect("msg", chat=chat, text="är du kvar?")
    await wait_staff(anna, lambda f: holds("bilal", 1)(f) and holds("anna", 0)(f))
    # The note never reaches the visitor.
    await visitor.expect("joined")
    assert not any("skolan" in str(f) for f in visitor.buffer)


async def test_transfer_to_a_colleague_at_their_limit_is_refused(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    boss = await peers.console(team.server, team.http["sigrid"])
    await boss.send({"type": "set_limit", "username": "bilal", "limit": 1})
    visitor, mine = await peers.queued(team.server)
    _, theirs = await peers.queued(team.server)
    await accept(anna, mine)
    await accept(bilal, theirs)
    await wait_staff(anna, lambda f: (entry(f, "bilal") or {}).get("limit") == 1)

    await anna.send({"type": "transfer", "chat": mine, "to": "bilal"})
    refused = await anna.expect("error", code="at_limit")
    assert refused == {"type": "error", "code": "at_limit", "chat": mine}
    await bilal.expect_none("assigned", within=0.3, chat=mine)
    await anna.expect_none("transferred_out", within=0.1, chat=mine)
    # The chat stays with Anna.
    await anna.send({"type": "msg", "chat": mine, "id": "a1", "text": "jag är kvar"})
    await anna.expect("ack", id="a1")
    await visitor.expect("msg", text="jag är kvar")


@pytest.mark.parametrize("lang", ["fa", "so", "ckb", "ti", "ar"])
async def test_the_visitor_is_told_in_their_language(team: Team, peers: Peers, lang: str) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    visitor, chat = await peers.queued(team.server, lang=lang)
    await accept(anna, chat)
    await anna.send({"type": "transfer", "chat": chat, "to": "bilal"})
    await bilal.expect("assigned", chat=chat)
    told = await visitor.expect("msg", where={"from": "system"})
    assert team.display["bilal"] in told["text"]
    assert "tar över" not in told["text"], told
    assert "taking over" not in told["text"], told


# ---- heavy ---------------------------------------------------------------------------------


async def test_heavy_asks_the_supervisors_for_a_debrief(
    team: Team, peers: Peers, redis_url: str
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    boss = await peers.console(team.server, team.http["sigrid"])
    await wait_staff(anna, lambda f: entry(f, "sigrid") is not None)
    _, chat = await peers.queued(team.server)
    await accept(anna, chat)

    before = time.time()
    await anna.send({"type": "heavy", "chat": chat})
    noted = await anna.expect("heavy_noted", chat=chat)
    assert noted["paused_s"] == 0  # FRISTAD_HEAVY_PAUSE_S is not set here
    debrief = await boss.expect("debrief")
    assert set(debrief) == {"type", "counsellor", "at"}
    assert debrief["counsellor"] == team.display["anna"]
    assert parse_timestamp(debrief["at"]).timestamp() >= before - 1
    await bilal.expect_none("debrief", within=0.3)
    await anna.expect_none("debrief", within=0.1)

    # The supervisors' `chats` frame reads this field of the chat.
    client = aioredis.Redis.from_url(redis_url)
    try:
        assert await client.hget(f"f:chat:{chat}", "heavy") == b"1"
    finally:
        await client.aclose()

    # Not paused: the next accept goes through.
    _, other = await peers.queued(team.server)
    await accept(anna, other)
    events = team.http["sigrid"].get("/api/admin/audit").json()["events"]
    marked = [e for e in events if e.get("kind") == "heavy_marked" and e.get("chat") == chat]
    assert marked, events[:5]
    assert marked[0]["staff"] == "anna"


async def test_heavy_after_the_end_and_only_once(team: Team, peers: Peers) -> None:
    """A chat may turn out heavy only when it is over; a second mark asks nothing again."""
    anna = await peers.console(team.server, team.http["anna"])
    boss = await peers.console(team.server, team.http["sigrid"])
    await wait_staff(anna, lambda f: entry(f, "sigrid") is not None)
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.send({"type": "end"})
    await anna.expect("visitor_left", chat=chat)
    await anna.send({"type": "heavy", "chat": chat})
    await anna.expect("heavy_noted", chat=chat)
    await boss.expect("debrief", counsellor=team.display["anna"])
    await anna.send({"type": "heavy", "chat": chat})
    assert (await anna.expect("heavy_noted", chat=chat))["paused_s"] == 0
    await boss.expect_none("debrief", within=0.5)


async def test_heavy_on_someone_elses_chat_is_refused(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    boss = await peers.console(team.server, team.http["sigrid"])
    _, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await bilal.send({"type": "heavy", "chat": chat})
    await bilal.expect("error", code="not_yours", chat=chat)
    await boss.expect_none("debrief", within=0.5)
    await bilal.send({"type": "heavy"})
    await bilal.expect("error", code="bad_field", field="chat")


async def test_heavy_pauses_new_accepts_when_the_centre_says_so(
    team: Team, limited: RunningServer, peers: Peers
) -> None:
    anna = await peers.console(limited, team.http["anna"])
    boss = await peers.console(limited, team.http["sigrid"])
    await wait_staff(anna, lambda f: entry(f, "sigrid") is not None)
    _, chat = await peers.queued(limited)
    _, waiting = await peers.queued(limited)
    await accept(anna, chat)
    await anna.send({"type": "heavy", "chat": chat})
    assert (await anna.expect("heavy_noted", chat=chat))["paused_s"] == 2
    await boss.expect("debrief", counsellor=team.display["anna"])
    await wait_staff(boss, lambda f: (entry(f, "anna") or {}).get("paused") is True)

    await anna.send({"type": "accept", "chat": waiting})
    assert await anna.expect("error", code="paused") == {"type": "error", "code": "paused"}
    await wait_queue(anna, lambda f: waiting in [i["chat"] for i in f["items"]])

    # The pause ends by itself, and the staff frame says so.
    await wait_staff(anna, lambda f: (entry(f, "anna") or {}).get("paused") is False, within=6)
    await accept(anna, waiting)


# ---- match ---------------------------------------------------------------------------------


async def test_queue_items_match_the_counsellors_languages(
    team: Team, peers: Peers, redis_url: str
) -> None:
    lena = add_staff(redis_url, "lena", name="Lena Sahin", languages="ar,fa")
    lena_http = login(team.server, lena)
    try:
        lena_console = await peers.console(team.server, lena_http)
        anna = await peers.console(team.server, team.http["anna"])
        _, arabic = await peers.queued(team.server, lang="ar")
        _, swedish = await peers.queued(team.server, lang="sv")

        def both(frame: Frame) -> bool:
            return {arabic, swedish} <= {i["chat"] for i in frame["items"]}

        seen = await wait_queue(lena_console, both)
        items = {i["chat"]: i for i in seen["items"]}
        assert items[arabic].get("match") is True
        assert "match" not in items[swedish]
        plain = await wait_queue(anna, both)
        assert not any("match" in i for i in plain["items"]), plain

        staff = await wait_staff(anna, lambda f: entry(f, "lena") is not None)
        assert entry(staff, "lena")["languages"] == ["ar", "fa"]  # type: ignore[index]
    finally:
        lena_http.close()


async def test_unwatch_of_a_held_chat_keeps_it(team: Team, peers: Peers) -> None:
    """``watching`` holds the console's own chats too: an unwatch must not let go of one
    (it answered ``released`` and stopped the chat's messages, while the store still
    counted it against the counsellor's limit)."""
    anna = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await anna.send({"type": "unwatch", "chat": chat})
    await anna.expect_none("released", within=0.5, chat=chat)
    await visitor.send({"type": "msg", "id": "after-unwatch", "text": "still here"})
    got = await anna.expect("msg", chat=chat, text="still here")
    assert got["from"] == "visitor"


async def test_a_debrief_request_waits_on_admin_for_a_supervisor_who_was_away(
    team: Team, peers: Peers
) -> None:
    """No supervisor online when the counsellor asks: /admin's floor still lists it (who and
    when, no chat), so the request is not lost with the frame nobody received."""
    anna = await peers.console(team.server, team.http["anna"])
    _, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await anna.send({"type": "heavy", "chat": chat})
    await anna.expect("heavy_noted", chat=chat)
    floor = team.http["sigrid"].get("/api/admin/floor")
    assert floor.status_code == 200
    asked = [d for d in floor.json()["debriefs"] if d["counsellor"] == team.display["anna"]]
    assert asked, floor.json()["debriefs"]
    assert set(asked[0]) == {"counsellor", "at"}
    assert chat not in floor.text
    parse_timestamp(asked[0]["at"])
