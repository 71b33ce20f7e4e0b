"""The referral directory over HTTP: the staff API, and the public "open now" help list.

Staff see ``staff_view`` (contact persons included); visitors only ever get ``public_card``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from counsellor_console.domain.directory import public_card, staff_view
from counsellor_console.domain.directory_search import filter_orgs
from counsellor_console.domain.partner_entries import is_due
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.web.staff_pages import StaffGate

MAX_QUERY_CHARS: Final = 200
MAX_OPEN_NOW: Final = 20


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value[:MAX_QUERY_CHARS] or None


def create_directory_routes(gate: StaffGate, directory: DirectoryStore) -> list[BaseRoute]:
    async def staff_directory(request: Request) -> Response:
        if await gate.identify(request) is None:
            return PlainTextResponse("Forbidden", status_code=403)
        open_at = datetime.now(tz=UTC) if request.query_params.get("open") == "1" else None
        orgs = filter_orgs(
            await directory.all(),
            kommun=_param(request, "kommun"),
            topic=_param(request, "topic"),
            lang=_param(request, "lang"),
            q=_param(request, "q"),
            open_at=open_at,
        )
        today = datetime.now(tz=UTC).date()
        # ``due``: not confirmed by the partner or the centre in six months (issue 13).
        return JSONResponse(
            {"orgs": [{**staff_view(org), "due": is_due(org, today)} for org in orgs]}
        )

    async def open_now(request: Request) -> Response:
        """Help that is open now, for a visitor who finds the chat closed or full."""
        orgs = filter_orgs(
            await directory.all(),
            kommun=_param(request, "kommun"),
            topic=_param(request, "topic"),
            open_at=datetime.now(tz=UTC),
        )
        return JSONResponse({"orgs": [public_card(org) for org in orgs[:MAX_OPEN_NOW]]})

    return [
        Route("/api/directory", staff_directory, methods=["GET"]),
        Route("/api/help/open", open_now, methods=["GET"]),
    ]
