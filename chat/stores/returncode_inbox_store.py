"""Messages left with a return code while chat is closed, and the counsellors' replies.

The half of ``ReturnCodeStore`` (chat/stores/returncode_store.py) that keeps the thread of left
messages and the console's inbox, encrypted under each record's message key; the store
inherits it, so ``ReturnCodeStore.leave_message``, ``unanswered``, ``thread`` and ``reply``
are where they always were.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import cast

from redis.asyncio import Redis

from chat.domain.returncode import ReturnCode
from chat.domain.returncode_records import (
    INBOX_KEY,
    INBOX_LIST_LIMIT,
    MAX_LEFT_MESSAGE_CHARS,
    MAX_THREAD_MESSAGES,
    CodeRecord,
    InboxItem,
    LeftMessage,
    MessageAuthor,
    RecordId,
    UnknownRecordError,
    _check_text,
    _from_unix,
    messages_key,
    record_key,
)
from chat.stores.base_store import as_text
from security.crypto import decrypt, encrypt, unwrap_key


class LeftMessages:
    """Left messages, replies and the inbox; the store supplies the client, TTL, clock and
    wrapping key, and the record checks."""

    _redis: Redis
    _ttl: int
    _clock: Callable[[], float]
    _wrap_key: bytes

    def _code_for(self, code_text: str, record: CodeRecord) -> ReturnCode:
        raise NotImplementedError  # ReturnCodeStore's

    async def _require(self, record_id: str, *, mark_used: bool = True) -> None:
        raise NotImplementedError  # ReturnCodeStore's

    async def leave_message(self, code_text: str, record: CodeRecord, text: str) -> None:
        """Keep a young person's message for a counsellor and list it in the inbox.

        Raises:
            ReturnCodeTextError: If the text is empty or over :data:`MAX_LEFT_MESSAGE_CHARS`.
            ReturnCodeMismatchError: If the code is not the record's.
            UnknownRecordError: If the record has expired or been forgotten.
        """
        _check_text(text, MAX_LEFT_MESSAGE_CHARS, "message")
        self._code_for(code_text, record)
        rid = record.record_id
        now = self._clock()
        await self._append(rid, MessageAuthor.VISITOR, text, now)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(record_key(rid), "pending", 1)
            pipe.zadd(INBOX_KEY, {rid: int(now * 1000)}, nx=True)
            pipe.expire(INBOX_KEY, self._ttl)
            await pipe.execute()
        await self._require(rid)

    async def messages(self, code_text: str, record: CodeRecord) -> list[LeftMessage]:
        """The young person's view: their left messages and the replies, oldest first.

        Raises:
            ReturnCodeMismatchError: If the code is not the record's.
            UnknownRecordError: If the record has expired or been forgotten.
        """
        self._code_for(code_text, record)
        await self._require(record.record_id)
        return await self._read_thread(record.record_id)

    async def unanswered(self, limit: int = INBOX_LIST_LIMIT) -> list[InboxItem]:
        """The console's list: records with messages waiting for a reply, oldest first.

        Records that expired or were forgotten are dropped from the list on the way.
        """
        entries = await self._redis.zrange(INBOX_KEY, 0, limit - 1, withscores=True)
        items: list[InboxItem] = []
        for member, score in cast(list[tuple[bytes | str, float]], entries):
            rid = RecordId(str(as_text(member)))
            pending = as_text(await self._redis.hget(record_key(rid), "pending"))
            if pending is None:
                await self._redis.zrem(INBOX_KEY, rid)
                continue
            items.append(InboxItem(rid, _from_unix(score / 1000), int(pending)))
        return items

    async def thread(self, record_id: str) -> list[LeftMessage]:
        """The counsellor's view of a record's messages, without the code.

        Reading does not count as a use: only the young person and a reply keep it alive.

        Raises:
            UnknownRecordError: If the record has expired or been forgotten.
        """
        if not await self._redis.exists(record_key(record_id)):
            raise UnknownRecordError("no such return-code record")
        return await self._read_thread(RecordId(record_id))

    async def reply(self, record_id: str, text: str) -> None:
        """A counsellor's reply, for the young person to read when they give the code again.

        Takes the record off the inbox and refreshes its TTL, so the reply waits a full
        period.

        Raises:
            ReturnCodeTextError: If the text is empty or over :data:`MAX_LEFT_MESSAGE_CHARS`.
            UnknownRecordError: If the record has expired or been forgotten.
        """
        _check_text(text, MAX_LEFT_MESSAGE_CHARS, "reply")
        rid = RecordId(record_id)
        await self._append(rid, MessageAuthor.COUNSELLOR, text, self._clock())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(record_key(rid), "pending", 0)
            pipe.zrem(INBOX_KEY, rid)
            await pipe.execute()
        await self._require(rid, mark_used=False)

    @staticmethod
    def _aad(purpose: str, record_id: str) -> bytes:
        return f"fristad/return-code/{purpose}/v1:{record_id}".encode()

    async def _message_key(self, record_id: str) -> bytes:
        wrapped = as_text(await self._redis.hget(record_key(record_id), "dek"))
        if wrapped is None:
            raise UnknownRecordError("no such return-code record")
        return unwrap_key(self._wrap_key, base64.b64decode(wrapped), record_id.encode())

    async def _append(self, record_id: str, author: MessageAuthor, text: str, now: float) -> None:
        """Encrypt and append; raises UnknownRecordError (no data key) if the record is gone."""
        key = await self._message_key(record_id)
        plain = json.dumps({"a": author.value, "t": text, "at": now}).encode()
        blob = encrypt(key, plain, self._aad("message", record_id))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(messages_key(record_id), base64.b64encode(blob).decode())
            pipe.ltrim(messages_key(record_id), -MAX_THREAD_MESSAGES, -1)
            pipe.expire(messages_key(record_id), self._ttl)
            await pipe.execute()

    async def _read_thread(self, record_id: RecordId) -> list[LeftMessage]:
        key = await self._message_key(record_id)
        aad = self._aad("message", record_id)
        out: list[LeftMessage] = []
        for sealed in await self._redis.lrange(messages_key(record_id), 0, -1):
            fields = json.loads(decrypt(key, base64.b64decode(str(as_text(sealed))), aad))
            out.append(
                LeftMessage(MessageAuthor(fields["a"]), str(fields["t"]), _from_unix(fields["at"]))
            )
        return out
