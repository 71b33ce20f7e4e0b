"""The console in English in a real browser (issue 12): a colleague chooses English on their
account page, and the page's own words and the words its scripts write at run time (the
connection line, the queue, a chat's facts, the shortcuts) follow; nothing is left in Swedish
where the catalogue has English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.test_console_page import WAIT_MS, accept_first, console_login, staff_browser
from tests.support.clients import WsClient, start_chat
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser


async def test_a_colleague_who_chooses_english_gets_the_console_in_english(
    chromium: Path, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    creds = staff(name="Sara Lind")
    opened: list[WsClient] = []
    try:
        async with staff_browser(chromium) as browser:
            console, errors = await console_login(browser, fresh, creds)  # Swedish first
            await console.goto(fresh.base_url + "/console/account")
            await console.select_option("#ui-lang", "en")
            await console.click("#language-form button[type=submit]")
            await expect(console.locator("#account-message")).to_have_text(
                "The language has been saved.", timeout=WAIT_MS
            )
            await console.goto(fresh.base_url + "/console")
            await expect(console.locator("html")).to_have_attribute("lang", "en")
            await expect(console.locator("#conn-status")).to_have_text("Connected", timeout=WAIT_MS)
            await expect(console.locator("#logout-btn")).to_have_text("Log out")
            await expect(console.locator("#queue-empty")).to_have_text(
                "Nobody is waiting right now."
            )

            visitor, _welcome = await start_chat(fresh, lang="ar")
            opened.append(visitor)
            await visitor.expect("queued")
            accept = console.locator("#queue-list .q-accept").first
            await expect(accept).to_have_text("Accept", timeout=WAIT_MS)
            await accept_first(console)
            panel = console.locator(".chat-panel:not([hidden])")
            await expect(panel.locator(".cp-facts")).to_contain_text("Conversation 1")
            await expect(panel.locator(".cp-input")).to_have_attribute(
                "placeholder", "Write a reply… (Enter sends, Shift+Enter new line)"
            )
            # The risk guide too (GET /api/riskguide in her language): the questions, and the
            # advice the server sends back in the guide's Swedish, shown in her words by key.
            await panel.locator(".cp-risk summary").click()
            threat = panel.locator('.cp-risk-q[data-key="threat_to_life"]')
            await expect(threat.locator("legend")).to_have_text(
                "Is the person's life threatened, or are they in danger right now?",
                timeout=WAIT_MS,
            )
            await threat.get_by_label("Yes").check()
            first = panel.locator(".cp-risk-advice li").first
            await expect(first.locator(".cp-risk-title")).to_contain_text(
                "Call 112", timeout=WAIT_MS
            )
            await expect(first.locator(".cp-risk-level")).to_have_text("Acute: now")
            assert "Ring 112" not in await panel.locator(".cp-risk-advice").inner_text()
            await console.evaluate("document.activeElement.blur()")  # ? works outside the fields
            await console.keyboard.press("?")
            await expect(console.get_by_text("Show the keyboard shortcuts")).to_be_visible(
                timeout=WAIT_MS
            )
            # The reasons to end with come in her language too (GET /api/topics?lang=en).
            await expect(panel.locator(".cp-reasons")).to_contain_text(
                "Control and restrictions at home", timeout=WAIT_MS
            )
            facts = await panel.locator(".cp-facts").inner_text()
            for swedish in ("Samtal", "Ålder", "Anmälningsplikt"):
                assert swedish not in facts, facts
            assert errors == []
    finally:
        for client in opened:
            await client.close()
