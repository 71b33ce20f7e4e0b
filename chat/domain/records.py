"""What the chat store hands out: plain frozen records, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from chat.domain.protocol import ChatState


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """A chat's facts as stored; nothing here identifies the visitor."""

    id: str
    state: ChatState
    channel: str
    lang: str
    age: str
    topic: str | None = None
    gender: str | None = None
    kommun: str | None = None
    profession: str | None = None
    district: str | None = None  # a city district of kommun (chat.domain.municipalities)
    counsellor: str | None = None
    counsellor_name: str | None = None
    created_ms: int = 0
    queued_ms: int | None = None
    ended_ms: int | None = None
    ended_by: str | None = None
    notice_acked: bool = False
    session_number: int = 1
    code_record: str | None = None
    preview: int = 0
    away: bool = False
    # Time waited before an earlier accept, for a chat handed back to the queue.
    waited_before_ms: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_hash(cls, chat_id: str, raw: dict[str, str]) -> ChatRecord:
        def opt(name: str) -> str | None:
            value = raw.get(name)
            return value if value else None

        def opt_int(name: str) -> int | None:
            value = raw.get(name)
            return int(value) if value else None

        return cls(
            id=chat_id,
            state=ChatState(raw["state"]),
            channel=raw.get("channel", "youth"),
            lang=raw.get("lang", "sv"),
            age=raw.get("age", "unsaid"),
            topic=opt("topic"),
            gender=opt("gender"),
            kommun=opt("kommun"),
            profession=opt("profession"),
            district=opt("district"),
            counsellor=opt("counsellor"),
            counsellor_name=opt("counsellor_name"),
            created_ms=int(raw.get("created_ms", "0")),
            queued_ms=opt_int("queued_ms"),
            ended_ms=opt_int("ended_ms"),
            ended_by=opt("ended_by"),
            notice_acked=raw.get("notice_acked") == "1",
            session_number=int(raw.get("session_number", "1")),
            code_record=opt("code_record"),
            preview=int(raw.get("preview", "0")),
            away=raw.get("away") == "1",
            waited_before_ms=int(raw.get("waited_ms", "0")),
        )


@dataclass(frozen=True, slots=True)
class StoredMessage:
    seq: int
    author: str  # "visitor" | "counsellor" | "system"
    text: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class StoredNote:
    author: str
    text: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class AppendResult:
    seq: int
    created: bool  # False when the client id was seen before (a resend)
    at_ms: int = 0


@dataclass(frozen=True, slots=True)
class QueueItem:
    chat: ChatRecord
    waited_ms: int
    score: float


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    totals: dict[str, int]
    items: dict[str, list[QueueItem]]
