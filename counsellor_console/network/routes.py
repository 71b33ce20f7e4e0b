"""The partner network's part of the app: its stores, its routes, its purge.

``service/app.py`` builds one ``Network`` and mounts ``network.routes()``; the hourly purge
and ``fristad purge`` call ``network.purge_expired()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from redis.asyncio import Redis  # noqa: TID251  # a type only: the stores talk to it
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from counsellor_console.network.access import is_centre_staff, may_keep_register, may_plan
from counsellor_console.network.agenda_store import AgendaStore
from counsellor_console.network.calendar_routes import create_calendar_routes
from counsellor_console.network.experts_routes import create_experts_routes
from counsellor_console.network.experts_store import ExpertsStore
from counsellor_console.network.members_store import MembersStore
from counsellor_console.network.outreach_store import OutreachStore
from counsellor_console.network.register_routes import (
    create_member_routes,
    create_outreach_routes,
)
from counsellor_console.network.sealed import Sealer
from counsellor_console.network.web import BASE_PATH, HERE, guard, render
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.web.staff_pages import StaffGate
from kb.pages import DEFAULT_CHROME, PageChrome
from security.roles import StaffIdentity

STATIC_PATH: Final = "/static/network"


@dataclass(frozen=True, slots=True)
class Network:
    experts: ExpertsStore
    agenda: AgendaStore
    outreach: OutreachStore
    members: MembersStore
    directory: DirectoryStore

    @classmethod
    def open(
        cls, redis: Redis, master_key: bytes, experts_retention_secs: int, talk_retention_secs: int
    ) -> Network:
        sealer = Sealer(master_key)
        return cls(
            experts=ExpertsStore(redis, sealer, experts_retention_secs),
            agenda=AgendaStore(redis, sealer, talk_retention_secs),
            outreach=OutreachStore(redis),
            members=MembersStore(redis),
            directory=DirectoryStore(redis),
        )

    async def purge_expired(self) -> int:
        """Delete closed-and-expired threads and old talk requests now (TTLs do it anyway)."""
        return await self.experts.purge_expired() + await self.agenda.purge_expired()

    def routes(
        self, gate: StaffGate, audit: AuditLog, chrome: PageChrome = DEFAULT_CHROME
    ) -> list[BaseRoute]:
        async def hub(request: Request, staff: StaffIdentity) -> Response:
            return render(
                "hub.html",
                staff=staff,
                may_plan=may_plan(staff.role),
                may_keep_register=may_keep_register(staff.role),
            )

        return [
            Route(BASE_PATH, guard(gate, is_centre_staff, hub), methods=["GET"]),
            *create_experts_routes(gate, self.experts, audit),
            *create_calendar_routes(gate, self.agenda, audit, chrome),
            *create_outreach_routes(gate, self.outreach, audit),
            *create_member_routes(gate, self.members, self.directory, audit),
            Mount(STATIC_PATH, StaticFiles(directory=HERE / "static"), name="static-network"),
        ]
