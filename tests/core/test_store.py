"""ChatStore's plain methods, RedisBatcher and the pub/sub transport, on the session's real
Redis, and the hub delivering to registered outboxes. No socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from chat.domain.protocol import ChatState, EndedBy
from chat.operations.events import (
    ALL_STAFF,
    QUEUE_WATCHERS,
    EventHub,
    Frame,
    to_chat_staff,
    to_staff,
    to_visitor,
)
from chat.stores.base_store import LIVE_KEY, chat_key, queue_key, resume_key
from chat.stores.batch_store import RedisBatcher
from chat.stores.pubsub_store import PubSubTransport
from chat.stores.queue_store import POSITIONS_BY_RANGE
from chat.stores.store import ChatStore
from chat.wire.inbound import Hello

MASTER_KEY = bytes(range(32))
WAIT_SECS = 5.0


class Box:
    """An outbox that keeps what it was given."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.arrived = asyncio.Event()

    def deliver(self, frame: Frame) -> None:
        self.frames.append(frame)
        self.arrived.set()


# -- ChatStore ---------------------------------------------------------------------------


async def test_create_and_load_a_chat_with_a_wrapped_key_and_a_ttl(
    store: ChatStore, redis: Redis
) -> None:
    hello = Hello("professional", "en", "18plus", topic="school", kommun="0180")
    chat = await store.create_chat(hello, ChatState.WAITING, session_number=3)
    loaded = await store.load_chat(chat.id)
    assert loaded == chat
    assert (loaded.channel, loaded.lang, loaded.topic, loaded.kommun) == (
        "professional",
        "en",
        "school",
        "0180",
    )
    assert loaded.session_number == 3
    assert await redis.ttl(chat_key(chat.id)) > 0
    assert await store.load_chat("no-such-chat") is None
    other = await store.create_chat(hello, ChatState.NOTICE)
    assert {c.id for c in await store.load_chats([chat.id, "gone", other.id])} == {
        chat.id,
        other.id,
    }
    assert await store.load_chats([]) == []


async def test_a_flag_is_claimed_by_one_caller_only(store: ChatStore) -> None:
    chat = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
    assert await store.claim_flag(chat.id, "survey")
    assert not await store.claim_flag(chat.id, "survey")
    await store.set_flag(chat.id, "away", "1")
    loaded = await store.load_chat(chat.id)
    assert loaded is not None
    assert loaded.away


async def test_a_resume_token_is_stored_hashed_and_used_up_once(
    store: ChatStore, redis: Redis
) -> None:
    token = await store.issue_resume_token("chat-1")
    assert await redis.get(resume_key(token)) == "chat-1"
    assert await redis.keys(f"*{token}*") == []
    assert await store.redeem_resume_token(token) == "chat-1"
    assert await store.redeem_resume_token(token) is None
    assert await store.redeem_resume_token("never-issued") is None


async def test_a_visitors_chat_is_created_live_and_with_its_token_in_one_round_trip(
    store: ChatStore, redis: Redis
) -> None:
    """An arrival's writes (the chat, its liveness, its first resume token) are one MULTI:
    they were four round trips for every arriving visitor."""
    before = await redis.info("commandstats")
    chat, token = await store.create_visitor_chat(
        Hello("youth", "sv", "18plus"),
        ChatState.WAITING,
        session_number=2,
        code_record=None,
        live_until_ms=1_234_567,
    )
    after = await redis.info("commandstats")

    def calls(stats: dict[str, Any], name: str) -> int:
        return int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))

    assert calls(after, "exec") - calls(before, "exec") == 1
    assert chat.session_number == 2
    assert await redis.zscore(LIVE_KEY, chat.id) == 1_234_567
    assert await redis.hget(chat_key(chat.id), "resume_key") == resume_key(token)
    assert await store.redeem_resume_token(token) == chat.id
    loaded = await store.load_chat(chat.id)
    assert loaded is not None
    assert loaded.state is ChatState.WAITING
    assert (await store.append_message(chat.id, "visitor", "hej")).created  # its data key works


