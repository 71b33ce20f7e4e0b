"""Colleagues and limits in the console, in Chromium: two counsellors in separate contexts.

Sara accepts up to her limit and is refused the next (the chat stays in her queue), writes an
internal note and hands a chat to Bilal, chosen from the list of colleagues online; Bilal sees
who handed it over and the note, and Sara's panel for it goes. A colleague at their limit
cannot be chosen. A heavy chat reaches the supervisor as a debrief request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.test_console_page import WAIT_MS, console_login, staff_browser
from tests.support.clients import WsClient, start_chat
from tests.support.server import RunningServer, StaffCredentials, start_server

pytestmark = pytest.mark.browser

LIMIT = 2


@pytest.fixture(scope="module")
def server(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """This module's service: every counsellor may hold two chats."""
    srv = start_server(redis_server, tmp_path_factory.mktemp("logs"), FRISTAD_CHAT_LIMIT=str(LIMIT))
    yield srv
    srv.stop()


async def test_limit_refusal_and_a_transfer_chosen_from_the_list(
    chromium: Path, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    sara_creds = staff(name="Sara Lind")
    bilal_creds = staff(name="Bilal Ek")
    boss_creds = staff("supervisor", name="Siv Holm")
    visitors: list[WsClient] = []
    try:
        async with staff_browser(chromium) as browser:
            sara, sara_errors = await console_login(browser, fresh, sara_creds)
            bilal, bilal_errors = await console_login(browser, fresh, bilal_creds)
            boss, boss_errors = await console_login(browser, fresh, boss_creds)

            # Each sees the other in the list of colleagues online, with load and limit.
            bilal_row = sara.locator(
                f'#colleagues-list .col-item[data-username="{bilal_creds.username}"]'
            )
            await expect(bilal_row).to_contain_text("Bilal Ek", timeout=WAIT_MS)
            await expect(bilal_row.locator(".col-load")).to_have_text("0 av 2 chattar")
            await expect(
                bilal.locator(f'#colleagues-list .col-item[data-username="{sara_creds.username}"]')
            ).to_contain_text("Sara Lind", timeout=WAIT_MS)

            for _ in range(LIMIT + 1):
                visitor, _welcome = await start_chat(fresh)
                visitors.append(visitor)
                await visitor.expect("queued")
            queue = sara.locator("#queue-list .q-item")
            await expect(queue).to_have_count(LIMIT + 1, timeout=WAIT_MS)

            # Up to the limit...
            for held in range(1, LIMIT + 1):
                await sara.locator(".q-accept").first.click(timeout=WAIT_MS)
                await expect(sara.locator("#chat-tabs .c-tab")).to_have_count(held, timeout=WAIT_MS)
            await expect(sara.locator("#my-status")).to_contain_text(
                "2 av 2 chattar", timeout=WAIT_MS
            )
            # ...and refused the next: said clearly, and the chat stays in the queue.
            await sara.locator(".q-accept").first.click(timeout=WAIT_MS)
            await expect(sara.locator("#toast")).to_contain_text("Gränsen är nådd", timeout=WAIT_MS)
            await expect(queue).to_have_count(1)
            await expect(sara.locator(".q-accept").first).to_be_enabled(timeout=WAIT_MS)
            await expect(sara.locator("#chat-tabs .c-tab")).to_have_count(LIMIT)

            # A note, then the hand-over to Bilal chosen from the list (no username typed).
            panel = sara.locator(".chat-panel:not([hidden])")
            chat_id = await panel.get_attribute("data-chat")
            await panel.locator(".cp-note").fill("Vill inte att familjen vet om samtalet.")
            await panel.locator(".cp-note-send").click()
            await expect(panel.locator(".cm-note")).to_contain_text("Vill inte att familjen")
            await panel.locator(".cp-transfer summary").click()
            choice = panel.locator(".cp-transfer-to")
            assert await choice.evaluate("e => e.tagName") == "SELECT"
            await expect(choice.locator(f'option[value="{bilal_creds.username}"]')).to_be_enabled()
            await choice.select_option(bilal_creds.username)
            await panel.locator(".cp-transfer-send").click()

            taken = bilal.locator(f'.chat-panel[data-chat="{chat_id}"]')
            await expect(taken.locator(".cm-system").first).to_contain_text(
                "Övertagen från Sara Lind", timeout=WAIT_MS
            )
            await expect(taken.locator(".cm-note")).to_contain_text(
                "Vill inte att familjen vet om samtalet."
            )
            await expect(taken.locator(".cp-input")).to_be_enabled()
            # The chat leaves Sara's panels.
            await expect(sara.locator(f'.chat-panel[data-chat="{chat_id}"]')).to_have_count(
                0, timeout=WAIT_MS
            )
            await expect(sara.locator("#chat-tabs .c-tab")).to_have_count(LIMIT - 1)

            # Bilal takes the last chat and is at his limit: Sara cannot choose him now.
            await bilal.locator(".q-accept").first.click(timeout=WAIT_MS)
            await expect(bilal.locator("#chat-tabs .c-tab")).to_have_count(2, timeout=WAIT_MS)
            await expect(bilal_row.locator(".col-load")).to_have_text(
                "2 av 2 chattar", timeout=WAIT_MS
            )
            other = sara.locator(".chat-panel:not([hidden])")
            await other.locator(".cp-transfer summary").click()
            await expect(
                other.locator(f'.cp-transfer-to option[value="{bilal_creds.username}"]')
            ).to_be_disabled(timeout=WAIT_MS)

            # Should the list be behind (Bilal filled up a moment ago), the server refuses
            # the hand-over: the chat stays with Sara and its panel works again.
            forced = other.locator(".cp-transfer-to")
            await forced.evaluate(
                '(s, name) => { const o = s.querySelector(`option[value="${name}"]`);'
                " o.disabled = false; s.value = name; s.dispatchEvent(new Event('change')); }",
                bilal_creds.username,
            )
            await other.locator(".cp-transfer-send").click()
            await expect(sara.locator("#toast")).to_contain_text(
                "Chatten är kvar hos dig", timeout=WAIT_MS
            )
            await expect(other.locator(".cp-input")).to_be_enabled()
            await expect(other.locator(".cp-send")).to_be_enabled()

            # A heavy chat: the supervisor sees the debrief request.
            await other.locator(".cp-heavy").click()
            await expect(other.locator(".cp-heavy")).to_have_text(
                "Avlastning begärd", timeout=WAIT_MS
            )
            await expect(boss.locator("#debrief-list .debrief-item")).to_contain_text(
                "Sara Lind", timeout=WAIT_MS
            )
            # The supervisor sees the counsellors' limits and may change them.
            await expect(
                boss.locator(f'.col-item[data-username="{sara_creds.username}"] .col-limit')
            ).to_have_value(str(LIMIT), timeout=WAIT_MS)
            sara_limit = boss.locator(f'.col-item[data-username="{sara_creds.username}"]')
            await sara_limit.locator(".col-limit").fill("3")
            await sara_limit.locator(".col-limit-save").click()
            await expect(sara.locator("#my-status")).to_contain_text(
                "1 av 3 chattar", timeout=WAIT_MS
            )

            assert sara_errors == []
            assert bilal_errors == []
            assert boss_errors == []
    finally:
        await asyncio.gather(*(v.close() for v in visitors))
