"""``/console/invite/{token}`` and ``/console/account``: a colleague's own password and TOTP.

The invitation page has no session: its form carries a CSRF token bound to the invitation, and a
foreign ``Origin`` is refused. The account pages are staff pages, so the CSRF middleware checks
their posts like every other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import replace
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from chat.api import origin_allowed
from counsellor_console.domain.audit import InvitationAccepted, PasswordChanged, TotpEnrolled
from counsellor_console.domain.qr import qr_svg
from counsellor_console.domain.staff_language import STAFF_LANGUAGE_NAMES, STAFF_LANGUAGES
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.invite_store import Accounts, Invitation
from counsellor_console.web.csrf import FIELD as CSRF_FIELD
from counsellor_console.web.staff_pages import TEMPLATES, StaffGate, served_securely, staff_page
from security.passwords import hash_password, new_password_problem, verify_password
from security.roles import StaffIdentity
from security.totp import provisioning_uri, verify_totp

INVITE_PATH: Final = "/console/invite/{token}"
ACCOUNT_PATH: Final = "/console/account"
MAX_TOKEN_CHARS: Final = 128


def _secret_text(secret: bytes) -> str:
    """The secret as people type it into an app by hand: base32 in groups of four."""
    import base64

    text = base64.b32encode(secret).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _enrolment(secret: bytes, username: str) -> dict[str, Any]:
    uri = provisioning_uri(secret, username)
    return {"qr": qr_svg(uri), "secret_text": _secret_text(secret)}


def _password_problem(form: Any, username: str, field: str = "password") -> str | None:
    password, again = str(form.get(field) or ""), str(form.get(field + "2") or "")
    if password != again:
        return "mismatch"
    return new_password_problem(password, username)


def create_account_routes(
    gate: StaffGate, accounts: Accounts, audit: AuditLog, extra_origins: Collection[str]
) -> list[BaseRoute]:
    origins = frozenset(extra_origins)

    def invite_page(
        request: Request, invitation: Invitation, error: str | None = None, status: int = 200
    ) -> Response:
        context = {
            "invitation": invitation,
            "csrf_token": gate.csrf.for_invitation(invitation.id),
            "error": error,
            **_enrolment(invitation.totp_secret, invitation.username),
        }
        return TEMPLATES.TemplateResponse(request, "invite.html", context, status_code=status)

    def gone(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "invite_gone.html", {}, status_code=404)

    async def invitation_of(request: Request) -> Invitation | None:
        token = str(request.path_params["token"])
        return None if len(token) > MAX_TOKEN_CHARS else await accounts.open_invitation(token)

    async def show_invitation(request: Request) -> Response:
        invitation = await invitation_of(request)
        return gone(request) if invitation is None else invite_page(request, invitation)

    async def accept_invitation(request: Request) -> Response:
        secure = served_securely(request)
        if request.headers.get("origin") and not origin_allowed(
            request.headers, origins, secure=secure
        ):
            return PlainTextResponse("Forbidden", status_code=403)
        invitation = await invitation_of(request)
        if invitation is None:
            return gone(request)
        form = await request.form()
        if not gate.csrf.valid(gate.csrf.for_invitation(invitation.id), str(form.get(CSRF_FIELD))):
            return PlainTextResponse("Forbidden", status_code=403)
        problem = _password_problem(form, invitation.username)
        if problem is not None:
            return invite_page(request, invitation, problem, 422)
        step = verify_totp(invitation.totp_secret, str(form.get("totp") or ""), time.time(), None)
        if step is None:
            return invite_page(request, invitation, "code", 422)
        password_hash = await asyncio.to_thread(hash_password, str(form.get("password")))
        if not await accounts.accept_invitation(invitation, password_hash, step):
            return gone(request)
        await audit.record(InvitationAccepted(staff=invitation.username))
        return TEMPLATES.TemplateResponse(request, "invite_done.html", {})

    async def account_page(
        request: Request, staff: StaffIdentity, message: str | None = None, status: int = 200
    ) -> Response:
        pending = await accounts.pending_totp(staff.username)
        context: dict[str, Any] = {
            "staff": staff,
            "csrf_token": staff.csrf_token,
            "message": message,
            "enrolling": pending is not None,
            "staff_languages": [(code, STAFF_LANGUAGE_NAMES[code]) for code in STAFF_LANGUAGES],
        }
        if pending is not None:
            context.update(_enrolment(pending, staff.username))
        return TEMPLATES.TemplateResponse(request, "account.html", context, status_code=status)

    async def show_account(request: Request, staff: StaffIdentity) -> Response:
        return await account_page(request, staff)

    async def change_password(request: Request, staff: StaffIdentity) -> Response:
        form = await request.form()
        account = await gate.store.load_user(staff.username)
        current = str(form.get("current") or "")
        if account is None or not await asyncio.to_thread(
            verify_password, account.password_hash, current
        ):
            return await account_page(request, staff, "wrong_current", 422)
        problem = _password_problem(form, staff.username)
        if problem is not None:
            return await account_page(request, staff, problem, 422)
        password_hash = await asyncio.to_thread(hash_password, str(form.get("password")))
        await accounts.set_password(staff.username, password_hash)
        await audit.record(PasswordChanged(staff=staff.username))
        return await account_page(request, staff, "password_changed")

    async def start_totp(request: Request, staff: StaffIdentity) -> Response:
        await accounts.start_totp_change(staff.username)
        return RedirectResponse(ACCOUNT_PATH, status_code=303)

    async def confirm_totp(request: Request, staff: StaffIdentity) -> Response:
        form = await request.form()
        pending = await accounts.pending_totp(staff.username)
        if pending is None:
            return RedirectResponse(ACCOUNT_PATH, status_code=303)
        step = verify_totp(pending, str(form.get("totp") or ""), time.time(), None)
        if step is None:
            return await account_page(request, staff, "code", 422)
        await accounts.confirm_totp_change(staff.username, pending, step)
        await audit.record(TotpEnrolled(staff=staff.username))
        return await account_page(request, staff, "totp_changed")

    async def choose_language(request: Request, staff: StaffIdentity) -> Response:
        form = await request.form()
        lang = str(form.get("lang") or "")
        if lang not in STAFF_LANGUAGES:
            return await account_page(request, staff, "language_unknown", 422)
        await gate.store.set_ui_lang(staff.username, lang)
        chosen = replace(staff, ui_lang=lang)
        request.state.ui_lang = lang  # this answer already in the language chosen
        return await account_page(request, chosen, "language_changed")

    return [
        Route(INVITE_PATH, show_invitation, methods=["GET"]),
        Route(INVITE_PATH, accept_invitation, methods=["POST"]),
        Route(ACCOUNT_PATH, staff_page(gate, show_account, partners=True), methods=["GET"]),
        Route(
            ACCOUNT_PATH + "/password",
            staff_page(gate, change_password, partners=True),
            methods=["POST"],
        ),
        Route(
            ACCOUNT_PATH + "/language",
            staff_page(gate, choose_language, partners=True),
            methods=["POST"],
        ),
        Route(
            ACCOUNT_PATH + "/totp", staff_page(gate, start_totp, partners=True), methods=["POST"]
        ),
        Route(
            ACCOUNT_PATH + "/totp/confirm",
            staff_page(gate, confirm_totp, partners=True),
            methods=["POST"],
        ),
    ]
