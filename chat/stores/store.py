"""Everything the chat keeps in Redis, behind methods named after what they do.

The store is one object built from parts by what they keep: this module has the chat's life
(create, find, resume, end, shred, liveness); ``chat/stores/queue_store.py`` the waiting line
and who holds what; ``chat/stores/message_store.py`` the sealed log, notes and secrets;
``chat/stores/base_store.py`` the key names and TTLs they share.

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
                                  (an urgent chat's score is shifted before all:
                                  chat/domain/urgency.py)
    f:resume:{sha256}      string chat id for a one-time resume token (only its hash is kept)
    f:live                 zset   chat id -> when it ends unless its visitor is back (ms)
    f:staff:{user}:chats   set    chats a counsellor holds
    f:accepts:{channel}    list   recent accept times, for the queue's estimated wait
    f:handled:{channel}    list   recent handling times (s, accept to end or hand-back), ditto
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from chat.domain.protocol import ChatState, EndedBy
from chat.domain.records import (
    ChatRecord,
)
from chat.stores import store_scripts as scripts
from chat.stores.base_store import (
    CHAT_TTL_SECS,
    DATA_KEY_CACHE_SECS,
    ENDED_CHAT_TTL_SECS,
    HANDLING_TTL_SECS,
    LIVE_KEY,
    PREFIX,
    RECENT_HANDLING_KEPT,
    RESUME_TOKEN_BYTES,
    as_hash,
    as_text,
    as_texts,
    chat_key,
    handled_key,
    ids_key,
    log_key,
    notes_key,
    now_ms,
    queue_key,
    resume_key,
)
from chat.stores.batch_store import RedisBatcher
from chat.stores.message_store import MessageStore
from chat.stores.queue_store import QueueStore
from chat.wire.inbound import Hello
from security.crypto import (
    generate_data_key,
    wrap_key,
)


class ChatStore(QueueStore, MessageStore):
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
        # per event-loop turn with everyone else's (chat/stores/batch_store.py).
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
        async with self._redis.pipeline(transaction=True) as pipe:
            chat = self._write_new_chat(pipe, hello, state, session_number, code_record)
            await pipe.execute()
        return chat

    async def create_visitor_chat(
        self,
        hello: Hello,
        state: ChatState,
        *,
        session_number: int,
        code_record: str | None,
        live_until_ms: int,
    ) -> tuple[ChatRecord, str]:
        """A new visitor's chat, marked live until ``live_until_ms`` and with its first resume
        token, in one round trip: ``create_chat``, ``keep_alive`` and ``issue_resume_token``
        were four, each a pool checkout and a reply to parse, for every arriving visitor.

        Returns:
            The new chat's record, and the resume token (only its SHA-256 is stored).
        """
        async with self._redis.pipeline(transaction=True) as pipe:
            chat = self._write_new_chat(pipe, hello, state, session_number, code_record)
            token = self._write_resume_token(pipe, chat.id)
            self._write_live(pipe, [chat.id], live_until_ms)
            await pipe.execute()
        return chat, token

    def _write_new_chat(
        self,
        pipe: Pipeline,
        hello: Hello,
        state: ChatState,
        session_number: int,
        code_record: str | None,
    ) -> ChatRecord:
        """Queue a new chat's hash on ``pipe``; its data key is cached here, stored wrapped."""
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
        pipe.hset(chat_key(chat_id), mapping=cast(dict[Any, Any], mapping))
        pipe.expire(chat_key(chat_id), self._ttl)
        self._key_cache[chat_id] = (time.monotonic() + DATA_KEY_CACHE_SECS, data_key)
        return ChatRecord.from_hash(chat_id, {k: str(v) for k, v in mapping.items()})

    async def load_chat(self, chat_id: str) -> ChatRecord | None:
        """The chat's record, or None if it never existed or has expired."""
        raw = as_hash(await self._batch.call("HGETALL", chat_key(chat_id)))
        if not raw or "state" not in raw:
            return None
        return ChatRecord.from_hash(chat_id, raw)

    async def claim_flag(self, chat_id: str, name: str) -> bool:
        """Set a one-time flag on the chat; True for the one caller that set it."""
        return bool(await self._redis.hsetnx(chat_key(chat_id), name, "1"))

    async def set_flag(self, chat_id: str, name: str, value: str) -> None:
        await self._redis.hset(chat_key(chat_id), name, value)

    # -- resume tokens -------------------------------------------------------------------

    async def issue_resume_token(self, chat_id: str) -> str:
        """A fresh one-time token; only its SHA-256 is stored."""
        async with self._redis.pipeline(transaction=True) as pipe:
            token = self._write_resume_token(pipe, chat_id)
            await pipe.execute()
        return token

    def _write_resume_token(self, pipe: Pipeline, chat_id: str) -> str:
        """Queue a fresh token's SHA-256 on ``pipe``; the token itself is only returned."""
        token = secrets.token_urlsafe(RESUME_TOKEN_BYTES)
        pipe.set(resume_key(token), chat_id, ex=self._ttl)
        # Which key is the chat's latest, so a block can delete it (chat/stores/safety_store.py).
        pipe.hset(chat_key(chat_id), "resume_key", resume_key(token))
        return token

    async def redeem_resume_token(self, token: str) -> str | None:
        """The chat the token belongs to; the token is used up either way."""
        return as_text(await self._redis.getdel(resume_key(token)))

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

    # -- visitor liveness: the grace period across processes ------------------------------

    async def keep_alive(self, chat_ids: Sequence[str], until_ms: int) -> None:
        """Push back the end of chats whose visitor is connected here."""
        if not chat_ids:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            self._write_live(pipe, chat_ids, until_ms)
            await pipe.execute()

    def _write_live(self, pipe: Pipeline, chat_ids: Sequence[str], until_ms: int) -> None:
        pipe.zadd(LIVE_KEY, dict.fromkeys(chat_ids, until_ms))
        pipe.expire(LIVE_KEY, self._ttl)

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
