"""Who may use which part of the partner network: one function per part, one place to change.

Partner accounts (a role ``partner`` bound to one organisation, issue 13) are in
``NETWORK_ROLES``: they use the experts' space and the partners' calendar feed, nothing more.
Planning (calendar, talk requests, outreach) stays with the centre's staff, and the member
register with its supervisors and admins.
"""

from __future__ import annotations

from typing import Final

from security.roles import Role, StaffIdentity

#: May read and post in the experts' space and read the partners' calendar feed.
NETWORK_ROLES: Final = frozenset({Role.COUNSELLOR, Role.SUPERVISOR, Role.ADMIN, Role.PARTNER})
#: The centre's own staff (everyone but partners): the network's hub, the register's overview.
STAFF_ROLES: Final = frozenset({Role.COUNSELLOR, Role.SUPERVISOR, Role.ADMIN})
#: The centre's own staff: edit the calendar, answer talk requests, record outreach.
PLANNING_ROLES: Final = frozenset({Role.COUNSELLOR, Role.SUPERVISOR, Role.ADMIN})
#: Keep the member register (contact details of the partners' representatives).
REGISTER_ROLES: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Close any thread (a thread's starter may close their own).
MODERATOR_ROLES: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_use_network(role: Role) -> bool:
    return role in NETWORK_ROLES


def is_centre_staff(role: Role) -> bool:
    return role in STAFF_ROLES


def may_plan(role: Role) -> bool:
    return role in PLANNING_ROLES


def may_keep_register(role: Role) -> bool:
    return role in REGISTER_ROLES


def may_close_thread(staff: StaffIdentity, starter: str) -> bool:
    return staff.role in MODERATOR_ROLES or (
        may_use_network(staff.role) and staff.username == starter
    )
