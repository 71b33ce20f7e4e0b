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

``chat/live/visitor_socket.py`` is the shell: it holds one machine per socket, and the socket's
state is the machine's (nothing else writes it). What the shell learns from the store (a resume,
a refused admission, a chat the store says is over) goes back in through ``resumed``,
``admitted`` and ``store_ended``, so the machine stays the one writer of the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chat.domain.protocol import (
    ChatEvent,
    ChatState,
    IllegalTransitionError,
    initial_state,
    transition,
    visitor_msg_refusal,
)
from chat.domain.survey import valid_answers
from chat.wire import outbound as frames
from chat.wire.inbound import (
    Away,
    End,
    Exit,
    FrameError,
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
    """Count the survey's answers (already checked against its questions)."""

    answers: dict[str, str]


Effect = (
    Send | OpenChat | AckNotice | Enqueue | StoreMessage | PublishTyping | PublishAway
    | EndChat | SaveSurvey
)  # fmt: skip


def _error(code: str) -> Send:
    return Send(frames.error(code))


# -- the machine -----------------------------------------------------------------------------


class VisitorMachine:
    """One visitor socket's session. ``state`` is None until a ``hello`` opens a chat."""

    __slots__ = ("accepted", "ended_at", "state", "survey_done")

    def __init__(self, state: ChatState | None = None) -> None:
        self.state = state
        self.ended_at: float | None = None
        self.survey_done = False
        # Whether a counsellor ever took this chat: only then does it count as a support
        # conversation for its return code.
        self.accepted = state is ChatState.ACTIVE

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
                return []  # nothing to acknowledge, or done already: harmless (protocol.md)
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
            return [PublishAway(frame.on)] if self.is_open() else []
        if isinstance(frame, End | Exit):
            return self._leave("exit" if isinstance(frame, Exit) else "end", now)
        if isinstance(frame, Survey):
            if self.state is not ChatState.ENDED or self.survey_done:
                return [_error("no_survey")]
            answers = valid_answers(frame.answers)
            if answers is None:
                raise FrameError("bad_field", "answers")
            self.survey_done = True
            return [SaveSurvey(answers), Send(frames.survey_received())]
        # Return codes and left messages are answered by continuity, in any state.
        return []

    def _hello(self, hello: Hello) -> list[Effect]:
        if self.is_open():
            return [_error("chat_open")]
        self.state = initial_state(hello.age)
        self.ended_at = None
        self.survey_done = False
        self.accepted = False
        effects: list[Effect] = [OpenChat(hello, self.state)]
        if self.state is ChatState.WAITING:
            effects.append(Enqueue())
        return effects

    def _leave(self, how: LeaveHow, now: float) -> list[Effect]:
        if not self.is_open():
            return []  # nothing to end: a quick exit before hello, or after the end
        self._move(ChatEvent.END, now)
        return [EndChat(how)]

    # -- what the hub delivered --------------------------------------------------------------

    def deliver(self, event: Frame, now: float) -> list[Effect]:
        """The effects of one event published to this visitor.

        Raises:
            IllegalTransitionError: the event moves the chat in a way its state forbids
                (``joined`` or ``queued`` before the notice is acknowledged, anything after
                ``ended``).
        """
        kind = event.get("type")
        if self.state is None or self.state is ChatState.ENDED:
            raise IllegalTransitionError(f"{kind}: expected an open chat, got {self._name()!r}")
        if kind == "joined":
            if self.state is ChatState.WAITING:
                self._move(ChatEvent.ACCEPT, now)
                self.accepted = True
            elif self.state is not ChatState.ACTIVE:  # ACTIVE: a warm transfer, a new name
                raise IllegalTransitionError(
                    f"joined: expected one of ['active', 'waiting'], got {self._name()!r}"
                )
        elif kind == "queued":
            if self.state is ChatState.ACTIVE:
                self._move(ChatEvent.REQUEUE, now)  # a hand-back to the queue
            elif self.state is not ChatState.WAITING:  # WAITING: a new position
                raise IllegalTransitionError(
                    f"queued: expected one of ['active', 'waiting'], got {self._name()!r}"
                )
        elif kind == "ended":
            self._move(ChatEvent.END, now)
        return [Send(event)]

    # -- what the shell learnt from the store ------------------------------------------------

    def resumed(self, state: ChatState, *, accepted: bool) -> None:
        """A ``hello`` with a resume token found this open chat in the store, in ``state``.

        Raises:
            IllegalTransitionError: ``state`` is ENDED (an ended chat is not resumed).
        """
        if state is ChatState.ENDED:
            raise IllegalTransitionError("resume: expected an open chat, got 'ended'")
        self.state = state
        self.ended_at = None
        self.survey_done = False
        self.accepted = accepted or state is ChatState.ACTIVE

    def admitted(self, queued: bool, now: float) -> None:
        """The outcome of ``Enqueue``: queued, or refused (closed, full) and so ended."""
        if not queued and self.is_open():
            self._move(ChatEvent.END, now)

    def store_ended(self, now: float) -> None:
        """The store answered that the chat is over (it timed out, or was ended elsewhere)."""
        if self.is_open():
            self._move(ChatEvent.END, now)

    def forget(self) -> None:
        """The chat is gone from this socket (blocked, or resumed elsewhere): nothing is open."""
        self.state = None
        self.ended_at = None
        self.survey_done = False
        self.accepted = False

    # -- helpers -----------------------------------------------------------------------------

    def is_open(self) -> bool:
        """A chat is attached and not over."""
        return self.state is not None and self.state is not ChatState.ENDED

    def _name(self) -> str:
        return "none" if self.state is None else self.state.value
