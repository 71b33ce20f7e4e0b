"""Outgoing frames of protocol.md, built here and nowhere else, each as its TypedDict.

chat/wire/server_frames.py holds the shapes; a builder per frame keeps the field names in one
place, and tests/unit/chat/test_server_frames.py fails for a frame built anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from chat.domain.protocol import SessionInfo
from chat.domain.records import ChatRecord, QueueItem, QueueSnapshot, StoredMessage
from chat.domain.urgency import is_urgent_score
from chat.wire import server_frames as sf

#: Any frame on its way to a socket: the plumbing (hub, outbox) only reads it. One that came
#: through pub/sub is plain JSON again, so this is wider than the TypedDicts.
Frame = Mapping[str, Any]
Json = sf.Json


def rfc3339(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def error(
    code: str, field: str | None = None, chat: str | None = None, message: str | None = None
) -> sf.Error:
    frame: sf.Error = {"type": "error", "code": code}
    if field is not None:
        frame["field"] = field
    if chat is not None:
        frame["chat"] = chat
    if message is not None:
        frame["message"] = message
    return frame


def msg(
    message: StoredMessage, chat: str | None = None, *, tracked_chat: str | None = None
) -> sf.Msg:
    """A stored message; ``chat`` on console frames, ``tracked_chat`` (never sent) for visitors."""
    frame: sf.Msg
    if chat is not None:
        frame = {
            "type": "msg",
            "chat": chat,
            "seq": message.seq,
            "from": message.author,
            "text": message.text,
            "at": rfc3339(message.at_ms),
        }
    else:
        frame = {
            "type": "msg",
            "seq": message.seq,
            "from": message.author,
            "text": message.text,
            "at": rfc3339(message.at_ms),
        }
    if tracked_chat is not None:
        frame["_chat"] = tracked_chat
    return frame


def ack(client_id: str, seq: int, chat: str | None = None) -> sf.Ack:
    frame: sf.Ack = {"type": "ack", "id": client_id, "seq": seq}
    if chat is not None:
        frame["chat"] = chat
    return frame


def typing(*, chat: str | None = None, tracked_chat: str | None = None) -> sf.Typing:
    """``chat`` for a console; ``tracked_chat`` (never sent) for the visitor's socket."""
    frame: sf.Typing = {"type": "typing"}
    if chat is not None:
        frame["chat"] = chat
    if tracked_chat is not None:
        frame["_chat"] = tracked_chat
    return frame


def ended(by: str, chat: str | None = None, reason: str | None = None) -> sf.Ended:
    frame: sf.Ended = {"type": "ended", "by": by}
    if chat is not None:
        frame["chat"] = chat
    if reason is not None:
        frame["reason"] = reason
    return frame


def joined(counsellor: str) -> sf.Joined:
    return {"type": "joined", "counsellor": counsellor}


def referral(card: Json) -> sf.Referral:
    return {"type": "referral", "card": card}


# -- to the visitor ---------------------------------------------------------------------------


def welcome(chat_id: str, token: str, session: SessionInfo) -> sf.Welcome:
    return {"type": "welcome", "chat": chat_id, "token": token, "session": session_wire(session)}


def session_wire(session: SessionInfo) -> sf.SessionWire:
    return {"number": session.number, "cap": session.cap, "over_cap": session.over_cap}


def notice(notice_id: str, text: str) -> sf.Notice:
    return {"type": "notice", "id": notice_id, "text": text}


def queued(position: int, eta_s: int | None) -> sf.Queued:
    return {"type": "queued", "position": position, "eta_s": eta_s}


def unavailable(reason: Literal["closed", "full"], opens: str | None = None) -> sf.Unavailable:
    frame: sf.Unavailable = {"type": "unavailable", "reason": reason}
    if opens is not None:
        frame["opens"] = opens
    return frame


def return_code(code: str, sessions_used: int, cap: int) -> sf.ReturnCode:
    return {"type": "return_code", "code": code, "sessions_used": sessions_used, "cap": cap}


def survey_received() -> sf.SurveyReceived:
    return {"type": "survey_received"}


def code_forgotten(forgotten: bool) -> sf.CodeForgotten:
    return {"type": "code_forgotten", "forgotten": forgotten}


def message_left(code: str) -> sf.MessageLeft:
    return {"type": "message_left", "code": code}


def replies(items: Sequence[Json]) -> sf.Replies:
    return {"type": "replies", "items": items}


