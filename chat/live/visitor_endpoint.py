"""``/ws/visit``: the route that admits a visitor's socket, and the per-process tasks that
keep every waiting visitor's position and every connected chat's liveness fresh.

No cookie, header or URL parameter identifies the visitor. The socket's own state and its
handling of frames are in ``chat/live/visitor_socket.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Final, Protocol

import structlog
from starlette.websockets import WebSocket

from chat.domain.protocol import (
    ChatState,
)
from chat.live.admission import AdmissionLine, LineFull
from chat.live.lanes import Lanes
from chat.live.lifecycle import running
from chat.live.origin import origin_allowed
from chat.live.quiet_log import QuietLog
from chat.live.receive_loop import CLOSE_POLICY, receive_text_frames
from chat.live.visitor_socket import VisitorSocket
from chat.operations.continuity import Continuity
from chat.operations.conversations import LIVE_HEARTBEAT_SECS, Conversations
from chat.operations.safety import Safety
from chat.wire import outbound as frames
from chat.wire.inbound import FrameError, Hello
from chat.wire.parse import parse_visitor_frame
from security.address_limits import AddressLimits

log = structlog.get_logger(__name__)
quiet = QuietLog(__name__)


class SurveyRecorder(Protocol):
    async def record_survey(self, answers: dict[str, str]) -> None: ...


SWEEP_INTERVAL_SECS: Final = 0.5
QUEUE_REFRESH_SECS: Final = 5.0
# Positions are looked up again at most this often (protocol.md: `queued` at most once a
# second per visitor), however many chats arrive or leave meanwhile.
QUEUE_REFRESH_MIN_SECS: Final = 0.5
# A refresh that tells thousands of waiting visitors their new place gives the event loop back
# this often, so the messages of the chats in progress are not held up behind it.
REFRESH_YIELD_EVERY: Final = 200
# A visitor's frames waiting to be handled (chat.live.lanes): the reader slows down past the first,
# refuses past the second; the rate limit (10/s, burst 20) keeps a page well below both.
VISITOR_BACKLOG: Final = 32
VISITOR_BACKLOG_MAX: Final = 128


def _may_have_moved(socket: VisitorSocket, moved: dict[str, int]) -> bool:
    """Whether this waiting visitor is at or behind a position that moved."""
    if socket.chat is None:
        return False
    start = moved.get(socket.chat.channel)
    if start is None:
        return False
    last = socket.throttle.last_position
    return last is None or last >= start


class VisitorEndpoint:
    """The ``/ws/visit`` route, plus the per-process tasks that keep visitors informed."""

    def __init__(
        self,
        ops: Conversations,
        *,
        allowed_origins: Collection[str],
        rate: tuple[float, int],
        continuity: Continuity | None = None,
        stats: SurveyRecorder | None = None,
        address_limits: AddressLimits | None = None,
    ) -> None:
        self.address_limits = address_limits
        self.ops = ops
        self.continuity = continuity
        self.stats = stats
        self.allowed_origins = frozenset(o.rstrip("/").lower() for o in allowed_origins)
        self.rate = rate
        self.sockets: dict[str, VisitorSocket] = {}
        self.safety: Safety | None = None  # set by the service (chat/operations/safety.py)
        # New visitors wait their turn here; chats in progress never do (chat.live.admission).
        self.line = AdmissionLine()
        self._queue_dirty = asyncio.Event()
        # Which waiting positions may have moved since the last refresh (EventHub.on_queue_shift):
        # an arrival at the back moves nobody, so it costs no ZRANK and no frame per visitor.
        self._moved: dict[str, int] = {}
        self._moved_all = False
        ops.hub.on_queue_shift(self._queue_moved)
        ops.hub.on_resync(self.resync)

    def _queue_moved(self, channel: str | None, start: int) -> None:
        if channel is None:
            self._moved_all = True
        else:
            self._moved[channel] = min(self._moved.get(channel, start), start)
        self._queue_dirty.set()

    async def resync(self) -> None:
        sockets = [s for s in self.sockets.values() if s.chat is not None]
        stored = {
            c.id: c for c in await self.ops.store.load_chats([s.chat.id for s in sockets if s.chat])
        }
        for socket in sockets:
            if socket.chat is not None:
                await socket.resync(stored.get(socket.chat.id))

    async def serve(self, websocket: WebSocket) -> None:
        secure = websocket.url.scheme == "wss"
        if not origin_allowed(websocket.headers, self.allowed_origins, secure=secure):
            await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets 403
            return
        address = websocket.client.host if websocket.client else ""
        slot = await self.address_limits.open_socket(address) if self.address_limits else ""
        if slot is None:
            log.warning("visitor_refused", reason="address_socket_cap")
            await websocket.close(code=CLOSE_POLICY)
            return
        try:
            await websocket.accept()
            await self._converse(websocket, address)
        finally:
            if self.address_limits is not None and slot:
                await self.address_limits.close_socket(slot)

    async def _converse(self, websocket: WebSocket, address: str) -> None:
        socket = VisitorSocket(websocket, self)
        socket.address = address

        # The receive loop only reads and queues: the socket (and its pong) is read however
        # long the frames take to handle (chat.live.lanes).
        lanes = Lanes(VISITOR_BACKLOG, VISITOR_BACKLOG_MAX)

        async def handle_text(text: str) -> None:
            if not await lanes.wait_for_room():
                socket.send(frames.error("rate_limited"))
                return
            lanes.put(None, lambda: self._handle_text(socket, text))

        def refuse(frame: frames.Frame) -> None:
            # In the same lane as the frames before it: the answers keep the frames' order
            # (the burst's replies, then the refusals), however far behind the lane is.
            async def send() -> None:
                socket.send(frame)

            lanes.put(None, send)

        async def close(code: int) -> None:
            await lanes.finish()  # the answers already queued go out before the close
            await socket.connection.close(code)

        self.ops.metrics.socket_opened("visitor")
        try:
            await receive_text_frames(websocket, self.rate, handle_text, refuse, close)
        finally:
            await lanes.finish()
            self.ops.metrics.socket_closed("visitor")
            await socket.disconnected()

    async def _handle_text(self, socket: VisitorSocket, text: str) -> None:
        if socket.closing:
            return
        try:
            frame = parse_visitor_frame(text)
            if isinstance(frame, Hello) and frame.resume is None:
                async with self.line.turn():  # new work waits; may raise LineFull
                    await socket.handle(frame)
            else:
                await socket.handle(frame)
        except FrameError as exc:
            socket.send(frames.error(exc.code, exc.field))
        except LineFull:
            socket.send(frames.unavailable("full"))
        except Exception as exc:
            quiet.error("visitor_frame_failed", exc)
            socket.send(frames.error("server_error"))

    # -- per-process background work -----------------------------------------------------

    async def keep_positions_fresh(self) -> None:
        """Send ``queued`` to local waiting visitors when their position changes."""
        while running():
            try:
                await asyncio.wait_for(self._queue_dirty.wait(), QUEUE_REFRESH_SECS)
            except TimeoutError:  # quiet for a while: a full look, in case an event was lost
                self._moved_all = True
            self._queue_dirty.clear()
            try:
                await self._refresh_positions()
            except Exception as exc:
                log.warning("queue_refresh_failed", error=type(exc).__name__)
            await asyncio.sleep(QUEUE_REFRESH_MIN_SECS)

    async def _refresh_positions(self) -> None:
        moved_all, moved = self._moved_all, self._moved
        self._moved_all, self._moved = False, {}
        waiting = [
            s
            for s in self.sockets.values()
            if s.chat is not None
            and s.machine.state is ChatState.WAITING
            and (moved_all or _may_have_moved(s, moved))
        ]
        if not waiting:
            return
        positions = await self.ops.store.queue_positions(
            [(s.chat.id, s.chat.channel) for s in waiting if s.chat is not None]
        )
        now = time.monotonic()
        pending = False
        for n, socket in enumerate(waiting, start=1):
            if n % REFRESH_YIELD_EVERY == 0:  # thousands waiting: let the chats in progress in
                await asyncio.sleep(0)
            if socket.chat is None:
                continue
            position = positions.get(socket.chat.id)
            await socket.refresh_position(position, now)
            if position is not None and position != socket.throttle.last_position:
                pending = True
                self._moved[socket.chat.channel] = 1
        if pending:  # throttled now: look again shortly
            self._queue_dirty.set()

    async def keep_chats_alive(self) -> None:
        """Tell the other processes these visitors are still here; end the abandoned."""
        last_beat = 0.0
        while running():
            try:
                now = time.monotonic()
                if now - last_beat >= LIVE_HEARTBEAT_SECS:
                    live = [
                        cid for cid, s in self.sockets.items() if s.chat and s.machine.is_open()
                    ]
                    await self.ops.keep_alive(live)
                    last_beat = now
                await self.ops.end_abandoned()
            except Exception as exc:
                log.warning("liveness_sweep_failed", error=type(exc).__name__)
            await asyncio.sleep(SWEEP_INTERVAL_SECS)
