"""Return-code records in Redis: nothing of a code is ever stored in clear.

What a record holds and who can read it (reasoning in docs/returncodes.md):

- The record is found by ``keyed_hash(lookup key, lookup part)``, the *record id*. Without
  the service's pepper a Redis dump cannot be matched to any code.
- The secret part is checked with argon2id (security.passwords: per-code random salt inside
  the PHC string). A stolen database plus the pepper still leaves 44 bits per code to guess at
  argon2id's price.
- The counsellor's summary for the next counsellor is encrypted under a key derived from the
  whole code, stretched with argon2id first (HKDF alone is fast, and 44 secret bits are too
  few to rely on a fast function). Only a chat in which the young person gives the code again
  can read it; the service itself cannot.
- Messages left while chat is closed, and the counsellor's replies, are encrypted under a
  per-record data key wrapped by a key derived from the pepper. Staff must read a left
  message without the code, so the code cannot be the key here; the young person gets the
  replies back only after :meth:`ReturnCodeStore.find` has checked the code.
- Chats are linked by a keyed hash of the chat id, so a dump does not tie a record to chats.

Every key carries a TTL of ``ttl_secs``, refreshed whenever the young person uses the code
(and when a counsellor replies, so the reply lives a full period). Keys (prefix ``f:rc:``)::

    f:rc:{record_id}         hash   secret (argon2id PHC), created, used (unix s), salt (hex),
                                    dek (wrapped message key, base64), summary (base64),
                                    pending (visitor messages waiting for a reply)
    f:rc:{record_id}:chats   hash   keyed hash of chat id -> "1" counted, "0" linked only
    f:rc:{record_id}:msgs    list   encrypted left messages and replies, oldest first
    f:rc:inbox               zset   record id -> when its oldest unanswered message came (ms)
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from collections.abc import Callable
from typing import Final

from redis.asyncio import Redis
from typing_extensions import override  # typing.override from Python 3.12

from chat.domain.returncode import (
    ReturnCode,
    ReturnCodeFormatError,
    generate_code,
    normalise_code,
    split_code,
)
from chat.domain.returncode_records import (
    _CHAT_LINK_INFO,
    _LOOKUP_INFO,
    _SALT_BYTES,
    _WRAP_INFO,
    DEFAULT_RETURN_CODE_TTL_SECS,
    INBOX_KEY,
    INBOX_LIST_LIMIT,
    MAX_ISSUE_ATTEMPTS,
    MAX_LEFT_MESSAGE_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_THREAD_MESSAGES,
    CodeRecord,
    InboxItem,
    LeftMessage,
    MessageAuthor,
    RecordId,
    ReturnCodeMismatchError,
    ReturnCodeSpaceError,
    ReturnCodeTextError,
    UnknownRecordError,
    _check_text,
    _dummy_hash,
    _from_unix,
    _summary_key,
    chats_key,
    messages_key,
    record_key,
)
from chat.stores.base_store import as_hash, as_text
from chat.stores.returncode_inbox_store import LeftMessages
from security.crypto import (
    MIN_HASH_KEY_BYTES,
    DecryptionError,
    decrypt,
    derive_key,
    encrypt,
    generate_data_key,
    keyed_hash,
    wrap_key,
)
from security.passwords import (
    hash_password,
    verify_password,
)

__all__ = [
    "DEFAULT_RETURN_CODE_TTL_SECS",
    "INBOX_KEY",
    "INBOX_LIST_LIMIT",
    "MAX_ISSUE_ATTEMPTS",
    "MAX_LEFT_MESSAGE_CHARS",
    "MAX_SUMMARY_CHARS",
    "MAX_THREAD_MESSAGES",
    "CodeRecord",
    "InboxItem",
    "LeftMessage",
    "MessageAuthor",
    "RecordId",
    "ReturnCodeMismatchError",
    "ReturnCodeSpaceError",
    "ReturnCodeStore",
    "ReturnCodeTextError",
    "UnknownRecordError",
    "chats_key",
    "messages_key",
    "record_key",
]

# Create the record only if its lookup part is free, with its TTL, atomically.
_CREATE: Final = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""
# Mark a use: refresh every key's TTL, only if the record still exists (never resurrect one).
_TOUCH: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'used', ARGV[2]) end
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
return 1
"""


