"""The referral directory: organisations and authorities a counsellor refers young people to.

Pure: an organisation's record and its row form, the visitor-facing referral card
(protocol.md, ``referral``) and the staff view of ``GET /api/directory``. The CSV of
``fristad directory import/export`` is :mod:`counsellor_console.domain.directory_csv`, search and
"open now" :mod:`counsellor_console.domain.directory_search`; Redis is in
:mod:`counsellor_console.stores.directory_store`. See docs/directory.md.

The staff-only fields (a named contact person and a substitute, with emails, as the centre's
partner network keeps them) live on :class:`Org` but never reach :func:`public_card`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Final, Literal, TypedDict

from chat.core_api import TOPICS, is_municipality, referral_label
from counsellor_console.domain.staff_language import N_, SaidError, said

__all__ = [
    "ALL_KOMMUNER",
    "ALWAYS_OPEN",
    "COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_IMPORT_ROWS",
    "ContactItem",
    "DirectoryRowError",
    "Org",
    "PublicCard",
    "StaffView",
    "org_from_row",
    "org_to_row",
    "public_card",
    "source_link",
    "staff_view",
]

#: The CSV header, in order (surface.md).
COLUMNS: Final = (
    "id",
    "name",
    "helps_with",
    "topics",
    "kommuner",
    "languages",
    "phone",
    "web",
    "email",
    "address",
    "hours",
    "contact_person",
    "contact_email",
    "substitute",
    "substitute_email",
    "source",
    "checked",
)
#: ``kommuner`` value for an organisation that serves every municipality.
ALL_KOMMUNER: Final = "*"
#: ``hours`` value for always open. Any other text is kept as written and shown on the card;
#: counsellor_console.domain.directory_hours reads what it can (``mån-fre 9-17``, ``dygnet runt``,
#: Europe/Stockholm) and the rest counts as unknown for "open now". Empty means not known.
ALWAYS_OPEN: Final = "24/7"
#: Longest value of any one field, in characters (a paragraph; longer is a mistake or abuse).
MAX_FIELD_CHARS: Final = 1_000
#: Most data rows read from one import; Sweden has about 290 municipalities, and even a
#: national directory of every local service stays well below this.
MAX_IMPORT_ROWS: Final = 10_000

_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_LANG: Final = re.compile(r"[a-z]{2,3}")
_EMAIL: Final = re.compile(r"[^@\s;,]+@[^@\s;,]+\.[a-z]{2,}", re.IGNORECASE)
_PHONE: Final = re.compile(r"\+?[0-9][0-9 ()-]{1,24}")
_WEB: Final = re.compile(r"https?://[^\s;]+", re.IGNORECASE)
_HTTPS: Final = re.compile(r"https://[^\s;\"'<>]+", re.IGNORECASE)
# C0 and C1 control characters, DEL included: never part of a name or a source.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REQUIRED: Final = ("id", "name", "helps_with", "kommuner")

ContactKind = Literal["phone", "web", "email", "address", "hours"]
_CONTACT_KINDS: Final[tuple[ContactKind, ...]] = ("phone", "web", "email", "address", "hours")


class _DirectoryError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class DirectoryRowError(_DirectoryError, SaidError):
    """One row of the directory is not valid; the message says which field (by its column
    name) and why, in Swedish for the partner's page and in English for the import report."""


@dataclass(frozen=True, slots=True)
class Org:
    """One organisation or authority, with the CSV's columns (surface.md)."""

    id: str
    name: str
    helps_with: str
    topics: tuple[str, ...]
    kommuner: tuple[str, ...]  # four-digit codes, or ("*",) for every municipality
    languages: tuple[str, ...]  # ISO 639-1 codes, e.g. ("sv", "en", "ar")
    phone: str = ""
    web: str = ""
    email: str = ""
    address: str = ""
    hours: str = ""
    contact_person: str = ""  # staff only
    contact_email: str = ""  # staff only
    substitute: str = ""  # staff only
    substitute_email: str = ""  # staff only
    source: str = ""
    checked: date | None = None


