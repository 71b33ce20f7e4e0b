"""The counsellor console in a real browser: login through the form, accept, send, refer, the
risk guide, and the facts a chat pane shows.

The visitors here are WebSocket clients speaking the protocol (fast); the console is the real
page. Staff and visitors get separate browser contexts, so no cookie is ever shared.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis
from playwright.async_api import Browser, Page, Route, async_playwright, expect

from tests.browser.conftest import BLANK_PAGE, CHROMIUM_ARGS
from tests.support.clients import WsClient, start_chat, totp_now
from tests.support.server import REPO_ROOT, RunningServer, StaffCredentials, run_cli

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
WAIT_S = WAIT_MS / 1000
DESK_VIEWPORT = {"width": 1280, "height": 1000}
DIRECTORY_CSV = REPO_ROOT / "counsellor_console" / "data" / "directory_stockholm.csv"


# ---- helpers shared with test_continuity ------------------------------------------------


@contextlib.asynccontextmanager
async def staff_browser(chromium: Path) -> AsyncIterator[Browser]:
    """A headless Chromium whose contexts (one per person) share nothing."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


class PageErrors(list[str]):
    """Console errors and uncaught exceptions of one page."""


async def local_page(
    browser: Browser, server: RunningServer, viewport: dict[str, int] | None = None
) -> tuple[Page, PageErrors]:
    """A page in a fresh context; requests to any other origin never leave the machine."""
    context = await browser.new_context(viewport=viewport or DESK_VIEWPORT)  # type: ignore[arg-type]  # a plain dict of width and height
    own = server.base_url + "/"

    async def keep_local(route: Route) -> None:
        if route.request.url.startswith(own):
            await route.continue_()
        else:
            await route.fulfill(status=200, content_type="text/html", body=BLANK_PAGE)

    await context.route("**/*", keep_local)
    page = await context.new_page()
    errors = PageErrors()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


async def console_login(
    browser: Browser, server: RunningServer, creds: StaffCredentials
) -> tuple[Page, PageErrors]:
    """Log in through the real form; returns the console page once its socket is up."""
    page, errors = await local_page(browser, server)
    await page.goto(server.base_url + "/console/login")
    await page.fill("#username", creds.username)
    await page.fill("#password", creds.password)
    await page.fill("#totp", totp_now(creds.totp_secret_b32))
    await page.click("button[type=submit]")
    await expect(page.locator("#conn-status")).to_have_text("Ansluten", timeout=WAIT_MS)
    return page, errors


def import_directory(server: RunningServer) -> None:
    done = run_cli(server.redis_url, "directory", "import", str(DIRECTORY_CSV))
    assert done.returncode == 0, (done.stdout, done.stderr)


async def accept_first(console: Page) -> None:
    await console.locator(".q-accept").first.click(timeout=WAIT_MS)
    await expect(console.locator(".chat-panel:not([hidden]) .cp-input")).to_be_enabled(
        timeout=WAIT_MS
    )


def risk_counts(redis_url: str) -> dict[str, int]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        counts: dict[str, int] = {}
        for key in client.scan_iter(match="f:stats:*"):
            for raw, value in client.hgetall(key).items():
                name = str(raw)  # decoded by the client; its stubs cannot know
                if name.startswith("risk_"):
                    counts[name] = counts.get(name, 0) + int(value)
        return counts
    finally:
        client.close()


# ---- tests --------------------------------------------------------------------------------


@pytest.fixture
def directory(fresh: RunningServer) -> RunningServer:
    import_directory(fresh)
    return fresh


