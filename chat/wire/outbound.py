"""Outgoing frames of protocol.md, built in one place so their shapes stay the contract's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chat.domain.protocol import SessionInfo
from chat.domain.records import ChatRecord, QueueItem, QueueSnapshot, StoredMessage
from chat.domain.urgency import is_urgent_score

Frame = dict[str, Any]


def rfc3339(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def error(
    code: str, field: str | None = None, chat: str | None = None, message: str | None = None
) -> Frame:
    frame: Frame = {"type": "error", "code": code}
    if field is not None:
        frame["field"] = field
    if chat is not None:
        frame["chat"] = chat
    if message is not None:
        frame["message"] = message
    return frame


def msg(
    message: StoredMessage, chat: str | None = None, *, tracked_chat: str | None = None
) -> Frame:
    """A stored message; ``chat`` on console frames, ``tracked_chat`` (never sent) for visitors."""
    frame: Frame = {
        "type": "msg",
        "seq": message.seq,
        "from": message.author,
        "text": message.text,
        "at": rfc3339(message.at_ms),
    }
    if chat is not None:
        frame = {"type": "msg", "chat": chat, **{k: v for k, v in frame.items() if k != "type"}}
    if tracked_chat is not None:
        frame["_chat"] = tracked_chat
    return frame


def ack(client_id: str, seq: int, chat: str | None = None) -> Frame:
    frame: Frame = {"type": "ack", "id": client_id, "seq": seq}
    if chat is not None:
        frame["chat"] = chat
    return frame


def welcome(chat_id: str, token: str, session: SessionInfo) -> Frame:
    return {"type": "welcome", "chat": chat_id, "token": token, "session": session.to_wire()}


def queued(position: int, eta_s: int | None) -> Frame:
    return {"type": "queued", "position": position, "eta_s": eta_s}


def ended(by: str, chat: str | None = None) -> Frame:
    frame: Frame = {"type": "ended", "by": by}
    if chat is not None:
        frame["chat"] = chat
    return frame


def session_of(record: ChatRecord, cap: int) -> SessionInfo:
    return SessionInfo(number=record.session_number, cap=cap)


def queue_item(item: QueueItem, cap: int) -> Frame:
    record = item.chat
    frame: Frame = {
        "chat": record.id,
        "channel": record.channel,
        "lang": record.lang,
        "age": record.age,
        "waited_s": item.waited_ms // 1000,
        "session": session_of(record, cap).to_wire(),
        "preview": record.preview,
        "notice_acked": record.notice_acked,
    }
    if record.topic:
        frame["topic"] = record.topic
    if record.profession:
        frame["profession"] = record.profession
    if is_urgent_score(item.score):
        frame["urgent"] = True
    return frame


def queue(snapshot: QueueSnapshot, cap: int) -> Frame:
    ordered = sorted(
        (item for channel_items in snapshot.items.values() for item in channel_items),
        key=lambda item: item.score,  # queue order: a hand-back goes in front of the oldest
    )
    items = [queue_item(item, cap) for item in ordered]
    return {"type": "queue", "total": snapshot.totals, "items": items}


def assigned(record: ChatRecord, cap: int) -> Frame:
    frame: Frame = {
        "type": "assigned",
        "chat": record.id,
        "session": session_of(record, cap).to_wire(),
        "age": record.age,
        "lang": record.lang,
        "channel": record.channel,
        "notice_acked": record.notice_acked,
        "away": record.away,
    }
    for name in ("topic", "gender", "kommun", "profession"):
        value = getattr(record, name)
        if value:
            frame[name] = value
    return frame
