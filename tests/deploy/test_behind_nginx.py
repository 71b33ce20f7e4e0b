"""Many processes behind a real proxy (issue 10): Debian's nginx, configured from
deploy/nginx.conf, in front of two `fristad serve` processes sharing one Redis.

A process killed with SIGKILL mid-chat takes its sockets with it; the visitor resumes and the
console reconnects through nginx to the other process, and every message is there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.deploy.proxy import Proxy, start_proxy
from tests.support.clients import (
    Frame,
    Peers,
    WsClient,
    accept,
    connect_console,
    hello,
    login,
    start_chat,
)
from tests.support.server import RunningServer, StaffCredentials, add_staff, start_server

RESUME_FRAMES = ("welcome", "msg", "joined", "queued", "error")
MAX_TRIES = 8


@pytest.fixture
def backends(redis_url: str, tmp_path: Path) -> Iterator[list[RunningServer]]:
    servers = [start_server(redis_url, tmp_path), start_server(redis_url, tmp_path)]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def proxy(backends: list[RunningServer], tmp_path: Path) -> Iterator[Proxy]:
    started = start_proxy([s.port for s in backends], tmp_path / "nginx")
    yield started
    started.stop()


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    tracked = Peers()
    yield tracked
    await tracked.close_all()


def logged_on(servers: list[RunningServer], event: str, chat: str) -> RunningServer:
    """The one process whose log has `event` for this chat (logs carry ids, never text)."""
    found = []
    for server in servers:
        for line in server.logs().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == event and entry.get("chat") == chat:
                found.append(server)
                break
    assert len(found) == 1, (event, chat, [s.port for s in found])
    return found[0]


async def resume(front: RunningServer, token: str, last_seq: int) -> tuple[WsClient, list[Frame]]:
    from tests.support.clients import connect_visitor

    visitor = await connect_visitor(front)
    await visitor.send(hello(resume={"token": token, "last_seq": last_seq}))
    frames = await visitor.next_frames(
        lambda f: f.get("type") in ("joined", "queued", "error"), only=RESUME_FRAMES, within=10
    )
    return visitor, frames


async def test_sigkill_of_one_process_loses_nothing(
    redis_url: str, backends: list[RunningServer], proxy: Proxy, peers: Peers
) -> None:
    front = proxy.front(redis_url)
    creds: StaffCredentials = add_staff(redis_url, "anna", name="Anna")
    # Logging in through nginx on a port other than 443 is the Host header's test: with
    # `Host $host` the port is lost and the Origin check refuses the form (403).
    with contextlib.closing(login(front, creds)) as http:
        await chat_kill_resume(front, backends, http, peers)


async def chat_kill_resume(
    front: RunningServer, backends: list[RunningServer], http: httpx.Client, peers: Peers
) -> None:
    console = peers.track(await connect_console(front, http))

    # Visitors arrive until one lands on the console's process; every one is accepted.
    chats: dict[str, tuple[WsClient, Frame]] = {}
    console_process: RunningServer | None = None
    target: str | None = None
    for _ in range(MAX_TRIES):
        visitor, welcome = await start_chat(front)
        peers.track(visitor)
        await visitor.expect("queued")
        chat = welcome["chat"]
        chats[chat] = (visitor, welcome)
        await accept(console, chat)
        await visitor.expect("joined")
        if console_process is None:
            console_process = logged_on(backends, "chat_accepted", chat)
        if logged_on(backends, "chat_opened", chat) is console_process:
            target = chat
            break
    assert target is not None, "round robin never alternated"
    assert console_process is not None
    survivor = next(s for s in backends if s is not console_process)
    visitor, welcome = chats[target]

    # Mid-chat: both sides write, both see the other's words.
    await visitor.send({"type": "msg", "id": "v1", "text": "hej, är du där?"})
    v1 = (await visitor.expect("ack", id="v1"))["seq"]
    await console.expect("msg", chat=target, text="hej, är du där?")
    await console.send({"type": "msg", "chat": target, "id": "c1", "text": "ja, jag är här"})
    await console.expect("ack", id="c1")
    await visitor.expect("msg", text="ja, jag är här")

    console_process.kill()  # SIGKILL: no goodbye frames, no cleanup
    await visitor.closed_code(within=10)
    await console.closed_code(within=10)

    # The console reconnects through nginx (the dead process is skipped) and gets its chats
    # back with their whole transcripts.
    console = peers.track(await connect_console(front, http))
    frames = await console.next_frames(
        lambda f: f.get("type") == "msg" and f.get("text") == "ja, jag är här",
        only=("assigned", "msg"),
        within=10,
    )
    assert next(f for f in frames if f.get("chat") == target)["type"] == "assigned", frames
    assert [f["text"] for f in frames if f["type"] == "msg" and f["chat"] == target] == [
        "hej, är du där?",
        "ja, jag är här",
    ]
    # The counsellor writes while the visitor is still away.
    await console.send({"type": "msg", "chat": target, "id": "c2", "text": "medan du var borta"})
    c2 = (await console.expect("ack", id="c2"))["seq"]

    back, replay = await resume(front, welcome["token"], v1)
    peers.track(back)
    assert replay[0]["type"] == "welcome", replay
    assert replay[0]["chat"] == target
    texts = [(m["from"], m["text"]) for m in replay if m["type"] == "msg"]
    assert texts == [("counsellor", "ja, jag är här"), ("counsellor", "medan du var borta")]
    assert replay[-1]["type"] == "joined", replay

    await back.send({"type": "msg", "id": "v2", "text": "tillbaka nu"})
    v2 = (await back.expect("ack", id="v2"))["seq"]
    assert v2 == c2 + 1
    assert (await console.expect("msg", chat=target, text="tillbaka nu"))["seq"] == v2
    assert logged_on(backends, "chat_resumed", target) is survivor

    # The chats that were on the surviving process carried on without a break.
    for chat, (other, _) in chats.items():
        if chat == target or logged_on(backends, "chat_opened", chat) is not survivor:
            continue
        await other.send({"type": "msg", "id": "o1", "text": "fortfarande här"})
        await other.expect("ack", id="o1")
        await console.expect("msg", chat=chat, text="fortfarande här")


def test_compression_through_nginx(redis_url: str, proxy: Proxy) -> None:
    """The service's choice passes nginx unchanged: public pages gzipped, staff pages not
    (though Debian's nginx.conf turns gzip on for every page)."""
    front = proxy.front(redis_url)
    with httpx.Client(base_url=front.base_url, timeout=10) as client:
        page = client.get("/", headers={"Accept-Encoding": "gzip"})
        login_page = client.get("/console/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert page.headers["cache-control"] == "no-store"
    assert login_page.status_code == 200
    assert "content-encoding" not in login_page.headers
