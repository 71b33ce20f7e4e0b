"""What every part of the chat store shares: Redis key names, TTLs, errors and the few
conversions of raw replies, plus the attributes the store's parts are built on.

The store is one object (``chat.stores.store.ChatStore``) because its parts share one Redis handle,
one pipeline batcher and one cache of data keys; its methods live in modules by what they
keep (``queue_store``: the waiting line and who holds what; ``message_store``: the sealed
log, notes and secrets), so each module stays small enough to read in one go.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from redis.asyncio import Redis

from chat.domain import limits
from chat.domain.records import ChatRecord
from chat.stores.batch_store import LuaScript, RedisBatcher

PREFIX: Final = "f:"
CHAT_TTL_SECS: Final = 24 * 3600
ENDED_CHAT_TTL_SECS: Final = 600  # long enough to ask for a return code after the end
RESUME_TOKEN_BYTES: Final = 32
RECENT_ACCEPTS_KEPT: Final = 30
RECENT_HANDLING_KEPT: Final = 30
# The estimate's samples (accept times, handling times) are gone an hour after the latest:
# an estimate rests on the recent past, and a quiet night leaves no trace.
HANDLING_TTL_SECS: Final = 3600
QUEUE_PREVIEW_LIMIT: Final = limits.QUEUE_PREVIEW_LIMIT
DATA_KEY_CACHE_SECS: Final = 30.0
DATA_KEY_CACHE_MAX: Final = 10_000
LIVE_KEY: Final = PREFIX + "live"
CHANNELS: Final = ("youth", "professional")


# Where a message's seq goes in an announcement built before the seq is known.
SEQ_MARK: Final = "__SEQ__"
Announcer = Callable[[int], list[str]]


class StoreError(Exception):
    """Base of the store's errors."""


class ChatEndedError(StoreError):
    """The chat has ended (or never existed): nothing more can be written to it."""


def chat_key(chat_id: str) -> str:
    return f"{PREFIX}chat:{chat_id}"


def log_key(chat_id: str) -> str:
    return f"{PREFIX}chat:{chat_id}:log"


def ids_key(chat_id: str) -> str:
    return f"{PREFIX}chat:{chat_id}:ids"


def notes_key(chat_id: str) -> str:
    return f"{PREFIX}chat:{chat_id}:notes"


def queue_key(channel: str) -> str:
    return f"{PREFIX}q:{channel}"


def staff_chats_key(username: str) -> str:
    return f"{PREFIX}staff:{username}:chats"


def accepts_key(channel: str) -> str:
    return f"{PREFIX}accepts:{channel}"


def handled_key(channel: str) -> str:
    return f"{PREFIX}handled:{channel}"


def resume_key(token: str) -> str:
    return f"{PREFIX}resume:{hashlib.sha256(token.encode()).hexdigest()}"


def as_text(value: bytes | str | None) -> str | None:
    """The client decodes responses; the stubs cannot know, so narrow here once."""
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


def as_hash(raw: dict[bytes | str, bytes | str] | dict[str, str]) -> dict[str, str]:
    return {str(as_text(k)): str(as_text(v)) for k, v in raw.items()}


def as_texts(values: Iterable[bytes | str]) -> list[str]:
    return [str(as_text(v)) for v in values]


def now_ms(clock: Callable[[], float] = time.time) -> int:
    """The time in ms by ``clock`` (the store's is injected: ``ChatStore(clock=...)``)."""
    return int(clock() * 1000)


def waited_in_queue_ms(record: ChatRecord, now: int) -> int:
    """How long a waiting chat has really waited: the time since it was (last) queued, plus
    what it waited before an earlier accept if it was handed back (so a hand-back does not
    read as a new arrival)."""
    since = now - (record.queued_ms or record.created_ms)
    return max(0, since) + record.waited_before_ms


class StoreCore:
    """The attributes ``ChatStore.__init__`` sets, declared once so each part type-checks."""

    _redis: Redis
    _clock: Callable[[], float]
    _batch: RedisBatcher
    _append_script: LuaScript
    _master_key: bytes
    _ttl: int
    _retention: int
    _key_cache: dict[str, tuple[float, bytes]]

    async def load_chats(self, chat_ids: Sequence[str]) -> list[ChatRecord]:
        """Several chats in one round trip; missing ones are left out."""
        if not chat_ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for chat_id in chat_ids:
                pipe.hgetall(chat_key(chat_id))
            raws = await pipe.execute()
        hashes = [(cid, as_hash(raw)) for cid, raw in zip(chat_ids, raws, strict=True)]
        return [ChatRecord.from_hash(cid, raw) for cid, raw in hashes if "state" in raw]
