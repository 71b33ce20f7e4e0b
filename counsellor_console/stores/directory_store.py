"""The referral directory in Redis: one hash, organisation id -> the organisation as JSON.

The directory is reference data about organisations and authorities (public helplines, the
centre's partners), not personal data about visitors, and it must not disappear while nobody
edits it, so unlike every other key in the service it carries **no TTL** (the one exception
to the rule in style.md). The staff-only contact names in it are staff data, kept as long as
the partnership lasts and removed by re-importing the directory.

Key::

    f:dir:orgs   hash   id -> JSON of the CSV row (counsellor_console.domain.directory.org_to_row)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from redis.asyncio import Redis

from counsellor_console.domain.directory import Org, org_from_row, org_to_row

ORGS_KEY: Final = "f:dir:orgs"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _load(raw: bytes | str) -> Org:
    row: dict[str, Any] = json.loads(_text(raw))
    return org_from_row({k: str(v) for k, v in row.items()})


def _dump(org: Org) -> str:
    return json.dumps(org_to_row(org), ensure_ascii=False, sort_keys=True)


class DirectoryStore:
    """Reads and writes the directory; works with or without ``decode_responses``."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def replace_all(self, orgs: Sequence[Org]) -> None:
        """Make the directory exactly ``orgs``, atomically (an import that replaces)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(ORGS_KEY)
            if orgs:
                pipe.hset(ORGS_KEY, mapping={org.id: _dump(org) for org in orgs})
            await pipe.execute()

    async def upsert(self, orgs: Sequence[Org]) -> None:
        """Add organisations, replacing those with the same id (an import that merges)."""
        if orgs:
            await self._redis.hset(ORGS_KEY, mapping={org.id: _dump(org) for org in orgs})

    async def all(self) -> list[Org]:
        """Every organisation, sorted by name (case-insensitively), then id."""
        raw = await self._redis.hvals(ORGS_KEY)
        return sorted((_load(v) for v in raw), key=lambda o: (o.name.casefold(), o.id))

    async def get(self, org_id: str) -> Org | None:
        """One organisation, or None."""
        raw = await self._redis.hget(ORGS_KEY, org_id)
        return None if raw is None else _load(raw)
