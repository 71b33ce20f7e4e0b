"""``GET /api/canned`` for every console, ``/admin/canned`` for supervisors to keep them.

Counsellors read the replies; supervisors and admins add, edit and delete them (403 for a
counsellor, a CSRF token on every form: counsellor_console/web/csrf.py). Every change is audited
with the reply's id and language, never its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from chat.core_api import LANGUAGE_CODES
from counsellor_console.domain.audit import AuditEvent
from counsellor_console.domain.canned import TEXT_MAX, TITLE_MAX, CannedError, offered_order
from counsellor_console.domain.staff_language import Said
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.canned_store import CannedStore
from counsellor_console.web.staff_pages import TEMPLATES, StaffGate, staff_api, staff_page
from security.roles import StaffIdentity

API_PATH: Final = "/api/canned"
PAGE_PATH: Final = "/admin/canned"


@dataclass(frozen=True, slots=True, kw_only=True)
class CannedReplyChanged(AuditEvent):
    """A supervisor added, edited or deleted a canned reply (its id and language only)."""

    kind: ClassVar[str] = "canned_changed"
    action: str
    reply: str
    lang: str


def create_canned_routes(gate: StaffGate, store: CannedStore, audit: AuditLog) -> list[BaseRoute]:
    async def api(request: Request, staff: StaffIdentity) -> Response:
        lang = request.query_params.get("lang")
        replies = offered_order(await store.all(), lang if lang in LANGUAGE_CODES else None)
        return JSONResponse({"replies": [r.to_json() for r in replies]})

    async def page(
        request: Request, staff: StaffIdentity, error: Said | None = None, status: int = 200
    ) -> Response:
        context: dict[str, Any] = {
            "staff": staff,
            "csrf_token": staff.csrf_token,
            "replies": offered_order(await store.all(), None),
            "title_max": TITLE_MAX,
            "text_max": TEXT_MAX,
            "error": error,
        }
        return TEMPLATES.TemplateResponse(request, "admin_canned.html", context, status_code=status)

    async def show(request: Request, staff: StaffIdentity) -> Response:
        return await page(request, staff)

    async def add(request: Request, staff: StaffIdentity) -> Response:
        form = await request.form()
        try:
            reply = await store.add(
                str(form.get("lang") or ""),
                str(form.get("title") or ""),
                str(form.get("text") or ""),
            )
        except CannedError as exc:
            return await page(request, staff, error=exc.said, status=422)
        await audit.record(
            CannedReplyChanged(staff=staff.username, action="add", reply=reply.id, lang=reply.lang)
        )
        return RedirectResponse(PAGE_PATH, status_code=303)

    async def change(request: Request, staff: StaffIdentity) -> Response:
        reply_id = str(request.path_params["reply_id"])
        form = await request.form()
        action = str(form.get("action") or "")
        old = await store.get(reply_id)
        if old is None:
            return PlainTextResponse("Not Found", status_code=404)
        if action == "delete":
            await store.delete(reply_id)
            lang = old.lang
        elif action == "save":
            try:
                reply = await store.update(
                    reply_id,
                    str(form.get("lang") or ""),
                    str(form.get("title") or ""),
                    str(form.get("text") or ""),
                )
            except CannedError as exc:
                return await page(request, staff, error=exc.said, status=422)
            if reply is None:
                return PlainTextResponse("Not Found", status_code=404)
            lang = reply.lang
        else:
            return PlainTextResponse("Bad Request", status_code=400)
        await audit.record(
            CannedReplyChanged(staff=staff.username, action=action, reply=reply_id, lang=lang)
        )
        return RedirectResponse(PAGE_PATH, status_code=303)

    return [
        Route(API_PATH, staff_api(gate, api), methods=["GET"]),
        Route(PAGE_PATH, staff_page(gate, show, supervise=True), methods=["GET"]),
        Route(PAGE_PATH, staff_page(gate, add, supervise=True), methods=["POST"]),
        Route(
            PAGE_PATH + "/{reply_id}", staff_page(gate, change, supervise=True), methods=["POST"]
        ),
    ]
