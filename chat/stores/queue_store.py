"""The waiting line and who holds which chat: the store's queue half.

Every move here that more than one process may race for (enqueue, accept, hand back, warm
transfer) is one Lua script in Redis (``chat/stores/store_scripts.py``), so exactly one caller wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from redis.commands.core import AsyncScript

from chat.domain.protocol import ChatState
from chat.domain.records import ChatRecord, QueueItem, QueueSnapshot
from chat.domain.urgency import URGENT_SHIFT_MS
from chat.stores.base_store import (
    CHANNELS,
    HANDLING_TTL_SECS,
    PREFIX,
    QUEUE_PREVIEW_LIMIT,
    RECENT_ACCEPTS_KEPT,
    RECENT_HANDLING_KEPT,
    ChatEndedError,
    StoreCore,
    accepts_key,
    as_texts,
    chat_key,
    handled_key,
    now_ms,
    queue_key,
    staff_chats_key,
    waited_in_queue_ms,
)
from chat.stores.limits_store import AtLimitError, PausedError, paused_key

#: From this many waiting chats of one channel, their positions come from one ZRANGE.
POSITIONS_BY_RANGE: Final = 32


class QueueStore(StoreCore):
    """Part of ``ChatStore``: the queue, accepts, hand-backs and warm transfers."""

    _enqueue: AsyncScript
    _claim: AsyncScript
    _release: AsyncScript
    _hand_over: AsyncScript

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
        """1-based positions of (chat id, channel) pairs in one round trip.

        A ZRANK each for a few chats of a channel; one ZRANGE of the channel's whole line from
        ``POSITIONS_BY_RANGE`` of them on (a departure from the front moves every waiting
        visitor: 5,000 ZRANKs, each packed and parsed by the client, held the event loop and
        the chats in progress for about a tenth of a second, bench/relay's surge).
        """
        pairs = list(chats)
        if not pairs:
            return {}
        by_channel: dict[str, list[str]] = {}
        for chat_id, channel in pairs:
            by_channel.setdefault(channel, []).append(chat_id)
        ranged = [c for c, ids in by_channel.items() if len(ids) >= POSITIONS_BY_RANGE]
        single = [(chat_id, channel) for chat_id, channel in pairs if channel not in ranged]
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in ranged:
                pipe.zrange(queue_key(channel), 0, -1)
            for chat_id, channel in single:
                pipe.zrank(queue_key(channel), chat_id)
            replies = await pipe.execute()
        positions: dict[str, int | None] = {}
        for channel, line in zip(ranged, replies[: len(ranged)], strict=True):
            order = {member: n for n, member in enumerate(as_texts(line), start=1)}
            for chat_id in by_channel[channel]:
                positions[chat_id] = order.get(chat_id)
        for (chat_id, _), rank in zip(single, replies[len(ranged) :], strict=True):
            positions[chat_id] = None if rank is None else int(rank) + 1
        return positions

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
            PausedError: their new accepts pause (chat/stores/limits_store.py).
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
