"""gzip for text responses that hold no secret: what makes BREACH impossible here.

BREACH recovers a secret from a compressed response's length when the same response also
reflects text the attacker chooses (a search query, say): each guess that matches the secret
compresses a little better. It needs both in one response, and a victim whose browser sends
its credentials with the attacker's requests.

So the rule is per request, not per content type: a response is compressed only when the
request carries no credentials (no ``Cookie``, no ``Authorization``) and its path is not a
staff path. Visitors never have a cookie (security/headers.py strips any), so their pages,
scripts, the knowledge bank and the public APIs are the same for everyone who asks: there is
no secret in them to recover, even where a search query is reflected. Staff pages carry CSRF
tokens, session-bound data and staff-only articles next to reflected text, and are always
sent uncompressed (they are few and small, and staff are on good connections).

gzip (the standard library's zlib, through Starlette's middleware) rather than brotli: for
the visitor page it gets within a few KB of brotli, with no new dependency; and nginx is told
not to compress (deploy/nginx.conf), so this one place decides.
"""

from __future__ import annotations

from typing import Final

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from security.headers import is_visitor_path

MINIMUM_SIZE: Final = 512  # below this, the header costs about what gzip saves
COMPRESS_LEVEL: Final = 6
# Staff routes outside security.headers.STAFF_PATH_PREFIXES (those are refused as well).
STAFF_ONLY_PREFIXES: Final = ("/kb/edit", "/api/riskguide", "/api/admin")
_CREDENTIALS: Final = frozenset({b"cookie", b"authorization"})


def may_compress(scope: Scope) -> bool:
    """True for a request whose response is the same for anyone who sends it."""
    path: str = scope["path"]
    if not is_visitor_path(path) or path.startswith(STAFF_ONLY_PREFIXES):
        return False
    return not any(name.lower() in _CREDENTIALS for name, _ in scope["headers"])


class CompressPublicResponses:
    """Starlette's GZipMiddleware, applied only where :func:`may_compress` says so."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=COMPRESS_LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and may_compress(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
