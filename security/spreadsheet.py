"""Cells that a spreadsheet would run as formulas, neutralised (CSV injection).

A centre opens every CSV export (directory, statistics, audit) in a spreadsheet. A cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula there,
so an imported ``=HYPERLINK(...)`` would run on a colleague's machine. OWASP's CSV-injection
guidance: prefix such a cell with a single quote so the spreadsheet shows it as text.

A value made only of digits, spaces and phone punctuation (``+46 8 123 45``, ``-12``) cannot
call a function, so it is left as it is and stays usable as a phone number.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARKER = "'"
_PLAIN_NUMBER = re.compile(r"[+\-]?[0-9][0-9 ().\-/]*\Z")


def neutralise_cell(value: str) -> str:
    """The cell as a spreadsheet may safely read it.

    Args:
        value: the cell's text as stored.

    Returns:
        ``value`` unchanged, or with a leading ``'`` where a spreadsheet would read a formula.
    """
    if _is_marked(value) or (value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value)):
        return TEXT_MARKER + value
    return value


def _is_marked(value: str) -> bool:
    """Whether the value is text markers before a trigger (``'=x``, ``''=x``): such a value
    gets one more marker on export, so an imported ``'=x`` comes back as ``'=x``."""
    rest = value.lstrip(TEXT_MARKER)
    return rest != value and rest.startswith(FORMULA_TRIGGERS)


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell`, so an exported file imports back to the same values.

    Args:
        value: a cell as read from a CSV file.

    Returns:
        ``value`` without the text marker that :func:`neutralise_cell` adds.
    """
    return value[len(TEXT_MARKER) :] if _is_marked(value) else value
