"""Continuity across chats, through a return code only the young person holds.

The code itself lives in the visitor socket's memory and, sealed under the chat's data key,
in the chat (so a counsellor's summary can be saved for next time while the chat lasts). It
is shredded with the chat. Everything else about the code is in ``ReturnCodeStore``: a
keyed-hash lookup, an argon2id check, and data readable only with the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from chat.domain.records import ChatRecord
from chat.domain.returncode import ReturnCode, ReturnCodeFormatError, format_code, normalise_code
from chat.stores.returncode_store import (
    CodeRecord,
    LeftMessage,
    RecordId,
    ReturnCodeStore,
    UnknownRecordError,
)
from chat.stores.store import ChatStore

log = structlog.get_logger(__name__)

SUMMARY_AUTHOR = "summary"


@dataclass(frozen=True, slots=True)
class HeldCode:
    """A code as the visitor gave or got it on this connection, with its record."""

    code: ReturnCode
    record: CodeRecord


def record_of(record_id: str) -> CodeRecord:
    """A handle for a record known by id (its dates are not needed to count or link)."""
    now = datetime.now(tz=UTC)
    return CodeRecord(RecordId(record_id), now, now)


class Continuity:
    def __init__(self, codes: ReturnCodeStore, store: ChatStore, cap: int) -> None:
        self.codes = codes
        self.store = store
        self.cap = cap

    async def find(self, text: str) -> HeldCode | None:
        """The record for a code the visitor typed; None when unknown or mistyped."""
        try:
            code = normalise_code(text)
        except ReturnCodeFormatError:
            return None
        record = await self.codes.find(code)
        return None if record is None else HeldCode(code, record)

    async def counted_before(self, held: HeldCode) -> int:
        return await self.codes.count_sessions(held.record)

    async def attach(self, chat: ChatRecord, held: HeldCode, *, counted: bool) -> None:
        """Link the chat to the code; bring the last summary into this chat for its counsellor."""
        await self.codes.link_chat(held.record, chat.id, counted=counted)
        await self.store.seal_secret(chat.id, "rc", held.code)
        summary = await self.codes.read_summary(held.code, held.record)
        if summary:
            await self.store.add_note(chat.id, SUMMARY_AUTHOR, summary)

    async def issue_for(self, chat: ChatRecord, *, counted: bool) -> HeldCode:
        code, record = await self.codes.issue()
        held = HeldCode(code, record)
        await self.codes.link_chat(record, chat.id, counted=counted)
        if chat.state.value != "ended":
            # The chat now belongs to the code: a summary can be kept for the next chat.
            await self.store.set_flag(chat.id, "code_record", record.record_id)
            await self.store.seal_secret(chat.id, "rc", code)
        log.info("return_code_issued")
        return held

    async def sessions_used(self, held: HeldCode) -> int:
        return await self.codes.count_sessions(held.record)

    async def count_accepted(self, chat: ChatRecord) -> None:
        """A counsellor accepted the chat: it now counts as a support conversation."""
        if chat.code_record:
            try:
                await self.codes.mark_counted(record_of(chat.code_record), chat.id)
            except UnknownRecordError:
                log.info("return_code_gone")

    async def save_summary(self, chat: ChatRecord, text: str) -> bool:
        """Keep the counsellor's summary for the next chat with this code (while the chat lasts)."""
        if not chat.code_record:
            return False
        code = await self.store.open_secret(chat.id, "rc")
        if code is None:
            return False
        await self.codes.save_summary(code, record_of(chat.code_record), text)
        return True

    async def forget(self, text: str) -> bool:
        try:
            code = normalise_code(text)
        except ReturnCodeFormatError:
            return False
        return await self.codes.forget(code)

    async def leave_message(self, held: HeldCode, text: str) -> None:
        await self.codes.leave_message(held.code, held.record, text)

    async def thread(self, held: HeldCode) -> list[LeftMessage]:
        return await self.codes.messages(held.code, held.record)

    def display(self, held: HeldCode) -> str:
        return format_code(held.code)


def left_message_frame(message: LeftMessage) -> dict[str, str]:
    at = message.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"from": message.author.value, "text": message.text, "at": at}
