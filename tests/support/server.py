"""A real Fristad service in a subprocess, driven only through the contract (shared/spec)."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.net import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
# How long a SIGTERM may take before the process is killed (a slow stop slows the suite).
STOP_TIMEOUT_S = 3
TEST_MASTER_KEY = base64.b64encode(bytes(range(32))).decode()


@dataclass
class RunningServer:
    """One `fristad serve` process and where to reach it."""

    proc: subprocess.Popen[bytes]
    port: int
    redis_url: str
    env: dict[str, str]
    log_path: Path
    host: str = "127.0.0.1"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return self.base_url

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def kill(self) -> None:
        """Lose the process abruptly, as a crashed machine would."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


def service_env(redis_url: str, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRISTAD_") and k != "REDIS_URL"}
    env["REDIS_URL"] = redis_url
    env["FRISTAD_MASTER_KEY"] = TEST_MASTER_KEY
    env["PYTHONUNBUFFERED"] = "1"
    # The tests written before the chat limit (protocol.md 1.1) have one counsellor hold many
    # chats; the limit's own tests set it (FRISTAD_CHAT_LIMIT="" for the service's default).
    env["FRISTAD_CHAT_LIMIT"] = "20"
    env.update(overrides)
    return env


def start_server(
    redis_url: str, log_dir: Path, port: int | None = None, **env: str
) -> RunningServer:
    """Start `fristad serve` on a free port and wait until /healthz answers."""
    return start_server_with(redis_url, log_dir, env, port)


def start_server_with(
    redis_url: str, log_dir: Path, env: Mapping[str, str], port: int | None = None
) -> RunningServer:
    """As `start_server`, with the FRISTAD_* settings as a mapping."""
    port = port or free_port()
    full_env = service_env(redis_url, **env)
    log_path = log_dir / f"server-{port}-{time.monotonic_ns()}.log"
    log_file = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO_ROOT,
        env=full_env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()  # the child holds its own copy of the descriptor
    server = RunningServer(
        proc=proc, port=port, redis_url=redis_url, env=full_env, log_path=log_path
    )
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.logs()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=1) as resp:  # noqa: S310
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server did not answer /healthz:\n{server.logs()}")
        time.sleep(0.1)


@dataclass(frozen=True)
class StaffCredentials:
    username: str
    password: str
    totp_secret_b32: str
    role: str


_TOTP_SECRET = re.compile(r"secret=([A-Z2-7]+)")


def run_cli(redis_url: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `fristad ARGS...` against this Redis, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=REPO_ROOT,
        env=service_env(redis_url),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def add_staff(
    redis_url: str,
    username: str,
    role: str = "counsellor",
    name: str | None = None,
    languages: str = "",
    org: str = "",
) -> StaffCredentials:
    """Create a staff user through the real command line, as an operator would."""
    args = ["users", "add", username, "--role", role]
    if org:
        args += ["--org", org]
    if name:
        args += ["--name", name]
    if languages:
        args += ["--languages", languages]
    done = run_cli(redis_url, *args)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    out = done.stdout
    password = next(
        line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("password: ")
    )
    uri = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("totp: "))
    match = _TOTP_SECRET.search(uri)
    assert match, uri
    return StaffCredentials(username, password.strip(), match.group(1), role)
