"""The chat's operations, as both endpoints use them: store first, then tell the sockets.

Every operation stores before it announces, so an acknowledged message is never lost and a
process may die between the two without harm (the other side catches up from the store).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final, Literal

import structlog

from chat.domain.config import ChatConfig
from chat.domain.metrics_hooks import NO_METRICS, ChatMetrics
from chat.domain.protocol import (
    ChatState,
    EndedBy,
    departure_interval_secs,
    initial_state,
    wait_for_position,
)
from chat.domain.records import AppendResult, ChatRecord, StoredMessage
from chat.operations.continuity import Continuity
from chat.operations.events import STAFF_CHANGED, EventHub, to_chat_staff, to_visitor
from chat.stores.base_store import SEQ_MARK, Announcer, ChatEndedError
from chat.stores.floor_store import FloorStore
from chat.stores.stats_store import StatsRecorder
from chat.stores.store import ChatStore
from chat.texts.system_texts import requeue_text
from chat.wire import outbound as frames
from chat.wire.inbound import Hello
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)

LeaveHow = Literal["end", "exit", "timeout"]
LIVE_HEARTBEAT_SECS: Final = 2
# How long a chat outlives a process that died holding its visitor's socket, on top of the
# grace period: two missed heartbeats. One ZADD of all of a process's chats every 2 s is cheap.
LIVE_MARGIN_SECS: Final = 5
# The estimate's inputs are read at most this often per channel and process: every waiting
# visitor's ``queued`` carries one, and they must not cost a round trip each.
ETA_CACHE_SECS: Final = 1.0


class NotYoursError(Exception):
    """A counsellor acted on a chat they do not hold."""


@dataclass(frozen=True, slots=True)
class Admission:
    """What happened when a chat asked to be queued."""

    frame: frames.Frame
    queued: bool


class Conversations:
    def __init__(
        self,
        store: ChatStore,
        hub: EventHub,
        config: ChatConfig,
        clock: Callable[[], float] = time.time,
        *,
        stats: StatsRecorder | None = None,
        continuity: Continuity | None = None,
    ) -> None:
        self.continuity = continuity
        self.store = store
        self.hub = hub
        self.config = config
        self.clock = clock
        self.stats = stats
        # How many counsellors are online (set by the service, which knows the staff store);
        # without it the estimate rests on the accept pace alone.
        self.counsellors_online: Callable[[], Awaitable[int]] | None = None
        self._pace: dict[str, tuple[float, float | None]] = {}
        # Prometheus counters, injected by the service (chat/domain/metrics_hooks.py).
        self.metrics: ChatMetrics = NO_METRICS
        # Waits per hour and time in chat per counsellor for /admin (chat/stores/floor_store.py).
        self.floor: FloorStore | None = None

    # -- visitor side --------------------------------------------------------------------

    async def open_chat(
        self, hello: Hello, session_number: int = 1, code_record: str | None = None
    ) -> ChatRecord:
        chat, _token = await self.open_visitor_chat(hello, session_number, code_record)
        return chat

    async def open_visitor_chat(
        self, hello: Hello, session_number: int = 1, code_record: str | None = None
    ) -> tuple[ChatRecord, str]:
        """A new visitor's chat, kept alive and with its first resume token, in one round
        trip (an arrival's cost, bench.relay's idle phase)."""
        # An adult is never in NOTICE: they see no notice, so none is stored as seen either.
        chat, token = await self.store.create_visitor_chat(
            hello,
            initial_state(hello.age),
            session_number=session_number,
            code_record=code_record,
            live_until_ms=self._live_until_ms(),
        )
        log.info("chat_opened", chat=chat.id, channel=hello.channel, age=hello.age)
        return chat, token

    def needs_notice(self, chat: ChatRecord) -> bool:
        return initial_state(chat.age) is ChatState.NOTICE  # type: ignore[arg-type]  # stored ages are wire ages

    async def ack_notice(self, chat: ChatRecord) -> None:
        await self.store.set_flag(chat.id, "notice_acked", "1")

    async def admit(self, chat: ChatRecord) -> Admission:
        """Queue the chat unless chat is closed or the queue is full (then the chat is dropped
        quietly: it never reached a counsellor and counts for nothing)."""
        now = self.clock()
        hours = self.config.opening_hours
        if hours is not None and not hours.is_open(datetime.fromtimestamp(now, tz=UTC)):
            opens = hours.next_opening(datetime.fromtimestamp(now, tz=UTC))
            await self.store.end_chat(chat, EndedBy.SYSTEM)
            at = None if opens is None else opens.astimezone(UTC).isoformat().replace("+00:00", "Z")
            return Admission(frames.unavailable("closed", at), queued=False)
        position = await self.store.enqueue(chat, self.config.queue_max, from_state=chat.state)
        if position is None:
            await self.store.end_chat(chat, EndedBy.SYSTEM)
            return Admission(frames.unavailable("full"), queued=False)
        await self.hub.queue_changed(moved=(chat.channel, position))
        self.metrics.chat_queued(chat.channel)
        log.info("chat_queued", chat=chat.id, channel=chat.channel)
        return Admission(frames.queued(position, await self.eta(chat.channel, position)), True)

    async def eta(self, channel: str, position: int) -> int | None:
        """Estimated wait in seconds at ``position`` of ``channel``'s queue, or None without a
        basis (chat.domain.protocol.departure_interval_secs says how it is measured)."""
        return wait_for_position(position, await self._departure_interval(channel))

    async def _departure_interval(self, channel: str) -> float | None:
        cached = self._pace.get(channel)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        accepts, handling = await self.store.wait_samples(channel)
        online = await self.counsellors_online() if self.counsellors_online is not None else 0
        interval = departure_interval_secs(
            accepts, self.clock(), handling_secs=handling, counsellors_online=online
        )
        self._pace[channel] = (time.monotonic() + ETA_CACHE_SECS, interval)
        return interval

    def _announcer(
        self, chat_id: str, author: str, text: str, *, to_visitor_side: bool
    ) -> Announcer:
        """The msg event for the other side, published by the store's append script."""

        def announce(at_ms: int) -> list[str]:
            stored = StoredMessage(0, author, text, at_ms)
            if to_visitor_side:
                frame = frames.msg(stored, tracked_chat=chat_id)
                recipient = to_visitor(chat_id)
            else:
                frame = frames.msg(stored, chat=chat_id)
                recipient = to_chat_staff(chat_id)
            # The append script splices the stored seq in for the mark (chat/stores/).
            return [self.hub.encode({**frame, "seq": SEQ_MARK}, [recipient])]

        return announce

    async def post_visitor_message(
        self, chat: ChatRecord, client_id: str, text: str
    ) -> AppendResult:
        announce = self._announcer(chat.id, "visitor", text, to_visitor_side=False)
        result = await self.store.append_message(chat.id, "visitor", text, client_id, announce)
        if result.created:
            self.metrics.message_relayed("visitor_to_counsellor")
        if result.created and chat.state is ChatState.WAITING:
            await self.hub.queue_changed(moved=(chat.channel, 0))  # a preview count, no move
        return result

    async def visitor_typing(self, chat_id: str) -> None:
        await self.hub.publish(frames.typing(chat=chat_id), [to_chat_staff(chat_id)])

    async def set_away(self, chat_id: str, on: bool) -> None:
        await self.store.set_flag(chat_id, "away", "1" if on else "0")
        await self.hub.publish(frames.visitor_away(chat_id, on), [to_chat_staff(chat_id)])

    async def visitor_leaves(self, chat: ChatRecord, how: LeaveHow) -> bool:
        """End the chat because the visitor went; tell whoever held it. False if already over."""
        by = EndedBy.SYSTEM if how == "timeout" else EndedBy.VISITOR
        outcome = await self.store.end_chat(chat, by)
        if outcome is None:
            return False
        previous, holder = outcome
        if holder:
            await self.hub.signal(STAFF_CHANGED)
        self.metrics.chat_ended("visitor" if how == "end" else how)
        if self.floor is not None:
            await self.floor.ended(chat.id, holder)
        if self.stats is not None:
            await self.stats.record_visitor_left(how)
        await self.hub.publish(frames.visitor_left(chat.id, how), [to_chat_staff(chat.id)])
        if how == "timeout":
            await self.hub.publish(frames.ended(by.value), [to_visitor(chat.id)])
        if previous in (ChatState.WAITING, ChatState.NOTICE):
            await self.hub.queue_changed()
        log.info("chat_ended", chat=chat.id, by=by.value, how=how)
        return True

    async def keep_alive(self, chat_ids: Sequence[str], grace_only: bool = False) -> None:
        """Push back the moment these chats end for want of their visitor."""
        await self.store.keep_alive(chat_ids, self._live_until_ms(grace_only))

    def _live_until_ms(self, grace_only: bool = False) -> int:
        """When a chat whose visitor is here now ends if they stay away: the resume grace,
        and unless ``grace_only`` the margin that covers the heartbeats in between."""
        margin = 0 if grace_only else LIVE_MARGIN_SECS
        return int((self.clock() + self.config.resume_grace_secs + margin) * 1000)

    async def end_abandoned(self) -> int:
        """End the chats whose visitor stayed away past the grace period (any process)."""
        ended = 0
        for chat_id in await self.store.claim_expired():
            chat = await self.store.load_chat(chat_id)
            if chat is None or chat.state is ChatState.ENDED:
                continue
            if chat_id in self.hub.local_visitor_chats():
                await self.keep_alive([chat_id])
                continue
            if await self.visitor_leaves(chat, "timeout"):
                ended += 1
        return ended

    # -- counsellor side -----------------------------------------------------------------

    async def accept(
        self, chat_id: str, staff: StaffIdentity, *, limit: int | None = None
    ) -> ChatRecord | None:
        """Take a waiting chat; None when someone else was first (or it is gone).

        Raises:
            AtLimitError: the counsellor holds ``limit`` chats already; the chat stays queued.
            PausedError: their new accepts pause after a heavy chat.
        """
        chat = await self.store.load_chat(chat_id)
        if chat is None or chat.state is not ChatState.WAITING:
            return None
        if not await self.store.claim_chat(chat, staff.username, staff.display_name, limit):
            return None
        await self.hub.signal(STAFF_CHANGED)
        self._pace.pop(chat.channel, None)  # a new sample: the next estimate reads it
        waited_s = max(0.0, (self.clock() * 1000 - (chat.queued_ms or chat.created_ms)) / 1000)
        self.metrics.chat_accepted(chat.channel, waited_s)
        if self.floor is not None:
            await self.floor.accepted(chat, waited_s)
        if self.stats is not None:
            await self.stats.record_contact(chat, self.config.session_cap)
        if self.continuity is not None:
            await self.continuity.count_accepted(chat)
        await self.hub.publish(frames.joined(staff.display_name), [to_visitor(chat.id)])
        await self.hub.queue_changed()
        log.info("chat_accepted", chat=chat.id, staff=staff.username)
        # The claim script wrote exactly this; no second read of the chat.
        return replace(
            chat,
            state=ChatState.ACTIVE,
            counsellor=staff.username,
            counsellor_name=staff.display_name,
        )

    async def held_chat(self, chat_id: str, staff: StaffIdentity) -> ChatRecord:
        """The chat, if this counsellor holds it.

        Raises:
            NotYoursError: it is not active or is held by someone else.
        """
        chat = await self.store.load_chat(chat_id)
        if chat is None or chat.state is not ChatState.ACTIVE or chat.counsellor != staff.username:
            raise NotYoursError(chat_id)
        return chat

    async def post_counsellor_message(
        self, chat: ChatRecord, client_id: str, text: str
    ) -> AppendResult:
        announce = self._announcer(chat.id, "counsellor", text, to_visitor_side=True)
        result = await self.store.append_message(chat.id, "counsellor", text, client_id, announce)
        if result.created:
            self.metrics.message_relayed("counsellor_to_visitor")
        return result

    async def post_system_message(self, chat: ChatRecord, text: str) -> int:
        result = await self.store.append_message(chat.id, "system", text)
        stored = StoredMessage(result.seq, "system", text, result.at_ms)
        await self.hub.publish(frames.msg(stored, tracked_chat=chat.id), [to_visitor(chat.id)])
        await self.hub.publish(frames.msg(stored, chat=chat.id), [to_chat_staff(chat.id)])
        return result.seq

    async def counsellor_typing(self, chat_id: str) -> None:
        await self.hub.publish(frames.typing(tracked_chat=chat_id), [to_visitor(chat_id)])

    async def add_note(self, chat: ChatRecord, staff: StaffIdentity, text: str) -> None:
        note = await self.store.add_note(chat.id, staff.username, text)
        await self.hub.publish(
            frames.note(chat.id, note.text, staff.display_name, note.at_ms),
            [to_chat_staff(chat.id)],
        )

    async def requeue(self, chat: ChatRecord, staff: StaffIdentity) -> int:
        """Hand the chat back to the front of the queue; the visitor is told."""
        if not await self.store.release_to_queue(chat, staff.username):
            raise NotYoursError(chat.id)
        self._pace.pop(chat.channel, None)
        await self.hub.signal(STAFF_CHANGED)
        await self.hub.publish(frames.released(chat.id), [to_chat_staff(chat.id)])
        text = requeue_text(chat.lang)
        await self.post_system_message(chat, text)
        position = await self.store.enqueue(
            chat, self.config.queue_max, from_state=ChatState.ACTIVE, front=True
        )
        at = position or 1
        await self.hub.publish(
            frames.queued(at, await self.eta(chat.channel, at)), [to_visitor(chat.id)]
        )
        await self.hub.queue_changed()
        log.info("chat_requeued", chat=chat.id, staff=staff.username)
        return position or 1

    async def end_by_counsellor(
        self, chat: ChatRecord, staff: StaffIdentity, reasons: tuple[str, ...] = ()
    ) -> bool:
        outcome = await self.store.end_chat(chat, EndedBy.COUNSELLOR)
        if outcome is None:
            return False
        self.metrics.chat_ended("counsellor")
        await self.hub.signal(STAFF_CHANGED)
        if self.floor is not None:
            await self.floor.ended(chat.id, outcome[1])
        if self.stats is not None:
            await self.stats.record_end(reasons)
        await self.hub.publish(frames.ended(EndedBy.COUNSELLOR.value), [to_visitor(chat.id)])
        await self.hub.publish(
            frames.ended(EndedBy.COUNSELLOR.value, chat=chat.id), [to_chat_staff(chat.id)]
        )
        log.info("chat_ended", chat=chat.id, by="counsellor", staff=staff.username)
        return True

    async def record_reasons_after_the_end(
        self, chat_id: str, staff: StaffIdentity, reasons: tuple[str, ...]
    ) -> ChatRecord | None:
        """The visitor left first: the counsellor who held the chat still records why it was.

        Once per chat, and only within the 10 minutes the ended chat's record is kept.
        """
        chat = await self.store.load_chat(chat_id)
        if chat is None or chat.state is not ChatState.ENDED or chat.counsellor != staff.username:
            return None
        if not await self.store.claim_flag(chat_id, "reasons_recorded"):
            return chat
        if self.stats is not None:
            await self.stats.record_end(reasons)
        return chat

    async def queue_frame(self) -> frames.Frame:
        snapshot = await self.store.queue_snapshot()
        return frames.queue(snapshot, self.config.session_cap)


__all__ = ["Admission", "ChatEndedError", "Conversations", "NotYoursError"]
