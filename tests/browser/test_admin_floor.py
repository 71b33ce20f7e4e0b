"""/admin lives without a reload, and draws its three charts (SVG by the service's own script,
no library) with text alternatives, for statistics seeded in Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from playwright.async_api import expect

from chat.domain.stats import stockholm_day
from tests.browser.test_console_page import WAIT_MS, console_login, staff_browser
from tests.support.clients import WsClient, accept, connect_console, login, start_chat
from tests.support.server import RunningServer, StaffCredentials

pytestmark = pytest.mark.browser

# days ago -> topic counts (each at least 5, so none is suppressed); contacts = their sum
SEEDED = {1: {"control": 7, "abroad": 5}, 3: {"control": 6, "forced_marriage": 9}}


def seed_statistics(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    today = stockholm_day(time.time())
    try:
        for ago, topics in SEEDED.items():
            key = f"f:stats:{(today - timedelta(days=ago)).isoformat()}"
            client.hset(key, "contacts|all", sum(topics.values()))
            for topic, n in topics.items():
                client.hset(key, f"contacts_topic|{topic}", n)
    finally:
        client.close()


async def test_admin_updates_without_reload_and_draws_three_charts(
    chromium: Path, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    seed_statistics(fresh.redis_url)
    boss = staff("supervisor", name="Sigrid Holm")
    anna_creds = staff(name="Anna Berg")
    anna = login(fresh, anna_creds)
    opened: list[WsClient] = []
    try:
        async with staff_browser(chromium) as browser:
            page, errors = await console_login(browser, fresh, boss)
            await page.goto(fresh.base_url + "/admin")
            youth_total = page.locator('[data-channel="youth"] [data-field="total"]')
            await expect(youth_total).to_have_text("0", timeout=WAIT_MS)

            waits = page.locator("#chart-waits svg[role=img] rect.a-bar")
            await expect(waits).to_have_count(24, timeout=WAIT_MS)
            contacts = page.locator("#chart-contacts svg[role=img] rect.a-bar")
            await expect(contacts).to_have_count(30)
            reasons = page.locator("#chart-reasons svg[role=img] rect.a-bar")
            await expect(reasons).to_have_count(3)
            # Text alternatives: an aria-label and a table with the same figures.
            label = await page.locator("#chart-contacts svg").get_attribute("aria-label")
            assert label is not None
            assert "12" in label
            assert "15" in label
            assert await page.locator("#table-waits tbody tr").count() == 24
            assert await page.locator("#table-contacts tbody tr").count() == 30
            cells = "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))"
            rows = await page.locator("#table-reasons tbody tr").evaluate_all(cells)
            assert sorted(n for _, n in rows) == ["13", "5", "9"]  # control: 7 + 6
            days = await page.locator("#table-contacts tbody tr").evaluate_all(cells)
            seeded_days = {
                (stockholm_day(time.time()) - timedelta(days=ago)).isoformat(): sum(t.values())
                for ago, t in SEEDED.items()
            }
            for day, shown in days:
                assert shown == str(seeded_days.get(day, 0)), (day, shown)
            # Bars drawn in proportion: the 15 bar is taller than the 12 bar.
            heights = await contacts.evaluate_all(
                "bars => bars.map(b => Number(b.getAttribute('height')))"
            )
            assert heights[-4] > heights[-2] > 0
            assert heights.count(0) == 28

            # A marker that a reload would lose.
            await page.evaluate("window.__stillHere = 'yes'")
            visitor, welcome = await start_chat(fresh)
            opened.append(visitor)
            await visitor.expect("queued")
            await expect(youth_total).to_have_text("1", timeout=WAIT_MS)

            console = await connect_console(fresh, anna)
            opened.append(console)
            await accept(console, welcome["chat"])
            await expect(youth_total).to_have_text("0", timeout=WAIT_MS)
            row = page.locator(f'#floor-counsellors tr[data-user="{anna_creds.username}"]')
            # The test servers run with FRISTAD_CHAT_LIMIT=20 (tests/support/server.py).
            await expect(row).to_contain_text("1 / 20", timeout=WAIT_MS)
            await expect(row).to_contain_text("Anna Berg")
            # The accepted chat's wait is in the current hour's bar.
            answered = page.locator("#table-waits tbody tr td:nth-child(2)", has_text="1")
            await expect(answered).to_have_count(1, timeout=WAIT_MS)
            # A heavy chat's debrief request appears without a reload.
            await expect(page.locator("#floor-debriefs-empty")).to_be_visible()
            await console.send({"type": "heavy", "chat": welcome["chat"]})
            await console.expect("heavy_noted")
            await expect(page.locator("#floor-debriefs li")).to_contain_text(
                "Anna Berg", timeout=WAIT_MS
            )
            await expect(page.locator("#floor-debriefs-empty")).to_be_hidden()
            assert await page.evaluate("window.__stillHere") == "yes"
            assert errors == []
    finally:
        await asyncio.gather(*(c.close() for c in opened))
        anna.close()
