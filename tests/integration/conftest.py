"""A real `fristad serve` process per test module, on the session's real Redis.

Redis is emptied before each test (the service keeps no state of its own beyond open
sockets), so staff users are created per test through the real command line.

Creating a user (a Python process and an argon2id hash) and logging in costs about a second,
so tests that only need logged-in counsellors use `team`: users created and logged in once
per session through the real CLI and login form, whose Redis keys (whatever they are: the tests
do not know the service's layout) are saved with DUMP and put back after each flush.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.clients import CSRF_HEADER, Peers, login
from tests.support.server import (
    RunningServer,
    StaffCredentials,
    add_staff,
    start_server,
    start_server_with,
)


@pytest.fixture(scope="module")
def server(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    srv = start_server(redis_server, tmp_path_factory.mktemp("logs"))
    yield srv
    srv.stop()


@pytest.fixture
def fresh(redis_url: str, server: RunningServer) -> RunningServer:
    """The module's server with an empty Redis."""
    return server


@pytest.fixture
def server_factory(
    redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningServer]]:
    """Start extra servers with their own settings; all are stopped after the test."""
    started: list[RunningServer] = []
    log_dir: Path = tmp_path_factory.mktemp("logs")

    def start(**env: str) -> RunningServer:
        srv = start_server_with(redis_server, log_dir, env)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def module_server_factory(
    redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., RunningServer]]:
    """As `server_factory`, for servers that several tests of a module share (a setting that
    differs, started once): they are stopped when the module ends."""
    started: list[RunningServer] = []
    log_dir: Path = tmp_path_factory.mktemp("logs")

    def start(**env: str) -> RunningServer:
        srv = start_server_with(redis_server, log_dir, env)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture
def staff(redis_url: str) -> Callable[..., StaffCredentials]:
    counter = iter(range(1, 1000))

    def make(role: str = "counsellor", name: str | None = None) -> StaffCredentials:
        return add_staff(redis_url, f"{role}{next(counter)}", role=role, name=name)

    return make


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    """Every WebSocket the test opens through it is closed afterwards."""
    opened = Peers()
    yield opened
    await opened.close_all()


# ---- a logged-in team, kept across the flushes of one module ------------------------------

TEAM = (
    ("anna", "counsellor", "Anna Berg"),
    ("bilal", "counsellor", "Bilal Ek"),
    ("cleo", "counsellor", "Cleo Lind"),
    ("sigrid", "supervisor", "Sigrid Holm"),
)


@dataclass
class Team:
    """Logged-in staff: `creds[name]` and `http[name]` (an httpx client with the cookie)."""

    server: RunningServer
    creds: dict[str, StaffCredentials]
    http: dict[str, httpx.Client]
    display: dict[str, str]
    snapshot: list[tuple[bytes, int, bytes]]


def _snapshot(url: str) -> list[tuple[bytes, int, bytes]]:
    client = redis.Redis.from_url(url)
    try:
        saved = []
        for key in client.scan_iter(count=1000):
            data = client.dump(key)
            if data is not None:
                pttl = int(client.pttl(key))
                saved.append((key, max(pttl, 0), data))
        return saved
    finally:
        client.close()


def _restore(url: str, saved: list[tuple[bytes, int, bytes]]) -> None:
    client = redis.Redis.from_url(url)
    try:
        for key, pttl, data in saved:
            client.restore(key, pttl, data, replace=True)
    finally:
        client.close()


@dataclass
class _TeamSeed:
    creds: dict[str, StaffCredentials]
    http: dict[str, httpx.Client]
    snapshot: list[tuple[bytes, int, bytes]]


@pytest.fixture(scope="session")
def team_seed(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_TeamSeed]:
    """The team, made and logged in once per session (on a server of its own)."""
    flusher = redis.Redis.from_url(redis_server)
    flusher.flushall()
    flusher.close()
    srv = start_server(redis_server, tmp_path_factory.mktemp("team-logs"))
    try:
        with ThreadPoolExecutor(len(TEAM)) as pool:
            made = list(
                pool.map(lambda m: add_staff(redis_server, m[0], role=m[1], name=m[2]), TEAM)
            )
        creds = {c.username: c for c in made}
        http = {name: login(srv, c) for name, c in creds.items()}
        snapshot = _snapshot(redis_server)
    finally:
        srv.stop()
    yield _TeamSeed(creds=creds, http=http, snapshot=snapshot)
    for client in http.values():
        client.close()


@pytest.fixture(scope="module")
def team_http(team_seed: _TeamSeed, server: RunningServer) -> Iterator[dict[str, httpx.Client]]:
    """For each team member, an httpx client on the module's server holding their session."""
    clients = {
        name: httpx.Client(
            base_url=server.base_url,
            follow_redirects=False,
            timeout=10,
            cookies=dict(seed.cookies.items()),
            headers={CSRF_HEADER: seed.headers.get(CSRF_HEADER, "")},
        )
        for name, seed in team_seed.http.items()
    }
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def team(
    redis_url: str, team_seed: _TeamSeed, server: RunningServer, team_http: dict[str, httpx.Client]
) -> Team:
    """The module's server with an empty Redis but for the logged-in team.

    The session cookies live in Redis, so they open /ws/console on any server of the session.
    """
    _restore(redis_url, team_seed.snapshot)
    return Team(
        server=server,
        creds=team_seed.creds,
        http=team_http,
        display={m[0]: m[2] for m in TEAM},
        snapshot=team_seed.snapshot,
    )