async def test_queue_snapshot_lists_only_waiting_chats_with_totals(store: ChatStore) -> None:
    waiting = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
    await store.enqueue(waiting, 10, from_state=ChatState.WAITING)
    taken = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
    await store.enqueue(taken, 10, from_state=ChatState.WAITING)
    await store.claim_chat(taken, "anna", "Anna")
    snapshot = await store.queue_snapshot()
    assert snapshot.totals == {"youth": 1, "professional": 0}
    assert [item.chat.id for item in snapshot.items["youth"]] == [waiting.id]
    assert snapshot.items["professional"] == []
    assert await store.queue_lengths() == {"youth": 1, "professional": 0}
    assert await store.queue_positions([(waiting.id, "youth"), (taken.id, "youth")]) == {
        waiting.id: 1,
        taken.id: None,
    }
    accepts, handled = await store.wait_samples("youth")
    assert len(accepts) == 1
    assert handled == []
    assert await store.recent_accept_times("youth") == accepts


async def test_many_positions_of_one_channel_come_from_one_range(
    store: ChatStore, redis: Redis
) -> None:
    """From POSITIONS_BY_RANGE chats of a channel on, one ZRANGE instead of a ZRANK each, with
    the same answer: a departure from the front asks for every waiting visitor's place."""
    many = POSITIONS_BY_RANGE + 8
    youth = [
        await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
        for _ in range(many)
    ]
    for chat in youth:
        await store.enqueue(chat, 1000, from_state=ChatState.WAITING)
    adviser = await store.create_chat(Hello("professional", "sv", "18plus"), ChatState.WAITING)
    await store.enqueue(adviser, 1000, from_state=ChatState.WAITING)
    await store.claim_chat(youth[0], "anna", "Anna")  # the front leaves: everyone moves up
    asked = [(c.id, "youth") for c in youth] + [(adviser.id, "professional")]

    def calls(name: str) -> int:
        return int(redis_stats.get(f"cmdstat_{name}", {}).get("calls", 0))

    redis_stats = await redis.info("commandstats")
    ranks, ranges = calls("zrank"), calls("zrange")
    positions = await store.queue_positions(asked)
    redis_stats = await redis.info("commandstats")
    assert calls("zrange") - ranges == 1  # youth: one range
    assert calls("zrank") - ranks == 1  # professional: one chat, one ZRANK

    assert positions[youth[0].id] is None  # taken
    assert [positions[c.id] for c in youth[1:]] == list(range(1, many))
    assert positions[adviser.id] == 1
    few = await store.queue_positions([(youth[5].id, "youth"), (youth[9].id, "youth")])
    assert few == {youth[5].id: 5, youth[9].id: 9}


async def test_notes_and_secrets_are_sealed_and_read_back(store: ChatStore, redis: Redis) -> None:
    chat = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
    note = await store.add_note(chat.id, "anna", "called the school")
    await store.seal_secret(chat.id, "rc", "apple-pear-plum")
    dump = json.dumps(await redis.hgetall(chat_key(chat.id))) + json.dumps(
        await redis.lrange(f"f:chat:{chat.id}:notes", 0, -1)
    )
    assert "called the school" not in dump
    assert "apple-pear-plum" not in dump
    assert await store.read_notes(chat.id) == [note]
    assert await store.open_secret(chat.id, "rc") == "apple-pear-plum"
    assert await store.open_secret(chat.id, "other") is None
    await store.shred(chat.id)
    assert await store.open_secret(chat.id, "rc") is None
    assert await store.read_notes(chat.id) == []


