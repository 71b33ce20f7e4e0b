"""protocol.md "Errors and limits": every row, on both endpoints, against a real server.

After every error frame the connection must stay open: each test proves it with a valid
exchange on the same socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import string
from collections.abc import Callable
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from tests.integration.conftest import Team
from tests.support.clients import (
    Frame,
    Peers,
    WsClient,
    connect_ws,
    get_json,
    hello,
)
from tests.support.server import RunningServer

MAX_FRAME_BYTES = 16 * 1024
MAX_TEXT_CHARS = 4000
EXTRA_ORIGINS = ("https://fristad.example", "https://partner.example")
ASTRAL = "\U0001f30a"  # 🌊: one code point, four UTF-8 bytes, two UTF-16 units


async def prove_open_visitor(visitor: WsClient) -> None:
    """A valid hello still gets its welcome: the connection survived the error."""
    await visitor.send(hello())
    await visitor.expect("welcome")


async def joined_visitor(peers: Peers, server: RunningServer) -> WsClient:
    """A visitor past hello (adult: no notice), queued and able to send `msg`."""
    visitor, _ = await peers.chat(server)
    await visitor.expect("queued")
    return visitor


def last_seq_seen(client: WsClient) -> int:
    """The highest seq among the msg frames buffered so far (system messages), else 0."""
    return max((f["seq"] for f in client.buffer if f.get("type") == "msg"), default=0)


async def assert_error(client: WsClient, code: str, **match: Any) -> Frame:
    frame = await client.expect("error", code=code, **match)
    assert frame.get("field") == match.get("field"), frame
    return frame


# ---- bad_frame and unknown_type -------------------------------------------------------------


BAD_FRAMES = [
    pytest.param("this is not json", id="not-json"),
    pytest.param("{", id="truncated-json"),
    pytest.param("[1, 2, 3]", id="array"),
    pytest.param('"hello"', id="string"),
    pytest.param("42", id="number"),
    pytest.param("null", id="null"),
    pytest.param("{}", id="empty-object"),
    pytest.param('{"v": 1, "channel": "youth"}', id="no-type"),
]


@pytest.mark.parametrize("raw", BAD_FRAMES)
async def test_visitor_bad_frame_keeps_connection(
    fresh: RunningServer, peers: Peers, raw: str
) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(raw)
    await assert_error(visitor, "bad_frame")
    await prove_open_visitor(visitor)


async def test_visitor_unknown_type_keeps_connection(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send({"type": "dance", "chat": "x"})
    await assert_error(visitor, "unknown_type")
    await prove_open_visitor(visitor)


async def test_visitor_unknown_type_after_hello(fresh: RunningServer, peers: Peers) -> None:
    visitor = await joined_visitor(peers, fresh)
    await visitor.send({"type": "msgg", "id": "a", "text": "hej"})
    await assert_error(visitor, "unknown_type")
    await visitor.send({"type": "msg", "id": "a", "text": "hej"})
    await visitor.expect("ack", id="a")


# ---- bad_field on hello ---------------------------------------------------------------------


def _without(frame: Frame, key: str) -> Frame:
    return {k: v for k, v in frame.items() if k != key}


BAD_HELLOS = [
    pytest.param(hello(age="old"), "age", id="age-out-of-set"),
    pytest.param(hello(age=18), "age", id="age-ill-typed"),
    pytest.param(_without(hello(), "age"), "age", id="age-missing"),
    pytest.param(hello(channel="x"), "channel", id="channel-out-of-set"),
    pytest.param(_without(hello(), "channel"), "channel", id="channel-missing"),
    pytest.param(hello(lang=5), "lang", id="lang-ill-typed"),
    pytest.param(_without(hello(), "lang"), "lang", id="lang-missing"),
    pytest.param(hello(topic="not-a-code"), "topic", id="topic-not-a-code"),
    pytest.param(hello(topic=3), "topic", id="topic-ill-typed"),
    pytest.param(hello(kommun="18"), "kommun", id="kommun-two-digits"),
    pytest.param(hello(kommun=180), "kommun", id="kommun-number"),
    pytest.param(hello(kommun="01800"), "kommun", id="kommun-five-digits"),
    pytest.param(hello(gender="robot"), "gender", id="gender-out-of-set"),
    pytest.param(
        hello(channel="professional", profession="astronaut"),
        "profession",
        id="profession-out-of-set",
    ),
    pytest.param(_without(hello(), "v"), "v", id="v-missing"),
    pytest.param(hello(v="1"), "v", id="v-ill-typed"),
    pytest.param(hello(return_code=12345), "return_code", id="return-code-ill-typed"),
    pytest.param(hello(resume="token"), "resume", id="resume-ill-typed"),
]


@pytest.mark.parametrize(("frame", "field"), BAD_HELLOS)
async def test_hello_bad_field_names_the_field(
    fresh: RunningServer, peers: Peers, frame: Frame, field: str
) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send(frame)
    await assert_error(visitor, "bad_field", field=field)
    await visitor.expect_none("welcome", within=0.2)
    await prove_open_visitor(visitor)


async def test_hello_with_every_optional_field_is_accepted(
    fresh: RunningServer, peers: Peers
) -> None:
    topic = (await get_json(fresh, "/api/topics"))["topics"][0]["code"]
    profession = (await get_json(fresh, "/api/professions"))["professions"][0]["code"]
    visitor = await peers.visitor(fresh)
    await visitor.send(
        hello(
            channel="professional",
            topic=topic,
            gender="girl",
            kommun="0180",
            profession=profession,
        )
    )
    await visitor.expect("welcome")
    await visitor.expect_none("error", within=0.3)


# ---- bad_field on msg -----------------------------------------------------------------------


BAD_MSGS = [
    pytest.param({"type": "msg", "text": "hej"}, "id", id="id-missing"),
    pytest.param({"type": "msg", "id": 7, "text": "hej"}, "id", id="id-ill-typed"),
    pytest.param({"type": "msg", "id": "m"}, "text", id="text-missing"),
    pytest.param({"type": "msg", "id": "m", "text": 5}, "text", id="text-ill-typed"),
    pytest.param({"type": "msg", "id": "m", "text": ["hej"]}, "text", id="text-list"),
    pytest.param({"type": "msg", "id": "m", "text": ""}, "text", id="text-empty"),
    pytest.param({"type": "msg", "id": "m", "text": " \n\t \u3000 "}, "text", id="text-blank"),
    pytest.param({"type": "msg", "id": "m", "text": "a" * 4001}, "text", id="text-4001-ascii"),
    pytest.param({"type": "msg", "id": "m", "text": ASTRAL * 4001}, "text", id="text-4001-astral"),
]


@pytest.mark.parametrize(("frame", "field"), BAD_MSGS)
async def test_msg_bad_field(fresh: RunningServer, peers: Peers, frame: Frame, field: str) -> None:
    visitor = await joined_visitor(peers, fresh)
    await visitor.send(frame)
    await assert_error(visitor, "bad_field", field=field)
    await visitor.expect_none("ack", within=0.2)
    await visitor.send({"type": "msg", "id": "ok-1", "text": "still here"})
    ack = await visitor.expect("ack", id="ok-1")
    # The refused frame took no seq: this is the next stored message of the chat.
    assert ack["seq"] == last_seq_seen(visitor) + 1, (ack, visitor.buffer)


async def test_text_of_exactly_4000_astral_characters_is_accepted(
    fresh: RunningServer, peers: Peers
) -> None:
    """4,000 code points (8,000 UTF-16 units, 16,000 UTF-8 bytes) is within both limits."""
    visitor = await joined_visitor(peers, fresh)
    text = ASTRAL * MAX_TEXT_CHARS
    assert len(json.dumps({"type": "msg", "id": "w", "text": text}, ensure_ascii=False)) < (
        MAX_FRAME_BYTES
    )
    await visitor.send({"type": "msg", "id": "w", "text": text})
    ack = await visitor.expect("ack", id="w")
    assert ack["seq"] == last_seq_seen(visitor) + 1


async def test_text_of_4000_ascii_characters_is_accepted(
    fresh: RunningServer, peers: Peers
) -> None:
    visitor = await joined_visitor(peers, fresh)
    await visitor.send({"type": "msg", "id": "a", "text": "a" * MAX_TEXT_CHARS})
    await visitor.expect("ack", id="a")


async def test_text_limit_counts_code_points_not_utf16_units(
    fresh: RunningServer, peers: Peers
) -> None:
    """2,001 astral characters are 4,002 UTF-16 units but only 2,001 characters."""
    visitor = await joined_visitor(peers, fresh)
    await visitor.send({"type": "msg", "id": "u", "text": ASTRAL * 2001})
    await visitor.expect("ack", id="u")


# ---- frame size and binary frames ------------------------------------------------------------


def _random_text(n: int) -> str:
    rng = random.Random(n)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_random_text(MAX_FRAME_BYTES + 1024), id="17KiB-random"),
        pytest.param("a" * (64 * 1024), id="64KiB-compressible"),
    ],
)
async def test_frame_over_16_kib_closes_1009(
    fresh: RunningServer, peers: Peers, payload: str
) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.send({"type": "msg", "id": "big", "text": payload})
    assert await visitor.closed_code() == 1009


async def test_frame_over_16_kib_after_hello_closes_1009(
    fresh: RunningServer, peers: Peers
) -> None:
    visitor = await joined_visitor(peers, fresh)
    await visitor.send(_random_text(MAX_FRAME_BYTES + 1))
    assert await visitor.closed_code() == 1009


async def test_binary_frame_closes_1003(fresh: RunningServer, peers: Peers) -> None:
    visitor = await peers.visitor(fresh)
    await visitor.ws.send(json.dumps(hello()).encode())
    assert await visitor.closed_code() == 1003


# ---- rate limits ----------------------------------------------------------------------------


async def _flood(client: WsClient, frame: Frame, count: int) -> None:
    for _ in range(count):
        await client.send(frame)


@pytest.fixture(scope="module")
def limited(module_server_factory: Callable[..., RunningServer]) -> RunningServer:
    """One server for the settings that differ here: low rates, extra allowed origins."""
    return module_server_factory(
        FRISTAD_VISITOR_RATE="5/5",
        FRISTAD_CONSOLE_RATE="5/5",
        FRISTAD_ALLOWED_ORIGINS=",".join(EXTRA_ORIGINS),
    )


async def test_visitor_rate_limited_then_recovers(
    redis_url: str, limited: RunningServer, peers: Peers
) -> None:
    srv = limited
    visitor, _ = await peers.chat(srv)
    await visitor.expect("queued")
    # A burst of 5 allowed, then 3 over: limited, not yet "persistent abuse".
    await _flood(visitor, {"type": "typing"}, 8)
    await visitor.expect("error", code="rate_limited", timeout=3)
    await asyncio.sleep(2.0)  # at 5 frames/s the bucket is full again
    visitor.buffer.clear()
    await visitor.send({"type": "msg", "id": "after-limit", "text": "hej igen"})
    await visitor.expect("ack", id="after-limit", timeout=3)


async def test_visitor_persistent_abuse_closes_1008(
    redis_url: str, limited: RunningServer, peers: Peers
) -> None:
    srv = limited
    visitor, _ = await peers.chat(srv)

    async def read_until_closed() -> None:
        # Read all the while: an unread client stops reading its socket and misses the close.
        with contextlib.suppress(ConnectionClosed):
            while True:
                visitor.buffer.append(json.loads(await visitor.ws.recv()))

    reader = asyncio.create_task(read_until_closed())
    for _ in range(1500):  # 7.5 s at most
        if reader.done():
            break
        try:
            await visitor.send({"type": "typing"})
        except ConnectionClosed:
            break
        await asyncio.sleep(0.005)
    await asyncio.wait_for(reader, 5)
    assert visitor.ws.close_code == 1008
    codes = [f.get("code") for f in visitor.buffer if f.get("type") == "error"]
    assert "rate_limited" in codes, "the client is warned before it is closed"


async def test_console_rate_limited(team: Team, limited: RunningServer, peers: Peers) -> None:
    srv = limited
    console = await peers.console(srv, team.http["anna"])
    await _flood(console, {"type": "dance"}, 12)
    await console.expect("error", code="rate_limited", timeout=3)


async def test_console_default_rate_is_not_the_visitor_rate(team: Team, peers: Peers) -> None:
    """30 frames in a burst are within a console's default burst of 200."""
    console = await peers.console(team.server, team.http["anna"])
    await _flood(console, {"type": "dance"}, 30)
    errors = [await console.expect("error", timeout=3) for _ in range(30)]
    assert {e["code"] for e in errors} == {"unknown_type"}, errors


