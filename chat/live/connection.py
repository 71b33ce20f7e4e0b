"""One socket's outbound side: a bounded queue and one sender task.

Frames for a socket come from many places (its own handler, pub/sub events); a single sender
keeps them in order, fills seq gaps from the store before a later message, and protects the
process from a client that does not read: past ``OUTBOX_MAX_FRAMES`` the socket is closed
(the visitor's page resumes), instead of letting memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import structlog
from starlette.websockets import WebSocket, WebSocketState

from chat.domain import limits
from chat.domain.protocol import SeqTracker
from chat.domain.records import StoredMessage
from chat.live.lifecycle import running
from chat.wire import fastjson

log = structlog.get_logger(__name__)

OUTBOX_MAX_FRAMES: Final = limits.OUTBOX_MAX_FRAMES
SEND_TIMEOUT_SECS: Final = 10.0
CLOSE_TRY_AGAIN_LATER: Final = 1013
STOP_WAIT_SECS: Final = 1.0
# How long a close waits for what is already queued (a refusal, say) to go out first.
CLOSE_DRAIN_SECS: Final = 2.0

Frame = Mapping[
    str, Any
]  # read only: a TypedDict of chat/wire/server_frames.py, or JSON off pub/sub
GapReader = Callable[[str, int], Awaitable[list[StoredMessage]]]
MessageFramer = Callable[[str, StoredMessage], Frame]


class Connection:
    """A WebSocket's ordered, bounded outbox, with per-chat seq tracking."""

    __slots__ = (
        "_closer",
        "_frame_message",
        "_own_floor",
        "_pending",
        "_read_after",
        "_sending_since",
        "_task",
        "_trackers",
        "closed",
        "own_author",
        "websocket",
    )

    def __init__(
        self,
        websocket: WebSocket,
        *,
        own_author: str,
        read_after: GapReader,
        frame_message: MessageFramer,
    ) -> None:
        self.websocket = websocket
        self.own_author = own_author
        self._read_after = read_after
        self._frame_message = frame_message
        # A plain deque drained by a task that exists only while there is something to send:
        # an idle socket (most waiting visitors) holds no task and no queue machinery.
        self._pending: deque[tuple[str, Any]] = deque()
        self._trackers: dict[str, SeqTracker] = {}
        self._own_floor: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        # When the send in progress began (time.monotonic), None between sends: a send that
        # has waited longer than SEND_TIMEOUT_SECS is a client that stopped reading.
        self._sending_since: float | None = None
        self.closed = False
        self._closer: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        self.closed = True
        self._pending.clear()
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            # Never wait for ever on a sender stuck in a dead connection.
            await asyncio.wait([task], timeout=STOP_WAIT_SECS)

    async def close(self, code: int, reason: str = "") -> None:
        """Close the socket after every frame already queued has gone out.

        A refusal queued just before the close (``rate_limited`` before 1008) must reach the
        client: closing at once raced the sender and dropped it. Nothing queued after this
        call is sent, and a client that does not read holds the close up for at most
        ``CLOSE_DRAIN_SECS``.
        """
        if self.closed:
            return
        self.closed = True  # nothing new is queued from now on
        task = self._task
        if task is not None and not task.done():
            _, pending = await asyncio.wait([task], timeout=CLOSE_DRAIN_SECS)
            if pending:
                task.cancel()
                await asyncio.wait([task], timeout=STOP_WAIT_SECS)
        self._pending.clear()
        await self._close(code, reason)

    def close_soon(self, code: int, reason: str = "") -> None:
        """``close`` from code that cannot wait (a hub delivery)."""
        if self.closed or self._closer is not None:
            return
        self._closer = asyncio.get_running_loop().create_task(self.close(code, reason))

    # -- what the rest of the code calls -------------------------------------------------

    def deliver(self, frame: Frame) -> None:
        """Queue a frame (the hub calls this for published events)."""
        self._put(("frame", frame))

    def replay(self, chat_id: str, after_seq: int, *, include_own: bool = True) -> None:
        """Queue every stored message of the chat after ``after_seq``."""
        self._put(("replay", (chat_id, after_seq, include_own)))

    def tracker(self, chat_id: str) -> SeqTracker:
        tracker = self._trackers.get(chat_id)
        if tracker is None:
            tracker = self._trackers[chat_id] = SeqTracker()
        return tracker

    def start_tracking(self, chat_id: str, delivered_up_to: int, own_floor: int) -> None:
        """Begin a chat on this socket: the peer has every seq up to ``delivered_up_to``;
        this side's own messages above ``own_floor`` were written here and are acked, not
        echoed, while those at or below it (written before a reconnect) are replayed."""
        self._trackers[chat_id] = SeqTracker(watermark=delivered_up_to)
        self._own_floor[chat_id] = own_floor

    def tracked_chats(self) -> frozenset[str]:
        """The chats whose seqs this socket tracks (a chat let go must leave none behind)."""
        return frozenset(self._trackers)

    def forget_chat(self, chat_id: str) -> None:
        self._trackers.pop(chat_id, None)
        self._own_floor.pop(chat_id, None)

    def _put(self, item: tuple[str, Any]) -> None:
        if self.closed:
            return
        since = self._sending_since
        if since is not None and time.monotonic() - since > SEND_TIMEOUT_SECS:
            self._give_up_sending()
            return
        if len(self._pending) >= OUTBOX_MAX_FRAMES:
            log.warning("outbox_overflow")
            self.closed = True
            self._pending.clear()
            self._closer = asyncio.get_running_loop().create_task(
                self._close(CLOSE_TRY_AGAIN_LATER)
            )
            return
        self._pending.append(item)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    def _give_up_sending(self) -> None:
        """The client stopped reading: its send has waited past ``SEND_TIMEOUT_SECS``.

        Nothing more is queued for it and its sender is stopped; its keepalive, unanswered,
        closes the socket, and the visitor's page resumes from the store.
        """
        log.info("sender_stopped", error="TimeoutError")
        self.closed = True
        self._pending.clear()
        self._sending_since = None
        if self._task is not None:
            self._task.cancel()

    # -- the sender ----------------------------------------------------------------------

    async def _drain(self) -> None:
        """Send everything queued, in order, then end (a new one starts on the next frame).

        No timer is armed per run or per frame (asyncio.timeout's enter, reschedule and exit
        were a tenth of the relay's CPU, bench/relay): ``_write`` notes when each send began,
        and the next frame queued for a socket whose send has waited too long stops it
        (``_put``); a socket nothing more is queued for is closed by its keepalive.
        """
        try:
            while self._pending and running():
                kind, payload = self._pending.popleft()
                if kind == "frame":
                    await self._send_frame(payload)
                else:
                    chat_id, after_seq, include_own = payload
                    await self._replay(chat_id, after_seq, include_own)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a dead socket: the receive loop will see the disconnect
            log.info("sender_stopped", error=type(exc).__name__)
            self.closed = True
            self._pending.clear()
        finally:
            self._sending_since = None
            if self._task is asyncio.current_task():
                self._task = None  # an idle socket keeps no finished task around

    async def _send_frame(self, frame: Frame) -> None:
        seq = frame.get("seq")
        if frame.get("type") == "msg" and isinstance(seq, int):
            chat_id = str(frame.get("chat") or self._default_chat(frame))
            tracker = self._trackers.get(chat_id)
            if tracker is None:  # queued before the chat was let go: send it, track nothing
                await self._write(frame)
                return
            if tracker.seen(seq):
                return
            if tracker.missing_below(seq):
                await self._fill_gap(chat_id, tracker, seq)
            tracker.mark(seq)
        await self._write(frame)

    def _default_chat(self, frame: Frame) -> str:
        return str(frame.get("_chat", ""))

    async def _fill_gap(self, chat_id: str, tracker: SeqTracker, seq: int) -> None:
        for message in await self._read_after(chat_id, tracker.watermark):
            if message.seq >= seq:
                break
            if tracker.seen(message.seq):
                continue
            tracker.mark(message.seq)
            echo = message.author == self.own_author and message.seq > self._own_floor.get(
                chat_id, 0
            )
            if not echo:
                await self._write(self._frame_message(chat_id, message))

    async def _replay(self, chat_id: str, after_seq: int, include_own: bool) -> None:
        tracker = self._trackers.get(chat_id)
        if tracker is None:  # the chat was let go before its replay's turn
            return
        for message in await self._read_after(chat_id, after_seq):
            if message.seq <= after_seq or tracker.seen(message.seq):
                continue
            tracker.mark(message.seq)
            if include_own or message.author != self.own_author:
                await self._write(self._frame_message(chat_id, message))

    async def _write(self, frame: Frame) -> None:
        """Send one frame; only the sender task calls this (``_drain``)."""
        if self.websocket.application_state is not WebSocketState.CONNECTED:
            return
        if any(key[0] == "_" for key in frame):  # private keys (_chat, _floor): never sent
            frame = {k: v for k, v in frame.items() if not k.startswith("_")}
        self._sending_since = time.monotonic()
        await self.websocket.send_text(fastjson.dumps_text(frame))
        self._sending_since = None

    async def _close(self, code: int, reason: str = "") -> None:
        with contextlib.suppress(Exception):  # already closing: nothing more to do
            await self.websocket.close(code, reason or None)
