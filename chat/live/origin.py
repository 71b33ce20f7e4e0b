"""The WebSocket ``Origin`` check that neither Starlette nor uvicorn does for us.

Without it any web page a visitor or counsellor opens could script a socket to us with their
browser (cross-site WebSocket hijacking); for the console that would ride on the staff cookie.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


def origin_allowed(
    headers: Mapping[str, str], extra_origins: Collection[str], *, secure: bool
) -> bool:
    """True when ``Origin`` is the service's own origin or one configured.

    The own origin is the request's scheme (``secure``: https/wss, as uvicorn sees it,
    including behind a trusted proxy's X-Forwarded-Proto) with its ``Host``.
    """
    origin = headers.get("origin")
    if not origin:
        return False
    origin = origin.rstrip("/").lower()
    if origin in extra_origins:
        return True
    host = headers.get("host", "").lower()
    scheme = "https" if secure else "http"
    return bool(host) and origin == f"{scheme}://{host}"