# ---- Origin ---------------------------------------------------------------------------------


async def _refused(server: RunningServer, path: str, origin: str | None, **headers: str) -> int:
    try:
        client = await connect_ws(server, path, origin, headers)
    except InvalidStatus as exc:
        return exc.response.status_code
    await client.close()
    raise AssertionError(f"handshake on {path} with Origin {origin!r} was accepted")


async def test_visit_without_origin_is_refused(fresh: RunningServer) -> None:
    assert await _refused(fresh, "/ws/visit", None) == 403


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
        "http://127.0.0.1:1",  # same host, other port: another origin
    ],
)
async def test_visit_with_foreign_origin_is_refused(fresh: RunningServer, origin: str) -> None:
    assert await _refused(fresh, "/ws/visit", origin.format(port=fresh.port)) == 403


async def test_visit_same_origin_by_host_header(fresh: RunningServer, peers: Peers) -> None:
    """The own origin comes from the request's Host: localhost works as well as 127.0.0.1."""
    ws = await websockets.connect(
        f"ws://localhost:{fresh.port}/ws/visit",
        origin=Origin(f"http://localhost:{fresh.port}"),
        open_timeout=5,
    )
    client = peers.track(WsClient(ws))
    await prove_open_visitor(client)


async def test_allowed_origins_setting(
    redis_url: str, limited: RunningServer, peers: Peers
) -> None:
    srv = limited
    for origin in EXTRA_ORIGINS:
        client = peers.track(await connect_ws(srv, "/ws/visit", origin))
        await prove_open_visitor(client)
    assert await _refused(srv, "/ws/visit", "https://other.example") == 403
    assert await _refused(srv, "/ws/visit", None) == 403


