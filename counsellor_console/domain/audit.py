"""Typed audit events: who among the staff did what, and when.

The audit log is for accountability inside the centre (a supervisor reading a chat that is
not theirs, accounts created and disabled, logins). It names staff and opaque chat ids, never
a visitor's words or anything that identifies a visitor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar


def _now() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """Base of every audit event; ``kind`` names the event in the log."""

    kind: ClassVar[str] = "event"
    staff: str
    at: str = field(default_factory=_now)

    def to_record(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedIn(AuditEvent):
    kind: ClassVar[str] = "logged_in"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginRefused(AuditEvent):
    """A refused login for an account name (which may not exist)."""

    kind: ClassVar[str] = "login_refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedOut(AuditEvent):
    kind: ClassVar[str] = "logged_out"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatWatched(AuditEvent):
    """A supervisor opened a chat they do not hold."""

    kind: ClassVar[str] = "chat_watched"
    chat: str
    holder: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatTransferred(AuditEvent):
    kind: ClassVar[str] = "chat_transferred"
    chat: str
    to: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserAdded(AuditEvent):
    """``staff`` is who ran the command (``cli`` from the command line)."""

    kind: ClassVar[str] = "user_added"
    username: str
    role: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserDisabled(AuditEvent):
    kind: ClassVar[str] = "user_disabled"
    username: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxOpened(AuditEvent):
    """A left message's thread was read; ``record`` is the opaque return-code record id."""

    kind: ClassVar[str] = "inbox_opened"
    record: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxReplied(AuditEvent):
    """A left message was answered (the reply's text is not in the log)."""

    kind: ClassVar[str] = "inbox_replied"
    record: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticlePublished(AuditEvent):
    kind: ClassVar[str] = "article_published"
    article: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftDiscarded(AuditEvent):
    kind: ClassVar[str] = "draft_discarded"
    draft: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsExported(AuditEvent):
    """``via`` is ``http`` (/admin/stats.csv) or ``cli`` (``fristad stats export``)."""

    kind: ClassVar[str] = "stats_exported"
    first: str
    last: str
    via: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserInvited(AuditEvent):
    kind: ClassVar[str] = "user_invited"
    username: str
    role: str
    org: str = ""  # a partner's organisation in the directory


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationAccepted(AuditEvent):
    """The invited colleague (``staff``) set a password and enrolled TOTP."""

    kind: ClassVar[str] = "invitation_accepted"


@dataclass(frozen=True, slots=True, kw_only=True)
class UserEnabled(AuditEvent):
    kind: ClassVar[str] = "user_enabled"
    username: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TotpReset(AuditEvent):
    kind: ClassVar[str] = "totp_reset"
    username: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleChanged(AuditEvent):
    kind: ClassVar[str] = "role_changed"
    username: str
    role: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserUpdated(AuditEvent):
    """Languages and chat limit as they were set."""

    kind: ClassVar[str] = "user_updated"
    username: str
    languages: str
    limit: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordChanged(AuditEvent):
    kind: ClassVar[str] = "password_changed"


@dataclass(frozen=True, slots=True, kw_only=True)
class TotpEnrolled(AuditEvent):
    kind: ClassVar[str] = "totp_enrolled"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditExported(AuditEvent):
    kind: ClassVar[str] = "audit_exported"


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitSet(AuditEvent):
    """A supervisor set a colleague's chat limit from the console (``set_limit``)."""

    kind: ClassVar[str] = "limit_set"
    username: str
    limit: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HeavyMarked(AuditEvent):
    """A counsellor marked a chat heavy and asked for a debrief (``paused_s``: 0 for none)."""

    kind: ClassVar[str] = "heavy_marked"
    chat: str
    paused_s: int
