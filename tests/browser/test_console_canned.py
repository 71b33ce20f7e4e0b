"""A canned reply in the visitor's language, in Chromium: an Arabic-speaking young person's
chat offers the Arabic replies first, and the one chosen reaches them as written (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.test_console_page import WAIT_MS, console_login, staff_browser
from tests.support.clients import WsClient, start_chat
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser


async def test_an_arabic_canned_reply_for_an_arabic_speaking_visitor(
    chromium: Path, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    creds = staff(name="Sara Lind")
    visitors: list[WsClient] = []
    try:
        async with staff_browser(chromium) as browser:
            page, errors = await console_login(browser, fresh, creds)
            replies = await page.evaluate(
                "fetch('/api/canned', {credentials: 'same-origin'}).then(r => r.json())"
            )
            arabic = [r for r in replies["replies"] if r["lang"] == "ar"]
            assert arabic, "the seeded canned replies include Arabic ones"
            visitor, _welcome = await start_chat(fresh, lang="ar")
            visitors.append(visitor)
            await visitor.expect("queued")
            await page.locator(".q-accept").first.click(timeout=WAIT_MS)
            panel = page.locator(".chat-panel:not([hidden])")
            canned = panel.locator(".cp-canned")
            # The visitor's language comes first.
            first_group = canned.locator("optgroup").first
            await expect(first_group).to_have_attribute("data-lang", "ar", timeout=WAIT_MS)
            option = first_group.locator("option").nth(1)
            text = await option.get_attribute("value")
            assert text
            assert text in {r["text"].replace("{name}", "Sara Lind") for r in arabic}
            await canned.select_option(value=text)
            await expect(panel.locator(".cp-input")).to_have_value(text)
            await panel.locator(".cp-send").click()
            got = await visitor.expect("msg", where={"from": "counsellor"}, text=text)
            assert got["text"] == text
            assert errors == []
    finally:
        for visitor in visitors:
            await visitor.close()
