"""The partner network's audit events: who did what, never what was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from counsellor_console.domain.audit import AuditEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadStarted(AuditEvent):
    kind: ClassVar[str] = "network_thread_started"
    thread: str
    topic: str
    #: Kinds of finding the poster confirmed were not identifying (empty: none found).
    confirmed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class PostAdded(AuditEvent):
    kind: ClassVar[str] = "network_post_added"
    thread: str
    seq: int
    confirmed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadClosed(AuditEvent):
    kind: ClassVar[str] = "network_thread_closed"
    thread: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSaved(AuditEvent):
    kind: ClassVar[str] = "network_event_saved"
    event: str
    audience: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EventDeleted(AuditEvent):
    kind: ClassVar[str] = "network_event_deleted"
    event: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TalkRequestAnswered(AuditEvent):
    kind: ClassVar[str] = "network_talk_answered"
    request: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OutreachLogged(AuditEvent):
    kind: ClassVar[str] = "network_outreach_logged"
    activity: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberSaved(AuditEvent):
    kind: ClassVar[str] = "network_member_saved"
    org: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MembersExported(AuditEvent):
    kind: ClassVar[str] = "network_members_exported"
