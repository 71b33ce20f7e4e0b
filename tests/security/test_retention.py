"""Retention (docs/security.md): after a chat ends, nothing of it can be decrypted or found.

By default (`FRISTAD_RETENTION_S=0`) the chat's data key and ciphertexts are deleted when it
ends. With a retention time the transcript survives the end for that long and is then shredded,
by `fristad purge` or by its TTL. Every key the service writes has a TTL, but for the few that
are meant to stay (listed below with the reason).
"""

from __future__ import annotations

import asyncio
import fnmatch
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, Final

import redis

from tests.security.redis_traces import everything, traces
from tests.support.clients import Peers, accept, connect_console, hello, login
from tests.support.server import REPO_ROOT, RunningServer, StaffCredentials

SHRED_WAIT_S: Final = 5.0
# Long enough that the early `fristad purge` (a Python process starting, on a machine running
# the suite in parallel) is surely done before the transcript's time is up.
RETENTION_S: Final = 5
PAD: Final = " ".join(f"ord{i}" for i in range(40))
TEXTS: Final = (
    f"Retention-Visitor-Gräsand-8812 min bror följer efter mig {PAD}",
    f"Retention-Counsellor-Storspov-3390 vi kan hjälpa dig {PAD}",
    f"Retention-Note-Tofsvipa-5521 ring soc {PAD}",
)

# Keys that live on without a TTL, and why. Everything else the service writes must expire.
KEPT_WITHOUT_TTL: Final = {
    "f:user:*": "staff accounts: until removed (disabled accounts stay, so names are not reused)",
    "f:users": "the list of staff accounts, as long as the accounts",
    "f:dir:*": "the referral directory: public organisations, kept until re-imported",
    "kb:published*": "published knowledge-bank articles: public content",
}


def chat_fields(url: str, chat: str) -> tuple[bool, set[str]]:
    """(whether the chat's log exists, the fields of its record)."""
    client = redis.Redis.from_url(url)
    try:
        log = bool(client.exists(f"f:chat:{chat}:log"))
        names: Any = client.hkeys(f"f:chat:{chat}")
        fields = {str(f, "utf-8") for f in names}
        return log, fields
    finally:
        client.close()


async def full_chat(
    server: RunningServer, creds: StaffCredentials, peers: Peers, *, ask_code: bool = False
) -> tuple[str, str]:
    """A chat from hello to the end, every side heard; returns (chat id, the last resume token)."""
    http = login(server, creds)
    console = peers.track(await connect_console(server, http))
    http.close()
    visitor = await peers.visitor(server)
    await visitor.send(hello(age="under18", topic="control", kommun="0180", gender="girl"))
    welcome = await visitor.expect("welcome")
    chat = welcome["chat"]
    await visitor.expect("notice")
    await visitor.send({"type": "notice_ack", "id": "reporting-duty"})
    await visitor.expect("queued")
    await accept(console, chat)
    await visitor.send({"type": "msg", "id": "v1", "text": TEXTS[0]})
    await visitor.expect("ack", id="v1")
    await console.send({"type": "msg", "chat": chat, "id": "c1", "text": TEXTS[1]})
    await visitor.expect("msg", text=TEXTS[1])
    await console.send({"type": "note", "chat": chat, "text": TEXTS[2]})
    await console.expect("note", chat=chat)
    if ask_code:
        await visitor.send({"type": "return_code"})
        await visitor.expect("return_code", timeout=10)
    assert not traces(server.redis_url, TEXTS), "message text in clear while the chat is live"
    await console.send({"type": "end", "chat": chat, "reasons": ["control"]})
    await visitor.expect("ended")
    if ask_code:
        await visitor.send({"type": "survey", "answers": {"helped": 4, "felt_safe": "yes"}})
        await visitor.expect("survey_received")
    return chat, welcome["token"]


async def wait_until(check: Callable[[], bool], within: float = SHRED_WAIT_S) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.2)
    return check()