async def test_console_without_session_is_refused(fresh: RunningServer) -> None:
    assert await _refused(fresh, "/ws/console", fresh.origin) == 403


async def test_console_with_forged_cookie_is_refused(fresh: RunningServer) -> None:
    for cookie in ("session=forged", "fristad_session=forged", "__Host-session=x"):
        assert await _refused(fresh, "/ws/console", fresh.origin, Cookie=cookie) == 403


async def test_console_with_foreign_origin_is_refused(team: Team) -> None:
    cookie = "; ".join(f"{k}={v}" for k, v in team.http["anna"].cookies.items())
    assert await _refused(team.server, "/ws/console", "https://evil.example", Cookie=cookie) == 403
    assert await _refused(team.server, "/ws/console", None, Cookie=cookie) == 403


# ---- the console endpoint's errors ------------------------------------------------------------


async def prove_open_console(console: WsClient) -> None:
    await console.send({"type": "dance"})
    await console.expect("error", code="unknown_type")


@pytest.mark.parametrize("raw", BAD_FRAMES)
async def test_console_bad_frame(team: Team, peers: Peers, raw: str) -> None:
    console = await peers.console(team.server, team.http["anna"])
    await console.send(raw)
    await assert_error(console, "bad_frame")
    await prove_open_console(console)


