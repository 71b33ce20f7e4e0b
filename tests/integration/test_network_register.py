"""The outreach log in the statistics export, and the member register's form and mailing list
(issue 13)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.conftest import Team
from tests.security.conftest import import_directory

ZONE = ZoneInfo("Europe/Stockholm")
OUTREACH = "/console/network/outreach"
MEMBERS = "/console/network/members"


def log_activity(
    team: Team, attended: int, kommun: str = "0180", kind: str = "school_talk"
) -> None:
    today = datetime.now(tz=ZONE).date().isoformat()
    resp = team.http["anna"].post(
        OUTREACH,
        data={
            "held": today,
            "kind": kind,
            "kommun": kommun,
            "audience": "pupils",
            "attended": str(attended),
        },
        headers={"Origin": team.server.origin},
    )
    assert resp.status_code == 303, resp.text[:300]


def stats_rows(team: Team) -> dict[tuple[str, str], str]:
    today = datetime.now(tz=ZONE).date()
    resp = team.http["sigrid"].get(
        "/admin/stats.csv",
        params={
            "from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert resp.status_code == 200
    return {
        (r["measure"], r["category"]): r["count"] for r in csv.DictReader(io.StringIO(resp.text))
    }


def test_an_outreach_activity_shows_in_the_statistics_export_suppressed(team: Team) -> None:
    log_activity(team, attended=25)
    rows = stats_rows(team)
    assert rows[("outreach_attended", "school_talk")] == "25"
    assert rows[("outreach_activities", "school_talk")] == "<5"  # one activity: suppressed
    assert rows[("outreach_kommun", "0180")] == "<5"
    assert rows[("outreach_audience", "pupils")] == "<5"
    for _ in range(4):
        log_activity(team, attended=3)
    rows = stats_rows(team)
    assert rows[("outreach_activities", "school_talk")] == "5"
    assert rows[("outreach_attended", "school_talk")] == "37"
    assert "0180" in team.http["anna"].get(OUTREACH).text


def test_an_outreach_form_with_a_bad_municipality_is_refused(team: Team) -> None:
    resp = team.http["anna"].post(
        OUTREACH,
        data={
            "held": "2026-01-01",
            "kind": "seminar",
            "kommun": "Göteborg",
            "audience": "pupils",
            "attended": "10",
        },
        headers={"Origin": team.server.origin},
    )
    assert resp.status_code == 422


def test_the_member_register_and_its_mailing_list(
    team: Team, redis_url: str, tmp_path: Path
) -> None:
    import_directory(redis_url, tmp_path)
    form = {
        "representative_name": '=HYPERLINK("https://evil.example")',
        "representative_title": "Enhetschef",
        "representative_email": "rep@example.org",
        "representative_phone": "+46 8 123 45 67",
        "substitute_name": "Sam Lind",
        "substitute_email": "sam@example.org",
    }
    origin = {"Origin": team.server.origin}
    # A counsellor reads the register, but does not keep it.
    assert team.http["anna"].get(MEMBERS).status_code == 200
    assert team.http["anna"].post(f"{MEMBERS}/jouren", data=form, headers=origin).status_code == 403
    assert team.http["anna"].get(f"{MEMBERS}.csv").status_code == 403

    sigrid = team.http["sigrid"]
    assert "Representant" in sigrid.get(f"{MEMBERS}/jouren").text
    assert sigrid.post(f"{MEMBERS}/jouren", data=form, headers=origin).status_code == 303
    assert sigrid.post(f"{MEMBERS}/nosuch", data=form, headers=origin).status_code == 404
    bad = sigrid.post(
        f"{MEMBERS}/skyddat", data={"substitute_email": "not-an-address"}, headers=origin
    )
    assert bad.status_code == 422
    assert "Sam Lind" in sigrid.get(MEMBERS).text

    export = sigrid.get(f"{MEMBERS}.csv")
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["org_id"], r["slot"]) for r in rows] == [
        ("jouren", "representative"),
        ("jouren", "substitute"),
    ]
    assert rows[0]["name"] == '\'=HYPERLINK("https://evil.example")'  # neutralised
    assert rows[0]["phone"] == "+46 8 123 45 67"  # a phone number stays usable
    assert rows[1]["email"] == "sam@example.org"
