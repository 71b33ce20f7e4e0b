"""CSV injection: cells a spreadsheet would run are neutralised, phone numbers stay usable."""

from __future__ import annotations

import pytest

from security.spreadsheet import neutralise_cell, restore_cell


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://x.test","klicka")',
        "@SUM(A1:A2)",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "=1",
    ],
)
def test_formula_cells_are_marked_as_text(cell: str) -> None:
    safe = neutralise_cell(cell)
    assert safe == "'" + cell
    assert restore_cell(safe) == cell


@pytest.mark.parametrize(
    "cell", ["+46 8 123 45", "+46 (0)8-123 45 67", "-12", "Socialtjänsten", "", "020-123 456"]
)
def test_plain_values_and_phone_numbers_stay_as_they_are(cell: str) -> None:
    assert neutralise_cell(cell) == cell
    assert restore_cell(cell) == cell


def test_a_quote_that_marks_nothing_is_kept() -> None:
    assert restore_cell("'hej") == "'hej"


@pytest.mark.parametrize("cell", ["'=x", "''@SUM(A1)", "'+46 8 123 45", "'", "''", "'hej"])
def test_values_that_begin_with_the_marker_round_trip(cell: str) -> None:
    assert restore_cell(neutralise_cell(cell)) == cell
