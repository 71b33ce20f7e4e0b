"""Debian's nginx in front of the service, configured from deploy/nginx.conf itself.

The test copy differs from the shipped file only where a test must: plain HTTP on a free
loopback port instead of TLS on 443, the test's upstream ports, paths under a temporary
directory. Every location, header and timeout is the shipped one, so a test through it is a
test of the file (a change that breaks logins, like `Host $host`, fails here).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import free_port
from tests.support.server import REPO_ROOT, RunningServer

NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
START_TIMEOUT_S = 10


def _sub_once(pattern: str, replacement: str, text: str) -> str:
    """Replace exactly one match: if deploy/nginx.conf changes shape, say so loudly."""
    new, count = re.subn(pattern, replacement, text, flags=re.DOTALL | re.MULTILINE)
    assert count == 1, f"deploy/nginx.conf no longer has one match for {pattern!r}"
    return new


def render_test_config(source: str, *, port: int, upstreams: list[int], workdir: Path) -> str:
    """A complete nginx.conf around the shipped server configuration."""
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in upstreams)
    site = _sub_once(
        r"(upstream fristad \{\n(?:\s*#[^\n]*\n)*)(?:\s*server [^;]+;\n)+", r"\1" + servers, source
    )
    site = _sub_once(r"^\s*listen 443 ssl http2;", f"    listen 127.0.0.1:{port};", site)
    site = re.sub(r"^\s*ssl_[a-z_]+ [^;]+;\n", "", site, flags=re.MULTILINE)
    site = _sub_once(r"error_log \S+ crit;", f"error_log {workdir}/site-error.log warn;", site)
    site = _sub_once(r"\nserver \{\s*listen 80;.*?\n\}\n", "\n", site)
    temp = "\n".join(
        f"    {kind}_temp_path {workdir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "daemon off;\nworker_processes 1;\n"
        f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\n"
        "events { worker_connections 512; }\n"
        # As Debian's /etc/nginx/nginx.conf, which turns gzip on for the whole http block.
        f"http {{\n{temp}\n    gzip on;\n{site}\n}}\n"
    )


@dataclass
class Proxy:
    """A running nginx; `front` is a RunningServer-shaped view of it for the test clients."""

    proc: subprocess.Popen[bytes]
    port: int
    workdir: Path

    def front(self, redis_url: str) -> RunningServer:
        return RunningServer(
            proc=self.proc,
            port=self.port,
            redis_url=redis_url,
            env={},
            log_path=self.workdir / "error.log",
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    assert found, "nginx is not installed: run `make install`, which installs nginx-light"
    return found


def start_proxy(upstreams: list[int], workdir: Path) -> Proxy:
    """Start nginx on a free port with the test copy of deploy/nginx.conf."""
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # nginx's workers run as nobody
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        render_test_config(
            NGINX_CONF.read_text(encoding="utf-8"), port=port, upstreams=upstreams, workdir=workdir
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [nginx_binary(), "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    proxy = Proxy(proc=proc, port=port, workdir=workdir)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            log = (workdir / "error.log").read_text(errors="replace")
            raise RuntimeError(f"nginx exited:\n{log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proxy
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            proxy.stop()
            raise RuntimeError("nginx did not answer /healthz")
        time.sleep(0.1)
