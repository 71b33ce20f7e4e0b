"""Redis, for the two things the knowledge bank keeps outside the repository.

- Drafts that staff propose in the browser: `kb:draft:{id}` (JSON) and the index
  `kb:drafts` (sorted set, id -> expiry time). Both carry a TTL of `DRAFT_TTL_SECS`,
  refreshed on every save; a forgotten draft disappears by itself.
- Articles an admin has published in the browser: `kb:published` (hash, "lang/slug" -> JSON)
  and `kb:published:version` (a counter every process polls to notice a publication). These
  are published content and have no TTL, like the Markdown files in the repository.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Final, NewType, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

DraftId = NewType("DraftId", str)

DRAFT_TTL_SECS: Final = 30 * 24 * 3600
MAX_DRAFTS: Final = 200
DRAFTS_KEY: Final = "kb:drafts"
PUBLISHED_KEY: Final = "kb:published"
VERSION_KEY: Final = "kb:published:version"


def _draft_key(draft_id: DraftId) -> str:
    return f"kb:draft:{draft_id}"


class _KbStoreError(Exception):
    """Base of the store's errors, so callers can catch them all."""


class KbStoreUnavailableError(_KbStoreError):
    """Redis did not answer; visitor pages go on with the articles they have."""


class TooManyDraftsError(_KbStoreError):
    """`MAX_DRAFTS` drafts are open; publish or discard some first."""


@dataclass(frozen=True, slots=True)
class Draft:
    id: DraftId
    source: str
    author: str
    updated_by: str
    updated_at: float  # Unix time
    base: str  # "lang/slug" of the article it started from, or ""


@dataclass(frozen=True, slots=True)
class Publication:
    key: str  # "lang/slug"
    source: str
    published_by: str
    published_at: float


def new_draft_id() -> DraftId:
    return DraftId(secrets.token_urlsafe(12))


class KbStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self._redis = client

    async def save_draft(self, draft: Draft) -> None:
        """Create or replace a draft and restart its TTL.

        Raises:
            TooManyDraftsError: a new draft would exceed `MAX_DRAFTS`.
            KbStoreUnavailableError: Redis did not answer.
        """
        now = time.time()
        try:
            await self._redis.zremrangebyscore(DRAFTS_KEY, "-inf", now)
            known = await self._redis.zscore(DRAFTS_KEY, draft.id)
            if known is None and await self._redis.zcard(DRAFTS_KEY) >= MAX_DRAFTS:
                raise TooManyDraftsError(f"expected fewer than {MAX_DRAFTS} open drafts")
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(_draft_key(draft.id), json.dumps(asdict(draft)), ex=DRAFT_TTL_SECS)
                pipe.zadd(DRAFTS_KEY, {draft.id: now + DRAFT_TTL_SECS})
                pipe.expire(DRAFTS_KEY, DRAFT_TTL_SECS)
                await pipe.execute()
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None

    async def load_draft(self, draft_id: DraftId) -> Draft | None:
        try:
            raw = await self._redis.get(_draft_key(draft_id))
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None
        return None if raw is None else _draft_from_json(raw)

    async def list_drafts(self) -> list[Draft]:
        """Open drafts, most recently saved first."""
        try:
            await self._redis.zremrangebyscore(DRAFTS_KEY, "-inf", time.time())
            ids = cast("list[bytes]", await self._redis.zrevrange(DRAFTS_KEY, 0, MAX_DRAFTS - 1))
            if not ids:
                return []
            raws = await self._redis.mget([_draft_key(DraftId(_text(i))) for i in ids])
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None
        drafts = [_draft_from_json(raw) for raw in raws if raw is not None]
        return sorted(drafts, key=lambda d: d.updated_at, reverse=True)

    async def discard_draft(self, draft_id: DraftId) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(_draft_key(draft_id))
                pipe.zrem(DRAFTS_KEY, draft_id)
                await pipe.execute()
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None

    async def publish_draft(self, draft_id: DraftId, publication: Publication) -> None:
        """Make an article live for every process and close the draft it came from."""
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(PUBLISHED_KEY, publication.key, json.dumps(asdict(publication)))
                pipe.incr(VERSION_KEY)
                pipe.delete(_draft_key(draft_id))
                pipe.zrem(DRAFTS_KEY, draft_id)
                await pipe.execute()
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None

    async def published_version(self) -> int:
        try:
            raw = await self._redis.get(VERSION_KEY)
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None
        return 0 if raw is None else int(raw)

    async def published_articles(self) -> list[Publication]:
        try:
            raw = await self._redis.hgetall(PUBLISHED_KEY)
        except RedisError as exc:
            raise KbStoreUnavailableError(str(exc)) from None
        return [Publication(**json.loads(value)) for value in raw.values()]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _draft_from_json(raw: bytes | str) -> Draft:
    data = json.loads(raw)
    return Draft(
        id=DraftId(str(data["id"])),
        source=str(data["source"]),
        author=str(data["author"]),
        updated_by=str(data["updated_by"]),
        updated_at=float(data["updated_at"]),
        base=str(data["base"]),
    )
