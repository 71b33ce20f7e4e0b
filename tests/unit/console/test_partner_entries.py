"""A partner's proposal and the six-month flag, as pure logic (issue 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from counsellor_console.domain.directory import DirectoryRowError, Org
from counsellor_console.domain.partner_entries import (
    EDITABLE,
    changes,
    confirmed,
    is_due,
    months_before,
    proposed_org,
)

ORG = Org(
    id="jouren",
    name="Tjejjouren Väst",
    helps_with="stöd för unga",
    topics=("control",),
    kommuner=("*",),
    languages=("sv", "en"),
    phone="020-12 34 56",
    contact_person="Kim Berg",
    checked=date(2026, 1, 10),
)


def _form(org: Org, **changes: str) -> dict[str, str]:
    form = {name: ";".join(v) if isinstance(v := getattr(org, name), tuple) else str(v)
            for name, _ in EDITABLE}  # fmt: skip
    return {**form, **changes}


def test_an_unchanged_form_proposes_the_same_entry() -> None:
    assert proposed_org(ORG, _form(ORG)) == ORG
    assert not any(c.changed for c in changes(ORG, ORG))


def test_only_the_changed_fields_are_marked() -> None:
    proposal = proposed_org(ORG, _form(ORG, phone="031-99 88 77", substitute="Alex Ek"))
    marked = {c.field for c in changes(ORG, proposal) if c.changed}
    assert marked == {"phone", "substitute"}
    row = next(c for c in changes(ORG, proposal) if c.field == "phone")
    assert (row.current, row.proposed) == ("020-12 34 56", "031-99 88 77")


def test_a_partner_cannot_move_the_entry_or_its_referral_fields() -> None:
    form = _form(ORG, id="skyddat", topics="violence", kommuner="0180", checked="2030-01-01")
    proposal = proposed_org(ORG, form)
    assert (proposal.id, proposal.topics, proposal.kommuner, proposal.checked) == (
        ORG.id, ORG.topics, ORG.kommuner, ORG.checked
    )  # fmt: skip


def test_a_value_the_directory_refuses_is_refused() -> None:
    with pytest.raises(DirectoryRowError):
        proposed_org(ORG, _form(ORG, name=""))
    with pytest.raises(DirectoryRowError):
        proposed_org(ORG, _form(ORG, languages="not a language"))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 7, 10), date(2026, 1, 10)),
        (date(2026, 8, 31), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2025, 9, 1)),
        (date(2028, 8, 31), date(2028, 2, 29)),
    ],
)
def test_six_months_before(today: date, expected: date) -> None:
    assert months_before(today, 6) == expected


def test_the_six_month_flag() -> None:
    assert not is_due(ORG, date(2026, 7, 9))
    assert is_due(ORG, date(2026, 7, 10))  # six months to the day: due
    assert is_due(confirmed(ORG, date(2025, 1, 1)), date(2026, 1, 1))
    assert not is_due(confirmed(ORG, date(2026, 7, 10)), date(2026, 7, 10))


def test_never_confirmed_is_due() -> None:
    assert is_due(replace(ORG, checked=None), date(2026, 1, 1))
