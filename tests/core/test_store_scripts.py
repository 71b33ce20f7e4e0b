"""Each Lua script of chat/stores/store_scripts.py, through ChatStore, on the session's real Redis:
what it writes, and what it refuses (wrong state, already taken, unknown chat). No socket."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from chat.domain.protocol import ChatState, EndedBy
from chat.domain.records import ChatRecord
from chat.stores import store_scripts
from chat.stores.base_store import (
    ENDED_CHAT_TTL_SECS,
    LIVE_KEY,
    SEQ_MARK,
    ChatEndedError,
    accepts_key,
    chat_key,
    handled_key,
    ids_key,
    log_key,
    notes_key,
    queue_key,
    staff_chats_key,
)
from chat.stores.pubsub_store import EVENTS_CHANNEL
from chat.stores.store import ChatStore
from chat.wire.inbound import Hello

MASTER_KEY = bytes(range(32))
QUEUE_MAX = 10


async def _waiting(store: ChatStore, channel: str = "youth") -> ChatRecord:
    chat = await store.create_chat(Hello(channel, "sv", "18plus"), ChatState.WAITING)  # type: ignore[arg-type]
    assert await store.enqueue(chat, QUEUE_MAX, from_state=ChatState.WAITING) is not None
    return chat


async def _active(store: ChatStore, user: str = "anna") -> ChatRecord:
    chat = await _waiting(store)
    assert await store.claim_chat(chat, user, user.title())
    return chat


# -- ENQUEUE -----------------------------------------------------------------------------


async def test_enqueue_moves_a_notice_chat_to_waiting_and_gives_its_position(
    store: ChatStore, redis: Redis
) -> None:
    chat = await store.create_chat(Hello("youth", "sv", "under18"), ChatState.NOTICE)
    assert await store.enqueue(chat, QUEUE_MAX, from_state=ChatState.NOTICE) == 1
    assert await redis.hget(chat_key(chat.id), "state") == ChatState.WAITING.value
    assert await redis.zrange(queue_key("youth"), 0, -1) == [chat.id]
    assert await redis.hget(chat_key(chat.id), "queued_ms") is not None


async def test_enqueue_twice_keeps_one_entry_and_the_same_position(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _waiting(store)
    assert await store.enqueue(chat, QUEUE_MAX, from_state=ChatState.WAITING) == 1
    assert await redis.zcard(queue_key("youth")) == 1


async def test_enqueue_refuses_a_chat_not_in_the_expected_state(store: ChatStore) -> None:
    chat = await _active(store)
    with pytest.raises(ChatEndedError):
        await store.enqueue(chat, QUEUE_MAX, from_state=ChatState.WAITING)


async def test_enqueue_refuses_an_unknown_chat(store: ChatStore, redis: Redis) -> None:
    ghost = ChatRecord("no-such-chat", ChatState.WAITING, "youth", "sv", "18plus")
    with pytest.raises(ChatEndedError):
        await store.enqueue(ghost, QUEUE_MAX, from_state=ChatState.WAITING)
    assert await redis.zcard(queue_key("youth")) == 0


async def test_enqueue_refuses_when_full_but_the_front_always_gets_in(
    store: ChatStore, redis: Redis
) -> None:
    queued = [await _waiting(store) for _ in range(2)]
    late = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
    assert await store.enqueue(late, 2, from_state=ChatState.WAITING) is None
    assert await redis.zcard(queue_key("youth")) == 2
    assert await store.enqueue(late, 2, from_state=ChatState.WAITING, front=True) == 1
    order = await redis.zrange(queue_key("youth"), 0, -1)
    assert order[0] == late.id
    assert sorted(order[1:]) == sorted(c.id for c in queued)


# -- CLAIM -------------------------------------------------------------------------------


async def test_claim_makes_the_chat_active_for_exactly_one_counsellor(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _waiting(store)
    assert await store.claim_chat(chat, "anna", "Anna")
    assert not await store.claim_chat(chat, "bo", "Bo")
    stored = await redis.hgetall(chat_key(chat.id))
    assert stored["state"] == ChatState.ACTIVE.value
    assert (stored["counsellor"], stored["counsellor_name"]) == ("anna", "Anna")
    assert await redis.zcard(queue_key("youth")) == 0
    assert await store.counsellor_chats("anna") == [chat.id]
    assert await store.counsellor_chats("bo") == []
    assert await redis.llen(accepts_key("youth")) == 1
    assert await redis.ttl(staff_chats_key("anna")) > 0
    assert await redis.ttl(accepts_key("youth")) > 0


async def test_claim_refuses_a_chat_that_is_not_queued(store: ChatStore, redis: Redis) -> None:
    chat = await store.create_chat(Hello("youth", "sv", "under18"), ChatState.NOTICE)
    assert not await store.claim_chat(chat, "anna", "Anna")
    assert await redis.hget(chat_key(chat.id), "state") == ChatState.NOTICE.value
    assert await redis.exists(accepts_key("youth")) == 0


# -- RELEASE (hand-back) -----------------------------------------------------------------


async def test_release_takes_the_chat_back_and_notes_the_handling_time(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _active(store)
    assert await store.release_to_queue(chat, "anna")
    assert await redis.hget(chat_key(chat.id), "state") == ChatState.ACTIVE.value
    assert await store.counsellor_chats("anna") == []
    assert await redis.llen(handled_key("youth")) == 1
    assert int(await redis.hget(chat_key(chat.id), "waited_ms") or -1) >= 0
    # The caller then puts it at the front of the queue.
    assert await store.enqueue(chat, QUEUE_MAX, from_state=ChatState.ACTIVE, front=True) == 1
    record = await store.load_chat(chat.id)
    assert record is not None
    assert record.state is ChatState.WAITING
    assert record.counsellor is None


async def test_release_refuses_a_chat_held_by_someone_else(store: ChatStore, redis: Redis) -> None:
    chat = await _active(store, "anna")
    assert not await store.release_to_queue(chat, "bo")
    assert await store.counsellor_chats("anna") == [chat.id]
    assert await redis.exists(handled_key("youth")) == 0


async def test_release_refuses_a_chat_that_is_not_active(store: ChatStore) -> None:
    chat = await _waiting(store)
    assert not await store.release_to_queue(chat, None)
    record = await store.load_chat(chat.id)
    assert record is not None
    assert record.state is ChatState.WAITING


async def test_release_without_a_holder_takes_it_from_whoever_has_it(store: ChatStore) -> None:
    chat = await _active(store, "anna")
    assert await store.release_to_queue(chat, None)
    assert await store.counsellor_chats("anna") == []


# -- HAND_OVER (warm transfer) -----------------------------------------------------------


async def test_hand_over_moves_the_chat_between_counsellors(store: ChatStore, redis: Redis) -> None:
    chat = await _active(store, "anna")
    assert await store.hand_over(chat, "anna", "bo", "Bo")
    assert await store.counsellor_chats("anna") == []
    assert await store.counsellor_chats("bo") == [chat.id]
    stored = await redis.hgetall(chat_key(chat.id))
    assert (stored["counsellor"], stored["counsellor_name"]) == ("bo", "Bo")
    assert stored["state"] == ChatState.ACTIVE.value


async def test_hand_over_refuses_a_non_holder_and_an_ended_chat(store: ChatStore) -> None:
    chat = await _active(store, "anna")
    assert not await store.hand_over(chat, "carl", "bo", "Bo")
    assert await store.counsellor_chats("anna") == [chat.id]
    await store.end_chat(chat, EndedBy.VISITOR)
    assert not await store.hand_over(chat, "anna", "bo", "Bo")
    assert await store.counsellor_chats("bo") == []


# -- END ---------------------------------------------------------------------------------


async def test_end_shreds_the_transcript_and_says_who_held_it(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _active(store, "anna")
    await store.append_message(chat.id, "visitor", "hej", "c1")
    await store.add_note(chat.id, "anna", "a note")
    assert await store.end_chat(chat, EndedBy.COUNSELLOR) == (ChatState.ACTIVE, "anna")
    stored = await redis.hgetall(chat_key(chat.id))
    assert stored["state"] == ChatState.ENDED.value
    assert stored["ended_by"] == EndedBy.COUNSELLOR.value
    assert "dek" not in stored
    for key in (log_key(chat.id), ids_key(chat.id), notes_key(chat.id)):
        assert await redis.exists(key) == 0
    assert 0 < await redis.ttl(chat_key(chat.id)) <= ENDED_CHAT_TTL_SECS
    assert await store.counsellor_chats("anna") == []
    assert await redis.llen(handled_key("youth")) == 1
    assert await store.read_messages(chat.id) == []


async def test_end_of_a_waiting_chat_leaves_the_queue_and_the_liveness_set(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _waiting(store)
    await store.keep_alive([chat.id], 1)
    assert await store.end_chat(chat, EndedBy.VISITOR) == (ChatState.WAITING, None)
    assert await redis.zcard(queue_key("youth")) == 0
    assert await redis.zscore(LIVE_KEY, chat.id) is None
    assert await redis.exists(handled_key("youth")) == 0  # never held: no handling time


async def test_end_refuses_a_second_time_and_an_unknown_chat(store: ChatStore) -> None:
    chat = await _waiting(store)
    assert await store.end_chat(chat, EndedBy.VISITOR) is not None
    assert await store.end_chat(chat, EndedBy.SYSTEM) is None
    ghost = ChatRecord("no-such-chat", ChatState.WAITING, "youth", "sv", "18plus")
    assert await store.end_chat(ghost, EndedBy.SYSTEM) is None


async def test_end_with_retention_keeps_the_transcript_for_exactly_that_long(
    redis: Redis,
) -> None:
    store = ChatStore(redis, MASTER_KEY, retention_secs=7200)
    chat = await _active(store)
    await store.append_message(chat.id, "visitor", "hej")
    await store.end_chat(chat, EndedBy.VISITOR)
    assert 0 < await redis.ttl(log_key(chat.id)) <= 7200
    assert await redis.hexists(chat_key(chat.id), "dek")
    assert [m.text for m in await store.read_messages(chat.id)] == ["hej"]
    # The purge applies the policy: not yet due, so nothing is shredded.
    assert await store.purge_expired() == 0


async def test_purge_shreds_an_ended_chat_past_its_retention(redis: Redis) -> None:
    store = ChatStore(redis, MASTER_KEY, retention_secs=0)
    chat = await _active(store)
    await store.append_message(chat.id, "visitor", "hej")
    live = await _waiting(store)
    # An ended chat that still has its key (a process died between end and shred).
    await redis.hset(chat_key(chat.id), mapping={"state": "ended", "ended_ms": 0})
    assert await store.purge_expired() == 1
    assert not await redis.hexists(chat_key(chat.id), "dek")
    assert await redis.exists(log_key(chat.id)) == 0
    assert await redis.hexists(chat_key(live.id), "dek")


async def _next_event(pubsub: PubSub) -> str:
    """The next published payload (the subscribe confirmation is skipped)."""
    async with asyncio.timeout(5.0):
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is not None and message["type"] == "message":
                return str(message["data"])


# -- APPEND ------------------------------------------------------------------------------


async def test_append_stores_encrypted_with_increasing_seqs(store: ChatStore, redis: Redis) -> None:
    chat = await _active(store)
    first = await store.append_message(chat.id, "visitor", "first words", "a")
    second = await store.append_message(chat.id, "counsellor", "svar", "a")
    assert (first.seq, first.created) == (1, True)
    assert (second.seq, second.created) == (2, True)  # ids are per author
    raw = await redis.lrange(log_key(chat.id), 0, -1)
    assert all("first words" not in item and "svar" not in item for item in raw)
    messages = await store.read_messages(chat.id)
    assert [(m.seq, m.author, m.text) for m in messages] == [
        (1, "visitor", "first words"),
        (2, "counsellor", "svar"),
    ]
    assert [m.seq for m in await store.read_messages(chat.id, after_seq=1)] == [2]
    assert await store.message_count(chat.id) == 2


async def test_append_of_a_resend_stores_once_and_returns_the_first_seq(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _active(store)
    await store.append_message(chat.id, "visitor", "hej", "c1")
    again = await store.append_message(chat.id, "visitor", "hej", "c1")
    assert (again.seq, again.created) == (1, False)
    assert await redis.llen(log_key(chat.id)) == 1


async def test_append_counts_the_preview_only_while_waiting_and_only_for_the_visitor(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _waiting(store)
    await store.append_message(chat.id, "visitor", "one")
    await store.append_message(chat.id, "system", "two")
    assert await redis.hget(chat_key(chat.id), "preview") == "1"
    await store.claim_chat(chat, "anna", "Anna")
    await store.append_message(chat.id, "visitor", "three")
    assert await redis.hget(chat_key(chat.id), "preview") == "1"


async def test_append_publishes_the_announcement_with_the_seq_spliced_in(
    store: ChatStore, redis: Redis
) -> None:
    chat = await _active(store)
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(EVENTS_CHANNEL)
    try:

        def announce(at: int) -> list[str]:
            return [json.dumps({"seq": SEQ_MARK, "at": at})]

        result = await store.append_message(chat.id, "visitor", "hej", "c1", announce)
        assert json.loads(await _next_event(pubsub)) == {"seq": result.seq, "at": result.at_ms}
        # A resend publishes nothing: the next event seen is the one published after it.
        await store.append_message(chat.id, "visitor", "hej", "c1", announce)
        await redis.publish(EVENTS_CHANNEL, "after")
        assert await _next_event(pubsub) == "after"
    finally:
        await pubsub.aclose()


async def test_append_refuses_an_ended_and_an_unknown_chat(store: ChatStore, redis: Redis) -> None:
    chat = await _active(store)
    await store.end_chat(chat, EndedBy.VISITOR)
    with pytest.raises(ChatEndedError):
        await store.append_message(chat.id, "visitor", "too late")
    with pytest.raises(ChatEndedError):
        await store.append_message("no-such-chat", "visitor", "hej")
    assert await redis.exists(log_key("no-such-chat")) == 0


async def test_append_refuses_an_ended_chat_whose_key_is_still_cached(redis: Redis) -> None:
    """The script checks the state itself: a data key cached by another store object does
    not let a write through after the end."""
    writer, ender = ChatStore(redis, MASTER_KEY, retention_secs=3600), ChatStore(redis, MASTER_KEY)
    chat = await _active(writer)
    await writer.append_message(chat.id, "visitor", "before")
    await ender.end_chat(chat, EndedBy.COUNSELLOR)
    with pytest.raises(ChatEndedError):
        await writer.append_message(chat.id, "visitor", "after")
    assert await redis.exists(log_key(chat.id)) == 0  # shredded by the end, not recreated


# -- the scripts' states come from ChatState ---------------------------------------------

SCRIPTS = {
    name: getattr(store_scripts, name)
    for name in ("APPEND", "ENQUEUE", "CLAIM", "RELEASE", "END", "HAND_OVER")
}
# Where a script reads or writes the chat's state: `state == 'x'`, `'state') ~= 'x'`,
# `'state', 'x'` (HSET).
STATE_USE = re.compile(r"(?:state\s*[~=]=\s*|'state'\)\s*[~=]=\s*|'state',\s*)'([a-z_]+)'")


def test_every_state_a_script_uses_is_a_chat_state() -> None:
    used = {m for script in SCRIPTS.values() for m in STATE_USE.findall(script)}
    assert used == {"waiting", "active", "ended"}, used
    assert used <= {state.value for state in ChatState}


def test_the_script_sources_name_states_only_through_the_enum() -> None:
    source = Path(store_scripts.__file__).read_text(encoding="utf-8")
    literals = [f"'{state.value}'" for state in ChatState]
    assert [lit for lit in literals if lit in source] == []
    assert all("${" not in script for script in SCRIPTS.values())
