"""Right-to-left pages really mirror: in ar, fa and ckb the layout flips, the codes do not.

One server and one browser for the module. The visitor's page is checked by where things are
on the screen (the send button on the left in Arabic, on the right in Swedish), and the return
codes, which are Swedish words and digits, keep a left-to-right isolate in every language.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from tests.browser.axe import local_context
from tests.support.server import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

WAIT_MS = 10_000
CODE_BOXES = (
    "#rc-live-code",
    "#rc-code",
    "#leave-code-shown",
    "#return-code",
    "#leave-code",
    "#replies-code",
    "#forget-code",
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def phone(chromium: Path, server: RunningServer) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as playwright:
        context = await local_context(
            playwright, chromium, server, viewport={"width": 360, "height": 740}
        )
        try:
            yield context
        finally:
            await context.close()


async def box_x(page: Page, selector: str) -> tuple[float, float]:
    box = await page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"], box["x"] + box["width"]


async def composer(page: Page, base_url: str, lang: str) -> None:
    await page.goto(base_url + "/")
    if lang != "sv":
        await page.click(f".lang-btn[data-lang={lang}]")
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await page.check("#age-18plus")
    await page.click("#start-btn")
    await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)


@pytest.mark.parametrize("lang", ["ar", "fa", "ckb"])
async def test_rtl_mirrors_the_page_but_not_the_codes(
    phone: BrowserContext, fresh: RunningServer, lang: str
) -> None:
    page = await phone.new_page()
    await composer(page, fresh.base_url, lang)
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    width = await page.evaluate("document.documentElement.clientWidth")
    _, send_right = await box_x(page, "#chat-send")
    assert send_right < width / 2, f"{lang}: the send button is not on the left"
    _, exit_right = await box_x(page, "#quick-exit")
    away_left, _ = await box_x(page, "#away-btn")
    assert exit_right > width * 0.9, f"{lang}: the quick exit does not start on the right"
    assert away_left < width / 3, f"{lang}: the hide button is not on the left"
    for selector in CODE_BOXES:
        direction = await page.eval_on_selector(selector, "e => getComputedStyle(e).direction")
        assert direction == "ltr", f"{lang}: {selector} is not kept left to right"
    await page.close()


async def test_ltr_keeps_the_send_button_on_the_right(
    phone: BrowserContext, fresh: RunningServer
) -> None:
    page = await phone.new_page()
    await composer(page, fresh.base_url, "sv")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    width = await page.evaluate("document.documentElement.clientWidth")
    send_left, _ = await box_x(page, "#chat-send")
    assert send_left > width / 2
    await page.close()