async def test_login_accept_send_refer_and_risk_guide(
    chromium: Path,
    directory: RunningServer,
    staff: Callable[..., StaffCredentials],
    tmp_path: Path,
) -> None:
    server = directory
    creds = staff(name="Sara Lind")
    visitor: WsClient
    visitor, _ = await start_chat(server, age="under18", kommun="0180", topic="forced_marriage")
    try:
        async with staff_browser(chromium) as browser:
            console, errors = await console_login(browser, server, creds)
            await expect(console.locator(".q-item")).to_have_count(1, timeout=WAIT_MS)
            await accept_first(console)
            panel = console.locator(".chat-panel:not([hidden])")
            await expect(panel.locator(".cp-age")).to_have_text("Ålder: Under 18")
            await expect(panel.locator(".cp-notice")).to_have_text("Anmälningsplikt kvitterad")
            await expect(panel.locator(".cp-kommun")).to_have_text("Kommun: Stockholm (0180)")
            await expect(panel.locator(".cp-session")).to_have_text("Samtal 1 av 5")
            await visitor.expect("joined", timeout=WAIT_S)

            await panel.locator(".cp-input").fill("Hej! Är du trygg just nu?")
            await panel.locator(".cp-input").press("Enter")
            got = await visitor.expect("msg", timeout=WAIT_S, where={"from": "counsellor"})
            assert got["text"] == "Hej! Är du trygg just nu?"

            # Refer: search with the filters, send one card, see the confirmation.
            await panel.locator(".cp-refer summary").click()
            await expect(panel.locator(".cp-refer-kommun")).to_have_value("0180")
            await panel.locator(".cp-refer-q").fill("Bris")
            await panel.locator(".cp-refer-kommun").select_option("")
            await panel.locator(".cp-refer-topic").select_option("")
            await panel.locator(".cp-refer-open").check()
            await panel.locator(".cp-refer-search").click()
            bris = panel.locator(".cp-org[data-org='bris']")
            await expect(bris).to_be_visible(timeout=WAIT_MS)
            await bris.locator(".cp-refer-send").click()
            referral = await visitor.expect("referral", timeout=WAIT_S)
            assert referral["card"]["name"].startswith("Bris")
            await expect(bris.locator(".cp-refer-send")).to_have_text("Skickat ✓", timeout=WAIT_MS)
            await expect(panel.locator(".cp-messages")).to_contain_text(
                "Hänvisning skickad till besökaren: Bris"
            )

            # The risk guide: answers point to escalations, and count once, anonymously.
            await panel.locator(".cp-risk summary").click()
            await expect(panel.locator(".cp-risk-review")).to_contain_text("resurscentrumet")
            await panel.locator(".cp-risk-q[data-key='threat_to_life'] input[value='yes']").check()
            await panel.locator(".cp-risk-q[data-key='minor'] input[value='yes']").check()
            await panel.locator(".cp-risk-q[data-key='abroad'] input[value='dont_know']").check()
            advice = panel.locator(".cp-risk-advice .cp-risk-item")
            await expect(advice.first).to_have_attribute("data-key", "call_112")
            await panel.locator(".cp-risk-save").click()
            await expect(panel.locator(".cp-risk-status")).to_contain_text(
                "Räknat anonymt", timeout=WAIT_MS
            )
            keys = await advice.evaluate_all("items => items.map(i => i.dataset.key)")
            assert keys == ["call_112", "social_services", "police", "competence_team"]
            assert risk_counts(server.redis_url) == {
                "risk_threat_to_life|yes": 1,
                "risk_minor|yes": 1,
                "risk_abroad|dont_know": 1,
            }
            await console.screenshot(path=str(tmp_path / "console.png"), full_page=True)
            assert errors == []
    finally:
        await visitor.close()


async def test_a_professional_chat_shows_profession_and_kommun(
    chromium: Path, fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    creds = staff(name="Sara Lind")
    visitor, _ = await start_chat(
        fresh, channel="professional", profession="school", kommun="0126", topic="control"
    )
    try:
        async with staff_browser(chromium) as browser:
            console, errors = await console_login(browser, fresh, creds)
            await accept_first(console)
            panel = console.locator(".chat-panel:not([hidden])")
            await expect(panel.locator(".cp-channel")).to_have_text("Yrkesverksamma")
            await expect(panel.locator(".cp-profession")).to_contain_text("Yrke: ")
            await expect(panel.locator(".cp-profession")).not_to_have_text("Yrke: school")
            await expect(panel.locator(".cp-kommun")).to_have_text("Kommun: Huddinge (0126)")
            # A chat without a return code: the summary is refused, and the page says why.
            await panel.locator(".cp-summary").fill("Skolkurator, oro för elev 15 år.")
            await panel.locator(".cp-summary-send").click()
            await expect(panel.locator(".cp-summary-status")).to_contain_text(
                "ingen återkomstkod", timeout=WAIT_MS
            )
            assert errors == []
    finally:
        await visitor.close()
