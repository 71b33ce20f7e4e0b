"""CSRF tokens for staff pages and requests (surface.md, Additions).

The token is an HMAC of the session id under a key derived from the master key, so it needs no
storage, is the same in every process, and dies with the session. Pages carry it in a hidden
form field (``csrf_token``) and in ``<meta name="csrf-token">``; scripts send it back as
``X-CSRF-Token``. :class:`CsrfMiddleware` refuses (403) every state-changing request that
holds a staff session cookie but not the session's token, whatever route it is for, so a new
route cannot forget the check. ``POST /console/login`` has no session yet and checks
``Origin`` instead; ``/exit`` is the visitor's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Final
from urllib.parse import parse_qs

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FIELD: Final = "csrf_token"
HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PATHS: Final = frozenset({"/console/login", "/exit"})
#: The invitation page's form carries a token bound to the invitation, checked by its route.
EXEMPT_PREFIXES: Final = ("/console/invite/",)
#: A form is read whole to find the token; past this it is refused (the knowledge bank's
#: article form, the largest, is at most 200,000 bytes).
MAX_FORM_BYTES: Final = 256 * 1024
FORM_TYPE: Final = "application/x-www-form-urlencoded"


class CsrfTokens:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def for_session(self, session_id: str) -> str:
        return hmac.new(self._key, f"session:{session_id}".encode(), hashlib.sha256).hexdigest()

    def for_invitation(self, invite_id: str) -> str:
        """The invitation page has no session: its form's token is bound to the invitation."""
        return hmac.new(self._key, f"invite:{invite_id}".encode(), hashlib.sha256).hexdigest()

    def valid(self, expected: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(expected, presented or "")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class CsrfMiddleware:
    """403 for a state-changing request with a staff cookie and without its token.

    ``session_of`` maps a raw ``Cookie`` header to the session id it carries (or None).
    """

    def __init__(
        self, app: ASGIApp, *, tokens: CsrfTokens, session_of: Callable[[str], str | None]
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.session_of = session_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"] in EXEMPT_PATHS
            or scope["path"].startswith(EXEMPT_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        sid = self.session_of(_header(scope, b"cookie") or "")
        if sid is None:  # no session: the route itself refuses or redirects
            await self.app(scope, receive, send)
            return
        expected = self.tokens.for_session(sid)
        if self.tokens.valid(expected, _header(scope, HEADER.encode())):
            await self.app(scope, receive, send)
            return
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if content_type != FORM_TYPE:
            await _forbidden(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await PlainTextResponse("Too Large", status_code=413)(scope, receive, send)
            return
        if not self.tokens.valid(expected, _form_field(body)):
            await _forbidden(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _forbidden(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("Forbidden", status_code=403)(scope, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body)
        body.extend(message.get("body", b""))
        if len(body) > MAX_FORM_BYTES:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _form_field(body: bytes) -> str | None:
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    values = fields.get(FIELD)
    return values[0] if values else None


def _replay(body: bytes, then: Receive) -> Receive:
    """The body already read, then whatever the client sends next (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive
