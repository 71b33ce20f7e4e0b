"""A visitor's session as a pure machine: frames and events in, effects out, no I/O.

Modelled on websockets' ``protocol.py``: the socket shell feeds what the visitor sent
(``receive(frame, now)``) and what the hub delivered (``deliver(event, now)``), and carries
out the effects returned, in order. Effects are plain values (send this frame, store that,
publish this, end the chat); the machine never awaits, reads a clock or touches Redis, so its
tests feed frames and compare effects.

States are ``ChatState`` (the same enum the Lua scripts' states come from), with ``None``
before a ``hello``. Every state change goes through ``chat.domain.protocol.transition``, so a move
the chat's life does not allow raises ``IllegalTransitionError`` ("expected one of X, got
Y"). A frame the contract refuses in this state (a ``msg`` before ``hello``, a second
``hello``, ...) is not illegal: it is answered with the contract's error frame.

Not wired into ``chat/live/visitor_socket.py`` yet (issue 9: the shell follows after the console's
merge); it states the visitor's side of the contract in one place meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from chat.domain.protocol import (
    ChatEvent,
    ChatState,
    IllegalTransitionError,
    initial_state,
    transition,
    visitor_msg_refusal,
)
from chat.wire import outbound as frames
from chat.wire.inbound import (
    Away,
    End,
    Exit,
    Hello,
    NoticeAck,
    Survey,
    Typing,
    VisitorFrame,
    VisitorMsg,
)
from chat.wire.outbound import Frame

__all__ = [
    "AckNotice",
    "Effect",
    "EndChat",
    "Enqueue",
    "IllegalTransitionError",
    "OpenChat",
    "PublishAway",
    "PublishTyping",
    "SaveSurvey",
    "Send",
    "StoreMessage",
    "VisitorMachine",
]

LeaveHow = Literal["end", "exit"]


# -- effects: what the shell is asked to do, in order --------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Put this frame in the visitor's own outbox (a direct reply or a delivered event)."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class OpenChat:
    """Create the chat in ``state`` (the shell answers ``welcome``, and ``notice`` if due)."""

    hello: Hello
    state: ChatState


@dataclass(frozen=True, slots=True)
class AckNotice:
    """Store that the reporting-duty notice was acknowledged."""


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Put the chat in its channel's queue (the shell answers ``queued`` or ``unavailable``)."""


@dataclass(frozen=True, slots=True)
class StoreMessage:
    """Store the visitor's message, announce it, then ``ack`` it."""

    id: str
    text: str


@dataclass(frozen=True, slots=True)
class PublishTyping:
    """Tell the chat's console that the visitor is typing."""


@dataclass(frozen=True, slots=True)
class PublishAway:
    on: bool


@dataclass(frozen=True, slots=True)
class EndChat:
    """End the chat in the store, then tell the counsellor (``visitor_left``)."""

    how: LeaveHow


@dataclass(frozen=True, slots=True)
class SaveSurvey:
    answers: dict[str, str | int]


Effect = (
    Send | OpenChat | AckNotice | Enqueue | StoreMessage | PublishTyping | PublishAway
    | EndChat | SaveSurvey
)  # fmt: skip


def _error(code: str) -> Send:
    return Send(frames.error(code))


# -- the machine -----------------------------------------------------------------------------


class VisitorMachine:
    """One visitor socket's session. ``state`` is None until a ``hello`` opens a chat."""

    __slots__ = ("ended_at", "state", "survey_done")

    def __init__(self, state: ChatState | None = None) -> None:
        self.state = state
        self.ended_at: float | None = None
        self.survey_done = False

    def _move(self, event: ChatEvent, now: float) -> None:
        if self.state is None:
            raise IllegalTransitionError(f"{event.value}: expected a chat, got none")
        self.state = transition(self.state, event)
        if self.state is ChatState.ENDED:
            self.ended_at = now

    # -- what the visitor sent ---------------------------------------------------------------

    def receive(self, frame: VisitorFrame, now: float) -> list[Effect]:
        """The effects of one parsed visitor frame, in the order the shell carries them out.

        Raises:
            IllegalTransitionError: the frame asks for a move this state does not allow.
        """
        if isinstance(frame, Hello):
            return self._hello(frame)
        if isinstance(frame, NoticeAck):
            if self.state is not ChatState.NOTICE:
                raise IllegalTransitionError(f"notice_ack: expected 'notice', got {self._name()!r}")
            self._move(ChatEvent.ACK_NOTICE, now)
            return [AckNotice(), Enqueue()]
        if isinstance(frame, VisitorMsg):
            refusal = visitor_msg_refusal(self.state)
            if refusal is not None:
                return [_error(refusal)]
            return [StoreMessage(frame.id, frame.text)]
        if isinstance(frame, Typing):
            return [PublishTyping()] if self.state is ChatState.ACTIVE else []
        if isinstance(frame, Away):
            return [PublishAway(frame.on)] if self._open() else []
        if isinstance(frame, End | Exit):
            return self._leave("exit" if isinstance(frame, Exit) else "end", now)
        if isinstance(frame, Survey):
            if self.state is not ChatState.ENDED or self.survey_done:
                return [_error("no_survey")]
            self.survey_done = True
            return [SaveSurvey(frame.answers), Send(frames.survey_received())]
        # Return codes and left messages are answered by continuity, in any state.
        return []

    def _hello(self, hello: Hello) -> list[Effect]:
        if self._open():
            return [_error("chat_open")]
        self.state = initial_state(hello.age)
        self.ended_at = None
        self.survey_done = False
        effects: list[Effect] = [OpenChat(hello, self.state)]
        if self.state is ChatState.WAITING:
            effects.append(Enqueue())
        return effects

    def _leave(self, how: LeaveHow, now: float) -> list[Effect]:
        if not self._open():
            return []  # nothing to end: a quick exit before hello, or after the end
        self._move(ChatEvent.END, now)
        return [EndChat(how)]

    # -- what the hub delivered --------------------------------------------------------------

    def deliver(self, event: dict[str, Any], now: float) -> list[Effect]:
        """The effects of one event published to this visitor.

        Raises:
            IllegalTransitionError: the event moves the chat in a way its state forbids
                (``joined`` for a chat that is not waiting, anything after ``ended``).
        """
        kind = event.get("type")
        if self.state is None or self.state is ChatState.ENDED:
            raise IllegalTransitionError(f"{kind}: expected an open chat, got {self._name()!r}")
        if kind == "joined":
            if self.state is not ChatState.WAITING:
                raise IllegalTransitionError(f"joined: expected 'waiting', got {self._name()!r}")
            self._move(ChatEvent.ACCEPT, now)
        elif kind == "queued" and self.state is ChatState.ACTIVE:
            self._move(ChatEvent.REQUEUE, now)  # a hand-back to the queue
        elif kind == "ended":
            self._move(ChatEvent.END, now)
        return [Send(event)]

    # -- helpers -----------------------------------------------------------------------------

    def _open(self) -> bool:
        return self.state is not None and self.state is not ChatState.ENDED

    def _name(self) -> str:
        return "none" if self.state is None else self.state.value
