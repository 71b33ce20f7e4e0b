"""The whole visitor flow by keyboard alone: Tab, Shift+Tab, Enter, Space and Escape (and the
letters of the message). From the start form to chatting, ending, the cover and the quick exit;
every control reached shows where the focus is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Visit
from tests.browser.test_visit_page import (
    COUNSELLOR_NAME,
    WAIT_MS,
    WAIT_S,
    next_queued_chat,
    open_console,
)
from tests.support.server import StaffCredentials

pytestmark = pytest.mark.browser

MAX_PRESSES = 80


async def tab_to(page: Page, selector: str, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector`; its focus must be visible."""
    for _ in range(MAX_PRESSES):
        if await page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            break
        await page.keyboard.press(key)
    else:
        raise AssertionError(f"{key} never reached {selector}")
    ring = await page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0"
        " || s.boxShadow !== 'none'; }"
    )
    assert ring, f"{selector} has the focus but shows no focus ring"


async def test_the_whole_visit_by_keyboard(
    visit: Visit, staff: Callable[..., StaffCredentials]
) -> None:
    page, server = visit.page, visit.server
    console = await open_console(server, staff(name=COUNSELLOR_NAME))
    try:
        await page.goto(server.base_url + "/")
        await tab_to(page, ".lang-btn[data-lang=ar]")
        await page.keyboard.press("Enter")
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        await tab_to(page, ".lang-btn[data-lang=sv]", key="Shift+Tab")
        await page.keyboard.press("Space")
        await expect(page.locator("html")).to_have_attribute("lang", "sv")

        await tab_to(page, "#age-under18")
        await page.keyboard.press("Space")
        await expect(page.locator("#age-under18")).to_be_checked()
        await tab_to(page, "#more-fields summary")
        await page.keyboard.press("Enter")
        await expect(page.locator("#more-fields")).to_have_attribute("open", "")
        await tab_to(page, "#start-btn")
        await page.keyboard.press("Enter")

        await expect(page.locator("#notice-ack")).to_be_visible(timeout=WAIT_MS)
        await tab_to(page, "#notice-ack")
        await page.keyboard.press("Enter")
        await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)

        item = await next_queued_chat(console)
        chat_id = str(item["chat"])
        await console.send({"type": "accept", "chat": chat_id})
        await expect(page.locator("#chat-status")).to_contain_text(COUNSELLOR_NAME, timeout=WAIT_MS)
        await tab_to(page, "#chat-input")
        await page.keyboard.type("Hej, jag skriver med tangentbordet.")
        await page.keyboard.press("Enter")
        frame = await console.expect("msg", chat=chat_id, timeout=WAIT_S)
        assert frame["text"] == "Hej, jag skriver med tangentbordet."
        await console.send({"type": "msg", "chat": chat_id, "id": "c-1", "text": "Hej!"})
        await expect(page.locator("#messages .msg-them")).to_have_count(1, timeout=WAIT_MS)

        # Escape covers the chat and gives the focus to the cover; Escape again comes back.
        await page.keyboard.press("Escape")
        await expect(page.locator("#cover")).to_be_visible()
        await console.expect("visitor_away", chat=chat_id, timeout=WAIT_S)
        await page.keyboard.press("Escape")
        await expect(page.locator("#cover")).to_be_hidden()

        await tab_to(page, "#end-btn")
        await page.keyboard.press("Enter")
        await tab_to(page, "#end-yes")
        await page.keyboard.press("Space")
        await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
        left = await console.expect("visitor_left", chat=chat_id, timeout=WAIT_S)
        assert left["how"] == "end"

        # The quick exit is reachable backwards from anywhere and leaves on Enter.
        await tab_to(page, "#quick-exit", key="Shift+Tab")
        await page.keyboard.press("Enter")
        await page.wait_for_url(lambda url: not url.startswith(server.base_url), timeout=WAIT_MS)
    finally:
        await console.close()
    assert visit.page_errors == []
