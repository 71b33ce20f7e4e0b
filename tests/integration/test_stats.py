"""Follow-up statistics through the contract: real chats, /admin/stats.csv, `fristad stats export`,
and a scan of Redis proving the counters hold nothing that points at a chat or a moment."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import redis.asyncio as aioredis

from chat.domain.stats import HIDDEN, WITHHELD, Counts, DayRange, expires_at
from chat.stores.stats_store import StatsReader, StatsRecorder
from tests.integration.conftest import Team
from tests.support.clients import Peers, WsClient, accept
from tests.support.server import RunningServer, run_cli
from tests.unit.chat.test_stats_suppression import recovered

SECRET_TEXT = "Jag heter Samira och bor på Storgatan 7"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def export_range() -> tuple[str, str]:
    """Yesterday to tomorrow (Stockholm): today's counters whatever the hour."""
    today = datetime.now(tz=STOCKHOLM).date()
    return (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()


def rows_of(body: str) -> dict[tuple[str, str], str]:
    reader = csv.DictReader(io.StringIO(body))
    assert reader.fieldnames == ["from", "to", "measure", "category", "count"]
    return {(row["measure"], row["category"]): row["count"] for row in reader}


async def raw_counts(url: str) -> Counts:
    """The unsuppressed counters over the export range, read straight from Redis."""
    first, last = export_range()
    client = aioredis.Redis.from_url(url, decode_responses=True)
    try:
        span = DayRange(date.fromisoformat(first), date.fromisoformat(last))
        return await StatsReader(client).counts(span)
    finally:
        await client.aclose()


def as_text_hash(raw: dict[bytes | str, bytes | str]) -> dict[str, str]:
    """A decoded hash (the client decodes; its stubs cannot know)."""
    return {str(k): str(v) for k, v in raw.items()}


def fetch_csv(team: Team) -> str:
    first, last = export_range()
    resp = team.http["sigrid"].get("/admin/stats.csv", params={"from": first, "to": last})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    return resp.text


async def counted_chat(
    team: Team, peers: Peers, console: WsClient, reasons: list[str], **hello: str
) -> str:
    """A chat that a counsellor accepts, talks in and ends with these reasons."""
    visitor, chat = await peers.queued(team.server, **hello)
    await visitor.send({"type": "msg", "id": "m1", "text": SECRET_TEXT})
    await visitor.expect("ack", id="m1")
    await accept(console, chat)
    await console.send({"type": "end", "chat": chat, "reasons": reasons})
    await console.expect("ended", chat=chat)
    await visitor.expect("ended")
    return chat


async def test_city_districts_are_counted_within_their_city(team: Team, peers: Peers) -> None:
    console = await peers.console(team.server, team.http["anna"])
    for _ in range(5):
        await counted_chat(team, peers, console, [], kommun="0180", district="rinkeby-kista")
    await counted_chat(team, peers, console, [], kommun="0180")
    raw = await raw_counts(team.server.redis_url)
    assert raw[("contacts_district", "0180-rinkeby-kista")] == 5
    assert raw[("contacts_district", "0180-not_given")] == 1
    assert raw[("contacts_kommun", "0180")] == 6
    rows = rows_of(fetch_csv(team))
    # With one city and one other row, 6 - 5 would give the 1 away: the districts are
    # withheld rather than shown.
    assert rows[("contacts_kommun", "0180")] == "6"
    assert rows[("contacts_district", "0180-withheld")] == HIDDEN
    assert ("contacts_district", "0180-not_given") not in rows
    assert recovered(raw, rows) == []


async def test_contacts_and_end_reasons_appear_with_small_counts_suppressed(
    team: Team, peers: Peers
) -> None:
    console = await peers.console(team.server, team.http["anna"])
    for _ in range(5):
        await counted_chat(
            team, peers, console, ["violence"], gender="girl", kommun="0180", topic="control"
        )
    await counted_chat(
        team, peers, console, ["abroad", "violence"], age="under18", gender="boy", kommun="1480"
    )
    await counted_chat(
        team, peers, console, [], channel="professional", kommun="0180", profession="school"
    )

    rows = rows_of(fetch_csv(team))
    raw = await raw_counts(team.server.redis_url)
    assert rows[("contacts", "all")] == "7"
    assert rows[("contacts_channel", "professional")] == "<5"
    # 6 would give the professional channel's 1 away (7 - 6): hidden as well.
    assert rows[("contacts_channel", "youth")] == HIDDEN
    assert rows[("contacts_age", "under18")] == "<5"
    assert rows[("end_reason", "violence")] == "6"  # no total to subtract from: shown
    assert rows[("end_reason", "abroad")] == "<5"
    assert rows[("end_reason", "not_given")] == "<5"
    assert rows[("professionals_profession", "school")] == "<5"
    for (measure, category), count in rows.items():
        if category.endswith(WITHHELD):
            assert count == HIDDEN
            continue
        n = raw[measure, category]
        assert count == str(n) or (count, n < 5) in (("<5", True), (HIDDEN, False)), count
    # Someone who reads this export and knows how the measures add up pins no small cell.
    assert recovered(raw, rows) == []


async def test_a_chat_is_counted_once_however_often_it_is_accepted(
    team: Team, peers: Peers
) -> None:
    anna = await peers.console(team.server, team.http["anna"])
    bilal = await peers.console(team.server, team.http["bilal"])
    visitor, chat = await peers.queued(team.server)
    await accept(anna, chat)
    await anna.send({"type": "transfer", "chat": chat, "to": "queue"})
    await visitor.expect("queued")
    await accept(bilal, chat)
    await bilal.send({"type": "end", "chat": chat, "reasons": ["other"]})
    await bilal.expect("ended", chat=chat)

    rows = rows_of(fetch_csv(team))
    assert rows[("contacts", "all")] == "<5"
    counts = await raw_counts(team.server.redis_url)
    assert counts[("contacts", "all")] == 1
    assert counts[("end_reason", "other")] == 1


async def test_quick_exit_is_counted_and_unaccepted_chats_are_not_contacts(
    team: Team, peers: Peers
) -> None:
    console = await peers.console(team.server, team.http["anna"])
    visitor, chat = await peers.queued(team.server)
    await accept(console, chat)
    await visitor.send({"type": "exit"})
    await console.expect("visitor_left", chat=chat, how="exit")
    waiting, _ = await peers.queued(team.server)
    await waiting.send({"type": "end"})
    await waiting.expect("ended")

    rows = rows_of(fetch_csv(team))
    assert rows[("visitor_left", "exit")] == "<5"
    assert ("visitor_left", "end") not in rows
    assert rows[("contacts", "all")] == "<5"  # one: the chat that waited and left is not
    counts = await raw_counts(team.server.redis_url)
    assert counts[("contacts", "all")] == 1


async def test_a_timeout_is_counted(
    team: Team, server_factory: Callable[..., RunningServer], peers: Peers
) -> None:
    srv = server_factory(FRISTAD_RESUME_GRACE_S="1")
    visitor, chat = await peers.queued(srv)
    console = await peers.console(srv, team.http["anna"])
    await accept(console, chat)
    visitor.abort()
    await console.expect("visitor_left", chat=chat, how="timeout", timeout=8)

    assert rows_of(fetch_csv(team))[("visitor_left", "timeout")] == "<5"
    assert (await raw_counts(team.server.redis_url))[("visitor_left", "timeout")] == 1


async def test_redis_holds_no_chat_id_text_or_time_in_the_statistics(
    team: Team, peers: Peers
) -> None:
    console = await peers.console(team.server, team.http["anna"])
    chats = [
        await counted_chat(team, peers, console, ["violence"], kommun="0180", gender="girl")
        for _ in range(3)
    ]
    client = redis.Redis.from_url(team.server.redis_url, decode_responses=True)
    try:
        stats_keys = sorted(client.scan_iter(match="f:stats:*"))
        assert stats_keys, "no statistics were written"
        now = time.time()
        for key in stats_keys:
            assert re.fullmatch(r"f:stats:\d{4}-\d{2}-\d{2}", key), key
            day = date.fromisoformat(key.removeprefix("f:stats:"))
            # The expiry is a fixed midnight per day: it says nothing about when it was written.
            expire_at = client.expiretime(key)
            assert expire_at == expires_at(day)
            assert expire_at % 86400 == 0
            assert expire_at > now + 2.9 * 365 * 86400
            for field, value in as_text_hash(client.hgetall(key)).items():
                assert re.fullmatch(r"[a-z_]+\|[a-z0-9_-]+", field), field
                assert value.isdigit(), value
                assert not re.search(r"\d{5,}", field), field  # no timestamps
                for chat in chats:
                    assert chat not in field
                assert "Samira" not in field
        for key in client.scan_iter(match="f:monitor:*"):
            assert 0 < client.ttl(key) <= 3600
            for wait in client.lrange(key, 0, -1):
                assert str(wait).isdigit(), wait
                assert int(wait) < 86400, wait
        # Nothing anywhere in a statistics key names a chat or its words.
        for key in client.scan_iter():
            if key.startswith(("f:stats:", "f:monitor:")):
                dump = repr(client.dump(key))
                assert all(chat not in dump for chat in chats)
                assert "Samira" not in dump
    finally:
        client.close()


def test_cli_export_prints_the_same_csv(team: Team) -> None:
    first, last = export_range()
    done = run_cli(team.server.redis_url, "stats", "export", "--from", first, "--to", last)
    assert done.returncode == 0, done.stderr
    assert done.stdout == fetch_csv(team)
    assert done.stdout.startswith("from,to,measure,category,count\n")


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2025-13-01", "2025-12-31", "from"),
        ("2025-01-01", "tomorrow", "to"),
        ("2025-02-02", "2025-02-01", "on or before"),
        ("2000-01-01", "2025-01-01", "at most"),
    ],
)
def test_cli_bad_dates_exit_2_with_a_message(
    redis_url: str, first: str, last: str, message: str
) -> None:
    done = run_cli(redis_url, "stats", "export", "--from", first, "--to", last)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


