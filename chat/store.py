"""Everything the chat keeps in Redis, behind methods named after what they do.

Message bodies and internal notes are encrypted with AES-256-GCM under a per-chat data key;
the data key is stored only wrapped by the master key. Shredding a chat deletes the wrapped
key and the ciphertexts. Every key here carries a TTL, so nothing outlives its purpose even if
a process dies half-way. State changes that must be atomic across processes (accept, enqueue,
append with idempotent client ids, end) are Lua scripts run inside Redis.

Keys (prefix ``f:``)::

    f:chat:{id}            hash   the chat's state and its (non-identifying) facts
    f:chat:{id}:log        list   encrypted messages; list index + 1 is the message's seq
    f:chat:{id}:ids        hash   client id -> seq, so a resend is stored once
    f:chat:{id}:notes      list   encrypted internal notes
    f:q:{channel}          zset   waiting chats, score = when queued (ms); lowest is next
                                  (an urgent chat's score is shifted before all: chat/urgency.py)
    f:resume:{sha256}      string chat id for a one-time resume token (only its hash is kept)
    f:live                 zset   chat id -> when it ends unless its visitor is back (ms)
    f:staff:{user}:chats   set    chats a counsellor holds
    f:accepts:{channel}    list   recent accept times, for the queue's estimated wait
    f:handled:{channel}    list   recent handling times (s, accept to end or hand-back), ditto
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, cast

from redis.asyncio import Redis

from chat import fastjson, limits
from chat import store_scripts as scripts
from chat.batch_store import RedisBatcher
from chat.limits_store import AtLimitError, PausedError, paused_key
from chat.protocol import ChatState, EndedBy
from chat.pubsub_store import EVENTS_CHANNEL
from chat.records import (
    AppendResult,
    ChatRecord,
    QueueItem,
    QueueSnapshot,
    StoredMessage,
    StoredNote,
)
from chat.urgency import URGENT_SHIFT_MS
from chat.wire import Hello
from security.crypto import (
    DecryptionError,
    decrypt,
    encrypt,
    generate_data_key,
    unwrap_key,
    wrap_key,
)

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


class ChatStore:
    """Redis-backed chat state. Create one per process and share it."""

    def __init__(
        self,
        redis: Redis,
        master_key: bytes,
        *,
        chat_ttl_secs: int = CHAT_TTL_SECS,
        retention_secs: int = 0,
        batcher: RedisBatcher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._clock = clock  # the composition root's clock, as the operations get it
        # The relay's commands (append, the chat's record, its data key) share one pipeline
        # per event-loop turn with everyone else's (chat/batch_store.py).
        self._batch = batcher or RedisBatcher(redis)
        self._append_script = self._batch.script(scripts.APPEND)
        self._master_key = master_key
        self._ttl = chat_ttl_secs
        self._retention = retention_secs
        self._enqueue = redis.register_script(scripts.ENQUEUE)
        self._claim = redis.register_script(scripts.CLAIM)
        self._release = redis.register_script(scripts.RELEASE)
        self._end = redis.register_script(scripts.END)
        self._hand_over = redis.register_script(scripts.HAND_OVER)
        self._key_cache: dict[str, tuple[float, bytes]] = {}

    # -- creating and finding chats ------------------------------------------------------

    async def create_chat(
        self,
        hello: Hello,
        state: ChatState,
        session_number: int = 1,
        code_record: str | None = None,
    ) -> ChatRecord:
        """Create a chat with a fresh data key (stored wrapped by the master key).

        Returns:
            The new chat's record.
        """
        chat_id = secrets.token_urlsafe(16)
        data_key = generate_data_key()
        wrapped = wrap_key(self._master_key, data_key, chat_id.encode())
        created = now_ms(self._clock)
        mapping: dict[str, str | int] = {
            "state": state.value,
            "channel": hello.channel,
            "lang": hello.lang,
            "age": hello.age,
            "topic": hello.topic or "",
            "gender": hello.gender or "",
            "kommun": hello.kommun or "",
            "district": hello.district or "",
            "profession": hello.profession or "",
            "created_ms": created,
            "dek": base64.b64encode(wrapped).decode(),
            "session_number": session_number,
            "code_record": code_record or "",
            "preview": 0,
            "urgent": "1" if hello.urgent else "",
        }
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(chat_key(chat_id), mapping=cast(dict[Any, Any], mapping))
            pipe.expire(chat_key(chat_id), self._ttl)
            await pipe.execute()
        self._key_cache[chat_id] = (time.monotonic() + DATA_KEY_CACHE_SECS, data_key)
        return ChatRecord.from_hash(chat_id, {k: str(v) for k, v in mapping.items()})

    async def load_chat(self, chat_id: str) -> ChatRecord | None:
        """The chat's record, or None if it never existed or has expired."""
        raw = as_hash(await self._batch.call("HGETALL", chat_key(chat_id)))
        if not raw or "state" not in raw:
            return None
        return ChatRecord.from_hash(chat_id, raw)

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

    async def claim_flag(self, chat_id: str, name: str) -> bool:
        """Set a one-time flag on the chat; True for the one caller that set it."""
        return bool(await self._redis.hsetnx(chat_key(chat_id), name, "1"))

    async def set_flag(self, chat_id: str, name: str, value: str) -> None:
        await self._redis.hset(chat_key(chat_id), name, value)

    # -- resume tokens -------------------------------------------------------------------

    async def issue_resume_token(self, chat_id: str) -> str:
        """A fresh one-time token; only its SHA-256 is stored."""
        token = secrets.token_urlsafe(RESUME_TOKEN_BYTES)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(resume_key(token), chat_id, ex=self._ttl)
            # Which key is the chat's latest, so a block can delete it (chat/safety_store.py).
            pipe.hset(chat_key(chat_id), "resume_key", resume_key(token))
            await pipe.execute()
        return token

    async def redeem_resume_token(self, token: str) -> str | None:
        """The chat the token belongs to; the token is used up either way."""
        return as_text(await self._redis.getdel(resume_key(token)))

    # -- queue ---------------------------------------------------------------------------

    async def enqueue(
        self, chat: ChatRecord, queue_max: int, *, from_state: ChatState, front: bool = False
    ) -> int | None:
        """Put a chat in its channel's queue.

        Returns:
            The 1-based position, or None when the queue is full.

        Raises:
            ChatEndedError: the chat is not in ``from_state`` any more.
        """
        result = int(
            await self._enqueue(
                keys=[queue_key(chat.channel), chat_key(chat.id)],
                args=[
                    chat.id,
                    now_ms(self._clock),
                    queue_max,
                    from_state.value,
                    "1" if front else "0",
                    URGENT_SHIFT_MS,
                ],
            )
        )
        if result == -2:
            raise ChatEndedError(chat.id)
        if result == -1:
            return None
        return result

    async def queue_positions(self, chats: Iterable[tuple[str, str]]) -> dict[str, int | None]:
        """1-based positions of (chat id, channel) pairs in one round trip."""
        pairs = list(chats)
        if not pairs:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for chat_id, channel in pairs:
                pipe.zrank(queue_key(channel), chat_id)
            ranks = await pipe.execute()
        return {
            chat_id: (None if rank is None else int(rank) + 1)
            for (chat_id, _), rank in zip(pairs, ranks, strict=True)
        }

    async def queue_lengths(self) -> dict[str, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in CHANNELS:
                pipe.zcard(queue_key(channel))
            counts = await pipe.execute()
        return {channel: int(n) for channel, n in zip(CHANNELS, counts, strict=True)}

    async def queue_snapshot(self, limit: int = QUEUE_PREVIEW_LIMIT) -> QueueSnapshot:
        """The oldest ``limit`` waiting chats of each channel and every channel's total."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in CHANNELS:
                pipe.zcard(queue_key(channel))
                pipe.zrange(queue_key(channel), 0, limit - 1, withscores=True)
            raw = await pipe.execute()
        totals: dict[str, int] = {}
        order: list[tuple[str, str, float]] = []
        for i, channel in enumerate(CHANNELS):
            totals[channel] = int(raw[2 * i])
            order.extend((channel, cid, score) for cid, score in raw[2 * i + 1])
        records = {r.id: r for r in await self.load_chats([cid for _, cid, _ in order])}
        now = now_ms(self._clock)
        items: dict[str, list[QueueItem]] = {channel: [] for channel in CHANNELS}
        for channel, cid, score in order:
            record = records.get(cid)
            if record is None or record.state is not ChatState.WAITING:
                continue
            items[channel].append(QueueItem(record, waited_in_queue_ms(record, now), score))
        return QueueSnapshot(totals, items)

    async def claim_chat(
        self, chat: ChatRecord, username: str, display_name: str, limit: int | None = None
    ) -> bool:
        """Take a waiting chat for a counsellor; exactly one caller wins, across processes.

        Raises:
            AtLimitError: they hold ``limit`` chats already (checked in the same step).
            PausedError: their new accepts pause (chat/limits_store.py).
        """
        won = await self._claim(
            keys=[
                queue_key(chat.channel),
                chat_key(chat.id),
                staff_chats_key(username),
                accepts_key(chat.channel),
                paused_key(username),
            ],
            args=[
                chat.id,
                username,
                display_name,
                now_ms(self._clock),
                self._ttl,
                RECENT_ACCEPTS_KEPT,
                HANDLING_TTL_SECS,
                "" if limit is None else limit,
            ],
        )
        if int(won) == -1:
            raise AtLimitError(chat.id)
        if int(won) == -2:
            raise PausedError(chat.id)
        return int(won) == 1

    async def release_to_queue(self, chat: ChatRecord, holder: str | None) -> bool:
        """Take an active chat back from its counsellor (``holder``; None = whoever holds it).

        The caller then enqueues it at the front.
        """
        released = await self._release(
            keys=[chat_key(chat.id), f"{PREFIX}staff:", handled_key(chat.channel)],
            args=[
                chat.id,
                holder or "",
                ChatState.ACTIVE.value,
                now_ms(self._clock),
                RECENT_HANDLING_KEPT,
                HANDLING_TTL_SECS,
            ],
        )
        return int(released) == 1

    async def recent_accept_times(self, channel: str) -> list[float]:
        raw = as_texts(await self._redis.lrange(accepts_key(channel), 0, -1))
        return [int(v) / 1000 for v in raw]

    async def wait_samples(self, channel: str) -> tuple[list[float], list[float]]:
        """The channel's recent accept times and handling times (s), in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.lrange(accepts_key(channel), 0, -1)
            pipe.lrange(handled_key(channel), 0, -1)
            accepts, handled = await pipe.execute()
        return (
            [int(v) / 1000 for v in as_texts(accepts)],
            [float(v) for v in as_texts(handled)],
        )

    async def counsellor_chats(self, username: str) -> list[str]:
        return sorted(as_texts(await self._redis.smembers(staff_chats_key(username))))

    async def hand_over(
        self,
        chat: ChatRecord,
        from_user: str,
        to_user: str,
        to_name: str,
        limit: int | None = None,
    ) -> bool:
        """Move an active chat from one counsellor to another (a warm transfer), atomically.

        Raises:
            AtLimitError: the colleague holds ``limit`` chats already (same step).
        """
        moved = await self._hand_over(
            keys=[chat_key(chat.id), staff_chats_key(from_user), staff_chats_key(to_user)],
            args=[chat.id, from_user, to_user, to_name, self._ttl, "" if limit is None else limit],
        )
        if int(moved) == -1:
            raise AtLimitError(chat.id)
        return int(moved) == 1

    # -- ending --------------------------------------------------------------------------

    async def end_chat(self, chat: ChatRecord, by: EndedBy) -> tuple[ChatState, str | None] | None:
        """End the chat and, unless retention is configured, shred its transcript now.

        Returns:
            (the state it had, the counsellor who held it) or None if it had already ended.
        """
        result = await self._end(
            keys=[
                chat_key(chat.id),
                log_key(chat.id),
                ids_key(chat.id),
                notes_key(chat.id),
                queue_key(chat.channel),
                LIVE_KEY,
                f"{PREFIX}staff:",
                handled_key(chat.channel),
            ],
            args=[
                chat.id,
                now_ms(self._clock),
                by.value,
                self._retention,
                ENDED_CHAT_TTL_SECS,
                RECENT_HANDLING_KEPT,
                HANDLING_TTL_SECS,
            ],
        )
        self._key_cache.pop(chat.id, None)
        text = result.decode() if isinstance(result, bytes) else str(result)
        if not text:
            return None
        state, _, holder = text.partition(":")
        return ChatState(state), holder or None

    async def shred(self, chat_id: str) -> None:
        """Delete the data key and every ciphertext of a chat now (retention purge)."""
        self._key_cache.pop(chat_id, None)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(chat_key(chat_id), "dek", "sealed_rc")
            pipe.delete(log_key(chat_id), ids_key(chat_id), notes_key(chat_id))
            await pipe.execute()

    async def purge_expired(self) -> int:
        """Shred ended chats past their retention, and chats left behind by a dead process.

        Redis TTLs remove everything eventually; this applies the policy now
        (``fristad purge``, and hourly in the service).
        """
        shredded = 0
        now = now_ms(self._clock)
        async for key in self._redis.scan_iter(match=f"{PREFIX}chat:*", count=500):
            name = str(as_text(key))
            if name.count(":") != 2:
                continue  # a chat's log, ids or notes: handled with its chat
            chat_id = name.rsplit(":", 1)[1]
            state, ended, has_key = await self._redis.hmget(name, ["state", "ended_ms", "dek"])
            if state != ChatState.ENDED.value or not has_key:
                continue
            if ended is None or now - int(ended) >= self._retention * 1000:
                await self.shred(chat_id)
                shredded += 1
        return shredded

    # -- messages ------------------------------------------------------------------------

    async def _data_key(self, chat_id: str) -> bytes:
        cached = self._key_cache.get(chat_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        wrapped = as_text(await self._batch.call("HGET", chat_key(chat_id), "dek"))
        if not wrapped:
            raise ChatEndedError(chat_id)
        data_key = unwrap_key(self._master_key, base64.b64decode(wrapped), chat_id.encode())
        if len(self._key_cache) >= DATA_KEY_CACHE_MAX:
            self._key_cache.clear()
        self._key_cache[chat_id] = (time.monotonic() + DATA_KEY_CACHE_SECS, data_key)
        return data_key

    def _seal(self, chat_id: str, data_key: bytes, record: dict[str, Any]) -> str:
        blob = encrypt(data_key, fastjson.dumps_bytes(record), chat_id.encode())
        return base64.b64encode(blob).decode()

    def _open(self, chat_id: str, data_key: bytes, sealed: str) -> dict[str, Any]:
        plain = decrypt(data_key, base64.b64decode(sealed), chat_id.encode())
        return cast(dict[str, Any], fastjson.loads(plain))

    async def append_message(
        self,
        chat_id: str,
        author: str,
        text: str,
        client_id: str | None = None,
        announce: Announcer | None = None,
    ) -> AppendResult:
        """Store a message (encrypted) before anyone acknowledges it, and announce it.

        The announcement is published by the same script, in the same round trip (the
        relay's cost is round trips, shared/performance.md), and only if the message is new.

        Args:
            client_id: the sender's id; a repeat returns the first seq and stores nothing.
            announce: given the message's time, the event payloads to publish, with
                ``SEQ_MARK`` (as a JSON string) where the seq goes.

        Raises:
            ChatEndedError: the chat has ended or does not exist.
        """
        data_key = await self._data_key(chat_id)
        at = now_ms(self._clock)
        sealed = self._seal(chat_id, data_key, {"f": author, "t": text, "a": at})
        id_field = f"{author[0]}:{client_id}" if client_id else ""
        payloads = announce(at) if announce is not None else []
        seq, created = await self._batch.run_script(
            self._append_script,
            [log_key(chat_id), ids_key(chat_id), chat_key(chat_id), EVENTS_CHANNEL],
            [id_field, sealed, self._ttl, "1" if author == "visitor" else "0", *payloads],
            durable=True,  # acked next: FRISTAD_ACK_REPLICAS waits for replicas here
        )
        if int(seq) < 0:
            raise ChatEndedError(chat_id)
        return AppendResult(int(seq), bool(int(created)), at)

    async def read_messages(self, chat_id: str, after_seq: int = 0) -> list[StoredMessage]:
        """Messages with seq > ``after_seq``, in order; empty once shredded."""
        sealed = as_texts(await self._redis.lrange(log_key(chat_id), after_seq, -1))
        if not sealed:
            return []
        try:
            data_key = await self._data_key(chat_id)
        except ChatEndedError:
            return []
        out: list[StoredMessage] = []
        for offset, item in enumerate(sealed):
            try:
                record = self._open(chat_id, data_key, item)
            except DecryptionError:
                continue
            out.append(StoredMessage(after_seq + offset + 1, record["f"], record["t"], record["a"]))
        return out

    async def seal_secret(self, chat_id: str, name: str, value: str) -> None:
        """Keep a secret with the chat, under its data key: shredded with the chat."""
        data_key = await self._data_key(chat_id)
        sealed = self._seal(chat_id, data_key, {"s": value, "n": name})
        await self._redis.hset(chat_key(chat_id), f"sealed_{name}", sealed)

    async def open_secret(self, chat_id: str, name: str) -> str | None:
        sealed = as_text(await self._redis.hget(chat_key(chat_id), f"sealed_{name}"))
        if not sealed:
            return None
        try:
            data_key = await self._data_key(chat_id)
            record = self._open(chat_id, data_key, sealed)
        except (ChatEndedError, DecryptionError):
            return None
        return str(record["s"]) if record.get("n") == name else None

    async def message_count(self, chat_id: str) -> int:
        """The highest seq stored so far (0 for none)."""
        return int(await self._redis.llen(log_key(chat_id)))

    async def add_note(self, chat_id: str, author: str, text: str) -> StoredNote:
        """Store an internal note (encrypted, no seq, never shown to the visitor)."""
        data_key = await self._data_key(chat_id)
        at = now_ms(self._clock)
        sealed = self._seal(chat_id, data_key, {"f": author, "t": text, "a": at})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(notes_key(chat_id), sealed)
            pipe.expire(notes_key(chat_id), self._ttl)
            await pipe.execute()
        return StoredNote(author, text, at)

    async def read_notes(self, chat_id: str) -> list[StoredNote]:
        sealed = as_texts(await self._redis.lrange(notes_key(chat_id), 0, -1))
        if not sealed:
            return []
        data_key = await self._data_key(chat_id)
        notes = []
        for item in sealed:
            record = self._open(chat_id, data_key, item)
            if "k" in record:  # a whisper or the risk guide's answers (staff_records)
                continue
            notes.append(StoredNote(record["f"], record["t"], record["a"]))
        return notes

    async def add_staff_record(self, chat_id: str, kind: str, record: dict[str, Any]) -> int:
        """Keep a staff-only record of ``kind`` with the chat's notes: encrypted under the
        chat's key, never a seq, shredded with the chat (whispers, the risk guide's answers).

        Returns:
            When it was stored (ms).

        Raises:
            ChatEndedError: the chat's key is gone.
        """
        data_key = await self._data_key(chat_id)
        at = now_ms()
        sealed = self._seal(chat_id, data_key, {**record, "k": kind, "a": at})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(notes_key(chat_id), sealed)
            pipe.expire(notes_key(chat_id), self._ttl)
            await pipe.execute()
        return at

    async def read_staff_records(self, chat_id: str, kind: str) -> list[dict[str, Any]]:
        """The chat's records of ``kind``, oldest first; empty once shredded."""
        sealed = as_texts(await self._redis.lrange(notes_key(chat_id), 0, -1))
        if not sealed:
            return []
        try:
            data_key = await self._data_key(chat_id)
        except ChatEndedError:
            return []
        out = []
        for item in sealed:
            try:
                record = self._open(chat_id, data_key, item)
            except DecryptionError:
                continue
            if record.get("k") == kind:
                out.append(record)
        return out

    # -- visitor liveness: the grace period across processes ------------------------------

    async def keep_alive(self, chat_ids: Sequence[str], until_ms: int) -> None:
        """Push back the end of chats whose visitor is connected here."""
        if not chat_ids:
            return
        await self._redis.zadd(LIVE_KEY, dict.fromkeys(chat_ids, until_ms))
        await self._redis.expire(LIVE_KEY, self._ttl)

    async def claim_expired(self, limit: int = 50) -> list[str]:
        """Chats whose visitor stayed away past the grace period; each is claimed by one
        process only (ZREM is the claim)."""
        due = as_texts(
            cast(
                list[str],
                await self._redis.zrangebyscore(
                    LIVE_KEY, 0, now_ms(self._clock), start=0, num=limit
                ),
            )
        )
        claimed: list[str] = []
        for chat_id in due:
            if await self._redis.zrem(LIVE_KEY, chat_id):
                claimed.append(chat_id)
        return claimed

    async def ping(self) -> bool:
        return bool(await self._redis.ping())
