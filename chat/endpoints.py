"""``/ws/visit``: the thin adapter between a visitor's socket and the chat's operations.

It reads frames, parses them once (chat.wire), asks the state logic what is allowed
(chat.protocol), calls the operations (chat.conversations) and sends what they answer. No
cookie, header or URL parameter identifies the visitor; the only link to a chat is the chat id
held in this socket's memory and the one-time resume token held in the page's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Collection
from typing import Final, Protocol

import structlog
from starlette.websockets import WebSocket

from chat import frames, limits
from chat.admission import AdmissionLine, LineFull
from chat.base_store import ChatEndedError
from chat.connection import Connection
from chat.continuity import Continuity, HeldCode, left_message_frame, record_of
from chat.conversations import LIVE_HEARTBEAT_SECS, Conversations
from chat.events import ALL_STAFF, to_visitor
from chat.inbound import CLOSE_POLICY, receive_text_frames
from chat.lanes import Lanes
from chat.lifecycle import running
from chat.notices import REPORTING_DUTY_ID, reporting_duty_text
from chat.origin import origin_allowed
from chat.protocol import (
    ChatState,
    QueuedUpdateThrottle,
    return_code_allowed,
    visitor_msg_refusal,
)
from chat.quiet_log import QuietLog
from chat.records import ChatRecord, StoredMessage
from chat.safety import BLOCKED, Safety
from chat.survey import valid_answers
from chat.wire import (
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
    parse_visitor_frame,
)
from security.address_limits import AddressLimits

log = structlog.get_logger(__name__)
quiet = QuietLog(__name__)


class SurveyRecorder(Protocol):
    async def record_survey(self, answers: dict[str, str]) -> None: ...


SWEEP_INTERVAL_SECS: Final = 0.5
# Each code check costs an argon2id run (~0.1 s of CPU): bound them per connection.
MAX_CODE_CHECKS_PER_CONNECTION: Final = limits.MAX_CODE_CHECKS_PER_CONNECTION
QUEUE_REFRESH_SECS: Final = 5.0
# Positions are looked up again at most this often (protocol.md: `queued` at most once a
# second per visitor), however many chats arrive or leave meanwhile.
QUEUE_REFRESH_MIN_SECS: Final = 0.5
# A resume from another connection took the chat over: the old socket closes with this
# (docs/protocol.md), and its page shows a neutral message instead of reconnecting.
CLOSE_REPLACED: Final = 4000
CLOSE_REPLACED_REASON: Final = "replaced"
# The hub event that tells the process holding a chat's old socket to let it go.
REPLACED_EVENT: Final = "_replaced"
# A visitor's frames waiting to be handled (chat.lanes): the reader slows down past the first,
# refuses past the second; the rate limit (10/s, burst 20) keeps a page well below both.
VISITOR_BACKLOG: Final = 32
VISITOR_BACKLOG_MAX: Final = 128


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
            await self._return_code()
        elif isinstance(frame, Survey):
            await self._survey(frame)
        elif isinstance(frame, ForgetCode | LeaveMessage | ReadReplies):
            await self._code_request(frame)
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
        held = await self._check_code(hello.return_code) if hello.return_code else None
        if hello.return_code and held is None:
            self.send(frames.error("unknown_return_code"))
        counted = await self.continuity.counted_before(held) if held and self.continuity else 0
        chat = await self.ops.open_chat(
            hello, session_number=counted + 1, code_record=held.record.record_id if held else None
        )
        self.held = held
        self.was_accepted = False
        self.ended_at = None
        self.survey_done = False
        if held is not None and self.continuity is not None:
            await self.continuity.attach(chat, held, counted=False)
        self._attach(chat, delivered_up_to=0, own_floor=0)
        token = await self.ops.store.issue_resume_token(chat.id)
        self.send(
            frames.welcome(chat.id, token, frames.session_of(chat, self.ops.config.session_cap))
        )
        if self.ops.needs_notice(chat):
            self.send(self._notice(chat))
        else:
            await self._admit(chat)
        if hello.urgent and self.endpoint.safety is not None and self._chat_open():
            await self.endpoint.safety.alert(chat)

    def _notice(self, chat: ChatRecord) -> frames.Frame:
        return {"type": "notice", "id": REPORTING_DUTY_ID, "text": reporting_duty_text(chat.lang)}

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
            self.send({"type": "joined", "counsellor": chat.counsellor_name or ""})

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

    async def _check_code(self, text: str) -> HeldCode | None:
        if self.continuity is None or self.code_checks >= MAX_CODE_CHECKS_PER_CONNECTION:
            return None
        self.code_checks += 1
        return await self.continuity.find(text)

    async def _return_code(self) -> None:
        chat = self.chat
        if chat is None or self.continuity is None:
            self.send(frames.error("no_chat"))
            return
        if not return_code_allowed(chat.state, self.ended_at, self.ops.clock()):
            self.send(frames.error("too_late"))
            return
        if self.held is None:
            self.held = await self.continuity.issue_for(chat, counted=self.was_accepted)
        used = await self.continuity.sessions_used(self.held)
        self.send(
            {
                "type": "return_code",
                "code": self.continuity.display(self.held),
                "sessions_used": used,
                "cap": self.ops.config.session_cap,
            }
        )

    async def _survey(self, survey: Survey) -> None:
        if self.chat is None or self.chat.state is not ChatState.ENDED or self.survey_done:
            self.send(frames.error("no_survey"))
            return
        answers = valid_answers(survey.answers)
        if answers is None:
            raise FrameError("bad_field", "answers")
        self.survey_done = True
        if self.endpoint.stats is not None:
            await self.endpoint.stats.record_survey(answers)
        self.send({"type": "survey_received"})

    async def _code_request(self, frame: ForgetCode | LeaveMessage | ReadReplies) -> None:
        if self.continuity is None:
            self.send(frames.error("not_available"))
            return
        if isinstance(frame, ForgetCode):
            if self.code_checks >= MAX_CODE_CHECKS_PER_CONNECTION:
                self.send(frames.error("rate_limited"))
                return
            self.code_checks += 1
            forgotten = await self.continuity.forget(frame.code)
            if forgotten and self.held is not None:
                self.held = None
            self.send({"type": "code_forgotten", "forgotten": forgotten})
            return
        if isinstance(frame, LeaveMessage) and frame.code is None:
            code, record = await self.continuity.codes.issue()
            held: HeldCode | None = HeldCode(code, record)
        else:
            held = await self._check_code(frame.code or "")
        if held is None:
            self.send(frames.error("unknown_return_code"))
            return
        if isinstance(frame, LeaveMessage):
            await self.continuity.leave_message(held, frame.text)
            self.send({"type": "message_left", "code": self.continuity.display(held)})
            await self.ops.hub.publish({"type": "inbox_changed"}, [ALL_STAFF])
        else:
            items = [left_message_frame(m) for m in await self.continuity.thread(held)]
            self.send({"type": "replies", "items": items})

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
            self.deliver({"type": "joined", "counsellor": stored.counsellor_name or ""})

    async def refresh_position(self, position: int | None, now: float) -> None:
        if self.chat is None or self.chat.state is not ChatState.WAITING or position is None:
            return
        if self.throttle.due(position, now):
            self.throttle.sent(position, now)
            self.send(frames.queued(position, await self.ops.eta(self.chat.channel, position)))


def _may_have_moved(socket: VisitorSocket, moved: dict[str, int]) -> bool:
    """Whether this waiting visitor is at or behind a position that moved."""
    if socket.chat is None:
        return False
    start = moved.get(socket.chat.channel)
    if start is None:
        return False
    last = socket.throttle.last_position
    return last is None or last >= start


def _with_state(chat: ChatRecord, state: ChatState, **changes: object) -> ChatRecord:
    from dataclasses import replace

    return replace(chat, state=state, **changes)  # type: ignore[arg-type]  # known fields only


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
        self.safety: Safety | None = None  # set by the service (chat/safety.py)
        # New visitors wait their turn here; chats in progress never do (chat.admission).
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
        # long the frames take to handle (chat.lanes).
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
            socket.send({"type": "unavailable", "reason": "full"})
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
            and s.chat.state is ChatState.WAITING
            and (moved_all or _may_have_moved(s, moved))
        ]
        if not waiting:
            return
        positions = await self.ops.store.queue_positions(
            [(s.chat.id, s.chat.channel) for s in waiting if s.chat is not None]
        )
        now = time.monotonic()
        pending = False
        for socket in waiting:
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
                        cid
                        for cid, s in self.sockets.items()
                        if s.chat and s.chat.state is not ChatState.ENDED
                    ]
                    await self.ops.keep_alive(live)
                    last_beat = now
                await self.ops.end_abandoned()
            except Exception as exc:
                log.warning("liveness_sweep_failed", error=type(exc).__name__)
            await asyncio.sleep(SWEEP_INTERVAL_SECS)
