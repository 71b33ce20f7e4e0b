"""Opening hours such as ``mon-fri 10:00-16:00; sat 12:00-15:00`` in Europe/Stockholm time.

Pure: the clock is always passed in, so closed/open edges are testable without waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SPEC_CHARS = 500
_PART = re.compile(
    r"^(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<h1>\d{1,2}):(?P<m1>\d{2})-(?P<h2>\d{1,2}):(?P<m2>\d{2})$"
)


class HoursFormatError(ValueError):
    """The opening-hours text cannot be read; the message says which part."""


@dataclass(frozen=True, slots=True)
class Window:
    weekday: int  # 0 = Monday
    start: time
    end: time  # exclusive; 24:00 is written as time.max


@dataclass(frozen=True, slots=True)
class OpeningHours:
    windows: tuple[Window, ...]

    def is_open(self, at: datetime) -> bool:
        """Whether chat is open at the given aware datetime."""
        local = at.astimezone(STOCKHOLM)
        now = local.time()
        return any(w.weekday == local.weekday() and w.start <= now < w.end for w in self.windows)

    def next_opening(self, at: datetime) -> datetime | None:
        """The next moment chat opens after ``at`` (within a week), as an aware datetime."""
        local = at.astimezone(STOCKHOLM)
        for day_offset in range(8):
            day = (local + timedelta(days=day_offset)).date()
            starts = sorted(w.start for w in self.windows if w.weekday == day.weekday())
            for start in starts:
                candidate = datetime.combine(day, start, tzinfo=STOCKHOLM)
                if candidate > local:
                    return candidate
        return None


def parse_opening_hours(text: str) -> OpeningHours:
    """Read ``mon-fri 10:00-16:00; sat 12:00-15:00``.

    Raises:
        HoursFormatError: a part is not ``DAY[-DAY] HH:MM-HH:MM`` or a time is out of range.
    """
    if len(text) > MAX_SPEC_CHARS:
        raise HoursFormatError("opening hours text is too long")
    windows: list[Window] = []
    for raw in text.lower().split(";"):
        part = " ".join(raw.split())
        if not part:
            continue
        match = _PART.match(part)
        if not match or match["d1"] not in DAYS or (match["d2"] and match["d2"] not in DAYS):
            raise HoursFormatError(f"cannot read opening hours part {part!r}")
        first = DAYS.index(match["d1"])
        last = DAYS.index(match["d2"]) if match["d2"] else first
        start = _clock(int(match["h1"]), int(match["m1"]), part)
        end = _clock(int(match["h2"]), int(match["m2"]), part)
        if end <= start:
            raise HoursFormatError(f"closing time is not after opening time in {part!r}")
        day = first
        while True:
            windows.append(Window(day, start, end))
            if day == last:
                break
            day = (day + 1) % 7
    if not windows:
        raise HoursFormatError("no opening hours given")
    return OpeningHours(tuple(windows))


def _clock(hour: int, minute: int, part: str) -> time:
    if hour == 24 and minute == 0:
        return time.max
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise HoursFormatError(f"time out of range in {part!r}")
    return time(hour, minute)
