"""New messages are announced once through a polite live region, never the whole log again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Visit
from tests.browser.test_visit_page import (
    COUNSELLOR_NAME,
    WAIT_MS,
    WAIT_S,
    joined_chat,
    open_console,
)
from tests.support.server import StaffCredentials

pytestmark = pytest.mark.browser


async def test_a_new_message_lands_in_the_live_region_and_only_it(
    visit: Visit, staff: Callable[..., StaffCredentials]
) -> None:
    page, server = visit.page, visit.server
    console = await open_console(server, staff(name=COUNSELLOR_NAME))
    try:
        chat_id, _ = await joined_chat(page, server, console, age="18plus")
        region = page.locator("#announce")
        assert await region.get_attribute("aria-live") == "polite"
        assert await region.get_attribute("aria-atomic") == "false"
        assert await region.get_attribute("aria-relevant") == "additions"
        # The visible log is not live itself: a bubble's status change is not read out.
        live_in_log = await page.evaluate(
            "document.querySelector('#messages').closest('[aria-live], [role=log]') === null"
            " && document.querySelectorAll('#messages [aria-live]').length === 0"
        )
        assert live_in_log
        assert await page.evaluate(
            "document.getElementById('announce').closest('[aria-hidden=true], [hidden]') === null"
        )

        await page.fill("#chat-input", "Hej")
        await page.press("#chat-input", "Enter")
        await console.expect("msg", chat=chat_id, timeout=WAIT_S)
        await expect(page.locator("#messages .msg-me.is-pending")).to_have_count(0, timeout=WAIT_MS)
        await expect(region.locator("p")).to_have_count(0)  # one's own words are not read back

        texts = [f"Meddelande nummer {n}" for n in range(1, 5)]
        for n, text in enumerate(texts):
            await console.send({"type": "msg", "chat": chat_id, "id": f"c-{n}", "text": text})
            await console.expect("ack", chat=chat_id, id=f"c-{n}", timeout=WAIT_S)
            await expect(region.locator("p").last).to_have_text(
                f"{COUNSELLOR_NAME}: {text}", timeout=WAIT_MS
            )
        # Only the newest few stay: the region never grows into a second copy of the log.
        await expect(region.locator("p")).to_have_text(
            [f"{COUNSELLOR_NAME}: {text}" for text in texts[-3:]]
        )
        await expect(page.locator("#messages .msg-them")).to_have_count(len(texts))
    finally:
        await console.close()