class ContactItem(TypedDict):
    kind: ContactKind
    value: str


class PublicCard(TypedDict):
    """The ``card`` of protocol.md's ``referral`` frame: what a visitor may see."""

    name: str
    helps_with: str
    contact: list[ContactItem]


class StaffView(TypedDict):
    """One entry of ``GET /api/directory``."""

    id: str
    name: str
    helps_with: str
    topics: list[str]
    kommun: list[str]
    languages: list[str]
    contact: list[ContactItem]
    contact_person: str
    contact_email: str
    substitute: str
    substitute_email: str
    source: str
    source_url: str | None
    checked: str | None


# -- reading and writing rows ---------------------------------------------------------------


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


def _validate_kommuner(values: tuple[str, ...]) -> None:
    if not values:
        raise DirectoryRowError(N_("kommuner: förväntade kommunkoder med fyra siffror, eller *"))
    if ALL_KOMMUNER in values:
        if len(values) > 1:
            raise DirectoryRowError(N_("kommuner: * (alla kommuner) måste stå ensamt"))
        return
    for code in values:
        if not is_municipality(code):
            raise DirectoryRowError(
                said(
                    "kommuner: förväntade en av SCB:s kommunkoder med fyra siffror, som 0180, "
                    "fick {value}",
                    value=repr(code),
                )
            )


def _validate_row_fields(values: Mapping[str, str]) -> None:
    for name in _REQUIRED:
        if not values.get(name, "").strip():
            raise DirectoryRowError(said("{field}: måste fyllas i, men är tomt", field=name))
    for name, value in values.items():
        if len(value) > MAX_FIELD_CHARS:
            raise DirectoryRowError(
                said("{field}: längre än {limit} tecken", field=name, limit=MAX_FIELD_CHARS)
            )
    if not _ID.fullmatch(values["id"]):
        raise DirectoryRowError(
            said(
                "id: förväntade små bokstäver, siffror och bindestreck (högst 64), fick {value}",
                value=repr(values["id"]),
            )
        )
    if not any(values.get(kind, "").strip() for kind in ("phone", "web", "email", "address")):
        raise DirectoryRowError(N_("contact: ange minst ett av phone, web, email, address"))


def _validate_contacts(values: Mapping[str, str]) -> None:
    phone = values.get("phone", "").strip()
    if phone and not all(_PHONE.fullmatch(p) for p in _split_list(phone)):
        raise DirectoryRowError(
            said(
                "phone: förväntade siffror, mellanslag och bindestreck, fick {value}",
                value=repr(phone),
            )
        )
    web = values.get("web", "").strip()
    if web and not _WEB.fullmatch(web):
        raise DirectoryRowError(
            said("web: förväntade en adress som börjar med https://, fick {value}", value=repr(web))
        )
    if _CONTROL.search(values.get("source", "")):
        raise DirectoryRowError(N_("source: styrtecken (som en radbrytning) är inte tillåtna"))
    for name in ("email", "contact_email", "substitute_email"):
        value = values.get(name, "").strip()
        if value and not _EMAIL.fullmatch(value):
            raise DirectoryRowError(
                said(
                    "{field}: förväntade en e-postadress, fick {value}",
                    field=name,
                    value=repr(value),
                )
            )


def _plain_hours(text: str) -> str:
    """The hours cell as one line: line breaks become "; ", other control characters go.

    Hours never make a row fail (issue 8): whatever is written is kept and shown."""
    lines = (_CONTROL.sub(" ", line).strip() for line in text.splitlines())
    return "; ".join(line for line in lines if line)


def source_link(source: str) -> str | None:
    """The source as a link to show, only when it is one https address; else None (text)."""
    value = source.strip()
    return value if _HTTPS.fullmatch(value) else None


