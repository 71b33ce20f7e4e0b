"""The experts' space through a real server: the check stops a post, posts are encrypted at
rest, a thread closes, and it goes when its retention is over (issue 13)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import redis

from counsellor_console.network.experts_store import INDEX_KEY, posts_key, thread_key
from tests.integration.conftest import Team
from tests.integration.test_encryption_at_rest import all_elements, plaintext_hits
from tests.support.server import RunningServer, run_cli

EXPERTS = "/console/network/experts"
# 19121212-1212: the Tax Agency's example number, valid checksum.
PNR_POST = "Flickan har personnummer 19121212-1212 och går i åk 8. Hur gör vi?"
# Each text begins with a word found nowhere else: the scan also looks for its first word.
CLEAN_POST = "Tapirfråga-5521: en flicka i åk 8 berättar om kontroll hemma. Hur går vi vidare?"
CLEAN_TITLE = "Myrkottsrubrik-8830 om kontroll i skolan"
REPLY = "Okapisvar-7714: prata med elevhälsan först."


def post(client: httpx.Client, path: str, origin: str, **data: str) -> httpx.Response:
    return client.post(path, data=data, headers={"Origin": origin})


def start(team: Team, who: str = "anna", title: str = CLEAN_TITLE, text: str = CLEAN_POST) -> str:
    resp = post(team.http[who], EXPERTS, team.server.origin, topic="cases", title=title, text=text)
    assert resp.status_code == 303, resp.text[:300]
    match = re.fullmatch(rf"{EXPERTS}/([\w-]+)", resp.headers["location"])
    assert match
    return match.group(1)


def audit_kinds(redis_url: str) -> list[dict[str, object]]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        return [
            json.loads(item)
            for key in client.scan_iter("f:audit:*")
            for item in client.lrange(key, 0, -1)
        ]
    finally:
        client.close()


def test_a_post_with_a_personal_number_is_stopped_with_a_warning(team: Team) -> None:
    http, origin = team.http["anna"], team.server.origin
    resp = post(http, EXPERTS, origin, topic="cases", title="Fråga", text=PNR_POST)
    assert resp.status_code == 422
    assert "personnummer eller samordningsnummer" in resp.text
    assert "19121212-1212" in resp.text  # shown back to the poster, in their own page
    assert "Fråga" not in http.get(EXPERTS).text.split("Ny tråd")[0]  # nothing was posted
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', resp.text)
    assert checked

    # A confirmation for another text does not carry over to this one.
    resp = post(
        http,
        EXPERTS,
        origin,
        topic="cases",
        title="Fråga",
        text=PNR_POST + " igen",
        confirm="1",
        checked=checked.group(1),
    )
    assert resp.status_code == 422

    # Edited: the number is gone, and the post goes through.
    thread = start(team, text=CLEAN_POST)
    assert CLEAN_POST in http.get(f"{EXPERTS}/{thread}").text


def test_the_poster_may_confirm_a_false_alarm_and_the_audit_says_so(
    team: Team, redis_url: str
) -> None:
    http, origin = team.http["anna"], team.server.origin
    text = "Erik på skolan undrar hur man pratar med föräldrar."  # a colleague's name
    held = post(http, EXPERTS, origin, topic="methods", title="Samtal", text=text)
    assert held.status_code == 422
    assert "förnamn" in held.text
    checked = re.search(r'name="checked" value="([0-9a-f]{64})"', held.text)
    assert checked
    resp = post(
        http,
        EXPERTS,
        origin,
        topic="methods",
        title="Samtal",
        text=text,
        confirm="1",
        checked=checked.group(1),
    )
    assert resp.status_code == 303
    started = [e for e in audit_kinds(redis_url) if e["kind"] == "network_thread_started"]
    assert started
    assert started[0]["confirmed"] == ["name"]
    assert started[0]["staff"] == "anna"
    assert text not in json.dumps(started)  # the audit names who, never what


def test_replies_and_closing(team: Team, redis_url: str) -> None:
    origin = team.server.origin
    thread = start(team)
    resp = post(team.http["bilal"], f"{EXPERTS}/{thread}/posts", origin, text=REPLY)
    assert resp.status_code == 303
    page = team.http["anna"].get(f"{EXPERTS}/{thread}").text
    assert REPLY in page
    assert "Bilal Ek" in page

    # Only the starter or a supervisor closes a thread.
    assert post(team.http["bilal"], f"{EXPERTS}/{thread}/close", origin).status_code == 403
    assert post(team.http["anna"], f"{EXPERTS}/{thread}/close", origin).status_code == 303
    assert "Stängd" in team.http["anna"].get(f"{EXPERTS}/{thread}").text
    late = post(team.http["bilal"], f"{EXPERTS}/{thread}/posts", origin, text="Ett till svar")
    assert late.status_code == 409
    kinds = [e["kind"] for e in audit_kinds(redis_url)]
    assert "network_post_added" in kinds
    assert "network_thread_closed" in kinds


async def test_titles_and_posts_are_encrypted_at_rest(team: Team, redis_url: str) -> None:
    thread = start(team)
    post(team.http["bilal"], f"{EXPERTS}/{thread}/posts", team.server.origin, text=REPLY)
    assert REPLY in team.http["anna"].get(f"{EXPERTS}/{thread}").text  # positive control
    elements = await all_elements(redis_url)
    assert any(thread_key(thread).encode() == e for e in elements)
    assert plaintext_hits(elements, (CLEAN_POST, CLEAN_TITLE, REPLY)) == []


def test_a_thread_expires_after_the_retention_and_the_purge_deletes_it(
    team: Team, redis_url: str
) -> None:
    thread = start(team)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        retention = 365 * 24 * 3600  # the default, FRISTAD_EXPERTS_RETENTION_S
        for key in (thread_key(thread), posts_key(thread)):
            assert retention - 60 < client.ttl(key) <= retention
        # Its deadline passes (as if a year went by): `fristad purge` deletes it now.
        client.zadd(INDEX_KEY, {thread: 1})
        done = run_cli(redis_url, "purge")
        assert done.returncode == 0, done.stderr
        assert not client.exists(thread_key(thread), posts_key(thread))
        assert client.zscore(INDEX_KEY, thread) is None
    finally:
        client.close()
    assert team.http["anna"].get(f"{EXPERTS}/{thread}").status_code == 404


def test_a_foreign_origin_cannot_post(team: Team) -> None:
    resp = post(
        team.http["anna"], EXPERTS, "https://evil.example", topic="cases", title="x", text="y"
    )
    assert resp.status_code == 403


def test_the_centres_retention_setting_is_applied_and_closing_restarts_it(
    team: Team, redis_url: str, module_server_factory: Callable[..., RunningServer]
) -> None:
    short = module_server_factory(FRISTAD_EXPERTS_RETENTION_S="120")
    cookies = dict(team.http["anna"].cookies.items())
    # The session's CSRF token travels with its cookie, as the console's script sends it.
    csrf = dict(team.http["anna"].headers).get("x-csrf-token", "")
    with httpx.Client(
        base_url=short.base_url,
        cookies=cookies,
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    ) as anna:
        resp = post(anna, EXPERTS, short.origin, topic="law", title="Kort", text=CLEAN_POST)
        assert resp.status_code == 303
        thread = resp.headers["location"].rsplit("/", 1)[1]
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        try:
            assert 60 < client.ttl(thread_key(thread)) <= 120
            client.expire(thread_key(thread), 5)  # as if most of the time had passed
            client.expire(posts_key(thread), 5)
            assert post(anna, f"{EXPERTS}/{thread}/close", short.origin).status_code == 303
            for key in (thread_key(thread), posts_key(thread)):
                assert 60 < client.ttl(key) <= 120
        finally:
            client.close()
