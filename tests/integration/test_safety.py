"""Safety (protocol.md, Console 1.1): urgent chats first in the queue and alerted, `escalate`
to every supervisor, `block` that ends the chat, stops its resume token and leaves nothing of
the visitor in Redis, and the risk guide's answers kept with the chat by the server."""

from __future__ import annotations

import redis

from tests.integration.conftest import Team
from tests.integration.test_supervision import chats_until, every_value, item_of
from tests.support.clients import (
    Peers,
    accept,
    connect_visitor,
    hello,
    parse_timestamp,
    queue_chats,
    wait_queue,
)


def stats_count(url: str, field: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        total = 0
        for key in client.scan_iter(match="f:stats:*"):
            total += int(client.hget(key, field) or 0)
        return total
    finally:
        client.close()


async def test_urgent_chats_go_first_oldest_urgent_first(team: Team, peers: Peers) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    _, plain1 = await peers.queued(team.server)
    _, plain2 = await peers.queued(team.server)
    _, said_at_hello = await peers.queued(team.server, urgent=True)
    alert = await anna.expect("urgent", chat=said_at_hello)
    assert alert["channel"] == "youth"
    late, said_later = await peers.queued(team.server)
    _, young = await peers.queued(team.server, age="under18", urgent=True)

    await late.send({"type": "urgent"})
    await anna.expect("urgent", chat=said_later)
    await late.expect("queued", position=2)  # behind the older urgent chat of its channel
    order = [said_at_hello, said_later, young, plain1, plain2]
    frame = await wait_queue(anna, lambda f: queue_chats(f) == order)
    urgent = {i["chat"]: i.get("urgent") for i in frame["items"]}
    assert urgent == {
        said_at_hello: True, said_later: True, young: True, plain1: None, plain2: None
    }  # fmt: skip

    # A plain chat handed back to the front still waits behind the urgent ones.
    await accept(anna, plain1)
    await anna.send({"type": "transfer", "chat": plain1, "to": "queue"})
    await wait_queue(anna, lambda f: queue_chats(f) == order)
    # Accepted, an urgent chat shows so in `chats` too.
    sigrid = await peers.console(team.server, team.http["sigrid"])
    await accept(anna, said_later)
    frame = await chats_until(sigrid, lambda f: item_of(f, said_later) is not None)
    assert (item_of(frame, said_later) or {})["urgent"] is True


async def test_urgent_is_a_boolean_and_needs_a_chat(team: Team, peers: Peers) -> None:
    visitor = peers.track(await connect_visitor(team.server))
    await visitor.send(hello(urgent="yes"))
    await visitor.expect("error", code="bad_field", field="urgent")
    await visitor.send({"type": "urgent"})
    await visitor.expect("error", code="no_chat")


async def test_an_escalation_reaches_every_supervisor(
    team: Team, peers: Peers, redis_url: str
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    sigrid = await peers.console(team.server, team.http["sigrid"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")

    await anna.send({"type": "escalate", "chat": chat, "level": "acute"})
    got = await sigrid.expect("escalation", chat=chat)
    assert set(got) == {"type", "chat", "counsellor", "level", "at"}, got
    assert (got["counsellor"], got["level"]) == (team.display["anna"], "acute")
    parse_timestamp(got["at"])
    await anna.expect("escalated", chat=chat, level="acute")
    await bilal.expect_none("escalation", within=0.3)
    await visitor.expect_none("escalation", within=0.1)
    frame = await chats_until(sigrid, lambda f: (item_of(f, chat) or {}).get("escalation"))
    assert (item_of(frame, chat) or {})["escalation"] == "acute"

    # A lesser level later does not hide the acute one; a bad level, another's chat: refused.
    await anna.send({"type": "escalate", "chat": chat, "level": "concern"})
    await sigrid.expect("escalation", chat=chat, level="concern")
    await anna.expect("escalated", chat=chat, level="acute")
    await anna.send({"type": "escalate", "chat": chat, "level": "high"})
    await anna.expect("error", code="bad_field", field="level")
    await bilal.send({"type": "escalate", "chat": chat, "level": "acute"})
    await bilal.expect("error", code="not_yours", chat=chat)

    assert stats_count(redis_url, "escalations|acute") == 1
    assert stats_count(redis_url, "escalations|concern") == 0  # acute was kept
    events = team.http["sigrid"].get("/api/admin/audit").json()["events"]
    kinds = [(e["kind"], e.get("level")) for e in events if e.get("chat") == chat]
    assert ("chat_escalated", "acute") in kinds
    assert ("chat_escalated", "concern") in kinds

    await anna.send({"type": "end", "chat": chat, "reasons": []})
    await chats_until(sigrid, lambda f: item_of(f, chat) is None)


async def test_a_block_ends_the_chat_and_keeps_nothing_of_the_visitor(
    team: Team, peers: Peers, redis_url: str
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    visitor, welcome = await peers.chat(
        team.server, gender="girl", kommun="0180", topic="control", lang="en"
    )
    await visitor.expect("queued")
    chat, token = welcome["chat"], welcome["token"]
    await accept(anna, chat)
    await visitor.expect("joined")
    await visitor.send({"type": "msg", "id": "v1", "text": "Abusive words 7f3a"})
    await visitor.expect("ack", id="v1")
    await anna.send({"type": "note", "chat": chat, "text": "Note 9c1e"})
    await anna.send({"type": "whisper", "chat": chat, "text": "Whisper 2b8d"})
    await anna.expect("whisper", chat=chat)

    await bilal.send({"type": "block", "chat": chat})
    await bilal.expect("error", code="not_yours", chat=chat)
    await anna.send({"type": "block", "chat": chat})
    ended = await visitor.expect("ended")
    assert ended == {"type": "ended", "by": "system", "reason": "blocked"}
    await anna.expect("ended", chat=chat, by="system", reason="blocked")

    # The chat's token stops working: refused as an unknown token.
    again = peers.track(await connect_visitor(team.server))
    await again.send(hello(resume={"token": token, "last_seq": 0}))
    await again.expect("error", code="resume_failed")
    await again.expect_none("welcome", within=0.2)
    # No return code for a blocked chat, and nothing more to do in it.
    await visitor.send({"type": "return_code"})
    await visitor.expect("error", code="no_chat")

    stored = every_value(redis_url)
    for secret in (b"Abusive words", b"Note 9c1e", b"Whisper 2b8d", token.encode()):
        assert secret not in stored
    # The chat's id survives only in the audit log (staff's actions name opaque chat ids).
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k for k in client.scan_iter(count=500) if chat.encode() in k]
        assert keys == [], keys
        holding = [
            k
            for k in client.scan_iter(count=500)
            if not k.startswith(b"f:audit:") and chat in _dump(client, k)
        ]
        assert holding == [], holding
    finally:
        client.close()
    assert stats_count(redis_url, "blocks|all") == 1
    events = team.http["sigrid"].get("/api/admin/audit").json()["events"]
    assert any(e["kind"] == "chat_blocked" and e.get("chat") == chat for e in events)
    await anna.send({"type": "block", "chat": chat})
    await anna.expect("error", code="not_yours", chat=chat)


def _dump(client: redis.Redis, key: bytes) -> str:
    """A key's value as text to search (chat ids are plain ASCII in any repr)."""
    kind = client.type(key)
    if kind == b"string":
        return repr(client.get(key))
    if kind == b"hash":
        return repr(client.hgetall(key))
    if kind == b"list":
        return repr(client.lrange(key, 0, -1))
    if kind == b"set":
        return repr(client.smembers(key))
    if kind == b"zset":
        return repr(client.zrange(key, 0, -1))
    return ""


async def test_the_risk_guide_stays_with_the_chat(team: Team, peers: Peers, redis_url: str) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")

    await anna.send({"type": "risk", "chat": chat})
    empty = await anna.expect("risk", chat=chat)
    assert (empty["answers"], empty["advice"], empty["counted"]) == ({}, [], False)
    answers = {"threat_to_life": "yes", "marriage": "no"}
    await anna.send({"type": "risk", "chat": chat, "answers": answers})
    state = await anna.expect("risk", chat=chat)
    assert state["answers"] == answers
    keys = [a["key"] for a in state["advice"]]
    assert keys, state
    assert keys[0] == "call_112", keys  # the server's rule, most urgent first
    assert all(a["because"] == ["threat_to_life"] for a in state["advice"])
    await anna.send({"type": "risk", "chat": chat, "answers": {"nonsense": "yes"}})
    await anna.expect("error", code="bad_field", field="answers")
    await anna.send({"type": "risk", "chat": chat, "answers": {"marriage": "maybe"}})
    await anna.expect("error", code="bad_field", field="marriage")

    # Counted once per chat, however often the page asks.
    for _ in range(2):
        await anna.send({"type": "risk", "chat": chat, "count": True})
        assert (await anna.expect("risk", chat=chat))["counted"] is True
    assert stats_count(redis_url, "risk_threat_to_life|yes") == 1

    # A reload keeps it; so does a transfer to a colleague.
    await anna.close()
    anna = await peers.console(team.server, team.http["anna"])
    await anna.expect("assigned", chat=chat)
    await anna.send({"type": "risk", "chat": chat})
    again = await anna.expect("risk", chat=chat)
    assert (again["answers"], again["counted"]) == (answers, True)
    bilal = await peers.console(team.server, team.http["bilal"])
    await anna.send({"type": "transfer", "chat": chat, "to": "bilal"})
    await bilal.expect("assigned", chat=chat)
    await bilal.send({"type": "risk", "chat": chat})
    moved = await bilal.expect("risk", chat=chat)
    assert moved["answers"] == answers
    assert moved["advice"] == state["advice"]
    assert b"threat_to_life" not in every_value(redis_url).replace(
        b"risk_threat_to_life", b""
    )  # the answers are kept encrypted; only the day's counter names the question


async def test_a_blocked_chat_still_counts_for_its_code_but_is_not_named(
    team: Team, peers: Peers, redis_url: str
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await visitor.expect("joined")
    await visitor.send({"type": "return_code"})
    code = (await visitor.expect("return_code"))["code"]

    def links() -> dict[bytes | str, bytes | str]:
        client = redis.Redis.from_url(redis_url)
        try:
            keys = [k for k in client.scan_iter(match="f:rc:*") if k.endswith(b":chats")]
            assert len(keys) == 1, keys
            return {k: v for k, v in client.hgetall(keys[0]).items()}
        finally:
            client.close()

    before = links()
    assert list(before.values()) == [b"1"]
    await anna.send({"type": "block", "chat": chat})
    await visitor.expect("ended", reason="blocked")
    after = links()
    assert list(after.values()) == [b"1"]
    assert set(after).isdisjoint(before)  # the field that named the chat is gone

    again, welcome = await peers.chat(team.server, return_code=code)
    assert welcome["session"]["number"] == 2
    await again.expect("queued")
