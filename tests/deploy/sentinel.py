"""A Redis that can fail over: a primary, a replica and three Sentinels on loopback ports.

Short Sentinel timings (down after 1 s, failover timeout 2 s) so a test sees a failover in a
few seconds; the service finds the primary through the Sentinels alone.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.support.net import free_port

SERVICE = "fristad"
QUORUM = 2
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 2000
READY_TIMEOUT_S = 30


def _binary(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: run `make install`"
    return found


@dataclass
class RedisSet:
    workdir: Path
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)
    sentinel_ports: list[int] = field(default_factory=lambda: [free_port() for _ in range(3)])
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def sentinels_setting(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)

    def url(self, port: int) -> str:
        return f"redis://127.0.0.1:{port}/0"

    def _spawn(self, name: str, argv: list[str]) -> None:
        with (self.workdir / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

    def _server(self, name: str, port: int, *extra: str) -> None:
        data = self.workdir / name
        data.mkdir(parents=True, exist_ok=True)
        self._spawn(
            name,
            [
                *(_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(data), *extra),
            ],
        )

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._server("primary", self.primary_port, "--repl-diskless-sync-delay", "0")
        # DEBUG SLEEP (a replica that stalls) is how a test shows that an ack waits for it.
        self._server(
            "replica",
            self.replica_port,
            *("--replicaof", "127.0.0.1", str(self.primary_port)),
            *("--enable-debug-command", "yes"),
        )
        for i, port in enumerate(self.sentinel_ports):
            conf = self.workdir / f"sentinel-{i}.conf"  # Sentinel rewrites its own file
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.workdir}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary_port} {QUORUM}\n"
                f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {SERVICE} {FAILOVER_TIMEOUT_MS}\n"
                f"sentinel parallel-syncs {SERVICE} 1\n",
                encoding="utf-8",
            )
            self._spawn(f"sentinel-{i}", [_binary("redis-sentinel"), str(conf)])
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Replication up and every Sentinel knowing the replica and the two others."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                if self._ready():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Redis set did not come up")
            time.sleep(0.2)

    def _ready(self) -> bool:
        with redis.Redis(port=self.replica_port, decode_responses=True) as replica:
            if replica.info("replication").get("master_link_status") != "up":
                return False
        for port in self.sentinel_ports:
            with redis.Redis(port=port, decode_responses=True) as sentinel:
                if len(sentinel.sentinel_slaves(SERVICE)) != 1:
                    return False
                if len(sentinel.sentinel_sentinels(SERVICE)) != len(self.sentinel_ports) - 1:
                    return False
        return True

    def primary_now(self) -> int:
        """The port the Sentinels name as primary (asking any that answers)."""
        for port in self.sentinel_ports:
            try:
                with redis.Redis(port=port, decode_responses=True) as sentinel:
                    _, primary = sentinel.sentinel_get_master_addr_by_name(SERVICE)
                    return int(primary)
            except redis.RedisError:
                continue
        raise RuntimeError("no Sentinel answers")

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.kill()  # SIGKILL: no shutdown, no last write
        proc.wait(timeout=5)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