async def test_an_ended_chat_leaves_nothing_to_decrypt_or_find(
    fresh: RunningServer, staff: Callable[..., StaffCredentials], peers: Peers
) -> None:
    chat, token = await full_chat(fresh, staff(), peers)
    assert await wait_until(lambda: not chat_fields(fresh.redis_url, chat)[0]), "log kept"
    _, fields = chat_fields(fresh.redis_url, chat)
    assert "dek" not in fields, "the chat's data key outlived the chat"
    assert not {f for f in fields if f.startswith("sealed_")}, fields
    assert traces(fresh.redis_url, TEXTS) == []
    # Nothing of the chat beyond its non-identifying facts: no key names it but its record.
    named = [k for k in everything(fresh.redis_url) if chat.encode() in k]
    assert named in ([], [f"f:chat:{chat}".encode()]), named

    # The last resume token of an ended chat opens nothing.
    visitor = await peers.visitor(fresh)
    await visitor.send(hello(resume={"token": token, "last_seq": 0}))
    await visitor.expect("error", code="resume_failed")


async def test_with_retention_the_transcript_survives_the_end_then_purge_shreds_it(
    redis_url: str,
    server_factory: Callable[..., RunningServer],
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    server = server_factory(FRISTAD_RETENTION_S=str(RETENTION_S))
    chat, _ = await full_chat(server, staff(), peers)
    await asyncio.sleep(0.5)
    log, fields = chat_fields(redis_url, chat)
    assert log, "the retained transcript was shredded at the end"
    assert "dek" in fields, "the retained transcript's data key was shredded at the end"

    early = _purge(server)  # before the retention time: nothing to shred
    assert early.returncode == 0, early.stderr
    assert chat_fields(redis_url, chat)[0]
    await asyncio.sleep(RETENTION_S + 0.5)
    done = _purge(server)
    assert done.returncode == 0, done.stderr
    assert "shredded: 1" in done.stdout, done.stdout
    log, fields = chat_fields(redis_url, chat)
    assert not log
    assert "dek" not in fields
    assert traces(redis_url, TEXTS) == []


async def test_with_retention_the_transcript_is_gone_after_its_time_without_purge(
    redis_url: str,
    server_factory: Callable[..., RunningServer],
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    """docs/security.md: transcripts are "kept that many seconds". Nobody runs `fristad
    purge` here: the TTLs (or the service itself) must shred it."""
    server = server_factory(FRISTAD_RETENTION_S=str(RETENTION_S))
    chat, _ = await full_chat(server, staff(), peers)
    client = redis.Redis.from_url(redis_url)
    try:
        ttl = client.ttl(f"f:chat:{chat}:log")
    finally:
        client.close()
    gone = await wait_until(lambda: not chat_fields(redis_url, chat)[0], RETENTION_S + 3.0)
    assert gone, f"the transcript outlives its retention of {RETENTION_S} s (its TTL: {ttl} s)"


def _purge(server: RunningServer) -> subprocess.CompletedProcess[str]:
    """`fristad purge` with the server's own settings (its retention time)."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "purge"],
        cwd=REPO_ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


async def test_every_key_of_a_full_chat_expires_but_the_documented_ones(
    fresh: RunningServer, staff: Callable[..., StaffCredentials], peers: Peers
) -> None:
    """Visitor, console, return code, survey, statistics, audit: all of it carries a TTL."""
    supervisor = staff("supervisor")
    await full_chat(fresh, staff(), peers, ask_code=True)
    http = login(fresh, supervisor)
    assert http.get("/api/admin/audit").status_code == 200
    assert http.get("/admin/stats.csv?from=2026-01-01&to=2026-01-02").status_code == 200
    http.close()
    await asyncio.sleep(0.3)

    client = redis.Redis.from_url(fresh.redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(count=1000)]
        forever = sorted(k for k in keys if client.ttl(k) == -1)
    finally:
        client.close()
    assert any(k.startswith("f:rc:") for k in keys), "the return code was not stored"
    assert any(k.startswith("f:audit:") for k in keys), "nothing was audited"
    assert any(k.startswith("f:stats:") for k in keys), "no statistics were kept"
    unexplained = [
        k for k in forever if not any(fnmatch.fnmatchcase(k, pat) for pat in KEPT_WITHOUT_TTL)
    ]
    assert unexplained == [], f"keys without a TTL: {unexplained}"