async def test_an_expired_visitor_is_claimed_by_one_process_only(
    store: ChatStore, redis: Redis
) -> None:
    await store.keep_alive(["gone", "here"], 1)
    await store.keep_alive(["here"], 2**50)
    other = ChatStore(redis, MASTER_KEY)
    first, second = await asyncio.gather(store.claim_expired(), other.claim_expired())
    assert sorted(first + second) == ["gone"]
    assert await redis.zscore(LIVE_KEY, "here") is not None
    await store.keep_alive([], 1)  # nothing to do, and no error
    assert await store.ping()


# -- RedisBatcher ------------------------------------------------------------------------


async def test_the_batcher_sends_one_turn_as_one_pipeline_and_routes_each_reply(
    redis: Redis,
) -> None:
    batcher = RedisBatcher(redis)
    before = int((await redis.info("stats"))["total_commands_processed"])
    results: list[object] = await asyncio.gather(
        batcher.call("SET", "k1", "a"),
        batcher.call("GET", "k1"),
        batcher.call("INCR", "n"),
        batcher.call("INCR", "n"),
        return_exceptions=True,
    )
    after = int((await redis.info("stats"))["total_commands_processed"])
    assert results == [True, "a", 1, 2]
    # Four commands plus the INFO itself: one pipeline, in order.
    assert after - before == 5


async def test_the_batcher_gives_an_error_to_its_caller_only(redis: Redis) -> None:
    batcher = RedisBatcher(redis)
    await redis.set("text", "x")
    replies: list[object] = await asyncio.gather(
        batcher.call("SET", "k", "v"), batcher.call("INCR", "text"), return_exceptions=True
    )
    ok, bad = replies
    assert ok is True
    assert isinstance(bad, ResponseError)


async def test_a_batched_script_runs_again_after_redis_forgets_it(redis: Redis) -> None:
    batcher = RedisBatcher(redis)
    script = batcher.script("return ARGV[1] .. KEYS[1]")
    await redis.script_flush()
    assert await batcher.run_script(script, ["k"], ["v"]) == "vk"
    assert await batcher.run_script(script, ["k"], ["w"]) == "wk"


# -- the hub, over the real pub/sub transport --------------------------------------------


@pytest.fixture
async def hub(redis: Redis) -> AsyncIterator[EventHub]:
    transport = PubSubTransport(redis)
    hub = EventHub(transport)
    task = asyncio.create_task(transport.run(hub.dispatch))
    await asyncio.wait_for(transport.connected.wait(), WAIT_SECS)
    try:
        yield hub
    finally:
        task.cancel()
        await asyncio.wait([task], timeout=2)


async def _arrive(box: Box) -> Frame:
    await asyncio.wait_for(box.arrived.wait(), WAIT_SECS)
    box.arrived.clear()
    return box.frames[-1]


async def test_the_hub_delivers_to_the_registered_outboxes_only(hub: EventHub) -> None:
    visitor, other_visitor, anna, bo, watcher = Box(), Box(), Box(), Box(), Box()
    hub.register_visitor("c1", visitor)
    hub.register_visitor("c2", other_visitor)
    hub.register_staff("anna", anna)
    hub.register_staff("bo", bo)
    hub.watch_chat("c1", watcher)

    await hub.publish({"type": "msg", "seq": 1}, [to_visitor("c1"), to_chat_staff("c1")])
    assert await _arrive(visitor) == {"type": "msg", "seq": 1}
    assert await _arrive(watcher) == {"type": "msg", "seq": 1}

    await hub.publish({"type": "queue"}, [ALL_STAFF])
    assert await _arrive(anna) == {"type": "queue"}
    assert await _arrive(bo) == {"type": "queue"}

    await hub.publish({"type": "ended"}, [to_staff("bo")])
    assert await _arrive(bo) == {"type": "ended"}
    assert other_visitor.frames == []
    assert anna.frames == [{"type": "queue"}]
    assert visitor.frames == [{"type": "msg", "seq": 1}]


