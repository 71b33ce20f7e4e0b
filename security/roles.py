"""Staff roles and the identity a request carries once a staff session is checked.

Lives in `security` so that every layer (chat, kb, the console) can take an identity as a
typed argument without importing the console's session code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COUNSELLOR = "counsellor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    #: Someone at a partner organisation (issue 13): bound to one organisation of the
    #: directory, sees only their own page, their entry, the experts' space and the
    #: partners' calendar, never the console, queues, chats or statistics.
    PARTNER = "partner"


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    """Who is acting, as established by a valid staff session."""

    username: str
    display_name: str
    role: Role
    #: The session this identity came from (the SHA-256 of its token; "" outside a session):
    #: console sockets are registered under it, so revoking the session closes them.
    session_id: str = ""
    #: The session's CSRF token, for the pages to embed in their forms and meta tag.
    csrf_token: str = ""
    #: The directory organisation a partner account is bound to ("" for the centre's staff).
    org_id: str = ""
    #: The language the console and /admin speak to them in (``sv`` or ``en``, issue 12).
    ui_lang: str = "sv"

    @property
    def can_supervise(self) -> bool:
        """Supervisors and admins watch queues, read statistics and metrics."""
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_partner(self) -> bool:
        return self.role is Role.PARTNER

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
