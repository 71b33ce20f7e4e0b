"""axe-core in the browser tests: inject the pinned copy (`make axe`) and list what it finds.

Only serious and critical violations count: those are the ones that stop a person using the
page with a screen reader, a keyboard or poor sight. The browser context must bypass the page's
CSP (`bypass_csp=True`), since axe is a script the page's hashes do not allow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, Playwright

from tests.browser.conftest import BLANK_PAGE, CHROMIUM_ARGS
from tests.support.server import RunningServer

AXE_JS = Path(__file__).resolve().parents[2] / "build" / "axe" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make axe` (part of `make test`)")
    return AXE_JS.read_text(encoding="utf-8")


async def local_context(
    playwright: Playwright, chromium: Path, server: RunningServer, **options: Any
) -> BrowserContext:
    """A headless Chromium context whose requests to any other origin never leave."""
    browser = await playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )
    # Reduced motion: axe reads colours, and a message caught mid fade-in is not the page.
    options.setdefault("reduced_motion", "reduce")
    context = await browser.new_context(bypass_csp=True, **options)
    own_origin = server.base_url + "/"

    async def keep_local(route: Any) -> None:
        if route.request.url.startswith(own_origin):
            await route.continue_()
        else:
            await route.fulfill(status=200, content_type="text/html", body=BLANK_PAGE)

    await context.route("**/*", keep_local)
    return context


async def violations(page: Page, source: str) -> list[str]:
    """The serious and critical axe violations on the page as it is now, one line each."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=source)
    result = await page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found: list[str] = []
    for item in result["violations"]:
        if item["impact"] in BLOCKING:
            targets = [node["target"] for node in item["nodes"][:4]]
            summary = item["nodes"][0].get("failureSummary", "") if item["nodes"] else ""
            found.append(f"{item['id']} ({item['impact']}): {item['help']} at {targets}: {summary}")
    return found
