"""``/ws/console``: a counsellor's (or supervisor's) live connection.

It carries the queue, every chat the counsellor holds, and their actions. Frames for a chat
reach it because it "watches" the chat in the event hub while it holds it; an ``assigned``
arriving from the hub (a warm transfer) makes it start watching, a ``released`` or ``ended``
makes it stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from typing import Final

import structlog
from starlette.websockets import WebSocket

from chat import frames
from chat.base_store import ChatEndedError
from chat.connection import Connection
from chat.continuity import left_message_frame
from chat.conversations import Conversations, NotYoursError
from chat.events import to_visitor
from chat.inbound import CLOSE_POLICY, receive_text_frames
from chat.lanes import Lanes
from chat.lifecycle import running
from chat.limits_store import AtLimitError, PausedError
from chat.origin import origin_allowed
from chat.protocol import ChatState
from chat.quiet_log import QuietLog
from chat.records import ChatRecord, StoredMessage
from chat.returncode_store import UnknownRecordError
from chat.wire import parse_console_frame
from chat.wire_types import (
    Accept,
    Block,
    ConsoleEnd,
    ConsoleFrame,
    ConsoleMsg,
    Escalate,
    FrameError,
    Heavy,
    InboxList,
    InboxOpen,
    InboxReply,
    Note,
    Refer,
    RiskUpdate,
    SetLimit,
    Summary,
    Transfer,
    Typing,
    Unwatch,
    Watch,
    Whisper,
)
from counsellor_console.audit import ChatWatched, InboxOpened, InboxReplied
from counsellor_console.audit_store import AuditLog
from counsellor_console.colleagues import Colleagues
from counsellor_console.console_lanes import CONSOLE_BACKLOG, CONSOLE_BACKLOG_MAX, lane_of
from counsellor_console.directory import card_as_text, public_card
from counsellor_console.directory_store import DirectoryStore
from counsellor_console.store import StaffStore
from counsellor_console.supervision import UNLESS_WATCHING, Supervision, holds_chat
from counsellor_console.web import StaffGate
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)
quiet = QuietLog(__name__)

QUEUE_BROADCAST_MIN_INTERVAL_SECS: Final = 0.25  # at most 4 queue frames a second
QUEUE_BROADCAST_IDLE_SECS: Final = 5.0  # waited_s moves on even when nothing happens
PRESENCE_BEAT_SECS: Final = 10.0


class ConsoleSocket:
    def __init__(
        self, websocket: WebSocket, staff: StaffIdentity, endpoint: ConsoleEndpoint
    ) -> None:
        self.staff = staff
        self.endpoint = endpoint
        self.ops = endpoint.ops
        self.watching: set[str] = set()
        self.ready = False  # its first queue and staff frames are sent: broadcasts may follow
        self.connection = Connection(
            websocket,
            own_author="counsellor",
            read_after=self.ops.store.read_messages,
            frame_message=self._frame_message,
        )

    @staticmethod
    def _frame_message(chat_id: str, message: StoredMessage) -> frames.Frame:
        return frames.msg(message, chat=chat_id)

    def send(self, frame: frames.Frame) -> None:
        if frame.get("type") == "error":
            self.ops.metrics.error_sent(str(frame.get("code")))
        self.connection.deliver(frame)

    def deliver(self, frame: frames.Frame) -> None:
        """Frames from the hub; some change which chats this console watches."""
        kind = frame.get("type")
        chat_id = frame.get("chat")
        if UNLESS_WATCHING in frame and frame[UNLESS_WATCHING] in self.watching:
            return  # a whisper this console has from the chat it watches
        if kind == "assigned" and isinstance(chat_id, str) and chat_id not in self.watching:
            self.connection.deliver(frame)
            self._watch(chat_id, own_floor=int(frame.get("_floor", 0)))
            self.connection.replay(chat_id, 0)
            return
        self.connection.deliver(frame)
        if kind in ("released", "ended", "transferred_out", "visitor_left") and isinstance(
            chat_id, str
        ):
            self._unwatch(chat_id)

    def _watch(self, chat_id: str, own_floor: int) -> None:
        self.watching.add(chat_id)
        self.connection.start_tracking(chat_id, 0, own_floor)
        self.ops.hub.watch_chat(chat_id, self)

    def _unwatch(self, chat_id: str) -> None:
        self.watching.discard(chat_id)
        self.ops.hub.unwatch_chat(chat_id, self)
        # Its seq tracker too: one per chat ever watched used to stay for the socket's life.
        self.connection.forget_chat(chat_id)

    async def open_chat_view(self, chat: ChatRecord) -> None:
        """Send ``assigned`` and the whole transcript, then live messages."""
        floor = await self.ops.store.message_count(chat.id)
        self._watch(chat.id, own_floor=floor)
        self.send(frames.assigned(chat, self.ops.config.session_cap))
        self.connection.replay(chat.id, 0)
        for note in await self.ops.store.read_notes(chat.id):
            self.send(
                {
                    "type": "note",
                    "chat": chat.id,
                    "text": note.text,
                    "by": note.author,
                    "at": frames.rfc3339(note.at_ms),
                }
            )
        if self.endpoint.supervision is not None:
            await self.endpoint.supervision.replay(self, chat)

    async def start(self) -> None:
        self.ops.hub.register_staff(self.staff.username, self)
        colleagues = self.endpoint.colleagues
        self.send(colleagues.for_console(await self.ops.queue_frame(), self.staff.username))
        self.send(await colleagues.staff_frame())
        self.ready = True
        for chat in await self.ops.store.load_chats(
            await self.ops.store.counsellor_chats(self.staff.username)
        ):
            await self.open_chat_view(chat)
        if self.endpoint.supervision is not None:
            await self.endpoint.supervision.greet(self)

    async def stop(self) -> None:
        self.ops.hub.unregister_staff(self.staff.username, self)
        for chat_id in list(self.watching):
            self._unwatch(chat_id)
        await self.connection.stop()

    # -- frames --------------------------------------------------------------------------

    async def handle(self, frame: ConsoleFrame) -> None:
        if isinstance(frame, Accept):
            await self._accept(frame.chat)
            return
        if isinstance(frame, Watch | Unwatch):
            await self._watch_request(frame)
            return
        if isinstance(frame, SetLimit | Heavy):
            await self.endpoint.colleagues.handle(self, frame)
            return
        if isinstance(frame, InboxList | InboxOpen | InboxReply):
            await self.endpoint.answer_inbox(self, frame)
            return
        if isinstance(frame, Whisper | Escalate | Block | RiskUpdate):  # supervision.py
            if self.endpoint.supervision is None:
                self.send(frames.error("not_available"))
                return
            await self.endpoint.supervision.handle(self, frame)
            return
        if frame.chat is None:  # the console parser requires it; be explicit anyway
            raise FrameError("bad_field", "chat")
        try:
            chat = await self.ops.held_chat(frame.chat, self.staff)
        except NotYoursError:
            if isinstance(frame, ConsoleEnd):
                ended = await self.ops.record_reasons_after_the_end(
                    frame.chat, self.staff, frame.reasons
                )
                if ended is not None:
                    self.send(frames.ended(ended.ended_by or "visitor", chat=ended.id))
                    return
            self.send(frames.error("not_yours", chat=frame.chat))
            return
        try:
            await self._act(chat, frame)
        except (NotYoursError, ChatEndedError):
            self.send(frames.error("not_yours", chat=frame.chat))

    async def _act(self, chat: ChatRecord, frame: ConsoleFrame) -> None:
        if isinstance(frame, ConsoleMsg):
            result = await self.ops.post_counsellor_message(chat, frame.id, frame.text)
            self.connection.tracker(chat.id).mark(result.seq)
            self.send(frames.ack(frame.id, result.seq, chat=chat.id))
        elif isinstance(frame, Note):
            await self.ops.add_note(chat, self.staff, frame.text)
        elif isinstance(frame, Typing):
            await self.ops.counsellor_typing(chat.id)
        elif isinstance(frame, ConsoleEnd):
            await self.endpoint.end_chat(chat, self.staff, frame.reasons)
            if chat.channel == "professional" and self.ops.stats is not None:
                await self.ops.stats.record_consultation(frame.profession, frame.kommun)
        elif isinstance(frame, Transfer):
            await self._transfer(chat, frame.to)
        elif isinstance(frame, Refer):
            await self.endpoint.refer(self, chat, frame.org)
        elif isinstance(frame, Summary):
            continuity = self.ops.continuity
            saved = continuity is not None and await continuity.save_summary(chat, frame.text)
            self.send({"type": "summary_saved", "chat": chat.id, "saved": saved})

    async def _watch_request(self, frame: Watch | Unwatch) -> None:
        """A supervisor reads a chat someone else holds: read only, and audited."""
        if isinstance(frame, Unwatch):
            # Only a chat read as a watcher is let go: "released" for a chat this console
            # holds would tell it the chat had left its hands (it has not).
            if frame.chat in self.watching and not holds_chat(
                self.staff, await self.ops.store.load_chat(frame.chat)
            ):
                self._unwatch(frame.chat)
                self.send({"type": "released", "chat": frame.chat})
            return
        if not self.staff.can_supervise:
            self.send(frames.error("forbidden", chat=frame.chat))
            return
        chat = await self.ops.store.load_chat(frame.chat)
        if chat is None or chat.state is ChatState.ENDED:
            self.send(frames.error("not_found", chat=frame.chat))
            return
        await self.endpoint.audit.record(
            ChatWatched(staff=self.staff.username, chat=chat.id, holder=chat.counsellor or "")
        )
        if chat.id not in self.watching:
            await self.open_chat_view(chat)

    async def _accept(self, chat_id: str) -> None:
        limit = await self.endpoint.colleagues.limit_of(self.staff.username)
        try:
            chat = await self.ops.accept(chat_id, self.staff, limit=limit)
        except AtLimitError:
            self.send(frames.error("at_limit", chat=chat_id))
            return
        except PausedError:
            self.send(frames.error("paused"))
            return
        if chat is None:
            self.send(frames.error("already_taken", chat=chat_id))
            return
        await self.open_chat_view(chat)

    async def _transfer(self, chat: ChatRecord, to: str) -> None:
        if to == "queue":
            await self.ops.requeue(chat, self.staff)
            if self.ops.stats is not None:
                await self.ops.stats.record_handoff("queue")
            return
        await self.endpoint.colleagues.transfer(self, chat, to)


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
                    socket.deliver({"type": "released", "chat": chat.id})
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
        # socket and its pong are read however far behind its frames are (chat.lanes).
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
        await self.ops.hub.publish({"type": "referral", "card": card}, [to_visitor(chat.id)])
        if self.ops.stats is not None:
            await self.ops.stats.record_referral(org.id)
        socket.send({"type": "referred", "chat": chat.id, "org": org.id, "card": card})
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
                socket.send({"type": "inbox_thread", "record": frame.record, "items": items})
                return
            if isinstance(frame, InboxReply):
                await codes.reply(frame.record, frame.text)
                await self.audit.record(
                    InboxReplied(staff=socket.staff.username, record=frame.record)
                )
                socket.send({"type": "inbox_replied", "record": frame.record})
                log.info("inbox_replied", staff=socket.staff.username)
        except UnknownRecordError:
            raise FrameError("bad_field", "record") from None
        socket.send(await self.inbox_frame())

    async def inbox_frame(self) -> frames.Frame:
        continuity = self.ops.continuity
        items = [] if continuity is None else await continuity.codes.unanswered()
        return {
            "type": "inbox",
            "items": [
                {
                    "record": item.record_id,
                    "waiting_since": frames.rfc3339(int(item.waiting_since.timestamp() * 1000)),
                    "unanswered": item.unanswered,
                }
                for item in items
            ],
        }

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
