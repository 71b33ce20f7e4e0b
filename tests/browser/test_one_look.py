"""The chat page and the knowledge bank show one set of controls: the quick exit looks the same
(same class, same colour, same words) and the languages come in the same order on both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from tests.browser.axe import local_context
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

QUICK_EXIT = """() => {
  const e = document.querySelector('[data-quick-exit]');
  const s = getComputedStyle(e);
  return [e.tagName, e.className, e.textContent.trim(), s.backgroundColor, s.color];
}"""


async def lang_order(page: Page, selector: str) -> list[str]:
    codes: list[str] = await page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('lang'))"
    )
    return codes


async def test_chat_page_and_knowledge_bank_share_controls(
    chromium: Path, server: RunningServer
) -> None:
    async with async_playwright() as playwright:
        context = await local_context(
            playwright, chromium, server, viewport={"width": 360, "height": 740}
        )
        try:
            page = await context.new_page()
            await page.goto(server.base_url + "/?lang=sv")
            chat_exit = await page.evaluate(QUICK_EXIT)
            chat_langs = await lang_order(page, "#langs .lang-btn")
            await page.goto(server.base_url + "/kb/?lang=sv")
            kb_exit = await page.evaluate(QUICK_EXIT)
            kb_langs = await lang_order(page, "nav.langs a")
        finally:
            await context.close()
    assert kb_exit == chat_exit
    assert kb_langs, "the knowledge bank lists no language"
    assert kb_langs == [code for code in chat_langs if code in kb_langs]
