"""The page while a visitor waits, and when a newer connection takes the chat over.

The start page shows the queue and the estimated wait from /api/status, the waiting view the
`eta_s` of `queued`, both measured from real accepts; a close with 4000 ("replaced") is met
with a neutral message and no reconnect (protocol.md, close codes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Visit
from tests.browser.test_visit_page import COUNSELLOR_NAME, WAIT_MS, WAIT_S, open_console
from tests.support.clients import Peers, WsClient, start_chat
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    opened = Peers()
    yield opened
    await opened.close_all()


async def accepted_visitors(server: RunningServer, console: WsClient, n: int) -> None:
    """``n`` visitors queue and are accepted: the estimate's basis."""
    for _ in range(n):
        visitor, welcome = await start_chat(server)
        try:
            await visitor.expect("queued", timeout=WAIT_S)
            await console.send({"type": "accept", "chat": welcome["chat"]})
            await visitor.expect("joined", timeout=WAIT_S)
        finally:
            await visitor.close()


async def test_the_start_page_and_the_queue_show_the_wait(
    visit: Visit, staff: Callable[..., StaffCredentials], peers: Peers
) -> None:
    page, server = visit.page, visit.server
    console = peers.track(await open_console(server, staff(name=COUNSELLOR_NAME)))
    await accepted_visitors(server, console, 3)
    for _ in range(2):
        waiting, _ = await peers.chat(server)
        await waiting.expect("queued", timeout=WAIT_S)

    await page.goto(server.base_url + "/")
    status = page.locator("#open-status")
    await expect(status).to_contain_text("Chatten är öppen.", timeout=WAIT_MS)
    await expect(status).to_contain_text("Just nu väntar 2.")
    await expect(status).to_contain_text("Ungefär")  # "... minuter kvar" or "en minut kvar"
    # The professional channel has nobody waiting and no basis for an estimate.
    await page.check("#channel-professional")
    await expect(status).to_have_text("Chatten är öppen.")
    await page.check("#channel-youth")
    await expect(status).to_contain_text("Just nu väntar 2.")

    await page.check("#age-18plus")
    await page.click("#start-btn")
    chat_status = page.locator("#chat-status")
    await expect(chat_status).to_contain_text("Du är nummer 3 i kön.", timeout=WAIT_MS)
    await expect(chat_status).to_contain_text("Ungefär")
    await visit.settle()
    assert visit.page_errors == []
    assert visit.csp_violations == []


async def test_a_chat_taken_over_elsewhere_says_so_and_stays_quiet(
    visit: Visit, staff: Callable[..., StaffCredentials], peers: Peers
) -> None:
    page, server = visit.page, visit.server
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    await page.goto(server.base_url + "/")
    await page.check("#age-18plus")
    await page.click("#start-btn")
    await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)
    await page.wait_for_function("window.FristadVisit.S.token !== null")
    token = await page.evaluate("window.FristadVisit.S.token")
    assert sockets == [server.ws_base + "/ws/visit"]

    # The same visitor resumes on another connection (another tab): it takes the chat over.
    newer = await peers.visitor(server)
    await newer.send(
        {"type": "hello", "v": 1, "channel": "youth", "lang": "sv", "age": "18plus",
         "resume": {"token": token, "last_seq": 0}}
    )  # fmt: skip
    await newer.expect("welcome", timeout=WAIT_S)
    alert = page.locator("#chat-alert")
    await expect(alert).to_have_text(
        "Chatten fortsätter i ett annat fönster eller en annan flik.", timeout=WAIT_MS
    )
    await expect(page.locator("#chat-form")).to_be_hidden()
    assert await page.evaluate("window.FristadVisit.S.phase") == "replaced"
    # A reconnect would come within the first retry delay (0.5 s) and replace `newer` in
    # turn; it stays open, and the page opened no second socket.
    await newer.expect_none("error", within=1.5)
    assert sockets == [server.ws_base + "/ws/visit"]
    await visit.settle()
    assert visit.page_errors == []
