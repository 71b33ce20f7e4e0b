"""Staff pages: login, logout, the console and supervisor monitoring.

Every staff page asks ``StaffGate`` who is there; an anonymous request is sent to the login
page (303) and a role that may not see a page gets 403.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Final

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from chat.api import origin_allowed
from counsellor_console.domain.audit import LoggedIn, LoggedOut, LoginRefused
from counsellor_console.domain.role_labels import role_label
from counsellor_console.domain.staff_language import N_
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.revocation_store import ConsoleSockets
from counsellor_console.stores.session_store import session_id
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.auth import (
    LoginRefusal,
    cookie_name,
    log_in,
    session_token_from_cookie_header,
)
from counsellor_console.web.csrf import CsrfTokens
from counsellor_console.web.page_language import staff_i18n
from security.roles import Role, StaffIdentity

TEMPLATES: Final = Jinja2Templates(
    directory=str(Path(__file__).resolve().parents[1] / "templates"),
    context_processors=[staff_i18n],
)
TEMPLATES.env.add_extension("jinja2.ext.i18n")
TEMPLATES.env.filters["role_label"] = role_label
LOGIN_PATH: Final = "/console/login"
LOGIN_ERROR: Final = N_("Inloggningen misslyckades. Kontrollera uppgifterna och försök igen.")
LOCKED_ERROR: Final = N_("För många misslyckade försök. Vänta en stund och försök igen.")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def served_securely(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss")


class StaffGate:
    """Finds the staff member behind a request's session cookie.

    Also holds what every staff route shares: the CSRF tokens, the console sockets (closed on
    revocation), and the hash that stands for a client's address in the login lockout.
    """

    def __init__(
        self,
        store: StaffStore,
        *,
        csrf: CsrfTokens,
        sockets: ConsoleSockets,
        address_key: Callable[[str], str],
    ) -> None:
        self.store = store
        self.csrf = csrf
        self.sockets = sockets
        self.address_key = address_key

    def token(self, conn: HTTPConnection) -> str | None:
        return session_token_from_cookie_header(conn.headers.get("cookie", ""))

    async def identify(
        self, conn: HTTPConnection, *, partners: bool = False
    ) -> StaffIdentity | None:
        """The staff member behind the session; a partner only where ``partners`` says so.

        Partner accounts (issue 13) are refused by default, so every route that existed
        before them (the console socket, queues, chats, statistics, /admin) stays closed to
        them without a change; the few parts they may use ask with ``partners=True``.
        """
        token = self.token(conn)
        if not token:
            return None
        staff = await self.store.resolve_session(token)
        if staff is None or (staff.is_partner and not partners):
            return None
        return replace(staff, csrf_token=self.csrf.for_session(staff.session_id))


def session_of_cookie(header: str) -> str | None:
    """The session id a raw ``Cookie`` header carries, for the CSRF middleware."""
    token = session_token_from_cookie_header(header)
    return session_id(token) if token else None


Handler = Callable[[Request, StaffIdentity], Awaitable[Response]]


def staff_page(
    gate: StaffGate, handler: Handler, *, supervise: bool = False, partners: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page so it gets the staff identity as an argument, or redirects/refuses.

    A partner gets 403 unless ``partners`` lets them in (their account page, their own page).
    """

    async def endpoint(request: Request) -> Response:
        staff = await gate.identify(request, partners=True)
        if staff is None:
            return RedirectResponse(LOGIN_PATH, status_code=303)
        if staff.is_partner and not partners:
            return PlainTextResponse("Forbidden", status_code=403)
        if supervise and not staff.can_supervise:
            return PlainTextResponse("Forbidden", status_code=403)
        request.state.ui_lang = staff.ui_lang
        return await handler(request, staff)

    return endpoint


def staff_api(
    gate: StaffGate, handler: Handler, *, supervise: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """Like ``staff_page`` for JSON: anonymous and wrong roles both get 403, no redirect."""

    async def endpoint(request: Request) -> Response:
        staff = await gate.identify(request)
        if staff is None or (supervise and not staff.can_supervise):
            return PlainTextResponse("Forbidden", status_code=403)
        return await handler(request, staff)

    return endpoint


def create_console_routes(
    gate: StaffGate, extra_origins: frozenset[str], audit: AuditLog
) -> list[BaseRoute]:
    async def login_page(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "login.html", {"error": None})

    async def login_submit(request: Request) -> Response:
        origin_ok = origin_allowed(request.headers, extra_origins, secure=served_securely(request))
        if request.headers.get("origin") and not origin_ok:
            return PlainTextResponse("Forbidden", status_code=403)
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        code = str(form.get("totp") or "")
        client = request.client.host if request.client else ""
        result = await log_in(gate.store, username, password, code, gate.address_key(client))
        if isinstance(result, LoginRefusal):
            # Only for existing accounts: a password typed into the name field stays out.
            if username and await gate.store.load_user(username) is not None:
                await audit.record(LoginRefused(staff=username))
            message = LOCKED_ERROR if result is LoginRefusal.LOCKED else LOGIN_ERROR
            return TEMPLATES.TemplateResponse(
                request, "login.html", {"error": message}, status_code=401
            )
        token = await gate.store.create_session(result.username)
        await audit.record(LoggedIn(staff=result.username))
        account = await gate.store.load_user(result.username)
        home = "/partner" if account is not None and account.role is Role.PARTNER else "/console"
        response = RedirectResponse(home, status_code=303)
        secure = served_securely(request)
        response.set_cookie(
            cookie_name(secure),
            token,
            max_age=gate.store.policy.max_secs,
            path="/",
            httponly=True,
            secure=secure or not is_loopback(request.url.hostname or ""),
            samesite="strict",
        )
        return response

    async def logout(request: Request) -> Response:
        token = gate.token(request)
        if token:
            staff = await gate.store.resolve_session(token)
            await gate.store.end_session(token)
            if staff is not None:
                await audit.record(LoggedOut(staff=staff.username))
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        for secure in (True, False):
            response.delete_cookie(
                cookie_name(secure), path="/", secure=secure, httponly=True, samesite="strict"
            )
        return response

    async def console(request: Request, staff: StaffIdentity) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "console.html", {"staff": staff, "csrf_token": staff.csrf_token}
        )

    async def admin(request: Request, staff: StaffIdentity) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "admin.html", {"staff": staff, "csrf_token": staff.csrf_token}
        )

    async def audit_log(request: Request, staff: StaffIdentity) -> Response:
        return JSONResponse({"events": await audit.recent()})

    return [
        Route(LOGIN_PATH, login_page, methods=["GET"]),
        Route(LOGIN_PATH, login_submit, methods=["POST"]),
        Route("/console/logout", logout, methods=["POST"]),
        Route("/console", staff_page(gate, console), methods=["GET"]),
        Route("/admin", staff_page(gate, admin, supervise=True), methods=["GET"]),
        Route("/api/admin/audit", staff_api(gate, audit_log, supervise=True), methods=["GET"]),
    ]
