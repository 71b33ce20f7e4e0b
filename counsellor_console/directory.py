"""The referral directory: organisations and authorities a counsellor refers young people to.

Pure: parsing and writing the CSV of ``fristad directory import/export`` (surface.md), the
visitor-facing referral card (protocol.md, ``referral``), the staff view of
``GET /api/directory``, search and "open now". Redis is in
:mod:`counsellor_console.directory_store`. See docs/directory.md.

The staff-only fields (a named contact person and a substitute, with emails, as the centre's
partner network keeps them) live on :class:`Org` but never reach :func:`public_card`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Final, Literal, TypedDict

from chat.municipalities import is_municipality
from chat.system_texts import referral_label
from chat.topics import TOPICS
from counsellor_console.directory_hours import AlwaysOpen, read_hours
from security.spreadsheet import neutralise_cell, restore_cell

__all__ = [
    "ALL_KOMMUNER",
    "ALWAYS_OPEN",
    "COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_IMPORT_ROWS",
    "ContactItem",
    "DirectoryRowError",
    "ImportReport",
    "Org",
    "PublicCard",
    "RowError",
    "StaffView",
    "export_directory_csv",
    "filter_orgs",
    "is_open",
    "org_from_row",
    "org_to_row",
    "parse_directory_csv",
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
#: counsellor_console.directory_hours reads what it can (``mån-fre 9-17``, ``dygnet runt``,
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


class DirectoryRowError(_DirectoryError, ValueError):
    """One row of the directory is not valid; the message says which field and why."""


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
        raise DirectoryRowError("kommuner: expected four-digit municipality codes or *")
    if ALL_KOMMUNER in values:
        if len(values) > 1:
            raise DirectoryRowError("kommuner: * (every municipality) must stand alone")
        return
    for code in values:
        if not is_municipality(code):
            raise DirectoryRowError(
                f"kommuner: expected one of SCB's four-digit municipality codes such as 0180, "
                f"got {code!r}"
            )


def _validate_row_fields(values: Mapping[str, str]) -> None:
    for name in _REQUIRED:
        if not values.get(name, "").strip():
            raise DirectoryRowError(f"{name}: required, but empty")
    for name, value in values.items():
        if len(value) > MAX_FIELD_CHARS:
            raise DirectoryRowError(f"{name}: longer than {MAX_FIELD_CHARS} characters")
    if not _ID.fullmatch(values["id"]):
        raise DirectoryRowError(
            f"id: expected lowercase letters, digits and hyphens (at most 64), got {values['id']!r}"
        )
    if not any(values.get(kind, "").strip() for kind in ("phone", "web", "email", "address")):
        raise DirectoryRowError("contact: give at least one of phone, web, email, address")


def _validate_contacts(values: Mapping[str, str]) -> None:
    phone = values.get("phone", "").strip()
    if phone and not all(_PHONE.fullmatch(p) for p in _split_list(phone)):
        raise DirectoryRowError(f"phone: expected digits, spaces and hyphens, got {phone!r}")
    web = values.get("web", "").strip()
    if web and not _WEB.fullmatch(web):
        raise DirectoryRowError(f"web: expected an https:// address, got {web!r}")
    if _CONTROL.search(values.get("source", "")):
        raise DirectoryRowError("source: control characters (such as a line break) are not allowed")
    for name in ("email", "contact_email", "substitute_email"):
        value = values.get(name, "").strip()
        if value and not _EMAIL.fullmatch(value):
            raise DirectoryRowError(f"{name}: expected an email address, got {value!r}")


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
        raise DirectoryRowError(f"checked: expected a date YYYY-MM-DD, got {value!r}") from None


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
                f"topics: unknown topic {topic!r}; expected codes from chat/topics.py "
                f"({', '.join(TOPICS)})"
            )
    kommuner = _split_list(values["kommuner"])
    _validate_kommuner(kommuner)
    languages = tuple(lang.lower() for lang in _split_list(values["languages"]))
    for lang in languages:
        if not _LANG.fullmatch(lang):
            raise DirectoryRowError(f"languages: expected codes such as sv;en;ar, got {lang!r}")
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
            errors.append(RowError(line, str(exc)))
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


# -- search ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case- and diacritic-insensitive form: "Bröllop" and "brollop" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_open(org: Org, at: datetime) -> bool:
    """Whether the organisation is open at an aware datetime (Europe/Stockholm hours).

    Unknown hours count as not open: "open now" must only list what is known to be open.

    Raises:
        ValueError: If ``at`` is naive.
    """
    if at.tzinfo is None:
        raise ValueError("expected an aware datetime, got a naive one")
    hours = read_hours(org.hours)
    if hours is None:
        return False
    return isinstance(hours, AlwaysOpen) or hours.is_open(at)


def filter_orgs(
    orgs: Iterable[Org],
    kommun: str | None = None,
    topic: str | None = None,
    lang: str | None = None,
    q: str | None = None,
    open_at: datetime | None = None,
) -> list[Org]:
    """The organisations matching every filter given, in the order given.

    Args:
        kommun: A four-digit code; organisations serving every municipality (``*``) match.
        topic: A topic code from chat/topics.py.
        lang: A language code; matches organisations that list it.
        q: Words that must all occur in the name or what they help with, ignoring case and
            diacritics.
        open_at: Only organisations known to be open at this aware datetime.
    """
    terms = _fold(q).split() if q else []
    out: list[Org] = []
    for org in orgs:
        if kommun and ALL_KOMMUNER not in org.kommuner and kommun not in org.kommuner:
            continue
        if topic and topic not in org.topics:
            continue
        if lang and lang.lower() not in org.languages:
            continue
        if terms:
            haystack = _fold(f"{org.name} {org.helps_with}")
            if not all(term in haystack for term in terms):
                continue
        if open_at is not None and not is_open(org, open_at):
            continue
        out.append(org)
    return out


def card_as_text(card: PublicCard, lang: str = "sv") -> str:
    """The card as a transcript line in the visitor's language, so a resumed page still has
    the referral (chat/system_texts.py holds the labels)."""
    lines = [f"{referral_label(lang, 'tip')}: {card['name']}: {card['helps_with']}"]
    lines += [f"{referral_label(lang, c['kind'])}: {c['value']}" for c in card["contact"]]
    return "\n".join(lines)
