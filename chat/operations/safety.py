"""The chat side of Console 1.1's safety features: urgent chats, escalations and blocks.

Store first, then announce (as chat/operations/conversations.py). The console's side (who may,
what is audited, the ``chats`` frame) is in counsellor_console/live/supervision.py.
"""

from __future__ import annotations

from typing import Final

import structlog

from chat.domain.protocol import ChatState, EndedBy
from chat.domain.records import ChatRecord
from chat.operations.continuity import record_of
from chat.operations.conversations import Conversations
from chat.operations.events import ALL_STAFF, to_chat_staff, to_visitor
from chat.stores.safety_store import SafetyStore
from chat.wire import outbound as frames
from chat.wire import server_frames

log = structlog.get_logger(__name__)

BLOCKED: Final = "blocked"


def blocked_frame(chat_id: str | None = None) -> server_frames.Ended:
    """``ended`` for a blocked chat: ``{"type":"ended","by":"system","reason":"blocked"}``."""
    return frames.ended(EndedBy.SYSTEM.value, chat=chat_id, reason=BLOCKED)


class Safety:
    def __init__(self, ops: Conversations, store: SafetyStore) -> None:
        self.ops = ops
        self.store = store

    async def mark_urgent(self, chat: ChatRecord) -> bool:
        """The visitor is in danger now: the chat goes before every other, consoles are told.

        Returns:
            False for a chat that has ended.
        """
        result = await self.store.mark_urgent(chat.id, chat.channel)
        if result < 0:
            return False
        if chat.state is ChatState.WAITING or result == 1:
            await self.ops.hub.queue_changed()
        await self.alert(chat)
        log.info("chat_urgent", chat=chat.id)
        return True

    async def alert(self, chat: ChatRecord) -> None:
        """Every console: ``{"type":"urgent","chat","channel","lang"}`` (the queue item carries
        ``urgent: true`` too, for a console that joins later)."""
        await self.ops.hub.publish(
            frames.urgent(chat.id, chat.channel, chat.lang),
            [ALL_STAFF],
        )

    async def escalate(self, chat: ChatRecord, level: str) -> str | None:
        """Record the escalation (the most severe level is kept); counted when it changes.

        Returns:
            The level kept, or None when the chat is not active any more.
        """
        outcome = await self.store.escalate(chat.id, level)
        if outcome is None:
            return None
        changed, kept = outcome
        if changed and self.ops.stats is not None:
            await self.ops.stats.record_escalation(kept)
        return kept

    async def block(self, chat: ChatRecord) -> bool:
        """End an abusive chat: erase all of it, the resume token with it; count it; tell
        both sides. False if it had already ended."""
        outcome = await self.ops.store.end_chat(chat, EndedBy.SYSTEM)
        if outcome is None:
            return False
        if self.ops.floor is not None:  # reads the time held from the hash: before the erase
            await self.ops.floor.ended(chat.id, outcome[1])
        await self.store.erase(chat.id)
        if chat.code_record and self.ops.continuity is not None:
            # The young person's code still counts the chat, but no longer names it.
            await self.ops.continuity.codes.unlink_chat(record_of(chat.code_record), chat.id)
        self.ops.metrics.chat_ended(EndedBy.SYSTEM.value)
        if self.ops.stats is not None:
            await self.ops.stats.record_block()
        await self.ops.hub.publish(blocked_frame(), [to_visitor(chat.id)])
        await self.ops.hub.publish(blocked_frame(chat.id), [to_chat_staff(chat.id)])
        log.info("chat_blocked", chat=chat.id)
        return True
