"""One counsellor's (or supervisor's) live connection: the chats it holds and their actions.

Frames for a chat reach it because it "watches" the chat in the event hub while it holds it;
an ``assigned`` arriving from the hub (a warm transfer) makes it start watching, a
``released`` or ``ended`` makes it stop. The route that admits it is
:mod:`counsellor_console.live.console_endpoint`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from starlette.websockets import WebSocket

from chat.api import AtLimitError, ChatEndedError, Connection, NotYoursError, PausedError, QuietLog
from chat.core_api import (
    Accept,
    Block,
    ChatRecord,
    ChatState,
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
    StoredMessage,
    Summary,
    Transfer,
    Typing,
    Unwatch,
    Watch,
    Whisper,
    frames,
)
from counsellor_console.domain.audit import ChatWatched
from counsellor_console.live.supervision import UNLESS_WATCHING, holds_chat
from security.roles import StaffIdentity

if TYPE_CHECKING:
    from counsellor_console.live.console_endpoint import ConsoleEndpoint

log = structlog.get_logger(__name__)
quiet = QuietLog(__name__)


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
            self.send(frames.note(chat.id, note.text, note.author, note.at_ms))
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
            self.send(frames.summary_saved(chat.id, saved))

    async def _watch_request(self, frame: Watch | Unwatch) -> None:
        """A supervisor reads a chat someone else holds: read only, and audited."""
        if isinstance(frame, Unwatch):
            # Only a chat read as a watcher is let go: "released" for a chat this console
            # holds would tell it the chat had left its hands (it has not).
            if frame.chat in self.watching and not holds_chat(
                self.staff, await self.ops.store.load_chat(frame.chat)
            ):
                self._unwatch(frame.chat)
                self.send(frames.released(frame.chat))
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
