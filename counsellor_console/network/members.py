"""The member register: a representative and a substitute for each partner organisation.

The organisations are the directory's (counsellor_console/domain/directory.py); the register
adds who speaks for each in the network, with their work contact details, for the mailing list.
The form is the one the sister networks use: organisation, then for each of the two people name,
title, e-mail and phone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Final

from counsellor_console.domain.directory import Org
from security.spreadsheet import neutralise_cell

SLOTS: Final = {"representative": "Representant", "substitute": "Ersättare"}
CONTACT_FIELDS: Final = {
    "name": ("Namn", 120),
    "title": ("Befattning", 120),
    "email": ("E-post", 200),
    "phone": ("Telefon", 40),
}
CSV_HEADER: Final = ("org_id", "organisation", "slot", "name", "title", "email", "phone")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class MemberFormError(ValueError):
    """A register entry that cannot be saved; the message is for the staff member."""


@dataclass(frozen=True, slots=True)
class Contact:
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""

    @property
    def empty(self) -> bool:
        return not any((self.name, self.title, self.email, self.phone))


@dataclass(frozen=True, slots=True)
class Membership:
    org_id: str
    representative: Contact
    substitute: Contact
    updated_by: str
    updated_ms: int

    def slot(self, name: str) -> Contact:
        return self.representative if name == "representative" else self.substitute


def _contact(form: Mapping[str, str], slot: str) -> Contact:
    values = {}
    for name, (label, limit) in CONTACT_FIELDS.items():
        value = form.get(f"{slot}_{name}", "").strip()
        if len(value) > limit:
            raise MemberFormError(f"{SLOTS[slot]}, {label}: högst {limit} tecken")
        values[name] = value
    contact = Contact(**values)
    if contact.email and not _EMAIL.fullmatch(contact.email):
        raise MemberFormError(f"{SLOTS[slot]}, E-post: skriv en hel adress")
    if not contact.empty and not contact.name:
        raise MemberFormError(f"{SLOTS[slot]}, Namn: fältet behövs")
    return contact


def membership_from_form(
    form: Mapping[str, str], org_id: str, staff: str, now_ms: int
) -> Membership:
    return Membership(
        org_id, _contact(form, "representative"), _contact(form, "substitute"), staff, now_ms
    )


def membership_to_record(member: Membership) -> dict[str, object]:
    return asdict(member)


def membership_from_record(record: Mapping[str, object]) -> Membership:
    rep, sub = record["representative"], record["substitute"]
    if not isinstance(rep, dict) or not isinstance(sub, dict):
        raise MemberFormError("a stored register entry is malformed")
    return Membership(
        str(record["org_id"]),
        Contact(**rep),
        Contact(**sub),
        str(record["updated_by"]),
        int(str(record["updated_ms"])),
    )


def mailing_list_csv(orgs: Iterable[Org], members: Mapping[str, Membership]) -> str:
    """One row per person with contact details; every cell neutralised for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for org in orgs:
        member = members.get(org.id)
        if member is None:
            continue
        for slot in SLOTS:
            person = member.slot(slot)
            if person.empty:
                continue
            row = (org.id, org.name, slot, person.name, person.title, person.email, person.phone)
            writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()
