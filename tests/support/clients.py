"""WebSocket and HTTP clients that speak the contract, for the integration tests."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import urllib.parse
from types import TracebackType
from typing import Any

import httpx
import websockets
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.support.server import RunningServer, StaffCredentials

Frame = dict[str, Any]
DEFAULT_TIMEOUT_S = 5.0


def totp_now(secret_b32: str, offset_steps: int = 0) -> str:
    padded = secret_b32 + "=" * (-len(secret_b32) % 8)
    totp = TOTP(base64.b32decode(padded), 6, SHA1(), 30, enforce_key_length=False)
    return totp.generate(time.time() + 30 * offset_steps).decode()


class WsClient:
    """A JSON-over-WebSocket peer with a receive buffer, so tests can wait for one type."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.buffer: list[Frame] = []

    async def send(self, frame: Frame | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def recv_any(self, timeout: float = DEFAULT_TIMEOUT_S) -> Frame:
        if self.buffer:
            return self.buffer.pop(0)
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: Frame = json.loads(raw)
        return frame

    async def expect(self, type_: str, timeout: float = DEFAULT_TIMEOUT_S, **match: Any) -> Frame:
        """The next frame of this type (and matching fields); others stay buffered."""
        for i, frame in enumerate(self.buffer):
            if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                return self.buffer.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {type_} {match} frame; buffered: {self.buffer}")
            raw = await asyncio.wait_for(self.ws.recv(), remaining)
            frame = json.loads(raw)
            if frame.get("type") == type_ and all(frame.get(k) == v for k, v in match.items()):
                return frame
            self.buffer.append(frame)

    async def expect_none(self, type_: str, within: float = 0.5) -> None:
        """Fail if a frame of this type arrives within the time."""
        try:
            frame = await self.expect(type_, timeout=within)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected {frame}")

    async def close(self) -> None:
        await self.ws.close()

    async def __aenter__(self) -> WsClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def connect_visitor(server: RunningServer, origin: str | None = None) -> WsClient:
    ws = await websockets.connect(
        f"{server.ws_base}/ws/visit", origin=origin or server.origin, max_size=2**22  # type: ignore[arg-type]  # plain str origin
    )
    return WsClient(ws)


async def start_chat(
    server: RunningServer, age: str = "18plus", channel: str = "youth", lang: str = "sv", **extra: Any
) -> tuple[WsClient, Frame]:
    """Open a visitor connection, say hello, pass the notice if shown; returns (client, welcome)."""
    visitor = await connect_visitor(server)
    await visitor.send({"type": "hello", "v": 1, "channel": channel, "lang": lang, "age": age, **extra})
    welcome = await visitor.expect("welcome")
    if age != "18plus":
        await visitor.expect("notice", id="reporting-duty")
        await visitor.send({"type": "notice_ack", "id": "reporting-duty"})
    return visitor, welcome


def login(server: RunningServer, creds: StaffCredentials, offset_steps: int = 0) -> httpx.Client:
    """Log in through the form; returns an HTTP client holding the session cookie."""
    client = httpx.Client(base_url=server.base_url, follow_redirects=False)
    resp = client.post(
        "/console/login",
        data={"username": creds.username, "password": creds.password, "totp": totp_now(creds.totp_secret_b32, offset_steps)},
    )
    assert resp.status_code == 303, (resp.status_code, resp.text[:500])
    assert resp.headers["location"].endswith("/console")
    return client


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def connect_console(server: RunningServer, http: httpx.Client, origin: str | None = None) -> WsClient:
    ws = await websockets.connect(
        f"{server.ws_base}/ws/console",
        origin=origin or server.origin,  # type: ignore[arg-type]  # plain str origin
        additional_headers={"Cookie": cookie_header(http)},
    )
    return WsClient(ws)


def url_quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")
