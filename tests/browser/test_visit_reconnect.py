"""The visitor page's reconnect and resend code, run in Chromium: the process the page talks
to dies mid-chat while messages are in flight both ways, and the page resumes through a
second process on the same Redis with every message once, in order, on both sides.

The page reaches the service through a TCP relay (tests/support/tcp_relay.py), as it would
through a load balancer: one address, whichever process is behind it. Before the process is
killed, the relay first stops carrying anything to the page (a message the page sent is
stored, but its ack is lost; a counsellor's message is stored, but never reaches the page),
then anything at all (a message the page sends never reaches the server). While the page is
cut off, both sides write again. The counsellor is a console client on the second process.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, Route, expect

from tests.browser.conftest import BLANK_PAGE
from tests.browser.test_console_page import staff_browser
from tests.browser.test_visit_page import (
    COUNSELLOR_NAME,
    WAIT_MS,
    WAIT_S,
    next_queued_chat,
    open_console,
    start_from_page,
)
from tests.support.clients import WsClient
from tests.support.server import RunningServer, StaffCredentials, start_server
from tests.support.tcp_relay import TcpRelay

pytestmark = pytest.mark.browser

RECONNECTING = "Anslutningen bröts"


@pytest.fixture
async def relay(fresh: RunningServer) -> AsyncIterator[TcpRelay]:
    started = await TcpRelay(fresh.port).start()
    yield started
    await started.close()


async def relayed_page(chromium: Path, relay: TcpRelay) -> AsyncGenerator[Page, None]:
    async with staff_browser(chromium) as browser:
        context = await browser.new_context()
        own = relay.base_url + "/"

        async def keep_local(route: Route) -> None:
            if route.request.url.startswith(own):
                await route.continue_()
            else:
                await route.fulfill(status=200, content_type="text/html", body=BLANK_PAGE)

        await context.route("**/*", keep_local)
        yield await context.new_page()


async def say(page: Page, text: str) -> None:
    await page.fill("#chat-input", text)
    await page.press("#chat-input", "Enter")
    await expect(page.locator("#chat-input")).to_have_value("")


async def counsellor_says(console: WsClient, chat: str, text: str) -> None:
    await console.send({"type": "msg", "chat": chat, "id": text, "text": text})
    await console.expect("ack", chat=chat, id=text, timeout=WAIT_S)


async def visitor_messages_until(console: WsClient, chat: str, last: str) -> list[dict[str, Any]]:
    """Every visitor message the console gets for ``chat``, up to and including ``last``."""
    got: list[dict[str, Any]] = []
    while not got or got[-1]["text"] != last:
        got.append(await console.expect("msg", chat=chat, timeout=WAIT_S * 2))
    return got


async def test_the_page_resumes_on_another_process_with_every_message_once_in_order(
    chromium: Path,
    fresh: RunningServer,
    relay: TcpRelay,
    staff: Callable[..., StaffCredentials],
    tmp_path: Path,
) -> None:
    first = start_server(fresh.redis_url, tmp_path)  # the process the page talks to at first
    relay.retarget(first.port)
    console = await open_console(fresh, staff(name=COUNSELLOR_NAME))
    pages = relayed_page(chromium, relay)
    try:
        page = await anext(pages)
        await start_from_page(page, relay.base_url, "18plus")
        chat = str((await next_queued_chat(console))["chat"])
        await console.send({"type": "accept", "chat": chat})
        await console.expect("assigned", chat=chat, timeout=WAIT_S)
        await expect(page.locator("#chat-status")).to_contain_text(COUNSELLOR_NAME, timeout=WAIT_MS)

        await say(page, "v1 före avbrottet")
        await counsellor_says(console, chat, "c1 före avbrottet")
        await expect(page.locator(".msg-them .msg-text")).to_have_text(["c1 före avbrottet"])

        # Deaf: the page's message is stored, its ack lost; the counsellor's never arrives.
        relay.go_deaf()
        await say(page, "v2 utan kvitto")
        seen = await visitor_messages_until(console, chat, "v2 utan kvitto")
        await counsellor_says(console, chat, "c2 som aldrig kom fram")
        # Cut off: the page's next message never reaches the server.
        relay.cut_off()
        await say(page, "v3 som fastnade")
        await expect(page.locator(".msg-me.is-pending")).to_have_count(2)

        # The process dies; the relay lets nobody through for a while, then sends them to
        # the other process. Meanwhile both sides write again.
        relay.refusing = True
        relay.retarget(fresh.port)
        first.kill()
        await expect(page.locator("#chat-status")).to_contain_text(RECONNECTING, timeout=WAIT_MS)
        await say(page, "v4 medan det var borta")
        await counsellor_says(console, chat, "c3 medan det var borta")
        relay.refusing = False

        await expect(page.locator(".msg-me.is-pending")).to_have_count(0, timeout=WAIT_MS * 2)
        await expect(page.locator("#chat-status")).to_contain_text(COUNSELLOR_NAME)
        await say(page, "v5 efteråt")
        await counsellor_says(console, chat, "c4 efteråt")

        seen += await visitor_messages_until(console, chat, "v5 efteråt")
        assert [m["text"] for m in seen] == [
            "v1 före avbrottet",
            "v2 utan kvitto",
            "v3 som fastnade",
            "v4 medan det var borta",
            "v5 efteråt",
        ]
        seqs = [m["seq"] for m in seen]
        assert seqs == sorted(set(seqs)), seqs

        await expect(page.locator(".msg-them .msg-text")).to_have_text(
            [
                "c1 före avbrottet",
                "c2 som aldrig kom fram",
                "c3 medan det var borta",
                "c4 efteråt",
            ],
            timeout=WAIT_MS,
        )
        await expect(page.locator(".msg-me .msg-text")).to_have_text(
            [
                "v1 före avbrottet",
                "v2 utan kvitto",
                "v3 som fastnade",
                "v4 medan det var borta",
                "v5 efteråt",
            ]
        )
        await expect(page.locator(".msg-me.is-pending, .msg-me.is-failed")).to_have_count(0)
    finally:
        await pages.aclose()
        await console.close()
        first.stop()
