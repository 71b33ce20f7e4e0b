"""The risk guide's routes on a real server: staff only, counts recorded, no chat id accepted."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
import redis
import redis.asyncio as aioredis

from chat.domain.stats import DayRange, stockholm_day
from chat.stores.stats_store import StatsReader, StatsRecorder
from tests.integration.conftest import Team

JSON = {"Content-Type": "application/json"}


def anonymous(team: Team) -> httpx.Client:
    return httpx.Client(base_url=team.server.base_url, follow_redirects=False, timeout=10)


def post(client: httpx.Client, body: object, team: Team) -> httpx.Response:
    return client.post(
        "/api/riskguide/answers",
        content=json.dumps(body),
        headers={**JSON, "Origin": team.server.origin},
    )


def risk_counts(team: Team) -> dict[str, int]:
    client = redis.Redis.from_url(team.server.redis_url, decode_responses=True)
    try:
        counts: dict[str, int] = {}
        for key in client.scan_iter(match="f:stats:*"):
            for raw_name, value in client.hgetall(key).items():
                name = str(raw_name)  # decoded by the client; its stubs cannot know
                if name.startswith("risk_"):
                    counts[name] = counts.get(name, 0) + int(value)
        return counts
    finally:
        client.close()


def test_anonymous_gets_403(team: Team) -> None:
    with anonymous(team) as client:
        assert client.get("/api/riskguide").status_code == 403
        resp = post(client, {"answers": {"marriage": "yes"}}, team)
        assert resp.status_code == 403
    assert risk_counts(team) == {}


def test_staff_get_the_guide(team: Team) -> None:
    resp = team.http["anna"].get("/api/riskguide")
    assert resp.status_code == 200
    guide = resp.json()
    assert guide["review"]["status"] == "pending"
    assert {q["key"] for q in guide["questions"]} >= {"marriage", "abroad", "threat_to_life"}
    assert guide["escalations"][0]["key"] == "call_112"


def test_answers_are_counted_and_advised(team: Team) -> None:
    answers = {"threat_to_life": "yes", "marriage": "dont_know", "control": "no"}
    resp = post(team.http["anna"], {"answers": answers}, team)
    assert resp.status_code == 200, resp.text
    advice = resp.json()["advice"]
    assert advice[0]["key"] == "call_112"
    assert advice[0]["because"] == ["threat_to_life"]
    assert "competence_team" in [a["key"] for a in advice]
    post(team.http["bilal"], {"answers": {"marriage": "dont_know"}}, team)
    assert risk_counts(team) == {
        "risk_threat_to_life|yes": 1,
        "risk_marriage|dont_know": 2,
        "risk_control|no": 1,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"marriage": "yes"}, "chat": "c-123"},
        {"chat": "c-123"},
        {"answers": {"marriage": "yes", "chat": "c-123"}},
        {"answers": {"marriage": "perhaps"}},
        ["marriage"],
    ],
)
def test_anything_but_answers_is_refused_and_counts_nothing(team: Team, body: object) -> None:
    resp = post(team.http["anna"], body, team)
    assert resp.status_code == 400
    assert risk_counts(team) == {}


def test_a_foreign_origin_or_form_post_is_refused(team: Team) -> None:
    body = json.dumps({"answers": {"marriage": "yes"}})
    foreign = team.http["anna"].post(
        "/api/riskguide/answers",
        content=body,
        headers={**JSON, "Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    form = team.http["anna"].post(
        "/api/riskguide/answers",
        content=body,
        headers={"Content-Type": "text/plain", "Origin": team.server.origin},
    )
    assert form.status_code == 415
    assert risk_counts(team) == {}


def test_an_oversized_body_is_refused(team: Team) -> None:
    resp = post(team.http["anna"], {"answers": {"marriage": "yes"}, "pad": "x" * 5000}, team)
    assert resp.status_code == 413


@pytest.fixture
async def aredis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_record_risk_counts_per_question_and_answer(aredis: aioredis.Redis) -> None:
    now = time.time()
    recorder = StatsRecorder(aredis, clock=lambda: now)
    await recorder.record_risk({"marriage": "yes", "abroad": "no"})
    await recorder.record_risk({"marriage": "yes"})
    await recorder.record_risk({"bad|key": "yes"})
    await recorder.record_risk({"marriage": "Samira, Storgatan 7"})
    today: date = stockholm_day(now)
    counts = await StatsReader(aredis).counts(DayRange(today, today))
    assert counts == {("risk_marriage", "yes"): 2, ("risk_abroad", "no"): 1}
