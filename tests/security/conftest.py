"""Fixtures for the security properties: the integration fixtures (a real `fristad serve` on the
real Redis), plus checks shared by the fuzzers, the authorisation matrix and the retention tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import httpx

from tests.integration.conftest import (  # noqa: F401  # fixtures, re-exported for pytest
    fresh,
    module_server_factory,
    peers,
    server,
    server_factory,
    staff,
)
from tests.support.server import RunningServer, run_cli

#: Every error code the contract names (protocol.md, and docs/protocol.md's additions).
ERROR_CODES: Final = frozenset(
    {
        "bad_frame",
        "unknown_type",
        "bad_field",
        "rate_limited",
        "notice_required",
        "resume_failed",
        "unknown_return_code",
        "already_taken",
        "no_chat",
        "chat_open",
        "chat_ended",
        "too_late",
        "no_survey",
        "not_yours",
        "server_error",
        "not_available",
        "forbidden",
        "not_found",
        "at_limit",
        "paused",
    }
)

#: What in a server's log means an unhandled exception or a failure it reported.
LOG_ALARMS: Final = ("Traceback", "Exception in ASGI application")


class LogCursor:
    """Reads a running server's JSON-lines log from where it last stopped."""

    def __init__(self, srv: RunningServer) -> None:
        self.server = srv
        self.offset = 0

    def skip(self) -> None:
        """Forget what the log holds so far (set-up noise is not the test's)."""
        self.offset = len(self.server.logs())

    def alarms(self) -> list[str]:
        """New lines that report an error or a traceback, since the last call."""
        text = self.server.logs()
        new, self.offset = text[self.offset :], len(text)
        return [line for line in new.splitlines() if is_alarm(line)]


def is_alarm(line: str) -> bool:
    if any(alarm in line for alarm in LOG_ALARMS):
        return True
    try:
        entry: Any = json.loads(line)
    except ValueError:
        return False  # not ours; uvicorn's own lines go through the same JSON renderer
    return isinstance(entry, dict) and entry.get("level") in ("error", "critical", "exception")


DIRECTORY_CSV: Final = (
    "id,name,helps_with,topics,kommuner,languages,phone,web,email,address,hours,"
    "contact_person,contact_email,substitute,substitute_email,source,checked\n"
    "jouren,Tjejjouren Väst,stöd för unga,control;violence,*,sv;en,020-12 34 56,"
    "https://example.org,,,24/7,Kim Berg,kim@example.org,,,,2026-01-10\n"
    "skyddat,Skyddat boende Syd,skyddat boende,violence,0180;1280,sv;ar,,,"
    "info@example.org,,mon-fri 08:00-17:00,,,,,,\n"
)
#: The organisation ids DIRECTORY_CSV holds.
DIRECTORY_ORGS: Final = ("jouren", "skyddat")


def import_directory(redis_url: str, workdir: Path) -> None:
    """Put two organisations in the referral directory through the real command line."""
    path = workdir / "directory.csv"
    path.write_text(DIRECTORY_CSV, encoding="utf-8")
    done = run_cli(redis_url, "directory", "import", str(path))
    assert done.returncode == 0, (done.stdout, done.stderr)


# ---- what a reply may look like (protocol.md and docs/protocol.md) -------------------------

Frame = dict[str, Any]
VISITOR_REPLY_TYPES: Final = frozenset(
    {
        "welcome", "notice", "queued", "unavailable", "joined", "ack", "msg", "typing",
        "referral", "ended", "return_code", "survey_received", "error", "code_forgotten",
        "message_left", "replies",
    }
)  # fmt: skip
CONSOLE_REPLY_TYPES: Final = frozenset(
    {
        "queue", "assigned", "msg", "ack", "error", "note", "typing", "visitor_left",
        "visitor_away", "released", "transferred_out", "referred", "inbox", "inbox_thread",
        "inbox_replied", "inbox_changed", "summary_saved", "ended", "staff", "debrief",
        "heavy_noted",
    }
)  # fmt: skip
AUTHORS: Final = ("visitor", "counsellor", "system")


def _is_int(value: object, minimum: int | None = None) -> bool:
    return type(value) is int and (minimum is None or value >= minimum)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_timestamp(value: object) -> bool:
    if not isinstance(value, str) or not value.endswith("Z"):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _session_ok(value: object) -> bool:
    return (
        isinstance(value, dict)
        and _is_int(value.get("number"), 1)
        and _is_int(value.get("cap"), 1)
        and isinstance(value.get("over_cap"), bool)
    )


