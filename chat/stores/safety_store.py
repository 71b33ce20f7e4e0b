"""What the safety features keep in Redis (protocol.md, Console 1.1: "Supervisors in a chat",
"Safety"). Every field lives in the chat's own hash and goes with it::

    f:chat:{id}  urgent      "1": the visitor said they are in danger now (chat/domain/urgency.py)
                 escalation  "acute" | "concern": the counsellor escalated (most severe kept)
                 heavy       "1": a heavy chat (set by the colleagues' code, only read here)
                 resume_key  the key of the chat's latest one-time resume token

Whispers and the risk guide's answers are kept with the internal notes, encrypted under the
chat's key (``ChatStore.add_staff_record``). A blocked chat is erased: its hash, transcript,
notes and resume token are deleted at once, whatever the retention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from redis.asyncio import Redis

from chat.domain.urgency import URGENT_SHIFT_MS
from chat.stores.base_store import (
    as_text,
    as_texts,
    chat_key,
    ids_key,
    log_key,
    notes_key,
    queue_key,
    staff_chats_key,
)

# KEYS[1] the channel's queue, KEYS[2] the chat; ARGV[1] chat id, ARGV[2] the shift.
# Returns -1 for an ended (or unknown) chat, 1 when it moved up the queue, else 0.
_MARK_URGENT: Final = """
local state = redis.call('HGET', KEYS[2], 'state')
if (not state) or state == 'ended' then return -1 end
redis.call('HSET', KEYS[2], 'urgent', '1')
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) >= -tonumber(ARGV[2]) / 2 then
  local queued = tonumber(redis.call('HGET', KEYS[2], 'queued_ms') or '') or tonumber(score)
  redis.call('ZADD', KEYS[1], 'XX', queued - tonumber(ARGV[2]), ARGV[1])
  return 1
end
return 0
"""

# KEYS[1] the chat; ARGV[1] the level. Keeps the most severe level; returns "1:LEVEL" when the
# kept level changed, "0:LEVEL" when it did not, "" for a chat that is not active.
_ESCALATE: Final = """
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return '' end
local current = redis.call('HGET', KEYS[1], 'escalation') or ''
if current == 'acute' or current == ARGV[1] then return '0:' .. current end
redis.call('HSET', KEYS[1], 'escalation', ARGV[1])
return '1:' .. ARGV[1]
"""

_IN_PROGRESS_FIELDS: Final = (
    "state",
    "counsellor",
    "channel",
    "lang",
    "accepted_ms",
    "urgent",
    "heavy",
    "escalation",
)


@dataclass(frozen=True, slots=True)
class ChatInProgress:
    """A chat a counsellor holds, as supervisors see it: no text, nothing about the visitor
    beyond channel and language."""

    chat: str
    counsellor: str
    channel: str
    lang: str
    accepted_ms: int
    urgent: bool
    heavy: bool
    escalation: str | None


class SafetyStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._mark_urgent = redis.register_script(_MARK_URGENT)
        self._escalate = redis.register_script(_ESCALATE)

    async def mark_urgent(self, chat_id: str, channel: str) -> int:
        """Flag the chat urgent and, if it waits, move it before every non-urgent chat."""
        return int(
            await self._mark_urgent(
                keys=[queue_key(channel), chat_key(chat_id)], args=[chat_id, URGENT_SHIFT_MS]
            )
        )

    async def escalate(self, chat_id: str, level: str) -> tuple[bool, str] | None:
        """Record an escalation on an active chat.

        Returns:
            (whether the kept level changed, the level kept: the most severe so far), or None
            when the chat is not active.
        """
        kept = as_text(await self._escalate(keys=[chat_key(chat_id)], args=[level]))
        if not kept:
            return None
        changed, _, level_kept = kept.partition(":")
        return changed == "1", level_kept

    async def in_progress(self, usernames: Sequence[str]) -> list[ChatInProgress]:
        """Every active chat held by one of ``usernames`` (all staff), oldest accept first."""
        if not usernames:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for username in usernames:
                pipe.smembers(staff_chats_key(username))
            held = await pipe.execute()
        chat_ids = sorted({cid for members in held for cid in as_texts(members)})
        if not chat_ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for chat_id in chat_ids:
                pipe.hmget(chat_key(chat_id), list(_IN_PROGRESS_FIELDS))
            rows = await pipe.execute()
        out: list[ChatInProgress] = []
        for chat_id, row in zip(chat_ids, rows, strict=True):
            values = dict(zip(_IN_PROGRESS_FIELDS, (as_text(v) or "" for v in row), strict=True))
            if values["state"] != "active" or not values["counsellor"]:
                continue
            out.append(
                ChatInProgress(
                    chat=chat_id,
                    counsellor=values["counsellor"],
                    channel=values["channel"] or "youth",
                    lang=values["lang"] or "sv",
                    accepted_ms=int(values["accepted_ms"] or 0),
                    urgent=values["urgent"] == "1",
                    heavy=values["heavy"] == "1",
                    escalation=values["escalation"] or None,
                )
            )
        out.sort(key=lambda c: (c.accepted_ms, c.chat))
        return out

    async def flag(self, chat_id: str, name: str) -> bool:
        """Whether a one-time flag (``ChatStore.claim_flag``) is set on the chat."""
        return as_text(await self._redis.hget(chat_key(chat_id), name)) == "1"

    async def erase(self, chat_id: str) -> None:
        """Delete everything kept about a (blocked, already ended) chat, resume token included."""
        resume = as_text(await self._redis.hget(chat_key(chat_id), "resume_key"))
        keys = [chat_key(chat_id), log_key(chat_id), ids_key(chat_id), notes_key(chat_id)]
        if resume and resume.startswith("f:resume:"):
            keys.append(resume)
        await self._redis.delete(*keys)


__all__ = ["ChatInProgress", "SafetyStore"]
