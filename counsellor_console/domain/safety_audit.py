"""Audit events of Console 1.1's supervision and safety features: who, which chat, never the
words (a whisper's text is not in the log)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from counsellor_console.domain.audit import AuditEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class WhisperSent(AuditEvent):
    """A whisper in a chat; ``holder`` is the counsellor who holds it."""

    kind: ClassVar[str] = "whisper_sent"
    chat: str
    holder: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatEscalated(AuditEvent):
    kind: ClassVar[str] = "chat_escalated"
    chat: str
    level: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatBlocked(AuditEvent):
    kind: ClassVar[str] = "chat_blocked"
    chat: str
