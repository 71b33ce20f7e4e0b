"""The typed inbound frames of protocol.md: what ``chat.wire.parse`` parses a frame into.

Pure values with no I/O; a frame that reaches the endpoints is one of these, never a dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from chat.domain import limits

PROTOCOL_VERSION: Final = 1
MAX_FRAME_BYTES: Final = limits.MAX_FRAME_BYTES
MAX_TEXT_CHARS: Final = limits.MAX_TEXT_CHARS
MAX_CLIENT_ID_CHARS: Final = limits.MAX_CLIENT_ID_CHARS
MAX_ID_CHARS: Final = limits.MAX_ID_CHARS
MAX_TOKEN_CHARS: Final = limits.MAX_TOKEN_CHARS
MAX_RETURN_CODE_CHARS: Final = limits.MAX_RETURN_CODE_CHARS
MAX_REASONS: Final = limits.MAX_REASONS
MAX_SURVEY_ANSWERS: Final = limits.MAX_SURVEY_ANSWERS
MAX_SURVEY_VALUE_CHARS: Final = limits.MAX_SURVEY_VALUE_CHARS

AGES: Final = ("under18", "18plus", "unsaid")
CHANNELS: Final = ("youth", "professional")
GENDERS: Final = ("girl", "boy", "other", "unsaid")

Age = Literal["under18", "18plus", "unsaid"]
Channel = Literal["youth", "professional"]


class FrameError(Exception):
    """A frame the server refuses; ``code`` and ``field`` go back to the client as is."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code if field is None else f"{code}: {field}")
        self.code = code
        self.field = field


# ---- visitor frames ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resume:
    token: str
    last_seq: int


@dataclass(frozen=True, slots=True)
class Hello:
    channel: Channel
    lang: str
    age: Age
    topic: str | None = None
    gender: str | None = None
    kommun: str | None = None
    profession: str | None = None
    return_code: str | None = None
    resume: Resume | None = None
    district: str | None = None  # protocol.md, Statistics (additions)
    urgent: bool = False  # protocol.md, Console 1.1, Safety: "I am in danger right now"


@dataclass(frozen=True, slots=True)
class NoticeAck:
    id: str


@dataclass(frozen=True, slots=True)
class VisitorMsg:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Typing:
    chat: str | None = None


@dataclass(frozen=True, slots=True)
class End:
    pass


@dataclass(frozen=True, slots=True)
class Exit:
    pass


@dataclass(frozen=True, slots=True)
class ReturnCodeRequest:
    pass


@dataclass(frozen=True, slots=True)
class Survey:
    answers: dict[str, str | int]


@dataclass(frozen=True, slots=True)
class Away:
    on: bool


@dataclass(frozen=True, slots=True)
class ForgetCode:
    code: str


@dataclass(frozen=True, slots=True)
class LeaveMessage:
    code: str | None
    text: str


@dataclass(frozen=True, slots=True)
class ReadReplies:
    code: str


@dataclass(frozen=True, slots=True)
class Urgent:
    """A waiting visitor says they are in danger now (protocol.md, Console 1.1, Safety)."""


VisitorFrame = (
    Hello
    | NoticeAck
    | VisitorMsg
    | Typing
    | End
    | Exit
    | ReturnCodeRequest
    | Survey
    | Away
    | ForgetCode
    | LeaveMessage
    | ReadReplies
    | Urgent
)

# ---- console frames ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accept:
    chat: str


@dataclass(frozen=True, slots=True)
class ConsoleMsg:
    chat: str
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    chat: str
    text: str


@dataclass(frozen=True, slots=True)
class Transfer:
    chat: str
    to: str


@dataclass(frozen=True, slots=True)
class Refer:
    chat: str
    org: str


@dataclass(frozen=True, slots=True)
class ConsoleEnd:
    chat: str
    reasons: tuple[str, ...]
    # Professional channel: what the counsellor records about the consultation.
    profession: str | None = None
    kommun: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    chat: str
    text: str


@dataclass(frozen=True, slots=True)
class InboxList:
    chat: None = None


@dataclass(frozen=True, slots=True)
class InboxOpen:
    record: str
    chat: None = None


@dataclass(frozen=True, slots=True)
class InboxReply:
    record: str
    text: str
    chat: None = None


@dataclass(frozen=True, slots=True)
class Watch:
    """A supervisor opens a chat they do not hold (read only, audited)."""

    chat: str


@dataclass(frozen=True, slots=True)
class Unwatch:
    chat: str


# Console 1.1, "Supervisors in a chat" and "Safety" (counsellor_console/live/supervision.py).
ESCALATION_LEVELS: Final = ("acute", "concern")
MAX_RISK_ANSWERS: Final = 32


@dataclass(frozen=True, slots=True)
class Whisper:
    chat: str
    text: str


@dataclass(frozen=True, slots=True)
class Escalate:
    chat: str
    level: str


@dataclass(frozen=True, slots=True)
class Block:
    chat: str


@dataclass(frozen=True, slots=True)
class RiskUpdate:
    """The risk guide's answers for a chat (None: only read them); ``count``: count them in
    the statistics, once per chat. The console checks them against the guide."""

    chat: str
    answers: dict[str, str] | None = None
    count: bool = False


@dataclass(frozen=True, slots=True)
class SetLimit:
    """A supervisor sets how many chats a colleague may hold at once (0 to 20)."""

    username: str
    limit: int
    chat: None = None


@dataclass(frozen=True, slots=True)
class Heavy:
    """A counsellor marks a chat heavy: supervisors are asked for a debrief."""

    chat: str


ConsoleFrame = (
    Accept
    | SetLimit
    | Heavy
    | Watch
    | Unwatch
    | ConsoleMsg
    | Note
    | Transfer
    | Refer
    | ConsoleEnd
    | Typing
    | Summary
    | InboxList
    | InboxOpen
    | InboxReply
    | Whisper
    | Escalate
    | Block
    | RiskUpdate
)
MAX_SUMMARY_CHARS: Final = limits.MAX_SUMMARY_CHARS
