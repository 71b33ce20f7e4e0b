"""WebSocket routes served without the HTTP middleware stack around them.

Every middleware layer keeps a coroutine frame alive for as long as a socket is open; with
thousands of visitors waiting, that is kilobytes per visitor (docs/performance.md). The
WebSocket endpoints check what they need themselves (Origin, session, per-address limits);
the HTTP layers (security headers, HTTP rate limits, Starlette's exception handling) have
nothing to add to a frame once the handshake is done.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send


class WebSocketShortcut:
    def __init__(self, app: ASGIApp, *, routes: Mapping[str, ASGIApp]) -> None:
        self.app = app
        self.routes = dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            endpoint = self.routes.get(scope["path"])
            if endpoint is not None:
                await endpoint(scope, receive, send)
                return
        await self.app(scope, receive, send)
