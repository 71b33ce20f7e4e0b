"""The experts' space's check for what identifies a person (issue 13)."""

from __future__ import annotations

import pytest

from counsellor_console.network.checker import (
    NAMES,
    FindingKind,
    check_text,
    is_personal_number,
    luhn_ok,
)

# Valid numbers, checksums worked by hand: 19121212-1212 is the Tax Agency's own example.
VALID = [
    "811218-9876",
    "8112189876",
    "19811218-9876",
    "198112189876",
    "19121212-1212",
    "121212+1212",  # "+": a person over a hundred
    "701063-2391",  # samordningsnummer: day 03 + 60
]


def kinds(text: str) -> list[FindingKind]:
    return [f.kind for f in check_text(text)]


class TestLuhn:
    def test_the_checksum_of_a_known_number(self) -> None:
        assert luhn_ok("8112189876")
        assert not luhn_ok("8112189875")

    @pytest.mark.parametrize("number", VALID)
    def test_valid_numbers_are_recognised(self, number: str) -> None:
        assert is_personal_number(number)

    @pytest.mark.parametrize(
        "number",
        [
            "811218-9875",  # wrong check digit
            "811218-9877",
            "19121212-1213",
            "811318-9876",  # month 13
            "811200-9876",  # day 00
            "811292-9876",  # day 92: not even a co-ordination number
            "21121212-1212",  # century 21
            "81121-89876",  # separator in the wrong place
        ],
    )
    def test_invalid_numbers_are_not(self, number: str) -> None:
        assert not is_personal_number(number)


class TestPersonalNumbersInText:
    @pytest.mark.parametrize("number", VALID)
    def test_a_number_in_a_sentence_is_found(self, number: str) -> None:
        found = check_text(f"Flickan, {number}, har kontakt med skolan.")
        assert [(f.kind, f.text) for f in found] == [(FindingKind.PERSONAL_NUMBER, number)]

    @pytest.mark.parametrize(
        "text",
        [
            "Mötet är 2024-05-12 kl. 14.",
            "Datum 20240512, uppföljning 2024-06-01.",
            "Ärendet har diarienummer 2024-1234.",
            "Dnr SN 2023/0456-12 och KS 2024.123",
            "Anmälan 811218-9875 (fel kontrollsiffra).",
            "Ett tal som 1234567890123 är inget nummer.",
            "Kommunkod 0180 och 1480.",
        ],
    )
    def test_dates_and_case_numbers_are_left_alone(self, text: str) -> None:
        assert kinds(text) == []


class TestOtherFindings:
    @pytest.mark.parametrize(
        "phone",
        ["070-123 45 67", "0701234567", "08-123 45 67", "+46 70 123 45 67", "0046701234567"],
    )
    def test_phone_numbers(self, phone: str) -> None:
        found = check_text(f"Ring {phone} efter skolan.")
        assert [(f.kind, f.text) for f in found] == [(FindingKind.PHONE, phone)]

    def test_two_phone_numbers_in_a_row_are_both_found(self) -> None:
        found = check_text("070-123 45 67 08-123 45 67")
        assert [f.text for f in found] == ["070-123 45 67", "08-123 45 67"]

    @pytest.mark.parametrize("address", ["Storgatan 12", "Ringvägen 5B", "Lilla torget 3"])
    def test_street_addresses(self, address: str) -> None:
        assert FindingKind.ADDRESS in kinds(f"Hon bor på {address} med familjen.")

    def test_a_postal_code_before_a_place(self) -> None:
        assert kinds("Familjen flyttade till 123 45 Byköping.") == [FindingKind.ADDRESS]

    def test_a_listed_first_name(self) -> None:
        found = check_text("Vi träffade Fatima och hennes bror Erik i går.")
        assert [(f.kind, f.text) for f in found] == [
            (FindingKind.NAME, "Fatima"),
            (FindingKind.NAME, "Erik"),
        ]

    def test_names_from_the_young_peoples_languages_are_listed(self) -> None:
        for name in ("mohammed", "zahra", "hodan", "rojin", "yonas", "alice"):
            assert name in NAMES

    def test_everyday_words_that_are_also_names_are_left_out(self) -> None:
        text = "Per vecka bo vi i samma stad, dag för dag, Maj till juni. Alla var där."
        assert kinds(text) == []

    def test_a_de_identified_case_passes(self) -> None:
        text = (
            "En flicka, 15 år, i en mindre kommun berättar om kontroll från familjen. "
            "Skolan har gjort en orosanmälan 2024-03-01. Hur går vi vidare med stöd?"
        )
        assert check_text(text) == []

    def test_findings_come_in_reading_order_without_overlap(self) -> None:
        found = check_text("Anna, 0012241238, Storgatan 1")
        assert [f.kind for f in found] == [
            FindingKind.NAME,
            FindingKind.PERSONAL_NUMBER,
            FindingKind.ADDRESS,
        ]
