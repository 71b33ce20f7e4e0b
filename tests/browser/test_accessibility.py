"""axe-core finds no serious or critical violation on the pages, in Swedish and Arabic.

The visitor's page in each state (start, notice, queued, chat, ended), a knowledge-bank article
and search, the console with a chat open, /admin and the login page. One server and one
browser for the module; the closed state is in test_accessibility_closed.py (another server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, ViewportSize, async_playwright, expect

from tests.browser.axe import axe_source, local_context, violations
from tests.support.clients import totp_now
from tests.support.server import RunningServer, StaffCredentials

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

WAIT_MS = 10_000
PHONE: ViewportSize = {"width": 412, "height": 900}
DESK: ViewportSize = {"width": 1280, "height": 1000}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def phone(chromium: Path, server: RunningServer) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as playwright:
        context = await local_context(playwright, chromium, server, viewport=PHONE)
        try:
            yield context
        finally:
            await context.close()


async def staff_login(
    context: BrowserContext, server: RunningServer, creds: StaffCredentials, path: str
) -> Page:
    page = await context.new_page()
    await page.goto(server.base_url + "/console/login")
    assert not await violations(page, axe_source())
    await page.fill("#username", creds.username)
    await page.fill("#password", creds.password)
    await page.fill("#totp", totp_now(creds.totp_secret_b32))
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    if path != "/console":
        await page.goto(server.base_url + path)
    return page


async def check(page: Page, state: str, lang: str) -> None:
    found = await violations(page, axe_source())
    assert found == [], f"{state} ({lang}):\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["sv", "ar"])
async def test_visitor_page_in_each_state_and_the_console(
    phone: BrowserContext,
    fresh: RunningServer,
    staff: Callable[..., StaffCredentials],
    lang: str,
) -> None:
    server = fresh
    desk = (
        await phone.browser.new_context(bypass_csp=True, viewport=DESK, reduced_motion="reduce")
        if phone.browser
        else None
    )
    assert desk is not None
    console = await staff_login(desk, server, staff(name="Sara Lind"), "/console")
    await expect(console.locator("#conn-status")).to_have_text("Ansluten", timeout=WAIT_MS)
    await check(console, "console", "sv")

    page = await phone.new_page()
    await page.goto(server.base_url + "/")
    if lang != "sv":
        await page.click(f".lang-btn[data-lang={lang}]")
        await expect(page.locator("html")).to_have_attribute("lang", lang)
    await check(page, "start", lang)

    await page.click("#start-btn")  # no age chosen: the error shows
    await expect(page.locator("#age-error")).to_be_visible()
    await check(page, "start with an error", lang)

    await page.check("#age-under18")
    await page.click("#start-btn")
    await expect(page.locator("#notice-ack")).to_be_visible(timeout=WAIT_MS)
    await check(page, "notice", lang)

    await page.click("#notice-ack")
    await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)
    await expect(page.locator("#chat-status")).not_to_be_empty(timeout=WAIT_MS)
    await check(page, "queued", lang)

    await console.locator(".q-accept").first.click(timeout=WAIT_MS)
    panel = console.locator(".chat-panel:not([hidden])")
    await expect(panel.locator(".cp-input")).to_be_enabled(timeout=WAIT_MS)
    await expect(page.locator("#chat-status")).to_contain_text("Sara Lind", timeout=WAIT_MS)
    await page.fill("#chat-input", "Hej")
    await page.press("#chat-input", "Enter")
    await panel.locator(".cp-input").fill("Hej! Hur mår du?")
    await panel.locator(".cp-input").press("Enter")
    await expect(page.locator("#messages .msg-them")).to_have_count(1, timeout=WAIT_MS)
    await expect(page.locator("#messages .is-pending")).to_have_count(0, timeout=WAIT_MS)
    await check(page, "chat", lang)
    await check(console, "console with a chat open", "sv")

    await panel.locator(".cp-end summary").click()
    await panel.locator(".cp-end-send").click()
    await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
    await check(page, "ended", lang)

    await page.keyboard.press("Escape")
    await expect(page.locator("#cover")).to_be_visible()
    await check(page, "cover", lang)
    await page.close()
    await desk.close()


async def test_admin_page(
    phone: BrowserContext, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    assert phone.browser is not None
    desk = await phone.browser.new_context(bypass_csp=True, viewport=DESK, reduced_motion="reduce")
    page = await staff_login(desk, fresh, staff(role="admin"), "/admin")
    await expect(page.locator("h1").first).to_be_visible()
    assert "/admin" in page.url
    await check(page, "/admin", "sv")
    await desk.close()


@pytest.mark.parametrize("lang", ["sv", "ar"])
async def test_knowledge_bank_article_and_search(
    phone: BrowserContext, fresh: RunningServer, lang: str
) -> None:
    page = await phone.new_page()
    await page.goto(fresh.base_url + f"/kb/?lang={lang}")
    await check(page, "kb index", lang)
    await page.goto(fresh.base_url + f"/kb/{lang}/what-is-honour-based-violence")
    await expect(page.locator("h1")).to_be_visible()
    await check(page, "kb article", lang)
    query = "hedersvåld" if lang == "sv" else "الشرف"
    await page.goto(fresh.base_url + f"/kb/search?lang={lang}&q={query}")
    await check(page, "kb search", lang)
    await page.close()
