"""``/api/admin/floor``: load and time in chat per counsellor, waits per hour, the charts' data."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Team
from tests.support.clients import Peers, accept


@pytest.mark.parametrize("member", ["anna"])
def test_counsellors_may_not_see_the_floor(team: Team, member: str) -> None:
    assert team.http[member].get("/api/admin/floor").status_code == 403


async def test_floor_counts_load_time_and_waits(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server, topic="control")
    await accept(console, chat)
    await visitor.expect("joined")

    resp = team.http["sigrid"].get("/api/admin/floor")
    assert resp.status_code == 200, resp.text
    data = resp.json()
    (anna,) = [c for c in data["counsellors"] if c["username"] == "anna"]
    assert anna["chats"] == 1
    assert anna["limit"] >= 1
    assert anna["online"] is True
    assert len(data["waits_by_hour"]) == 24
    assert sum(h["chats"] for h in data["waits_by_hour"]) == 1
    assert len(data["contacts_by_day"]) == 30
    assert data["contacts_by_day"][-1]["shown"] == "<5"

    await visitor.send({"type": "end"})
    await console.expect("visitor_left", chat=chat)
    data = team.http["sigrid"].get("/api/admin/floor").json()
    (anna,) = [c for c in data["counsellors"] if c["username"] == "anna"]
    assert anna["chats"] == 0
    assert anna["time_today_s"] >= 0
    assert "accepted_ms" not in resp.text
