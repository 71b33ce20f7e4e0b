"""Partners' proposed changes to the directory, and the centre's answers, in Redis (issue 13).

A proposal waits here until a supervisor or admin approves it (then it is written to the
directory, confirmed that day) or rejects it; only then does a change reach the public card
and the console. One pending proposal per organisation: a new one replaces the last. The
centre's latest answer is kept for the partner's page until the next proposal.

Like the directory itself this is reference data about organisations, plus the contact
persons' names (staff data), so the keys live as long as someone uses them: each write
renews a TTL of :data:`PROPOSAL_TTL_SECS`, and a proposal nobody reviews in that time goes.

Keys::

    f:dir:proposals   hash   org id -> JSON {row, by, at}            TTL 90 days (renewed)
    f:dir:answers     hash   org id -> JSON {outcome, note, by, at}  TTL 90 days (renewed)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from redis.asyncio import Redis

from counsellor_console.domain.directory import Org, org_from_row, org_to_row

PROPOSALS_KEY: Final = "f:dir:proposals"
ANSWERS_KEY: Final = "f:dir:answers"
PROPOSAL_TTL_SECS: Final = 90 * 24 * 3600
MAX_NOTE_CHARS: Final = 500


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _now() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Proposal:
    org: Org
    by: str
    at: str


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: str  # "approved" or "rejected"
    note: str
    by: str
    at: str


def _proposal(raw: bytes | str) -> Proposal:
    data: dict[str, Any] = json.loads(_text(raw))
    row = {str(k): str(v) for k, v in data["row"].items()}
    return Proposal(org_from_row(row), str(data["by"]), str(data["at"]))


class ProposalStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def propose(self, org: Org, by: str) -> None:
        """Store ``org`` as the pending change to the entry with its id (replacing one)."""
        record = {"row": org_to_row(org), "by": by, "at": _now()}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(PROPOSALS_KEY, org.id, json.dumps(record, ensure_ascii=False))
            pipe.expire(PROPOSALS_KEY, PROPOSAL_TTL_SECS)
            pipe.hdel(ANSWERS_KEY, org.id)
            await pipe.execute()

    async def get(self, org_id: str) -> Proposal | None:
        raw = await self._redis.hget(PROPOSALS_KEY, org_id)
        return None if raw is None else _proposal(raw)

    async def pending(self) -> list[Proposal]:
        """Every proposal waiting for review, oldest first."""
        raw = await self._redis.hvals(PROPOSALS_KEY)
        return sorted((_proposal(v) for v in raw), key=lambda p: (p.at, p.org.id))

    async def answer(self, org_id: str, outcome: str, note: str, by: str) -> bool:
        """Close the pending proposal with the centre's answer; False if there was none."""
        if not await self._redis.hdel(PROPOSALS_KEY, org_id):
            return False  # answered meanwhile by a colleague, or never proposed
        record = {"outcome": outcome, "note": note[:MAX_NOTE_CHARS], "by": by, "at": _now()}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(ANSWERS_KEY, mapping={org_id: json.dumps(record, ensure_ascii=False)})
            pipe.expire(ANSWERS_KEY, PROPOSAL_TTL_SECS)
            await pipe.execute()
        return True

    async def last_answer(self, org_id: str) -> Answer | None:
        raw = await self._redis.hget(ANSWERS_KEY, org_id)
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(_text(raw))
        return Answer(str(data["outcome"]), str(data["note"]), str(data["by"]), str(data["at"]))
