"""WebSocket and HTTP clients that speak the contract, for the integration tests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx
import websockets
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from tests.support.server import RunningServer, StaffCredentials

Frame = dict[str, Any]
DEFAULT_TIMEOUT_S = 5.0
# protocol.md: `queued` is sent again at most once a second, `queue` at most 4 times a second.
QUEUE_UPDATE_WAIT_S = 3.0


def totp_now(secret_b32: str, offset_steps: int = 0) -> str:
    padded = secret_b32 + "=" * (-len(secret_b32) % 8)
    # RFC 6238 TOTP as authenticator apps use it: SHA-1 is what the otpauth URI names.
    totp = TOTP(base64.b32decode(padded), 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303
    return totp.generate(time.time() + 30 * offset_steps).decode()


def _matches(frame: Frame, type_: str, match: Mapping[str, Any]) -> bool:
    return frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items())


def _decode(raw: str | bytes) -> Frame:
    frame = json.loads(raw)
    assert isinstance(frame, dict), f"server sent a frame that is not a JSON object: {raw!r}"
    return frame


class WsClient:
    """A JSON-over-WebSocket peer with a receive buffer, so tests can wait for one type."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.buffer: list[Frame] = []

    async def send(self, frame: Frame | str) -> None:
        # ensure_ascii=False: the frame-size limit counts UTF-8 bytes, as a browser sends them.
        await self.ws.send(
            frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False)
        )

    async def recv_any(self, timeout: float = DEFAULT_TIMEOUT_S) -> Frame:  # noqa: ASYNC109
        if self.buffer:
            return self.buffer.pop(0)
        return _decode(await asyncio.wait_for(self.ws.recv(), timeout))

    async def expect(
        self,
        type_: str,
        timeout: float = DEFAULT_TIMEOUT_S,  # noqa: ASYNC109
        where: Mapping[str, Any] | None = None,
        **match: Any,
    ) -> Frame:
        """The next frame of this type (and matching fields); others stay buffered.

        `where` gives fields whose names are not Python identifiers (`from`).
        """
        match = {**(where or {}), **match}
        for i, frame in enumerate(self.buffer):
            if _matches(frame, type_, match):
                return self.buffer.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {type_} {match} frame; buffered: {self.buffer[-20:]}")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"no {type_} {match} frame; buffered: {self.buffer[-20:]}"
                ) from None
            frame = _decode(raw)
            if _matches(frame, type_, match):
                return frame
            self.buffer.append(frame)

    async def expect_none(
        self,
        type_: str,
        within: float = 0.5,
        where: Mapping[str, Any] | None = None,
        **match: Any,
    ) -> None:
        """Fail if a frame of this type (and matching fields) arrives within the time."""
        try:
            frame = await self.expect(type_, timeout=within, where=where, **match)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected {frame}")

    async def pump(self, within: float) -> None:
        """Move every frame that arrives within the time into the buffer."""
        deadline = time.monotonic() + within
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except TimeoutError:
                return
            self.buffer.append(_decode(raw))

    async def drain(self, type_: str, within: float = 0.5) -> list[Frame]:
        """Every frame of this type that is buffered or arrives within the time, in order."""
        await self.pump(within)
        taken = [f for f in self.buffer if f.get("type") == type_]
        self.buffer = [f for f in self.buffer if f.get("type") != type_]
        return taken

    async def next_frames(
        self,
        until: Callable[[Frame], bool],
        within: float = DEFAULT_TIMEOUT_S,
        only: Collection[str] = (),
    ) -> list[Frame]:
        """Frames in arrival order (buffered first) up to and including the first `until`.

        With `only`, frames of other types are dropped from the result: a client must ignore
        message types it does not know, and a console hears `queue` updates at any time.
        """
        out: list[Frame] = []
        deadline = time.monotonic() + within
        while True:
            if self.buffer:
                frame = self.buffer.pop(0)
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met; got {out}")
                try:
                    frame = _decode(await asyncio.wait_for(self.ws.recv(), remaining))
                except TimeoutError:
                    raise TimeoutError(f"condition not met; got {out}") from None
            if only and frame.get("type") not in only:
                continue
            out.append(frame)
            if until(frame):
                return out

    async def closed_code(self, within: float = DEFAULT_TIMEOUT_S) -> int:
        """Wait until the server closes the connection; returns the close code it sent."""
        deadline = time.monotonic() + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"connection still open; buffered: {self.buffer[-10:]}")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except ConnectionClosed:
                break
            except TimeoutError:
                continue
            self.buffer.append(_decode(raw))
        code = self.ws.close_code
        assert code is not None
        return code

    def abort(self) -> None:
        """Drop the TCP connection with no closing handshake, as a lost network does."""
        self.ws.transport.abort()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 2)

    async def __aenter__(self) -> WsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def hello(age: Any = "18plus", channel: Any = "youth", lang: Any = "sv", **extra: Any) -> Frame:
    """A valid `hello` frame; `extra` adds or replaces fields."""
    return {"type": "hello", "v": 1, "channel": channel, "lang": lang, "age": age, **extra}


async def connect_ws(
    server: RunningServer,
    path: str,
    origin: str | None,
    headers: Mapping[str, str] | None = None,
) -> WsClient:
    """A raw connection; `origin=None` sends no Origin header at all."""
    ws = await websockets.connect(
        f"{server.ws_base}{path}",
        origin=Origin(origin) if origin is not None else None,
        additional_headers=dict(headers or {}),
        max_size=2**22,
        open_timeout=DEFAULT_TIMEOUT_S,
    )
    return WsClient(ws)


async def connect_visitor(server: RunningServer, origin: str | None = None) -> WsClient:
    return await connect_ws(server, "/ws/visit", origin or server.origin)


