from __future__ import annotations

import warnings
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from security.headers import (
    CACHE_CONTROL,
    CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    STRICT_TRANSPORT_SECURITY,
    SecurityHeadersMiddleware,
    is_visitor_path,
)

# Starlette 1.10 warns at import when its TestClient runs on httpx rather than httpx2, and
# the test suite turns warnings into errors. Remove once httpx2 is a dev dependency.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketDenialResponse, WebSocketTestSession

COOKIE_PATHS = [
    *("/", "/kb/sv/hjalp", "/api/status", "/exit", "/consoleX"),
    *("/console", "/console/login", "/admin", "/admin/stats.csv", "/metrics", "/api/directory"),
]


async def plain(request: Request) -> Response:
    return PlainTextResponse("hej")


async def loose(request: Request) -> Response:
    # A route trying to loosen the policy, and to set cookies.
    response = PlainTextResponse("cached?")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src *"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


async def streaming(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    return StreamingResponse(chunks())


async def ws_accept(websocket: WebSocket) -> None:
    await websocket.accept(headers=[(b"set-cookie", b"tracker=1"), (b"x-other", b"kept")])
    await websocket.send_text("hi")
    await websocket.close()


async def ws_deny(websocket: WebSocket) -> None:
    response = PlainTextResponse("no", status_code=403)
    response.set_cookie("tracker", "1")
    await websocket.send_denial_response(response)


def make_app(*, hsts: bool = False) -> ASGIApp:
    routes: list[Route | WebSocketRoute] = [
        Route("/", plain),
        Route("/stream", streaming),
        *(Route(path, loose) for path in COOKIE_PATHS[1:]),
        WebSocketRoute("/ws/visit", ws_accept),
        WebSocketRoute("/ws/console", ws_accept),
        WebSocketRoute("/ws/deny", ws_deny),
    ]
    return SecurityHeadersMiddleware(Starlette(routes=routes), hsts=hsts)


def accept_headers(websocket: WebSocketTestSession) -> object:
    return websocket.extra_headers


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_app())


class TestHeaders:
    @pytest.mark.parametrize("path", ["/", "/stream", "/kb/sv/hjalp", "/console", "/missing"])
    def test_every_response_has_every_header(self, client: TestClient, path: str) -> None:
        response = client.get(path)
        for name, value in SECURITY_HEADERS:
            assert response.headers.get_list(name) == [value], name

    def test_exact_values(self, client: TestClient) -> None:
        headers = client.get("/").headers
        assert headers["cache-control"] == "no-store"
        assert headers["content-security-policy"] == (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'"
        )
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        assert headers["cross-origin-resource-policy"] == "same-origin"
        policy = headers["permissions-policy"]
        for feature in ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]:
            assert f"{feature}=()" in policy

    def test_route_cannot_loosen_headers(self, client: TestClient) -> None:
        headers = client.get("/console").headers
        assert headers.get_list("cache-control") == [CACHE_CONTROL]
        assert headers.get_list("content-security-policy") == [CONTENT_SECURITY_POLICY]
        assert headers.get_list("x-frame-options") == ["DENY"]

    def test_body_is_untouched(self, client: TestClient) -> None:
        assert client.get("/stream").text == "ab"
        assert client.get("/console").text == "cached?"

    def test_no_hsts_by_default(self, client: TestClient) -> None:
        assert "strict-transport-security" not in client.get("/").headers

    def test_hsts_when_enabled(self) -> None:
        response = TestClient(make_app(hsts=True)).get("/")
        assert response.headers["strict-transport-security"] == STRICT_TRANSPORT_SECURITY
        assert STRICT_TRANSPORT_SECURITY == "max-age=63072000; includeSubDomains"

    def test_lifespan_passes_through(self) -> None:
        with TestClient(make_app()) as client:
            assert client.get("/").status_code == 200


class TestCookies:
    @pytest.mark.parametrize("path", ["/kb/sv/hjalp", "/api/status", "/exit", "/consoleX"])
    def test_visitor_paths_never_set_cookies(self, client: TestClient, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert not client.cookies

    @pytest.mark.parametrize(
        "path", ["/console", "/console/login", "/admin", "/admin/stats.csv", "/metrics",
                 "/api/directory"],
    )  # fmt: skip
    def test_staff_paths_keep_cookies(self, client: TestClient, path: str) -> None:
        assert len(client.get(path).headers.get_list("set-cookie")) == 2

    def test_visitor_websocket_accept_drops_cookie(self, client: TestClient) -> None:
        with client.websocket_connect("/ws/visit") as websocket:
            assert accept_headers(websocket) == [(b"x-other", b"kept")]
            assert websocket.receive_text() == "hi"

    def test_websocket_accept_gets_no_page_headers(self, client: TestClient) -> None:
        with client.websocket_connect("/ws/console") as websocket:
            assert accept_headers(websocket) == [
                (b"set-cookie", b"tracker=1"),
                (b"x-other", b"kept"),
            ]

    def test_refused_handshake_gets_headers_and_no_cookie(self, client: TestClient) -> None:
        with (
            pytest.raises(WebSocketDenialResponse) as excinfo,
            client.websocket_connect("/ws/deny"),
        ):
            pass  # pragma: no cover
        denial = excinfo.value
        assert denial.status_code == 403
        assert denial.headers["cache-control"] == CACHE_CONTROL
        assert "set-cookie" not in denial.headers


class TestIsVisitorPath:
    @pytest.mark.parametrize(
        "path",
        ["/", "/kb/", "/kb/sv/slug", "/api/kb/search", "/api/topics", "/api/status", "/exit",
         "/ws/visit", "/static/app.js", "/consoles", "/Console", "/administer", "/api/directoryx",
         "/kb/../console", ""],
    )  # fmt: skip
    def test_visitor(self, path: str) -> None:
        assert is_visitor_path(path)

    @pytest.mark.parametrize(
        "path",
        ["/console", "/console/", "/console/login", "/admin", "/admin/stats.csv", "/metrics",
         "/api/directory", "/api/directory/x", "/ws/console"],
    )  # fmt: skip
    def test_staff(self, path: str) -> None:
        assert not is_visitor_path(path)


async def test_other_scope_types_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> dict[str, str]:
        raise AssertionError  # pragma: no cover

    async def send(message: object) -> None:
        raise AssertionError  # pragma: no cover

    await SecurityHeadersMiddleware(app)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]
