"""Follow-up statistics that identify nobody: what is counted, by which day, and how it is shown.

Pure: no Redis, no clock of its own. ``chat/stores/stats_store.py`` keeps the counters; this module
says which (measure, category) pairs a fact adds to, which Stockholm day a moment belongs to,
how an export range is read, and how counts are written out (small numbers suppressed).

A counter is a whole number per (day, measure, category). Nothing finer than the day, no chat
id, no text: see docs/statistics.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from chat.domain.municipalities import districts, is_district, is_municipality
from chat.domain.stats_suppression import HIDDEN as HIDDEN  # re-exported: the export's markers
from chat.domain.stats_suppression import SUPPRESSED as SUPPRESSED
from chat.domain.stats_suppression import SUPPRESSION_THRESHOLD as SUPPRESSION_THRESHOLD
from chat.domain.stats_suppression import WITHHELD as WITHHELD
from chat.domain.stats_suppression import shown_cells
from chat.domain.survey import valid_answers
from chat.domain.topics import PROFESSIONS, TOPICS
from chat.wire.inbound import AGES, CHANNELS, GENDERS
from security.spreadsheet import neutralise_cell

STATS_ZONE: Final = ZoneInfo("Europe/Stockholm")
# Counts of 1 to 4 are written as SUPPRESSED in every export: a small group is a person; and
# cells that would give one away are HIDDEN or WITHHELD (chat.domain.stats_suppression).
#: How long a day's counters are kept: three years, so a yearly report can compare the
#: current year with the two before it (what the centre's funders ask for). See
#: docs/statistics.md.
STATS_RETENTION_DAYS: Final = 3 * 366
#: The longest export range: nothing older than the retention is left to export anyway.
MAX_EXPORT_DAYS: Final = STATS_RETENTION_DAYS + 1
CSV_HEADER: Final = ("from", "to", "measure", "category", "count")
#: The category for an optional fact the visitor left out.
NOT_GIVEN: Final = "not_given"
ALL: Final = "all"
FIELD_SEPARATOR: Final = "|"

# Measures, in export order. `contacts_*` cover every contact (a chat a counsellor accepted);
# `professionals_*` only the professional channel.
CONTACTS: Final = "contacts"
CONTACTS_CHANNEL: Final = "contacts_channel"
CONTACTS_AGE: Final = "contacts_age"
CONTACTS_GENDER: Final = "contacts_gender"
CONTACTS_KOMMUN: Final = "contacts_kommun"
CONTACTS_TOPIC: Final = "contacts_topic"
#: Contacts from a city with districts, by district: category ``{kommun}-{district}`` or
#: ``{kommun}-not_given``, so each city's districts add up to its ``contacts_kommun``.
CONTACTS_DISTRICT: Final = "contacts_district"
SESSIONS_OVER_CAP: Final = "sessions_over_cap"
PROFESSIONALS_KOMMUN: Final = "professionals_kommun"
PROFESSIONALS_PROFESSION: Final = "professionals_profession"
END_REASON: Final = "end_reason"
VISITOR_LEFT: Final = "visitor_left"
REFERRALS_ORG: Final = "referrals_org"
HANDOFFS: Final = "handoffs"
CONSULTATIONS_PROFESSION: Final = "consultations_profession"
CONSULTATIONS_KOMMUN: Final = "consultations_kommun"
SURVEY_PREFIX: Final = "survey_"
#: Console 1.1, Safety: escalations by level, blocked chats (chat/operations/safety.py).
ESCALATIONS: Final = "escalations"
BLOCKS: Final = "blocks"
ESCALATION_LEVELS: Final = ("acute", "concern")
MEASURES: Final = (
    CONTACTS,
    CONTACTS_CHANNEL,
    CONTACTS_AGE,
    CONTACTS_GENDER,
    CONTACTS_KOMMUN,
    CONTACTS_TOPIC,
    CONTACTS_DISTRICT,
    SESSIONS_OVER_CAP,
    PROFESSIONALS_KOMMUN,
    PROFESSIONALS_PROFESSION,
    END_REASON,
    VISITOR_LEFT,
    REFERRALS_ORG,
    HANDOFFS,
    CONSULTATIONS_PROFESSION,
    CONSULTATIONS_KOMMUN,
    ESCALATIONS,
    BLOCKS,
)
#: Warm hand-offs: to a colleague online, or back to the queue.
HANDOFF_KINDS: Final = ("colleague", "queue")
#: How a visitor's leaving is counted; a plain `end` is not (the counsellor's end reasons
#: and the contact count say enough).
COUNTED_LEAVES: Final = ("exit", "timeout")

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The directory's organisation ids (counsellor_console/domain/directory.py): nothing else is stored.
_ORG_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_CATEGORY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

Counts = dict[tuple[str, str], int]


class StatsError(Exception):
    """Base of the statistics' errors."""