async def start_chat(
    server: RunningServer,
    age: str = "18plus",
    channel: str = "youth",
    lang: str = "sv",
    **extra: Any,
) -> tuple[WsClient, Frame]:
    """Open a visitor connection, say hello, pass the notice if shown; returns (client, welcome)."""
    visitor = await connect_visitor(server)
    await visitor.send(hello(age, channel, lang, **extra))
    welcome = await visitor.expect("welcome")
    if age != "18plus":
        await visitor.expect("notice", id="reporting-duty")
        await visitor.send({"type": "notice_ack", "id": "reporting-duty"})
    return visitor, welcome


async def get_json(server: RunningServer, path: str) -> Any:
    """GET a JSON route of the service (for async tests)."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        resp = await client.get(path)
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
    return resp.json()


def login_attempt(
    server: RunningServer, username: str, password: str, totp: str
) -> tuple[httpx.Client, httpx.Response]:
    """Post the login form once; returns the client (holding any cookie) and the response."""
    client = httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10)
    resp = client.post(
        "/console/login",
        data={"username": username, "password": password, "totp": totp},
        headers={"Origin": server.origin},
    )
    return client, resp


def login(server: RunningServer, creds: StaffCredentials, offset_steps: int = 0) -> httpx.Client:
    """Log in through the form; returns an HTTP client holding the session cookie."""
    client, resp = login_attempt(
        server, creds.username, creds.password, totp_now(creds.totp_secret_b32, offset_steps)
    )
    assert resp.status_code == 303, (resp.status_code, resp.text[:500])
    assert resp.headers["location"].endswith("/console")
    # As the console's script does: state-changing requests send the page's CSRF token.
    client.headers[CSRF_HEADER] = csrf_token(client)
    return client


CSRF_HEADER = "X-CSRF-Token"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def csrf_token(client: httpx.Client, page: str = "/console") -> str:
    """The CSRF token a staff page carries in its `<meta name="csrf-token">`."""
    resp = client.get(page)
    assert resp.status_code == 200, (page, resp.status_code)
    match = _CSRF_META.search(resp.text)
    assert match, resp.text[:300]
    assert match.group(1), "an empty CSRF token"
    return match.group(1)


def is_logged_in(resp: httpx.Response) -> bool:
    """A login response that lets the user in: 303 to /console with a cookie set."""
    return (
        resp.status_code == 303
        and resp.headers.get("location", "").endswith("/console")
        and bool(resp.headers.get_list("set-cookie"))
    )


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def connect_console(
    server: RunningServer, http: httpx.Client, origin: str | None = None
) -> WsClient:
    return await connect_ws(
        server, "/ws/console", origin or server.origin, {"Cookie": cookie_header(http)}
    )


def queue_chats(frame: Frame, channel: str | None = None) -> list[str]:
    """The chat ids of a console `queue` frame, in the frame's order."""
    return [
        item["chat"] for item in frame["items"] if channel is None or item.get("channel") == channel
    ]


async def wait_frame(
    console: WsClient, kind: str, check: Callable[[Frame], bool], within: float
) -> Frame:
    """The first `kind` frame (buffered or new) for which `check` holds."""
    deadline = time.monotonic() + within
    seen: list[Frame] = []
    while True:
        remaining = deadline - time.monotonic()
        try:
            frame = await console.expect(kind, timeout=max(remaining, 0.01))
        except TimeoutError:
            raise AssertionError(f"no matching {kind} frame; last seen: {seen[-2:]}") from None
        if check(frame):
            return frame
        seen.append(frame)


async def wait_queue(
    console: WsClient, check: Callable[[Frame], bool], within: float = QUEUE_UPDATE_WAIT_S
) -> Frame:
    """The first `queue` frame (buffered or new) for which `check` holds."""
    return await wait_frame(console, "queue", check, within)


async def accept(console: WsClient, chat: str) -> Frame:
    """Accept a chat; returns the `assigned` frame."""
    await console.send({"type": "accept", "chat": chat})
    return await console.expect("assigned", chat=chat)


def parse_timestamp(value: Any) -> datetime:
    """An RFC 3339 UTC timestamp as protocol.md says; fails the test otherwise."""
    assert isinstance(value, str), value
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"timestamp without zone: {value}"
    assert parsed.utcoffset() == UTC.utcoffset(None), f"timestamp not UTC: {value}"
    return parsed


def url_quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


class Peers:
    """Every WebSocket a test opens, closed when the test ends whatever happened."""

    def __init__(self) -> None:
        self.opened: list[WsClient] = []

    def track(self, client: WsClient) -> WsClient:
        self.opened.append(client)
        return client

    async def visitor(self, server: RunningServer) -> WsClient:
        return self.track(await connect_visitor(server))

    async def chat(
        self, server: RunningServer, age: str = "18plus", **extra: Any
    ) -> tuple[WsClient, Frame]:
        visitor, welcome = await start_chat(server, age, **extra)
        self.track(visitor)
        return visitor, welcome

    async def queued(
        self, server: RunningServer, age: str = "18plus", **extra: Any
    ) -> tuple[WsClient, str]:
        """A visitor who is in the queue; returns the client and its chat id."""
        visitor, welcome = await self.chat(server, age, **extra)
        await visitor.expect("queued")
        chat: str = welcome["chat"]
        return visitor, chat

    async def console(self, server: RunningServer, http: httpx.Client) -> WsClient:
        """A console that has had its first `queue` frame (left in its buffer)."""
        console = self.track(await connect_console(server, http))
        console.buffer.insert(0, await console.expect("queue"))
        return console

    async def close_all(self) -> None:
        await asyncio.gather(*(c.close() for c in self.opened))
