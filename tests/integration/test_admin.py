"""Supervisor monitoring: who may see /admin, the overview's JSON, and the export's refusals."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from tests.integration.conftest import Team
from tests.support.clients import Peers, accept, login
from tests.support.server import StaffCredentials

RANGE = {"from": "2025-01-01", "to": "2025-01-31"}
SUPERVISOR_ROUTES = ("/admin", "/api/admin/overview", "/admin/stats.csv")
SECRET_TEXT = "Jag heter Samira och bor på Storgatan 7"


def anonymous(team: Team) -> httpx.Client:
    return httpx.Client(base_url=team.server.base_url, follow_redirects=False, timeout=10)


@pytest.mark.parametrize("path", SUPERVISOR_ROUTES)
def test_counsellor_gets_403(team: Team, path: str) -> None:
    resp = team.http["anna"].get(path, params=RANGE)
    assert resp.status_code == 403


@pytest.mark.parametrize("path", SUPERVISOR_ROUTES)
def test_supervisor_gets_200(team: Team, path: str) -> None:
    resp = team.http["sigrid"].get(path, params=RANGE)
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize(("path", "status"), [("/admin", 303), ("/admin/stats.csv", 303)])
def test_anonymous_pages_go_to_login(team: Team, path: str, status: int) -> None:
    with anonymous(team) as client:
        resp = client.get(path, params=RANGE)
    assert resp.status_code == status
    assert resp.headers["location"].endswith("/console/login")


def test_anonymous_api_gets_403(team: Team) -> None:
    with anonymous(team) as client:
        resp = client.get("/api/admin/overview")
    assert resp.status_code == 403
    assert "queues" not in resp.text


def test_admin_role_may_see_the_overview(
    team: Team, staff: Callable[..., StaffCredentials]
) -> None:
    client = login(team.server, staff("admin"))
    try:
        assert client.get("/api/admin/overview").status_code == 200
        assert client.get("/admin/stats.csv", params=RANGE).status_code == 200
    finally:
        client.close()


def test_admin_page_is_plain(team: Team) -> None:
    resp = team.http["sigrid"].get("/admin")
    page = resp.text
    assert '<script src="/static/console/admin.js" defer></script>' in page
    assert "<script>" not in page
    assert "style=" not in page
    assert 'action="/admin/stats.csv"' in page
    assert 'name="from"' in page
    assert 'name="to"' in page
    assert "Sigrid Holm" in page
    assert resp.headers["cache-control"] == "no-store"
    for asset in ("/static/console/admin.js", "/static/console/admin.css"):
        assert team.http["sigrid"].get(asset).status_code == 200


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, "from"),
        ({"from": "2025-01-01"}, "to"),
        ({"from": "2025-13-01", "to": "2025-12-31"}, "from"),
        ({"from": "2025-01-01", "to": "31/01/2025"}, "to"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "from"),
        ({"from": "1990-01-01", "to": "2025-01-01"}, "at most"),
    ],
)
def test_bad_dates_get_400_with_a_message(team: Team, params: dict[str, str], names: str) -> None:
    resp = team.http["sigrid"].get("/admin/stats.csv", params=params)
    assert resp.status_code == 400
    assert names in resp.text
    assert resp.headers["content-type"].startswith("text/plain")


def test_counsellor_with_bad_dates_still_gets_403(team: Team) -> None:
    resp = team.http["anna"].get("/admin/stats.csv", params={"from": "x"})
    assert resp.status_code == 403


def test_export_is_a_csv_download(team: Team) -> None:
    resp = team.http["sigrid"].get("/admin/stats.csv", params=RANGE)
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    assert resp.text == "from,to,measure,category,count\n"


async def test_overview_shows_queues_staff_and_waits_without_text_or_ids(
    team: Team, peers: Peers
) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, waiting = await peers.queued(team.server, age="18plus", lang="en", topic="abroad")
    await visitor.send({"type": "msg", "id": "m1", "text": SECRET_TEXT})
    await visitor.expect("ack", id="m1")
    _, taken = await peers.queued(team.server, channel="professional")
    await accept(console, taken)

    resp = team.http["sigrid"].get("/api/admin/overview")
    assert resp.status_code == 200
    data = resp.json()
    youth = data["queues"]["youth"]
    assert youth["total"] == 1
    assert isinstance(youth["oldest_wait_s"], int)
    assert youth["items"] == [
        {
            "age": "18plus",
            "lang": "en",
            "topic": "abroad",
            "waited_s": youth["items"][0]["waited_s"],
            "over_cap": False,
        }
    ]
    assert data["queues"]["professional"]["total"] == 0
    assert data["queues"]["professional"]["oldest_wait_s"] is None
    anna = next(s for s in data["staff"] if s["username"] == "anna")
    assert anna == {"username": "anna", "name": "Anna Berg", "role": "counsellor", "chats": 1}
    assert len(data["waits"]["professional"]) == 1
    assert data["waits"]["youth"] == []
    assert data["today"]["counts"]["contacts"] == {"all": "<5"}
    assert data["today"]["counts"]["contacts_channel"] == {"professional": "<5"}
    assert data["labels"]["abroad"]

    text = json.dumps(data, ensure_ascii=False)
    assert "Samira" not in text
    assert waiting not in text
    assert taken not in text
