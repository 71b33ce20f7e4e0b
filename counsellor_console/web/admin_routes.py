"""``/admin/users`` and ``/admin/audit``: an admin keeps the staff and reads what they did.

Admins only (403 for every other role). Every change is audited; a change to who someone is
(disable, TOTP reset, role) closes their console sockets on every process.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from counsellor_console.domain.audit import (
    AuditEvent,
    AuditExported,
    RoleChanged,
    TotpReset,
    UserDisabled,
    UserEnabled,
    UserInvited,
    UserUpdated,
)
from counsellor_console.domain.staff_language import N_, said
from counsellor_console.stores.audit_store import AUDIT_PAGE_MAX, AUDIT_SPAN_MAX_DAYS, AuditLog
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.stores.invite_store import (
    AccountFieldError,
    Accounts,
    clean_display_name,
    clean_username,
    parse_chat_limit,
    parse_languages,
)
from counsellor_console.stores.store import UserExistsError
from counsellor_console.web.staff_pages import TEMPLATES, StaffGate, staff_page
from security.roles import Role, StaffIdentity
from security.spreadsheet import neutralise_cell

USERS_PATH: Final = "/admin/users"
AUDIT_PATH: Final = "/admin/audit"
AUDIT_CSV_PATH: Final = "/admin/audit.csv"
AUDIT_SHOWN: Final = 500
#: The columns of the audit CSV; other fields of an event go, as name=value, in ``details``.
AUDIT_COLUMNS: Final = ("at", "kind", "staff", "details")


def invitation_url(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/console/invite/{token}"


def _admin(gate: StaffGate, handler: Any) -> Callable[[Request], Any]:
    async def only_admins(request: Request, staff: StaffIdentity) -> Response:
        if not staff.is_admin:
            return PlainTextResponse("Forbidden", status_code=403)
        response: Response = await handler(request, staff)
        return response

    return staff_page(gate, only_admins)


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def audit_filter(request: Request) -> tuple[date, date, str, str]:
    """From, to (at most AUDIT_SPAN_MAX_DAYS apart), kind and staff from the query."""
    today = datetime.now(tz=UTC).date()
    last = _day(request.query_params.get("to"), today)
    first = _day(request.query_params.get("from"), last - timedelta(days=6))
    first = max(first, last - timedelta(days=AUDIT_SPAN_MAX_DAYS - 1))
    kind = request.query_params.get("kind", "")[:40]
    who = request.query_params.get("staff", "")[:64]
    return first, last, kind, who


def _details(event: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in event.items() if k not in AUDIT_COLUMNS)


def render_audit_csv(events: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    # RFC 4180's CRLF: with "\n" alone, csv.writer left a bare CR in a cell unquoted, and a
    # reader split the row there (tests/unit/console/test_audit_csv_escaping.py).
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_COLUMNS)
    for event in events:
        row = [str(event.get("at", "")), str(event.get("kind", "")), str(event.get("staff", ""))]
        writer.writerow([neutralise_cell(cell) for cell in [*row, _details(event)]])
    return out.getvalue()


def create_staff_admin_routes(
    gate: StaffGate, accounts: Accounts, audit: AuditLog, directory: DirectoryStore | None = None
) -> list[BaseRoute]:
    async def users_page(request: Request, staff: StaffIdentity, **extra: Any) -> Response:
        context = {
            "staff": staff,
            "csrf_token": staff.csrf_token,
            "rows": await accounts.rows(),
            "roles": [r.value for r in Role],
            "orgs": await directory.all() if directory is not None else [],
            "invited_url": None,
            "error": None,
            **extra,
        }
        status = 422 if extra.get("error") else 200
        return TEMPLATES.TemplateResponse(request, "admin_users.html", context, status_code=status)

    async def show_users(request: Request, staff: StaffIdentity) -> Response:
        return await users_page(request, staff)

    async def invite(request: Request, staff: StaffIdentity) -> Response:
        form = await request.form()
        try:
            username = clean_username(str(form.get("username") or ""))
            name = clean_display_name(str(form.get("name") or ""), username)
            role = Role(str(form.get("role") or ""))
            languages = parse_languages(str(form.get("languages") or ""))
            limit = parse_chat_limit(str(form.get("limit") or ""))
        except AccountFieldError as exc:
            return await users_page(request, staff, error=exc.said)
        except ValueError:
            return await users_page(request, staff, error=N_("Okänd roll."))
        org_id = str(form.get("org") or "")[:64] if role is Role.PARTNER else ""
        if role is Role.PARTNER and (directory is None or await directory.get(org_id) is None):
            return await users_page(request, staff, error=N_("Välj partnerns organisation."))
        try:
            token = await accounts.invite(
                username, name, role, languages=languages, chat_limit=limit, org_id=org_id
            )
        except UserExistsError:
            return await users_page(
                request, staff, error=said("{username} finns redan.", username=username)
            )
        await audit.record(
            UserInvited(staff=staff.username, username=username, role=role.value, org=org_id)
        )
        return await users_page(
            request, staff, invited_url=invitation_url(request, token), invited=username
        )

    async def change_user(request: Request, staff: StaffIdentity) -> Response:
        username = str(request.path_params["username"])
        if not await accounts.exists(username):
            return PlainTextResponse("Not Found", status_code=404)
        form = await request.form()
        action = str(form.get("action") or "")
        event: AuditEvent
        if action == "disable":
            await gate.store.disable_user(username)
            event = UserDisabled(staff=staff.username, username=username)
        elif action == "enable":
            await accounts.enable(username)
            event = UserEnabled(staff=staff.username, username=username)
        elif action == "reset_totp":
            token = await accounts.reset_totp(username)
            await audit.record(TotpReset(staff=staff.username, username=username))
            return await users_page(
                request, staff, invited_url=invitation_url(request, token), invited=username
            )
        elif action == "role":
            try:
                role = Role(str(form.get("role") or ""))
            except ValueError:
                return await users_page(request, staff, error=N_("Okänd roll."))
            if role is Role.PARTNER:  # a partner is bound to an organisation: invite them
                return await users_page(
                    request, staff, error=N_("Bjud in en partner med sin organisation.")
                )
            await accounts.set_role(username, role)
            event = RoleChanged(staff=staff.username, username=username, role=role.value)
        elif action == "save":
            try:
                languages = parse_languages(str(form.get("languages") or ""))
                limit = parse_chat_limit(str(form.get("limit") or ""))
            except AccountFieldError as exc:
                return await users_page(request, staff, error=exc.said)
            await accounts.set_languages(username, languages)
            await accounts.set_chat_limit(username, limit)
            event = UserUpdated(
                staff=staff.username,
                username=username,
                languages=",".join(languages),
                limit="" if limit is None else str(limit),
            )
        else:
            return PlainTextResponse("Bad Request", status_code=400)
        await audit.record(event)
        return RedirectResponse(USERS_PATH, status_code=303)

    async def filtered(request: Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        first, last, kind, who = audit_filter(request)
        events = [
            e
            for e in await audit.between(first, last, AUDIT_PAGE_MAX)
            if (not kind or e.get("kind") == kind) and (not who or e.get("staff") == who)
        ]
        return events, {"from": first.isoformat(), "to": last.isoformat(), "kind": kind,
                        "staff": who}  # fmt: skip

    async def audit_page(request: Request, staff: StaffIdentity) -> Response:
        events, query = await filtered(request)
        context = {
            "staff": staff,
            "csrf_token": staff.csrf_token,
            "events": [(e, _details(e)) for e in events[:AUDIT_SHOWN]],
            "total": len(events),
            "query": query,
        }
        return TEMPLATES.TemplateResponse(request, "admin_audit.html", context)

    async def audit_csv(request: Request, staff: StaffIdentity) -> Response:
        events, query = await filtered(request)
        await audit.record(AuditExported(staff=staff.username))
        name = f"fristad-audit-{query['from']}-{query['to']}.csv"
        return Response(
            render_audit_csv(events),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return [
        Route(USERS_PATH, _admin(gate, show_users), methods=["GET"]),
        Route(USERS_PATH + "/invite", _admin(gate, invite), methods=["POST"]),
        Route(USERS_PATH + "/{username}", _admin(gate, change_user), methods=["POST"]),
        Route(AUDIT_PATH, _admin(gate, audit_page), methods=["GET"]),
        Route(AUDIT_CSV_PATH, _admin(gate, audit_csv), methods=["GET"]),
    ]
