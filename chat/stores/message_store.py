"""The chat's sealed contents: messages, internal notes, staff records and secrets.

Each is encrypted (AES-256-GCM) under the chat's own data key, which is stored only wrapped
by the master key; deleting the wrapped key shreds every ciphertext here at once. The data
key is cached briefly in the process, because the relay unwraps it for every message.
"""

from __future__ import annotations

import base64
import time
from typing import Any, cast

from chat.domain.records import AppendResult, StoredMessage, StoredNote
from chat.stores.base_store import (
    DATA_KEY_CACHE_MAX,
    DATA_KEY_CACHE_SECS,
    Announcer,
    ChatEndedError,
    StoreCore,
    as_text,
    as_texts,
    chat_key,
    ids_key,
    log_key,
    notes_key,
    now_ms,
)
from chat.stores.pubsub_store import EVENTS_CHANNEL
from chat.wire import fastjson
from security.crypto import DecryptionError, decrypt, encrypt, unwrap_key


class MessageStore(StoreCore):
    """Part of ``ChatStore``: everything stored under the chat's data key."""

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
        at = now_ms(self._clock)
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
