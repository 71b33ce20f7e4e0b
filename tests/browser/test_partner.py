"""A partner, end to end in Debian's Chromium (issue 13): an admin invites them from
/admin/users with their organisation; they enrol (the QR code decoded by zbar, as in
test_invitation.py), log in to their own page and change their entry; a counsellor sees the
change only after the centre has approved it on the review page."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from pathlib import Path
from typing import Final

import httpx
from playwright.async_api import BrowserContext, Page

from tests.browser.test_invitation import decode_qr
from tests.security.conftest import import_directory
from tests.support.clients import login, totp_now
from tests.support.server import RunningServer, StaffCredentials, add_staff

PASSWORD: Final = "fyra ord och en gurka"
NEW_PHONE: Final = "031-555 66 77"


async def _log_in(
    page: Page, server: RunningServer, username: str, password: str, code: str
) -> None:
    await page.goto(server.base_url + "/console/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.fill("#totp", code)
    await page.click("form.login-form button[type=submit]")


def _jouren(counsellor: httpx.Client) -> str:
    orgs = counsellor.get("/api/directory").json()["orgs"]
    return json.dumps(next(o for o in orgs if o["id"] == "jouren"), ensure_ascii=False)


async def test_an_invited_partner_edits_their_entry_and_the_centre_approves(
    browser: BrowserContext, fresh: RunningServer, tmp_path: Path
) -> None:
    import_directory(fresh.redis_url, tmp_path)
    admin: StaffCredentials = add_staff(fresh.redis_url, "b-admin", role="admin")
    counsellor = login(fresh, add_staff(fresh.redis_url, "b-couns", role="counsellor"))
    try:
        await _walk_through(browser, fresh, tmp_path, admin, counsellor)
    finally:
        counsellor.close()


async def _walk_through(
    browser: BrowserContext,
    fresh: RunningServer,
    tmp_path: Path,
    admin: StaffCredentials,
    counsellor: httpx.Client,
) -> None:
    page = browser.pages[0] if browser.pages else await browser.new_page()

    # The admin invites the partner, choosing the organisation.
    await _log_in(page, fresh, admin.username, admin.password, totp_now(admin.totp_secret_b32))
    await page.wait_for_url(fresh.base_url + "/console")
    await page.goto(fresh.base_url + "/admin/users")
    await page.fill("#invite-form input[name=username]", "kim.jouren")
    await page.fill("#invite-form input[name=name]", "Kim Berg")
    await page.select_option("#invite-form select[name=role]", "partner")
    await page.select_option("#invite-org", "jouren")
    await page.click("#invite-form button[type=submit]")
    link = (await page.locator("#invited-url").inner_text()).strip()
    await browser.clear_cookies()

    # The partner enrols from the QR code.
    await page.goto(fresh.base_url + urllib.parse.urlsplit(link).path)
    shown = (await page.locator("code.totp-secret").inner_text()).replace(" ", "")
    if shutil.which("zbarimg"):  # as `make test` installs it: the QR code itself
        shot = tmp_path / "qr.png"
        await page.locator("figure.qr-box svg").screenshot(path=str(shot))
        uri = decode_qr(shot)
        secret = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)["secret"][0]
        assert secret == shown
    else:  # the page's typed fallback of the same otpauth secret
        secret = shown
    await page.fill("#password", PASSWORD)
    await page.fill("#password2", PASSWORD)
    await page.fill("#totp", totp_now(secret))
    await page.click("#invite-form button[type=submit]")
    await page.wait_for_selector("#invite-done")

    # They land on their own page, and propose a new phone number.
    await _log_in(page, fresh, "kim.jouren", PASSWORD, totp_now(secret, 1))
    await page.wait_for_url(fresh.base_url + "/partner")
    assert "Tjejjouren" in await page.locator("#org-heading").inner_text()
    await page.fill("#f-phone", NEW_PHONE)
    await page.click("#entry-form button[type=submit]")
    await page.wait_for_selector("#entry-pending")
    console = await page.goto(fresh.base_url + "/console")
    assert console is not None
    assert console.status == 403  # never the console
    assert NEW_PHONE not in _jouren(counsellor)  # not before the centre approves
    await browser.clear_cookies()

    # The centre compares both versions and approves.
    await _log_in(page, fresh, admin.username, admin.password, totp_now(admin.totp_secret_b32, 1))
    await page.wait_for_url(fresh.base_url + "/console")
    await page.goto(fresh.base_url + "/console/directory/review")
    changed = page.locator('section[data-org="jouren"] tr[data-changed="1"]')
    assert await changed.count() == 1
    assert NEW_PHONE in await changed.inner_text()
    await page.fill('section[data-org="jouren"] input[name=note]', "Tack!")
    await page.click('section[data-org="jouren"] button[value=approve]')
    await page.wait_for_selector("#review-empty")
    assert NEW_PHONE in _jouren(counsellor)
