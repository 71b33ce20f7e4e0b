"""``/ws/console``: the route that admits a counsellor's (or supervisor's) live connection,
what it asks of other parts (ending, referring, the inbox), and the per-process broadcasts of
the queue and presence. The connection itself is :mod:`counsellor_console.live.console_socket`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from typing import Final

import structlog
from starlette.websockets import WebSocket

from chat.api import (
    CLOSE_POLICY,
    Conversations,
    Lanes,
    QuietLog,
    UnknownRecordError,
    left_message_frame,
    origin_allowed,
    receive_text_frames,
    running,
    to_visitor,
)
from chat.core_api import (
    ChatRecord,
    ChatState,
    ConsoleFrame,
    FrameError,
    InboxList,
    InboxOpen,
    InboxReply,
    frames,
    parse_console_frame,
)
from counsellor_console.domain.audit import InboxOpened, InboxReplied
from counsellor_console.domain.console_lanes import CONSOLE_BACKLOG, CONSOLE_BACKLOG_MAX, lane_of
from counsellor_console.domain.directory import card_as_text, public_card
from counsellor_console.live.colleagues import Colleagues
from counsellor_console.live.console_socket import ConsoleSocket
from counsellor_console.live.supervision import Supervision
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.staff_pages import StaffGate
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)
quiet = QuietLog(__name__)

QUEUE_BROADCAST_MIN_INTERVAL_SECS: Final = 0.25  # at most 4 queue frames a second
QUEUE_BROADCAST_IDLE_SECS: Final = 5.0  # waited_s moves on even when nothing happens
PRESENCE_BEAT_SECS: Final = 10.0


class ConsoleEndpoint:
    def __init__(
        self,
        ops: Conversations,
        gate: StaffGate,
        *,
        allowed_origins: Collection[str],
        rate: tuple[float, int],
        directory: DirectoryStore | None = None,
        audit: AuditLog,
    ) -> None:
        self.audit = audit
        self.ops = ops
        self.gate = gate
        self.staff_store: StaffStore = gate.store
        self.directory = directory
        self.allowed_origins = frozenset(o.rstrip("/").lower() for o in allowed_origins)
        self.rate = rate
        self.sockets: set[ConsoleSocket] = set()
        self.supervision: Supervision | None = None  # set by the service
        self._queue_dirty = asyncio.Event()
        self.colleagues = Colleagues(ops, self.staff_store, audit, lambda: self.sockets)
        ops.hub.on_queue_change(self._queue_dirty.set)
        ops.hub.on_resync(self.resync)

    async def resync(self) -> None:
        """After a pub/sub outage: catch up on held chats, new hand-overs and ended chats."""
        for socket in list(self.sockets):
            held = set(await self.ops.store.counsellor_chats(socket.staff.username))
            for chat in await self.ops.store.load_chats(sorted(held | socket.watching)):
                if chat.id not in socket.watching:
                    await socket.open_chat_view(chat)
                elif chat.state is ChatState.ENDED:
                    socket.deliver(frames.ended(chat.ended_by or "system", chat=chat.id))
                elif chat.id not in held and not socket.staff.can_supervise:
                    socket.deliver(frames.released(chat.id))
                else:
                    socket.connection.replay(chat.id, socket.connection.tracker(chat.id).watermark)

    async def serve(self, websocket: WebSocket) -> None:
        secure = websocket.url.scheme == "wss"
        if not origin_allowed(websocket.headers, self.allowed_origins, secure=secure):
            await websocket.close(code=CLOSE_POLICY)
            return
        staff = await self.gate.identify(websocket)
        if staff is None:
            await websocket.close(code=CLOSE_POLICY)
            return
        await websocket.accept()
        socket = ConsoleSocket(websocket, staff, self)
        self.sockets.add(socket)
        lease = self.gate.sockets.register(staff, websocket)  # closed when revoked (issue 8)
        await self.staff_store.mark_online([staff.username])

        # The receive loop only reads and queues, one lane per chat (console_lanes): the
        # socket and its pong are read however far behind its frames are (chat.live.lanes).
        lanes = Lanes(CONSOLE_BACKLOG, CONSOLE_BACKLOG_MAX)

        async def handle_text(text: str) -> None:
            lease.touch()
            if not await lanes.wait_for_room():
                socket.send(frames.error("rate_limited"))
                return
            try:
                frame = parse_console_frame(text)
            except FrameError as exc:
                socket.send(frames.error(exc.code, exc.field))
                return
            lanes.put(lane_of(frame), lambda: self._handle_frame(socket, frame))

        self.ops.metrics.socket_opened("staff")
        try:
            await self.colleagues.joined(staff.username)
            await socket.start()
            await receive_text_frames(
                websocket, self.rate, handle_text, socket.send, socket.connection.close
            )
        finally:
            await lanes.finish()
            self.ops.metrics.socket_closed("staff")
            self.gate.sockets.unregister(lease)
            self.sockets.discard(socket)
            await socket.stop()
            await self.colleagues.left(staff.username)

    async def _handle_text(self, socket: ConsoleSocket, text: str) -> None:
        try:
            frame = parse_console_frame(text)
        except FrameError as exc:
            socket.send(frames.error(exc.code, exc.field))
            return
        await self._handle_frame(socket, frame)

    async def _handle_frame(self, socket: ConsoleSocket, frame: ConsoleFrame) -> None:
        try:
            await socket.handle(frame)
        except FrameError as exc:
            socket.send(frames.error(exc.code, exc.field))
        except Exception as exc:
            quiet.error("console_frame_failed", exc)
            socket.send(frames.error("server_error"))

    async def end_chat(
        self, chat: ChatRecord, staff: StaffIdentity, reasons: tuple[str, ...]
    ) -> None:
        await self.ops.end_by_counsellor(chat, staff, reasons)

    async def refer(self, socket: ConsoleSocket, chat: ChatRecord, org_id: str) -> None:
        """Send an organisation's public card into the chat and record the referral.

        The card is also stored as a system message, so it is in the transcript a resumed
        page replays; the staff-only contact fields never leave ``directory.staff_view``.
        """
        org = await self.directory.get(org_id) if self.directory is not None else None
        if org is None:
            raise FrameError("bad_field", "org")
        card = public_card(org)
        # Store first, then announce: a page that misses the referral frame still has the
        # card in its transcript.
        await self.ops.post_system_message(chat, card_as_text(card, chat.lang))
        await self.ops.hub.publish(frames.referral(card), [to_visitor(chat.id)])
        if self.ops.stats is not None:
            await self.ops.stats.record_referral(org.id)
        socket.send(frames.referred(chat.id, org.id, card))
        log.info("chat_referred", chat=chat.id, org=org.id)

    async def answer_inbox(
        self, socket: ConsoleSocket, frame: InboxList | InboxOpen | InboxReply
    ) -> None:
        """Messages left with a return code while chat was closed, and the replies to them."""
        continuity = self.ops.continuity
        if continuity is None:
            socket.send(frames.error("not_available"))
            return
        codes = continuity.codes
        try:
            if isinstance(frame, InboxOpen):
                thread = await codes.thread(frame.record)
                await self.audit.record(
                    InboxOpened(staff=socket.staff.username, record=frame.record)
                )
                items = [left_message_frame(m) for m in thread]
                socket.send(frames.inbox_thread(frame.record, items))
                return
            if isinstance(frame, InboxReply):
                await codes.reply(frame.record, frame.text)
                await self.audit.record(
                    InboxReplied(staff=socket.staff.username, record=frame.record)
                )
                socket.send(frames.inbox_replied(frame.record))
                log.info("inbox_replied", staff=socket.staff.username)
        except UnknownRecordError:
            raise FrameError("bad_field", "record") from None
        socket.send(await self.inbox_frame())

    async def inbox_frame(self) -> frames.Frame:
        continuity = self.ops.continuity
        items = [] if continuity is None else await continuity.codes.unanswered()
        return frames.inbox(
            [
                {
                    "record": item.record_id,
                    "waiting_since": frames.rfc3339(int(item.waiting_since.timestamp() * 1000)),
                    "unanswered": item.unanswered,
                }
                for item in items
            ]
        )

    # -- per-process background work -----------------------------------------------------

    async def broadcast_queue(self) -> None:
        """One queue frame for all local consoles, at most four a second."""
        while running():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue_dirty.wait(), QUEUE_BROADCAST_IDLE_SECS)
            self._queue_dirty.clear()
            if self.sockets:
                try:
                    frame = await self.ops.queue_frame()
                    for socket in list(self.sockets):
                        socket.send(self.colleagues.for_console(frame, socket.staff.username))
                except Exception as exc:
                    log.warning("queue_broadcast_failed", error=type(exc).__name__)
            await asyncio.sleep(QUEUE_BROADCAST_MIN_INTERVAL_SECS)

    async def keep_presence(self) -> None:
        while running():
            await asyncio.sleep(PRESENCE_BEAT_SECS)
            try:
                await self.staff_store.mark_online(sorted({s.staff.username for s in self.sockets}))
            except Exception as exc:
                log.warning("presence_beat_failed", error=type(exc).__name__)
