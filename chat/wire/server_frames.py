"""The frames the server sends, typed: the shapes protocol.md promises, one TypedDict each.

Every one is built in chat/wire/outbound.py and nowhere else (tests/unit/chat/
test_server_frames.py holds both), so mypy checks each field's name and type where the frame is
made, and docs/protocol.md's frame index names every one (test_protocol_documented.py). A frame
crossing a process (the hub's pub/sub) is plain JSON again on the other side, so the sockets'
plumbing takes any ``Mapping``; the types are for the one place a frame is made.

Keys starting with ``_`` are routing hints for this process (the chat a visitor's frame belongs
to), stripped before a socket sees the frame (chat/live/connection.py). ``from`` is a Python
keyword, so the frames carrying it use TypedDict's call syntax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

#: A nested object of a frame (a card, a list's item), built by its own module.
Json = Mapping[str, Any]


class SessionWire(TypedDict):
    number: int
    cap: int
    over_cap: bool


# -- both sides -------------------------------------------------------------------------------


class Error(TypedDict):
    type: Literal["error"]
    code: str
    field: NotRequired[str]
    chat: NotRequired[str]
    message: NotRequired[str]


class Ack(TypedDict):
    type: Literal["ack"]
    id: str
    seq: int
    chat: NotRequired[str]


Msg = TypedDict(
    "Msg",
    {
        "type": Literal["msg"],
        "chat": NotRequired[str],
        "seq": int,
        "from": str,
        "text": str,
        "at": str,
        "_chat": NotRequired[str],
    },
)


class Typing(TypedDict):
    type: Literal["typing"]
    chat: NotRequired[str]
    _chat: NotRequired[str]


class Ended(TypedDict):
    type: Literal["ended"]
    by: str
    chat: NotRequired[str]
    reason: NotRequired[str]


class Joined(TypedDict):
    type: Literal["joined"]
    counsellor: str


class Referral(TypedDict):
    type: Literal["referral"]
    card: Json


# -- to the visitor ---------------------------------------------------------------------------


class Welcome(TypedDict):
    type: Literal["welcome"]
    chat: str
    token: str
    session: SessionWire


class Notice(TypedDict):
    type: Literal["notice"]
    id: str
    text: str


class Queued(TypedDict):
    type: Literal["queued"]
    position: int
    eta_s: int | None


class Unavailable(TypedDict):
    type: Literal["unavailable"]
    reason: Literal["closed", "full"]
    opens: NotRequired[str]


class ReturnCode(TypedDict):
    type: Literal["return_code"]
    code: str
    sessions_used: int
    cap: int


class SurveyReceived(TypedDict):
    type: Literal["survey_received"]


class CodeForgotten(TypedDict):
    type: Literal["code_forgotten"]
    forgotten: bool


class MessageLeft(TypedDict):
    type: Literal["message_left"]
    code: str


class Replies(TypedDict):
    type: Literal["replies"]
    items: Sequence[Json]


# -- to the consoles --------------------------------------------------------------------------


class QueueItemWire(TypedDict):
    chat: str
    channel: str
    lang: str
    age: str
    waited_s: int
    session: SessionWire
    preview: int
    notice_acked: bool
    topic: NotRequired[str]
    profession: NotRequired[str]
    urgent: NotRequired[bool]


class Queue(TypedDict):
    type: Literal["queue"]
    total: dict[str, int]
    items: list[QueueItemWire]


Assigned = TypedDict(
    "Assigned",
    {
        "type": Literal["assigned"],
        "chat": str,
        "session": SessionWire,
        "age": str,
        "lang": str,
        "channel": str,
        "notice_acked": bool,
        "away": bool,
        "topic": NotRequired[str],
        "gender": NotRequired[str],
        "kommun": NotRequired[str],
        "profession": NotRequired[str],
        "from": NotRequired[str],
        "from_name": NotRequired[str],
        "notes": NotRequired[Sequence[Json]],
        "_floor": NotRequired[int],
    },
)


class Note(TypedDict):
    type: Literal["note"]
    chat: str
    text: str
    by: str
    at: str


class VisitorAway(TypedDict):
    type: Literal["visitor_away"]
    chat: str
    on: bool


class VisitorLeft(TypedDict):
    type: Literal["visitor_left"]
    chat: str
    how: str


class Released(TypedDict):
    type: Literal["released"]
    chat: str


class TransferredOut(TypedDict):
    type: Literal["transferred_out"]
    chat: str
    to: str


class Referred(TypedDict):
    type: Literal["referred"]
    chat: str
    org: str
    card: Json


class SummarySaved(TypedDict):
    type: Literal["summary_saved"]
    chat: str
    saved: bool


class Inbox(TypedDict):
    type: Literal["inbox"]
    items: Sequence[Json]


class InboxThread(TypedDict):
    type: Literal["inbox_thread"]
    record: str
    items: Sequence[Json]


class InboxReplied(TypedDict):
    type: Literal["inbox_replied"]
    record: str


class InboxChanged(TypedDict):
    type: Literal["inbox_changed"]


class Staff(TypedDict):
    type: Literal["staff"]
    online: Sequence[Json]


class Chats(TypedDict):
    type: Literal["chats"]
    items: Sequence[Json]


Whisper = TypedDict(
    "Whisper",
    {"type": Literal["whisper"], "chat": str, "from": str, "text": str, "at": str},
)


class Escalation(TypedDict):
    type: Literal["escalation"]
    chat: str
    counsellor: str
    level: str
    at: str


class Escalated(TypedDict):
    type: Literal["escalated"]
    chat: str
    level: str
    at: str


class Debrief(TypedDict):
    type: Literal["debrief"]
    counsellor: str
    at: str


class HeavyNoted(TypedDict):
    type: Literal["heavy_noted"]
    chat: str
    paused_s: int


class Urgent(TypedDict):
    type: Literal["urgent"]
    chat: str
    channel: str
    lang: str


class Risk(TypedDict):
    type: Literal["risk"]
    chat: str
    answers: dict[str, str]
    advice: Sequence[Json]
    counted: bool
