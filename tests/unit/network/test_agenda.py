"""Calendar events from the staff form, the iCalendar feed, the talk form's bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from counsellor_console.network.agenda import (
    MAX_EVENT_HOURS,
    ZONE,
    Audience,
    EventFormError,
    event_from_form,
    event_from_record,
    event_to_record,
    render_ics,
    talk_request_from_form,
)

FORM = {
    "kind": "school_talk",
    "title": "Skolbesök; åk 8, Bysskolan",
    "starts": "2027-03-14T13:00",
    "ends": "2027-03-14T15:30",
    "place": "Aulan",
    "description": "En lång beskrivning " * 20,
    "audience": "partners",
}


def test_a_local_time_is_stockholm_time() -> None:
    event = event_from_form(FORM, "ev1", "anna")
    assert event.starts == datetime(2027, 3, 14, 12, 0, tzinfo=UTC)  # CET is UTC+1 in March
    assert event.local_start().hour == 13
    assert event.audience is Audience.PARTNERS
    assert event_from_record(event_to_record(event)) == event


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "party"},
        {"audience": "everyone"},
        {"title": ""},
        {"title": "x" * 201},
        {"starts": "14 mars"},
        {"ends": "2027-03-14T12:00"},  # before the start
        {
            "ends": (
                datetime(2027, 3, 14, 13, tzinfo=ZONE) + timedelta(hours=MAX_EVENT_HOURS + 1)
            ).isoformat()
        },
    ],
)
def test_a_bad_form_says_what_to_fix(change: dict[str, str]) -> None:
    with pytest.raises(EventFormError):
        event_from_form({**FORM, **change}, "ev1", "anna")


def test_the_feed_parses_back_with_every_field_and_no_author() -> None:
    event = event_from_form(FORM, "ev1", "anna")
    body = render_ics([event], "Fristad", datetime(2027, 1, 1, tzinfo=UTC))
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded (RFC 5545 3.1)
    (parsed,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(parsed.get("summary")) == FORM["title"]
    assert str(parsed.get("description")) == FORM["description"].strip()
    assert parsed.decoded("dtstart") == event.starts
    assert str(parsed.get("class")) == "PRIVATE"
    assert b"anna" not in body


def test_the_talk_form_is_bounded() -> None:
    ok = {"school": "Byskolan", "contact_name": "Rektor", "contact": "r@example.org"}
    assert talk_request_from_form({**ok, "extra": "ignored"})["school"] == "Byskolan"
    for bad in ({"school": ""}, {"kommun": "18"}, {"message": "x" * 2001}):
        with pytest.raises(EventFormError):
            talk_request_from_form({**ok, **bad})
    assert ZONE.key == "Europe/Stockholm"
