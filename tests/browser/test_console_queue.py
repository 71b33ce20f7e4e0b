"""The console page lists the queue in the server's order: a chat handed back to the queue
comes first, even when the chat behind it has waited longer (the page used to re-sort by
time waited, which put the hand-back last)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.test_console_page import WAIT_MS, console_login, staff_browser
from tests.support.clients import WsClient, accept, connect_console, login, start_chat
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser


async def test_a_hand_back_is_listed_first(
    chromium: Path, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    shown_to = staff(name="Sara Lind")
    colleague = login(fresh, staff(name="Bilal Ek"))
    opened: list[WsClient] = []
    try:
        other = await connect_console(fresh, colleague)
        opened.append(other)
        back, welcome = await start_chat(fresh)
        opened.append(back)
        handed_back: str = welcome["chat"]
        await back.expect("queued")
        await accept(other, handed_back)
        behind, welcome = await start_chat(fresh)
        opened.append(behind)
        arrived: str = welcome["chat"]
        await behind.expect("queued")
        await asyncio.sleep(2.5)  # the chat behind waits longer than the hand-back ever did

        async with staff_browser(chromium) as browser:
            console, errors = await console_login(browser, fresh, shown_to)
            items = console.locator("#queue-list .q-item")
            await expect(items).to_have_count(1, timeout=WAIT_MS)
            await other.send({"type": "transfer", "chat": handed_back, "to": "queue"})
            await back.expect("queued", position=1)
            await expect(items).to_have_count(2, timeout=WAIT_MS)
            order = await items.evaluate_all("items => items.map(i => i.dataset.chat)")
            assert order == [handed_back, arrived]
            assert errors == []
    finally:
        await asyncio.gather(*(c.close() for c in opened))
        colleague.close()
