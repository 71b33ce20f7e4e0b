"""The WebSocket ``Origin`` check that neither Starlette nor uvicorn does for us.

Without it any web page a visitor or counsellor opens could script a socket to us with their
browser (cross-site WebSocket hijacking); for the console that would ride on the staff cookie.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


def origin_allowed(headers: Mapping[str, str], extra_origins: Collection[str]) -> bool:
    """True when ``Origin`` is the service's own origin (from ``Host``) or configured."""
    origin = headers.get("origin")
    if not origin:
        return False
    origin = origin.rstrip("/").lower()
    if origin in extra_origins:
        return True
    host = headers.get("host", "").lower()
    return bool(host) and origin in (f"http://{host}", f"https://{host}")
