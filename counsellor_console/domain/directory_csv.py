"""The directory's CSV, as ``fristad directory import/export`` reads and writes it (surface.md).

An import keeps every valid row and reports every bad one by line, so a centre fixes its
spreadsheet instead of guessing; an export marks formula-like cells as text
(security.spreadsheet), which the import undoes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from counsellor_console.domain.directory import (
    COLUMNS,
    MAX_IMPORT_ROWS,
    DirectoryRowError,
    Org,
    org_from_row,
    org_to_row,
)
from counsellor_console.domain.staff_language import translator
from security.spreadsheet import neutralise_cell, restore_cell

#: The import report is the command line's, which speaks English (service/commands.py).
_ENGLISH = translator("en")


@dataclass(frozen=True, slots=True)
class RowError:
    """A rejected row: its line number in the file (the header is line 1) and why."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import read: the valid organisations, and every rejected row."""

    orgs: tuple[Org, ...]
    errors: tuple[RowError, ...]


def parse_directory_csv(text: str) -> ImportReport:
    """Read a directory CSV, keeping every valid row and reporting every bad one.

    Tolerates a UTF-8 byte-order mark (spreadsheets write one) and blank lines. The header
    must hold exactly :data:`COLUMNS`, in any order; otherwise nothing is imported and the
    report has one error for line 1. A repeated id keeps the first row and reports the others.

    Returns:
        The valid organisations in file order, and a :class:`RowError` per rejected row.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return ImportReport((), (RowError(1, "empty file: expected a header row"),))
    except csv.Error as exc:
        return ImportReport((), (RowError(1, f"cannot read the header: {exc}"),))
    problem = _header_problem(header)
    if problem:
        return ImportReport((), (RowError(1, problem),))
    orgs: list[Org] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    rows = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(line, f"cannot read the row: {exc}"))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        if rows > MAX_IMPORT_ROWS:
            errors.append(RowError(line, f"more than {MAX_IMPORT_ROWS} rows: the rest is ignored"))
            break
        if len(cells) != len(header):
            errors.append(RowError(line, f"expected {len(header)} columns, got {len(cells)}"))
            continue
        try:
            # An export marks formula-like cells as text (security.spreadsheet); unmark them.
            org = org_from_row(dict(zip(header, map(restore_cell, cells), strict=True)))
        except DirectoryRowError as exc:
            errors.append(RowError(line, _ENGLISH(exc.said)))
            continue
        if org.id in first_line:
            errors.append(
                RowError(line, f"id: {org.id!r} is already used on line {first_line[org.id]}")
            )
            continue
        first_line[org.id] = line
        orgs.append(org)
    return ImportReport(tuple(orgs), tuple(errors))


def _header_problem(header: list[str]) -> str | None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if not (missing or unknown or repeated):
        return None
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown {', '.join(unknown)}")
    if repeated:
        parts.append(f"repeated {', '.join(repeated)}")
    return f"header: {'; '.join(parts)} (expected {','.join(COLUMNS)})"


def export_directory_csv(orgs: Iterable[Org]) -> str:
    """Write the directory as CSV with the header of surface.md, one row per organisation.

    A centre opens the file in a spreadsheet, so every cell a spreadsheet would run as a
    formula (``=HYPERLINK(...)``, ``@SUM(...)``) is marked as text; phone numbers such as
    ``+46 8 123 45`` are left as they are. :func:`parse_directory_csv` undoes the marking.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for org in orgs:
        writer.writerow({name: neutralise_cell(value) for name, value in org_to_row(org).items()})
    return out.getvalue()
