"""The per-address limits count the forwarded address only when a trusted proxy forwards it.

`FRISTAD_TRUSTED_PROXIES` names the proxies; from anyone else X-Forwarded-For is ignored, so
a client cannot choose the address its limits are counted under. Loopback peers are exempt
from the limits (they are the proxy or the operator), which is what the untrusted case shows:
the header changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.deploy.proxy import Proxy, start_proxy
from tests.support.server import RunningServer, start_server_with

RATE = 3
REMOTE = "203.0.113.9"  # TEST-NET-3


def spoofed_chain(i: int) -> dict[str, str]:
    """A client-written first hop (different each time) in front of the proxy's entry."""
    return {"X-Forwarded-For": f"198.51.100.{i}, {REMOTE}"}


def statuses(server: RunningServer, count: int) -> list[int]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        return [
            client.get("/api/topics", headers=spoofed_chain(i)).status_code for i in range(count)
        ]


async def open_socket(server: RunningServer) -> websockets.ClientConnection:
    return await websockets.connect(
        f"{server.ws_base}/ws/visit",
        origin=Origin(server.origin),
        additional_headers={"X-Forwarded-For": REMOTE},
    )


@pytest.fixture
def started(redis_url: str, tmp_path: Path) -> Iterator[list[RunningServer]]:
    servers: list[RunningServer] = []
    yield servers
    for server in servers:
        server.stop()


def serve(
    redis_url: str, tmp_path: Path, servers: list[RunningServer], **env: str
) -> RunningServer:
    settings = {"FRISTAD_ADDRESS_HTTP_RATE": str(RATE), "FRISTAD_ADDRESS_SOCKETS": "2", **env}
    server = start_server_with(redis_url, tmp_path, settings)
    servers.append(server)
    return server


async def test_a_trusted_proxy_forwards_the_address(
    redis_url: str, tmp_path: Path, started: list[RunningServer]
) -> None:
    server = serve(redis_url, tmp_path, started, FRISTAD_TRUSTED_PROXIES="127.0.0.1")
    # The rightmost untrusted entry counts: the client-written first hops change nothing.
    assert statuses(server, RATE + 1) == [200] * RATE + [429]
    sockets = [await open_socket(server) for _ in range(2)]
    with pytest.raises(InvalidStatus) as refused:
        await open_socket(server)
    assert refused.value.response.status_code == 403
    for ws in sockets:
        await ws.close()


async def test_an_untrusted_peer_cannot_choose_its_address(
    redis_url: str, tmp_path: Path, started: list[RunningServer]
) -> None:
    server = serve(redis_url, tmp_path, started, FRISTAD_TRUSTED_PROXIES="192.0.2.254")
    assert statuses(server, RATE + 3) == [200] * (RATE + 3)
    sockets = [await open_socket(server) for _ in range(3)]
    for ws in sockets:
        await ws.close()


async def test_nginx_replaces_a_forged_header(
    redis_url: str, tmp_path: Path, started: list[RunningServer]
) -> None:
    """deploy/nginx.conf sets X-Forwarded-For to the peer it sees: were it to pass the
    client's header on (`$proxy_add_x_forwarded_for`), the forged entry would be counted."""
    server = serve(redis_url, tmp_path, started)
    proxy: Proxy = start_proxy([server.port], tmp_path / "nginx")
    try:
        front = proxy.front(redis_url)
        assert statuses(front, RATE + 3) == [200] * (RATE + 3)
    finally:
        proxy.stop()
