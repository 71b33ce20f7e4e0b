"""When Redis restarts, the service reconnects by itself (surface.md: /readyz 200 within 20 s)
and chats work again, events included (the pub/sub subscriber comes back too)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.clients import accept, connect_console, login, start_chat
from tests.support.net import free_port
from tests.support.server import add_staff, start_server

READY_WITHIN_S = 20.0


class OwnRedis:
    """A redis-server this test may stop and start again on the same port and data dir."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def ready_status(base_url: str) -> int:
    try:
        with urllib.request.urlopen(f"{base_url}/readyz", timeout=3) as resp:  # noqa: S310  # loopback
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, TimeoutError):
        return 0


async def test_service_recovers_after_redis_restarts(own_redis: OwnRedis, tmp_path: Path) -> None:
    server = start_server(own_redis.url, tmp_path)
    try:
        creds = add_staff(own_redis.url, "sam", name="Sam")
        assert ready_status(server.base_url) == 200

        own_redis.stop()
        assert ready_status(server.base_url) == 503
        own_redis.start()
        deadline = time.monotonic() + READY_WITHIN_S
        while ready_status(server.base_url) != 200:
            assert time.monotonic() < deadline, "readyz did not recover within 20 s"
            await asyncio.sleep(0.25)

        # A whole chat works again: the accept and the message travel through pub/sub.
        http = login(server, creds)
        console = await connect_console(server, http)
        visitor, welcome = await start_chat(server)
        await visitor.expect("queued", timeout=10)
        await accept(console, welcome["chat"])
        await visitor.expect("joined", timeout=10)
        await console.send({"type": "msg", "chat": welcome["chat"], "id": "c1", "text": "Hej igen"})
        await visitor.expect("msg", text="Hej igen", timeout=10)
        await visitor.close()
        await console.close()
        http.close()
    finally:
        server.stop()
