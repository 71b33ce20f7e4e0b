"""The member register in Redis.

Keys::

    f:net:member:{org_id}   string  the entry as JSON; expires MEMBER_KEPT_SECS after it was
                                    last saved (an entry nobody confirms for two years is
                                    stale contact data, and goes)
    f:net:members           zset    org_id -> when saved (unix ms)
"""

from __future__ import annotations

import json
from typing import Final

from redis.asyncio import Redis

from counsellor_console.network.members import (
    Membership,
    membership_from_record,
    membership_to_record,
)

INDEX_KEY: Final = "f:net:members"
MEMBER_KEPT_SECS: Final = 2 * 366 * 24 * 3600
MAX_MEMBERS: Final = 2_000


def member_key(org_id: str) -> str:
    return f"f:net:member:{org_id}"


class MembersStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def save(self, member: Membership) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            body = json.dumps(membership_to_record(member), ensure_ascii=False)
            pipe.set(member_key(member.org_id), body, ex=MEMBER_KEPT_SECS)
            pipe.zadd(INDEX_KEY, {member.org_id: member.updated_ms})
            pipe.expire(INDEX_KEY, MEMBER_KEPT_SECS)
            await pipe.execute()

    async def get(self, org_id: str) -> Membership | None:
        raw = await self._redis.get(member_key(org_id))
        return None if raw is None else membership_from_record(json.loads(raw))

    async def all(self) -> dict[str, Membership]:
        ids = await self._redis.zrange(INDEX_KEY, 0, MAX_MEMBERS - 1)
        if not ids:
            return {}
        raws = await self._redis.mget([member_key(str(i)) for i in ids])
        members = (membership_from_record(json.loads(r)) for r in raws if r is not None)
        return {m.org_id: m for m in members}
