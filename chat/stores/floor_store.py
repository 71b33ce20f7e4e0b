"""What the supervisors' floor view needs beyond the statistics: today's waits per hour and
each counsellor's time in chat today.

Keys (operational, short-lived; the statistics keep nothing finer than a day)::

    f:floor:waits:{YYYY-MM-DD}     hash  "{channel}|{HH}|n" -> chats accepted in that
                                         Stockholm hour, "{channel}|{HH}|s" -> seconds they
                                         waited in total; expires after FLOOR_TTL_SECS
    f:floor:held:{YYYY-MM-DD}      hash  username -> seconds in chats that ended today;
                                         expires after FLOOR_TTL_SECS
    f:floor:debriefs:{YYYY-MM-DD}  list  "{ms}|{username}": a counsellor asked for a debrief
                                         (``heavy``), newest first, at most DEBRIEFS_KEPT;
                                         expires after FLOOR_TTL_SECS

No chat id, no text. Recording never raises: the floor view must not break a chat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Final

import structlog
from redis.asyncio import Redis

from chat.domain.records import ChatRecord
from chat.domain.stats import STATS_ZONE, stockholm_day
from chat.stores.base_store import PREFIX, as_hash, chat_key

log = structlog.get_logger(__name__)

FLOOR_TTL_SECS: Final = 2 * 24 * 3600
HOURS: Final = 24
# Debrief requests a supervisor sees for the day: a shift's worth, not a history.
DEBRIEFS_KEPT: Final = 50


def waits_key(day: date) -> str:
    return f"{PREFIX}floor:waits:{day.isoformat()}"


def held_key(day: date) -> str:
    return f"{PREFIX}floor:held:{day.isoformat()}"


def debriefs_key(day: date) -> str:
    return f"{PREFIX}floor:debriefs:{day.isoformat()}"


def _field(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class FloorStore:
    """Records at accept and end; reads for ``/api/admin/floor``."""

    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._redis = redis
        self._clock = clock

    async def accepted(self, chat: ChatRecord, waited_s: float) -> None:
        now = self._clock()
        day = stockholm_day(now)
        hour = datetime.fromtimestamp(now, tz=UTC).astimezone(STATS_ZONE).hour
        base = f"{chat.channel}|{hour:02d}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(waits_key(day), base + "|n", 1)  # type: ignore[unused-awaitable]  # queued, not awaited
                pipe.hincrby(waits_key(day), base + "|s", max(0, round(waited_s)))  # type: ignore[unused-awaitable]  # queued, not awaited
                pipe.expire(waits_key(day), FLOOR_TTL_SECS)  # type: ignore[unused-awaitable]  # queued, not awaited
                await pipe.execute()
        except Exception as exc:
            log.warning("floor_record_failed", what="wait", error=type(exc).__name__)

    async def ended(self, chat_id: str, holder: str | None) -> None:
        """Add the ended chat's time held (accept to end, from its hash) to its holder's day."""
        if not holder:
            return
        try:
            accepted, ended = await self._redis.hmget(chat_key(chat_id), "accepted_ms", "ended_ms")
            a, e = _field(accepted), _field(ended)
            if not a.isdigit() or not e.isdigit():
                return
            seconds = max(0, (int(e) - int(a)) // 1000)
            day = stockholm_day(self._clock())
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(held_key(day), holder, seconds)  # type: ignore[unused-awaitable]  # queued, not awaited
                pipe.expire(held_key(day), FLOOR_TTL_SECS)  # type: ignore[unused-awaitable]  # queued, not awaited
                await pipe.execute()
        except Exception as exc:
            log.warning("floor_record_failed", what="held", error=type(exc).__name__)

    async def debrief_asked(self, username: str) -> None:
        """A counsellor marked a chat heavy: /admin lists the request for the day (no chat)."""
        now = self._clock()
        key = debriefs_key(stockholm_day(now))
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(key, f"{int(now * 1000)}|{username}")  # type: ignore[unused-awaitable]  # queued, not awaited
                pipe.ltrim(key, 0, DEBRIEFS_KEPT - 1)  # type: ignore[unused-awaitable]  # queued, not awaited
                pipe.expire(key, FLOOR_TTL_SECS)  # type: ignore[unused-awaitable]  # queued, not awaited
                await pipe.execute()
        except Exception as exc:
            log.warning("floor_record_failed", what="debrief", error=type(exc).__name__)

    async def debriefs_today(self) -> list[tuple[int, str]]:
        """(ms, username) of today's debrief requests, newest first."""
        raw = await self._redis.lrange(debriefs_key(stockholm_day(self._clock())), 0, -1)
        out = []
        for item in raw:
            ms, _, username = _field(item).partition("|")
            if ms.isdigit() and username:
                out.append((int(ms), username))
        return out

    async def waits_by_hour(self, day: date) -> dict[str, list[tuple[int, int]]]:
        """Per channel, 24 (chats accepted, seconds waited in total), hour 0 first."""
        raw = as_hash(await self._redis.hgetall(waits_key(day)))
        out: dict[str, list[tuple[int, int]]] = {}
        for name, value in raw.items():
            channel, _, rest = name.partition("|")
            hour_text, _, kind = rest.partition("|")
            if not hour_text.isdigit() or not value.lstrip("-").isdigit():
                continue
            hour = int(hour_text)
            if not 0 <= hour < HOURS:
                continue
            hours = out.setdefault(channel, [(0, 0)] * HOURS)
            n, s = hours[hour]
            hours[hour] = (int(value), s) if kind == "n" else (n, int(value))
        return out

    async def held_today(self) -> dict[str, int]:
        """Seconds each counsellor spent in chats that ended today."""
        raw = as_hash(await self._redis.hgetall(held_key(stockholm_day(self._clock()))))
        return {name: int(v) for name, v in raw.items() if v.isdigit()}

    async def accepted_at_ms(self, chat_ids: Iterable[str]) -> dict[str, int]:
        """When each (held) chat was accepted, for the time of the chats still going on."""
        ids = list(chat_ids)
        if not ids:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for chat_id in ids:
                pipe.hget(chat_key(chat_id), "accepted_ms")  # type: ignore[unused-awaitable]  # queued, not awaited
            raws = await pipe.execute()
        return {
            chat_id: int(_field(raw))
            for chat_id, raw in zip(ids, raws, strict=True)
            if _field(raw).isdigit()
        }
