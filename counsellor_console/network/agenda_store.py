"""The calendar's events and the schools' talk requests in Redis.

Keys::

    f:net:event:{id}   string  the event as JSON; expires EVENT_KEPT_AFTER_END_SECS after it ends
    f:net:events       zset    id -> start (unix s)
    f:net:talk:{id}    hash    blob (the request, sealed), status, received_ms, answered_by,
                               answered_ms; expires the retention after it came in, and
                               ANSWERED_KEPT_SECS after it was answered if that is sooner
    f:net:talks        zset    id -> deadline (unix s), for the list and the purge

A talk request names a school's contact person: it is sealed at rest and kept no longer than
the centre's retention (FRISTAD_TALK_REQUEST_RETENTION_S).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

from redis.asyncio import Redis

from chat.api import as_hash
from counsellor_console.network.agenda import (
    EVENT_KEPT_AFTER_END_SECS,
    FEED_PAST_DAYS,
    MAX_EVENTS,
    Event,
    event_from_record,
    event_to_record,
)
from counsellor_console.network.sealed import Sealer

PREFIX: Final = "f:net:"
EVENTS_KEY: Final = f"{PREFIX}events"
TALKS_KEY: Final = f"{PREFIX}talks"
#: Unanswered requests kept at once: a flood from the public form stops here.
MAX_TALK_REQUESTS: Final = 300
#: An answered request is needed a little longer (to plan the visit), then no more.
ANSWERED_KEPT_SECS: Final = 30 * 24 * 3600


def event_key(event_id: str) -> str:
    return f"{PREFIX}event:{event_id}"


def talk_key(request_id: str) -> str:
    return f"{PREFIX}talk:{request_id}"


class TalkInboxFullError(Exception):
    """Expected room for a talk request, got a full inbox."""


@dataclass(frozen=True, slots=True)
class TalkRequest:
    id: str
    fields: dict[str, str]
    received_ms: int
    answered_by: str
    answered_ms: int
    deadline: int

    @property
    def answered(self) -> bool:
        return bool(self.answered_by)


class AgendaStore:
    def __init__(
        self,
        redis: Redis,
        sealer: Sealer,
        talk_retention_secs: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._sealer = sealer
        self._talk_retention = talk_retention_secs
        self._clock = clock

    # -- events ----------------------------------------------------------------------------

    async def save_event(self, event: Event) -> bool:
        """Add or replace an event; False when the calendar is full."""
        exists = await self._redis.exists(event_key(event.id))
        if not exists and await self._redis.zcard(EVENTS_KEY) >= MAX_EVENTS:
            return False
        expires = int(event.ends.timestamp()) + EVENT_KEPT_AFTER_END_SECS
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(event_key(event.id), json.dumps(event_to_record(event), ensure_ascii=False))
            pipe.expireat(event_key(event.id), expires)
            pipe.zadd(EVENTS_KEY, {event.id: int(event.starts.timestamp())})
            pipe.expire(EVENTS_KEY, EVENT_KEPT_AFTER_END_SECS * 2)
            await pipe.execute()
        return True

    async def delete_event(self, event_id: str) -> bool:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(event_key(event_id))
            pipe.zrem(EVENTS_KEY, event_id)
            deleted, _ = await pipe.execute()
        return bool(deleted)

    async def event(self, event_id: str) -> Event | None:
        raw = await self._redis.get(event_key(event_id))
        return None if raw is None else event_from_record(json.loads(raw))

    async def events(self, *, public_only: bool, past_days: int = FEED_PAST_DAYS) -> list[Event]:
        """Events from ``past_days`` ago on, by start; those whose key expired are dropped."""
        since = datetime.now(tz=UTC) - timedelta(days=past_days)
        ids = await self._redis.zrangebyscore(EVENTS_KEY, int(since.timestamp()), "+inf")
        if not ids:
            return []
        raws = await self._redis.mget([event_key(str(i)) for i in ids])
        found = [event_from_record(json.loads(r)) for r in raws if r is not None]
        return [e for e in found if e.is_public or not public_only]

    # -- talk requests ---------------------------------------------------------------------

    async def add_talk_request(self, fields: dict[str, str]) -> str:
        now = self._clock()
        if await self._redis.zcount(TALKS_KEY, int(now), "+inf") >= MAX_TALK_REQUESTS:
            raise TalkInboxFullError
        request_id = secrets.token_urlsafe(12)
        deadline = int(now) + self._talk_retention
        record: dict[str, str | int] = {
            "blob": self._sealer.seal_talk(request_id, fields),
            "received_ms": int(now * 1000),
            "answered_by": "",
            "answered_ms": 0,
            "deadline": deadline,
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(talk_key(request_id), mapping=cast(dict[Any, Any], record))
            pipe.expireat(talk_key(request_id), deadline)
            pipe.zadd(TALKS_KEY, {request_id: deadline})
            pipe.expire(TALKS_KEY, self._talk_retention + 24 * 3600)
            await pipe.execute()
        return request_id

    async def mark_answered(self, request_id: str, staff: str) -> bool:
        """Answered: kept ANSWERED_KEPT_SECS more at most, then deleted."""
        raw = as_hash(await self._redis.hgetall(talk_key(request_id)))
        if not raw:
            return False
        now = self._clock()
        deadline = min(int(raw["deadline"]), int(now) + ANSWERED_KEPT_SECS)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                talk_key(request_id),
                mapping={
                    "answered_by": staff,
                    "answered_ms": int(now * 1000),
                    "deadline": deadline,
                },
            )
            pipe.expireat(talk_key(request_id), deadline)
            pipe.zadd(TALKS_KEY, {request_id: deadline})
            await pipe.execute()
        return True

    async def talk_requests(self) -> list[TalkRequest]:
        ids = await self._redis.zrangebyscore(TALKS_KEY, int(self._clock()), "+inf")
        found = []
        for request_id in (str(i) for i in ids):
            raw = as_hash(await self._redis.hgetall(talk_key(request_id)))
            if not raw:
                continue
            found.append(
                TalkRequest(
                    id=request_id,
                    fields={
                        k: str(v)
                        for k, v in self._sealer.open_talk(request_id, raw["blob"]).items()
                    },
                    received_ms=int(raw["received_ms"]),
                    answered_by=raw["answered_by"],
                    answered_ms=int(raw["answered_ms"]),
                    deadline=int(raw["deadline"]),
                )
            )
        return sorted(found, key=lambda r: (r.answered, -r.received_ms))

    async def purge_expired(self) -> int:
        """Delete every talk request past its deadline now."""
        ids = await self._redis.zrangebyscore(TALKS_KEY, "-inf", int(self._clock()))
        if not ids:
            return 0
        async with self._redis.pipeline(transaction=True) as pipe:
            for request_id in ids:
                pipe.delete(talk_key(str(request_id)))
            pipe.zrem(TALKS_KEY, *ids)
            await pipe.execute()
        return len(ids)
