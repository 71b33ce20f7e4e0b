"""Screenshots of the visitor's page at phone size, kept in docs/screenshots/ (`make screenshots`).

Not collected with the suite (the name does not start with test_); run on its own, it uses the
suite's fixtures (a private redis-server, a real `fristad serve`, Debian chromium) and writes
one start-page image per language at 360x740. docs/accessibility.md links them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from tests.browser.axe import local_context
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
LANGS = ("sv", "ar", "fa", "so")


async def test_make_screenshots(chromium: Path, fresh: RunningServer) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        context = await local_context(
            playwright, chromium, fresh, viewport=PHONE, device_scale_factor=1
        )
        try:
            page = await context.new_page()
            await page.goto(fresh.base_url + "/")
            for lang in LANGS:
                await page.click(f".lang-btn[data-lang={lang}]")
                await expect(page.locator("html")).to_have_attribute("lang", lang)
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(path=str(OUT / f"visit-{lang}-360x740.png"))
        finally:
            await context.close()
    for lang in LANGS:
        assert (OUT / f"visit-{lang}-360x740.png").stat().st_size > 0
