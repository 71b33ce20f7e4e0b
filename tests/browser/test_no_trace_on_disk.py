"""No trace on disk: a whole visit in Chromium with a fresh profile, then the profile is read.

Visit the page, chat with a counsellor, read the knowledge bank; read the profile directory
as someone who takes the device would, once while the browser is still open (the visitor may
never press the quick exit) and once after the quick exit and the browser closed. Every
SQLite database is read row by row and every other file byte by byte: nothing may name the
site's origin, except what the browser keeps for every site and no page can prevent
(tests/browser/profile_traces.py; docs/security.md, "What no site can prevent"), and no
message text may be anywhere, those exceptions included.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Visit
from tests.browser.profile_traces import files_holding, site_needles, site_traces, sqlite_rows
from tests.support.clients import WsClient, connect_console, login
from tests.support.server import StaffCredentials

pytestmark = pytest.mark.browser

WAIT_MS: Final = 10_000
VISITOR_TEXT: Final = "Blamesen-hemlighet-4417 min pappa läser mina sms"
COUNSELLOR_TEXT: Final = "Storspoven-svar-9021 du kan alltid skriva hit"


def text_forms(text: str) -> list[bytes]:
    head = text.split(" ")[0]
    return [text.encode(), head.encode(), head.encode("utf-16-le")]


def read_profile(profile: Path, base_url: str, workdir: Path) -> list[str]:
    """Every trace of the site in the profile, and every file holding message text."""
    workdir.mkdir()
    found = site_traces(profile, site_needles(base_url), workdir)
    needles = text_forms(VISITOR_TEXT) + text_forms(COUNSELLOR_TEXT)
    found += [f"{name}: holds message text" for name in files_holding(profile, needles)]
    return found


async def chat_in_page(visit: Visit, console: WsClient) -> None:
    page, server = visit.page, visit.server
    await page.goto(server.base_url + "/")
    await page.check("#age-18plus")
    await page.click("#start-btn")
    await expect(page.locator("#chat-form")).to_be_visible(timeout=WAIT_MS)
    queue = await console.expect("queue", timeout=10)
    while not queue["items"]:
        queue = await console.expect("queue", timeout=10)
    chat = queue["items"][0]["chat"]
    await console.send({"type": "accept", "chat": chat})
    await console.expect("assigned", chat=chat, timeout=10)
    await page.fill("#chat-input", VISITOR_TEXT)
    await page.press("#chat-input", "Enter")
    await console.expect("msg", chat=chat, text=VISITOR_TEXT, timeout=10)
    await console.send({"type": "msg", "chat": chat, "id": "c1", "text": COUNSELLOR_TEXT})
    await expect(page.locator("#messages .msg-them .msg-text")).to_have_text(
        [COUNSELLOR_TEXT], timeout=WAIT_MS
    )
    await console.send({"type": "end", "chat": chat, "reasons": ["control"]})
    await expect(page.locator("#ended")).to_be_visible(timeout=WAIT_MS)


async def test_a_whole_visit_leaves_nothing_of_the_site_on_disk(
    visit: Visit, staff: Callable[..., StaffCredentials], tmp_path: Path
) -> None:
    page, server = visit.page, visit.server
    profile = tmp_path / "profile"
    http = login(server, staff(name="Sara Lind"))
    console = await connect_console(server, http)
    http.close()
    try:
        await chat_in_page(visit, console)
    finally:
        await console.close()

    # The knowledge bank: the index, then an article, then the quick exit from there.
    await page.goto(server.base_url + "/kb/")
    article = page.locator("a[href^='/kb/sv/']").first
    await article.click()
    await page.wait_for_url(f"{server.base_url}/kb/sv/**", timeout=WAIT_MS)
    await page.wait_for_load_state("networkidle")
    assert (profile / "Default").is_dir(), sorted(p.name for p in profile.iterdir())
    while_open = read_profile(profile, server.base_url, tmp_path / "while-open")

    exit_url = await page.get_attribute("body", "data-exit-url")
    assert exit_url
    await page.click("[data-quick-exit]")
    await page.wait_for_url(exit_url, timeout=WAIT_MS)
    await visit.settle()
    assert visit.set_cookies == []
    assert visit.page_errors == []
    assert visit.csp_violations == []
    await visit.context.close()
    after_close = read_profile(profile, server.base_url, tmp_path / "after-close")

    # What the site controls in History: neutral titles, no chat, code or message in a URL.
    history = sqlite_rows(
        profile / "Default" / "History", "SELECT url, title FROM urls ORDER BY id", tmp_path
    )
    print("History holds (what no site can prevent):")
    for url, title in history:
        print(f"  {url}  title={title!r}")
        if str(url).startswith(server.base_url):
            assert "?" not in str(url) or "/kb/search" in str(url), url
            assert VISITOR_TEXT.split(" ")[0] not in str(title), title
    assert history, "the History database was read: the profile is the one the browser used"
    report = [f"before the quick exit: {t}" for t in while_open]
    report += [f"after the browser closed: {t}" for t in after_close]
    assert report == [], "\n".join(report)
    # No script from a URL (V8's code cache keys it by URL), no icon fetched.
    assert [p for p in visit.local_requests if p.split("?")[0].endswith(".js")] == []
    assert not any(p.startswith("/favicon") for p in visit.local_requests)
