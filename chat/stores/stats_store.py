"""The follow-up statistics' counters in Redis, and the short list of recent waits.

Keys::

    f:stats:{YYYY-MM-DD}      hash   "measure|category" -> count, for one Stockholm day;
                                     expires at a fixed moment per day
                                     (chat.domain.stats.expires_at)
    f:monitor:waits:{channel} list   seconds waited by the most recently accepted chats
                                     (newest first, at most RECENT_WAITS_KEPT, 1 hour TTL)

A stats key holds counts and nothing else: no chat id, no text, no time finer than its day.
To count a chat once however often it is accepted (a transfer back to the queue and a second
accept), the contact script sets a ``stats_counted`` flag in the chat's own hash, which goes
when the chat does.

Recording never raises: statistics must not break a chat. A failure is logged and lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Final

import structlog
from redis.asyncio import Redis

from chat.domain.records import ChatRecord
from chat.domain.stats import (
    STATS_RETENTION_DAYS,
    ContactFacts,
    Counts,
    DayRange,
    add_counts,
    block_counters,
    consultation_counters,
    contact_counters,
    counter_field,
    end_counters,
    escalation_counters,
    expires_at,
    handoff_counters,
    leave_counters,
    parse_counter_field,
    referral_counters,
    stockholm_day,
    survey_counters,
)
from chat.stores.base_store import PREFIX, as_hash, as_texts, chat_key

log = structlog.get_logger(__name__)

RECENT_WAITS_KEPT: Final = 30
RECENT_WAITS_TTL_SECS: Final = 3600
COUNTED_FLAG: Final = "stats_counted"
#: Measures of the console's risk guide: ``risk_{question}|{yes|no|dont_know}``.
RISK_PREFIX: Final = "risk_"

# KEYS[1] the day's hash, KEYS[2] the chat's hash; ARGV[1] expiry (unix s), ARGV[2] the flag,
# ARGV[3..] the fields to add 1 to.
_COUNT_CONTACT = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[2], '1') == 0 then return 0 end
for i = 3, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return 1
"""


def day_key(day: date) -> str:
    return f"{PREFIX}stats:{day.isoformat()}"


def waits_key(channel: str) -> str:
    return f"{PREFIX}monitor:waits:{channel}"


class StatsRecorder:
    """Adds to the day's counters. Create one per process and share it."""

    def __init__(
        self,
        redis: Redis,
        *,
        clock: Callable[[], float],
        retention_days: int = STATS_RETENTION_DAYS,
    ) -> None:
        self._redis = redis
        self._clock = clock
        self._retention_days = retention_days
        self._count_contact = redis.register_script(_COUNT_CONTACT)

    def _today(self) -> date:
        return stockholm_day(self._clock())

    async def _add(self, counters: Iterable[tuple[str, str]], what: str) -> None:
        fields = [counter_field(m, c) for m, c in counters]
        if not fields:
            return
        day = self._today()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for name in fields:
                    pipe.hincrby(day_key(day), name, 1)
                pipe.expireat(day_key(day), expires_at(day, self._retention_days))
                await pipe.execute()
        except Exception as exc:
            log.warning("stats_record_failed", what=what, error=type(exc).__name__)

    async def record_contact(self, chat: ChatRecord, session_cap: int) -> None:
        """Count an accepted chat's facts, once per chat; note how long it waited."""
        facts = ContactFacts(
            channel=chat.channel,
            age=chat.age,
            gender=chat.gender,
            kommun=chat.kommun,
            district=chat.district,
            topic=chat.topic,
            profession=chat.profession,
            over_cap=chat.session_number > session_cap,
        )
        fields = [counter_field(m, c) for m, c in contact_counters(facts)]
        day = self._today()
        now = self._clock()
        waited = max(0, round(now - (chat.queued_ms or chat.created_ms) / 1000))
        try:
            await self._count_contact(
                keys=[day_key(day), chat_key(chat.id)],
                args=[expires_at(day, self._retention_days), COUNTED_FLAG, *fields],
            )
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.lpush(waits_key(chat.channel), waited)
                pipe.ltrim(waits_key(chat.channel), 0, RECENT_WAITS_KEPT - 1)
                pipe.expire(waits_key(chat.channel), RECENT_WAITS_TTL_SECS)
                await pipe.execute()
        except Exception as exc:
            log.warning("stats_record_failed", what="contact", error=type(exc).__name__)

    async def record_end(self, reasons: Iterable[str]) -> None:
        """The reason codes a counsellor gave when ending a chat."""
        await self._add(end_counters(reasons), "end")

    async def record_visitor_left(self, how: str) -> None:
        """A quick exit or a timeout (a plain end is not counted here)."""
        await self._add(leave_counters(how), "leave")

    async def record_referral(self, org_id: str) -> None:
        """A referral to a directory organisation, counted by its id."""
        await self._add(referral_counters(org_id), "referral")

    async def record_handoff(self, kind: str) -> None:
        """A warm hand-off: to a colleague, or back to the queue."""
        await self._add(handoff_counters(kind), "handoff")

    async def record_escalation(self, level: str) -> None:
        """A counsellor escalated a chat to the supervisors (``acute`` or ``concern``)."""
        await self._add(escalation_counters(level), "escalation")

    async def record_block(self) -> None:
        """A chat ended by a block (nothing about it but the day's count)."""
        await self._add(block_counters(), "block")

    async def record_consultation(self, profession: str | None, kommun: str | None) -> None:
        await self._add(consultation_counters(profession, kommun), "consultation")

    async def record_survey(self, answers: Mapping[str, str | int]) -> None:
        """A visitor's survey answers, per question and answer; an invalid set counts nothing."""
        await self._add(survey_counters(answers), "survey")

    async def record_risk(self, answers: Mapping[str, str]) -> None:
        """The risk guide's answers, per question and answer (no chat, no person); a set with
        anything that is not a plain key counts nothing."""
        counters = [(RISK_PREFIX + key, value) for key, value in sorted(answers.items())]
        if any(parse_counter_field(counter_field(m, c)) is None for m, c in counters):
            return
        await self._add(counters, "risk")


class StatsReader:
    """Reads the counters back, for the export and the supervisors' overview."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def counts(self, span: DayRange) -> Counts:
        """Every counter summed over the range (unsuppressed: callers show them suppressed)."""
        days = list(span.days())
        total: Counts = {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for day in days:
                pipe.hgetall(day_key(day))
            raws = await pipe.execute()
        for raw in raws:
            add_counts(total, as_hash(raw))
        return total

    async def recent_waits(self, channel: str) -> list[int]:
        """Seconds waited by the most recently accepted chats of a channel, newest first."""
        raw = as_texts(await self._redis.lrange(waits_key(channel), 0, RECENT_WAITS_KEPT - 1))
        return [int(v) for v in raw if v.isdigit()]
