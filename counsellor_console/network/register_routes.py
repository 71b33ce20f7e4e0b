"""The outreach log and the member register over HTTP (staff only)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from chat.core_api import stockholm_day
from counsellor_console.network.access import is_centre_staff, may_keep_register, may_plan
from counsellor_console.network.audit_events import MemberSaved, MembersExported, OutreachLogged
from counsellor_console.network.members import (
    CONTACT_FIELDS,
    SLOTS,
    MemberFormError,
    mailing_list_csv,
    membership_from_form,
)
from counsellor_console.network.members_store import MembersStore
from counsellor_console.network.outreach import (
    AUDIENCES,
    KINDS,
    OutreachFormError,
    activity_from_form,
)
from counsellor_console.network.outreach_store import OutreachStore
from counsellor_console.network.web import BASE_PATH, guard, read_form, render, see_other
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.web.staff_pages import StaffGate
from security.roles import StaffIdentity

OUTREACH_PATH: Final = f"{BASE_PATH}/outreach"
MEMBERS_PATH: Final = f"{BASE_PATH}/members"
MEMBERS_CSV_PATH: Final = f"{BASE_PATH}/members.csv"


def create_outreach_routes(
    gate: StaffGate, store: OutreachStore, audit: AuditLog
) -> list[BaseRoute]:
    async def page(
        request: Request, staff: StaffIdentity, status: int = 200, error: str | None = None
    ) -> Response:
        today = stockholm_day(time.time())
        return render(
            "outreach.html",
            status,
            staff=staff,
            kinds=KINDS,
            audiences=AUDIENCES,
            activities=await store.recent(),
            today=today.isoformat(),
            error=error,
        )

    async def overview(request: Request, staff: StaffIdentity) -> Response:
        return await page(request, staff)

    async def log_activity(request: Request, staff: StaffIdentity) -> Response:
        form = await read_form(request)
        try:
            activity = activity_from_form(form, staff.username, stockholm_day(time.time()))
        except OutreachFormError as exc:
            return await page(request, staff, 422, str(exc))
        await store.record(activity)
        await audit.record(OutreachLogged(staff=staff.username, activity=activity.id))
        return see_other(OUTREACH_PATH)

    return [
        Route(OUTREACH_PATH, guard(gate, may_plan, overview), methods=["GET"]),
        Route(OUTREACH_PATH, guard(gate, may_plan, log_activity), methods=["POST"]),
    ]


def create_member_routes(
    gate: StaffGate, store: MembersStore, directory: DirectoryStore, audit: AuditLog
) -> list[BaseRoute]:
    async def overview(request: Request, staff: StaffIdentity) -> Response:
        return render(
            "members.html",
            staff=staff,
            orgs=await directory.all(),
            members=await store.all(),
            slots=SLOTS,
            may_edit=may_keep_register(staff.role),
        )

    async def form_page(
        request: Request, staff: StaffIdentity, status: int = 200, error: str | None = None
    ) -> Response:
        org = await directory.get(request.path_params["org"][:64])
        if org is None:
            return PlainTextResponse("Not found", status_code=404)
        return render(
            "member_form.html",
            status,
            staff=staff,
            org=org,
            member=await store.get(org.id),
            slots=SLOTS,
            fields=CONTACT_FIELDS,
            error=error,
        )

    async def show_form(request: Request, staff: StaffIdentity) -> Response:
        return await form_page(request, staff)

    async def save(request: Request, staff: StaffIdentity) -> Response:
        org = await directory.get(request.path_params["org"][:64])
        if org is None:
            return PlainTextResponse("Not found", status_code=404)
        form = await read_form(request)
        now_ms = int(datetime.now(tz=UTC).timestamp() * 1000)
        try:
            member = membership_from_form(form, org.id, staff.username, now_ms)
        except MemberFormError as exc:
            return await form_page(request, staff, 422, str(exc))
        await store.save(member)
        await audit.record(MemberSaved(staff=staff.username, org=org.id))
        return see_other(MEMBERS_PATH)

    async def export(request: Request, staff: StaffIdentity) -> Response:
        body = mailing_list_csv(await directory.all(), await store.all())
        await audit.record(MembersExported(staff=staff.username))
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="fristad-natverket.csv"'},
        )

    keep = may_keep_register
    return [
        Route(MEMBERS_PATH, guard(gate, is_centre_staff, overview), methods=["GET"]),
        Route(MEMBERS_CSV_PATH, guard(gate, keep, export), methods=["GET"]),
        Route(MEMBERS_PATH + "/{org}", guard(gate, keep, show_form), methods=["GET"]),
        Route(MEMBERS_PATH + "/{org}", guard(gate, keep, save), methods=["POST"]),
    ]
