"""How long staff sessions live and when repeated failed logins lock an address out.

One frozen value, built by ``service.settings`` from the environment, so the tests can start a
server whose sessions idle out in seconds and show that the sockets close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: A session ends after this long without a request or a console frame (issue 11).
STAFF_IDLE_SECS: Final = 30 * 60
#: ... and this long after the login, whatever happens (one long shift).
STAFF_SESSION_MAX_SECS: Final = 12 * 3600
#: How long failed logins are counted, and so how long a lockout lasts at most.
LOGIN_LOCKOUT_SECS: Final = 15 * 60
#: Failed logins for one account from one address before that address is locked out of it.
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: Final = 10
#: Failed logins from one address, over every account, before the address is locked out.
LOGIN_FAILURES_PER_ADDRESS: Final = 20


@dataclass(frozen=True, slots=True)
class StaffPolicy:
    idle_secs: int = STAFF_IDLE_SECS
    max_secs: int = STAFF_SESSION_MAX_SECS
    lockout_secs: int = LOGIN_LOCKOUT_SECS
    failures_per_account: int = LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
    failures_per_address: int = LOGIN_FAILURES_PER_ADDRESS
