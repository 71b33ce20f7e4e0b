"""The console's alerts in a real browser (issue 11): the tab title counts waiting chats and
unread messages, an unread marker per chat, Alt+A/Alt+N/Alt+E and the `?` help, the sign when
the young person used the quick exit, and the alert sound (shipped by the service, fetched by
the page and played; a headless browser cannot be heard, so the page counts on <body>).

The visitors are WebSocket clients speaking the protocol; the console is the real page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.test_console_page import WAIT_MS, WAIT_S, console_login, staff_browser
from tests.support.clients import WsClient, start_chat
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser

BASE_TITLE = "Konsol \u2013 Fristad"  # the page's own <title>


async def body_count(page: Page, name: str) -> int:
    value = await page.locator("body").get_attribute(name)
    return int(value or "0")


async def expect_count(page: Page, name: str, at_least: int) -> None:
    """Wait until the counter on <body> reaches ``at_least``."""
    await page.wait_for_function(
        "([name, n]) => Number(document.body.getAttribute(name) || '0') >= n",
        arg=[name, at_least],
        timeout=WAIT_MS,
    )


async def test_title_unread_shortcuts_quick_exit_and_sound(
    chromium: Path,
    fresh: RunningServer,
    staff: Callable[..., StaffCredentials],
    tmp_path: Path,
) -> None:
    creds = staff(name="Sara Lind")
    visitors: list[WsClient] = []
    try:
        async with staff_browser(chromium) as browser:
            console, errors = await console_login(browser, fresh, creds)
            await expect(console).to_have_title(BASE_TITLE)
            # The sound is the service's own file, with an audio type, and the page fetched it.
            resp = await console.request.get(fresh.base_url + "/static/console/alert-chat.wav")
            assert resp.status == 200
            assert resp.headers["content-type"].startswith("audio/")
            assert (await resp.body())[:4] == b"RIFF"
            await console.wait_for_function(
                "() => performance.getEntriesByType('resource')"
                ".some(e => e.name.endsWith('/static/console/alert-chat.wav'))",
                timeout=WAIT_MS,
            )
            # A first gesture unlocks audio (the browser's autoplay rule).
            await console.locator(".c-title").click()
            await expect(console.locator("body")).to_have_attribute(
                "data-alert-audio", "unlocked", timeout=WAIT_MS
            )

            # A visitor queues: the title counts them, and the chat sound plays.
            first, _ = await start_chat(fresh)
            visitors.append(first)
            await expect(console.locator(".q-item")).to_have_count(1, timeout=WAIT_MS)
            await expect(console).to_have_title("(1) " + BASE_TITLE, timeout=WAIT_MS)
            await expect_count(console, "data-alert-sounds", 1)
            await expect(console.locator("body")).to_have_attribute("data-alert-last", "chat")
            await expect_count(console, "data-alert-played", 1)
            assert await body_count(console, "data-alert-blocked") == 0
            await expect(console.locator(".q-accept").first).to_have_attribute(
                "aria-keyshortcuts", "Alt+A"
            )

            # Alt+A accepts it; nothing waits any more.
            await console.keyboard.press("Alt+KeyA")
            panel = console.locator(".chat-panel:not([hidden])")
            await expect(panel.locator(".cp-input")).to_be_enabled(timeout=WAIT_MS)
            await first.expect("joined", timeout=WAIT_S)
            await expect(console).to_have_title(BASE_TITLE, timeout=WAIT_MS)
            first_id = await panel.get_attribute("data-chat")
            assert first_id

            # A second chat, accepted while typing in the first one's field (Alt works there).
            second, _ = await start_chat(fresh)
            visitors.append(second)
            await expect(console).to_have_title("(1) " + BASE_TITLE, timeout=WAIT_MS)
            await expect_count(console, "data-alert-sounds", 2)
            await panel.locator(".cp-input").focus()
            await console.keyboard.press("Alt+KeyA")
            await expect(console.locator(".c-tab")).to_have_count(2, timeout=WAIT_MS)
            await expect(console.locator(".chat-panel:not([hidden])")).not_to_have_attribute(
                "data-chat", first_id, timeout=WAIT_MS
            )
            await second.expect("joined", timeout=WAIT_S)
            await expect(console).to_have_title(BASE_TITLE, timeout=WAIT_MS)

            # The first visitor writes while the second chat is in front: a marker on the
            # first chat's tab, the title counts it, and a sound.
            await first.send({"type": "msg", "id": "v1", "text": "hej, är du kvar?"})
            first_tab = console.locator(f".c-tab[data-chat='{first_id}']")
            await expect(first_tab.locator(".c-tab-unread")).to_have_text("1", timeout=WAIT_MS)
            await expect(first_tab).to_have_class("c-tab has-unread")
            await expect(console).to_have_title("(1) " + BASE_TITLE, timeout=WAIT_MS)
            await expect_count(console, "data-alert-sounds", 3)

            # `?` while typing types a question mark; outside a field it opens the help.
            second_input = console.locator(".chat-panel:not([hidden]) .cp-input")
            await second_input.focus()
            await console.keyboard.type("?")
            await expect(second_input).to_have_value("?")
            await expect(console.locator("#shortcuts-help")).to_be_hidden()
            await second_input.fill("")
            await console.locator("#shortcuts-open").focus()
            await console.keyboard.press("?")
            help_dialog = console.locator("#shortcuts-help")
            await expect(help_dialog).to_be_visible()
            for keys in ["Alt+A", "Alt+N", "Alt+E", "Alt+M", "?"]:
                await expect(help_dialog.locator("kbd", has_text=keys).first).to_be_visible()
            await console.screenshot(path=str(tmp_path / "shortcuts.png"))
            await console.keyboard.press("Escape")
            await expect(help_dialog).to_be_hidden()

            # Alt+N goes to the chat with the unread message; the marker and the count clear.
            await console.keyboard.press("Alt+KeyN")
            await expect(console.locator(".chat-panel:not([hidden])")).to_have_attribute(
                "data-chat", first_id, timeout=WAIT_MS
            )
            await expect(first_tab.locator(".c-tab-unread")).to_be_hidden()
            await expect(console).to_have_title(BASE_TITLE, timeout=WAIT_MS)

            # The first visitor uses the quick exit: the panel says so, the field is off and
            # says why, and the panel stays for the reasons.
            await first.send({"type": "exit"})
            first_panel = console.locator(f".chat-panel[data-chat='{first_id}']")
            sign = first_panel.locator(".cp-left-sign")
            await expect(sign).to_be_visible(timeout=WAIT_MS)
            await expect(sign).to_have_attribute("data-how", "exit")
            await expect(sign).to_contain_text("använde snabbutgången")
            field = first_panel.locator(".cp-input")
            await expect(field).to_be_disabled()
            sign_id = await sign.get_attribute("id")
            await expect(field).to_have_attribute("aria-describedby", sign_id or "-")
            await expect(first_panel.locator(".cp-reasons")).to_be_visible()
            await console.screenshot(path=str(tmp_path / "quick-exit.png"), full_page=True)

            # Alt+E on the chat in front opens its end form at the reasons.
            await first_panel.locator(".cp-end").evaluate("d => { d.open = false; }")
            await console.keyboard.press("Alt+KeyE")
            await expect(first_panel.locator(".cp-end")).to_have_attribute("open", "")
            focused = await console.evaluate(
                "() => document.activeElement && document.activeElement.closest('.cp-end') !== null"
            )
            assert focused is True

            # Mute: no more sounds while it is on.
            await console.keyboard.press("Alt+KeyM")
            await expect(console.locator("#alerts-mute")).to_have_attribute("aria-pressed", "true")
            before = await body_count(console, "data-alert-sounds")
            await second.send({"type": "msg", "id": "v2", "text": "hallå?"})
            await expect(console.locator(".cp-messages").last).to_contain_text(
                "hallå?", timeout=WAIT_MS
            )
            assert await body_count(console, "data-alert-sounds") == before

            # The second visitor ends the chat themselves: the sign says so, in the other panel.
            second_id = await console.locator(".c-tab").last.get_attribute("data-chat")
            await second.send({"type": "end"})
            second_sign = console.locator(f".chat-panel[data-chat='{second_id}'] .cp-left-sign")
            await expect(second_sign).to_have_attribute("data-how", "end", timeout=WAIT_MS)
            await expect(second_sign).to_contain_text("Den unga avslutade chatten.")

            # Alt+A's choice: urgent before others, then the longest wait, then queue order.
            picked = await console.evaluate(
                """async () => {
                  const { pickToAccept } = await import('/static/console/shortcuts.js');
                  const q = [
                    { chat: 'a', waited_s: 30 },
                    { chat: 'b', waited_s: 90 },
                    { chat: 'c', waited_s: 5, urgent: true },
                    { chat: 'd', waited_s: 8, urgent: true },
                  ];
                  const tie = [{ chat: 'x', waited_s: 3 }, { chat: 'y', waited_s: 3 }];
                  return [pickToAccept(q).chat, pickToAccept(q.slice(0, 2)).chat,
                          pickToAccept(tie).chat, pickToAccept([])];
                }"""
            )
            assert picked == ["d", "b", "x", None]

            # An urgent chat (Console 1.1: hello with "urgent": true) gets the insistent sound,
            # and Alt+A takes it before a chat that has waited longer.
            await console.keyboard.press("Alt+KeyM")
            await expect(console.locator("#alerts-mute")).to_have_attribute("aria-pressed", "false")
            calm, _ = await start_chat(fresh)
            visitors.append(calm)
            await expect(console.locator(".q-item")).to_have_count(1, timeout=WAIT_MS)
            played = await body_count(console, "data-alert-played")
            urgent, _ = await start_chat(fresh, urgent=True)
            visitors.append(urgent)
            await expect(console.locator(".q-item")).to_have_count(2, timeout=WAIT_MS)
            await expect(console.locator("body")).to_have_attribute(
                "data-alert-last", "urgent", timeout=WAIT_MS
            )
            await expect_count(console, "data-alert-played", played + 1)
            await console.keyboard.press("Alt+KeyA")
            await urgent.expect("joined", timeout=WAIT_S)
            await expect(console.locator(".q-item")).to_have_count(1, timeout=WAIT_MS)
            assert errors == []
    finally:
        for visitor in visitors:
            await visitor.close()
