"""The invitation, end to end in Debian's Chromium (issue 11): the QR code the page draws is
photographed and decoded by zbar back to the `otpauth://` URI, whose secret then enrols the
new colleague, who logs in through the login page."""

from __future__ import annotations

import base64
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Final

import pytest
from playwright.async_api import BrowserContext

from security.totp import provisioning_uri
from tests.support.clients import totp_now
from tests.support.server import RunningServer, run_cli

PASSWORD: Final = "tre ord och en gurka"


def decode_qr(png: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is missing: run `make test`, which installs Debian's zbar-tools")
    done = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, (done.returncode, done.stderr)
    return done.stdout.strip()


async def test_invitation_qr_decodes_to_the_otpauth_uri_and_enrols(
    browser: BrowserContext, fresh: RunningServer, tmp_path: Path
) -> None:
    done = run_cli(fresh.redis_url, "users", "invite", "qr.kollega", "--role", "counsellor")
    assert done.returncode == 0, done.stderr
    link = done.stdout.split("invite: ", 1)[1].strip()
    path = urllib.parse.urlsplit(link).path
    page = browser.pages[0] if browser.pages else await browser.new_page()
    await page.goto(fresh.base_url + path)

    shot = tmp_path / "qr.png"
    await page.locator("figure.qr-box svg").screenshot(path=str(shot))
    uri = decode_qr(shot)
    parsed = urllib.parse.urlsplit(uri)
    assert parsed.scheme == "otpauth"
    assert parsed.netloc == "totp"
    assert urllib.parse.unquote(parsed.path) == "/Fristad:qr.kollega"
    secret = urllib.parse.parse_qs(parsed.query)["secret"][0]
    # The page's text fallback is the same secret, and the URI is the one the service builds.
    shown = (await page.locator("code.totp-secret").inner_text()).replace(" ", "")
    assert shown == secret
    padded = secret + "=" * (-len(secret) % 8)
    assert uri == provisioning_uri(base64.b32decode(padded), "qr.kollega")

    await page.fill("#password", PASSWORD)
    await page.fill("#password2", PASSWORD)
    await page.fill("#totp", totp_now(secret))
    await page.click("#invite-form button[type=submit]")
    await page.wait_for_selector("#invite-done")

    await page.goto(fresh.base_url + "/console/login")
    await page.fill("#username", "qr.kollega")
    await page.fill("#password", PASSWORD)
    await page.fill("#totp", totp_now(secret, 1))
    await page.click("form.login-form button[type=submit]")
    await page.wait_for_url(fresh.base_url + "/console")
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token

    again = await page.goto(fresh.base_url + path)
    assert again is not None
    assert again.status == 404
