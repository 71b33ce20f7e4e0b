"""Wire frames of protocol.md, parsed once at the edge into typed values (chat/wire/inbound.py).

Pure: no I/O. A parser either returns a frame dataclass or raises ``FrameError`` carrying the
protocol's error code (and the offending field), which the endpoint turns into an error frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from chat.domain.languages import LANGUAGE_CODES
from chat.domain.municipalities import is_district, is_municipality
from chat.domain.topics import PROFESSIONS, TOPICS
from chat.wire import fastjson
from chat.wire.inbound import (
    AGES,
    CHANNELS,
    ESCALATION_LEVELS,
    GENDERS,
    MAX_CLIENT_ID_CHARS,
    MAX_ID_CHARS,
    MAX_REASONS,
    MAX_RETURN_CODE_CHARS,
    MAX_RISK_ANSWERS,
    MAX_SUMMARY_CHARS,
    MAX_SURVEY_ANSWERS,
    MAX_SURVEY_VALUE_CHARS,
    MAX_TEXT_CHARS,
    MAX_TOKEN_CHARS,
    PROTOCOL_VERSION,
    Accept,
    Away,
    Block,
    ConsoleEnd,
    ConsoleFrame,
    ConsoleMsg,
    End,
    Escalate,
    Exit,
    ForgetCode,
    FrameError,
    Heavy,
    Hello,
    InboxList,
    InboxOpen,
    InboxReply,
    LeaveMessage,
    Note,
    NoticeAck,
    ReadReplies,
    Refer,
    Resume,
    ReturnCodeRequest,
    RiskUpdate,
    SetLimit,
    Summary,
    Survey,
    Transfer,
    Typing,
    Unwatch,
    Urgent,
    VisitorFrame,
    VisitorMsg,
    Watch,
    Whisper,
)

# ---- parsing ----------------------------------------------------------------------------


def load_frame(raw: str) -> dict[str, Any]:
    """Decode one text frame into a JSON object with a string ``type``.

    Raises:
        FrameError: ``bad_frame`` when it is not a JSON object with a string ``type``.
    """
    try:
        obj = fastjson.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FrameError("bad_frame") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise FrameError("bad_frame")
    return obj


def parse_visitor_frame(raw: str) -> VisitorFrame:
    """Parse a frame a visitor sent.

    Raises:
        FrameError: ``bad_frame``, ``unknown_type`` or ``bad_field`` (with the field).
    """
    obj = load_frame(raw)
    parser = _VISITOR_PARSERS.get(obj["type"])
    if parser is None:
        raise FrameError("unknown_type")
    return parser(obj)


def parse_console_frame(raw: str) -> ConsoleFrame:
    """Parse a frame a counsellor's console sent.

    Raises:
        FrameError: ``bad_frame``, ``unknown_type`` or ``bad_field`` (with the field).
    """
    obj = load_frame(raw)
    parser = _CONSOLE_PARSERS.get(obj["type"])
    if parser is None:
        raise FrameError("unknown_type")
    return parser(obj)


def _str(
    obj: Mapping[str, Any], name: str, max_chars: int, *, optional: bool = False
) -> str | None:
    value = obj.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > max_chars or not encodable(value):
        raise FrameError("bad_field", name)
    return value


def encodable(text: str) -> bool:
    """False for a string JSON let in but UTF-8 cannot carry: a lone surrogate (``"\\ud800"``).

    Such a string would fail later, in Redis or on another socket; it is refused here.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _required(obj: Mapping[str, Any], name: str, max_chars: int = MAX_ID_CHARS) -> str:
    value = _str(obj, name, max_chars)
    if value is None:  # unreachable: _str raises for a missing required field
        raise FrameError("bad_field", name)
    return value


def _choice(
    obj: Mapping[str, Any],
    name: str,
    allowed: tuple[str, ...] | Mapping[str, Any],
    *,
    optional: bool = False,
) -> str | None:
    value = obj.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise FrameError("bad_field", name)
    return value


