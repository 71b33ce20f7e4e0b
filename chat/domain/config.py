"""The chat's tunable limits, built once by the composition root from settings."""

from __future__ import annotations

from dataclasses import dataclass

from chat.domain.hours import OpeningHours

DEFAULT_QUEUE_MAX = 500
DEFAULT_RESUME_GRACE_SECS = 120
DEFAULT_SESSION_CAP = 5
# 0 = shred a chat's transcript (its data key and messages) the moment it ends.
DEFAULT_RETENTION_SECS = 0
# Chats a counsellor holds at once unless a supervisor set their own (protocol.md 1.1).
DEFAULT_CHAT_LIMIT = 3
MAX_CHAT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class ChatConfig:
    queue_max: int = DEFAULT_QUEUE_MAX
    resume_grace_secs: int = DEFAULT_RESUME_GRACE_SECS
    session_cap: int = DEFAULT_SESSION_CAP
    retention_secs: int = DEFAULT_RETENTION_SECS
    visitor_rate: tuple[float, int] = (10.0, 20)
    console_rate: tuple[float, int] = (100.0, 200)
    opening_hours: OpeningHours | None = None
    chat_limit: int = DEFAULT_CHAT_LIMIT
    # After a heavy chat, a counsellor's new accepts pause this long; 0: no pause.
    heavy_pause_secs: int = 0
