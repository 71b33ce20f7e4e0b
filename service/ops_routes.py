"""The operators' routes: ``/healthz`` (the process runs), ``/readyz`` (Redis answers, so a
proxy may send traffic) and ``/metrics`` (Prometheus, for supervisors only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from counsellor_console.web.staff_pages import StaffGate

READY_TIMEOUT_SECS: Final = 2.0


def create_ops_routes(
    ping: Callable[[], Awaitable[object]],
    gate: StaffGate,
    metrics: Callable[[], Awaitable[Response]],
) -> list[BaseRoute]:
    """Liveness, readiness and the supervisors' Prometheus metrics.

    Args:
        ping: Redis's ping, so readiness means "Redis answers" without this module holding
            a Redis client (only store modules and the composition root do).
    """

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        try:
            await asyncio.wait_for(ping(), READY_TIMEOUT_SECS)
        except Exception:
            return PlainTextResponse("redis unavailable", status_code=503)
        return PlainTextResponse("ok")

    async def metrics_route(request: Request) -> Response:
        staff = await gate.identify(request)
        if staff is None:
            return PlainTextResponse("Forbidden", status_code=403)
        if not staff.can_supervise:
            return PlainTextResponse("Forbidden", status_code=403)
        return await metrics()

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_route, methods=["GET"]),
    ]
