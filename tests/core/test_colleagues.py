"""Colleagues and limits in process, on a real Redis: the limit inside the claim under many
concurrent accepts, and the queue's `match` copies (one per set of languages, not per
console)."""

from __future__ import annotations

import asyncio

import pytest

from chat.stores.limits_store import AtLimitError, LimitsStore, PausedError
from chat.wire.inbound import Hello
from counsellor_console.live.colleagues import Colleagues
from counsellor_console.stores.audit_store import AuditLog
from counsellor_console.stores.store import StaffStore
from security.roles import Role, StaffIdentity
from tests.core.conftest import MASTER_KEY, Core

ANNA = StaffIdentity("anna", "Anna", Role.COUNSELLOR)


async def queued_chats(core: Core, n: int, lang: str = "sv") -> list[str]:
    ids = []
    for _ in range(n):
        chat = await core.ops.open_chat(Hello("youth", lang, "18plus"))
        await core.ops.admit(chat)
        ids.append(chat.id)
    return ids


async def test_concurrent_accepts_never_exceed_the_limit(core: Core) -> None:
    chats = await queued_chats(core, 12)

    async def attempt(chat_id: str) -> str:
        try:
            won = await core.ops.accept(chat_id, ANNA, limit=3)
        except AtLimitError:
            return "at_limit"
        return "won" if won is not None else "taken"

    outcomes = await asyncio.gather(*(attempt(c) for c in chats for _ in range(3)))
    assert outcomes.count("won") == 3, outcomes
    assert set(outcomes) == {"won", "at_limit", "taken"}
    assert len(await core.store.counsellor_chats("anna")) == 3
    # The refused chats are still queued.
    snapshot = await core.store.queue_snapshot()
    assert len(snapshot.items["youth"]) == 9


async def test_a_pause_refuses_accepts_until_it_ends(core: Core) -> None:
    [chat] = await queued_chats(core, 1)
    await LimitsStore(core.redis).pause("anna", 1)
    with pytest.raises(PausedError):
        await core.ops.accept(chat, ANNA, limit=3)
    await asyncio.sleep(1.1)
    assert await core.ops.accept(chat, ANNA, limit=3) is not None


async def test_match_copies_are_shared_by_language(core: Core) -> None:
    staff = StaffStore(core.redis, MASTER_KEY)
    pw = "not-a-real-hash"  # never checked here: nobody logs in
    for name, langs in (("lena", ("ar", "fa")), ("omar", ("fa", "ar")), ("sam", ("so",))):
        await staff.add_user(name, name.title(), Role.COUNSELLOR, pw, b"k" * 20, languages=langs)
    colleagues = Colleagues(core.ops, staff, AuditLog(core.redis), lambda: ())
    for name in ("lena", "omar", "sam", "anna"):
        await colleagues.joined(name)
    await queued_chats(core, 2, "ar")
    await queued_chats(core, 1, "sv")
    frame = await core.ops.queue_frame()

    lena = colleagues.for_console(frame, "lena")
    assert [i.get("match") for i in lena["items"]] == [True, True, None]
    assert colleagues.for_console(frame, "omar") is lena  # same languages: the same copy
    assert colleagues.for_console(frame, "sam") is frame  # no chat in Somali: the shared one
    assert colleagues.for_console(frame, "anna") is frame  # no languages at all
    assert not any("match" in i for i in frame["items"])  # the shared frame is untouched
