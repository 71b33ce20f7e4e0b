"""The calendar through a real server: the public feed holds only public events (parsed with
a real iCalendar parser), the partners' feed needs a login, and a school's talk request is
stored sealed, answered, and gone after its retention (issue 13)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import icalendar
import redis

from counsellor_console.network.agenda_store import ANSWERED_KEPT_SECS, TALKS_KEY, talk_key
from security.headers import CACHE_CONTROL
from tests.integration.conftest import Team
from tests.integration.test_encryption_at_rest import all_elements, plaintext_hits
from tests.support.server import RunningServer, run_cli

CAL = "/console/network/calendar"
ZONE = ZoneInfo("Europe/Stockholm")
SCHOOL = "Ekorrskolan-6613"
CONTACT = "Ekorrsdotter-2290 lärare"  # a first word found nowhere else


def add_event(team: Team, title: str, audience: str, who: str = "anna") -> None:
    start = (datetime.now(tz=ZONE) + timedelta(days=7)).replace(second=0, microsecond=0)
    resp = team.http[who].post(
        f"{CAL}/events",
        data={
            "kind": "seminar",
            "title": title,
            "starts": start.strftime("%Y-%m-%dT%H:%M"),
            "ends": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Stadsbiblioteket, sal 2",
            "description": "Om hedersrelaterat våld; anmälan krävs",
            "audience": audience,
        },
        headers={"Origin": team.server.origin},
    )
    assert resp.status_code == 303, resp.text[:300]


def summaries(body: bytes) -> dict[str, icalendar.Component]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e.get("summary")): e for e in cal.walk("VEVENT")}


def anonymous(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10)


def test_the_public_feed_has_public_events_only(team: Team) -> None:
    add_event(team, "Öppet seminarium om heder", "public")
    add_event(team, "Nätverksträff för partner", "partners")
    with anonymous(team.server) as visitor:
        resp = visitor.get("/calendar.ics")
        page = visitor.get("/calendar")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/calendar")
    assert "set-cookie" not in resp.headers
    events = summaries(resp.content)
    assert list(events) == ["Öppet seminarium om heder"]
    event = events["Öppet seminarium om heder"]
    assert str(event.get("location")) == "Stadsbiblioteket, sal 2"
    assert str(event.get("description")) == "Om hedersrelaterat våld; anmälan krävs"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    assert "Öppet seminarium om heder" in page.text
    assert "Nätverksträff för partner" not in page.text

    partners = team.http["bilal"].get(f"{CAL}/partners.ics")
    assert partners.status_code == 200
    assert set(summaries(partners.content)) == {
        "Öppet seminarium om heder",
        "Nätverksträff för partner",
    }


def test_the_partners_feed_needs_a_login(team: Team) -> None:
    with anonymous(team.server) as visitor:
        resp = visitor.get(f"{CAL}/partners.ics")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/console/login"


def test_the_public_page_follows_the_visitor_rules(team: Team) -> None:
    with anonymous(team.server) as visitor:
        bank_policy = visitor.get("/kb/").headers["content-security-policy"]
        for path in ("/calendar", "/calendar.ics"):
            resp = visitor.get(path)
            assert resp.headers["cache-control"] == CACHE_CONTROL
            # The visitor pages' policy: their inline scripts by hash, never 'unsafe-inline'.
            assert resp.headers["content-security-policy"] == bank_policy
            assert "unsafe-inline" not in bank_policy
            assert "set-cookie" not in resp.headers
        page = visitor.get("/calendar").text
        bank = visitor.get("/kb/").text
    assert 'href="/calendar"' in bank  # the knowledge bank links the public calendar
    assert "data-quick-exit" in page  # the quick exit, as on every kb page
    assert "<script src" not in page  # inline only: a script URL leaves a code-cache entry
    assert not re.search(
        r"""(src|href)=["']https?://""", page.replace('href="https://www.smhi.se/"', "")
    )


async def test_a_talk_request_is_sealed_answered_and_purged(team: Team, redis_url: str) -> None:
    with anonymous(team.server) as visitor:
        resp = visitor.post(
            "/calendar/talk",
            data={
                "school": SCHOOL,
                "contact_name": CONTACT,
                "contact": "rektor@example.org",
                "kommun": "0180",
                "audience": "åk 8",
                "wished": "v. 12",
                "message": "Gärna om kontroll och skolans roll",
            },
        )
        assert resp.status_code == 303
        assert "set-cookie" not in resp.headers
        bad = visitor.post("/calendar/talk", data={"school": SCHOOL, "kommun": "18"})
        assert bad.status_code == 422
    page = team.http["anna"].get(CAL).text
    assert SCHOOL in page  # positive control: staff read it
    assert CONTACT in page

    elements = await all_elements(redis_url)
    assert plaintext_hits(elements, (SCHOOL, CONTACT)) == []

    request_id = re.search(r"/talks/([\w-]+)/answered", page)
    assert request_id
    answered = team.http["anna"].post(
        f"{CAL}/talks/{request_id.group(1)}/answered", headers={"Origin": team.server.origin}
    )
    assert answered.status_code == 303
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        key = talk_key(request_id.group(1))
        assert 0 < client.ttl(key) <= ANSWERED_KEPT_SECS
        client.zadd(TALKS_KEY, {request_id.group(1): 1})  # its deadline passes
        assert run_cli(redis_url, "purge").returncode == 0
        assert not client.exists(key)
    finally:
        client.close()
    assert SCHOOL not in team.http["anna"].get(CAL).text


def test_staff_edit_and_delete_events(team: Team) -> None:
    add_event(team, "Utbildningsdag", "public")
    page = team.http["anna"].get(CAL).text
    event_id = re.search(r"/events/([\w-]+)/delete", page)
    assert event_id
    edit = team.http["anna"].get(f"{CAL}?edit={event_id.group(1)}").text
    assert 'value="Utbildningsdag"' in edit
    resp = team.http["anna"].post(
        f"{CAL}/events/{event_id.group(1)}/delete", headers={"Origin": team.server.origin}
    )
    assert resp.status_code == 303
    with anonymous(team.server) as visitor:
        assert summaries(visitor.get("/calendar.ics").content) == {}
