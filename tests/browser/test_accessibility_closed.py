"""axe-core finds no serious or critical violation on the visitor's page while chat is closed,
and the closed page reflows at 320 px with no horizontal scroll.

Its own server (opening hours that are closed now), so the open server of
test_accessibility.py is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from tests.browser.axe import axe_source, local_context, violations
from tests.browser.test_console_page import import_directory
from tests.browser.test_continuity import closed_window
from tests.support.server import RunningServer, start_server

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


@pytest.fixture
def closed(redis_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    srv = start_server(redis_url, tmp_path, FRISTAD_OPENING_HOURS=closed_window())
    yield srv
    srv.stop()


@pytest.mark.parametrize("lang", ["sv", "ar"])
async def test_closed_page(chromium: Path, closed: RunningServer, lang: str) -> None:
    import_directory(closed)
    async with async_playwright() as playwright:
        context = await local_context(
            playwright, chromium, closed, viewport={"width": 412, "height": 900}
        )
        try:
            page = await context.new_page()
            await page.goto(closed.base_url + "/")
            if lang != "sv":
                await page.click(f".lang-btn[data-lang={lang}]")
                await expect(page.locator("html")).to_have_attribute("lang", lang)
            await expect(page.locator("#open-help")).to_be_visible(timeout=WAIT_MS)
            found = await violations(page, axe_source())
            assert found == [], f"closed ({lang}):\n" + "\n".join(found)
            # and it reflows at 320 px: no horizontal scroll (WCAG 1.4.10)
            await page.set_viewport_size({"width": 320, "height": 640})
            widths = await page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            assert widths[0] <= widths[1], f"closed ({lang}) at 320 px: {widths}"
        finally:
            await context.close()
