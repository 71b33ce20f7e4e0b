"""Encryption at rest: a message's plaintext is nowhere in Redis, and an ended chat is shredded.

The tests read Redis directly, knowing nothing of the service's key layout: every key of every
type (strings, hashes, lists, sets, sorted sets, streams) in every database is scanned.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import redis.asyncio as aioredis

from chat.stores.base_store import notes_key
from tests.integration.conftest import Team
from tests.support.clients import Peers, accept

SHRED_WAIT_S = 5.0

# Long, distinctive texts: each is found however it is stored in clear, and its ciphertext is
# long enough to be told from the chat's other records.
PAD = " ".join(f"ord{i}" for i in range(90))
WAITING_TEXT = f"Pelikanhemlighet-4471 medan jag väntar {PAD}"
VISITOR_TEXT = f"Zebrafinkens-hemlighet-7731 pappa tar mitt pass {PAD}"
COUNSELLOR_TEXT = f"Kolibrisvar-9034 du kan ringa oss när som helst {PAD}"
UNICODE_TEXT = f"Ödlans-åäö-ÅÄÖ-ḱ-🌊-2288 هذا سر {PAD}"
NOTE_TEXT = f"Anteckning-Havsörn-5120 ring soc i morgon {PAD}"
ALL_TEXTS = (WAITING_TEXT, VISITOR_TEXT, COUNSELLOR_TEXT, UNICODE_TEXT, NOTE_TEXT)


def _cores(data: bytes) -> list[bytes]:
    """Base64 of `data` at all three alignments, less the edges that depend on neighbours."""
    out = []
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + data)
        core = enc[4 if k else 0 : -4]
        out += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def clear_forms(text: str) -> dict[str, bytes]:
    """Ways a text may sit in Redis without encryption: each must be absent."""
    utf8 = text.encode()
    # The distinctive start of the text is enough: nobody else writes "Zebrafinkens-...".
    head = text.split(" ")[0]
    forms = {
        "utf-8": utf8,
        "utf-8 head": head.encode(),
        "json-escaped": json.dumps(text)[1:-1].encode(),
        "json-escaped head": json.dumps(head)[1:-1].encode(),
        "utf-16-le head": head.encode("utf-16-le"),
        "hex": utf8.hex().encode(),
        "HEX": utf8.hex().upper().encode(),
    }
    for i, core in enumerate(_cores(utf8)):
        forms[f"base64#{i}"] = core
    return forms


async def all_elements(url: str) -> list[bytes]:
    """Every key name and every stored value, field and member in the whole Redis."""
    out: list[bytes] = []
    base = url.rsplit("/", 1)[0]
    for db in range(16):
        client = aioredis.Redis.from_url(f"{base}/{db}")
        try:
            async for key in client.scan_iter(count=1000):
                out.append(key)
                out += await _values(client, key)
        finally:
            await client.aclose()
    return out


async def _values(client: aioredis.Redis, key: bytes) -> list[bytes]:
    kind_raw: Any = await client.type(key)
    kind = kind_raw.decode() if isinstance(kind_raw, bytes) else str(kind_raw)
    found: Any
    if kind == "string":
        found = await client.get(key)
        return [found] if found is not None else []
    if kind == "hash":
        found = await client.hgetall(key)
        return [b for pair in found.items() for b in pair]
    if kind == "list":
        found = await client.lrange(key, 0, -1)
        return list(found)
    if kind == "set":
        found = await client.smembers(key)
        return list(found)
    if kind == "zset":
        found = await client.zrange(key, 0, -1, withscores=True)
        return [m for m, _ in found]
    if kind == "stream":
        found = await client.xrange(key, "-", "+")
        return [b for _, fields in found for pair in fields.items() for b in pair]
    if kind == "none":  # expired between SCAN and TYPE
        return []
    raise AssertionError(f"unexpected Redis type {kind} for {key!r}")


async def still_there(url: str, records: set[bytes]) -> set[bytes]:
    """Which of the records remain once shredding had its time (polled, not slept)."""
    deadline = time.monotonic() + SHRED_WAIT_S
    left = records
    while left and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        left = records & set(await all_elements(url))
    return left


def plaintext_hits(elements: list[bytes], texts: tuple[str, ...]) -> list[str]:
    hits = []
    for text in texts:
        for name, form in clear_forms(text).items():
            if any(form in e for e in elements):
                hits.append(f"{text.split(' ')[0]} as {name}")
    return hits


async def test_no_plaintext_while_live_and_nothing_left_after_end(
    team: Team, peers: Peers, redis_url: str
) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, welcome = await peers.chat(team.server)
    chat = welcome["chat"]
    await visitor.expect("queued")
    before = set(await all_elements(redis_url))

    await visitor.send({"type": "msg", "id": "w", "text": WAITING_TEXT})
    await visitor.expect("ack", id="w")
    await accept(console, chat)
    await visitor.expect("joined")
    await console.expect("msg", text=WAITING_TEXT)
    await visitor.send({"type": "msg", "id": "v", "text": VISITOR_TEXT})
    await visitor.send({"type": "msg", "id": "u", "text": UNICODE_TEXT})
    await visitor.expect("ack", id="u")
    await console.send({"type": "msg", "chat": chat, "id": "c", "text": COUNSELLOR_TEXT})
    await console.expect("ack", id="c")
    await console.send({"type": "note", "chat": chat, "text": NOTE_TEXT})
    await visitor.expect("msg", text=COUNSELLOR_TEXT)
    # The note's echo to its writer is published after the store has it
    # (chat/operations/conversations.py add_note): once it arrives, the note is in Redis, and the
    # scan below can find it.
    await console.expect("note", chat=chat, text=NOTE_TEXT)
    client = aioredis.Redis.from_url(redis_url)
    try:
        assert await client.llen(notes_key(chat)) == 1, "the note is not stored"
    finally:
        await client.aclose()

    live = await all_elements(redis_url)
    assert plaintext_hits(live, ALL_TEXTS) == [], "message text in clear in Redis"

    # What the messages added: ciphertexts of 500+ byte texts are 500+ bytes however encoded.
    added = {e for e in live if len(e) >= 400} - before
    assert added, "the chat's messages are not stored in Redis at all"

    await console.send({"type": "end", "chat": chat, "reasons": ["control"]})
    await visitor.expect("ended")
    left = await still_there(redis_url, added)
    assert not left, f"{len(left)} stored records of the ended chat's messages remain"
    assert plaintext_hits(await all_elements(redis_url), ALL_TEXTS) == []


async def test_visitor_end_and_exit_also_shred(team: Team, peers: Peers, redis_url: str) -> None:
    console = await peers.console(team.server, team.http["anna"])
    for how in ("end", "exit"):
        visitor, welcome = await peers.chat(team.server)
        await visitor.expect("queued")
        before = set(await all_elements(redis_url))
        await accept(console, welcome["chat"])
        await visitor.send({"type": "msg", "id": "s", "text": VISITOR_TEXT + how})
        await visitor.expect("ack", id="s")
        added = {e for e in await all_elements(redis_url) if len(e) >= 400} - before
        assert added
        await visitor.send({"type": how})
        await console.expect("visitor_left", chat=welcome["chat"])
        left = await still_there(redis_url, added)
        assert not left, f"after {how}: {len(left)} records of the chat's messages remain"


def test_clear_forms_find_what_they_should() -> None:
    """The scanner itself: it finds a text stored in clear, as JSON or as base64."""
    text = VISITOR_TEXT
    stored = [
        json.dumps({"from": "visitor", "text": text}).encode(),
        base64.b64encode(b'{"t":"' + text.encode() + b'"}'),
        base64.urlsafe_b64encode(b"xx" + UNICODE_TEXT.encode()),
    ]
    for element in stored:
        assert plaintext_hits([element], (text, UNICODE_TEXT)), element
    assert plaintext_hits([b"\x00" * 600], ALL_TEXTS) == []
