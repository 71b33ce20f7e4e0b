"""A partner's change to their organisation's entry, as pure logic (issue 13).

A contact person (or their substitute) proposes new values for the fields they keep; the
centre compares the proposal with the entry side by side and approves or rejects it. An entry
is *due* when it has not been confirmed (``Org.checked``) for six months: the console flags it
and the partner's own page reminds them. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from counsellor_console.domain.directory import Org, org_from_row, org_to_row

#: The fields a partner keeps, with their labels; id, topics and municipalities stay with the
#: centre (they decide where a visitor is referred).
EDITABLE: Final = (
    ("name", "Namn"),
    ("helps_with", "Hjälper med"),
    ("languages", "Språk"),
    ("phone", "Telefon"),
    ("web", "Webb"),
    ("email", "E-post"),
    ("address", "Adress"),
    ("hours", "Öppettider"),
    ("contact_person", "Kontaktperson"),
    ("contact_email", "Kontaktpersonens e-post"),
    ("substitute", "Ersättare"),
    ("substitute_email", "Ersättarens e-post"),
)
MAX_FIELD_CHARS: Final = 500
#: An entry not confirmed for this many months is flagged.
CONFIRM_MONTHS: Final = 6


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One row of the review's side-by-side table."""

    field: str
    label: str
    current: str
    proposed: str

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


def proposed_org(current: Org, form: dict[str, str]) -> Org:
    """The entry with the partner's values for the editable fields, validated like an import.

    Raises:
        DirectoryRowError: a value the directory does not accept (the message names it).
    """
    row = org_to_row(current)
    for name, _label in EDITABLE:
        row[name] = str(form.get(name, "")).strip()[:MAX_FIELD_CHARS]
    return org_from_row(row)


def changes(current: Org, proposed: Org) -> list[FieldChange]:
    """Every editable field, current next to proposed (``changed`` marks the differences)."""
    old, new = org_to_row(current), org_to_row(proposed)
    return [FieldChange(name, label, old[name], new[name]) for name, label in EDITABLE]


def confirmed(org: Org, today: date) -> Org:
    """The entry marked as confirmed today."""
    return replace(org, checked=today)


def months_before(today: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def is_due(org: Org, today: date) -> bool:
    """Not confirmed in the last six months (or never)."""
    return org.checked is None or org.checked <= months_before(today, CONFIRM_MONTHS)