# ---- the recorder itself, for what other parts call (survey, referrals) --------------------

FIXED_NOW = datetime(2025, 6, 1, 10, 0, tzinfo=UTC).timestamp()
JUNE_1 = DayRange(date(2025, 6, 1), date(2025, 6, 1))


@pytest.fixture
async def aredis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_survey_answers_are_counted_per_question_and_answer(aredis: aioredis.Redis) -> None:
    recorder = StatsRecorder(aredis, clock=lambda: FIXED_NOW)
    await recorder.record_survey({"helped": 5, "felt_safe": "yes"})
    await recorder.record_survey({"helped": 5})
    await recorder.record_survey({"helped": 5, "comment": "Samira, Storgatan 7"})
    counts = await StatsReader(aredis).counts(JUNE_1)
    assert counts == {("survey_helped", "5"): 2, ("survey_felt_safe", "yes"): 1}
    assert await aredis.expiretime("f:stats:2025-06-01") == expires_at(JUNE_1.first)


async def test_referrals_are_counted_by_org_id(aredis: aioredis.Redis) -> None:
    recorder = StatsRecorder(aredis, clock=lambda: FIXED_NOW)
    for _ in range(6):
        await recorder.record_referral("tjejjouren")
    await recorder.record_referral("not an id: 070-123 45 67")
    counts = await StatsReader(aredis).counts(JUNE_1)
    assert counts == {("referrals_org", "tjejjouren"): 6}


async def test_recording_never_raises_when_redis_is_gone(redis_url: str) -> None:
    client = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        await StatsRecorder(client, clock=time.time).record_referral("tjejjouren")
    finally:
        await client.aclose()