def chat_text(obj: Mapping[str, Any], max_chars: int = MAX_TEXT_CHARS) -> str:
    """A message text: a string of 1 to ``max_chars`` code points that is not blank."""
    value = obj.get("text")
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > max_chars
        or not encodable(value)
    ):
        raise FrameError("bad_field", "text")
    return value


def _hello(obj: Mapping[str, Any]) -> Hello:
    version = obj.get("v")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise FrameError("bad_field", "v")
    channel = _choice(obj, "channel", CHANNELS)
    lang = obj.get("lang")
    if not isinstance(lang, str) or lang not in LANGUAGE_CODES:  # one of GET /api/languages
        raise FrameError("bad_field", "lang")
    age = _choice(obj, "age", AGES)
    topic = _choice(obj, "topic", TOPICS, optional=True)
    gender = _choice(obj, "gender", GENDERS, optional=True)
    kommun = obj.get("kommun")
    if kommun is not None and not is_municipality(kommun):
        raise FrameError("bad_field", "kommun")
    district = obj.get("district")
    if district is not None and not is_district(kommun, district):
        raise FrameError("bad_field", "district")
    profession = _choice(obj, "profession", PROFESSIONS, optional=True)
    return_code = _str(obj, "return_code", MAX_RETURN_CODE_CHARS, optional=True)
    urgent = obj.get("urgent", False)
    if not isinstance(urgent, bool):
        raise FrameError("bad_field", "urgent")
    return Hello(
        channel=channel,  # type: ignore[arg-type]  # checked against CHANNELS above
        lang=lang,
        age=age,  # type: ignore[arg-type]  # checked against AGES above
        topic=topic,
        gender=gender,
        kommun=kommun,
        profession=profession,
        return_code=return_code,
        resume=_resume(obj.get("resume")),
        district=district,
        urgent=urgent,
    )


def _resume(value: object) -> Resume | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FrameError("bad_field", "resume")
    token = value.get("token")
    last_seq = value.get("last_seq")
    if (
        not isinstance(token, str)
        or not token
        or len(token) > MAX_TOKEN_CHARS
        or not encodable(token)
    ):
        raise FrameError("bad_field", "resume")
    if type(last_seq) is not int or last_seq < 0:
        raise FrameError("bad_field", "resume")
    return Resume(token, last_seq)


def _notice_ack(obj: Mapping[str, Any]) -> NoticeAck:
    return NoticeAck(_required(obj, "id"))


def _visitor_msg(obj: Mapping[str, Any]) -> VisitorMsg:
    client_id = _required(obj, "id", MAX_CLIENT_ID_CHARS)
    return VisitorMsg(client_id, chat_text(obj))


def _survey(obj: Mapping[str, Any]) -> Survey:
    answers = obj.get("answers")
    if not isinstance(answers, dict) or len(answers) > MAX_SURVEY_ANSWERS:
        raise FrameError("bad_field", "answers")
    clean: dict[str, str | int] = {}
    for key, value in answers.items():
        if not isinstance(key, str) or len(key) > MAX_ID_CHARS or not encodable(key):
            raise FrameError("bad_field", "answers")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise FrameError("bad_field", "answers")
        if isinstance(value, str) and (len(value) > MAX_SURVEY_VALUE_CHARS or not encodable(value)):
            raise FrameError("bad_field", "answers")
        clean[key] = value
    return Survey(clean)


def _away(obj: Mapping[str, Any]) -> Away:
    on = obj.get("on")
    if not isinstance(on, bool):
        raise FrameError("bad_field", "on")
    return Away(on)


def _typing(obj: Mapping[str, Any]) -> Typing:
    return Typing(_str(obj, "chat", MAX_ID_CHARS, optional=True))


