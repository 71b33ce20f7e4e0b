"""chat.domain.stats: what a fact counts towards, Stockholm days, export ranges, suppression,
CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from chat.domain.stats import (
    CSV_HEADER,
    MAX_EXPORT_DAYS,
    NOT_GIVEN,
    STATS_RETENTION_DAYS,
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    ContactFacts,
    DayRange,
    StatsError,
    StatsRangeError,
    add_counts,
    contact_counters,
    counter_field,
    end_counters,
    expires_at,
    leave_counters,
    parse_counter_field,
    parse_range,
    referral_counters,
    render_csv,
    shown_count,
    stockholm_day,
    survey_counters,
)


class TestSuppression:
    @pytest.mark.parametrize("count", [1, 2, 3, 4])
    def test_small_counts_are_suppressed(self, count: int) -> None:
        assert shown_count(count) == SUPPRESSED == "<5"

    @pytest.mark.parametrize("count", [5, 6, 100, 12345])
    def test_counts_from_the_threshold_are_shown(self, count: int) -> None:
        assert shown_count(count) == str(count)

    def test_threshold_is_five(self) -> None:
        assert SUPPRESSION_THRESHOLD == 5

    def test_negative_count_is_refused(self) -> None:
        with pytest.raises(ValueError, match="expected a count >= 0"):
            shown_count(-1)


class TestStockholmDay:
    def test_late_utc_evening_is_the_next_stockholm_day(self) -> None:
        moment = datetime(2025, 1, 14, 23, 30, tzinfo=UTC).timestamp()  # 00:30 in Stockholm
        assert stockholm_day(moment) == date(2025, 1, 15)

    def test_summer_time(self) -> None:
        moment = datetime(2025, 7, 1, 21, 59, tzinfo=UTC).timestamp()  # 23:59 CEST
        assert stockholm_day(moment) == date(2025, 7, 1)
        assert stockholm_day(moment + 120) == date(2025, 7, 2)

    def test_expiry_is_a_fixed_midnight_per_day(self) -> None:
        at = expires_at(date(2025, 3, 1))
        assert at % 86400 == 0
        expected = datetime(2025, 3, 2, tzinfo=UTC).timestamp() + STATS_RETENTION_DAYS * 86400
        assert at == int(expected)


class TestRange:
    def test_valid_range(self) -> None:
        span = parse_range("2025-01-30", "2025-02-02")
        assert span == DayRange(date(2025, 1, 30), date(2025, 2, 2))
        assert len(span) == 4
        assert list(span.days())[-1] == date(2025, 2, 2)

    def test_one_day(self) -> None:
        assert len(parse_range("2025-05-05", "2025-05-05")) == 1

    @pytest.mark.parametrize(
        ("first", "last", "message"),
        [
            (None, "2025-01-01", "from: required"),
            ("2025-01-01", None, "to: required"),
            ("", "2025-01-01", "from: required"),
            ("2025-1-01", "2025-01-01", "from: expected a date as YYYY-MM-DD"),
            ("2025-01-01", "yesterday", "to: expected a date as YYYY-MM-DD"),
            ("2025-13-01", "2025-12-31", "from: 2025-13-01 is not a calendar date"),
            ("2025-02-29", "2025-03-01", "from: 2025-02-29 is not a calendar date"),
            ("2025-01-01T00:00", "2025-01-02", "from: expected a date"),
            ("\uff12\uff10\uff12\uff15-01-01", "2025-01-02", "from: expected a date"),  # full-width
            ("2025-02-02", "2025-02-01", "from: expected a date on or before to"),
        ],
    )
    def test_bad_ranges_are_refused_with_a_clear_message(
        self, first: str | None, last: str | None, message: str
    ) -> None:
        with pytest.raises(StatsRangeError, match=message):
            parse_range(first, last)

    def test_range_is_bounded(self) -> None:
        span = DayRange(date(2020, 1, 1), date(2020, 1, 1))
        last = date.fromordinal(span.first.toordinal() + MAX_EXPORT_DAYS - 1)
        assert len(parse_range("2020-01-01", last.isoformat())) == MAX_EXPORT_DAYS
        too_far = date.fromordinal(last.toordinal() + 1).isoformat()
        with pytest.raises(StatsRangeError, match="at most"):
            parse_range("2020-01-01", too_far)

    def test_range_error_is_a_stats_error(self) -> None:
        assert issubclass(StatsRangeError, StatsError)


class TestCounters:
    def test_youth_contact(self) -> None:
        facts = ContactFacts(
            channel="youth", age="under18", gender="girl", kommun="0180", topic="control"
        )
        assert contact_counters(facts) == [
            ("contacts", "all"),
            ("contacts_channel", "youth"),
            ("contacts_age", "under18"),
            ("contacts_gender", "girl"),
            ("contacts_kommun", "0180"),
            ("contacts_topic", "control"),
            ("contacts_district", "0180-not_given"),
        ]

    def test_district_of_a_city_with_districts(self) -> None:
        facts = ContactFacts(channel="youth", age="unsaid", kommun="1280", district="rosengard")
        assert ("contacts_district", "1280-rosengard") in contact_counters(facts)

    @pytest.mark.parametrize(
        ("kommun", "district"),
        [("2480", "centrum"), ("2480", None), (None, "rosengard"), ("9999", "rosengard")],
    )
    def test_no_district_outside_the_three_cities(
        self, kommun: str | None, district: str | None
    ) -> None:
        facts = ContactFacts(channel="youth", age="unsaid", kommun=kommun, district=district)
        assert [m for m, _ in contact_counters(facts) if m == "contacts_district"] == []

    def test_an_unknown_district_counts_as_not_given(self) -> None:
        facts = ContactFacts(channel="youth", age="unsaid", kommun="0180", district="angered")
        assert ("contacts_district", "0180-not_given") in contact_counters(facts)

    def test_left_out_facts_count_as_not_given(self) -> None:
        counters = dict(contact_counters(ContactFacts(channel="youth", age="unsaid")))
        assert counters["contacts_gender"] == NOT_GIVEN
        assert counters["contacts_kommun"] == NOT_GIVEN
        assert counters["contacts_topic"] == NOT_GIVEN

    def test_professional_contact_adds_profession_and_kommun(self) -> None:
        facts = ContactFacts(
            channel="professional", age="18plus", kommun="1480", profession="school", over_cap=True
        )
        counters = contact_counters(facts)
        assert ("professionals_kommun", "1480") in counters
        assert ("professionals_profession", "school") in counters
        assert ("sessions_over_cap", "all") in counters

    def test_unchecked_values_never_reach_a_counter(self) -> None:
        facts = ContactFacts(
            channel="youth", age="12", gender="Anna", kommun="Stockholm", topic="<script>"
        )
        counters = dict(contact_counters(facts))
        assert counters["contacts_age"] == NOT_GIVEN
        assert counters["contacts_gender"] == NOT_GIVEN
        assert counters["contacts_kommun"] == NOT_GIVEN
        assert counters["contacts_topic"] == NOT_GIVEN

    def test_end_reasons(self) -> None:
        assert end_counters(["violence", "abroad", "violence", "nonsense"]) == [
            ("end_reason", "violence"),
            ("end_reason", "abroad"),
        ]
        assert end_counters([]) == [("end_reason", NOT_GIVEN)]

    def test_only_exit_and_timeout_are_counted_as_leaving(self) -> None:
        assert leave_counters("exit") == [("visitor_left", "exit")]
        assert leave_counters("timeout") == [("visitor_left", "timeout")]
        assert leave_counters("end") == []

    def test_referral_needs_a_directory_id(self) -> None:
        assert referral_counters("tjejjouren-7") == [("referrals_org", "tjejjouren-7")]
        assert referral_counters("Anna Svensson 0701234567") == []
        assert referral_counters("x" * 65) == []

    def test_survey_answers(self) -> None:
        assert survey_counters({"helped": 4, "felt_safe": "yes"}) == [
            ("survey_felt_safe", "yes"),
            ("survey_helped", "4"),
        ]

    def test_survey_with_anything_unknown_counts_nothing(self) -> None:
        assert survey_counters({"helped": 4, "comment": "my name is Sara"}) == []
        assert survey_counters({"felt_safe": "my name is Sara"}) == []


class TestFields:
    def test_round_trip(self) -> None:
        assert parse_counter_field(counter_field("contacts_kommun", "0180")) == (
            "contacts_kommun",
            "0180",
        )

    @pytest.mark.parametrize("text", ["nosep", "a|", "|b", "Contacts|x", "a|b c", "a|b|c"])
    def test_odd_fields_are_ignored(self, text: str) -> None:
        assert parse_counter_field(text) is None

    def test_add_counts_sums_days_and_skips_junk(self) -> None:
        total: dict[tuple[str, str], int] = {}
        add_counts(total, {"contacts|all": "3", "junk": "9", "contacts_age|18plus": "x"})
        add_counts(total, {"contacts|all": "4"})
        assert total == {("contacts", "all"): 7}


class TestCsv:
    def test_shape(self) -> None:
        span = DayRange(date(2025, 1, 1), date(2025, 1, 31))
        counts = {
            ("end_reason", "violence"): 2,
            ("contacts", "all"): 12,
            ("contacts_channel", "youth"): 9,
            ("contacts_channel", "professional"): 3,
            ("contacts_kommun", "0180"): 0,
            ("survey_helped", "5"): 7,
        }
        rows = list(csv.reader(io.StringIO(render_csv(span, counts))))
        assert tuple(rows[0]) == CSV_HEADER == ("from", "to", "measure", "category", "count")
        assert rows[1:] == [
            ["2025-01-01", "2025-01-31", "contacts", "all", "12"],
            ["2025-01-01", "2025-01-31", "contacts_channel", "professional", "<5"],
            # 9 is hidden: with the total 12 it would give the professional channel's 3 away.
            ["2025-01-01", "2025-01-31", "contacts_channel", "youth", ".."],
            ["2025-01-01", "2025-01-31", "end_reason", "violence", "<5"],
            ["2025-01-01", "2025-01-31", "survey_helped", "5", "7"],
        ]

    def test_every_count_is_a_whole_number_from_five_or_suppressed(self) -> None:
        span = DayRange(date(2025, 1, 1), date(2025, 1, 1))
        counts = {("contacts_kommun", f"{n:04d}"): n for n in range(30)}
        rows = list(csv.DictReader(io.StringIO(render_csv(span, counts))))
        assert len(rows) == 29  # the zero is left out
        for row in rows:
            count = row["count"]
            assert count in ("<5", "..") or (count.isdigit() and int(count) >= 5)

    def test_no_cell_can_run_as_a_formula(self) -> None:
        span = DayRange(date(2025, 1, 1), date(2025, 1, 1))
        counts = {("=cmd|' /C calc'!A0", "@SUM(A1)"): 9, ("contacts", "+46 8 123 45"): 7}
        rows = list(csv.reader(io.StringIO(render_csv(span, counts))))
        assert ["2025-01-01", "2025-01-01", "'=cmd|' /C calc'!A0", "'@SUM(A1)", "9"] in rows
        assert ["2025-01-01", "2025-01-01", "contacts", "+46 8 123 45", "7"] in rows

    def test_empty_export_has_the_header(self) -> None:
        span = DayRange(date(2025, 1, 1), date(2025, 1, 1))
        assert render_csv(span, {}) == "from,to,measure,category,count\n"
