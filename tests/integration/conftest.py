"""A real `fristad serve` process per test module, on the session's real Redis.

Redis is emptied before each test (the service keeps no state of its own beyond open
sockets), so staff users are created per test through the real command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.server import RunningServer, StaffCredentials, add_staff, start_server


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
        srv = start_server(redis_server, log_dir, **env)
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
