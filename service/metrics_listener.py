"""``FRISTAD_METRICS_ADDR``: a second listener, in the same process and loop, for Prometheus.

It serves ``GET /metrics`` and nothing else (every other path is 404), without a session:
bind it to an address only the monitoring network reaches (127.0.0.1 or an internal
interface). The main port's ``/metrics`` stays for supervisors and admins.

With ``fristad serve --workers N`` every worker would bind the same address: the first one
wins and the others log ``metrics_listener_failed`` and run on without one (the counters are
per process, so scrape one process per listener; docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Generator
from typing import Final

import structlog
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from typing_extensions import override

log = structlog.get_logger(__name__)

STOP_WAIT_SECS: Final = 3.0


def metrics_only_app(metrics: Callable[[], Awaitable[Response]]) -> Starlette:
    async def serve_metrics(request: Request) -> Response:
        return await metrics()

    return Starlette(routes=[Route("/metrics", serve_metrics, methods=["GET"])])


class _QuietServer(uvicorn.Server):
    """The main server owns the signals; this one stops when its task is told to."""

    @override
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class MetricsListener:
    """Runs the metrics-only app on its own address until ``stop``."""

    def __init__(self, addr: tuple[str, int], metrics: Callable[[], Awaitable[Response]]) -> None:
        config = uvicorn.Config(
            metrics_only_app(metrics),
            host=addr[0],
            port=addr[1],
            lifespan="off",
            access_log=False,
            log_config=None,
            server_header=False,
        )
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="metrics-listener")

    async def _run(self) -> None:
        try:
            await self._server.serve()
        except (SystemExit, OSError) as exc:  # uvicorn exits when it cannot bind
            log.warning("metrics_listener_failed", error=type(exc).__name__)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await asyncio.wait([self._task], timeout=STOP_WAIT_SECS)
