"""The chat's operations against a real Redis, without a socket: what each one stores."""

from __future__ import annotations

from chat.domain.protocol import ChatState
from chat.stores.base_store import chat_key
from chat.wire.inbound import Hello
from tests.core.conftest import Core


async def test_an_adult_is_never_stored_in_notice_nor_marked_as_having_seen_it(
    core: Core,
) -> None:
    """Issue 9: adults were created in NOTICE and the enqueue script marked the notice they
    never saw as acknowledged."""
    chat = await core.ops.open_chat(Hello("youth", "sv", "18plus"))
    assert chat.state is ChatState.WAITING
    assert await core.redis.hget(chat_key(chat.id), "state") == "waiting"
    admission = await core.ops.admit(chat)
    assert admission.queued
    stored = await core.store.load_chat(chat.id)
    assert stored is not None
    assert stored.state is ChatState.WAITING
    assert stored.notice_acked is False
    assert await core.redis.hget(chat_key(chat.id), "notice_acked") is None


async def test_a_minor_waits_in_notice_until_the_notice_is_acknowledged(core: Core) -> None:
    chat = await core.ops.open_chat(Hello("youth", "sv", "under18"))
    assert chat.state is ChatState.NOTICE
    assert core.ops.needs_notice(chat)
    stored = await core.store.load_chat(chat.id)
    assert stored is not None
    assert stored.notice_acked is False
    await core.ops.ack_notice(chat)
    assert (await core.ops.admit(chat)).queued
    stored = await core.store.load_chat(chat.id)
    assert stored is not None
    assert stored.state is ChatState.WAITING
    assert stored.notice_acked is True
