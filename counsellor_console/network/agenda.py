"""The centre's calendar: seminars, training days, network meetings and school talks.

Pure: events as values, the form's validation, and the iCalendar feed (RFC 5545, written by
the ``icalendar`` package: folding, escaping and the line format are its job, not ours).
An event is public (on ``/calendar`` and ``/calendar.ics``) or for partners only (their own
feed, behind a login).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

import icalendar

ZONE: Final = ZoneInfo("Europe/Stockholm")
MAX_TITLE_CHARS: Final = 200
MAX_PLACE_CHARS: Final = 200
MAX_DESCRIPTION_CHARS: Final = 4_000
MAX_EVENT_HOURS: Final = 72
#: Events stored at once, and how long one is kept after it ended (a year of reporting).
MAX_EVENTS: Final = 2_000
EVENT_KEPT_AFTER_END_SECS: Final = 400 * 24 * 3600
#: The feeds and the public page show events from this long ago.
FEED_PAST_DAYS: Final = 30
#: A school's talk request is kept this long by default (FRISTAD_TALK_REQUEST_RETENTION_S).
DEFAULT_TALK_RETENTION_SECS: Final = 90 * 24 * 3600
PRODID: Final = "-//Fristad//Kalender//SV"
UID_DOMAIN: Final = "fristad.calendar"

KINDS: Final = {
    "seminar": "Seminarium",
    "training": "Utbildningsdag",
    "network_meeting": "Nätverksträff",
    "school_talk": "Skolbesök",
}


class Audience(StrEnum):
    PUBLIC = "public"
    PARTNERS = "partners"


class EventFormError(ValueError):
    """A calendar form that cannot be saved; the message is for the staff member."""


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    kind: str
    title: str
    starts: datetime  # aware
    ends: datetime
    place: str
    description: str
    audience: Audience
    updated_by: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_public(self) -> bool:
        return self.audience is Audience.PUBLIC

    def local_start(self) -> datetime:
        return self.starts.astimezone(ZONE)

    def local_end(self) -> datetime:
        return self.ends.astimezone(ZONE)


def new_event_id() -> str:
    return secrets.token_urlsafe(9)


def _local(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise EventFormError(f"{name}: ange datum och tid, t.ex. 2027-03-14T13:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    return moment.astimezone(UTC)


def _bounded(form: Mapping[str, str], name: str, limit: int, *, required: bool) -> str:
    value = form.get(name, "").strip()
    if required and not value:
        raise EventFormError(f"{name}: fältet behövs")
    if len(value) > limit:
        raise EventFormError(f"{name}: högst {limit} tecken")
    return value


def event_from_form(form: Mapping[str, str], event_id: str, staff: str) -> Event:
    """An event from the staff form, or EventFormError saying what to fix."""
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise EventFormError("kind: välj en sorts aktivitet")
    audience = form.get("audience", "")
    if audience not in {a.value for a in Audience}:
        raise EventFormError("audience: välj offentlig eller bara partner")
    starts = _local(form.get("starts", ""), "starts")
    ends = _local(form.get("ends", ""), "ends")
    if not starts < ends <= starts + timedelta(hours=MAX_EVENT_HOURS):
        raise EventFormError(f"ends: efter start, och högst {MAX_EVENT_HOURS} timmar senare")
    return Event(
        id=event_id,
        kind=kind,
        title=_bounded(form, "title", MAX_TITLE_CHARS, required=True),
        starts=starts,
        ends=ends,
        place=_bounded(form, "place", MAX_PLACE_CHARS, required=False),
        description=_bounded(form, "description", MAX_DESCRIPTION_CHARS, required=False),
        audience=Audience(audience),
        updated_by=staff,
    )


def event_to_record(event: Event) -> dict[str, str]:
    return {
        "id": event.id,
        "kind": event.kind,
        "title": event.title,
        "starts": event.starts.isoformat(),
        "ends": event.ends.isoformat(),
        "place": event.place,
        "description": event.description,
        "audience": event.audience.value,
        "updated_by": event.updated_by,
    }


def event_from_record(record: Mapping[str, str]) -> Event:
    return Event(
        id=record["id"],
        kind=record["kind"],
        title=record["title"],
        starts=datetime.fromisoformat(record["starts"]),
        ends=datetime.fromisoformat(record["ends"]),
        place=record.get("place", ""),
        description=record.get("description", ""),
        audience=Audience(record["audience"]),
        updated_by=record.get("updated_by", ""),
    )


def render_ics(events: Iterable[Event], name: str, now: datetime) -> bytes:
    """An iCalendar feed of ``events``; the author of an event is not in it."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        item = icalendar.Event()
        item.add("uid", f"{event.id}@{UID_DOMAIN}")
        item.add("dtstamp", now.astimezone(UTC))
        item.add("dtstart", event.starts.astimezone(UTC))
        item.add("dtend", event.ends.astimezone(UTC))
        item.add("summary", event.title)
        item.add("categories", [event.kind_label])
        item.add("class", "PUBLIC" if event.is_public else "PRIVATE")
        if event.place:
            item.add("location", event.place)
        if event.description:
            item.add("description", event.description)
        cal.add_component(item)
    return bytes(cal.to_ical())


# -- a school's request for a talk (the public form) -----------------------------------------

#: field -> (label, limit in characters, required). Nothing else is read from the form.
TALK_FIELDS: Final = {
    "school": ("Skola", 200, True),
    "contact_name": ("Kontaktperson", 120, True),
    "contact": ("E-post eller telefon", 200, True),
    "kommun": ("Kommunkod (fyra siffror)", 4, False),
    "audience": ("Vilka ska lyssna (t.ex. åk 8, personal)", 200, False),
    "wished": ("Önskade datum", 200, False),
    "message": ("Meddelande", 2_000, False),
}


def talk_request_from_form(form: Mapping[str, str]) -> dict[str, str]:
    """The request's fields, bounded and checked, or EventFormError saying what to fix."""
    fields = {}
    for name, (label, limit, required) in TALK_FIELDS.items():
        value = form.get(name, "").strip()
        if required and not value:
            raise EventFormError(f"{label}: fältet behövs")
        if len(value) > limit:
            raise EventFormError(f"{label}: högst {limit} tecken")
        fields[name] = value
    if fields["kommun"] and not (len(fields["kommun"]) == 4 and fields["kommun"].isdigit()):
        raise EventFormError("Kommunkod: fyra siffror, t.ex. 0180")
    return fields
