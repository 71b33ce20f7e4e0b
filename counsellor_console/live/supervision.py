"""Console 1.1: supervisors in a chat (``chats``, ``whisper``) and the counsellor's safety
actions (``escalate``, ``block``), plus the risk guide's answers kept with the chat (``risk``).

Who may do what is decided here; the chat side (what is stored, who is told) is in
chat/operations/safety.py. Every action is audited without its text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from typing import Any, Final, Protocol

import structlog

from chat.api import ChatEndedError, ChatInProgress, Safety, running, to_chat_staff, to_staff
from chat.core_api import (
    Block,
    ChatRecord,
    ChatState,
    Escalate,
    FrameError,
    RiskUpdate,
    Whisper,
    frames,
)
from counsellor_console.domain.riskguide import (
    RiskAnswersError,
    advise,
    escalation_as_json,
    parse_answers,
    pointing_questions,
)
from counsellor_console.domain.safety_audit import ChatBlocked, ChatEscalated, WhisperSent
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.store import StaffStore
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)

CHATS_MIN_INTERVAL_SECS: Final = 1.0  # protocol.md: at most once a second
CHATS_REFRESH_SECS: Final = 15.0  # started_s moves on even when nothing else changes
WHISPER: Final = "w"
RISK: Final = "r"
RISK_COUNTED_FLAG: Final = "risk_counted"
#: A whisper published to a whisperer's own consoles names the chat here; a console that
#: watches the chat already has it from the chat's own event and drops this copy.
UNLESS_WATCHING: Final = "_unless_watching"

SupervisionFrame = Whisper | Escalate | Block | RiskUpdate


class StaffSocket(Protocol):
    staff: StaffIdentity
    watching: set[str]

    def send(self, frame: frames.Frame) -> None: ...


def chats_item(chat: ChatInProgress, now_ms: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "chat": chat.chat,
        "counsellor": chat.counsellor,
        "channel": chat.channel,
        "lang": chat.lang,
        "started_s": max(0, (now_ms - chat.accepted_ms) // 1000) if chat.accepted_ms else 0,
        "urgent": chat.urgent,
        "heavy": chat.heavy,
    }
    if chat.escalation:
        item["escalation"] = chat.escalation
    return item


class Supervision:
    def __init__(
        self,
        safety: Safety,
        staff_store: StaffStore,
        audit: AuditLog,
        sockets: Collection[StaffSocket],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.safety = safety
        self.ops = safety.ops
        self.staff_store = staff_store
        self.audit = audit
        self.sockets = sockets
        self.clock = clock

    # -- frames ----------------------------------------------------------------------------

    async def handle(self, socket: StaffSocket, frame: SupervisionFrame) -> None:
        if isinstance(frame, Whisper):
            await self._whisper(socket, frame)
        elif isinstance(frame, RiskUpdate):
            await self._risk(socket, frame)
        else:
            chat = await self.ops.store.load_chat(frame.chat)
            if chat is None or not holds_chat(socket.staff, chat):
                socket.send(frames.error("not_yours", chat=frame.chat))
                return
            if isinstance(frame, Escalate):
                await self._escalate(socket, chat, frame.level)
            else:
                await self._block(socket, chat)

    async def _whisper(self, socket: StaffSocket, frame: Whisper) -> None:
        staff = socket.staff
        chat = await self.ops.store.load_chat(frame.chat)
        holds = holds_chat(staff, chat)
        if not holds and not staff.can_supervise:
            socket.send(frames.error("forbidden"))
            return
        if chat is None or chat.state is not ChatState.ACTIVE:
            socket.send(frames.error("not_found", chat=frame.chat))
            return
        record = {"f": staff.username, "n": staff.display_name, "t": frame.text}
        if not holds:
            record["s"] = "1"  # a supervisor's: they hear the replies
        try:
            at = await self.ops.store.add_staff_record(chat.id, WHISPER, record)
            whispered = await self.ops.store.read_staff_records(chat.id, WHISPER)
        except ChatEndedError:
            socket.send(frames.error("not_found", chat=frame.chat))
            return
        out = whisper_frame(chat.id, staff.display_name, frame.text, at)
        await self.ops.hub.publish(out, [to_chat_staff(chat.id)])
        supervisors = sorted({str(r["f"]) for r in whispered if r.get("s")} - {chat.counsellor})
        if supervisors:
            await self.ops.hub.publish(
                {**out, UNLESS_WATCHING: chat.id}, [to_staff(u) for u in supervisors]
            )
        await self.audit.record(
            WhisperSent(staff=staff.username, chat=chat.id, holder=chat.counsellor or "")
        )
        log.info("whisper_sent", chat=chat.id, staff=staff.username)

    async def _escalate(self, socket: StaffSocket, chat: ChatRecord, level: str) -> None:
        kept = await self.safety.escalate(chat, level)
        if kept is None:
            socket.send(frames.error("not_yours", chat=chat.id))
            return
        at = frames.rfc3339(int(self.clock() * 1000))
        escalation = frames.escalation(chat.id, socket.staff.display_name, level, at)
        supervisors = await self.supervisors_online()
        if supervisors:
            await self.ops.hub.publish(escalation, [to_staff(u) for u in supervisors])
        socket.send(frames.escalated(chat.id, kept, at))
        await self.audit.record(
            ChatEscalated(staff=socket.staff.username, chat=chat.id, level=level)
        )
        log.info("chat_escalated", chat=chat.id, staff=socket.staff.username, level=level)

    async def _block(self, socket: StaffSocket, chat: ChatRecord) -> None:
        if not await self.safety.block(chat):
            socket.send(frames.error("not_yours", chat=chat.id))
            return
        await self.audit.record(ChatBlocked(staff=socket.staff.username, chat=chat.id))

    async def _risk(self, socket: StaffSocket, frame: RiskUpdate) -> None:
        """Read, change or count the chat's risk-guide answers; the advice is worked out here,
        never in the page. Changing and counting are for the chat's counsellor."""
        staff = socket.staff
        chat = await self.ops.store.load_chat(frame.chat)
        holds = holds_chat(staff, chat)
        changes = frame.answers is not None or frame.count
        if (
            chat is None
            or chat.state is not ChatState.ACTIVE
            or not (holds or (staff.can_supervise and not changes))
        ):
            socket.send(frames.error("not_yours", chat=frame.chat))
            return
        try:
            if frame.answers is not None:
                answers = {k: v.value for k, v in parse_answers(frame.answers).items()}
                await self.ops.store.add_staff_record(chat.id, RISK, {"ans": answers})
            else:
                answers = await self._risk_answers(chat.id)
        except RiskAnswersError as exc:
            raise FrameError("bad_field", exc.field) from None
        except ChatEndedError:
            socket.send(frames.error("not_yours", chat=frame.chat))
            return
        counted = await self.safety.store.flag(chat.id, RISK_COUNTED_FLAG)
        if frame.count and answers and not counted:
            won = await self.ops.store.claim_flag(chat.id, RISK_COUNTED_FLAG)
            if won and self.ops.stats is not None:
                await self.ops.stats.record_risk(answers)
            counted = True
        state = risk_frame(chat.id, answers, counted)
        if changes:
            await self.ops.hub.publish(state, [to_chat_staff(chat.id)])
            if chat.id not in socket.watching:
                socket.send(state)
        else:
            socket.send(state)

    async def _risk_answers(self, chat_id: str) -> dict[str, str]:
        records = await self.ops.store.read_staff_records(chat_id, RISK)
        if not records:
            return {}
        latest = records[-1].get("ans")
        return {str(k): str(v) for k, v in latest.items()} if isinstance(latest, dict) else {}

    # -- views -----------------------------------------------------------------------------

    async def replay(self, socket: StaffSocket, chat: ChatRecord) -> None:
        """A chat's whispers, for a console that opens it (a reload, a supervisor's watch)."""
        if not (holds_chat(socket.staff, chat) or socket.staff.can_supervise):
            return
        for record in await self.ops.store.read_staff_records(chat.id, WHISPER):
            socket.send(
                whisper_frame(chat.id, str(record.get("n", "")), str(record["t"]), record["a"])
            )

    async def supervisors_online(self) -> list[str]:
        out = []
        for username in await self.staff_store.online_staff():
            account = await self.staff_store.load_user(username)
            if account is not None and not account.disabled and account.identity().can_supervise:
                out.append(username)
        return out

    async def chats_frame(self) -> frames.Frame:
        chats = await self.safety.store.in_progress(await self.staff_store.list_users())
        now = int(self.clock() * 1000)
        return frames.chats([chats_item(c, now) for c in chats])

    async def greet(self, socket: StaffSocket) -> None:
        """On connect: a supervisor's first ``chats``."""
        if socket.staff.can_supervise:
            socket.send(await self.chats_frame())

    async def broadcast_chats(self) -> None:
        """Every second, this process's supervisors get ``chats`` if it changed (every
        process reads the same store, so a change anywhere reaches everyone)."""
        last: list[dict[str, Any]] | None = None
        sent_at = 0.0
        while running():
            await asyncio.sleep(CHATS_MIN_INTERVAL_SECS)
            targets = [s for s in list(self.sockets) if s.staff.can_supervise]
            if not targets:
                last = None
                continue
            try:
                frame = await self.chats_frame()
            except Exception as exc:
                log.warning("chats_broadcast_failed", error=type(exc).__name__)
                continue
            shape = [{k: v for k, v in i.items() if k != "started_s"} for i in frame["items"]]
            now = time.monotonic()
            if shape == last and now - sent_at < CHATS_REFRESH_SECS:
                continue
            last, sent_at = shape, now
            for socket in targets:
                socket.send(frame)


def holds_chat(staff: StaffIdentity, chat: ChatRecord | None) -> bool:
    """Whether ``staff`` holds the chat now (a console's ``watching`` has its own chats too)."""
    return chat is not None and chat.state is ChatState.ACTIVE and chat.counsellor == staff.username


def whisper_frame(chat_id: str, by: str, text: str, at_ms: int) -> frames.Frame:
    return frames.whisper(chat_id, by, text, int(at_ms))


def risk_frame(chat_id: str, answers: dict[str, str], counted: bool) -> frames.Frame:
    """``{"type":"risk","chat","answers","advice":[..],"counted"}``: the advice is the server's
    (counsellor_console.domain.riskguide.advise), with the questions that point to each."""
    parsed = parse_answers(answers)
    advice = [
        {**escalation_as_json(e), "because": pointing_questions(parsed, e.key)}
        for e in advise(parsed)
    ]
    return frames.risk(chat_id, answers, advice, counted)
