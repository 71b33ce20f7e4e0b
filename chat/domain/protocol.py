"""The chat's life as plain state logic: no I/O, no clock of its own.

A chat is ``NOTICE`` (waiting for the reporting-duty acknowledgement) or goes straight to
``WAITING`` (queued), then ``ACTIVE`` once a counsellor accepts, and ``ENDED`` at the end. A
transfer back to the queue takes ``ACTIVE`` back to ``WAITING``. The store enforces the same
transitions atomically in Redis; this module is the definition both follow and is tested on
its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import median
from typing import Final

from chat.wire.inbound import Age

RETURN_CODE_WINDOW_SECS: Final = 600
QUEUED_UPDATE_MIN_INTERVAL_SECS: Final = 1.0
ETA_MIN_SAMPLES: Final = 3
ETA_SAMPLE_WINDOW_SECS: Final = 3600


class ChatState(StrEnum):
    NOTICE = "notice"
    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"


class ChatEvent(StrEnum):
    ACK_NOTICE = "ack_notice"
    ACCEPT = "accept"
    REQUEUE = "requeue"
    END = "end"


class EndedBy(StrEnum):
    VISITOR = "visitor"
    COUNSELLOR = "counsellor"
    SYSTEM = "system"


class IllegalTransitionError(Exception):
    """An event that the chat's current state does not allow."""


_TRANSITIONS: Final[dict[tuple[ChatState, ChatEvent], ChatState]] = {
    (ChatState.NOTICE, ChatEvent.ACK_NOTICE): ChatState.WAITING,
    (ChatState.WAITING, ChatEvent.ACCEPT): ChatState.ACTIVE,
    (ChatState.ACTIVE, ChatEvent.REQUEUE): ChatState.WAITING,
    (ChatState.NOTICE, ChatEvent.END): ChatState.ENDED,
    (ChatState.WAITING, ChatEvent.END): ChatState.ENDED,
    (ChatState.ACTIVE, ChatEvent.END): ChatState.ENDED,
}


def transition(state: ChatState, event: ChatEvent) -> ChatState:
    """The state after ``event``: the one table of moves, which the visitor's session
    machine (chat/domain/visitor_machine.py) follows for every state change.

    Raises:
        IllegalTransitionError: "expected one of X, got Y" when ``state`` does not allow it.
    """
    try:
        return _TRANSITIONS[(state, event)]
    except KeyError:
        allowed = sorted(s.value for (s, e) in _TRANSITIONS if e is event)
        raise IllegalTransitionError(
            f"{event.value}: expected one of {allowed}, got {state.value!r}"
        ) from None


def needs_notice(age: Age) -> bool:
    """Anyone under 18, or who does not say, must acknowledge the reporting duty first."""
    return age != "18plus"


def initial_state(age: Age) -> ChatState:
    return ChatState.NOTICE if needs_notice(age) else ChatState.WAITING


def visitor_msg_refusal(state: ChatState | None) -> str | None:
    """The error code that refuses a visitor's message in this state, or None to accept it.

    Messages written while waiting are kept and shown to the counsellor on acceptance.
    """
    if state is None:
        return "no_chat"
    if state is ChatState.NOTICE:
        return "notice_required"
    if state is ChatState.ENDED:
        return "chat_ended"
    return None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """Where this chat stands among the support conversations linked to one return code."""

    number: int
    cap: int

    @property
    def over_cap(self) -> bool:
        return self.number > self.cap


def session_info(counted_before: int, cap: int) -> SessionInfo:
    """Session number = counted chats already linked to the code, plus one."""
    return SessionInfo(number=counted_before + 1, cap=cap)


def departure_interval_secs(
    accept_times: Sequence[float],
    now: float,
    *,
    handling_secs: Sequence[float] = (),
    counsellors_online: int = 0,
) -> float | None:
    """Seconds between two chats leaving the front of a channel's queue, as measured lately.

    Two measures, each only with at least ``ETA_MIN_SAMPLES`` samples:

    - the pace of accepts over the last hour (how fast the queue was actually served);
    - the median time a counsellor held a chat (accept to end or hand-back) divided by the
      counsellors online: how often a counsellor comes free.

    The faster of the two is taken: the accept pace alone reads slow after a quiet hour (when
    the queue ran empty, accepts waited for arrivals, not for counsellors), while the handling
    time says nothing about counsellors who take several chats at once. None when neither
    measure has a basis (the page then says nothing about minutes).
    """
    candidates: list[float] = []
    recent = sorted(t for t in accept_times if now - t <= ETA_SAMPLE_WINDOW_SECS)
    if len(recent) >= ETA_MIN_SAMPLES:
        span = max(now - recent[0], 1.0)
        candidates.append(span / len(recent))
    if counsellors_online > 0 and len(handling_secs) >= ETA_MIN_SAMPLES:
        candidates.append(max(median(handling_secs), 1.0) / counsellors_online)
    return min(candidates) if candidates else None


def wait_for_position(position: int, interval_secs: float | None) -> int | None:
    """Estimated wait at queue ``position`` (1 = next) given the departure interval."""
    if position < 1 or interval_secs is None:
        return None
    return max(1, round(position * interval_secs))


def estimate_wait_secs(
    position: int,
    accept_times: Sequence[float],
    now: float,
    *,
    handling_secs: Sequence[float] = (),
    counsellors_online: int = 0,
) -> int | None:
    """Estimated wait for queue ``position`` from the channel's recent measures.

    Honest rather than hopeful: without enough recent samples there is no number (None).
    """
    interval = departure_interval_secs(
        accept_times, now, handling_secs=handling_secs, counsellors_online=counsellors_online
    )
    return wait_for_position(position, interval)


@dataclass(slots=True)
class QueuedUpdateThrottle:
    """Sends a visitor's ``queued`` only when the position changed, at most once a second."""

    last_position: int | None = None
    last_sent_at: float = float("-inf")

    def due(self, position: int, now: float) -> bool:
        """Whether a ``queued`` frame for ``position`` should go out now."""
        if position == self.last_position:
            return False
        return now - self.last_sent_at >= QUEUED_UPDATE_MIN_INTERVAL_SECS

    def sent(self, position: int, now: float) -> None:
        self.last_position = position
        self.last_sent_at = now

    def reset(self) -> None:
        self.last_position = None
        self.last_sent_at = float("-inf")


def return_code_allowed(state: ChatState, ended_at: float | None, now: float) -> bool:
    """A return code may be asked for during the chat or within 10 minutes after its end."""
    if state is not ChatState.ENDED:
        return True
    return ended_at is not None and now - ended_at <= RETURN_CODE_WINDOW_SECS


@dataclass(slots=True)
class SeqTracker:
    """Which message seqs one socket has been given, so none is sent twice or skipped.

    Live events arrive over pub/sub and may overtake each other's store reads; a gap below an
    arriving seq is filled from the store first, in order. Seqs a side wrote itself count as
    delivered once acknowledged (a sender gets its ``ack``, not its own ``msg``).
    """

    watermark: int = 0
    _above: set[int] = field(default_factory=set)

    def seen(self, seq: int) -> bool:
        return seq <= self.watermark or seq in self._above

    def mark(self, seq: int) -> None:
        if seq <= self.watermark:
            return
        self._above.add(seq)
        while self.watermark + 1 in self._above:
            self.watermark += 1
            self._above.discard(self.watermark)

    def missing_below(self, seq: int) -> list[int]:
        """Seqs under ``seq`` that this socket has not had yet."""
        return [s for s in range(self.watermark + 1, seq) if s not in self._above]
