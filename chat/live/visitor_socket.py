"""One visitor's connection and the chat it carries: the ``/ws/visit`` socket's state.

It is the shell of the visitor's session machine (chat/domain/visitor_machine.py): each frame the
endpoint hands it, and each event the hub delivers, goes to the machine, and the shell carries
out the effects the machine returns through the operations (chat.operations.conversations). The
socket's state is the machine's; nothing here writes it. The only link to a chat is the chat id
held in this object's memory and the one-time resume token held in the page's memory. Return
codes and left messages are in ``chat/live/visitor_codes.py``.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Final

import structlog
from starlette.websockets import WebSocket

from chat.domain.protocol import ChatState, IllegalTransitionError, QueuedUpdateThrottle
from chat.domain.records import ChatRecord, StoredMessage
from chat.domain.visitor_machine import (
    AckNotice,
    Effect,
    EndChat,
    Enqueue,
    OpenChat,
    PublishAway,
    PublishTyping,
    SaveSurvey,
    Send,
    StoreMessage,
    VisitorMachine,
)
from chat.live import visitor_codes
from chat.live.connection import Connection
from chat.live.quiet_log import QuietLog
from chat.operations.continuity import Continuity, HeldCode, record_of
from chat.operations.events import to_visitor
from chat.operations.safety import BLOCKED
from chat.stores.base_store import ChatEndedError
from chat.texts.notices import REPORTING_DUTY_ID, reporting_duty_text
from chat.wire import outbound as frames
from chat.wire import server_frames
from chat.wire.inbound import (
    Exit,
    ForgetCode,
    FrameError,
    Hello,
    LeaveMessage,
    NoticeAck,
    ReadReplies,
    ReturnCodeRequest,
    Urgent,
    VisitorFrame,
)

if TYPE_CHECKING:
    from chat.live.visitor_endpoint import VisitorEndpoint

log = structlog.get_logger(__name__)
quiet = QuietLog(__name__)

# A resume from another connection took the chat over: the old socket closes with this
# (docs/protocol.md), and its page shows a neutral message instead of reconnecting.
CLOSE_REPLACED: Final = 4000
CLOSE_REPLACED_REASON: Final = "replaced"
# The hub event that tells the process holding a chat's old socket to let it go.
REPLACED_EVENT: Final = "_replaced"


class VisitorSocket:
    """One visitor connection and the chat it carries, if any."""

    # Slots: thousands wait at once, and every KiB per waiting visitor counts (docs/performance.md).
    __slots__ = (
        "address",
        "chat",
        "closing",
        "code_checks",
        "connection",
        "continuity",
        "endpoint",
        "held",
        "machine",
        "ops",
        "takeover",
        "throttle",
    )

    def __init__(self, websocket: WebSocket, endpoint: VisitorEndpoint) -> None:
        self.endpoint = endpoint
        self.ops = endpoint.ops
        self.chat: ChatRecord | None = None
        self.throttle = QueuedUpdateThrottle()
        self.continuity: Continuity | None = endpoint.continuity
        self.held: HeldCode | None = None
        self.machine = VisitorMachine()
        self.code_checks = 0
        self.address = ""  # only to count chats per address; never stored or logged
        self.closing = False  # after a quick exit: frames already received are dropped
        self.takeover: str | None = None  # set by a resume: which socket holds the chat now
        self.connection = Connection(
            websocket,
            own_author="visitor",
            read_after=self.ops.store.read_messages,
            frame_message=self._frame_message,
        )

    @staticmethod
    def _frame_message(chat_id: str, message: StoredMessage) -> frames.Frame:
        return frames.msg(message, tracked_chat=chat_id)

    # The hub calls this for every event addressed to our chat: the machine moves with it.
    def deliver(self, frame: frames.Frame) -> None:
        kind = frame.get("type")
        if kind == REPLACED_EVENT:
            if frame.get("_by") != self.takeover:
                self.replaced()
            return
        if self.chat is None:
            return
        if kind == "ended" and frame.get("reason") == BLOCKED:
            # Nothing more of a blocked chat, whatever this socket thought of it: no code,
            # no survey, no resume.
            self._let_go()
            self.held = None
            self.connection.deliver(frame)
            return
        if not self.machine.is_open():
            return  # late (a typing after the end): the page has shown the end already
        try:
            effects = self.machine.deliver(frame, self.ops.clock())
        except IllegalTransitionError as exc:
            # Out of order (a joined before the notice): the store is the truth, and a resync
            # or the next event brings this socket back in line with it.
            quiet.error("visitor_event_out_of_state", exc)
            return
        if kind == "joined":
            self.throttle.reset()
        elif kind == "queued":
            self.throttle.sent(int(frame.get("position", 1)), time.monotonic())
        self._sync_record()
        for effect in effects:
            if isinstance(effect, Send):
                self.connection.deliver(effect.frame)

    def send(self, frame: frames.Frame) -> None:
        if frame.get("type") == "error":
            self.ops.metrics.error_sent(str(frame.get("code")))
        self.connection.deliver(frame)

    def replaced(self) -> None:
        """Another connection resumed this chat: a chat has one visitor socket. This one gets
        nothing more (it leaves the hub now) and closes with ``CLOSE_REPLACED``; the chat
        goes on on the new socket, so closing here must not start the grace period."""
        self._let_go()
        self.closing = True
        self.connection.close_soon(CLOSE_REPLACED, CLOSE_REPLACED_REASON)

    def _let_go(self) -> None:
        """This socket holds no chat any more (blocked, or resumed on another socket)."""
        self._detach()
        self.chat = None
        self.machine.forget()

    def _sync_record(self) -> None:
        """Keep the record's copy of the state equal to the machine's, for the operations
        that read it."""
        state = self.machine.state
        if self.chat is not None and state is not None and self.chat.state is not state:
            self.chat = replace(self.chat, state=state)

    # -- frames --------------------------------------------------------------------------

    async def handle(self, frame: VisitorFrame) -> None:
        if isinstance(frame, Hello):
            await self._hello(frame)
        elif isinstance(frame, ReturnCodeRequest):
            await visitor_codes.send_return_code(self)
        elif isinstance(frame, ForgetCode | LeaveMessage | ReadReplies):
            await visitor_codes.answer_code_request(self, frame)
        elif isinstance(frame, Urgent):
            await self._urgent()
        else:
            if isinstance(frame, NoticeAck) and frame.id != REPORTING_DUTY_ID:
                raise FrameError("bad_field", "id")
            before = self.machine.state
            effects = self.machine.receive(frame, self.ops.clock())
            if isinstance(frame, Exit) and not effects:
                await self._close_after_exit()  # a quick exit with no chat open: just go
                return
            await self._carry_out(effects, before)

    async def _carry_out(self, effects: list[Effect], before: ChatState | None) -> None:
        """Do what the machine asked, in order. ``before`` is the state the frame found (the
        enqueue script checks the chat is still in it)."""
        self._sync_record()
        for effect in effects:
            chat = self.chat
            if isinstance(effect, Send):
                self.send(effect.frame)
            elif chat is None:
                continue  # every other effect concerns the chat, and there is none
            elif isinstance(effect, AckNotice):
                await self.ops.ack_notice(chat)
                self.chat = replace(chat, notice_acked=True)
            elif isinstance(effect, Enqueue):
                await self._admit(replace(chat, state=before or chat.state))
            elif isinstance(effect, StoreMessage):
                await self._store_message(chat, effect)
            elif isinstance(effect, PublishTyping):
                await self.ops.visitor_typing(chat.id)
            elif isinstance(effect, PublishAway):
                await self.ops.set_away(chat.id, effect.on)
            elif isinstance(effect, EndChat):
                await self._end(chat, effect)
            elif isinstance(effect, SaveSurvey) and self.endpoint.stats is not None:
                await self.endpoint.stats.record_survey(effect.answers)
            # OpenChat needs what only _hello holds (the code, the token): it carries it out.

    async def _hello(self, hello: Hello) -> None:
        if self.machine.is_open():
            self.send(frames.error("chat_open"))
            return
        if hello.resume is not None:
            await self._resume(hello)
            return
        limits = self.endpoint.address_limits
        if limits is not None and not await limits.allow(
            self.address, "chat", limits.chats_per_minute
        ):
            self.send(frames.error("rate_limited"))
            return
        held = (
            await visitor_codes.check_code(self, hello.return_code) if hello.return_code else None
        )
        if hello.return_code and held is None:
            self.send(frames.error("unknown_return_code"))
        effects = self.machine.receive(hello, self.ops.clock())
        opened = next((e for e in effects if isinstance(e, OpenChat)), None)
        if opened is None:  # refused by the machine (its own reply is among the effects)
            await self._carry_out(effects, None)
            return
        counted = await self.continuity.counted_before(held) if held and self.continuity else 0
        chat, token = await self.ops.open_visitor_chat(
            hello, session_number=counted + 1, code_record=held.record.record_id if held else None
        )
        self.held = held
        if held is not None and self.continuity is not None:
            await self.continuity.attach(chat, held, counted=False)
        self._attach(chat, delivered_up_to=0, own_floor=0)
        self.send(
            frames.welcome(chat.id, token, frames.session_of(chat, self.ops.config.session_cap))
        )
        if opened.state is ChatState.NOTICE:
            self.send(self._notice(chat))
        await self._carry_out([e for e in effects if e is not opened], opened.state)
        if hello.urgent and self.endpoint.safety is not None and self.machine.is_open():
            await self.endpoint.safety.alert(chat)

    def _notice(self, chat: ChatRecord) -> server_frames.Notice:
        return frames.notice(REPORTING_DUTY_ID, reporting_duty_text(chat.lang))

    async def _resume(self, hello: Hello) -> None:
        if hello.resume is None:
            return
        chat_id = await self.ops.store.redeem_resume_token(hello.resume.token)
        chat = await self.ops.store.load_chat(chat_id) if chat_id else None
        if chat is None or chat.state is ChatState.ENDED:
            self.send(frames.error("resume_failed"))
            return
        await self._take_over(chat.id)
        floor = await self.ops.store.message_count(chat.id)
        self._attach(chat, delivered_up_to=hello.resume.last_seq, own_floor=floor)
        self.machine.resumed(chat.state, accepted=chat.counsellor is not None)
        if chat.code_record:
            code = await self.ops.store.open_secret(chat.id, "rc")
            if code is not None:
                self.held = HeldCode(code, record_of(chat.code_record))  # type: ignore[arg-type]  # a stored normalised code
        await self.ops.keep_alive([chat.id])
        token = await self.ops.store.issue_resume_token(chat.id)
        self.send(
            frames.welcome(chat.id, token, frames.session_of(chat, self.ops.config.session_cap))
        )
        self.connection.replay(chat.id, hello.resume.last_seq)
        await self._send_current_state(chat)
        log.info("chat_resumed", chat=chat.id)

    async def _take_over(self, chat_id: str) -> None:
        """Let go of the chat's other socket, wherever it is, before this one attaches: here
        at once, in another process through the hub (this socket ignores its own event)."""
        self.takeover = secrets.token_urlsafe(9)
        old = self.endpoint.sockets.get(chat_id)
        if old is not None and old is not self:
            old.replaced()
        await self.ops.hub.publish(
            {"type": REPLACED_EVENT, "_by": self.takeover}, [to_visitor(chat_id)]
        )

    async def _send_current_state(self, chat: ChatRecord) -> None:
        if chat.state is ChatState.NOTICE:
            self.send(self._notice(chat))
        elif chat.state is ChatState.WAITING:
            positions = await self.ops.store.queue_positions([(chat.id, chat.channel)])
            position = positions.get(chat.id) or 1
            self.throttle.sent(position, time.monotonic())
            self.send(frames.queued(position, await self.ops.eta(chat.channel, position)))
        elif chat.state is ChatState.ACTIVE:
            self.send(frames.joined(chat.counsellor_name or ""))

    def _attach(self, chat: ChatRecord, *, delivered_up_to: int, own_floor: int) -> None:
        self._detach()
        self.chat = chat
        self.throttle.reset()
        self.connection.start_tracking(chat.id, delivered_up_to, own_floor)
        self.ops.hub.register_visitor(chat.id, self)
        self.endpoint.sockets[chat.id] = self

    def _detach(self) -> None:
        if self.chat is not None:
            self.ops.hub.unregister_visitor(self.chat.id, self)
            if self.endpoint.sockets.get(self.chat.id) is self:
                del self.endpoint.sockets[self.chat.id]
            self.connection.forget_chat(self.chat.id)

    async def _admit(self, chat: ChatRecord) -> None:
        admission = await self.ops.admit(chat)
        if admission.queued and self.machine.state is not ChatState.WAITING:
            return  # a counsellor took it (or it ended) while it was being queued: old news
        self.machine.admitted(admission.queued, self.ops.clock())
        self._sync_record()
        if admission.queued:
            self.throttle.sent(int(admission.frame["position"]), time.monotonic())
        self.send(admission.frame)

    async def _store_message(self, chat: ChatRecord, msg: StoreMessage) -> None:
        try:
            result = await self.ops.post_visitor_message(chat, msg.id, msg.text)
        except ChatEndedError:
            self.machine.store_ended(self.ops.clock())
            self._sync_record()
            self.send(frames.error("chat_ended"))
            return
        self.connection.tracker(chat.id).mark(result.seq)
        self.send(frames.ack(msg.id, result.seq))

    async def _urgent(self) -> None:
        """``{"type":"urgent"}``: the visitor is in danger now (the chat goes first)."""
        chat = self.chat
        if chat is None or not self.machine.is_open() or self.endpoint.safety is None:
            self.send(frames.error("no_chat"))
            return
        if not await self.endpoint.safety.mark_urgent(chat):
            self.send(frames.error("chat_ended"))

    async def _end(self, chat: ChatRecord, end: EndChat) -> None:
        """The visitor ended the chat (``end``) or left it at once (``exit``)."""
        await self.ops.visitor_leaves(chat, end.how)
        if end.how == "exit":
            self._detach()
            await self._close_after_exit()
        else:
            self.send(frames.ended("visitor"))

    async def _close_after_exit(self) -> None:
        self.closing = True
        await self.connection.websocket.close()

    async def disconnected(self) -> None:
        chat = self.chat
        self._detach()
        await self.connection.stop()
        if chat is not None and self.machine.is_open():
            with contextlib.suppress(Exception):
                await self.ops.keep_alive([chat.id], grace_only=True)

    async def resync(self, stored: ChatRecord | None) -> None:
        """Catch up with what the store says, after events may have been lost."""
        chat = self.chat
        if chat is None or not self.machine.is_open():
            return
        self.connection.replay(chat.id, self.connection.tracker(chat.id).watermark)
        if stored is None or stored.state is ChatState.ENDED:
            self.deliver(frames.ended((stored.ended_by if stored else None) or "system"))
        elif stored.state is ChatState.ACTIVE and self.machine.state is not ChatState.ACTIVE:
            self.deliver(frames.joined(stored.counsellor_name or ""))

    async def refresh_position(self, position: int | None, now: float) -> None:
        if self.chat is None or self.machine.state is not ChatState.WAITING or position is None:
            return
        if self.throttle.due(position, now):
            self.throttle.sent(position, now)
            self.send(frames.queued(position, await self.ops.eta(self.chat.channel, position)))
