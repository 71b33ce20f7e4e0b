"""The staff editing flow on a real Redis: propose, preview, save, publish, discard, TTLs.

The app is built here from `create_kb_routes` with a fake `current_staff` (a test header);
the session machinery itself is the console's and is tested there.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
import redis
import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from kb.bank import KnowledgeBank
from kb.store import DRAFT_TTL_SECS, DRAFTS_KEY, PUBLISHED_KEY, VERSION_KEY, KbStore
from kb.web import create_kb_routes
from security.roles import Role, StaffIdentity

ORIGIN = "http://testserver"


async def fake_current_staff(request: Request) -> StaffIdentity | None:
    header = request.headers.get("x-test-staff")
    if header is None:
        return None
    role, _, name = header.partition(":")
    return StaffIdentity(username=name or role, display_name=name or role, role=Role(role))


def _as(who: str) -> dict[str, str]:
    return {"x-test-staff": who, "origin": ORIGIN}


@pytest.fixture(scope="module")
def bank() -> KnowledgeBank:
    return KnowledgeBank.default()


def _client(bank: KnowledgeBank, url: str) -> Iterator[TestClient]:
    client = aioredis.Redis.from_url(url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    routes = create_kb_routes(bank, fake_current_staff, KbStore(client))
    with TestClient(Starlette(routes=routes, lifespan=lifespan), base_url=ORIGIN) as test_client:
        yield test_client


@pytest.fixture
def client(bank: KnowledgeBank, redis_url: str) -> Iterator[TestClient]:
    yield from _client(bank, redis_url)


@pytest.fixture
def db(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def _edited_source(bank: KnowledgeBank, marker: str) -> str:
    article = bank.get("sv", "hjalp-nu", include_staff=False)
    assert article is not None
    return article.source.replace("## Prata med någon", f"{marker}\n\n## Prata med någon")


def _save_draft(client: TestClient, source: str, who: str = "counsellor:anna") -> str:
    response = client.post(
        "/kb/edit/drafts",
        data={"source": source, "action": "save", "base": "sv/hjalp-nu"},
        headers=_as(who),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/kb/edit/drafts/([\w-]+)", response.headers["location"])
    assert match is not None
    return match.group(1)


def test_draft_is_saved_with_a_ttl(
    client: TestClient, db: redis.Redis, bank: KnowledgeBank
) -> None:
    draft_id = _save_draft(client, _edited_source(bank, "Ny rad om stöd."))
    assert 0 < db.ttl(f"kb:draft:{draft_id}") <= DRAFT_TTL_SECS
    assert 0 < db.ttl(DRAFTS_KEY) <= DRAFT_TTL_SECS
    page = client.get(f"/kb/edit/drafts/{draft_id}", headers=_as("counsellor:anna"))
    assert page.status_code == 200
    assert "Ny rad om stöd." in page.text
    assert "/publish" not in page.text  # only an admin sees the publish button
    overview = client.get("/kb/edit/", headers=_as("counsellor:anna"))
    assert draft_id in overview.text


def test_every_kb_key_but_published_content_expires(
    client: TestClient, db: redis.Redis, bank: KnowledgeBank
) -> None:
    _save_draft(client, _edited_source(bank, "Första."))
    published_id = _save_draft(client, _edited_source(bank, "Andra."))
    client.post(f"/kb/edit/drafts/{published_id}/publish", headers=_as("admin:boss"))
    for key in db.scan_iter("kb:*"):
        name = key.decode()
        if name in (PUBLISHED_KEY, VERSION_KEY):
            assert db.ttl(key) == -1, name  # published content, documented in docs/kb.md
        else:
            assert db.ttl(key) > 0, name


def test_admin_publishes_and_the_article_goes_live(
    client: TestClient, db: redis.Redis, bank: KnowledgeBank
) -> None:
    draft_id = _save_draft(client, _edited_source(bank, "Ring också kuratorsjouren."))
    refused = client.post(f"/kb/edit/drafts/{draft_id}/publish", headers=_as("counsellor:anna"))
    assert refused.status_code == 403
    response = client.post(
        f"/kb/edit/drafts/{draft_id}/publish", headers=_as("admin:boss"), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/kb/sv/hjalp-nu"
    assert "kuratorsjouren" in client.get("/kb/sv/hjalp-nu").text
    results = client.get("/api/kb/search", params={"q": "kuratorsjouren"}).json()["results"]
    assert results[0]["slug"] == "hjalp-nu"
    assert db.exists(f"kb:draft:{draft_id}") == 0
    assert db.hexists(PUBLISHED_KEY, "sv/hjalp-nu")


def test_new_article_can_be_proposed_and_published(client: TestClient) -> None:
    source = """---
slug: ny-testartikel
lang: sv
title: En ny artikel
summary: Om zebrafinkar.
audience: public
topics: [other]
reviewed: 2026-11-22
---
Zebrafinkar är små fåglar.

## Källor

- [Exempel](https://www.example.org/)
"""
    preview = client.post(
        "/kb/edit/drafts", data={"source": source, "action": "preview"}, headers=_as("counsellor:a")
    )
    assert "Zebrafinkar är små fåglar." in preview.text
    assert client.get("/kb/sv/ny-testartikel").status_code == 404
    draft_id = _save_draft(client, source, who="counsellor:a")
    client.post(f"/kb/edit/drafts/{draft_id}/publish", headers=_as("admin:boss"))
    assert client.get("/kb/sv/ny-testartikel").status_code == 200
    results = client.get("/api/kb/search", params={"q": "zebrafink"}).json()["results"]
    assert [r["slug"] for r in results] == ["ny-testartikel"]


def test_publishing_a_broken_link_is_refused(client: TestClient, bank: KnowledgeBank) -> None:
    source = _edited_source(bank, "x").replace("related: [", "related: [finns-inte, ")
    draft_id = _save_draft(client, source)
    response = client.post(f"/kb/edit/drafts/{draft_id}/publish", headers=_as("admin:boss"))
    assert response.status_code == 422
    assert "finns-inte" in response.text


def test_only_author_or_admin_discards(
    client: TestClient, db: redis.Redis, bank: KnowledgeBank
) -> None:
    draft_id = _save_draft(client, _edited_source(bank, "x"), who="counsellor:anna")
    other = client.post(f"/kb/edit/drafts/{draft_id}/discard", headers=_as("counsellor:bo"))
    assert other.status_code == 403
    own = client.post(
        f"/kb/edit/drafts/{draft_id}/discard",
        headers=_as("counsellor:anna"),
        follow_redirects=False,
    )
    assert own.status_code == 303
    assert db.exists(f"kb:draft:{draft_id}") == 0


def test_editing_a_draft_keeps_the_author(client: TestClient, bank: KnowledgeBank) -> None:
    draft_id = _save_draft(client, _edited_source(bank, "Första."), who="counsellor:anna")
    response = client.post(
        f"/kb/edit/drafts/{draft_id}",
        data={"source": _edited_source(bank, "Andra."), "action": "save"},
        headers=_as("supervisor:cilla"),
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/kb/edit/drafts/{draft_id}", headers=_as("counsellor:anna")).text
    assert "Andra." in page
    assert "skrevs av anna" in page
    assert "senast av cilla" in page


def test_visitor_pages_survive_without_redis(bank: KnowledgeBank) -> None:
    for client in _client(bank, "redis://127.0.0.1:1/0"):
        assert client.get("/kb/sv/hjalp-nu").status_code == 200
        assert client.get("/api/kb/search", params={"q": "bris"}).json()["results"]
        editing = client.get("/kb/edit/", headers=_as("counsellor:anna"))
        assert editing.status_code == 503
