"""Continuity without an account, in real browsers on both sides.

A return code brings the counsellor's summary to the next chat, and the console sees the
session number; while chat is closed a young person leaves a message, reads the reply with the code,
and has the code forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from chat.domain.hours import DAYS, STOCKHOLM
from tests.browser.test_console_page import (
    WAIT_MS,
    accept_first,
    console_login,
    import_directory,
    local_page,
    staff_browser,
)
from tests.support.clients import connect_console, login, start_chat
from tests.support.server import RunningServer, StaffCredentials, start_server

pytestmark = pytest.mark.browser

PHONE = {"width": 412, "height": 900}
SUMMARY = "Oro för planerad resa i sommar; vill prata om skolan och sin syster nästa gång."
LEFT = "Jag vågar inte chatta hemma. Kan ni svara här?"
REPLY = "Tack för att du skrev. Du kan chatta med oss måndag till torsdag."


def closed_window() -> str:
    """Opening hours that are certainly closed now: an hour on another weekday."""
    today = datetime.now(tz=UTC).astimezone(STOCKHOLM).weekday()
    return f"{DAYS[(today + 3) % 7]} 10:00-11:00"


@pytest.fixture
def closed(redis_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    srv = start_server(redis_url, tmp_path, FRISTAD_OPENING_HOURS=closed_window())
    yield srv
    srv.stop()


async def start_on_page(page: Page, base_url: str, code: str | None = None) -> None:
    await page.goto(base_url + "/")
    if code is not None:
        await page.click("#more-fields summary")
        await page.fill("#return-code", code)
    await page.check("#age-18plus")
    await page.click("#start-btn")
    await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)


async def end_from_console(console: Page) -> None:
    panel = console.locator(".chat-panel:not([hidden])")
    await panel.locator(".cp-end summary").click()
    await panel.locator(".cp-end-send").click()


async def save_summary(console: Page, text: str) -> str:
    panel = console.locator(".chat-panel:not([hidden])")
    await panel.locator(".cp-summary").fill(text)
    await panel.locator(".cp-summary-send").click()
    status = panel.locator(".cp-summary-status")
    await expect(status).not_to_have_text("Sparar…", timeout=WAIT_MS)
    return await status.inner_text()


async def test_a_return_code_brings_the_summary_to_the_next_chat(
    chromium: Path,
    fresh: RunningServer,
    staff: Callable[..., StaffCredentials],
    tmp_path: Path,
) -> None:
    creds = staff(name="Sara Lind")
    async with staff_browser(chromium) as browser:
        console, console_errors = await console_login(browser, fresh, creds)
        page, page_errors = await local_page(browser, fresh, PHONE)

        # Chat 1: a code asked for during the chat; the survey after the end reaches the server.
        await start_on_page(page, fresh.base_url)
        await accept_first(console)
        panel = console.locator(".chat-panel:not([hidden])")
        await expect(panel.locator(".cp-session")).to_have_text("Samtal 1 av 5")
        await expect(page.locator("#chat-status")).to_contain_text("Sara Lind", timeout=WAIT_MS)
        await page.click("#rc-live-btn")
        await expect(page.locator("#rc-live-code")).not_to_be_empty(timeout=WAIT_MS)
        code = (await page.locator("#rc-live-code").inner_text()).strip()
        assert len(code.split()) >= 4, code
        await end_from_console(console)
        await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
        await expect(page.locator("#rc-code")).to_have_text(code)
        await expect(page.locator("#survey-form")).to_be_visible(timeout=WAIT_MS)
        await page.locator("#survey-questions .survey-q").first.locator("input").last.check()
        await page.click("#survey-send")
        await expect(page.locator("#survey-thanks")).to_be_visible(timeout=WAIT_MS)
        await page.screenshot(path=str(tmp_path / "visitor-ended.png"), full_page=True)

        # Chat 2, with the code typed loosely: session 2; the counsellor saves a summary.
        await start_on_page(page, fresh.base_url, "  " + code.upper())
        await expect(console.locator(".q-item .q-meta")).to_contain_text(
            "Samtal 2 av 5", timeout=WAIT_MS
        )
        await accept_first(console)
        panel = console.locator(".chat-panel:not([hidden])")
        await expect(panel.locator(".cp-session")).to_have_text("Samtal 2 av 5")
        assert (await save_summary(console, SUMMARY)).startswith("Sparad")
        await end_from_console(console)
        await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)

        # Chat 3: the summary waits for the counsellor, prominently.
        await start_on_page(page, fresh.base_url, code)
        await accept_first(console)
        panel = console.locator(".chat-panel:not([hidden])")
        await expect(panel.locator(".cp-session")).to_have_text("Samtal 3 av 5")
        summary = panel.locator(".cp-prev-summary")
        await expect(summary).to_be_visible(timeout=WAIT_MS)
        await expect(summary).to_contain_text("Sammanfattning från förra samtalet")
        await expect(summary.locator(".cp-prev-summary-text")).to_have_text(SUMMARY)
        await console.screenshot(path=str(tmp_path / "console-summary.png"), full_page=True)
        assert console_errors == []
        assert page_errors == []


async def test_a_code_given_during_the_first_chat_keeps_its_summary(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    http = login(fresh, staff())
    visitor, _ = await start_chat(fresh)
    try:
        console = await connect_console(fresh, http)
        try:
            frame = await console.expect("queue", timeout=WAIT_MS / 1000)
            while not frame.get("items"):
                frame = await console.expect("queue", timeout=WAIT_MS / 1000)
            chat = frame["items"][0]["chat"]
            await console.send({"type": "accept", "chat": chat})
            await console.expect("assigned", chat=chat)
            await visitor.send({"type": "return_code"})
            await visitor.expect("return_code")
            await console.send({"type": "summary", "chat": chat, "text": SUMMARY})
            saved = await console.expect("summary_saved", chat=chat)
            assert saved["saved"] is True
        finally:
            await console.close()
    finally:
        await visitor.close()
        http.close()


async def test_leave_a_message_while_closed_and_read_the_reply(
    chromium: Path,
    closed: RunningServer,
    staff: Callable[..., StaffCredentials],
    tmp_path: Path,
) -> None:
    import_directory(closed)
    creds = staff(name="Sara Lind")
    async with staff_browser(chromium) as browser:
        page, page_errors = await local_page(browser, closed, PHONE)
        await page.goto(closed.base_url + "/")
        await expect(page.locator("#open-status")).to_contain_text("stängd", timeout=WAIT_MS)
        await expect(page.locator("#open-help")).to_be_visible()
        await expect(page.locator("#open-help-list .referral-name").first).to_be_visible(
            timeout=WAIT_MS
        )
        await expect(page.locator("#open-help-list")).to_contain_text("112")

        # Trying to chat says it is closed and opens the message form.
        await page.check("#age-18plus")
        await page.click("#start-btn")
        await expect(page.locator("#view-unavailable")).to_be_visible(timeout=WAIT_MS)
        await expect(page.locator("#open-help")).to_be_visible()
        await expect(page.locator("#leave-text")).to_be_visible()
        await page.fill("#leave-text", LEFT)
        await page.click("#leave-send")
        await expect(page.locator("#leave-code-shown")).not_to_be_empty(timeout=WAIT_MS)
        code = (await page.locator("#leave-code-shown").inner_text()).strip()
        assert len(code.split()) >= 4, code
        await page.screenshot(path=str(tmp_path / "visitor-closed.png"), full_page=True)

        # The counsellor's inbox: waiting since, count, the thread, a reply.
        console, console_errors = await console_login(browser, closed, creds)
        item = console.locator("#inbox-list .inbox-open")
        await expect(item).to_have_count(1, timeout=WAIT_MS)
        await expect(item).to_contain_text("1 obesvarat")
        await expect(console.locator("#inbox-count")).to_have_text("1")
        await item.click()
        await expect(console.locator("#inbox-thread-items")).to_contain_text(LEFT)
        await console.fill("#inbox-reply-text", REPLY)
        await console.click("#inbox-reply-send")
        await expect(console.locator("#inbox-status")).to_contain_text("skickat", timeout=WAIT_MS)
        await expect(console.locator("#inbox-thread-items")).to_contain_text(REPLY)
        await expect(console.locator("#inbox-list .inbox-open")).to_have_count(0)
        await console.screenshot(path=str(tmp_path / "console-inbox.png"), full_page=True)

        # Back on the page: read the reply with the code, typed loosely.
        await page.click("#replies-box summary")
        await page.fill("#replies-code", "  " + code.upper() + " ")
        await page.click("#replies-send")
        await expect(page.locator("#replies-list")).to_contain_text(REPLY, timeout=WAIT_MS)
        await expect(page.locator("#replies-list")).to_contain_text(LEFT)
        await expect(page.locator("#replies-empty")).to_be_hidden()
        assert await page.input_value("#replies-code") != ""

        # Forget the code, after a calm confirmation; then it no longer works.
        await page.click("#forget-box summary")
        await page.fill("#forget-code", code)
        await page.click("#forget-send")
        await expect(page.locator("#forget-confirm")).to_be_visible()
        await page.click("#forget-yes")
        await expect(page.locator("#forget-result")).to_contain_text(
            "Koden är glömd", timeout=WAIT_MS
        )
        await expect(page.locator("#forget-code")).to_have_value("")
        await page.click("#replies-send")
        await expect(page.locator("#replies-error")).to_contain_text(
            "hittade inte", timeout=WAIT_MS
        )
        await expect(page.locator("#replies-list")).to_be_hidden()
        assert console_errors == []
        assert page_errors == []
