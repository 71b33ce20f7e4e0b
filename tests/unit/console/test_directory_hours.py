"""Opening hours as Swedish organisations write them (issue 8): read, or honestly unknown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chat.domain.hours import OpeningHours
from counsellor_console.domain.directory_hours import ALWAYS, MAX_HOURS_CHARS, read_hours

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The week of Monday 23 November 2026.
MONDAY, FRIDAY, SATURDAY, SUNDAY = 23, 27, 28, 29


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=STOCKHOLM)


def windows(text: str) -> OpeningHours:
    hours = read_hours(text)
    assert isinstance(hours, OpeningHours), text
    return hours


class TestWeekdayForms:
    @pytest.mark.parametrize(
        "text",
        [
            "mån-fre 09-17",
            "mån\u2013fre 9\u201317",
            "Mån - Fre 9.00 - 17.00",
            "måndag\u2013fredag kl. 09:00\u201317:00",
            "måndag till fredag 9 till 17",
            "vardagar 9-17",
            "Vardagar kl 9-17",
            "helgfri vardag 9-17",
            "helgfria vardagar 09.00-17.00",
            "9-17 vardagar",
            "Öppettider: mån-fre 9-17",
            "mon-fri 09:00-17:00",
        ],
    )
    def test_monday_to_friday_nine_to_five(self, text: str) -> None:
        hours = windows(text)
        assert hours.is_open(at(MONDAY, 9))
        assert hours.is_open(at(FRIDAY, 16, 59))
        assert not hours.is_open(at(FRIDAY, 17))
        assert not hours.is_open(at(MONDAY, 8, 59))
        assert not hours.is_open(at(SATURDAY, 12))

    def test_several_parts(self) -> None:
        hours = windows("mån-tors 8-16.30, fre 8-15; lör 10-14")
        assert hours.is_open(at(MONDAY + 3, 16, 29))
        assert not hours.is_open(at(FRIDAY, 15, 30))
        assert hours.is_open(at(SATURDAY, 13))
        assert not hours.is_open(at(SUNDAY, 13))

    def test_lists_of_days(self) -> None:
        hours = windows("mån, ons och fre 13-16")
        assert hours.is_open(at(MONDAY, 14))
        assert not hours.is_open(at(MONDAY + 1, 14))
        assert hours.is_open(at(MONDAY + 2, 14))
        assert hours.is_open(at(FRIDAY, 14))

    def test_two_times_for_the_same_days(self) -> None:
        hours = windows("mån-fre 9-12, 13-16")
        assert hours.is_open(at(MONDAY, 11))
        assert not hours.is_open(at(MONDAY, 12, 30))
        assert hours.is_open(at(FRIDAY, 15))

    def test_weekend_and_closed_days(self) -> None:
        hours = windows("helger 10-14, mån-fre stängt")
        assert hours.is_open(at(SUNDAY, 12))
        assert not hours.is_open(at(MONDAY, 12))

    def test_past_midnight(self) -> None:
        hours = windows("fre-lör 22-02")
        assert hours.is_open(at(FRIDAY, 23))
        assert hours.is_open(at(SATURDAY, 1))
        assert hours.is_open(at(SUNDAY, 1, 59))
        assert not hours.is_open(at(SUNDAY, 2))

    def test_round_the_clock_on_some_days(self) -> None:
        hours = windows("lör-sön dygnet runt")
        assert hours.is_open(at(SATURDAY, 0))
        assert hours.is_open(at(SUNDAY, 23, 59))
        assert not hours.is_open(at(MONDAY, 12))


class TestAlwaysOpen:
    @pytest.mark.parametrize(
        "text", ["24/7", "dygnet runt", "Öppet dygnet runt", "alla dagar dygnet runt", "24h"]
    )
    def test_always(self, text: str) -> None:
        assert read_hours(text) is ALWAYS

    def test_every_day_all_day_is_always(self) -> None:
        assert read_hours("alla dagar 00-24") is ALWAYS


class TestUnknown:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "enligt överenskommelse",
            "mån-fre 9-17, jämna veckor",
            "helgdagar 10-14",
            "mån-fre",
            "9-17",
            "mån-fre 9",
            "mån-fre 17-17",
            "mån-fre 9-25",
            "mån- 9-17",
            "lunchstängt 12-13",
            "ring först!",
        ],
    )
    def test_unreadable_is_unknown(self, text: str) -> None:
        assert read_hours(text) is None

    def test_overlong_text_is_unknown(self) -> None:
        assert read_hours("mån-fre 9-17, " * (MAX_HOURS_CHARS // 10)) is None
