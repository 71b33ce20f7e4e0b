"""Supervisors in a chat (protocol.md, Console 1.1): the `chats` frame for supervisors only,
and whispers between a supervisor and the chat's counsellor that never reach the visitor,
are kept encrypted and go with the chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from tests.integration.conftest import Team
from tests.support.clients import Frame, Peers, WsClient, accept, login, parse_timestamp
from tests.support.server import RunningServer, StaffCredentials

CHATS_WAIT_S = 3.0  # `chats` comes at most once a second


async def chats_until(console: WsClient, check: Any, within: float = CHATS_WAIT_S) -> Frame:
    frames = await console.next_frames(lambda f: f["type"] == "chats" and check(f), within)
    return frames[-1]


def item_of(frame: Frame, chat: str) -> dict[str, Any] | None:
    return next((i for i in frame["items"] if i["chat"] == chat), None)


def _b(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def every_value(url: str) -> bytes:
    """Every key and value in Redis, as one blob to search."""
    client = redis.Redis.from_url(url)
    try:
        parts: list[bytes] = []
        for key in client.scan_iter(count=500):
            parts.append(_b(key))
            kind = client.type(key)
            if kind == b"string":
                parts.append(_b(client.get(key) or b""))
            elif kind == b"hash":
                for field, value in client.hgetall(key).items():
                    parts += [_b(field), _b(value)]
            elif kind == b"list":
                parts += [_b(v) for v in client.lrange(key, 0, -1)]
            elif kind == b"set":
                parts += [_b(v) for v in client.smembers(key)]
            elif kind == b"zset":
                parts += [_b(v) for v in client.zrange(key, 0, -1)]
        return b"\n".join(parts)
    finally:
        client.close()


async def test_chats_go_to_supervisors_only(team: Team, peers: Peers, redis_url: str) -> None:
    sigrid = await peers.console(team.server, team.http["sigrid"])
    first = await sigrid.expect("chats")
    assert first == {"type": "chats", "items": []}
    anna = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server, lang="en")
    await accept(anna, chat)
    await visitor.expect("joined")

    frame = await chats_until(sigrid, lambda f: item_of(f, chat) is not None)
    item = item_of(frame, chat)
    assert item is not None
    assert set(item) == {
        "chat", "counsellor", "channel", "lang", "started_s", "urgent", "heavy"
    }, item  # fmt: skip
    assert item["counsellor"] == "anna"
    assert (item["channel"], item["lang"], item["urgent"], item["heavy"]) == (
        "youth", "en", False, False
    )  # fmt: skip
    assert isinstance(item["started_s"], int)
    assert 0 <= item["started_s"] < 10

    # `heavy` is the chat's hash field heavy="1", set by the colleagues' code: only read here.
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k for k in client.scan_iter(match=f"*{chat}") if client.type(k) == b"hash"]
        assert len(keys) == 1, keys
        client.hset(keys[0], "heavy", "1")
    finally:
        client.close()
    frame = await chats_until(sigrid, lambda f: (item_of(f, chat) or {}).get("heavy") is True)

    await anna.send({"type": "end", "chat": chat, "reasons": []})
    await chats_until(sigrid, lambda f: item_of(f, chat) is None)
    await anna.expect_none("chats", within=1.5)


async def test_a_whisper_both_ways_never_reaches_the_visitor(
    team: Team, peers: Peers, redis_url: str
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    sigrid = await peers.console(team.server, team.http["sigrid"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")
    await sigrid.send({"type": "watch", "chat": chat})
    await sigrid.expect("assigned", chat=chat)

    await sigrid.send({"type": "whisper", "chat": chat, "text": "Fråga om skolan"})
    got = await anna.expect("whisper", chat=chat)
    assert set(got) == {"type", "chat", "from", "text", "at"}, got
    assert got["from"] == team.display["sigrid"]
    assert got["text"] == "Fråga om skolan"
    parse_timestamp(got["at"])
    await sigrid.expect("whisper", chat=chat, text="Fråga om skolan")

    await anna.send({"type": "whisper", "chat": chat, "text": "Ok, jag frågar"})
    back = await sigrid.expect("whisper", chat=chat, text="Ok, jag frågar")
    assert back["from"] == team.display["anna"]
    await anna.expect("whisper", chat=chat, text="Ok, jag frågar")

    # Only once each, and nothing of it for the visitor: no whisper, no msg, no seq taken.
    assert await sigrid.drain("whisper", within=0.5) == []
    await visitor.expect_none("whisper", within=0.3)
    await visitor.expect_none("msg", within=0.1)
    await anna.send({"type": "msg", "chat": chat, "id": "a1", "text": "Hur är det i skolan?"})
    assert (await anna.expect("ack", id="a1"))["seq"] == 1
    await visitor.expect("msg", seq=1, text="Hur är det i skolan?")

    # Another counsellor may not; the text obeys msg's limits.
    bilal = await peers.console(team.server, team.http["bilal"])
    await bilal.send({"type": "whisper", "chat": chat, "text": "hej"})
    assert await bilal.expect("error") == {"type": "error", "code": "forbidden"}
    for text in ("   ", "x" * 4001, 7):
        await sigrid.send({"type": "whisper", "chat": chat, "text": text})
        await sigrid.expect("error", code="bad_field", field="text")
    await anna.expect_none("whisper", within=0.3)

    # A reload brings the whispers back; they are stored encrypted, audited without text.
    await anna.close()
    anna = await peers.console(team.server, team.http["anna"])
    await anna.expect("assigned", chat=chat)
    await anna.expect("whisper", chat=chat, text="Fråga om skolan")
    await anna.expect("whisper", chat=chat, text="Ok, jag frågar")
    stored = every_value(redis_url)
    assert "Fråga om skolan".encode() not in stored
    assert b"Ok, jag fr" not in stored
    events = team.http["sigrid"].get("/api/admin/audit").json()["events"]
    whispers = [e for e in events if e.get("kind") == "whisper_sent" and e.get("chat") == chat]
    assert [e["staff"] for e in whispers] == ["anna", "sigrid"], whispers
    assert all(e["holder"] == "anna" for e in whispers)
    logs = team.server.logs()
    assert "whisper_sent" in logs
    assert "Fråga om skolan" not in logs
    assert "Ok, jag frågar" not in logs

    # Shredded with the chat: no ciphertext of the chat's notes is left.
    notes_before = every_value(redis_url).count(chat.encode() + b":notes")
    assert notes_before == 1
    await anna.send({"type": "end", "chat": chat, "reasons": []})
    await visitor.expect("ended")
    assert chat.encode() + b":notes" not in every_value(redis_url)
    await sigrid.send({"type": "whisper", "chat": chat, "text": "för sent"})
    await sigrid.expect("error", code="not_found", chat=chat)


async def test_a_supervisor_who_whispered_hears_the_reply_without_watching(
    team: Team, peers: Peers
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    sigrid = await peers.console(team.server, team.http["sigrid"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")

    await sigrid.send({"type": "whisper", "chat": chat, "text": "Ring mig efteråt"})
    await anna.expect("whisper", chat=chat, text="Ring mig efteråt")
    await sigrid.expect("whisper", chat=chat, text="Ring mig efteråt")
    await anna.send({"type": "whisper", "chat": chat, "text": "Gör det"})
    await sigrid.expect("whisper", chat=chat, text="Gör det")
    assert await sigrid.drain("whisper", within=0.5) == []
    # Whispering is not watching: the chat's messages do not come to the supervisor.
    await visitor.send({"type": "msg", "id": "v1", "text": "hallå?"})
    await anna.expect("msg", chat=chat, text="hallå?")
    await sigrid.expect_none("msg", within=0.3)
    await visitor.expect_none("whisper", within=0.1)


async def test_across_processes(
    team: Team, peers: Peers, server_factory: Callable[..., RunningServer]
) -> None:
    """The supervisor on one process, the counsellor and the visitor on another: `chats`,
    `escalation` and whispers both ways still arrive, each once."""
    other = server_factory()
    anna = await peers.console(team.server, team.http["anna"])
    sigrid = await peers.console(other, team.http["sigrid"])
    await sigrid.expect("chats")
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")

    await chats_until(sigrid, lambda f: item_of(f, chat) is not None)
    await anna.send({"type": "escalate", "chat": chat, "level": "concern"})
    await sigrid.expect("escalation", chat=chat, level="concern")
    await chats_until(sigrid, lambda f: (item_of(f, chat) or {}).get("escalation") == "concern")

    await sigrid.send({"type": "whisper", "chat": chat, "text": "från andra processen"})
    await anna.expect("whisper", chat=chat, text="från andra processen")
    await sigrid.expect("whisper", chat=chat, text="från andra processen")  # the echo
    await anna.send({"type": "whisper", "chat": chat, "text": "svar tillbaka"})
    await sigrid.expect("whisper", chat=chat, text="svar tillbaka")
    await sigrid.send({"type": "watch", "chat": chat})
    await sigrid.expect("assigned", chat=chat)
    replayed = [f["text"] for f in await sigrid.drain("whisper", within=0.5)]
    assert replayed == ["från andra processen", "svar tillbaka"]  # what the chat holds
    await anna.send({"type": "whisper", "chat": chat, "text": "nu läser du med"})
    await sigrid.expect("whisper", chat=chat, text="nu läser du med")
    assert await sigrid.drain("whisper", within=0.5) == []
    await visitor.expect_none("whisper", within=0.1)


async def test_an_admin_gets_chats_and_may_whisper(
    team: Team, peers: Peers, staff: Callable[..., StaffCredentials]
) -> None:
    admin = login(team.server, staff("admin", name="Ada Admin"))
    try:
        anna = await peers.console(team.server, team.http["anna"])
        ada = await peers.console(team.server, admin)
        await ada.expect("chats")
        visitor, chat = await peers.queued(team.server)
        await accept(anna, chat)
        await chats_until(ada, lambda f: item_of(f, chat) is not None)
        await ada.send({"type": "whisper", "chat": chat, "text": "hej från admin"})
        got = await anna.expect("whisper", chat=chat, text="hej från admin")
        assert got["from"] == "Ada Admin"
        await anna.send({"type": "escalate", "chat": chat, "level": "acute"})
        await ada.expect("escalation", chat=chat)
        await visitor.expect_none("whisper", within=0.2)
    finally:
        admin.close()
