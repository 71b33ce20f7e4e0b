"""The audit CSV export: every cell survives csv.reader whole (commas, quotes, newlines), and no
cell a spreadsheet would run as a formula gets out (CSV injection, security/spreadsheet.py)."""

from __future__ import annotations

import csv
import io

import pytest

from counsellor_console.web.admin_routes import AUDIT_COLUMNS, render_audit_csv
from security.spreadsheet import FORMULA_TRIGGERS, restore_cell

NASTY = [
    '=HYPERLINK("http://evil.example","klick")',
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    'anna, "the boss"',
    "rad ett\nrad två\r\nrad tre",
    "'=already marked",
    "plain-name",
]


def _rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body, newline="")))


@pytest.mark.parametrize("value", NASTY)
def test_a_field_round_trips_and_never_runs(value: str) -> None:
    events = [
        {"at": "2026-12-02T10:00:00Z", "kind": "login_refused", "staff": value},
        {"at": value, "kind": value, "staff": "sigrid", "chat": value, "note": "x,y"},
    ]
    rows = _rows(render_audit_csv(events))
    assert rows[0] == list(AUDIT_COLUMNS)
    assert len(rows) == 3, rows  # a newline inside a cell does not make a row
    for row in rows[1:]:
        assert len(row) == len(AUDIT_COLUMNS)
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), cell
    assert restore_cell(rows[1][2]) == value
    assert restore_cell(rows[2][0]) == value
    assert restore_cell(rows[2][1]) == value
    # Other fields go, as name=value, into details; the cell is read whole.
    assert rows[2][3] == f"chat={value} note=x,y"


def test_a_phone_like_number_stays_usable() -> None:
    rows = _rows(render_audit_csv([{"at": "-12", "kind": "k", "staff": "+46 8 123 45"}]))
    assert rows[1][:3] == ["-12", "k", "+46 8 123 45"]
