"""The visitor's page in a real browser: it works, and it leaves nothing behind.

The page is driven as a person would (clicks, keys); the counsellor is a console WebSocket
client speaking the protocol, logged in through the real form.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Visit
from tests.support.clients import WsClient, connect_console, login
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser

COUNSELLOR_NAME = "Sara Lind"
WAIT_S = 10.0
WAIT_MS = WAIT_S * 1000


async def open_console(server: RunningServer, creds: StaffCredentials) -> WsClient:
    http = login(server, creds)
    try:
        return await connect_console(server, http)
    finally:
        http.close()


async def next_queued_chat(console: WsClient, within: float = WAIT_S) -> dict[str, Any]:
    """The first queue item to show up in the console's queue frames."""
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no chat reached the queue")
        frame = await console.expect("queue", timeout=remaining)
        items = frame.get("items") or []
        if items:
            item: dict[str, Any] = items[0]
            return item


async def start_from_page(page: Page, base_url: str, age: str) -> int:
    """Open the page, pick the age, start, pass the notice if shown; returns history.length."""
    await page.goto(base_url + "/")
    entries: int = await page.evaluate("history.length")
    await page.check(f"#age-{age}")
    await page.click("#start-btn")
    if age != "18plus":
        await expect(page.locator("#notice-ack")).to_be_visible(timeout=WAIT_MS)
        await expect(page.locator("#notice-text")).not_to_be_empty()
        await page.click("#notice-ack")
    await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)
    return entries


async def joined_chat(
    page: Page, server: RunningServer, console: WsClient, age: str
) -> tuple[str, int]:
    """A visitor on the page, accepted by the console; returns (chat id, history.length)."""
    entries = await start_from_page(page, server.base_url, age)
    item = await next_queued_chat(console)
    assert item["age"] == age
    chat_id = str(item["chat"])
    await console.send({"type": "accept", "chat": chat_id})
    await console.expect("assigned", chat=chat_id, timeout=WAIT_S)
    await expect(page.locator("#chat-status")).to_contain_text(COUNSELLOR_NAME, timeout=WAIT_MS)
    return chat_id, entries


async def test_page_loads_quietly(visit: Visit) -> None:
    page = visit.page
    await page.goto(visit.server.base_url + "/", wait_until="networkidle")

    assert await page.title() == "Chatt"
    assert await page.get_attribute("html", "lang") == "sv"
    # An empty icon: no /favicon.ico request, and nothing for the Favicons database to keep.
    assert await page.get_attribute("link[rel=icon]", "href") == "data:,"
    await expect(page.locator("[data-quick-exit]")).to_be_visible()
    await expect(page.locator("#topic option")).not_to_have_count(1)  # topics came from the API
    await expect(page.locator("#notices [data-notice-lang=sv]")).not_to_be_empty()
    fields = page.locator("input[type=text], input:not([type]), textarea")
    for i in range(await fields.count()):
        assert await fields.nth(i).get_attribute("autocomplete") == "off"
        assert await fields.nth(i).get_attribute("spellcheck") == "false"

    # No script from a URL: each one would leave a code-cache entry naming the site.
    await expect(page.locator("script[src]")).to_have_count(0)
    # The page carries only its own language's strings; another is fetched on a switch.
    data = await page.evaluate("JSON.parse(document.getElementById('page-data').textContent)")
    assert data["lang"] == "sv"
    assert data["strings"]["start"] == "Starta chatten"
    assert "Start the chat" not in await page.content()
    codes = [language["code"] for language in data["languages"]]
    assert codes[:3] == ["sv", "en", "ar"]
    await expect(page.locator(".lang-btn")).to_have_count(len(codes))
    entries = await page.evaluate("history.length")

    await page.click(".lang-btn[data-lang=ar]")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert await page.get_attribute("html", "lang") == "ar"
    await expect(page.locator("#start-btn")).to_have_text("ابدأ الدردشة")
    await expect(page.locator("#notices [data-notice-lang=ar]")).to_be_visible()
    assert "/api/strings?lang=ar" in visit.local_requests
    await page.click(".lang-btn[data-lang=sv]")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await expect(page.locator("#start-btn")).to_have_text("Starta chatten")
    assert visit.local_requests.count("/api/strings?lang=sv") == 0  # it had them already
    assert await page.evaluate("history.length") == entries

    await visit.settle()
    assert visit.console_errors == []
    assert visit.page_errors == []
    assert visit.csp_violations == []
    assert visit.foreign_requests == []
    assert not any(path.startswith("/favicon") for path in visit.local_requests)
    assert visit.set_cookies == []


