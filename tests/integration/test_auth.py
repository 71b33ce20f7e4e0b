"""Staff login, sessions, roles and the users CLI (surface.md), through the real surface.

Users are made once for the module (in parallel: each is a Python process and an argon2id
hash) and each test uses its own, so that one test's TOTP use never looks like a replay in
another. These tests never flush Redis, so they take no `redis_url`/`fresh`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from http.cookies import SimpleCookie

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.support.clients import (
    connect_ws,
    is_logged_in,
    login,
    login_attempt,
    totp_now,
)
from tests.support.server import RunningServer, StaffCredentials, add_staff, run_cli

USERS = {
    "flags": "counsellor",
    "wrong": "counsellor",
    "replay": "counsellor",
    "skew": "counsellor",
    "logout": "counsellor",
    "disable": "counsellor",
    "metrics-c": "counsellor",
    "metrics-s": "supervisor",
    "metrics-a": "admin",
}


@pytest.fixture(scope="module")
def accounts(server: RunningServer, redis_server: str) -> dict[str, StaffCredentials]:
    stamp = str(time.monotonic_ns())[-6:]
    with ThreadPoolExecutor(4) as pool:
        made = pool.map(
            lambda item: add_staff(redis_server, f"{item[0]}-{stamp}", role=item[1]),
            USERS.items(),
        )
        return dict(zip(USERS, made, strict=True))


@pytest.fixture
def anon(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10) as client:
        yield client


def settle_totp_step() -> None:
    """Avoid the last second of a 30 s TOTP step, so a code cannot age by a step mid-test."""
    into = time.time() % 30
    if into > 28.5:
        time.sleep(30.2 - into)


def wrong_code(secret: str) -> str:
    valid = {totp_now(secret, k) for k in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in valid)


def cookie_value(client: httpx.Client) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def console_status(server: RunningServer, cookie: str) -> int:
    """101 if /ws/console opens with this Cookie header, else the refusal's HTTP status."""
    try:
        client = await connect_ws(server, "/ws/console", server.origin, {"Cookie": cookie})
    except InvalidStatus as exc:
        return exc.response.status_code
    await client.close()
    return 101


# ---- the command line -------------------------------------------------------------------------


def test_users_add_prints_password_and_totp_uri(redis_server: str, server: RunningServer) -> None:
    done = run_cli(redis_server, "users", "add", f"cli-{time.monotonic_ns()}", "--role", "admin")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    passwords = [ln for ln in lines if ln.startswith("password: ")]
    uris = [ln for ln in lines if ln.startswith("totp: otpauth://totp/")]
    assert len(passwords) == 1, done.stdout
    assert len(uris) == 1, done.stdout
    assert len(passwords[0].split(": ", 1)[1].strip()) >= 12
    assert re.search(r"[?&]secret=[A-Z2-7]{16,}", uris[0]), uris[0]


def test_users_add_refuses_an_unknown_role(redis_server: str, server: RunningServer) -> None:
    done = run_cli(redis_server, "users", "add", "whoever", "--role", "king")
    assert done.returncode != 0
    assert "password:" not in done.stdout


