"""Opening hours as Swedish organisations write them, read for the directory's "open now".

A centre's spreadsheet says ``mån-fre 09-17``, ``mån\u2013fre 9\u201317`` (en dashes),
``vardagar 8.30-16.30``, ``dygnet runt`` or ``helgfri vardag kl. 9-12, 13-15`` (issue 8).
The directory keeps the text exactly as written, shown on the card, and never refuses a row
for it; this module only tries to *read* it. What it cannot read counts as unknown, so "open
now" leaves it out: an organisation is listed as open only when its hours say so.

Pure. Understood, case-insensitively:

- days: ``måndag``/``mån``/``må`` ... ``söndag``/``sön``/``sö`` (plurals such as ``måndagar``
  too), English ``mon`` ... ``sun``; ranges with ``-``, an en or em dash, or ``till``; lists with
  ``,``, ``och``, ``samt``, ``&``;
- ``vardagar``, ``vardag``, ``helgfri vardag``, ``helgfria vardagar`` (Monday to Friday: public
  holidays are not known here, so a holiday can show as open), ``helger``, ``helg``
  (Saturday and Sunday), ``alla dagar``, ``varje dag``, ``dagligen``;
- times: ``9-17``, ``09-17``, ``8.30-16.30``, ``08:30 - 16:30``, with or without ``kl``,
  ``kl.``, ``klockan``; ``dygnet runt``, ``24/7`` and ``24h``; a time past midnight
  (``22-02``) runs into the next day; ``stängt`` closes the days before it;
- filler words ``öppet``, ``öppettider``, ``telefontid``, ``mellan``.

Anything else (``jämna veckor``, ``enligt överenskommelse``, a word this module does not know)
makes the whole text unknown, rather than a guess that might send a young person to a closed
door.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Final

from chat.core_api import HoursFormatError, OpeningHours, Window, parse_opening_hours

__all__ = ["ALWAYS", "AlwaysOpen", "read_hours"]

#: The longest hours text read at all (the field itself may be longer; it is then unknown).
MAX_HOURS_CHARS: Final = 300
_WEEK: Final = tuple(range(7))
EN_DASH: Final = "\u2013"
EM_DASH: Final = "\u2014"
_ALL_DAY: Final = "@allday"


@dataclass(frozen=True, slots=True)
class AlwaysOpen:
    """Open every hour of every day."""


ALWAYS: Final = AlwaysOpen()

_DAY_NAMES: Final = (
    ("måndag", "mån", "må", "mon", "monday"),
    ("tisdag", "tis", "ti", "tue", "tues", "tuesday"),
    ("onsdag", "ons", "on", "wed", "wednesday"),
    ("torsdag", "tors", "tor", "to", "thu", "thur", "thurs", "thursday"),
    ("fredag", "fre", "fr", "fri", "friday"),
    ("lördag", "lör", "lö", "sat", "saturday"),
    ("söndag", "sön", "sö", "sun", "sunday"),
)
# Each name, and for the full names also "måndagar" and "måndagen", to its weekday (0 = Monday).
_DAY_WORDS: Final[dict[str, int]] = {
    name + ending: index
    for index, names in enumerate(_DAY_NAMES)
    for name in names
    for ending in (("", "ar", "en") if name.endswith("dag") else ("",))
}

# Multi-word forms first, replaced by one token each before the text is split.
_PHRASES: Final = (
    (re.compile(r"\bhelgfria?\s+vardag(?:ar)?\b"), " @weekdays "),
    (re.compile(r"\b(?:alla\s+(?:veckans\s+)?dagar|varje\s+dag|dagligen)\b"), " @alldays "),
    (re.compile(r"\b(?:öppet\s+)?dygnet\s+runt\b|\b24\s*/\s*7\b|\b24\s*h\b"), " @allday "),
    (re.compile(r"\bvardag(?:ar)?\b"), " @weekdays "),
    (re.compile(r"\bhelg(?:er|en)?\b"), " @weekend "),
)
_GROUPS: Final[dict[str, tuple[int, ...]]] = {
    "@weekdays": (0, 1, 2, 3, 4),
    "@weekend": (5, 6),
    "@alldays": _WEEK,
}
_FILLER: Final = frozenset(
    {"kl", "kl.", "klockan", "öppet", "öppen", "öppettider", "telefontid", "mellan", ":"}
)
_JOINERS: Final = frozenset({",", "och", "samt", "&", "+", "/"})
_RANGE: Final = frozenset({"-", "till"})
_CLOCK: Final = r"\d{1,2}(?:[.:]\d{2})?"
_TIME_SPAN: Final = re.compile(rf"({_CLOCK})\s*(?:-|till)\s*({_CLOCK})")
_TOKEN: Final = re.compile(rf"@[a-z]+|{_CLOCK}\s*(?:-|till)\s*{_CLOCK}|[^\W\d_]+\.?|[-,&+/:]")


class _UnreadableError(Exception):
    """The text holds something this module does not understand."""


def read_hours(text: str) -> AlwaysOpen | OpeningHours | None:
    """The hours a directory row's text states, or None when they cannot be read.

    Args:
        text: the ``hours`` cell as imported (any text).

    Returns:
        :data:`ALWAYS` for round-the-clock help, the weekly windows otherwise, or None for an
        empty or unreadable text (unknown: never counted as open).
    """
    if not text.strip() or len(text) > MAX_HOURS_CHARS:
        return None
    try:
        return parse_opening_hours(text)  # the service's own form: mon-fri 08:00-17:00
    except HoursFormatError:
        pass
    try:
        return _read_swedish(text)
    except _UnreadableError:
        return None


def _normalise(text: str) -> str:
    lowered = text.casefold().replace(EN_DASH, "-").replace(EM_DASH, "-").replace(";", ",")
    lowered = re.sub(r"\s+", " ", lowered)
    for pattern, token in _PHRASES:
        lowered = pattern.sub(token, lowered)
    return lowered


def _tokens(text: str) -> list[str]:
    normal = _normalise(text)
    tokens = _TOKEN.findall(normal)
    if re.sub(r"\s+", "", _TOKEN.sub("", normal)):
        raise _UnreadableError  # characters that are neither words, times nor separators
    return tokens


def _clock(text: str) -> time:
    hour, _, minute = text.replace(".", ":").partition(":")
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time.max
    if not (0 <= h < 24 and 0 <= m < 60):
        raise _UnreadableError
    return time(h, m)


def _windows(days: tuple[int, ...], start: time, end: time) -> list[Window]:
    if end > start:
        return [Window(day, start, end) for day in days]
    # Past midnight: the evening on the day, the early hours on the next.
    out = [Window(day, start, time.max) for day in days]
    out += [Window((day + 1) % 7, time(0, 0), end) for day in days if end != time(0, 0)]
    return out


def _day_range(first: int, last: int) -> tuple[int, ...]:
    days = [first]
    while days[-1] != last:
        days.append((days[-1] + 1) % 7)
    return tuple(days)


@dataclass(slots=True)
class _Reader:
    """Days gathered so far, the last days a time was given for, and the windows read."""

    days: list[int]
    last_days: tuple[int, ...]
    pending_time: tuple[time, time] | None
    windows: list[Window]
    ranging: bool = False
    always: bool = False

    def add_days(self, days: tuple[int, ...]) -> None:
        if self.ranging:
            if len(days) != 1 or not self.days:
                raise _UnreadableError
            first = self.days.pop()
            self.days.extend(_day_range(first, days[0]))
            self.ranging = False
        else:
            self.days.extend(days)
        if self.pending_time is not None:  # "9-17 vardagar": the time came first
            self.add_time(*self.pending_time)
            self.pending_time = None

    def add_time(self, start: time, end: time) -> None:
        if self.ranging or start == end:
            raise _UnreadableError
        days = tuple(dict.fromkeys(self.days)) or self.last_days
        if not days:
            if self.pending_time is not None:
                raise _UnreadableError
            self.pending_time = (start, end)
            return
        self.windows += _windows(days, start, end)
        self.last_days, self.days = days, []

    def close_days(self) -> None:
        if not self.days:
            raise _UnreadableError
        self.last_days, self.days = (), []

    def add_all_day(self) -> None:
        """``dygnet runt``: for the days just named, or for every day when none were."""
        if self.days:
            self.add_time(time(0, 0), time.max)
        else:
            self.always = True


def _read_swedish(text: str) -> AlwaysOpen | OpeningHours:
    reader = _Reader(days=[], last_days=(), pending_time=None, windows=[])
    for token in _tokens(text):
        span = _TIME_SPAN.fullmatch(token)
        if span:
            reader.add_time(_clock(span[1]), _clock(span[2]))
        elif token == _ALL_DAY:
            reader.add_all_day()
        elif token in _GROUPS:
            reader.add_days(_GROUPS[token])
        elif token.rstrip(".") in _DAY_WORDS:
            reader.add_days((_DAY_WORDS[token.rstrip(".")],))
        elif token in _RANGE and reader.days and not reader.ranging:
            reader.ranging = True
        elif token in {"stängt", "stängd"}:
            reader.close_days()
        elif token not in _FILLER and token not in _JOINERS:
            raise _UnreadableError
    if reader.ranging or reader.pending_time is not None or reader.days:
        raise _UnreadableError  # a range without its end, a time without days, days without a time
    if reader.always:
        return ALWAYS
    if not reader.windows:
        raise _UnreadableError
    if {(w.weekday, w.start, w.end) for w in reader.windows} >= {
        (d, time(0, 0), time.max) for d in _WEEK
    }:
        return ALWAYS
    return OpeningHours(tuple(reader.windows))
