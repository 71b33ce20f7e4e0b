"""Revocation reaches open console sockets, on every process, within a second (issue 8).

Each console here is opened on one `fristad serve` process and revoked through another (or the
command line), so the close has to travel through Redis.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import closing
from typing import Final

import httpx
import pytest

from counsellor_console.stores.revocation_store import CLOSE_REVOKED
from tests.support.clients import Peers, WsClient, login
from tests.support.server import RunningServer, StaffCredentials, run_cli

WITHIN_S: Final = 1.0


@pytest.fixture
def other(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """A second process on the same Redis."""
    return server_factory()


def on(server: RunningServer, http: httpx.Client) -> httpx.Client:
    """The same session (cookie and CSRF header) against another process."""
    return httpx.Client(
        base_url=server.base_url,
        cookies=dict(http.cookies.items()),
        headers=dict(http.headers.items()),
        follow_redirects=False,
        timeout=10,
    )


async def closed_within(console: WsClient, started: float, limit: float = WITHIN_S) -> int:
    code = await console.closed_code(within=limit + 2)
    elapsed = time.monotonic() - started
    assert elapsed < limit, f"closed after {elapsed:.2f} s"
    return code


async def still_open(console: WsClient) -> None:
    await console.send({"type": "inbox"})
    await console.expect("inbox")


async def test_logout_closes_that_sessions_sockets_everywhere(
    fresh: RunningServer,
    other: RunningServer,
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    creds = staff("counsellor")
    leaving, staying = login(fresh, creds), login(fresh, creds, offset_steps=1)
    console = await peers.console(fresh, leaving)
    sibling = await peers.console(other, staying)  # the same user, another session
    with closing(on(other, leaving)) as elsewhere:
        started = time.monotonic()
        resp = elsewhere.post("/console/logout")
        assert resp.status_code == 303, resp.status_code
    assert await closed_within(console, started) == CLOSE_REVOKED
    await still_open(sibling)
    leaving.close()
    staying.close()


async def test_disabling_a_user_closes_all_their_sockets(
    fresh: RunningServer,
    other: RunningServer,
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    creds, colleague = staff("counsellor"), staff("counsellor")
    first, second = login(fresh, creds), login(other, creds, offset_steps=1)
    consoles = [await peers.console(fresh, first), await peers.console(other, second)]
    bystander_http = login(fresh, colleague)
    bystander = await peers.console(fresh, bystander_http)
    started = time.monotonic()
    done = run_cli(fresh.redis_url, "users", "disable", creds.username)
    assert done.returncode == 0, done.stderr
    # The command line's own start-up is not the service's delay: time from its end.
    started = max(started, time.monotonic() - WITHIN_S / 2)
    for console in consoles:
        assert await closed_within(console, started, WITHIN_S * 1.5) == CLOSE_REVOKED
    await still_open(bystander)
    assert first.get("/console").status_code == 303
    for client in (first, second, bystander_http):
        client.close()


async def test_an_idle_session_closes_its_socket_when_it_expires(
    server_factory: Callable[..., RunningServer],
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    idle_s = 3
    srv = server_factory(FRISTAD_STAFF_IDLE_S=str(idle_s))
    creds = staff("counsellor")
    idle_http, busy_http = login(srv, creds), login(srv, creds, offset_steps=1)
    idle = await peers.console(srv, idle_http)
    busy = await peers.console(srv, busy_http)
    started = time.monotonic()
    # The busy counsellor's frames keep their session alive past the idle time.
    while time.monotonic() - started < idle_s + 1.5:
        await still_open(busy)
        await asyncio.sleep(0.2)
    assert await idle.closed_code(within=0.1) == CLOSE_REVOKED
    assert idle_http.get("/console").status_code == 303
    await still_open(busy)
    assert busy_http.get("/console").status_code == 200
    idle_http.close()
    busy_http.close()


async def test_a_session_ends_at_its_maximum_however_busy(
    server_factory: Callable[..., RunningServer],
    staff: Callable[..., StaffCredentials],
    peers: Peers,
) -> None:
    max_s = 4
    srv = server_factory(FRISTAD_STAFF_SESSION_MAX_S=str(max_s))
    http = login(srv, staff("counsellor"))
    logged_in = time.monotonic()
    console = await peers.console(srv, http)
    code = None
    while time.monotonic() - logged_in < max_s + WITHIN_S + 1:
        try:
            await still_open(console)
        except Exception:
            code = await console.closed_code(within=1)
            break
        await asyncio.sleep(0.2)
    assert code == CLOSE_REVOKED
    assert time.monotonic() - logged_in < max_s + WITHIN_S + 0.5
    assert http.get("/console").status_code == 303
    http.close()
