"""Sweden's 290 municipalities with SCB's codes, and the city districts (chat/data/*.csv)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from importlib import resources

import pytest

from chat.domain.municipalities import (
    MUNICIPALITY_COUNT,
    districts,
    is_district,
    is_municipality,
    municipalities,
    municipality_name,
)

#: Municipalities per county, as in SCB's list (01 Stockholms län ... 25 Norrbottens län).
PER_COUNTY = {
    "01": 26,
    "03": 8,
    "04": 9,
    "05": 13,
    "06": 13,
    "07": 8,
    "08": 12,
    "09": 1,
    "10": 5,
    "12": 33,
    "13": 6,
    "14": 49,
    "17": 16,
    "18": 12,
    "19": 10,
    "20": 15,
    "21": 10,
    "22": 7,
    "23": 8,
    "24": 15,
    "25": 14,
}


def raw_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("chat").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


class TestMunicipalities:
    def test_there_are_290_with_unique_four_digit_codes(self) -> None:
        rows = raw_rows("municipalities.csv")
        assert len(rows) == MUNICIPALITY_COUNT == 290
        codes = [row["code"] for row in rows]
        assert len(set(codes)) == 290
        assert all(len(c) == 4 and c.isascii() and c.isdigit() for c in codes)
        assert len({row["name"] for row in rows}) == 290
        assert codes == sorted(codes)

    def test_counties_as_in_scb_list(self) -> None:
        counts = Counter(m.code[:2] for m in municipalities())
        assert counts == PER_COUNTY
        assert sum(PER_COUNTY.values()) == 290

    @pytest.mark.parametrize(
        ("code", "name"),
        [
            ("0180", "Stockholm"),
            ("1480", "Göteborg"),
            ("1280", "Malmö"),
            ("0380", "Uppsala"),
            ("2480", "Umeå"),
            ("0580", "Linköping"),
            ("0114", "Upplands Väsby"),
            ("0330", "Knivsta"),
            ("0980", "Gotland"),
            ("1438", "Dals-Ed"),
            ("2023", "Malung-Sälen"),
            ("2584", "Kiruna"),
        ],
    )
    def test_well_known_codes(self, code: str, name: str) -> None:
        assert municipality_name(code) == name
        assert is_municipality(code)

    @pytest.mark.parametrize("code", ["0100", "9999", "180", "01800", "0180\n", "١٨٠٠", 180, None])
    def test_anything_else_is_not_a_municipality(self, code: object) -> None:
        assert not is_municipality(code)


class TestDistricts:
    def test_the_three_cities_with_districts(self) -> None:
        cities = {row["kommun"] for row in raw_rows("districts.csv")}
        assert cities == {"0180", "1480", "1280"}
        assert len(districts("0180")) == 13  # Stockholm's stadsdelsnämnder since 2020
        assert len(districts("1480")) == 10
        assert len(districts("1280")) == 10

    def test_codes_are_unique_per_city_and_plain(self) -> None:
        for city in ("0180", "1480", "1280"):
            codes = [d.code for d in districts(city)]
            assert len(set(codes)) == len(codes)
            for code in codes:
                assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code), code

    def test_a_municipality_without_districts_has_none(self) -> None:
        assert districts("2480") == ()
        assert districts("nonsense") == ()

    def test_a_district_belongs_to_its_municipality(self) -> None:
        assert is_district("0180", "rinkeby-kista")
        assert is_district("1480", "angered")
        assert is_district("1280", "rosengard")
        assert not is_district("1480", "rinkeby-kista")
        assert not is_district(None, "rinkeby-kista")
        assert not is_district("0180", 3)