async def test_chat_both_ways_and_nothing_left_behind(
    visit: Visit, staff: Callable[..., StaffCredentials]
) -> None:
    page, server = visit.page, visit.server
    console = await open_console(server, staff(name=COUNSELLOR_NAME))
    try:
        chat_id, entries = await joined_chat(page, server, console, age="under18")

        await page.fill("#chat-input", "Hej, jag vet inte vad jag ska göra.")
        await page.press("#chat-input", "Enter")
        frame = await console.expect("msg", chat=chat_id, timeout=WAIT_S)
        assert frame["from"] == "visitor"
        assert frame["text"] == "Hej, jag vet inte vad jag ska göra."
        await expect(page.locator("#messages .msg-me.is-pending")).to_have_count(0, timeout=WAIT_MS)
        await expect(page.locator("#chat-input")).to_have_value("")

        await console.send({"type": "typing", "chat": chat_id})
        await console.send(
            {"type": "msg", "chat": chat_id, "id": "c-1", "text": "Hej! Är du trygg just nu?"}
        )
        await console.expect("ack", chat=chat_id, id="c-1", timeout=WAIT_S)
        await expect(page.locator("#messages .msg-them .msg-text")).to_have_text(
            ["Hej! Är du trygg just nu?"], timeout=WAIT_MS
        )

        await page.fill("#chat-input", "Ja, för tillfället.")
        await page.click("#chat-send")
        frame = await console.expect("msg", chat=chat_id, timeout=WAIT_S)
        assert frame["text"] == "Ja, för tillfället."

        await console.send({"type": "end", "chat": chat_id, "reasons": ["control"]})
        await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
        await expect(page.locator("#ended-by")).to_contain_text("Kuratorn")
        await expect(page.locator("#chat-form")).to_be_hidden()
    finally:
        await console.close()

    assert await page.evaluate("document.cookie") == ""
    assert await page.evaluate("localStorage.length") == 0
    assert await page.evaluate("sessionStorage.length") == 0
    assert await page.evaluate("indexedDB.databases().then((dbs) => dbs.length)") == 0
    assert (
        await page.evaluate(
            "navigator.serviceWorker.getRegistrations().then((regs) => regs.length)"
        )
        == 0
    )
    assert await page.evaluate("history.length") == entries  # no entry of its own
    assert await visit.context.cookies() == []
    await visit.settle()
    assert visit.set_cookies == []
    assert visit.page_errors == []
    assert visit.csp_violations == []
    assert visit.foreign_requests == []


async def test_someone_is_coming_covers_the_chat(
    visit: Visit, staff: Callable[..., StaffCredentials]
) -> None:
    page, server = visit.page, visit.server
    console = await open_console(server, staff(name=COUNSELLOR_NAME))
    try:
        chat_id, _ = await joined_chat(page, server, console, age="18plus")

        await page.keyboard.press("Escape")
        await expect(page.locator("#cover")).to_be_visible()
        for x, y in ((0.5, 0.5), (0.05, 0.02), (0.95, 0.98)):
            on_top = await page.evaluate(
                "([x, y]) => document.elementFromPoint(innerWidth * x, innerHeight * y)"
                ".closest('#cover') !== null",
                [x, y],
            )
            assert on_top, (x, y)
        assert await page.get_attribute("#page", "aria-hidden") == "true"
        frame = await console.expect("visitor_away", chat=chat_id, timeout=WAIT_S)
        assert frame["on"] is True

        await page.click("#cover-back")
        await expect(page.locator("#cover")).to_be_hidden()
        frame = await console.expect("visitor_away", chat=chat_id, timeout=WAIT_S)
        assert frame["on"] is False
        await console.expect_none("visitor_left", within=0.5)
    finally:
        await console.close()
    assert visit.page_errors == []
    assert visit.csp_violations == []


@pytest.mark.parametrize("how", ["shift_three_times", "button"])
async def test_quick_exit_leaves_and_tells_the_counsellor(
    visit: Visit, staff: Callable[..., StaffCredentials], how: str
) -> None:
    page, server = visit.page, visit.server
    console = await open_console(server, staff(name=COUNSELLOR_NAME))
    try:
        chat_id, entries = await joined_chat(page, server, console, age="under18")
        exit_url = await page.get_attribute("body", "data-exit-url")
        assert exit_url
        assert exit_url.startswith(("https://", "http://"))
        assert not exit_url.startswith(server.base_url)

        if how == "button":
            await page.click("[data-quick-exit]")
        else:
            await page.locator("body").focus()
            for _ in range(3):
                await page.keyboard.press("Shift")

        await page.wait_for_url(exit_url, timeout=WAIT_MS)
        frame = await console.expect("visitor_left", chat=chat_id, timeout=WAIT_S)
        assert frame["how"] == "exit"
    finally:
        await console.close()

    # Replaced, not pushed: Back does not lead to the chat.
    assert await page.evaluate("history.length") == entries
    assert exit_url in visit.foreign_requests
    assert await visit.context.cookies() == []
    await visit.settle()
    assert visit.set_cookies == []
    assert visit.page_errors == []
    assert visit.csp_violations == []
