"""``GET /api/admin/floor``: the supervisor's floor beyond the live queue (admin_charts.js).

Per counsellor: chats held, their limit, and time in chat today; and the three charts the
``/admin`` page draws as SVG: today's waits per hour, contacts per day over the last 30 days,
and reasons for contact (the topic the visitor chose) over those 30 days. The day counts come
from the statistics and are shown suppressed as in the export (1 to 4 as ``<5``). Supervisors
and admins only; no chat id, no text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from chat.api import HOURS, Conversations, FloorStore, StatsReader
from chat.core_api import (
    ALL,
    CONTACTS,
    CONTACTS_TOPIC,
    NOT_GIVEN,
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    TOPICS,
    WITHHELD,
    DayRange,
    label,
    ordered_rows,
    rfc3339,
    stockholm_day,
)
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.staff_pages import StaffGate, staff_api
from security.roles import StaffIdentity

FLOOR_PATH: Final = "/api/admin/floor"
CHART_DAYS: Final = 30
#: The limit shown for a counsellor without one of their own (surface.md: FRISTAD_CHAT_LIMIT
#: defaults to 3).
DEFAULT_CHAT_LIMIT: Final = 3
NOT_GIVEN_LABEL: Final = "Ej angivet"
WITHHELD_LABEL: Final = "Små antal, dolda"


def reason_label(category: str) -> str:
    if category in TOPICS:
        return label(TOPICS, category, "sv")
    return {NOT_GIVEN: NOT_GIVEN_LABEL, WITHHELD: WITHHELD_LABEL}.get(category, category)


def shown_count(n: int) -> str:
    """A single day's count as the statistics show it: 1 to 4 as ``<5``."""
    return SUPPRESSED if 0 < n < SUPPRESSION_THRESHOLD else str(n)


@dataclass(frozen=True, slots=True)
class FloorView:
    ops: Conversations
    staff: StaffStore
    stats: StatsReader
    floor: FloorStore
    clock: Callable[[], float]
    default_limit: int = DEFAULT_CHAT_LIMIT

    async def snapshot(self) -> dict[str, Any]:
        return {
            "counsellors": await self._counsellors(),
            "debriefs": await self._debriefs(),
            "waits_by_hour": await self._waits_by_hour(),
            **await self._days(),
        }

    async def _counsellors(self) -> list[dict[str, Any]]:
        now_ms = int(self.clock() * 1000)
        held_today = await self.floor.held_today()
        names = sorted(set(await self.staff.online_staff()) | set(held_today))
        online = set(await self.staff.online_staff())
        rows = []
        for username in names:
            account = await self.staff.load_user(username)
            if account is None or account.disabled:
                continue
            chats = await self.ops.store.counsellor_chats(username)
            since = await self.floor.accepted_at_ms(chats)
            ongoing = sum(max(0, now_ms - at) // 1000 for at in since.values())
            rows.append(
                {
                    "username": username,
                    "name": account.display_name,
                    "role": account.role.value,
                    "online": username in online,
                    "chats": len(chats),
                    "limit": (
                        self.default_limit if account.chat_limit is None else account.chat_limit
                    ),
                    "time_today_s": held_today.get(username, 0) + ongoing,
                }
            )
        return rows

    async def _debriefs(self) -> list[dict[str, Any]]:
        """Today's debrief requests, newest first, by the counsellor's display name."""
        rows = []
        for at_ms, username in await self.floor.debriefs_today():
            account = await self.staff.load_user(username)
            name = account.display_name if account is not None else username
            rows.append({"counsellor": name, "at": rfc3339(at_ms)})
        return rows

    async def _waits_by_hour(self) -> list[dict[str, Any]]:
        by_channel = await self.floor.waits_by_hour(stockholm_day(self.clock()))
        hours = []
        for hour in range(HOURS):
            n = sum(values[hour][0] for values in by_channel.values())
            total = sum(values[hour][1] for values in by_channel.values())
            hours.append({"hour": hour, "chats": n, "mean_s": round(total / n) if n else None})
        return hours

    async def _days(self) -> dict[str, Any]:
        today = stockholm_day(self.clock())
        first = today - timedelta(days=CHART_DAYS - 1)
        per_day = []
        for day in DayRange(first, today).days():
            counts = await self.stats.counts(DayRange(day, day))
            per_day.append(
                {"date": day.isoformat(), "shown": shown_count(counts.get((CONTACTS, ALL), 0))}
            )
        reasons = [
            {
                "code": category,
                "label": reason_label(category),
                "shown": shown,
            }
            for measure, category, shown in ordered_rows(
                await self.stats.counts(DayRange(first, today))
            )
            if measure == CONTACTS_TOPIC
        ]
        return {"contacts_by_day": per_day, "reasons": reasons}


def create_floor_routes(gate: StaffGate, view: FloorView) -> list[BaseRoute]:
    async def floor(request: Request, staff: StaffIdentity) -> Response:
        return JSONResponse(await view.snapshot())

    return [Route(FLOOR_PATH, staff_api(gate, floor, supervise=True), methods=["GET"])]
