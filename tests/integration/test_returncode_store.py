"""Return-code records on a real Redis: finding, counting, summaries, left messages, forgetting,
TTLs, and a scan of every key and value that finds nothing of a code in clear."""

from __future__ import annotations

import base64
import itertools
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from chat.domain.returncode import (
    CODE_WORDS,
    LOOKUP_WORDS,
    WORDS,
    ReturnCode,
    fold_word,
    normalise_code,
    split_code,
)
from chat.stores.returncode_store import (
    INBOX_KEY,
    MAX_LEFT_MESSAGE_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_THREAD_MESSAGES,
    CodeRecord,
    MessageAuthor,
    ReturnCodeMismatchError,
    ReturnCodeSpaceError,
    ReturnCodeStore,
    ReturnCodeTextError,
    UnknownRecordError,
    chats_key,
    messages_key,
    record_key,
)

PEPPER = b"p" * 32
TTL_SECS = 3600
NOW = 1_800_000_000.0


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """Decoded responses, as the service's client (service/redis_pool.py) is made."""
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def raw_redis(redis_url: str) -> AsyncIterator[Redis]:
    """Bytes responses, the client's default: the store must work with both."""
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def clock() -> list[float]:
    return [NOW]


@pytest.fixture
def store(redis: Redis, clock: list[float]) -> ReturnCodeStore:
    return ReturnCodeStore(redis, PEPPER, TTL_SECS, clock=lambda: clock[0])


def other_secret(code: ReturnCode) -> ReturnCode:
    """Same lookup part, different secret part."""
    words = code.split(" ")
    words[-1] = WORDS[(WORDS.index(words[-1]) + 1) % len(WORDS)]
    return ReturnCode(" ".join(words))


def as_typed(code: str) -> str:
    """How a young person might type it: capitals, hyphens, no Swedish letters."""
    return "-".join(fold_word(w).upper() for w in code.split(" "))


async def scan_everything(redis: Redis) -> list[str]:
    """Every key name and every value in the database, as text."""
    raw = Redis(connection_pool=redis.connection_pool)
    out: list[str] = []
    async for key in raw.scan_iter():
        name = key.decode() if isinstance(key, bytes) else key
        out.append(name)
        kind = await raw.type(name)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "string":
            out.append(str(await raw.get(name)))
        elif kind == "hash":
            out += [str(x) for pair in (await raw.hgetall(name)).items() for x in pair]
        elif kind == "list":
            out += [str(x) for x in await raw.lrange(name, 0, -1)]
        elif kind == "zset":
            out += [str(x) for x in await raw.zrange(name, 0, -1)]
        elif kind == "set":
            out += [str(x) for x in await raw.smembers(name)]
        else:
            pytest.fail(f"unexpected key type {kind}")
    return out


async def all_keys(redis: Redis) -> list[str]:
    return [k.decode() if isinstance(k, bytes) else k async for k in redis.scan_iter()]


