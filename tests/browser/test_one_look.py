"""The chat page and the knowledge bank show one set of controls from one stylesheet
(/static/visit/site.css, issue 12): the quick exit looks the same (same class, colour, size and
words), the language switch looks the same (same class and computed style, the current language
marked alike), and the languages come in the same order on both.
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
  return [e.tagName, e.className, e.textContent.trim(), s.backgroundColor, s.color,
          s.minHeight, s.borderRadius, s.fontWeight, s.fontSize, s.paddingTop];
}"""

#: A language control's look; ``current`` picks the chosen language's, else another's.
LANG_LOOK = """([selector, current]) => {
  const all = [...document.querySelectorAll(selector)];
  const chosen = e =>
    e.getAttribute('aria-pressed') === 'true' || e.getAttribute('aria-current') === 'page';
  const e = all.find(x => chosen(x) === current);
  const s = getComputedStyle(e);
  return [e.className, s.minHeight, s.borderRadius, s.borderTopColor, s.backgroundColor,
          s.color, s.fontSize, s.fontWeight, s.paddingTop, s.paddingLeft];
}"""

SHEETS = "() => [...document.styleSheets].map(s => new URL(s.href).pathname)"


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
            chat_look = [
                await page.evaluate(LANG_LOOK, ["#langs .lang-btn", c]) for c in (True, False)
            ]
            chat_sheets = await page.evaluate(SHEETS)
            await page.goto(server.base_url + "/kb/?lang=sv")
            kb_exit = await page.evaluate(QUICK_EXIT)
            kb_langs = await lang_order(page, "nav.langs a")
            kb_look = [
                await page.evaluate(LANG_LOOK, ["nav.langs .lang-btn", c]) for c in (True, False)
            ]
            kb_sheets = await page.evaluate(SHEETS)
        finally:
            await context.close()
    assert kb_exit == chat_exit
    assert kb_look == chat_look
    assert kb_look[0][4] != kb_look[1][4]  # positive control: the chosen language stands out
    assert chat_sheets[0] == kb_sheets[0] == "/static/visit/site.css"
    assert kb_langs, "the knowledge bank lists no language"
    assert kb_langs == [code for code in chat_langs if code in kb_langs]