_VISITOR_PARSERS: Final[dict[str, Callable[[Mapping[str, Any]], VisitorFrame]]] = {
    "hello": _hello,
    "notice_ack": _notice_ack,
    "msg": _visitor_msg,
    "typing": lambda _obj: Typing(),
    "end": lambda _obj: End(),
    "exit": lambda _obj: Exit(),
    "return_code": lambda _obj: ReturnCodeRequest(),
    "survey": _survey,
    "away": _away,
    "forget_code": lambda obj: ForgetCode(_required(obj, "code", MAX_RETURN_CODE_CHARS)),
    "leave_message": lambda obj: LeaveMessage(
        _str(obj, "code", MAX_RETURN_CODE_CHARS, optional=True), chat_text(obj)
    ),
    "read_replies": lambda obj: ReadReplies(_required(obj, "code", MAX_RETURN_CODE_CHARS)),
    "urgent": lambda _obj: Urgent(),
}


def _console_end(obj: Mapping[str, Any]) -> ConsoleEnd:
    chat = _required(obj, "chat")
    reasons = obj.get("reasons", [])
    if not isinstance(reasons, list) or len(reasons) > MAX_REASONS:
        raise FrameError("bad_field", "reasons")
    if any(not isinstance(r, str) or r not in TOPICS for r in reasons):
        raise FrameError("bad_field", "reasons")
    profession = _choice(obj, "profession", PROFESSIONS, optional=True)
    kommun = obj.get("kommun")
    if kommun is not None and not is_municipality(kommun):
        raise FrameError("bad_field", "kommun")
    return ConsoleEnd(chat, tuple(dict.fromkeys(reasons)), profession, kommun)


def _summary_text(obj: Mapping[str, Any]) -> str:
    return chat_text(obj, MAX_SUMMARY_CHARS)


def _console_typing(obj: Mapping[str, Any]) -> Typing:
    return Typing(_required(obj, "chat"))


def _risk_update(obj: Mapping[str, Any]) -> RiskUpdate:
    chat = _required(obj, "chat")
    answers = obj.get("answers")
    if answers is not None:
        if not isinstance(answers, dict) or len(answers) > MAX_RISK_ANSWERS:
            raise FrameError("bad_field", "answers")
        if any(
            not isinstance(k, str) or not isinstance(v, str) or len(k) > MAX_ID_CHARS
            for k, v in answers.items()
        ):
            raise FrameError("bad_field", "answers")
    count = obj.get("count", False)
    if not isinstance(count, bool):
        raise FrameError("bad_field", "count")
    return RiskUpdate(chat, answers, count)


MAX_SET_LIMIT: Final = 20


def _set_limit(obj: Mapping[str, Any]) -> SetLimit:
    username = _required(obj, "username")
    limit = obj.get("limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_SET_LIMIT:
        raise FrameError("bad_field", "limit")
    return SetLimit(username, limit)


_CONSOLE_PARSERS: Final[dict[str, Callable[[Mapping[str, Any]], ConsoleFrame]]] = {
    "accept": lambda obj: Accept(_required(obj, "chat")),
    "set_limit": _set_limit,
    "heavy": lambda obj: Heavy(_required(obj, "chat")),
    "msg": lambda obj: ConsoleMsg(
        _required(obj, "chat"), _required(obj, "id", MAX_CLIENT_ID_CHARS), chat_text(obj)
    ),
    "note": lambda obj: Note(_required(obj, "chat"), chat_text(obj)),
    "transfer": lambda obj: Transfer(_required(obj, "chat"), _required(obj, "to")),
    "refer": lambda obj: Refer(_required(obj, "chat"), _required(obj, "org")),
    "end": _console_end,
    "typing": _console_typing,
    "summary": lambda obj: Summary(_required(obj, "chat"), _summary_text(obj)),
    "inbox": lambda _obj: InboxList(),
    "watch": lambda obj: Watch(_required(obj, "chat")),
    "unwatch": lambda obj: Unwatch(_required(obj, "chat")),
    "inbox_open": lambda obj: InboxOpen(_required(obj, "record")),
    "inbox_reply": lambda obj: InboxReply(_required(obj, "record"), chat_text(obj)),
    "whisper": lambda obj: Whisper(_required(obj, "chat"), chat_text(obj)),
    "escalate": lambda obj: Escalate(
        _required(obj, "chat"), str(_choice(obj, "level", ESCALATION_LEVELS))
    ),
    "block": lambda obj: Block(_required(obj, "chat")),
    "risk": _risk_update,
}
