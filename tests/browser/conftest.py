"""Debian's Chromium, driven by Playwright, against a real `fristad serve` on the real Redis.

A missing Chromium is a failure, never a skip: the privacy promises of the visitor's page are
proven here. Nothing the page asks for leaves the machine: every request to another origin
(the quick exit's destination, for one) is answered locally with a blank page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    Route,
    async_playwright,
)

from tests.support.server import RunningServer, StaffCredentials, add_staff, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 412, "height": 900}
BLANK_PAGE = "<!doctype html><html><head><title>elsewhere</title></head><body></body></html>"


@pytest.fixture(scope="module")
def server(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    srv = start_server(redis_server, tmp_path_factory.mktemp("logs"))
    yield srv
    srv.stop()


@pytest.fixture
def fresh(redis_url: str, server: RunningServer) -> RunningServer:
    """The module's server with an empty Redis."""
    return server


@pytest.fixture
def staff(redis_url: str) -> Callable[..., StaffCredentials]:
    """Create staff through the real command line."""
    counter = iter(range(1, 1000))

    def make(role: str = "counsellor", name: str | None = None) -> StaffCredentials:
        return add_staff(redis_url, f"{role}{next(counter)}", role=role, name=name)

    return make


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; its absence fails the tests that need it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path, tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """A fresh Chromium profile per test, headless, phone-sized."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path / "profile",
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": PHONE_VIEWPORT["width"], "height": PHONE_VIEWPORT["height"]},
        )
        try:
            yield context
        finally:
            await context.close()


@dataclass
class Visit:
    """One visitor's tab and everything we watched it do."""

    page: Page
    context: BrowserContext
    server: RunningServer
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    set_cookies: list[str] = field(default_factory=list)
    local_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    _pending: list[asyncio.Future[None]] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [
            text
            for text in self.console_errors
            if "Content Security Policy" in text or text.startswith("Refused to")
        ]

    async def settle(self) -> None:
        """Wait for the header checks still running on responses already seen."""
        pending, self._pending = self._pending, []
        await asyncio.gather(*pending)

    def watch_response(self, response: Response) -> None:
        self._pending.append(asyncio.ensure_future(self._check_cookie(response)))

    async def _check_cookie(self, response: Response) -> None:
        try:
            value = await response.header_value("set-cookie")
        except Exception:  # a response of a closed page: nothing to read
            return
        if value:
            self.set_cookies.append(f"{response.url}: {value}")

    def watch_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
async def visit(browser: BrowserContext, fresh: RunningServer) -> AsyncIterator[Visit]:
    """The visitor's page, not yet opened; requests to any other origin never leave."""
    page = browser.pages[0] if browser.pages else await browser.new_page()
    watched = Visit(page=page, context=browser, server=fresh)
    own_origin = fresh.base_url + "/"

    async def keep_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(own_origin):
            watched.local_requests.append(url[len(fresh.base_url) :])
            await route.continue_()
        else:
            watched.foreign_requests.append(url)
            await route.fulfill(status=200, content_type="text/html", body=BLANK_PAGE)

    await browser.route("**/*", keep_local)
    browser.on("response", watched.watch_response)
    page.on("console", watched.watch_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    yield watched
    await watched.settle()