def _parse_checked(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DirectoryRowError(
            said("checked: förväntade ett datum ÅÅÅÅ-MM-DD, fick {value}", value=repr(value))
        ) from None


def org_from_row(row: Mapping[str, str]) -> Org:
    """Validate one row (column name -> text) and build the organisation.

    Raises:
        DirectoryRowError: The first problem found, naming the field.
    """
    values = {name: (row.get(name) or "").strip() for name in COLUMNS}
    values["hours"] = _plain_hours(values["hours"])
    _validate_row_fields(values)
    topics = _split_list(values["topics"])
    for topic in topics:
        if topic not in TOPICS:
            raise DirectoryRowError(
                said(
                    "topics: okänt ämne {value}; förväntade koder från "
                    "chat/domain/topics.py ({codes})",
                    value=repr(topic),
                    codes=", ".join(TOPICS),
                )
            )
    kommuner = _split_list(values["kommuner"])
    _validate_kommuner(kommuner)
    languages = tuple(lang.lower() for lang in _split_list(values["languages"]))
    for lang in languages:
        if not _LANG.fullmatch(lang):
            raise DirectoryRowError(
                said("languages: förväntade koder som sv;en;ar, fick {value}", value=repr(lang))
            )
    _validate_contacts(values)
    return Org(
        id=values["id"],
        name=values["name"],
        helps_with=values["helps_with"],
        topics=topics,
        kommuner=kommuner,
        languages=languages,
        phone=values["phone"],
        web=values["web"],
        email=values["email"],
        address=values["address"],
        hours=values["hours"],
        contact_person=values["contact_person"],
        contact_email=values["contact_email"],
        substitute=values["substitute"],
        substitute_email=values["substitute_email"],
        source=values["source"],
        checked=_parse_checked(values["checked"]),
    )


def org_to_row(org: Org) -> dict[str, str]:
    """The organisation as one CSV row (column name -> text)."""
    row: dict[str, str] = {}
    for f in fields(org):
        value = getattr(org, f.name)
        if isinstance(value, tuple):
            row[f.name] = ";".join(value)
        elif isinstance(value, date):
            row[f.name] = value.isoformat()
        else:
            row[f.name] = "" if value is None else str(value)
    return row


# -- what visitors and staff see ------------------------------------------------------------


def _contact(org: Org) -> list[ContactItem]:
    return [
        ContactItem(kind=kind, value=getattr(org, kind))
        for kind in _CONTACT_KINDS
        if getattr(org, kind)
    ]


def public_card(org: Org) -> PublicCard:
    """The referral card sent to a visitor: name, what they help with, how to reach them.

    Built field by field from public columns only, so the staff-only contact person and
    substitute (and their emails) can never leak into a chat.
    """
    return PublicCard(name=org.name, helps_with=org.helps_with, contact=_contact(org))


def staff_view(org: Org) -> StaffView:
    """One organisation as ``GET /api/directory`` shows it to staff."""
    return StaffView(
        id=org.id,
        name=org.name,
        helps_with=org.helps_with,
        topics=list(org.topics),
        kommun=list(org.kommuner),
        languages=list(org.languages),
        contact=_contact(org),
        contact_person=org.contact_person,
        contact_email=org.contact_email,
        substitute=org.substitute,
        substitute_email=org.substitute_email,
        source=org.source,
        source_url=source_link(org.source),
        checked=org.checked.isoformat() if org.checked else None,
    )


def card_as_text(card: PublicCard, lang: str = "sv") -> str:
    """The card as a transcript line in the visitor's language, so a resumed page still has
    the referral (chat/texts/system_texts.py holds the labels)."""
    lines = [f"{referral_label(lang, 'tip')}: {card['name']}: {card['helps_with']}"]
    lines += [f"{referral_label(lang, c['kind'])}: {c['value']}" for c in card["contact"]]
    return "\n".join(lines)
