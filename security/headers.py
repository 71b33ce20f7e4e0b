"""Security headers on every HTTP response, and no cookies for visitors, ever.

:class:`SecurityHeadersMiddleware` is a pure ASGI middleware: it rewrites the
``http.response.start`` message, so it works for streaming and file responses alike and never
buffers a body. The header values live here, in one place, so that no route can forget them
and ``tests/security`` can compare every route against these constants.

The values are set, not merely defaulted: a route cannot loosen them by sending its own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CACHE_CONTROL",
    "CONTENT_SECURITY_POLICY",
    "CROSS_ORIGIN_OPENER_POLICY",
    "CROSS_ORIGIN_RESOURCE_POLICY",
    "HSTS_MAX_AGE_SECS",
    "PERMISSIONS_POLICY",
    "REFERRER_POLICY",
    "SECURITY_HEADERS",
    "STAFF_PATH_PREFIXES",
    "STRICT_TRANSPORT_SECURITY",
    "X_CONTENT_TYPE_OPTIONS",
    "X_FRAME_OPTIONS",
    "SecurityHeadersMiddleware",
    "content_security_policy",
    "is_visitor_path",
]

#: Nothing is cached, by the browser or any proxy: a shared family computer must not keep a
#: copy of a page a young person looked at.
CACHE_CONTROL = "no-store"
_CSP_BEFORE_SCRIPTS = "default-src 'none'; script-src 'self'"
_CSP_AFTER_SCRIPTS = (
    "; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
#: Only our own scripts, styles, images, fonts and WebSocket; no framing, no <base> tricks,
#: forms post only to us. Inline scripts only by their hash (see content_security_policy),
#: never 'unsafe-inline'.
CONTENT_SECURITY_POLICY = _CSP_BEFORE_SCRIPTS + _CSP_AFTER_SCRIPTS
#: Leaving for a help link must not tell the other site where the visitor came from.
REFERRER_POLICY = "no-referrer"
X_CONTENT_TYPE_OPTIONS = "nosniff"
#: For browsers without CSP frame-ancestors.
X_FRAME_OPTIONS = "DENY"
#: Deny powerful features nobody here needs. "browsing-topics" opts out of Chrome's Topics
#: API; its predecessor "interest-cohort" (FLoC) is left out because current browsers log
#: every unknown feature name as a console error.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
)
CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
#: How long browsers remember to use HTTPS only, in seconds (two years, the preload minimum).
HSTS_MAX_AGE_SECS = 63_072_000
STRICT_TRANSPORT_SECURITY = f"max-age={HSTS_MAX_AGE_SECS}; includeSubDomains"

#: Every header set on every HTTP response (HSTS comes on top when enabled).
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("cache-control", CACHE_CONTROL),
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("referrer-policy", REFERRER_POLICY),
    ("x-content-type-options", X_CONTENT_TYPE_OPTIONS),
    ("x-frame-options", X_FRAME_OPTIONS),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", CROSS_ORIGIN_OPENER_POLICY),
    ("cross-origin-resource-policy", CROSS_ORIGIN_RESOURCE_POLICY),
)

#: Paths that belong to staff; everything else is a visitor's. A path is under a prefix if it
#: equals it or continues with "/".
STAFF_PATH_PREFIXES = ("/console", "/admin", "/metrics", "/api/directory", "/ws/console")

_SET_COOKIE = b"set-cookie"
# ASGI messages that start an HTTP response: a plain one, or the denial response of a
# refused WebSocket handshake (the "websocket.http.response" extension).
_RESPONSE_START_TYPES = frozenset({"http.response.start", "websocket.http.response.start"})


def content_security_policy(script_hashes: tuple[str, ...] = ()) -> str:
    """The policy, allowing the inline scripts whose hashes are given and no other.

    Args:
        script_hashes: CSP hash sources (``'sha256-...'``, see :func:`security.inline.csp_hash`)
            of the scripts the service's pages carry inline (issue 8: a script loaded from a
            URL leaves a code-cache entry naming the site).

    Returns:
        :data:`CONTENT_SECURITY_POLICY` with the hashes added to ``script-src``.

    Raises:
        ValueError: a hash is not a quoted ``sha256-`` source.
    """
    for source in script_hashes:
        if not (source.startswith("'sha256-") and source.endswith("'") and " " not in source):
            raise ValueError(f"not a CSP hash source: {source!r}")
    extra = "".join(" " + source for source in script_hashes)
    return _CSP_BEFORE_SCRIPTS + extra + _CSP_AFTER_SCRIPTS


def is_visitor_path(path: str) -> bool:
    """Tell whether a request path is on the visitor side.

    Errs towards "visitor": anything not plainly under a staff prefix (``/consoleX``,
    ``/Console``, ``/kb/../console``) counts as a visitor path, where the only consequence is
    that no cookie can be set.

    Args:
        path: The request path, as in the ASGI scope, without query string.

    Returns:
        False for paths under one of :data:`STAFF_PATH_PREFIXES`, True otherwise.
    """
    return not any(
        path == prefix or path.startswith(prefix + "/") for prefix in STAFF_PATH_PREFIXES
    )


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response and strips visitors' cookies.

    On ``http.response.start`` (and a refused WebSocket handshake's response), it replaces any
    header of the same name with the values in :data:`SECURITY_HEADERS`, adds
    ``Strict-Transport-Security`` if ``hsts`` is set, and, on visitor paths (see
    :func:`is_visitor_path`), drops every ``Set-Cookie``: visitors must never be given
    anything that could identify them later, whatever a route does by mistake.

    WebSocket connections get no added headers (a ``websocket.accept`` is not a page), but a
    ``Set-Cookie`` on a visitor WebSocket's accept is dropped too.

    Args:
        app: The ASGI application to wrap.
        hsts: Send ``Strict-Transport-Security``. Enable it only when the service is reached
            over HTTPS: browsers then refuse plain HTTP to the host for two years.
        script_hashes: Hash sources of the inline scripts the pages carry, added to
            ``script-src`` (see :func:`content_security_policy`).
    """

    def __init__(
        self, app: ASGIApp, *, hsts: bool = False, script_hashes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.hsts = hsts
        policy = content_security_policy(script_hashes)
        headers = [
            (
                name.encode("latin-1"),
                (policy if name == "content-security-policy" else value).encode("latin-1"),
            )
            for name, value in SECURITY_HEADERS
        ]
        if hsts:
            headers.append(
                (b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode("latin-1"))
            )
        self._headers = tuple(headers)
        self._names = frozenset(name for name, _ in headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        visitor = is_visitor_path(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] in _RESPONSE_START_TYPES:
                message = self._rewrite(message, add=True, strip_cookies=visitor)
            elif message["type"] == "websocket.accept" and visitor:
                message = self._rewrite(message, add=False, strip_cookies=True)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _rewrite(self, message: Message, *, add: bool, strip_cookies: bool) -> Message:
        dropped = set(self._names) if add else set()
        if strip_cookies:
            dropped.add(_SET_COOKIE)
        headers = [
            (name, value)
            for name, value in message.get("headers", ())
            if bytes(name).lower() not in dropped
        ]
        if add:
            headers.extend(self._headers)
        return {**message, "headers": headers}
