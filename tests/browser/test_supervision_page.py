"""Supervisors and safety in the browser (protocol.md, Console 1.1), with a visitor's page, a
counsellor and a supervisor in separate contexts: the supervisor sees the chat in progress and
the counsellor's escalation, reads along and whispers; the counsellor answers; the visitor's
page shows nothing of it; the counsellor blocks the chat. And "I am in danger right now" on
the visitor's start page puts the chat first in the console's queue, marked."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Visit
from tests.browser.test_console_page import WAIT_MS, accept_first, console_login, staff_browser
from tests.support.clients import start_chat
from tests.support.server import StaffCredentials

pytestmark = pytest.mark.browser

WHISPER = "Fråga om hen kan gå till skolkuratorn"
REPLY = "Jag frågar nu"


async def test_escalate_whisper_both_ways_and_block(
    visit: Visit, chromium: Path, staff: Callable[..., StaffCredentials]
) -> None:
    page, server = visit.page, visit.server
    counsellor = staff(name="Sara Lind")
    supervisor = staff("supervisor", name="Siv Berg")
    await page.goto(server.base_url + "/")
    await page.check("#age-18plus")
    await page.click("#start-btn")
    await expect(page.locator("#chat-status")).to_contain_text("näst på tur", timeout=WAIT_MS)

    async with staff_browser(chromium) as browser:
        sara, sara_errors = await console_login(browser, server, counsellor)
        await accept_first(sara)
        panel = sara.locator(".chat-panel:not([hidden])")
        await expect(page.locator("#chat-status")).to_contain_text("Sara Lind", timeout=WAIT_MS)

        siv, siv_errors = await console_login(browser, server, supervisor)
        item = siv.locator("#sup-chats-list .sup-item")
        await expect(item).to_have_count(1, timeout=WAIT_MS)
        await expect(item).to_contain_text(counsellor.username)
        await expect(sara.locator("#sup-chats")).to_have_count(0)  # supervisors only

        # The counsellor escalates; the supervisor is alerted at once and sees it in the list.
        await panel.locator(".cp-escalate[data-level='acute']").click()
        await expect(panel.locator(".cp-escalate-status")).to_contain_text(
            "Arbetsledarna har larmats", timeout=WAIT_MS
        )
        alert = siv.locator("#sup-alerts .sup-alert")
        await expect(alert).to_contain_text("Akut", timeout=WAIT_MS)
        await expect(alert).to_contain_text("Sara Lind")
        await expect(item.locator(".tag-escalation")).to_contain_text("Akut", timeout=WAIT_MS)

        # The supervisor reads along and whispers; the counsellor sees it apart and answers.
        await item.locator(".sup-watch").click()
        siv_panel = siv.locator(".chat-panel:not([hidden])")
        await expect(siv_panel).to_have_count(1, timeout=WAIT_MS)
        await siv_panel.locator(".cp-whisper summary").click()
        await siv_panel.locator(".cp-whisper-input").fill(WHISPER)
        await siv_panel.locator(".cp-whisper-send").click()
        seen = panel.locator(".cp-messages .cm-whisper")
        await expect(seen).to_contain_text(WHISPER, timeout=WAIT_MS)
        await expect(seen).to_contain_text("Siv Berg")
        await panel.locator(".cp-whisper-input").fill(REPLY)
        await panel.locator(".cp-whisper-send").click()
        await expect(siv_panel.locator(".cp-messages .cm-whisper").last).to_contain_text(
            REPLY, timeout=WAIT_MS
        )
        await expect(siv_panel.locator(".cp-safety")).to_have_count(0)  # not theirs to block

        # The visitor's page: nothing of either whisper.
        await panel.locator(".cp-input").fill("Hej, jag är här")
        await panel.locator(".cp-input").press("Enter")
        await expect(page.locator("#messages")).to_contain_text("Hej, jag är här", timeout=WAIT_MS)
        body = await page.locator("body").inner_text()
        assert WHISPER not in body
        assert REPLY not in body

        # The block, confirmed first: the visitor's chat ends, the list empties.
        await panel.locator(".cp-block").click()
        await panel.locator(".cp-block-yes").click()
        await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)
        await expect(panel.locator(".cp-messages")).to_contain_text("blockerades", timeout=WAIT_MS)
        await expect(item).to_have_count(0, timeout=WAIT_MS)
        assert sara_errors == []
        assert siv_errors == []
    await visit.settle()
    assert visit.page_errors == []
    assert visit.csp_violations == []


async def test_in_danger_goes_first_and_is_marked(
    visit: Visit, chromium: Path, staff: Callable[..., StaffCredentials]
) -> None:
    page, server = visit.page, visit.server
    counsellor = staff(name="Sara Lind")
    earlier, _ = await start_chat(server)
    try:
        await earlier.expect("queued")
        async with staff_browser(chromium) as browser:
            sara, errors = await console_login(browser, server, counsellor)
            items = sara.locator("#queue-list .q-item")
            await expect(items).to_have_count(1, timeout=WAIT_MS)

            await page.goto(server.base_url + "/")
            danger = page.locator("#danger-start")
            await expect(danger).to_be_visible(timeout=WAIT_MS)
            await danger.click()  # no age chosen: it starts anyway
            await page.locator("#notice-ack").click(timeout=WAIT_MS)
            await expect(page.locator("#danger-sent")).to_be_visible(timeout=WAIT_MS)
            await expect(page.locator("#danger-btn")).to_be_hidden()

            await expect(items).to_have_count(2, timeout=WAIT_MS)
            first = items.first
            await expect(first).to_have_class(re.compile(r"\bis-urgent\b"), timeout=WAIT_MS)
            await expect(first.locator(".q-urgent")).to_be_visible()
            await expect(sara.locator("#urgent-banner")).to_be_visible()
            assert errors == []
    finally:
        await earlier.close()
    await visit.settle()
    assert visit.page_errors == []
    assert visit.csp_violations == []
