"""A socket's inbound side, the same for visitors and consoles: text frames only, each
counted against the connection's rate, persistent abuse closed with 1008."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.websockets import WebSocket, WebSocketDisconnect

from chat.wire import outbound as frames
from security.ratelimit import StrikeCounter, TokenBucket

CLOSE_POLICY: Final = 1008
CLOSE_UNSUPPORTED: Final = 1003


async def receive_text_frames(
    websocket: WebSocket,
    rate: tuple[float, int],
    handle_text: Callable[[str], Awaitable[None]],
    refuse: Callable[[frames.Frame], None],
    close: Callable[[int], Awaitable[None]],
) -> None:
    """Feed every text frame to ``handle_text`` until the peer goes or is closed.

    A binary frame closes with 1003; a frame over the rate gets ``rate_limited`` through
    ``refuse``; 50 refusals within 10 s close with 1008 (security.ratelimit). ``close``
    closes after the refusals already queued have gone out (``Connection.close``).
    """
    bucket = TokenBucket(*rate)
    strikes = StrikeCounter()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is None:
                await close(CLOSE_UNSUPPORTED)
                return
            now = time.monotonic()
            allowed = bucket.allow(now)
            if strikes.record(allowed, now):
                await close(CLOSE_POLICY)
                return
            if not allowed:
                refuse(frames.error("rate_limited"))
                continue
            await handle_text(message["text"])
    except WebSocketDisconnect:
        return
