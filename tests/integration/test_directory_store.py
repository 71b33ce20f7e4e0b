"""The referral directory on a real Redis: replace, upsert, read back; no TTL by design."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from importlib import resources

import pytest
from redis.asyncio import Redis

from counsellor_console.domain.directory import Org
from counsellor_console.domain.directory_csv import parse_directory_csv
from counsellor_console.stores.directory_store import ORGS_KEY, DirectoryStore


@pytest.fixture(params=[True, False], ids=["decoded", "bytes"])
async def redis(redis_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, decode_responses=request.param)
    yield client
    await client.aclose()


@pytest.fixture
def seed() -> tuple[Org, ...]:
    text = (
        resources.files("counsellor_console")
        .joinpath("data", "directory_stockholm.csv")
        .read_text(encoding="utf-8")
    )
    report = parse_directory_csv(text)
    assert report.errors == ()
    return report.orgs


async def test_replace_all_and_read_back(redis: Redis, seed: tuple[Org, ...]) -> None:
    store = DirectoryStore(redis)
    await store.replace_all(seed)
    stored = await store.all()
    assert sorted(o.id for o in stored) == sorted(o.id for o in seed)
    assert {o.id: o for o in stored} == {o.id: o for o in seed}
    assert [o.name.casefold() for o in stored] == sorted(o.name.casefold() for o in stored)


async def test_replace_all_removes_what_is_not_in_the_new_directory(
    redis: Redis, seed: tuple[Org, ...]
) -> None:
    store = DirectoryStore(redis)
    await store.replace_all(seed)
    await store.replace_all(seed[:2])
    assert {o.id for o in await store.all()} == {seed[0].id, seed[1].id}
    await store.replace_all([])
    assert await store.all() == []


async def test_upsert_adds_and_replaces(redis: Redis, seed: tuple[Org, ...]) -> None:
    store = DirectoryStore(redis)
    await store.replace_all(seed[:2])
    changed = replace(seed[0], phone="08-000 00 00", contact_person="Jouransvarig")
    await store.upsert([changed, seed[2]])
    assert await store.get(seed[0].id) == changed
    assert await store.get(seed[1].id) == seed[1]
    assert await store.get(seed[2].id) == seed[2]
    assert len(await store.all()) == 3


async def test_get_unknown(redis: Redis) -> None:
    assert await DirectoryStore(redis).get("nobody") is None


async def test_staff_fields_survive_storage(redis: Redis, seed: tuple[Org, ...]) -> None:
    org = replace(
        seed[0],
        contact_person="Kontaktperson",
        contact_email="kontakt@example.se",
        substitute="Ersättare",
        substitute_email="ersattare@example.se",
    )
    store = DirectoryStore(redis)
    await store.upsert([org])
    assert await store.get(org.id) == org


async def test_reference_data_has_no_ttl(redis: Redis, seed: tuple[Org, ...]) -> None:
    await DirectoryStore(redis).replace_all(seed)
    assert await redis.ttl(ORGS_KEY) == -1
