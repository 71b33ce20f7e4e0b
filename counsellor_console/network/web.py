"""What every network page shares: templates, the role guard, bounded forms, the Origin lock.

Every staff route goes through ``guard``: no session is a 303 to the login page, a role the
part's ``access`` function refuses is 403, and a POST whose ``Origin`` is not this host is
403 (the session cookie is SameSite=Strict; the Origin check is the second lock, as in
kb/editing.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from counsellor_console.web.staff_pages import LOGIN_PATH, StaffGate
from kb.pages import TEMPLATES_DIR as KB_TEMPLATES_DIR
from security.roles import Role, StaffIdentity

HERE: Final = Path(__file__).resolve().parent
BASE_PATH: Final = "/console/network"
MAX_FORM_BYTES: Final = 64_000
NO_STORE: Final = {"Cache-Control": "no-store"}

# Public pages extend the knowledge bank's base.html (quick exit, neutral title, its CSS).
ENV: Final = jinja2.Environment(
    loader=jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(HERE / "templates"), jinja2.FileSystemLoader(KB_TEMPLATES_DIR)]
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

Handler = Callable[[Request, StaffIdentity], Awaitable[Response]]


class FormTooLargeError(Exception):
    """A form past MAX_FORM_BYTES."""


#: The staff session's CSRF token for the page being rendered (set by :func:`guard`), so every
#: form of the network's pages carries it without each handler passing it on.
CURRENT_CSRF: ContextVar[str] = ContextVar("network_csrf", default="")


def render(template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    context.setdefault("csrf_token", CURRENT_CSRF.get())
    html = ENV.get_template(template).render(base=BASE_PATH, **context)
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


def origin_ok(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form, refused past MAX_FORM_BYTES before it is all read."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLargeError
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return dict(pairs)


def forbidden() -> Response:
    return PlainTextResponse("Forbidden", status_code=403)


def guard(
    gate: StaffGate, allowed: Callable[[Role], bool], handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a staff route: a session, a role ``allowed`` accepts, and for POST our Origin."""

    async def endpoint(request: Request) -> Response:
        # Partners are let through here and then judged by ``allowed`` like every role.
        staff = await gate.identify(request, partners=True)
        if staff is None:
            return RedirectResponse(LOGIN_PATH, status_code=303)
        if not allowed(staff.role):
            return forbidden()
        if request.method == "POST" and not origin_ok(request):
            return forbidden()
        CURRENT_CSRF.set(staff.csrf_token or "")
        try:
            return await handler(request, staff)
        except FormTooLargeError:
            return PlainTextResponse("Texten är för lång.", status_code=413)

    return endpoint


def see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
