"""Canned replies in Redis, shared by every process.

Keys::

    f:canned           hash   reply id -> JSON {"lang","title","text","n"}
    f:canned:next      string the last number handed out (ids are ``r{n}``)
    f:canned:seeded    string "1" once the default set was written (never again, so a
                              supervisor's deletions stay deleted)

Phrases a centre writes for everyone; no visitor's words, no chat id. Not encrypted: they
are the same words the console shows every counsellor.
"""

from __future__ import annotations

import json
from typing import Final

from redis.asyncio import Redis

from chat.api import PREFIX, as_hash
from counsellor_console.domain.canned import (
    DEFAULT_REPLIES,
    REPLIES_MAX,
    CannedError,
    CannedReply,
    clean_reply,
)
from counsellor_console.domain.staff_language import said

REPLIES_KEY: Final = f"{PREFIX}canned"
NEXT_KEY: Final = f"{PREFIX}canned:next"
SEEDED_KEY: Final = f"{PREFIX}canned:seeded"


def _decode(reply_id: str, raw: str) -> CannedReply | None:
    try:
        data = json.loads(raw)
        return CannedReply(
            id=reply_id,
            lang=str(data["lang"]),
            title=str(data["title"]),
            text=str(data["text"]),
            n=int(data.get("n", 0)),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _encode(reply: CannedReply) -> str:
    return json.dumps(
        {"lang": reply.lang, "title": reply.title, "text": reply.text, "n": reply.n},
        ensure_ascii=False,
    )


class CannedStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def seed(self) -> bool:
        """Write the default set once in the service's life; True if this call did."""
        if not await self._redis.set(SEEDED_KEY, "1", nx=True):
            return False
        for lang, title, text in DEFAULT_REPLIES:
            await self._write(lang, title, text)
        return True

    async def all(self) -> list[CannedReply]:
        await self.seed()
        raw = as_hash(await self._redis.hgetall(REPLIES_KEY))
        replies = [_decode(rid, value) for rid, value in raw.items()]
        return sorted((r for r in replies if r is not None), key=lambda r: (r.n, r.id))

    async def get(self, reply_id: str) -> CannedReply | None:
        raw = await self._redis.hget(REPLIES_KEY, reply_id)
        if raw is None:
            return None
        return _decode(reply_id, raw.decode() if isinstance(raw, bytes) else str(raw))

    async def add(self, lang: str, title: str, text: str) -> CannedReply:
        """Raises CannedError for a bad field or when the list is full."""
        lang, title, text = clean_reply(lang, title, text)
        if await self._redis.hlen(REPLIES_KEY) >= REPLIES_MAX:
            raise CannedError(said("Högst {limit} fraser.", limit=REPLIES_MAX))
        return await self._write(lang, title, text)

    async def update(self, reply_id: str, lang: str, title: str, text: str) -> CannedReply | None:
        """None if there is no such reply; raises CannedError for a bad field."""
        lang, title, text = clean_reply(lang, title, text)
        old = await self.get(reply_id)
        if old is None:
            return None
        reply = CannedReply(id=reply_id, lang=lang, title=title, text=text, n=old.n)
        await self._redis.hset(REPLIES_KEY, reply_id, _encode(reply))
        return reply

    async def delete(self, reply_id: str) -> bool:
        return bool(await self._redis.hdel(REPLIES_KEY, reply_id))

    async def _write(self, lang: str, title: str, text: str) -> CannedReply:
        n = int(await self._redis.incr(NEXT_KEY))
        reply = CannedReply(id=f"r{n}", lang=lang, title=title, text=text, n=n)
        await self._redis.hset(REPLIES_KEY, reply.id, _encode(reply))
        return reply