class StatsRangeError(StatsError):
    """An export range that is not two dates as YYYY-MM-DD, in order, within the limit."""


@dataclass(frozen=True, slots=True)
class DayRange:
    """Whole Stockholm days, both ends included."""

    first: date
    last: date

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)

    def __len__(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """The non-identifying facts of one accepted chat, as the statistics count them."""

    channel: str
    age: str
    gender: str | None = None
    kommun: str | None = None
    topic: str | None = None
    profession: str | None = None
    over_cap: bool = False
    district: str | None = None


def stockholm_day(timestamp: float) -> date:
    """The Europe/Stockholm calendar date of a Unix time."""
    return datetime.fromtimestamp(timestamp, tz=UTC).astimezone(STATS_ZONE).date()


def parse_day(text: str, name: str) -> date:
    """A date written YYYY-MM-DD.

    Raises:
        StatsRangeError: anything else; the message names the parameter.
    """
    if not _DAY.fullmatch(text):
        raise StatsRangeError(f"{name}: expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StatsRangeError(f"{name}: {text} is not a calendar date") from None


def parse_range(first: str | None, last: str | None) -> DayRange:
    """The export range from the `from` and `to` parameters.

    Raises:
        StatsRangeError: a date is missing or malformed, `from` is after `to`, or the range
            is longer than MAX_EXPORT_DAYS.
    """
    if not first:
        raise StatsRangeError("from: required, a date as YYYY-MM-DD")
    if not last:
        raise StatsRangeError("to: required, a date as YYYY-MM-DD")
    span = DayRange(parse_day(first, "from"), parse_day(last, "to"))
    if span.first > span.last:
        raise StatsRangeError("from: expected a date on or before to")
    if len(span) > MAX_EXPORT_DAYS:
        raise StatsRangeError(f"to: a range covers at most {MAX_EXPORT_DAYS} days")
    return span


def expires_at(day: date, retention_days: int = STATS_RETENTION_DAYS) -> int:
    """When a day's counters expire: midnight UTC, ``retention_days`` after the day.

    A fixed moment per day, so a counter's TTL tells nothing about when it was last written.
    """
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1 + retention_days)
    return int(end.timestamp())


# -- what a fact adds to ---------------------------------------------------------------------


def _known(value: str | None, allowed: Iterable[str]) -> str:
    return value if value is not None and value in allowed else NOT_GIVEN


def contact_counters(facts: ContactFacts) -> list[tuple[str, str]]:
    """The counters one contact adds 1 to. Values outside the contract's sets count as
    not given: nothing unchecked reaches a counter."""
    kommun = facts.kommun if is_municipality(facts.kommun) else NOT_GIVEN
    counters = [
        (CONTACTS, ALL),
        (CONTACTS_CHANNEL, _known(facts.channel, CHANNELS)),
        (CONTACTS_AGE, _known(facts.age, AGES)),
        (CONTACTS_GENDER, _known(facts.gender, GENDERS)),
        (CONTACTS_KOMMUN, kommun),
        (CONTACTS_TOPIC, _known(facts.topic, TOPICS)),
    ]
    if kommun != NOT_GIVEN and districts(kommun):
        given = facts.district
        known = given if given is not None and is_district(kommun, given) else NOT_GIVEN
        counters.append((CONTACTS_DISTRICT, district_category(kommun, known)))
    if facts.over_cap:
        counters.append((SESSIONS_OVER_CAP, ALL))
    if facts.channel == "professional":
        counters.append((PROFESSIONALS_KOMMUN, kommun))
        counters.append((PROFESSIONALS_PROFESSION, _known(facts.profession, PROFESSIONS)))
    return counters


def district_category(kommun: str, district: str) -> str:
    """``0180-rinkeby-kista``: a district's category names its city."""
    return f"{kommun}-{district}"


def end_counters(reasons: Iterable[str]) -> list[tuple[str, str]]:
    """One per distinct known reason; an end without reasons counts as not given."""
    known = [r for r in dict.fromkeys(reasons) if r in TOPICS]
    return [(END_REASON, r) for r in known] or [(END_REASON, NOT_GIVEN)]


def leave_counters(how: str) -> list[tuple[str, str]]:
    return [(VISITOR_LEFT, how)] if how in COUNTED_LEAVES else []


def referral_counters(org_id: str) -> list[tuple[str, str]]:
    """Only a well-formed directory id is counted; anything else counts for nothing."""
    return [(REFERRALS_ORG, org_id)] if _ORG_ID.fullmatch(org_id) else []


def handoff_counters(kind: str) -> list[tuple[str, str]]:
    return [(HANDOFFS, kind)] if kind in HANDOFF_KINDS else []


def escalation_counters(level: str) -> list[tuple[str, str]]:
    return [(ESCALATIONS, level)] if level in ESCALATION_LEVELS else []


def block_counters() -> list[tuple[str, str]]:
    return [(BLOCKS, ALL)]


def consultation_counters(profession: str | None, kommun: str | None) -> list[tuple[str, str]]:
    """What a counsellor recorded about a professional's consultation (no personal data)."""
    counters: list[tuple[str, str]] = []
    if profession is not None and profession in PROFESSIONS:
        counters.append((CONSULTATIONS_PROFESSION, profession))
    if is_municipality(kommun):
        counters.append((CONSULTATIONS_KOMMUN, kommun))
    return counters


def survey_counters(answers: Mapping[str, str | int]) -> list[tuple[str, str]]:
    """One per answered question, only for the survey's own keys and options (no free text);
    an answer set with anything else counts for nothing."""
    clean = valid_answers(dict(answers))
    if clean is None:
        return []
    return [(SURVEY_PREFIX + key, value) for key, value in sorted(clean.items())]


def counter_field(measure: str, category: str) -> str:
    return f"{measure}{FIELD_SEPARATOR}{category}"


def parse_counter_field(text: str) -> tuple[str, str] | None:
    """The (measure, category) of a stored field, or None for anything unexpected."""
    measure, sep, category = text.partition(FIELD_SEPARATOR)
    if not sep or not _CATEGORY.fullmatch(measure) or not _CATEGORY.fullmatch(category):
        return None
    return measure, category


# -- showing counts --------------------------------------------------------------------------


def shown_count(count: int) -> str:
    """A count as it may be shown: the number from SUPPRESSION_THRESHOLD up, else ``<5``."""
    if count < 0:
        raise ValueError(f"expected a count >= 0, got {count}")
    if 0 < count < SUPPRESSION_THRESHOLD:
        return SUPPRESSED
    return str(count)


def _measure_rank(measure: str) -> tuple[int, str]:
    if measure in MEASURES:
        return MEASURES.index(measure), measure
    return len(MEASURES), measure


def ordered_rows(counts: Mapping[tuple[str, str], int]) -> list[tuple[str, str, str]]:
    """(measure, category, shown) in export order: zero counts left out, small ones and those
    that would give a small one away suppressed (chat.domain.stats_suppression.shown_cells)."""
    shown = shown_cells(counts)
    keys = sorted(shown, key=lambda k: (_measure_rank(k[0]), k[1]))
    return [(measure, category, shown[measure, category]) for measure, category in keys]


def render_csv(span: DayRange, counts: Mapping[tuple[str, str], int]) -> str:
    """The export: header ``from,to,measure,category,count``, one row per non-zero counter."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    first, last = span.first.isoformat(), span.last.isoformat()
    for measure, category, count in ordered_rows(counts):
        # Codes only, but a spreadsheet opens this: no cell may ever run as a formula.
        writer.writerow(tuple(map(neutralise_cell, (first, last, measure, category, count))))
    return out.getvalue()


def add_counts(total: Counts, day: Mapping[str, str]) -> None:
    """Add one day's stored hash (field -> count) into ``total``; odd fields are skipped."""
    for text, value in day.items():
        key = parse_counter_field(text)
        if key is None or not value.isdigit():
            continue
        total[key] = total.get(key, 0) + int(value)
