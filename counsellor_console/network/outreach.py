"""The outreach log: each activity the centre held, and how it adds to the statistics.

An activity is counted in the follow-up statistics under its own measures, in the same daily
counters and the same export as the chats' (``/admin/stats.csv``), and so suppressed like the
rest: a count under five is shown as ``<5``. What is counted (``outreach_counters``) names no
person: the kind, the municipality code, the audience and the number who attended.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from chat.core_api import STATS_RETENTION_DAYS

MAX_ATTENDED: Final = 10_000
#: How far back an activity may be logged: its counters would already have expired.
MAX_BACKDATE_DAYS: Final = STATS_RETENTION_DAYS - 1

KINDS: Final = {
    "school_talk": "Skolbesök",
    "seminar": "Seminarium",
    "training": "Utbildningsdag",
    "network_meeting": "Nätverksträff",
    "information": "Informationsinsats",
    "other": "Annat",
}
AUDIENCES: Final = {
    "pupils": "Elever",
    "school_staff": "Skolpersonal",
    "social_services": "Socialtjänst",
    "health_care": "Hälso- och sjukvård",
    "police": "Polis",
    "voluntary": "Ideella organisationer",
    "parents": "Föräldrar",
    "mixed": "Blandad publik",
}

# Measures in the statistics (chat/domain/stats.py counts whole numbers per day and category).
ACTIVITIES: Final = "outreach_activities"
ATTENDED: Final = "outreach_attended"
BY_KOMMUN: Final = "outreach_kommun"
BY_AUDIENCE: Final = "outreach_audience"
_KOMMUN = re.compile(r"[0-9]{4}")


class OutreachFormError(ValueError):
    """An activity that cannot be logged; the message is for the staff member."""


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    held: date
    kind: str
    kommun: str
    audience: str
    attended: int
    logged_by: str


def activity_from_form(form: Mapping[str, str], staff: str, today: date) -> Activity:
    try:
        held = date.fromisoformat(form.get("held", "").strip())
    except ValueError:
        raise OutreachFormError("Datum: skriv det som 2027-03-14") from None
    if held > today or (today - held).days > MAX_BACKDATE_DAYS:
        raise OutreachFormError("Datum: i dag eller tidigare, inom statistikens tre år")
    kind, audience = form.get("kind", ""), form.get("audience", "")
    kommun = form.get("kommun", "").strip()
    if kind not in KINDS or audience not in AUDIENCES:
        raise OutreachFormError("Välj sort och publik")
    if not _KOMMUN.fullmatch(kommun):
        raise OutreachFormError("Kommunkod: fyra siffror, t.ex. 0180")
    raw = form.get("attended", "").strip()
    if not raw.isdigit() or int(raw) > MAX_ATTENDED:
        raise OutreachFormError(f"Deltagare: ett heltal från 0 till {MAX_ATTENDED}")
    return Activity(secrets.token_urlsafe(9), held, kind, kommun, audience, int(raw), staff)


def outreach_counters(activity: Activity) -> list[tuple[str, str, int]]:
    """(measure, category, amount) to add to the day the activity was held."""
    return [
        (ACTIVITIES, activity.kind, 1),
        (ATTENDED, activity.kind, activity.attended),
        (BY_KOMMUN, activity.kommun, 1),
        (BY_AUDIENCE, activity.audience, 1),
    ]