async def test_console_unknown_type(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    await console.send({"type": "hello", "v": 1})
    await assert_error(console, "unknown_type")
    await console.send({"type": "accept", "chat": 5})
    await assert_error(console, "bad_field", field="chat")


BAD_CONSOLE = [
    pytest.param({"type": "accept"}, "chat", id="accept-no-chat"),
    pytest.param({"type": "accept", "chat": 5}, "chat", id="accept-chat-int"),
    pytest.param({"type": "msg", "chat": "{chat}", "text": "hej"}, "id", id="msg-no-id"),
    pytest.param({"type": "msg", "chat": "{chat}", "id": "x"}, "text", id="msg-no-text"),
    pytest.param({"type": "msg", "chat": "{chat}", "id": "x", "text": "  "}, "text", id="blank"),
    pytest.param(
        {"type": "msg", "chat": "{chat}", "id": "x", "text": "b" * 4001}, "text", id="long"
    ),
    pytest.param({"type": "msg", "id": "x", "text": "hej"}, "chat", id="msg-no-chat"),
    pytest.param({"type": "note", "chat": "{chat}"}, "text", id="note-no-text"),
    pytest.param(
        {"type": "end", "chat": "{chat}", "reasons": "control"}, "reasons", id="reasons-str"
    ),
    pytest.param(
        {"type": "end", "chat": "{chat}", "reasons": ["no-such-reason"]},
        "reasons",
        id="reasons-out-of-set",
    ),
    pytest.param({"type": "transfer", "chat": "{chat}", "to": 5}, "to", id="transfer-to-int"),
    pytest.param({"type": "transfer", "chat": "{chat}"}, "to", id="transfer-no-to"),
]


@pytest.mark.parametrize(("frame", "field"), BAD_CONSOLE)
async def test_console_bad_field(team: Team, peers: Peers, frame: Frame, field: str) -> None:
    visitor, chat = await peers.queued(team.server)
    console = await peers.console(team.server, team.http["anna"])
    await console.send({"type": "accept", "chat": chat})
    await console.expect("assigned", chat=chat)
    filled = {k: (v.format(chat=chat) if isinstance(v, str) else v) for k, v in frame.items()}
    await console.send(filled)
    await assert_error(console, "bad_field", field=field)
    # Still open, and the chat still works both ways.
    await console.send({"type": "msg", "chat": chat, "id": "c-ok", "text": "finns kvar"})
    await console.expect("ack", chat=chat, id="c-ok")
    await visitor.expect("msg", text="finns kvar")
    await visitor.expect_none("ended", within=0.1)
