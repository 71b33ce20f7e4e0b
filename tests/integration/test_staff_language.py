"""The console, /admin and the account page in Swedish or English, chosen per colleague
(issue 12); before login, the browser's language chooses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import closing

import httpx

from tests.integration.conftest import Team
from tests.support.clients import login
from tests.support.server import RunningServer, StaffCredentials

_HTML_LANG = re.compile(r'<html lang="(\w+)"')


def _lang(html: str) -> str:
    found = _HTML_LANG.search(html)
    assert found, html[:200]
    return found.group(1)


def test_the_login_page_speaks_the_browsers_language(fresh: RunningServer) -> None:
    with closing(httpx.Client(base_url=fresh.base_url, timeout=10)) as browser:
        swedish = browser.get("/console/login").text
        assert _lang(swedish) == "sv"
        assert "Användarnamn" in swedish
        english = browser.get("/console/login", headers={"accept-language": "en-GB,en;q=0.9"})
        assert _lang(english.text) == "en"
        assert "Username" in english.text
        assert "Användarnamn" not in english.text
        assert "<title>Log in – Fristad</title>" in english.text  # noqa: RUF001
        # A language the staff pages do not have: Swedish, the centre's.
        other = browser.get("/console/login", headers={"accept-language": "ar, de;q=0.5"}).text
        assert _lang(other) == "sv"
        refused = browser.post(
            "/console/login",
            data={"username": "nobody", "password": "x" * 12, "totp": "000000"},
            headers={"accept-language": "en"},
        )
        assert refused.status_code == 401
        assert "Login failed. Check your details and try again." in refused.text


def test_a_colleague_chooses_english_and_the_console_and_admin_follow(team: Team) -> None:
    sigrid, anna = team.http["sigrid"], team.http["anna"]
    # Her browser asks for Swedish: her own choice wins over it once she has made one.
    before = sigrid.get("/console", headers={"accept-language": "sv"}).text
    assert _lang(before) == "sv"
    assert "Logga ut" in before

    chosen = sigrid.post("/console/account/language", data={"lang": "en"})
    assert chosen.status_code == 200
    assert _lang(chosen.text) == "en"
    assert "The language has been saved." in chosen.text

    console = sigrid.get("/console", headers={"accept-language": "sv"}).text
    assert _lang(console) == "en"
    assert "Log out" in console
    assert "Logga ut" not in console
    assert "Nobody is waiting right now." in console
    assert ">Supervisor<" in console  # her role, in her language
    admin = sigrid.get("/admin").text
    assert _lang(admin) == "en"
    assert "Queues now" in admin
    assert "Köer just nu" not in admin
    strings = re.search(
        r'<script type="application/json" id="console-strings">(.*?)</script>', console
    )
    assert strings
    assert json.loads(strings.group(1))["alerts.sound_off"] == "Sound: off"
    account = sigrid.get("/console/account").text
    assert "Change password" in account
    assert re.search(r'<option value="en" lang="en" selected>English</option>', account)

    # A colleague's choice is their own.
    theirs = anna.get("/console").text
    assert _lang(theirs) == "sv"
    assert "Logga ut" in theirs
    assert '<script type="application/json" id="console-strings">{}</script>' in theirs

    back = sigrid.post("/console/account/language", data={"lang": "sv"})
    assert _lang(back.text) == "sv"
    assert "Språket är sparat." in back.text
    assert "Logga ut" in sigrid.get("/console").text


def test_an_unknown_language_is_refused_and_changes_nothing(team: Team) -> None:
    anna = team.http["anna"]
    refused = anna.post("/console/account/language", data={"lang": "xx"})
    assert refused.status_code == 422
    assert "Välj ett av språken i listan." in refused.text
    assert _lang(anna.get("/console").text) == "sv"


def test_the_language_form_needs_the_csrf_token(team: Team) -> None:
    cookies = dict(team.http["anna"].cookies.items())
    with closing(httpx.Client(base_url=team.server.base_url, cookies=cookies)) as bare:
        assert bare.post("/console/account/language", data={"lang": "en"}).status_code == 403
    assert _lang(team.http["anna"].get("/console").text) == "sv"


def test_an_admins_refusal_is_in_their_language(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    admin = staff(role="admin")
    with closing(login(fresh, admin)) as http:
        assert http.post("/console/account/language", data={"lang": "en"}).status_code == 200
        refused = http.post(f"/admin/users/{admin.username}", data={"action": "role", "role": "x"})
        assert "Unknown role." in refused.text
        assert "Okänd roll." not in refused.text


def test_the_risk_guide_speaks_the_colleagues_language(team: Team) -> None:
    sigrid, anna = team.http["sigrid"], team.http["anna"]
    assert sigrid.post("/console/account/language", data={"lang": "en"}).status_code == 200
    try:
        guide = sigrid.get("/api/riskguide").json()
        first = guide["questions"][0]
        assert first["text"] == "Is the person's life threatened, or are they in danger right now?"
        assert [a["label"] for a in guide["answers"]] == ["Yes", "No", "Don't know"]
        assert guide["escalations"][0]["title"] == "Call 112"
        assert guide["review"]["note"].startswith("Draft: the resource centre reviews")
        advice = sigrid.post(
            "/api/riskguide/answers", json={"answers": {"threat_to_life": "yes"}}
        ).json()["advice"]
        assert advice[0]["title"] == "Call 112"
        assert advice[0]["level_label"] == "Acute: now"
        # The keys and the rule are the same in every language.
        assert [e["key"] for e in advice] == ["call_112", "social_services", "police"]

        theirs = anna.get("/api/riskguide").json()
        assert theirs["questions"][0]["text"].startswith("Finns hot mot personens liv")
        assert theirs["escalations"][0]["title"] == "Ring 112"
    finally:
        sigrid.post("/console/account/language", data={"lang": "sv"})


def test_a_refusal_with_a_value_in_it_is_in_each_colleagues_language(
    fresh: RunningServer, staff: Callable[..., StaffCredentials]
) -> None:
    """The limit goes in after the translation (staff_language.said): one catalogue entry."""
    english, swedish, colleague = staff(role="admin"), staff(role="admin"), staff()
    with closing(login(fresh, english)) as en, closing(login(fresh, swedish)) as sv:
        assert en.post("/console/account/language", data={"lang": "en"}).status_code == 200
        path = f"/admin/users/{colleague.username}"
        too_many = {"action": "save", "languages": "sv", "limit": "99"}
        refused = en.post(path, data=too_many)
        assert refused.status_code == 422
        assert "The number of chats is 1 to 20." in refused.text
        assert "Antalet chattar" not in refused.text
        assert "Antalet chattar är från 1 till 20." in sv.post(path, data=too_many).text
        taken = {"username": colleague.username, "role": "counsellor", "limit": ""}
        assert (
            f"{colleague.username} exists already."
            in en.post("/admin/users/invite", data=taken).text
        )
        long_title = {"lang": "sv", "title": "x" * 81, "text": "y"}
        canned = en.post("/admin/canned", data=long_title)
        assert canned.status_code == 422
        assert "The title may not be empty or longer than 80 characters." in canned.text
        assert "Rubriken får inte vara tom eller längre än 80 tecken." in (
            sv.post("/admin/canned", data=long_title).text
        )