# -- to the consoles --------------------------------------------------------------------------


def session_of(record: ChatRecord, cap: int) -> SessionInfo:
    return SessionInfo(number=record.session_number, cap=cap)


def queue_item(item: QueueItem, cap: int) -> sf.QueueItemWire:
    record = item.chat
    frame: sf.QueueItemWire = {
        "chat": record.id,
        "channel": record.channel,
        "lang": record.lang,
        "age": record.age,
        "waited_s": item.waited_ms // 1000,
        "session": session_wire(session_of(record, cap)),
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


def queue(snapshot: QueueSnapshot, cap: int) -> sf.Queue:
    ordered = sorted(
        (item for channel_items in snapshot.items.values() for item in channel_items),
        key=lambda item: item.score,  # queue order: a hand-back goes in front of the oldest
    )
    items = [queue_item(item, cap) for item in ordered]
    return {"type": "queue", "total": dict(snapshot.totals), "items": items}


def assigned(record: ChatRecord, cap: int) -> sf.Assigned:
    frame: sf.Assigned = {
        "type": "assigned",
        "chat": record.id,
        "session": session_wire(session_of(record, cap)),
        "age": record.age,
        "lang": record.lang,
        "channel": record.channel,
        "notice_acked": record.notice_acked,
        "away": record.away,
    }
    if record.topic:
        frame["topic"] = record.topic
    if record.gender:
        frame["gender"] = record.gender
    if record.kommun:
        frame["kommun"] = record.kommun
    if record.profession:
        frame["profession"] = record.profession
    return frame


def note(chat: str, text: str, by: str, at_ms: int) -> sf.Note:
    return {"type": "note", "chat": chat, "text": text, "by": by, "at": rfc3339(at_ms)}


def visitor_away(chat: str, on: bool) -> sf.VisitorAway:
    return {"type": "visitor_away", "chat": chat, "on": on}


def visitor_left(chat: str, how: str) -> sf.VisitorLeft:
    return {"type": "visitor_left", "chat": chat, "how": how}


def released(chat: str) -> sf.Released:
    return {"type": "released", "chat": chat}


def transferred_out(chat: str, to: str) -> sf.TransferredOut:
    return {"type": "transferred_out", "chat": chat, "to": to}


def referred(chat: str, org: str, card: Json) -> sf.Referred:
    return {"type": "referred", "chat": chat, "org": org, "card": card}


def summary_saved(chat: str, saved: bool) -> sf.SummarySaved:
    return {"type": "summary_saved", "chat": chat, "saved": saved}


def inbox(items: Sequence[Json]) -> sf.Inbox:
    return {"type": "inbox", "items": items}


def inbox_thread(record: str, items: Sequence[Json]) -> sf.InboxThread:
    return {"type": "inbox_thread", "record": record, "items": items}


def inbox_replied(record: str) -> sf.InboxReplied:
    return {"type": "inbox_replied", "record": record}


def inbox_changed() -> sf.InboxChanged:
    return {"type": "inbox_changed"}


def staff(online: Sequence[Json]) -> sf.Staff:
    return {"type": "staff", "online": online}


def chats(items: Sequence[Json]) -> sf.Chats:
    return {"type": "chats", "items": items}


def whisper(chat: str, by: str, text: str, at_ms: int) -> sf.Whisper:
    return {"type": "whisper", "chat": chat, "from": by, "text": text, "at": rfc3339(at_ms)}


def escalation(chat: str, counsellor: str, level: str, at: str) -> sf.Escalation:
    return {"type": "escalation", "chat": chat, "counsellor": counsellor, "level": level, "at": at}


def escalated(chat: str, level: str, at: str) -> sf.Escalated:
    return {"type": "escalated", "chat": chat, "level": level, "at": at}


def debrief(counsellor: str, at: str) -> sf.Debrief:
    return {"type": "debrief", "counsellor": counsellor, "at": at}


def heavy_noted(chat: str, paused_s: int) -> sf.HeavyNoted:
    return {"type": "heavy_noted", "chat": chat, "paused_s": paused_s}


def urgent(chat: str, channel: str, lang: str) -> sf.Urgent:
    return {"type": "urgent", "chat": chat, "channel": channel, "lang": lang}


def risk(chat: str, answers: dict[str, str], advice: Sequence[Json], counted: bool) -> sf.Risk:
    return {"type": "risk", "chat": chat, "answers": answers, "advice": advice, "counted": counted}
