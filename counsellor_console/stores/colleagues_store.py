"""What the ``staff`` frame shows, read in one round trip, and presence changes it needs.

Reads the accounts (counsellor_console/stores/store.py's ``f:user:{username}``), presence
(``f:online``) and, through chat/stores/limits_store.py, the chats each holds and their pause.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final, cast

from redis.asyncio import Redis

from chat.api import LimitsStore
from counsellor_console.stores.store import ONLINE_WINDOW_SECS, PREFIX, user_key

ONLINE_KEY: Final = f"{PREFIX}online"
_FIELDS: Final = ("name", "role", "languages", "limit", "disabled")


@dataclass(frozen=True, slots=True)
class Profile:
    username: str
    name: str
    role: str
    languages: tuple[str, ...]
    own_limit: int | None
    chats: int
    paused: bool


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class ColleaguesStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self.limits = LimitsStore(redis)

    async def online(self) -> list[str]:
        since = int((time.time() - ONLINE_WINDOW_SECS) * 1000)
        members = await self._redis.zrangebyscore(ONLINE_KEY, since, "+inf")
        return sorted(_text(m) for m in cast(list[Any], members))

    async def profiles(self, usernames: list[str]) -> list[Profile]:
        """The accounts named, with their load; missing and disabled accounts left out."""
        if not usernames:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for username in usernames:
                pipe.execute_command("HMGET", user_key(username), *_FIELDS)
            raws = await pipe.execute()
        loads = await self.limits.loads(usernames)
        out: list[Profile] = []
        for username, raw in zip(usernames, raws, strict=True):
            name, role, languages, limit, disabled = (None if v is None else _text(v) for v in raw)
            if role is None or disabled == "1":
                continue
            chats, paused = loads.get(username, (0, False))
            out.append(
                Profile(
                    username=username,
                    name=name or username,
                    role=role,
                    languages=tuple(x for x in (languages or "").split(",") if x),
                    own_limit=int(limit) if limit else None,
                    chats=chats,
                    paused=paused,
                )
            )
        return out

    async def languages(self, username: str) -> tuple[str, ...]:
        raw = await self._redis.hget(user_key(username), "languages")
        return tuple(x for x in _text(raw or "").split(",") if x)

    async def own_limit(self, username: str) -> int | None:
        raw = await self._redis.hget(user_key(username), "limit")
        return int(_text(raw)) if raw else None

    async def set_limit(self, username: str, limit: int) -> bool:
        """False when there is no such account."""
        if not await self._redis.hexists(user_key(username), "role"):
            return False
        await self._redis.hset(user_key(username), "limit", str(limit))
        return True

    async def supervisors(self, usernames: list[str]) -> list[str]:
        """Those of ``usernames`` whose role may supervise (supervisor, admin)."""
        return [p.username for p in await self.profiles(usernames) if p.role != "counsellor"]

    async def mark_online(self, usernames: list[str]) -> int:
        """As StaffStore.mark_online; returns how many were not in the set before."""
        if not usernames:
            return 0
        now = int(time.time() * 1000)
        added = await self._redis.zadd(ONLINE_KEY, dict.fromkeys(usernames, now))
        await self._redis.expire(ONLINE_KEY, ONLINE_WINDOW_SECS * 10)
        return int(added or 0)

    async def mark_offline(self, username: str) -> None:
        await self._redis.zrem(ONLINE_KEY, username)
