"""The audit log in Redis: one list per day, kept for ``AUDIT_RETENTION_DAYS``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from counsellor_console.domain.audit import ArticlePublished, AuditEvent, DraftDiscarded

log = structlog.get_logger(__name__)

PREFIX: Final = "f:audit:"
AUDIT_RETENTION_DAYS: Final = 400  # a year, and a little more for the yearly review
AUDIT_MAX_PER_DAY: Final = 100_000
RECENT_DAYS: Final = 7
#: Most events one page or CSV of /admin/audit holds, and most days it spans.
AUDIT_PAGE_MAX: Final = 10_000
AUDIT_SPAN_MAX_DAYS: Final = 93


def day_key(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}"


class AuditLog:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def record(self, event: AuditEvent) -> None:
        """Append an event. A Redis outage is logged, not raised: it must not stop the work."""
        key = day_key(datetime.now(tz=UTC).date())
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.rpush(key, json.dumps(event.to_record(), separators=(",", ":")))
                pipe.ltrim(key, -AUDIT_MAX_PER_DAY, -1)
                pipe.expire(key, AUDIT_RETENTION_DAYS * 24 * 3600)
                await pipe.execute()
        except RedisError:
            log.error("audit_record_failed", kind=event.kind)
        log.info("audited", kind=event.kind, staff=event.staff)

    async def recent(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest events first, from the last week."""
        today = datetime.now(tz=UTC).date()
        events: list[dict[str, Any]] = []
        for offset in range(RECENT_DAYS):
            raw = await self._redis.lrange(day_key(today - timedelta(days=offset)), -limit, -1)
            events.extend(json.loads(item) for item in reversed(raw))
            if len(events) >= limit:
                break
        return events[:limit]

    async def between(self, first: date, last: date, limit: int) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        day = last
        while day >= first and len(events) < limit:
            raw = await self._redis.lrange(day_key(day), 0, -1)
            events.extend(json.loads(item) for item in reversed(raw))
            day -= timedelta(days=1)
        return events[:limit]


def edit_audit(audit: AuditLog) -> Callable[[str, str, str], Awaitable[None]]:
    """The knowledge bank's editing actions (``kb.editing.EditAudit``) as audit events."""

    async def record(action: str, staff: str, subject: str) -> None:
        if action == "published":
            await audit.record(ArticlePublished(staff=staff, article=subject))
        elif action == "discarded":
            await audit.record(DraftDiscarded(staff=staff, draft=subject))

    return record