def test_users_add_display_name(redis_server: str, server: RunningServer) -> None:
    done = run_cli(
        redis_server, "users", "add", f"named-{time.monotonic_ns()}", "--role", "counsellor",
        "--name", "Dana Öst",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


# ---- logging in -------------------------------------------------------------------------------


def test_login_cookie_flags_and_console(
    server: RunningServer, accounts: dict[str, StaffCredentials]
) -> None:
    creds = accounts["flags"]
    client, resp = login_attempt(
        server, creds.username, creds.password, totp_now(creds.totp_secret_b32)
    )
    with closing(client):
        assert is_logged_in(resp), (resp.status_code, resp.headers)
        # The session cookie is the one that, alone, opens the console.
        openers = []
        for header in resp.headers.get_list("set-cookie"):
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                page = httpx.get(
                    f"{server.base_url}/console",
                    headers={"Cookie": f"{name}={morsel.value}"},
                    follow_redirects=False,
                )
                if page.status_code == 200:
                    openers.append((header, morsel.value))
        assert len(openers) == 1, resp.headers.get_list("set-cookie")
        header, value = openers[0]
        attrs = [a.strip().lower() for a in header.split(";")[1:]]
        assert "httponly" in attrs, header
        assert "samesite=strict" in attrs, header
        assert len(value) >= 22, "a session id must not be guessable"
        assert client.get("/console").status_code == 200


def test_wrong_password_unknown_user_and_wrong_totp_do_not_log_in(
    server: RunningServer, accounts: dict[str, StaffCredentials]
) -> None:
    creds = accounts["wrong"]
    secret = creds.totp_secret_b32
    attempts = [
        (creds.username, creds.password + "x", totp_now(secret)),
        (creds.username, "", totp_now(secret)),
        ("nobody-" + creds.username, creds.password, totp_now(secret)),
        (creds.username, creds.password, wrong_code(secret)),
        (creds.username, creds.password, totp_now(secret, -3)),
        (creds.username, creds.password, ""),
    ]
    for username, password, code in attempts:
        client, resp = login_attempt(server, username, password, code)
        with closing(client):
            assert not is_logged_in(resp), (username, code, resp.status_code)
            assert client.get("/console").status_code == 303


def test_totp_code_cannot_be_used_twice(
    server: RunningServer, accounts: dict[str, StaffCredentials]
) -> None:
    creds = accounts["replay"]
    settle_totp_step()
    code = totp_now(creds.totp_secret_b32)
    first, resp1 = login_attempt(server, creds.username, creds.password, code)
    second, resp2 = login_attempt(server, creds.username, creds.password, code)
    with closing(first), closing(second):
        assert is_logged_in(resp1)
        assert not is_logged_in(resp2), "the same TOTP code was accepted twice (replay)"
        assert second.get("/console").status_code == 303


def test_totp_one_step_old_is_accepted(
    server: RunningServer, accounts: dict[str, StaffCredentials]
) -> None:
    creds = accounts["skew"]
    settle_totp_step()
    client, resp = login_attempt(
        server, creds.username, creds.password, totp_now(creds.totp_secret_b32, -1)
    )
    with closing(client):
        assert is_logged_in(resp), (resp.status_code, resp.text[:300])


async def test_logout_ends_the_session(
    server: RunningServer, accounts: dict[str, StaffCredentials]
) -> None:
    with closing(login(server, accounts["logout"])) as client:
        cookie = cookie_value(client)
        assert await console_status(server, cookie) == 101
        resp = client.post("/console/logout", headers={"Origin": server.origin})
        assert resp.status_code in (200, 303), resp.status_code
    assert await console_status(server, cookie) == 403
    async with httpx.AsyncClient(base_url=server.base_url) as again:
        page = await again.get("/console", headers={"Cookie": cookie})
    assert page.status_code == 303


async def test_disabled_user_cannot_log_in(
    server: RunningServer, redis_server: str, accounts: dict[str, StaffCredentials]
) -> None:
    creds = accounts["disable"]
    done = run_cli(redis_server, "users", "disable", creds.username)
    assert done.returncode == 0, done.stderr
    settle_totp_step()
    client, resp = login_attempt(
        server, creds.username, creds.password, totp_now(creds.totp_secret_b32)
    )
    with closing(client):
        assert not is_logged_in(resp)


def test_users_disable_unknown_user_fails(redis_server: str, server: RunningServer) -> None:
    done = run_cli(redis_server, "users", "disable", "no-such-user-anywhere")
    assert done.returncode != 0


# ---- roles ------------------------------------------------------------------------------------


def test_metrics_by_role(
    server: RunningServer, accounts: dict[str, StaffCredentials], anon: httpx.Client
) -> None:
    assert anon.get("/metrics").status_code in (303, 403)
    with closing(login(server, accounts["metrics-c"])) as counsellor:
        assert counsellor.get("/metrics").status_code == 403
    for name in ("metrics-s", "metrics-a"):
        with closing(login(server, accounts[name])) as boss:
            resp = boss.get("/metrics")
            assert resp.status_code == 200, (name, resp.status_code)
            assert resp.headers["content-type"].startswith("text/plain")
            assert "# TYPE " in resp.text
