"""Staff login: argon2id password, then a TOTP code that works once.

Errors are values here: ``log_in`` answers an identity or a ``LoginRefusal``; the page shows
one neutral message for every refusal, so it does not tell which part was wrong.
"""

from __future__ import annotations

import asyncio
import time
from enum import StrEnum
from http.cookies import SimpleCookie
from typing import Final

import structlog

from counsellor_console.stores.store import StaffStore
from security.passwords import MAX_PASSWORD_CHARS, hash_password, verify_password
from security.roles import StaffIdentity
from security.totp import verify_totp

log = structlog.get_logger(__name__)

COOKIE_NAME_PLAIN: Final = "fristad_staff"
COOKIE_NAME_HOST: Final = "__Host-fristad_staff"
MAX_USERNAME_CHARS: Final = 64
# Compared against when the username is unknown, so a miss costs what a hit costs.
_DUMMY_HASH: Final = hash_password("not-a-real-password-only-for-timing")


class LoginRefusal(StrEnum):
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


async def log_in(
    store: StaffStore,
    username: str,
    password: str,
    totp_code: str,
    address: str,
    now: float | None = None,
) -> StaffIdentity | LoginRefusal:
    """Check a login. The TOTP step is claimed only after the password matched.

    ``address`` is the client's address as its daily keyed hash (``security.address``): failures
    lock out that address for that account, never the account for everybody (issue 8).
    """
    now = time.time() if now is None else now
    if not username or len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        return LoginRefusal.BAD_CREDENTIALS
    if await store.lockout.locked(username, address):
        log.warning("login_locked")
        return LoginRefusal.LOCKED
    account = await store.load_user(username)
    stored_hash = account.password_hash if account else _DUMMY_HASH
    password_ok = await asyncio.to_thread(verify_password, stored_hash, password)
    if account is None or account.disabled or not password_ok:
        await store.lockout.count_failure(username, address)
        return LoginRefusal.BAD_CREDENTIALS
    step = verify_totp(account.totp_secret, totp_code, now, account.last_totp_step)
    if step is None or not await store.claim_totp_step(username, step):
        await store.lockout.count_failure(username, address)
        return LoginRefusal.BAD_CREDENTIALS
    await store.lockout.clear(username, address)
    log.info("staff_logged_in", staff=username, role=account.role.value)
    return account.identity()


def cookie_name(secure_origin: bool) -> str:
    return COOKIE_NAME_HOST if secure_origin else COOKIE_NAME_PLAIN


def session_token_from_cookie_header(header: str) -> str | None:
    """The staff session token from a raw ``Cookie`` header (WebSocket handshakes)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return None
    for name in (COOKIE_NAME_HOST, COOKIE_NAME_PLAIN):
        if name in jar:
            return jar[name].value
    return None