class TestIssueAndFind:
    async def test_issued_code_finds_its_record(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        found = await store.find(code)
        assert found is not None
        assert found.record_id == record.record_id
        assert found.created == record.created

    async def test_code_as_typed_finds_the_record(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        found = await store.find(as_typed(code))
        assert found is not None
        assert found.record_id == record.record_id

    async def test_code_is_canonical(self, store: ReturnCodeStore) -> None:
        code, _ = await store.issue()
        assert normalise_code(code) == code
        assert len(code.split(" ")) == CODE_WORDS

    async def test_wrong_secret_part_finds_nothing(self, store: ReturnCodeStore) -> None:
        code, _ = await store.issue()
        assert await store.find(other_secret(code)) is None

    async def test_unknown_code_finds_nothing(self, store: ReturnCodeStore) -> None:
        assert await store.find("blåbär kanel sol ekorre päron moln") is None

    @pytest.mark.parametrize(
        "text", ["", "hej", "blåbär kanel sol ekorre päron mojn", "x" * 10_000]
    )
    async def test_malformed_text_finds_nothing(self, store: ReturnCodeStore, text: str) -> None:
        assert await store.find(text) is None

    async def test_find_marks_the_record_used(
        self, store: ReturnCodeStore, clock: list[float]
    ) -> None:
        code, record = await store.issue()
        clock[0] = NOW + 500
        found = await store.find(code)
        assert found is not None
        assert found.last_used.timestamp() == NOW + 500
        assert found.created == record.created

    async def test_records_do_not_share_a_lookup_part(self, redis: Redis) -> None:
        first = normalise_code("blåbär kanel sol ekorre päron moln")
        clash = normalise_code("blåbär kanel ost boll hatt lampa")
        third = normalise_code("gran moln sol ekorre päron moln")
        draws = iter([first, clash, third])
        store = ReturnCodeStore(redis, PEPPER, TTL_SECS, draw_code=lambda: next(draws))
        assert (await store.issue())[0] == first
        assert (await store.issue())[0] == third  # the clash was skipped
        assert await store.find(clash) is None
        assert await store.find(first) is not None

    async def test_gives_up_when_every_lookup_is_taken(self, redis: Redis) -> None:
        code = normalise_code("blåbär kanel sol ekorre päron moln")
        store = ReturnCodeStore(redis, PEPPER, TTL_SECS, draw_code=lambda: code)
        await store.issue()
        with pytest.raises(ReturnCodeSpaceError):
            await store.issue()

    async def test_pepper_matters(self, redis: Redis, store: ReturnCodeStore) -> None:
        code, _ = await store.issue()
        other = ReturnCodeStore(redis, b"q" * 32, TTL_SECS)
        assert await other.find(code) is None

    def test_rejects_a_short_pepper(self, redis: Redis) -> None:
        with pytest.raises(ValueError, match="at least 16 bytes"):
            ReturnCodeStore(redis, b"short", TTL_SECS)


class TestCounting:
    async def test_counts_only_counted_chats(self, store: ReturnCodeStore) -> None:
        _, record = await store.issue()
        await store.link_chat(record, "chat-a", counted=False)
        await store.link_chat(record, "chat-b", counted=True)
        assert await store.count_sessions(record) == 1
        await store.mark_counted(record, "chat-a")
        assert await store.count_sessions(record) == 2

    async def test_uncounted_link_never_uncounts(self, store: ReturnCodeStore) -> None:
        _, record = await store.issue()
        await store.link_chat(record, "chat-a", counted=True)
        await store.link_chat(record, "chat-a", counted=False)
        assert await store.count_sessions(record) == 1

    async def test_same_chat_counts_once(self, store: ReturnCodeStore) -> None:
        _, record = await store.issue()
        for _ in range(3):
            await store.mark_counted(record, "chat-a")
        assert await store.count_sessions(record) == 1

    async def test_six_sessions_on_one_code(self, store: ReturnCodeStore) -> None:
        code, _ = await store.issue()
        for number in range(1, 7):
            record = await store.find(code)
            assert record is not None
            assert await store.count_sessions(record) + 1 == number  # session.number
            await store.link_chat(record, f"chat-{number}", counted=False)
            await store.mark_counted(record, f"chat-{number}")  # a counsellor accepted
        record = await store.find(code)
        assert record is not None
        assert await store.count_sessions(record) == 6

    async def test_new_record_has_no_sessions(self, store: ReturnCodeStore) -> None:
        _, record = await store.issue()
        assert await store.count_sessions(record) == 0


class TestSummary:
    async def test_readable_with_the_code(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.save_summary(code, record, "Pratade om skolan. Vill ha hjälp att flytta.")
        found = await store.find(as_typed(code))
        assert found is not None
        assert await store.read_summary(as_typed(code), found) == (
            "Pratade om skolan. Vill ha hjälp att flytta."
        )

    async def test_none_before_any_summary(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        assert await store.read_summary(code, record) is None

    async def test_latest_summary_wins(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.save_summary(code, record, "först")
        await store.save_summary(code, record, "sedan")
        assert await store.read_summary(code, record) == "sedan"

    async def test_unreadable_with_a_wrong_secret_part(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.save_summary(code, record, "hemlig sammanfattning")
        assert await store.read_summary(other_secret(code), record) is None

    async def test_unreadable_by_the_service_alone(
        self, redis: Redis, store: ReturnCodeStore
    ) -> None:
        """With the pepper (the service's secret) but not the code, the blob stays sealed."""
        code, record = await store.issue()
        await store.save_summary(code, record, "hemlig sammanfattning")
        blob = await redis.hget(record_key(record.record_id), "summary")
        assert blob is not None
        assert b"hemlig" not in base64.b64decode(blob)

    async def test_another_records_code_is_refused(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        other_code, _ = await store.issue()
        with pytest.raises(ReturnCodeMismatchError):
            await store.save_summary(other_code, record, "text")
        with pytest.raises(ReturnCodeMismatchError):
            await store.read_summary(other_code, record)
        with pytest.raises(ReturnCodeMismatchError):
            await store.read_summary("inte en kod", record)
        assert code != other_code

    @pytest.mark.parametrize("text", ["", "   ", "x" * (MAX_SUMMARY_CHARS + 1)])
    async def test_rejects_empty_or_long_text(self, store: ReturnCodeStore, text: str) -> None:
        code, record = await store.issue()
        with pytest.raises(ReturnCodeTextError):
            await store.save_summary(code, record, text)

    async def test_accepts_text_at_the_bound(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.save_summary(code, record, "x" * MAX_SUMMARY_CHARS)
        assert await store.read_summary(code, record) == "x" * MAX_SUMMARY_CHARS


class TestLeftMessages:
    async def test_message_reply_round_trip(
        self, store: ReturnCodeStore, clock: list[float]
    ) -> None:
        code, record = await store.issue()
        await store.leave_message(code, record, "Kan någon höra av sig i morgon?")
        clock[0] = NOW + 60
        await store.leave_message(code, record, "Jag kan efter skolan.")
        [item] = await store.unanswered()
        assert item.record_id == record.record_id
        assert item.unanswered == 2
        assert item.waiting_since.timestamp() == NOW
        staff_view = await store.thread(item.record_id)
        assert [m.text for m in staff_view] == [
            "Kan någon höra av sig i morgon?",
            "Jag kan efter skolan.",
        ]
        clock[0] = NOW + 3600
        await store.reply(item.record_id, "Hej! Vi har öppet i morgon 15-18.")
        assert await store.unanswered() == []
        found = await store.find(code)
        assert found is not None
        seen = await store.messages(code, found)
        assert [(m.author, m.text) for m in seen] == [
            (MessageAuthor.VISITOR, "Kan någon höra av sig i morgon?"),
            (MessageAuthor.VISITOR, "Jag kan efter skolan."),
            (MessageAuthor.COUNSELLOR, "Hej! Vi har öppet i morgon 15-18."),
        ]
        assert seen[-1].at.timestamp() == NOW + 3600

    async def test_inbox_is_oldest_first(self, store: ReturnCodeStore, clock: list[float]) -> None:
        code_a, record_a = await store.issue()
        code_b, record_b = await store.issue()
        clock[0] = NOW + 10
        await store.leave_message(code_b, record_b, "b")
        clock[0] = NOW + 20
        await store.leave_message(code_a, record_a, "a")
        assert [i.record_id for i in await store.unanswered()] == [
            record_b.record_id,
            record_a.record_id,
        ]

    async def test_new_message_after_reply_lists_again(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.leave_message(code, record, "ett")
        await store.reply(record.record_id, "svar")
        await store.leave_message(code, record, "två")
        [item] = await store.unanswered()
        assert item.unanswered == 1

    async def test_thread_is_bounded(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        for n in range(MAX_THREAD_MESSAGES + 5):
            await store.leave_message(code, record, f"meddelande {n}")
        texts = [m.text for m in await store.thread(record.record_id)]
        assert len(texts) == MAX_THREAD_MESSAGES
        assert texts[-1] == f"meddelande {MAX_THREAD_MESSAGES + 4}"

    async def test_messages_need_the_records_code(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        other_code, _ = await store.issue()
        with pytest.raises(ReturnCodeMismatchError):
            await store.leave_message(other_code, record, "hej")
        with pytest.raises(ReturnCodeMismatchError):
            await store.messages(other_code, record)
        assert code != other_code

    @pytest.mark.parametrize("text", ["", " \n", "x" * (MAX_LEFT_MESSAGE_CHARS + 1)])
    async def test_rejects_empty_or_long_text(self, store: ReturnCodeStore, text: str) -> None:
        code, record = await store.issue()
        with pytest.raises(ReturnCodeTextError):
            await store.leave_message(code, record, text)
        with pytest.raises(ReturnCodeTextError):
            await store.reply(record.record_id, text)

    async def test_unknown_record(self, store: ReturnCodeStore) -> None:
        with pytest.raises(UnknownRecordError):
            await store.thread("0" * 64)
        with pytest.raises(UnknownRecordError):
            await store.reply("0" * 64, "hej")

    async def test_inbox_drops_expired_records(self, redis: Redis, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.leave_message(code, record, "hej")
        await redis.delete(record_key(record.record_id))  # as if it had expired
        assert await store.unanswered() == []
        assert await redis.zcard(INBOX_KEY) == 0


class TestForget:
    async def test_forget_deletes_everything_now(
        self, redis: Redis, store: ReturnCodeStore
    ) -> None:
        code, record = await store.issue()
        kept, _ = await store.issue()
        await store.link_chat(record, "chat-a", counted=True)
        await store.save_summary(code, record, "sammanfattning")
        await store.leave_message(code, record, "hej")
        assert await store.forget(as_typed(code)) is True
        rid = record.record_id
        assert not any(rid in key for key in await all_keys(redis))
        assert await redis.zscore(INBOX_KEY, rid) is None
        assert await store.find(code) is None
        assert await store.find(kept) is not None

    async def test_forget_unknown_or_wrong_code(self, store: ReturnCodeStore) -> None:
        code, _ = await store.issue()
        assert await store.forget("blåbär kanel sol ekorre päron moln") is False
        assert await store.forget(other_secret(code)) is False
        assert await store.forget("inte en kod") is False
        assert await store.find(code) is not None

    async def test_forgotten_record_cannot_be_written(self, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.forget(code)
        with pytest.raises(UnknownRecordError):
            await store.link_chat(record, "chat-a", counted=True)
        with pytest.raises(UnknownRecordError):
            await store.leave_message(code, record, "hej")
        with pytest.raises(UnknownRecordError):
            await store.save_summary(code, record, "text")


async def use_every_method(store: ReturnCodeStore, code: str, record: CodeRecord) -> None:
    await store.link_chat(record, "chat-one", counted=False)
    await store.mark_counted(record, "chat-one")
    await store.link_chat(record, "chat-two", counted=True)
    await store.count_sessions(record)
    await store.save_summary(code, record, "Summary: talked about moving out.")
    await store.read_summary(code, record)
    await store.leave_message(code, record, "A message left while closed.")
    await store.unanswered()
    await store.thread(record.record_id)
    await store.reply(record.record_id, "A reply from a counsellor.")
    await store.messages(code, record)


async def test_works_with_a_bytes_client(raw_redis: Redis) -> None:
    store = ReturnCodeStore(raw_redis, PEPPER, TTL_SECS)
    code, record = await store.issue()
    await use_every_method(store, code, record)
    found = await store.find(as_typed(code))
    assert found is not None
    assert await store.count_sessions(found) == 2
    assert await store.read_summary(code, found) == "Summary: talked about moving out."
    assert [m.author for m in await store.messages(code, found)] == [
        MessageAuthor.VISITOR,
        MessageAuthor.COUNSELLOR,
    ]
    assert await store.forget(code) is True


class TestTtl:
    async def test_every_key_has_the_ttl(self, redis: Redis, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await use_every_method(store, code, record)
        await store.leave_message(code, record, "Another one, so the inbox is not empty.")
        keys = await all_keys(redis)
        assert set(keys) == {
            record_key(record.record_id),
            chats_key(record.record_id),
            messages_key(record.record_id),
            INBOX_KEY,
        }
        for key in keys:
            assert 0 < await redis.ttl(key) <= TTL_SECS, key

    async def test_use_refreshes_the_ttl(self, redis: Redis, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await store.link_chat(record, "chat-a", counted=True)
        await store.leave_message(code, record, "hej")
        keys = [record_key(record.record_id), chats_key(record.record_id)]
        keys.append(messages_key(record.record_id))
        for key in keys:
            await redis.expire(key, 5)
        assert await store.find(code) is not None
        for key in keys:
            assert await redis.ttl(key) > TTL_SECS - 5, key

    async def test_reply_refreshes_but_staff_reading_does_not(
        self, redis: Redis, store: ReturnCodeStore
    ) -> None:
        code, record = await store.issue()
        await store.leave_message(code, record, "hej")
        key = record_key(record.record_id)
        await redis.expire(key, 5)
        await store.thread(record.record_id)
        await store.unanswered()
        assert await redis.ttl(key) <= 5
        await store.reply(record.record_id, "svar")
        assert await redis.ttl(key) > TTL_SECS - 5

    async def test_expired_record_is_gone(self, redis: Redis, store: ReturnCodeStore) -> None:
        code, record = await store.issue()
        await redis.delete(*await all_keys(redis))  # what the TTL does
        assert await store.find(code) is None
        with pytest.raises(UnknownRecordError):
            await store.link_chat(record, "chat-a", counted=True)
        assert await all_keys(redis) == []  # and nothing was brought back to life


def forms(words: list[str]) -> set[str]:
    """Ways a run of code words could appear if it were stored in clear."""
    out: set[str] = set()
    for sep in (" ", "-", "", "_", ".", ","):
        joined = sep.join(words)
        out |= {joined, fold_word(joined), joined.upper(), fold_word(joined).upper()}
    return out


class TestNothingInClear:
    async def test_scan_finds_no_code_part(self, redis: Redis, store: ReturnCodeStore) -> None:
        codes: list[ReturnCode] = []
        for _ in range(3):
            code, record = await store.issue()
            codes.append(code)
            await use_every_method(store, as_typed(code), record)
            found = await store.find(code)
            assert found is not None
        gone, _ = await store.issue()
        await store.forget(gone)
        codes.append(gone)

        everything = "\n".join(await scan_everything(redis))
        assert everything  # the scan saw the data
        for code in codes:
            words = code.split(" ")
            parts = split_code(code)
            needles: set[str] = set()
            for a, b in itertools.pairwise(words):  # any two consecutive words
                needles |= forms([a, b])
            needles |= forms(parts.lookup.split(" ")) | forms(parts.secret.split(" "))
            needles |= forms(words)
            leaked = sorted(n for n in needles if n in everything)
            assert leaked == [], f"code text found in Redis: {leaked}"
        for text in ("talked about moving out", "left while closed", "reply from a counsellor"):
            assert text not in everything
        for chat_id in ("chat-one", "chat-two"):
            assert chat_id not in everything
        assert LOOKUP_WORDS >= 2  # so a pair check covers the whole lookup part