async def test_an_unregistered_outbox_hears_nothing_more(hub: EventHub) -> None:
    gone, stays = Box(), Box()
    hub.register_visitor("c1", gone)
    hub.register_visitor("c1", stays)
    hub.watch_chat("c1", gone)
    hub.unregister_visitor("c1", gone)
    hub.unwatch_chat("c1", gone)
    hub.unwatch_chat("never-watched", gone)  # nothing to forget: no error
    await hub.publish({"type": "msg"}, [to_visitor("c1"), to_chat_staff("c1")])
    assert await _arrive(stays) == {"type": "msg"}
    assert gone.frames == []
    assert hub.local_visitor_chats() == ["c1"]
    hub.unregister_visitor("c1", stays)
    assert hub.local_visitor_chats() == []


async def test_a_queue_change_reaches_the_listeners_and_no_socket(hub: EventHub) -> None:
    heard = asyncio.Event()
    staff = Box()
    hub.register_staff("anna", staff)
    hub.on_queue_change(heard.set)
    await hub.publish(None, [QUEUE_WATCHERS])
    await asyncio.wait_for(heard.wait(), WAIT_SECS)
    await hub.publish({"type": "after"}, [to_staff("anna")])
    assert await _arrive(staff) == {"type": "after"}
    assert staff.frames == [{"type": "after"}]


def test_a_malformed_event_is_dropped() -> None:
    class Nowhere:
        async def publish(self, payload: str) -> None:
            raise AssertionError("not published")

    hub = EventHub(Nowhere())
    box = Box()
    hub.register_visitor("c1", box)
    for payload in ("not json", "{}", '{"r": 5, "f": {}}', b"\xff"):
        hub.dispatch(payload)
    hub.dispatch(EventHub.encode({"type": "ok"}, [to_visitor("c1")]))
    assert box.frames == [{"type": "ok"}]


async def test_the_store_keeps_time_by_the_clock_it_is_given(redis: Redis) -> None:
    """One clock: every time the store writes (created, queued, accepted, a message, the end)
    and the liveness sweep's "now" come from the injected clock, not the wall clock."""
    now = [1_000.0]
    store = ChatStore(redis, MASTER_KEY, clock=lambda: now[0], retention_secs=60)
    chat = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
    await store.enqueue(chat, 10, from_state=ChatState.WAITING)
    now[0] = 1_002.0
    await store.claim_chat(chat, "anna", "Anna")
    message = await store.append_message(chat.id, "visitor", "hej")
    now[0] = 1_010.0
    await store.end_chat(chat, EndedBy.VISITOR)
    stored = await redis.hgetall(chat_key(chat.id))
    assert (stored["created_ms"], stored["queued_ms"]) == ("1000000", "1000000")
    assert (stored["accepted_ms"], stored["ended_ms"]) == ("1002000", "1010000")
    assert message.at_ms == 1_002_000
    assert await redis.lrange("f:handled:youth", 0, -1) == ["8"]  # 8 s held, by that clock
    await store.keep_alive(["due"], 1_009_999)
    assert await store.claim_expired() == ["due"]


async def test_arrivals_in_one_millisecond_keep_their_order(redis: Redis) -> None:
    """First come, first served: chats queued at the same clock reading (one millisecond, or
    processes whose clocks differ) are offered in the order they arrived, not by their ids."""
    store = ChatStore(redis, MASTER_KEY, clock=lambda: 5_000.0, retention_secs=60)
    arrived: list[str] = []
    for _ in range(30):
        chat = await store.create_chat(Hello("youth", "sv", "18plus"), ChatState.WAITING)
        assert await store.enqueue(chat, 100, from_state=ChatState.WAITING) == len(arrived) + 1
        arrived.append(chat.id)
    assert await redis.zrange(queue_key("youth"), 0, -1) == arrived
    assert sorted(arrived) != arrived  # positive control: id order would differ
    snapshot = await store.queue_snapshot(limit=30)
    assert [item.chat.id for item in snapshot.items["youth"]] == arrived
