"""Failed logins lock out an address for an account, for a while, and nobody else (issue 8).

The server trusts `X-Forwarded-For` from loopback (uvicorn's default for a reverse proxy on the
same machine), so one test process can stand for several client addresses.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import Final

import httpx
import pytest
import redis

from counsellor_console.domain.policy import (
    LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
    LOGIN_FAILURES_PER_ADDRESS,
)
from security.address_limits import DEFAULT_LOGINS_PER_MINUTE
from tests.support.clients import is_logged_in, totp_now
from tests.support.server import RunningServer, StaffCredentials, add_staff

#: Long enough that a test's failures all fall in one window on a busy machine (each failure
#: is an argon2id run); the expiry test uses a server with a short window of its own.
LOCKOUT_S: Final = 60
SHORT_LOCKOUT_S: Final = 6
GUESSER: Final = "203.0.113.7"
COLLEAGUE: Final = "198.51.100.9"
SPRAYER: Final = "192.0.2.44"
LOCKED_TEXT: Final = "För många misslyckade försök"


@pytest.fixture(scope="module")
def locking(module_server_factory: Callable[..., RunningServer]) -> RunningServer:
    return module_server_factory(FRISTAD_LOGIN_LOCKOUT_S=str(LOCKOUT_S))


@pytest.fixture(scope="module")
def users(locking: RunningServer) -> dict[str, StaffCredentials]:
    stamp = str(time.monotonic_ns())[-6:]
    names = ("target", "expiry", "sprayed", "victim")
    with ThreadPoolExecutor(4) as pool:
        made = pool.map(lambda n: add_staff(locking.redis_url, f"lock-{n}-{stamp}"), names)
        return dict(zip(names, made, strict=True))


def attempt(
    server: RunningServer, address: str, username: str, password: str, code: str
) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10) as client:
        return client.post(
            "/console/login",
            data={"username": username, "password": password, "totp": code},
            headers={"Origin": server.origin, "X-Forwarded-For": address},
        )


def fail(server: RunningServer, address: str, creds: StaffCredentials, times: int) -> None:
    for _ in range(times):
        resp = attempt(server, address, creds.username, "wrong-" + creds.password, "000000")
        assert resp.status_code == 401, resp.status_code
        assert LOCKED_TEXT not in resp.text


def right(server: RunningServer, address: str, creds: StaffCredentials) -> httpx.Response:
    return attempt(server, address, creds.username, creds.password, totp_now(creds.totp_secret_b32))


def test_guessing_locks_out_the_guessers_address_not_the_colleague(
    locking: RunningServer, users: dict[str, StaffCredentials]
) -> None:
    creds = users["target"]
    fail(locking, GUESSER, creds, LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)
    locked = right(locking, GUESSER, creds)
    assert not is_logged_in(locked)
    assert LOCKED_TEXT in locked.text, locked.text[:300]
    # The colleague, at their own address, logs in with their right credentials.
    assert is_logged_in(right(locking, COLLEAGUE, creds))


def test_a_lockout_expires(
    module_server_factory: Callable[..., RunningServer], users: dict[str, StaffCredentials]
) -> None:
    short = module_server_factory(FRISTAD_LOGIN_LOCKOUT_S=str(SHORT_LOCKOUT_S))
    creds, guesser = users["expiry"], "203.0.113.8"  # its own address: logins are throttled
    fail(short, guesser, creds, LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)
    assert LOCKED_TEXT in right(short, guesser, creds).text
    deadline = time.monotonic() + SHORT_LOCKOUT_S + 5
    while time.monotonic() < deadline:
        resp = right(short, guesser, creds)
        if is_logged_in(resp):
            return
        assert LOCKED_TEXT in resp.text, resp.text[:300]
        time.sleep(1)
    raise AssertionError("the lockout did not expire")


def test_one_address_guessing_many_accounts_is_locked_out(
    locking: RunningServer, users: dict[str, StaffCredentials]
) -> None:
    victim = users["victim"]
    per_account = LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1
    spent = 0
    for n in range(LOGIN_FAILURES_PER_ADDRESS // per_account):  # names that may not exist
        guessed = StaffCredentials(f"{users['sprayed'].username}-{n}", "x", "", "counsellor")
        fail(locking, SPRAYER, guessed, per_account)
        spent += per_account
    fail(locking, SPRAYER, victim, LOGIN_FAILURES_PER_ADDRESS - spent)
    # Under the per-account count for `victim`, yet the address as a whole is locked out...
    assert LOCKED_TEXT in right(locking, SPRAYER, victim).text
    # ...and only that address.
    assert is_logged_in(right(locking, COLLEAGUE, victim))


def test_the_lockout_keeps_no_address_or_username(
    locking: RunningServer, users: dict[str, StaffCredentials]
) -> None:
    fail(locking, "203.0.113.99", users["target"], 1)
    with closing(redis.Redis.from_url(locking.redis_url)) as client:
        keys = [k.decode() for k in client.scan_iter("f:loginfail:*")]
    assert keys, "no failure was counted"
    for key in keys:
        assert "203.0.113" not in key
        assert users["target"].username not in key


def test_logins_are_throttled_per_address(locking: RunningServer) -> None:
    """Past the login bucket, an address waits a minute, before any password is checked."""
    into_minute = time.time() % 60
    if into_minute > 55:  # the bucket is a fixed minute: do not straddle two
        time.sleep(60.2 - into_minute)
    statuses = [
        attempt(locking, "192.0.2.200", "", "", "").status_code
        for _ in range(DEFAULT_LOGINS_PER_MINUTE + 1)
    ]
    assert statuses[:DEFAULT_LOGINS_PER_MINUTE] == [401] * DEFAULT_LOGINS_PER_MINUTE
    assert statuses[-1] == 429
    assert attempt(locking, "192.0.2.201", "", "", "").status_code == 401
