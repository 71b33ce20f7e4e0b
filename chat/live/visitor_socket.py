"""One visitor's connection and the chat it carries: the ``/ws/visit`` socket's state.

It reads the frames the endpoint hands it, asks the state logic what is allowed
(chat.domain.protocol), calls the operations (chat.operations.conversations) and sends what
they answer. The only link to a chat is the chat id held in this object's memory and the
one-time resume token held in the page's memory. Return codes, left messages and the survey are in
``chat/live/visitor_codes.py``.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import TYPE_CHECKING, Final

import structlog
from starlette.websockets import WebSocket

from chat.domain.protocol import (
    ChatState,
    QueuedUpdateThrottle,
    visitor_msg_refusal,
)
from chat.domain.records import ChatRecord, StoredMessage
from chat.live import visitor_codes
from chat.live.connection import Connection
from chat.operations.continuity import Continuity, HeldCode, record_of
from chat.operations.events import to_visitor
from chat.operations.safety import BLOCKED
from chat.stores.base_store import ChatEndedError
from chat.texts.notices import REPORTING_DUTY_ID, reporting_duty_text
from chat.wire import outbound as frames
from chat.wire import server_frames
from chat.wire.inbound import (
    Away,
    End,
    Exit,
    ForgetCode,
    FrameError,
    Hello,
    LeaveMessage,
    NoticeAck,
    ReadReplies,
    ReturnCodeRequest,
    Survey,
    Typing,
    Urgent,
    VisitorFrame,
    VisitorMsg,
)

if TYPE_CHECKING:
    from chat.live.visitor_endpoint import VisitorEndpoint

log = structlog.get_logger(__name__)

# A resume from another connection took the chat over: the old socket closes with this
# (docs/protocol.md), and its page shows a neutral message instead of reconnecting.
CLOSE_REPLACED: Final = 4000
CLOSE_REPLACED_REASON: Final = "replaced"
# The hub event that tells the process holding a chat's old socket to let it go.
REPLACED_EVENT: Final = "_replaced"


def _with_state(chat: ChatRecord, state: ChatState, **changes: object) -> ChatRecord:
    from dataclasses import replace

    return replace(chat, state=state, **changes)  # type: ignore[arg-type]  # known fields only


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
        "ended_at",
        "endpoint",
        "held",
        "ops",
        "survey_done",
        "takeover",
        "throttle",
        "was_accepted",
    )

    def __init__(self, websocket: WebSocket, endpoint: VisitorEndpoint) -> None:
        self.endpoint = endpoint
        self.ops = endpoint.ops
        self.chat: ChatRecord | None = None
        self.throttle = QueuedUpdateThrottle()
        self.continuity: Continuity | None = endpoint.continuity
        self.held: HeldCode | None = None
        self.was_accepted = False
        self.ended_at: float | None = None
        self.code_checks = 0
        self.address = ""  # only to count chats per address; never stored or logged
        self.closing = False  # after a quick exit: frames already received are dropped
        self.survey_done = False
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

    # The hub calls this for every event addressed to our chat: keep our view of its state.
    def deliver(self, frame: frames.Frame) -> None:
        kind = frame.get("type")
        if kind == REPLACED_EVENT:
            if frame.get("_by") != self.takeover:
                self.replaced()
            return
        if self.chat is not None:
            if kind == "joined":
                self._set_state(ChatState.ACTIVE)
                self.was_accepted = True
                self.throttle.reset()
            elif kind == "queued":
                self._set_state(ChatState.WAITING)
                self.throttle.sent(int(frame.get("position", 1)), time.monotonic())
            elif kind == "ended":
                self._set_state(ChatState.ENDED)
                if frame.get("reason") == BLOCKED:  # nothing more of it: no code, no survey
                    self._detach()
                    self.chat = None
                    self.held = None
        self.connection.deliver(frame)

    def send(self, frame: frames.Frame) -> None:
        if frame.get("type") == "error":
            self.ops.metrics.error_sent(str(frame.get("code")))
        self.connection.deliver(frame)

    def replaced(self) -> None:
        """Another connection resumed this chat: a chat has one visitor socket. This one gets
        nothing more (it leaves the hub now) and closes with ``CLOSE_REPLACED``; the chat
        goes on on the new socket, so closing here must not start the grace period."""
        self._detach()
        self.chat = None
        self.closing = True
        self.connection.close_soon(CLOSE_REPLACED, CLOSE_REPLACED_REASON)

    def _set_state(self, state: ChatState) -> None:
        if self.chat is not None:
            if state is ChatState.ENDED and self.chat.state is not ChatState.ENDED:
                self.ended_at = self.ops.clock()
            self.chat = _with_state(self.chat, state)

    # -- frames --------------------------------------------------------------------------

    async def handle(self, frame: VisitorFrame) -> None:
        if isinstance(frame, Hello):
            await self._hello(frame)
        elif isinstance(frame, NoticeAck):
            await self._notice_ack(frame)
        elif isinstance(frame, VisitorMsg):
            await self._msg(frame)
        elif isinstance(frame, Typing):
            if self.chat is not None and self.chat.state is ChatState.ACTIVE:
                await self.ops.visitor_typing(self.chat.id)
        elif isinstance(frame, End | Exit):
            await self._leave("exit" if isinstance(frame, Exit) else "end")
        elif isinstance(frame, Away):
            if self.chat is not None and self.chat.state is not ChatState.ENDED:
                await self.ops.set_away(self.chat.id, frame.on)
        elif isinstance(frame, ReturnCodeRequest):
            await visitor_codes.send_return_code(self)
        elif isinstance(frame, Survey):
            await visitor_codes.record_survey(self, frame)
        elif isinstance(frame, ForgetCode | LeaveMessage | ReadReplies):
            await visitor_codes.answer_code_request(self, frame)
        elif isinstance(frame, Urgent):
            await self._urgent()

    async def _hello(self, hello: Hello) -> None:
        if self.chat is not None and self.chat.state is not ChatState.ENDED:
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
        counted = await self.continuity.counted_before(held) if held and self.continuity else 0
        chat, token = await self.ops.open_visitor_chat(
            hello, session_number=counted + 1, code_record=held.record.record_id if held else None
        )
        self.held = held
        self.was_accepted = False
        self.ended_at = None
        self.survey_done = False
        if held is not None and self.continuity is not None:
            await self.continuity.attach(chat, held, counted=False)
        self._attach(chat, delivered_up_to=0, own_floor=0)
        self.send(
            frames.welcome(chat.id, token, frames.session_of(chat, self.ops.config.session_cap))
        )
        if self.ops.needs_notice(chat):
            self.send(self._notice(chat))
        else:
            await self._admit(chat)
        if hello.urgent and self.endpoint.safety is not None and self._chat_open():
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
        self.was_accepted = chat.state is ChatState.ACTIVE or chat.counsellor is not None
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

    async def _notice_ack(self, ack: NoticeAck) -> None:
        if ack.id != REPORTING_DUTY_ID:
            raise FrameError("bad_field", "id")
        if self.chat is None or self.chat.state is not ChatState.NOTICE:
            return  # nothing to acknowledge (or already done): harmless
        await self.ops.ack_notice(self.chat)
        self.chat = _with_state(self.chat, ChatState.NOTICE, notice_acked=True)
        await self._admit(self.chat)

    async def _admit(self, chat: ChatRecord) -> None:
        admission = await self.ops.admit(chat)
        if admission.queued:
            self._set_state(ChatState.WAITING)
            self.throttle.sent(int(admission.frame["position"]), time.monotonic())
        else:
            self._set_state(ChatState.ENDED)
        self.send(admission.frame)

    async def _msg(self, msg: VisitorMsg) -> None:
        refusal = visitor_msg_refusal(self.chat.state if self.chat else None)
        if refusal is not None or self.chat is None:
            self.send(frames.error(refusal or "no_chat"))
            return
        try:
            result = await self.ops.post_visitor_message(self.chat, msg.id, msg.text)
        except ChatEndedError:
            self._set_state(ChatState.ENDED)
            self.send(frames.error("chat_ended"))
            return
        self.connection.tracker(self.chat.id).mark(result.seq)
        self.send(frames.ack(msg.id, result.seq))

    def _chat_open(self) -> bool:
        return self.chat is not None and self.chat.state is not ChatState.ENDED

    async def _urgent(self) -> None:
        """``{"type":"urgent"}``: the visitor is in danger now (the chat goes first)."""
        chat = self.chat
        if chat is None or chat.state is ChatState.ENDED or self.endpoint.safety is None:
            self.send(frames.error("no_chat"))
            return
        if not await self.endpoint.safety.mark_urgent(chat):
            self.send(frames.error("chat_ended"))

    async def _leave(self, how: str) -> None:
        if self.chat is None or self.chat.state is ChatState.ENDED:
            if how == "exit":
                self.closing = True
                await self.connection.websocket.close()
            return
        await self.ops.visitor_leaves(self.chat, "exit" if how == "exit" else "end")
        self._set_state(ChatState.ENDED)
        if how == "exit":
            self._detach()
            self.closing = True
            await self.connection.websocket.close()
        else:
            self.send(frames.ended("visitor"))

    async def disconnected(self) -> None:
        chat = self.chat
        self._detach()
        await self.connection.stop()
        if chat is not None and chat.state is not ChatState.ENDED:
            with contextlib.suppress(Exception):
                await self.ops.keep_alive([chat.id], grace_only=True)

    async def resync(self, stored: ChatRecord | None) -> None:
        """Catch up with what the store says, after events may have been lost."""
        chat = self.chat
        if chat is None or chat.state is ChatState.ENDED:
            return
        self.connection.replay(chat.id, self.connection.tracker(chat.id).watermark)
        if stored is None or stored.state is ChatState.ENDED:
            self.deliver(frames.ended((stored.ended_by if stored else None) or "system"))
        elif stored.state is ChatState.ACTIVE and chat.state is not ChatState.ACTIVE:
            self.deliver(frames.joined(stored.counsellor_name or ""))

    async def refresh_position(self, position: int | None, now: float) -> None:
        if self.chat is None or self.chat.state is not ChatState.WAITING or position is None:
            return
        if self.throttle.due(position, now):
            self.throttle.sent(position, now)
            self.send(frames.queued(position, await self.ops.eta(self.chat.channel, position)))
