"""Small network helpers for tests."""

from __future__ import annotations

import itertools
import os
import re
import socket

# The suite runs in parallel workers (pytest-xdist). A port the kernel picks with bind(0) comes
# from the ephemeral range that every worker, and every outgoing connection, draws from, so two
# workers could be handed the same port between the check and the server's own bind. Each
# worker therefore takes ports from a block of its own below the ephemeral range (which starts
# at 32768 on Linux), checking each before handing it out.
_BLOCK_START = 20000
_BLOCK_SIZE = 1500
_WORKER = re.compile(r"gw(\d+)")


def _block() -> range:
    match = _WORKER.fullmatch(os.environ.get("PYTEST_XDIST_WORKER", ""))
    index = int(match.group(1)) + 1 if match else 0
    start = _BLOCK_START + index * _BLOCK_SIZE
    return range(start, start + _BLOCK_SIZE)


_candidates = itertools.cycle(_block())


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now, this worker's alone."""
    for _ in range(_BLOCK_SIZE):
        port = next(_candidates)
        if _free(port):
            return port
    raise RuntimeError("no free port in this worker's block")
