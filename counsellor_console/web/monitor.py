"""Supervisor monitoring: the live overview behind ``/admin`` and the statistics export.

``GET /api/admin/overview`` (JSON, polled by admin.js) and ``GET /admin/stats.csv`` are for
supervisors and admins only. The overview carries no message text and no chat id: a waiting
chat is shown by its channel, age band, language, topic and how long it has waited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from chat.api import CHANNELS, Conversations, StatsReader
from chat.core_api import (
    CONTACTS,
    CONTACTS_CHANNEL,
    CONTACTS_TOPIC,
    END_REASON,
    NOT_GIVEN,
    TOPICS,
    VISITOR_LEFT,
    DayRange,
    QueueItem,
    StatsRangeError,
    label,
    ordered_rows,
    parse_range,
    render_csv,
    stockholm_day,
)
from counsellor_console.domain.audit import StatsExported
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.staff_pages import StaffGate, staff_page
from security.roles import StaffIdentity

OVERVIEW_PATH: Final = "/api/admin/overview"
STATS_CSV_PATH: Final = "/admin/stats.csv"
#: The waiting chats listed per channel (the totals count them all).
OVERVIEW_QUEUE_ITEMS: Final = 50
#: Measures of today's counters the overview charts.
TODAY_MEASURES: Final = (CONTACTS, CONTACTS_CHANNEL, CONTACTS_TOPIC, END_REASON, VISITOR_LEFT)
NOT_GIVEN_LABEL: Final = "Ej angivet"


def longest_wait_s(items: Sequence[QueueItem]) -> int | None:
    """The longest time waited among a channel's waiting chats, in whole seconds.

    Not the head's: the head may be a chat handed back to the front, and the queue's order is
    not the order of time waited. A handed-back chat counts what it waited before its accept
    too (``QueueItem.waited_ms``), so a hand-back does not read as a new arrival.
    """
    return max(item.waited_ms for item in items) // 1000 if items else None


def _queue_item(item: QueueItem, session_cap: int) -> dict[str, Any]:
    chat = item.chat
    return {
        "age": chat.age,
        "lang": chat.lang,
        "topic": chat.topic,
        "waited_s": item.waited_ms // 1000,
        "over_cap": chat.session_number > session_cap,
    }


@dataclass(frozen=True, slots=True)
class Monitor:
    """Gathers the overview from the stores; read-only."""

    ops: Conversations
    staff: StaffStore
    stats: StatsReader
    clock: Callable[[], float]

    async def overview(self) -> dict[str, Any]:
        return {
            "queues": await self._queues(),
            "staff": await self._staff(),
            "waits": {channel: await self.stats.recent_waits(channel) for channel in CHANNELS},
            "today": await self._today(),
            "labels": {code: label(TOPICS, code, "sv") for code in TOPICS}
            | {NOT_GIVEN: NOT_GIVEN_LABEL},
        }

    async def _queues(self) -> dict[str, Any]:
        snapshot = await self.ops.store.queue_snapshot(limit=OVERVIEW_QUEUE_ITEMS)
        cap = self.ops.config.session_cap
        queues: dict[str, Any] = {}
        for channel in CHANNELS:
            items = snapshot.items.get(channel, [])
            queues[channel] = {
                "total": snapshot.totals.get(channel, 0),
                "oldest_wait_s": longest_wait_s(items),
                "items": [_queue_item(item, cap) for item in items],
            }
        return queues

    async def _staff(self) -> list[dict[str, Any]]:
        online = []
        for username in await self.staff.online_staff():
            account = await self.staff.load_user(username)
            if account is None or account.disabled:
                continue
            chats = await self.ops.store.counsellor_chats(username)
            online.append(
                {
                    "username": username,
                    "name": account.display_name,
                    "role": account.role.value,
                    "chats": len(chats),
                }
            )
        return online

    async def _today(self) -> dict[str, Any]:
        """Today's counters (Stockholm), suppressed exactly as in the export (``<5``, ``..``,
        ``withheld``)."""
        today = stockholm_day(self.clock())
        counts = await self.stats.counts(DayRange(today, today))
        shown: dict[str, dict[str, str]] = {measure: {} for measure in TODAY_MEASURES}
        for measure, category, value in ordered_rows(counts):
            if measure in shown:
                shown[measure][category] = value
        return {"date": today.isoformat(), "counts": shown}


def create_admin_routes(gate: StaffGate, monitor: Monitor, audit: AuditLog) -> list[BaseRoute]:
    """``/api/admin/overview`` and ``/admin/stats.csv``; ``/admin`` itself is in web.py."""

    async def overview(request: Request) -> Response:
        staff = await gate.identify(request)
        if staff is None or not staff.can_supervise:
            return JSONResponse({"error": "forbidden"}, status_code=403)
        return JSONResponse(await monitor.overview())

    async def stats_csv(request: Request, staff: StaffIdentity) -> Response:
        try:
            span = parse_range(request.query_params.get("from"), request.query_params.get("to"))
        except StatsRangeError as exc:
            return PlainTextResponse(f"Bad request: {exc}\n", status_code=400)
        body = render_csv(span, await monitor.stats.counts(span))
        await audit.record(
            StatsExported(
                staff=staff.username,
                first=span.first.isoformat(),
                last=span.last.isoformat(),
                via="http",
            )
        )
        name = f"fristad-stats-{span.first.isoformat()}-{span.last.isoformat()}.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return [
        Route(OVERVIEW_PATH, overview, methods=["GET"]),
        Route(STATS_CSV_PATH, staff_page(gate, stats_csv, supervise=True), methods=["GET"]),
    ]