class ReturnCodeStore(LeftMessages):
    """Return-code records and their continuity data. One per process, shared.

    Args:
        redis: The service's client (with or without ``decode_responses``).
        pepper: A service secret of at least 16 bytes, derived from the master key by the
            composition root. The lookup hashes, chat-link hashes and the key that wraps each
            record's message key are all derived from it (HKDF, one label each).
        ttl_secs: How long a record lives without use; :data:`DEFAULT_RETURN_CODE_TTL_SECS`
            is the proposed default.
        clock: Seconds since the epoch; replaced in tests.
        draw_code: Where new codes come from; replaced in tests to force lookup collisions.
    """

    def __init__(
        self,
        redis: Redis,
        pepper: bytes,
        ttl_secs: int,
        *,
        clock: Callable[[], float] = time.time,
        draw_code: Callable[[], ReturnCode] = generate_code,
    ) -> None:
        if len(pepper) < MIN_HASH_KEY_BYTES:
            raise ValueError(f"expected a pepper of at least {MIN_HASH_KEY_BYTES} bytes")
        if ttl_secs <= 0:
            raise ValueError(f"expected a positive ttl_secs, got {ttl_secs}")
        self._redis = redis
        self._ttl = ttl_secs
        self._clock = clock
        self._draw_code = draw_code
        self._lookup_key = derive_key(pepper, b"", _LOOKUP_INFO)
        self._chat_link_key = derive_key(pepper, b"", _CHAT_LINK_INFO)
        self._wrap_key = derive_key(pepper, b"", _WRAP_INFO)
        self._create = redis.register_script(_CREATE)
        self._touch_script = redis.register_script(_TOUCH)

    # -- codes and records ---------------------------------------------------------------

    async def issue(self) -> tuple[ReturnCode, CodeRecord]:
        """Draw a new code whose lookup part is free and create its record.

        Raises:
            ReturnCodeSpaceError: If :data:`MAX_ISSUE_ATTEMPTS` draws all hit taken lookups.

        Returns:
            The code (show it once; it is not kept) and its record.
        """
        for _ in range(MAX_ISSUE_ATTEMPTS):
            code = self._draw_code()
            parts = split_code(code)
            record_id = self._record_id(parts.lookup)
            if await self._redis.exists(record_key(record_id)):
                continue  # lookup part taken: two codes must never share a record
            secret_hash = await asyncio.to_thread(hash_password, parts.secret)
            now = int(self._clock())
            wrapped = wrap_key(self._wrap_key, generate_data_key(), record_id.encode())
            fields: dict[str, str] = {
                "secret": secret_hash,
                "created": str(now),
                "used": str(now),
                "salt": secrets.token_hex(_SALT_BYTES),
                "dek": base64.b64encode(wrapped).decode(),
                "pending": "0",
            }
            flat: list[str | int] = [self._ttl]
            for name, value in fields.items():
                flat += [name, value]
            if await self._create(keys=[record_key(record_id)], args=flat):
                return code, CodeRecord(record_id, _from_unix(now), _from_unix(now))
        raise ReturnCodeSpaceError(f"no free lookup part in {MAX_ISSUE_ATTEMPTS} draws")

    async def find(self, code_text: str) -> CodeRecord | None:
        """Find the record for a code the young person typed, and mark it used.

        Costs one argon2id computation whether or not the lookup part exists.

        Returns:
            The record, or None if the text is not a code, no record has its lookup part, or
            the secret part is wrong. Call :func:`chat.domain.returncode.normalise_code` first to
            tell a mistyped word apart from an unknown code.
        """
        try:
            code = normalise_code(code_text)
        except ReturnCodeFormatError:
            return None
        parts = split_code(code)
        record_id = self._record_id(parts.lookup)
        fields = as_hash(await self._redis.hgetall(record_key(record_id)))
        stored = fields.get("secret")
        if stored is None:
            await asyncio.to_thread(verify_password, _dummy_hash(), parts.secret)
            return None
        if not await asyncio.to_thread(verify_password, stored, parts.secret):
            return None
        now = int(self._clock())
        if not await self._touch(record_id, now):
            return None  # forgotten or expired while we checked
        return CodeRecord(record_id, _from_unix(int(fields["created"])), _from_unix(now))

    async def forget(self, code_text: str) -> bool:
        """Delete everything kept for a code, now, at the young person's request.

        Returns:
            True if there was a record for the code, False otherwise.
        """
        record = await self.find(code_text)
        if record is None:
            return False
        rid = record.record_id
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(record_key(rid), chats_key(rid), messages_key(rid))
            pipe.zrem(INBOX_KEY, rid)
            await pipe.execute()
        return True

    # -- counting chats --------------------------------------------------------------------

    async def link_chat(self, record: CodeRecord, chat_id: str, counted: bool) -> None:
        """Link a chat to the record; a counted link is never turned back into uncounted.

        Raises:
            UnknownRecordError: If the record has expired or been forgotten.
        """
        rid = record.record_id
        await self._require(rid)
        field = keyed_hash(self._chat_link_key, chat_id.encode())
        async with self._redis.pipeline(transaction=True) as pipe:
            if counted:
                pipe.hset(chats_key(rid), field, "1")
            else:
                pipe.hsetnx(chats_key(rid), field, "0")
            pipe.expire(chats_key(rid), self._ttl)
            await pipe.execute()

    async def mark_counted(self, record: CodeRecord, chat_id: str) -> None:
        """Count a linked chat as a support conversation (a counsellor accepted it)."""
        await self.link_chat(record, chat_id, counted=True)

    async def unlink_chat(self, record: CodeRecord, chat_id: str) -> None:
        """Keep a linked chat's count but no longer say which chat it was (a blocked chat:
        chat/operations/safety.py): its field becomes a random one with the same value."""
        rid = record.record_id
        field = keyed_hash(self._chat_link_key, chat_id.encode())
        value = as_text(await self._redis.hget(chats_key(rid), field))
        if value is None:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(chats_key(rid), field)
            pipe.hset(chats_key(rid), "x" + secrets.token_hex(16), value)
            pipe.expire(chats_key(rid), self._ttl)
            await pipe.execute()

    async def count_sessions(self, record: CodeRecord) -> int:
        """The number of counted chats linked to the record (protocol.md, Counting)."""
        values = await self._redis.hvals(chats_key(record.record_id))
        return sum(1 for value in values if as_text(value) == "1")

    # -- the summary for the next counsellor ---------------------------------------------

    async def save_summary(self, code_text: str, record: CodeRecord, text: str) -> None:
        """Store the counsellor's summary, readable only with the code.

        Raises:
            ReturnCodeTextError: If the text is empty or over :data:`MAX_SUMMARY_CHARS`.
            ReturnCodeMismatchError: If the code is not the record's.
            UnknownRecordError: If the record has expired or been forgotten.
        """
        _check_text(text, MAX_SUMMARY_CHARS, "summary")
        code = self._code_for(code_text, record)
        key = await self._summary_key_for(code, record.record_id)
        blob = encrypt(key, text.encode(), self._aad("summary", record.record_id))
        await self._redis.hset(
            record_key(record.record_id), "summary", base64.b64encode(blob).decode()
        )
        await self._require(record.record_id)

    async def read_summary(self, code_text: str, record: CodeRecord) -> str | None:
        """The summary, or None if there is none or it cannot be decrypted with this code.

        Raises:
            ReturnCodeMismatchError: If the code's lookup part is not the record's.
            UnknownRecordError: If the record has expired or been forgotten.
        """
        code = self._code_for(code_text, record)
        sealed = as_text(await self._redis.hget(record_key(record.record_id), "summary"))
        if not sealed:
            await self._require(record.record_id)
            return None
        key = await self._summary_key_for(code, record.record_id)
        try:
            plain = decrypt(key, base64.b64decode(sealed), self._aad("summary", record.record_id))
        except DecryptionError:
            return None
        await self._require(record.record_id)
        return plain.decode()

    # -- messages left while chat is closed ----------------------------------------------

    # -- internals -----------------------------------------------------------------------

    def _record_id(self, lookup: str) -> RecordId:
        return RecordId(keyed_hash(self._lookup_key, lookup.encode()))

    @override
    def _code_for(self, code_text: str, record: CodeRecord) -> ReturnCode:
        """Normalise the code and check that its lookup part is the record's (cheap: the
        secret part was checked by find(), and a wrong one cannot decrypt the summary)."""
        try:
            code = normalise_code(code_text)
        except ReturnCodeFormatError:
            raise ReturnCodeMismatchError("the code does not belong to this record") from None
        if self._record_id(split_code(code).lookup) != record.record_id:
            raise ReturnCodeMismatchError("the code does not belong to this record")
        return code

    async def _touch(self, record_id: str, now: int | None) -> bool:
        keys = [record_key(record_id), chats_key(record_id), messages_key(record_id)]
        used = "" if now is None else str(now)
        return bool(await self._touch_script(keys=keys, args=[self._ttl, used]))

    @override
    async def _require(self, record_id: str, *, mark_used: bool = True) -> None:
        now = int(self._clock()) if mark_used else None
        if not await self._touch(record_id, now):
            raise UnknownRecordError("no such return-code record")

    async def _summary_key_for(self, code: ReturnCode, record_id: str) -> bytes:
        salt_hex = as_text(await self._redis.hget(record_key(record_id), "salt"))
        if salt_hex is None:
            raise UnknownRecordError("no such return-code record")
        return await asyncio.to_thread(_summary_key, code, bytes.fromhex(salt_hex))
