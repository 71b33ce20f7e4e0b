"""The visitor's page and a knowledge-bank article at 320 px wide and at 200 % zoom: no
horizontal scroll in any state (WCAG 1.4.10 reflow). 200 % zoom of a 1280x800 window is a
640x400 CSS viewport at two device pixels per CSS pixel. One server, one browser."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import BLANK_PAGE
from tests.browser.test_console_page import staff_browser
from tests.browser.test_visit_page import COUNSELLOR_NAME, WAIT_MS, next_queued_chat, open_console
from tests.support.server import RunningServer, StaffCredentials

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

# name: (CSS viewport, device pixels per CSS pixel)
SIZES: dict[str, tuple[ViewportSize, int]] = {
    "320px": ({"width": 320, "height": 640}, 1),
    "zoom200": ({"width": 640, "height": 400}, 2),
}
LONG_WORD = "a" * 120  # a pasted link or a word with no break in it


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium_browser(chromium: Path) -> AsyncIterator[Browser]:
    async with staff_browser(chromium) as browser:  # one browser for the module's pages
        yield browser


async def sized_page(browser: Browser, server: RunningServer, size: str) -> Page:
    viewport, scale = SIZES[size]
    context = await browser.new_context(viewport=viewport, device_scale_factor=scale)
    own_origin = server.base_url + "/"

    async def keep_local(route: Any) -> None:
        if route.request.url.startswith(own_origin):
            await route.continue_()
        else:
            await route.fulfill(status=200, content_type="text/html", body=BLANK_PAGE)

    await context.route("**/*", keep_local)
    return await context.new_page()


async def no_sideways_scroll(page: Page, state: str) -> None:
    widths = await page.evaluate(
        "() => { const s = document.scrollingElement;"
        " const wide = [...document.querySelectorAll('body *')].filter((e) => {"
        "   const r = e.getBoundingClientRect(); return r.width && r.right > s.clientWidth + 1; })"
        "   .slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className);"
        " return [s.scrollWidth, s.clientWidth, wide]; }"
    )
    assert widths[0] <= widths[1], f"{state}: scrollWidth {widths[0]} > {widths[1]}: {widths[2]}"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["sv", "ar"])
async def test_visitor_page_reflows_in_every_state(
    chromium_browser: Browser,
    fresh: RunningServer,
    staff: Callable[..., StaffCredentials],
    size: str,
    lang: str,
) -> None:
    page = await sized_page(chromium_browser, fresh, size)
    console = await open_console(fresh, staff(name=COUNSELLOR_NAME))
    try:
        await page.goto(fresh.base_url + "/")
        if lang != "sv":
            await page.click(f".lang-btn[data-lang={lang}]")
            await expect(page.locator("html")).to_have_attribute("lang", lang)
        await no_sideways_scroll(page, "start")
        await page.click("#more-fields summary")
        await page.click("#leave-box summary")
        await no_sideways_scroll(page, "start, every section open")

        await page.check("#age-under18")
        await page.click("#start-btn")
        await expect(page.locator("#notice-ack")).to_be_visible(timeout=WAIT_MS)
        await no_sideways_scroll(page, "notice")
        await page.click("#notice-ack")
        await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)
        await expect(page.locator("#chat-status")).not_to_be_empty(timeout=WAIT_MS)
        await no_sideways_scroll(page, "queued")

        item = await next_queued_chat(console)
        chat_id = str(item["chat"])
        await console.send({"type": "accept", "chat": chat_id})
        await expect(page.locator("#chat-status")).to_contain_text(COUNSELLOR_NAME, timeout=WAIT_MS)
        await page.fill("#chat-input", f"Hej {LONG_WORD}")
        await page.press("#chat-input", "Enter")
        await console.send({"type": "msg", "chat": chat_id, "id": "c-1", "text": LONG_WORD})
        await expect(page.locator("#messages .msg-them")).to_have_count(1, timeout=WAIT_MS)
        await no_sideways_scroll(page, "chat")
        await page.click("#end-btn")
        await expect(page.locator("#end-confirm")).to_be_visible()
        await no_sideways_scroll(page, "ending")

        await console.send({"type": "end", "chat": chat_id, "reasons": ["control"]})
        await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
        await no_sideways_scroll(page, "ended")
        await page.keyboard.press("Escape")
        await expect(page.locator("#cover")).to_be_visible()
        await no_sideways_scroll(page, "cover")
    finally:
        await console.close()
        await page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["sv", "ar"])
async def test_knowledge_bank_reflows(
    chromium_browser: Browser, fresh: RunningServer, size: str, lang: str
) -> None:
    page = await sized_page(chromium_browser, fresh, size)
    try:
        await page.goto(fresh.base_url + f"/kb/?lang={lang}")
        await no_sideways_scroll(page, "kb index")
        await page.goto(fresh.base_url + f"/kb/{lang}/what-is-honour-based-violence")
        await expect(page.locator("h1")).to_be_visible()
        await no_sideways_scroll(page, "kb article")
        await page.goto(fresh.base_url + f"/kb/search?lang={lang}&q=skola")
        await no_sideways_scroll(page, "kb search")
    finally:
        await page.context.close()
