"""The referral directory: CSV import and export, visitor cards, staff view, search."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from counsellor_console.domain.directory import (
    COLUMNS,
    MAX_FIELD_CHARS,
    Org,
    public_card,
    staff_view,
)
from counsellor_console.domain.directory_csv import (
    RowError,
    export_directory_csv,
    parse_directory_csv,
)
from counsellor_console.domain.directory_search import filter_orgs, is_open

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HEADER = ",".join(COLUMNS)
STAFF_FIELDS = ("contact_person", "contact_email", "substitute", "substitute_email")


def row(**values: str) -> str:
    """A CSV line with the given columns set and sensible defaults for the rest."""
    base = {
        "id": "org",
        "name": "Org",
        "helps_with": "Hjälper",
        "topics": "violence",
        "kommuner": "0180",
        "languages": "sv",
        "phone": "08-123 456",
    }
    base.update(values)
    return ",".join(f'"{base.get(c, "")}"' for c in COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


FULL = Org(
    id="ungdomsjouren",
    name="Ungdomsjouren Söder",
    helps_with="Samtal för unga om kontroll och hot hemma",
    topics=("control", "violence"),
    kommuner=("0180", "0182"),
    languages=("sv", "ar"),
    phone="08-123 45 67",
    web="https://example.se/jour",
    email="jour@example.se",
    address="Götgatan 1, Stockholm",
    hours="mon-fri 08:00-17:00; sat 10:00-14:00",
    contact_person="Kontaktperson Exempel",
    contact_email="kontakt@example.se",
    substitute="Ersättare Exempel",
    substitute_email="ersattare@example.se",
    source="https://example.se/om",
    checked=date(2026, 11, 22),
)


class TestImport:
    def test_reads_a_valid_row(self) -> None:
        report = parse_directory_csv(export_directory_csv([FULL]))
        assert report.errors == ()
        assert report.orgs == (FULL,)

    def test_tolerates_a_byte_order_mark_and_blank_lines(self) -> None:
        text = "\ufeff" + csv_text(row(id="a"), "", row(id="b"))
        report = parse_directory_csv(text)
        assert [o.id for o in report.orgs] == ["a", "b"]
        assert report.errors == ()

    def test_header_in_another_order(self) -> None:
        columns = list(reversed(COLUMNS))
        text = (
            ",".join(columns)
            + "\n"
            + ",".join(
                {
                    "id": "x",
                    "name": "X",
                    "helps_with": "h",
                    "kommuner": "*",
                    "web": "https://x.se",
                }.get(c, "")
                for c in columns
            )
        )
        report = parse_directory_csv(text)
        assert report.errors == ()
        assert report.orgs[0].kommuner == ("*",)

    def test_bad_rows_are_reported_by_line_and_good_rows_kept(self) -> None:
        text = csv_text(
            row(id="good-1"),  # line 2
            row(id="bad-kommun", kommuner="180"),  # 3
            row(id="bad-topic", topics="violence;weather"),  # 4
            row(id="no-name", name=""),  # 5
            row(id="good-1", name="Again"),  # 6
            row(id="bad-email", email="jour.example.se"),  # 7
            row(id="bad-source", source="Socialtjänsten\x07"),  # 8
            '"short","row"',  # 9
            row(id="bad-date", checked="22/11/2026"),  # 10
            row(id="bad-web", web="www.example.se"),  # 11
            row(id="Bad Id"),  # 12
            row(id="no-contact", phone=""),  # 13
            row(id="good-2", kommuner="*", hours="24/7"),  # 14
        )
        report = parse_directory_csv(text)
        assert [o.id for o in report.orgs] == ["good-1", "good-2"]
        lines = {e.line: e.message for e in report.errors}
        assert sorted(lines) == list(range(3, 14))
        assert lines[3].startswith("kommuner:")
        assert "weather" in lines[4]
        assert lines[5] == "name: required, but empty"
        assert "already used on line 2" in lines[6]
        assert lines[7].startswith("email:")
        assert lines[8].startswith("source:")
        assert lines[9] == f"expected {len(COLUMNS)} columns, got 2"
        assert lines[10].startswith("checked:")
        assert lines[11].startswith("web:")
        assert lines[12].startswith("id:")
        assert lines[13].startswith("contact:")

    @pytest.mark.parametrize(
        "source",
        ["Socialtjänsten, telefon 2026-11-01", "Eget samtal med enhetschefen", "https://x.se/om"],
    )
    def test_source_takes_any_text(self, source: str) -> None:
        report = parse_directory_csv(csv_text(row(id="s", source=source)))
        assert report.errors == ()
        assert report.orgs[0].source == source

    @pytest.mark.parametrize(
        "hours",
        [
            "mån-fre 09-17",
            "mån\u2013fre 9\u201317",
            "dygnet runt",
            "vardagar",
            "ring och fråga",
            "x" * 900,
        ],
    )
    def test_hours_never_refuse_a_row_and_are_kept_as_written(self, hours: str) -> None:
        report = parse_directory_csv(csv_text(row(id="h", hours=hours)))
        assert report.errors == ()
        assert report.orgs[0].hours == hours
        assert {"kind": "hours", "value": hours} in public_card(report.orgs[0])["contact"]

    def test_hours_on_several_lines_become_one(self) -> None:
        report = parse_directory_csv(csv_text(row(id="h", hours="mån-fre 9-17\nlör 10-14")))
        assert report.orgs[0].hours == "mån-fre 9-17; lör 10-14"

    def test_line_numbers_count_quoted_newlines(self) -> None:
        text = csv_text(row(id="a", helps_with="två\nrader"), row(id="b", kommuner="99"))
        report = parse_directory_csv(text)
        assert report.errors == (RowError(4, report.errors[0].message),)
        assert report.orgs[0].helps_with == "två\nrader"

    @pytest.mark.parametrize(
        ("kommuner", "ok"),
        [
            ("0180", True),
            ("0180;0182", True),
            ("*", True),
            ("*;0180", False),
            ("0299", False),
            ("01800", False),
            ("0100", False),  # a real county prefix, but no such municipality
            ("2584;1280;0980", True),
        ],
    )
    def test_kommun_codes(self, kommuner: str, ok: bool) -> None:
        report = parse_directory_csv(csv_text(row(kommuner=kommuner)))
        assert bool(report.orgs) is ok

    def test_wrong_header_imports_nothing(self) -> None:
        report = parse_directory_csv("id,name\nx,X\n")
        assert report.orgs == ()
        [error] = report.errors
        assert error.line == 1
        assert "missing helps_with" in error.message

    def test_empty_file(self) -> None:
        assert parse_directory_csv("").errors == (RowError(1, "empty file: expected a header row"),)

    def test_field_length_is_bounded(self) -> None:
        report = parse_directory_csv(csv_text(row(helps_with="x" * (MAX_FIELD_CHARS + 1))))
        assert report.errors[0].message == f"helps_with: longer than {MAX_FIELD_CHARS} characters"

    def test_round_trip(self) -> None:
        seed = seed_text()
        first = parse_directory_csv(seed)
        exported = export_directory_csv(first.orgs)
        second = parse_directory_csv(exported)
        assert second.errors == ()
        assert second.orgs == first.orgs
        assert export_directory_csv(second.orgs) == exported

    def test_export_marks_formulas_as_text_and_import_unmarks_them(self) -> None:
        hostile = Org(
            id="jouren",
            name='=HYPERLINK("https://evil.test","Klicka")',
            helps_with="@SUM(A1:A9)",
            topics=("violence",),
            kommuner=("0180",),
            languages=("sv",),
            phone="+46 8 123 45",
            address="'=already quoted",
        )
        text = export_directory_csv([hostile])
        (row,) = csv.DictReader(io.StringIO(text))
        assert row["name"] == "'" + hostile.name
        assert row["helps_with"] == "'@SUM(A1:A9)"
        assert row["phone"] == "+46 8 123 45"
        assert row["address"] == "''=already quoted"
        assert parse_directory_csv(text).orgs == (hostile,)

    def test_export_header(self) -> None:
        assert export_directory_csv([]).splitlines() == [HEADER]


def seed_text() -> str:
    return (
        resources.files("counsellor_console")
        .joinpath("data", "directory_stockholm.csv")
        .read_text(encoding="utf-8")
    )


class TestSeed:
    def test_parses_without_errors(self) -> None:
        report = parse_directory_csv(seed_text())
        assert report.errors == ()
        assert len(report.orgs) >= 10

    def test_every_entry_has_a_source_and_check_date(self) -> None:
        for org in parse_directory_csv(seed_text()).orgs:
            assert org.source.startswith("https://"), org.id
            assert org.checked == date(2026, 11, 22), org.id

    def test_no_named_contact_people(self) -> None:
        for org in parse_directory_csv(seed_text()).orgs:
            assert all(getattr(org, f) == "" for f in STAFF_FIELDS), org.id

    def test_national_helplines(self) -> None:
        by_id = {o.id: o for o in parse_directory_csv(seed_text()).orgs}
        assert by_id["sos-112"].phone == "112"
        assert by_id["bris"].phone == "116 111"
        assert by_id["kvinnofridslinjen"].phone == "020-50 50 50"
        assert by_id["polisen-11414"].phone == "114 14"


class TestPublicCard:
    def test_card_shape(self) -> None:
        assert public_card(FULL) == {
            "name": "Ungdomsjouren Söder",
            "helps_with": "Samtal för unga om kontroll och hot hemma",
            "contact": [
                {"kind": "phone", "value": "08-123 45 67"},
                {"kind": "web", "value": "https://example.se/jour"},
                {"kind": "email", "value": "jour@example.se"},
                {"kind": "address", "value": "Götgatan 1, Stockholm"},
                {"kind": "hours", "value": "mon-fri 08:00-17:00; sat 10:00-14:00"},
            ],
        }

    def test_never_carries_staff_fields(self) -> None:
        card = public_card(FULL)
        text = repr(card)
        for field in STAFF_FIELDS:
            assert field not in card
            assert getattr(FULL, field) not in text
        assert "kontakt@example.se" not in text
        assert FULL.source not in text

    def test_leaves_out_empty_contact_ways(self) -> None:
        org = parse_directory_csv(csv_text(row(id="p", phone="112"))).orgs[0]
        assert public_card(org)["contact"] == [{"kind": "phone", "value": "112"}]


class TestStaffView:
    def test_shape(self) -> None:
        view = staff_view(FULL)
        assert view["id"] == "ungdomsjouren"
        assert view["kommun"] == ["0180", "0182"]
        assert view["languages"] == ["sv", "ar"]
        assert view["contact"] == public_card(FULL)["contact"]
        assert view["contact_person"] == "Kontaktperson Exempel"
        assert view["substitute_email"] == "ersattare@example.se"
        assert view["checked"] == "2026-11-22"
        assert view["source"] == view["source_url"] == "https://example.se/om"

    @pytest.mark.parametrize(
        ("source", "link"),
        [
            ("https://kommun.se/stod", "https://kommun.se/stod"),
            ("Socialtjänsten, telefon 2026-11-01", None),
            ("http://kommun.se/stod", None),
            ("javascript:alert(1)", None),
            ("https://a.se/ och https://b.se/", None),
            ("", None),
        ],
    )
    def test_source_is_a_link_only_when_https(self, source: str, link: str | None) -> None:
        org = parse_directory_csv(csv_text(row(id="s", source=source))).orgs[0]
        assert staff_view(org)["source_url"] == link
        assert staff_view(org)["source"] == source


ORGS = parse_directory_csv(
    csv_text(
        row(
            id="national",
            name="Riks",
            kommuner="*",
            topics="violence",
            languages="sv;en",
            hours="24/7",
        ),
        row(
            id="solna",
            name="Solna jour",
            kommuner="0184",
            topics="control",
            languages="sv;ar",
            helps_with="Stöd vid hedersförtryck",
            hours="mon-fri 09:00-17:00",
        ),
        row(
            id="stockholm",
            name="Söderjouren",
            kommuner="0180;0182",
            topics="violence;housing",
            languages="sv",
            helps_with="Skyddat boende",
        ),
    )
).orgs


def ids(orgs: list[Org]) -> list[str]:
    return [o.id for o in orgs]


class TestFilter:
    def test_no_filters_keep_everything(self) -> None:
        assert ids(filter_orgs(ORGS)) == ["national", "solna", "stockholm"]

    def test_kommun_includes_national(self) -> None:
        assert ids(filter_orgs(ORGS, kommun="0184")) == ["national", "solna"]
        assert ids(filter_orgs(ORGS, kommun="0182")) == ["national", "stockholm"]

    def test_topic(self) -> None:
        assert ids(filter_orgs(ORGS, topic="housing")) == ["stockholm"]

    def test_lang(self) -> None:
        assert ids(filter_orgs(ORGS, lang="ar")) == ["solna"]
        assert ids(filter_orgs(ORGS, lang="EN")) == ["national"]

    @pytest.mark.parametrize("q", ["hedersförtryck", "HEDERSFORTRYCK", "solna", "jour stöd"])
    def test_text_ignores_case_and_diacritics(self, q: str) -> None:
        assert ids(filter_orgs(ORGS, q=q)) == ["solna"]

    def test_text_searches_the_name(self) -> None:
        assert ids(filter_orgs(ORGS, q="soder")) == ["stockholm"]

    def test_open_now(self) -> None:
        tuesday_noon = datetime(2026, 11, 24, 12, 0, tzinfo=STOCKHOLM)
        tuesday_night = datetime(2026, 11, 24, 22, 0, tzinfo=STOCKHOLM)
        assert ids(filter_orgs(ORGS, open_at=tuesday_noon)) == ["national", "solna"]
        assert ids(filter_orgs(ORGS, open_at=tuesday_night)) == ["national"]

    def test_filters_combine(self) -> None:
        assert ids(filter_orgs(ORGS, kommun="0184", lang="sv", topic="control")) == ["solna"]


class TestIsOpen:
    SOLNA = ORGS[1]

    def test_within_and_outside_hours(self) -> None:
        assert is_open(self.SOLNA, datetime(2026, 11, 24, 16, 59, tzinfo=STOCKHOLM))
        assert not is_open(self.SOLNA, datetime(2026, 11, 24, 17, 0, tzinfo=STOCKHOLM))
        assert not is_open(self.SOLNA, datetime(2026, 11, 28, 12, 0, tzinfo=STOCKHOLM))

    def test_uses_stockholm_time(self) -> None:
        # 08:30 UTC in winter is 09:30 in Stockholm.
        assert is_open(self.SOLNA, datetime(2026, 11, 24, 8, 30, tzinfo=UTC))

    def test_always_open(self) -> None:
        assert is_open(ORGS[0], datetime(2026, 12, 25, 3, 0, tzinfo=STOCKHOLM))

    def test_unknown_hours_are_not_open(self) -> None:
        assert not is_open(ORGS[2], datetime(2026, 11, 24, 12, 0, tzinfo=STOCKHOLM))

    def test_swedish_hours_as_a_centre_writes_them(self) -> None:
        org = parse_directory_csv(csv_text(row(id="s", hours="mån-fre 09-17"))).orgs[0]
        assert is_open(org, datetime(2026, 11, 24, 12, 0, tzinfo=STOCKHOLM))
        assert not is_open(org, datetime(2026, 11, 28, 12, 0, tzinfo=STOCKHOLM))

    def test_unreadable_hours_are_unknown_not_open(self) -> None:
        org = parse_directory_csv(csv_text(row(id="s", hours="enligt överenskommelse"))).orgs[0]
        assert not is_open(org, datetime(2026, 11, 24, 12, 0, tzinfo=STOCKHOLM))

    def test_naive_datetime_is_refused(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            is_open(ORGS[0], datetime(2026, 11, 24, 12, 0))  # noqa: DTZ001 (the point)