def _staff_entry_ok(entry: object) -> bool:
    """One colleague of a `staff` frame (protocol.md 1.1)."""
    return (
        isinstance(entry, dict)
        and all(_is_str(entry.get(k)) for k in ("username", "name", "role"))
        and isinstance(entry.get("languages"), list)
        and _is_int(entry.get("chats"), 0)
        and _is_int(entry.get("limit"), 0)
        and isinstance(entry.get("paused"), bool)
    )


# Per reply type: field -> check. A console frame about a chat also names it (`chat`).
_CHECKS: Final[dict[str, dict[str, Callable[[object], bool]]]] = {
    "welcome": {"chat": _is_str, "token": _is_str, "session": _session_ok},
    "notice": {"id": lambda v: v == "reporting-duty", "text": _is_str},
    "queued": {"position": lambda v: _is_int(v, 1), "eta_s": lambda v: v is None or _is_int(v, 0)},
    "unavailable": {"reason": lambda v: v in ("closed", "full")},
    "joined": {"counsellor": _is_str},
    "ack": {"id": _is_str, "seq": lambda v: _is_int(v, 1)},
    "msg": {
        "seq": lambda v: _is_int(v, 1),
        "from": lambda v: v in AUTHORS,
        "text": _is_str,
        "at": _is_timestamp,
    },
    "referral": {"card": lambda v: isinstance(v, dict)},
    "ended": {"by": lambda v: v in AUTHORS},
    "return_code": {
        "code": _is_str,
        "sessions_used": lambda v: _is_int(v, 0),
        "cap": lambda v: _is_int(v, 1),
    },
    "code_forgotten": {"forgotten": lambda v: isinstance(v, bool)},
    "message_left": {"code": _is_str},
    "replies": {"items": lambda v: isinstance(v, list)},
    "error": {"code": lambda v: v in ERROR_CODES},
    "queue": {"total": lambda v: isinstance(v, dict), "items": lambda v: isinstance(v, list)},
    "assigned": {"session": _session_ok, "age": _is_str, "lang": _is_str},
    "note": {"text": _is_str, "by": _is_str, "at": _is_timestamp},
    "visitor_left": {"how": lambda v: v in ("end", "exit", "timeout")},
    "visitor_away": {"on": lambda v: isinstance(v, bool)},
    "transferred_out": {"to": _is_str},
    "referred": {"org": _is_str, "card": lambda v: isinstance(v, dict)},
    "inbox": {"items": lambda v: isinstance(v, list)},
    "inbox_thread": {"record": _is_str, "items": lambda v: isinstance(v, list)},
    "inbox_replied": {"record": _is_str},
    "summary_saved": {"saved": lambda v: isinstance(v, bool)},
    "staff": {"online": lambda v: isinstance(v, list) and all(_staff_entry_ok(e) for e in v)},
    "debrief": {"counsellor": _is_str, "at": _is_timestamp},
    "heavy_noted": {"paused_s": lambda v: _is_int(v, 0)},
}
_CONSOLE_CHAT_TYPES: Final = frozenset(
    {"assigned", "msg", "ack", "note", "typing", "visitor_left", "visitor_away", "released",
     "transferred_out", "referred", "summary_saved", "heavy_noted"}
)  # fmt: skip


def reply_problems(frame: object, side: str) -> list[str]:
    """What is wrong with a frame the server sent to a visitor (`side="visitor"`) or console.

    Empty when the frame conforms. A `server_error` is always a problem: it means an exception
    the server did not expect.
    """
    if not isinstance(frame, dict):
        return [f"not a JSON object: {frame!r}"[:300]]
    kind = frame.get("type")
    known = VISITOR_REPLY_TYPES if side == "visitor" else CONSOLE_REPLY_TYPES
    if kind not in known:
        return [f"unknown reply type for {side}: {frame!r}"[:300]]
    problems = [
        f"{kind}.{name} is {frame.get(name)!r}"[:300]
        for name, check in _CHECKS.get(str(kind), {}).items()
        if not check(frame.get(name))
    ]
    if kind == "error":
        if frame.get("code") == "bad_field" and not _is_str(frame.get("field")):
            problems.append(f"bad_field without a field: {frame!r}")
        if frame.get("code") == "server_error":
            problems.append(f"server_error (an unhandled exception) on the {side} socket")
    if side == "console" and kind in _CONSOLE_CHAT_TYPES and not _is_str(frame.get("chat")):
        problems.append(f"console {kind} without a chat: {frame!r}"[:300])
    return problems


def healthz(srv: RunningServer) -> int:
    with httpx.Client(base_url=srv.base_url, timeout=5) as client:
        return client.get("/healthz").status_code
