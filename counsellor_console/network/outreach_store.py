"""The outreach log in Redis, and its counters in the follow-up statistics' daily hash.

Keys::

    f:net:outreach:{id}   string  the activity as JSON; expires with the statistics of its day
    f:net:outreach        zset    id -> the day held (unix s of its Stockholm midnight)
    f:stats:{YYYY-MM-DD}  hash    (chat/stores/stats_store.py) the counters of outreach_counters()
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Final

from redis.asyncio import Redis

from chat.api import day_key
from chat.core_api import STATS_RETENTION_DAYS, STATS_ZONE, counter_field, expires_at
from counsellor_console.network.outreach import Activity, outreach_counters

INDEX_KEY: Final = "f:net:outreach"
MAX_LISTED: Final = 200


def activity_key(activity_id: str) -> str:
    return f"f:net:outreach:{activity_id}"


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=STATS_ZONE).timestamp())


class OutreachStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def record(self, activity: Activity) -> None:
        """Log the activity and add it to its day's statistics, in one transaction."""
        expires = expires_at(activity.held)
        record = {
            "id": activity.id,
            "held": activity.held.isoformat(),
            "kind": activity.kind,
            "kommun": activity.kommun,
            "audience": activity.audience,
            "attended": activity.attended,
            "logged_by": activity.logged_by,
        }
        stats = day_key(activity.held)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(activity_key(activity.id), json.dumps(record), exat=expires)
            pipe.zadd(INDEX_KEY, {activity.id: _midnight(activity.held)})
            pipe.expire(INDEX_KEY, STATS_RETENTION_DAYS * 24 * 3600)
            for measure, category, amount in outreach_counters(activity):
                pipe.hincrby(stats, counter_field(measure, category), amount)
            pipe.expireat(stats, expires)
            await pipe.execute()

    async def recent(self) -> list[Activity]:
        ids = await self._redis.zrevrange(INDEX_KEY, 0, MAX_LISTED - 1)
        if not ids:
            return []
        raws = await self._redis.mget([activity_key(str(i)) for i in ids])
        out = []
        for raw in raws:
            if raw is None:
                continue
            r = json.loads(raw)
            held = date.fromisoformat(r["held"])
            out.append(
                Activity(
                    r["id"],
                    held,
                    r["kind"],
                    r["kommun"],
                    r["audience"],
                    r["attended"],
                    r["logged_by"],
                )
            )
        return out
