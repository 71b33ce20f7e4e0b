"""The mailing list's cells and the outreach counters."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from counsellor_console.domain.directory import org_from_row
from counsellor_console.network.members import (
    MemberFormError,
    mailing_list_csv,
    membership_from_form,
)
from counsellor_console.network.outreach import (
    OutreachFormError,
    activity_from_form,
    outreach_counters,
)

ORG = org_from_row(
    {
        "id": "jouren",
        "name": "=Jouren",
        "helps_with": "stöd",
        "kommuner": "*",
        "topics": "",
        "phone": "020-12 34 56",
    }
)


def test_every_cell_of_the_mailing_list_is_neutralised() -> None:
    member = membership_from_form(
        {"representative_name": "@SUM(A1)", "representative_phone": "+46 8 12 34 56",
         "substitute_name": "Sam", "substitute_title": "-chef"},
        "jouren", "sigrid", 0,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(mailing_list_csv([ORG], {"jouren": member}))))
    assert rows[1] == [
        "jouren",
        "'=Jouren",
        "representative",
        "'@SUM(A1)",
        "",
        "",
        "+46 8 12 34 56",
    ]
    assert rows[2][4] == "'-chef"


@pytest.mark.parametrize(
    "form",
    [
        {"representative_email": "nope"},
        {"substitute_title": "Chef"},
        {"representative_name": "x" * 121},
    ],
)
def test_a_bad_register_form(form: dict[str, str]) -> None:
    with pytest.raises(MemberFormError):
        membership_from_form(form, "jouren", "sigrid", 0)


def test_outreach_counts_by_kind_municipality_and_audience() -> None:
    today = date(2027, 3, 14)
    form = {"held": "2027-03-10", "kind": "seminar", "kommun": "1480", "audience": "police",
            "attended": "42"}  # fmt: skip
    activity = activity_from_form(form, "anna", today)
    assert outreach_counters(activity) == [
        ("outreach_activities", "seminar", 1),
        ("outreach_attended", "seminar", 42),
        ("outreach_kommun", "1480", 1),
        ("outreach_audience", "police", 1),
    ]
    for bad in ({"held": "2027-03-15"}, {"kommun": "14"}, {"attended": "-1"}, {"kind": "x"}):
        with pytest.raises(OutreachFormError):
            activity_from_form({**form, **bad}, "anna", today)
