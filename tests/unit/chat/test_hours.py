"""Opening hours in Stockholm time, with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat.domain.hours import HoursFormatError, parse_opening_hours

HOURS = parse_opening_hours("mon-fri 10:00-16:00; sat 12:00-15:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_open_inside_a_window() -> None:
    assert HOURS.is_open(at("2026-11-23T10:00:00+01:00"))  # Monday 10:00 Stockholm
    assert not HOURS.is_open(at("2026-11-23T16:00:00+01:00"))  # closing time is exclusive
    assert not HOURS.is_open(at("2026-11-22T13:00:00+01:00"))  # Sunday


def test_next_opening_skips_closed_days() -> None:
    opens = HOURS.next_opening(at("2026-11-22T13:00:00+01:00"))
    assert opens is not None
    assert opens.isoformat() == "2026-11-23T10:00:00+01:00"


def test_summer_time() -> None:
    assert HOURS.is_open(at("2026-06-15T08:30:00+00:00"))  # 10:30 CEST


@pytest.mark.parametrize(
    "text", ["", "weekdays 9-5", "mon 10:00-09:00", "mon 25:00-26:00", "xyz 10:00-11:00"]
)
def test_bad_hours(text: str) -> None:
    with pytest.raises(HoursFormatError):
        parse_opening_hours(text)


def test_wraps_over_the_week_end() -> None:
    hours = parse_opening_hours("sat-mon 10:00-11:00")
    assert hours.is_open(at("2026-11-22T10:30:00+01:00"))  # Sunday
