"""The visitor page's municipality picker: every municipality from the server, found by name,
and a city's districts; the page's `hello` carries the codes (issue 12)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from playwright.async_api import WebSocket, expect

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


async def sent_hello(sent: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's `hello`, once it has been sent."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        for frame in sent:
            if frame.get("type") == "hello":
                return frame
        await asyncio.sleep(0.05)
    raise TimeoutError("the page sent no hello")


async def test_municipality_by_name_then_district_reach_hello(visit: Visit) -> None:
    page = visit.page
    sent: list[dict[str, Any]] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", watch)
    await page.goto(visit.server.base_url + "/")
    options = page.locator("#kommun-list option")
    await expect(options).to_have_count(290, timeout=WAIT_MS)
    assert await options.nth(0).get_attribute("value") == "Upplands Väsby"

    district = page.locator("#district-field")
    await page.click("#more-fields summary")
    await page.fill("#kommun-name", "umeå")
    await expect(page.locator("#kommun")).to_have_value("2480")
    await expect(district).to_be_hidden()

    await page.fill("#kommun-name", "Göteborg")
    await expect(page.locator("#kommun")).to_have_value("1480")
    await expect(district).to_be_visible(timeout=WAIT_MS)
    await expect(page.locator("#district option")).to_have_count(11)  # ten and "skip"
    await page.select_option("#district", "angered")

    await page.check("#age-18plus")
    await page.click("#start-btn")
    hello = await sent_hello(sent)
    assert (hello["kommun"], hello["district"]) == ("1480", "angered")


async def test_a_name_that_is_no_municipality_sends_none(visit: Visit) -> None:
    page = visit.page
    sent: list[dict[str, Any]] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(json.loads(p))))
    await page.goto(visit.server.base_url + "/")
    await expect(page.locator("#kommun-list option")).to_have_count(290, timeout=WAIT_MS)
    await page.click("#more-fields summary")
    await page.fill("#kommun-name", "Atlantis")
    await expect(page.locator("#kommun")).to_have_value("")
    await page.check("#age-18plus")
    await page.click("#start-btn")
    hello = await sent_hello(sent)
    assert "kommun" not in hello
    assert "district" not in hello
