"""A look at a text before it is posted in the experts' space: does it seem to identify someone?

Pure: text in, findings out. The check warns, it does not forbid: the poster sees what was
found and may edit the text or confirm that it is de-identified (a finding can be a false
alarm). What it looks for (issue 13):

- a Swedish personal identity number or co-ordination number (personnummer, samordningsnummer):
  ten or twelve digits, with or without the ``-``/``+`` separator, whose date part is a real
  month and day (day + 60 for a co-ordination number) and whose last digit is the Luhn
  checksum of the ten-digit form. A date (``2024-05-12``) or a case number (``2024-1234``)
  has neither the shape nor, by chance one time in ten, the checksum;
- a phone number: Swedish (``070-123 45 67``, ``08-123 456``, ``+46 70 123 45 67``) or any
  ``+`` number of 8 to 15 digits;
- a street address (``Storgatan 12``, ``Ringvägen 5B``) or a postal code before a place name
  (``123 45 Byn``);
- a first name from the shipped list ``data/first_names.txt``, written with a capital letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

NAMES_FILE: Final = Path(__file__).resolve().parent / "data" / "first_names.txt"
#: Ten-digit form's century-free length, and the twelve-digit form's centuries.
PNR_CENTURIES: Final = ("18", "19", "20")
#: A co-ordination number adds this to the day of birth.
COORDINATION_DAY_OFFSET: Final = 60
#: A Swedish number without the leading 0 has 6 to 9 digits (08-123 45 up to 070-123 45 67).
NATIONAL_DIGITS: Final = range(7, 11)
INTERNATIONAL_DIGITS: Final = range(8, 16)


class FindingKind(StrEnum):
    PERSONAL_NUMBER = "personal_number"
    PHONE = "phone"
    ADDRESS = "address"
    NAME = "name"


LABELS: Final = {
    FindingKind.PERSONAL_NUMBER: "personnummer eller samordningsnummer",
    FindingKind.PHONE: "telefonnummer",
    FindingKind.ADDRESS: "adress",
    FindingKind.NAME: "förnamn",
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


_PNR = re.compile(r"(?<![\d+\-])(\d{2})?(\d{6})([-+]?)(\d{4})(?![\d\-])")
_PHONE = re.compile(r"(?<![\w+])(?:\+|0)[\d \-()]{5,19}\d(?!\d)")
_STREET_WORDS = (
    "gatan|gata|vägen|väg|gränd|gränden|torget|torg|stigen|allén|allé|backen|leden|"
    "platsen|esplanaden|parken|stranden|kajen"
)
_STREET = re.compile(
    rf"\b[A-ZÅÄÖÉ][a-zåäöé]*(?: ?(?:{_STREET_WORDS}))\s+\d{{1,4}}(?:\s?[A-Za-z])?\b"
)
_POSTAL = re.compile(r"(?<!\d)\d{3} ?\d{2}\s+[A-ZÅÄÖ][a-zåäö]{2,}")
_WORD = re.compile(r"\b[A-ZÅÄÖÉÜŞ][a-zåäöéüş\u0131]+\b")  # \u0131: Turkish dotless i


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check: weights 2, 1, 2, 1, … from the left for a ten-digit number."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == len(digits) % 2 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _date_ok(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    return 1 <= month <= 12 and 1 <= day <= 31


def is_personal_number(text: str) -> bool:
    """Whether ``text`` alone is a valid personnummer or samordningsnummer (any form)."""
    match = _PNR.fullmatch(text.strip())
    return match is not None and _pnr_ok(match)


def _pnr_ok(match: re.Match[str]) -> bool:
    century, yymmdd, _, last4 = match.groups()
    if century is not None and century not in PNR_CENTURIES:
        return False
    return _date_ok(yymmdd) and luhn_ok(yymmdd + last4)


def _personal_numbers(text: str) -> list[Finding]:
    return [
        Finding(FindingKind.PERSONAL_NUMBER, m.start(), m.end(), m.group())
        for m in _PNR.finditer(text)
        if _pnr_ok(m)
    ]


def _is_phone(candidate: str) -> bool:
    if candidate.count("(") != candidate.count(")"):
        return False
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+") or candidate.startswith("00"):
        if digits.startswith("00"):
            digits = digits[2:]
        return len(digits) in INTERNATIONAL_DIGITS
    # Swedish numbers begin with 0 and then an area or mobile code, never 00.
    return digits.startswith("0") and digits[1:2] != "0" and len(digits) in NATIONAL_DIGITS


def _phone_prefix(candidate: str) -> str | None:
    """The longest phone number the candidate begins with, cut at a space (two numbers in a
    row, ``070-123 45 67 08-123 45``, run together in the pattern)."""
    cuts = [len(candidate)] + [i for i in range(len(candidate) - 1, 0, -1) if candidate[i] == " "]
    for cut in cuts:
        prefix = candidate[:cut].rstrip(" -(")
        if _is_phone(prefix):
            return prefix
    return None


def _phones(text: str) -> list[Finding]:
    found = []
    position = 0
    while (match := _PHONE.search(text, position)) is not None:
        prefix = _phone_prefix(match.group())
        if prefix is None:
            position = match.start() + 1
            continue
        found.append(Finding(FindingKind.PHONE, match.start(), match.start() + len(prefix), prefix))
        position = match.start() + len(prefix)
    return found


def _addresses(text: str) -> list[Finding]:
    return [
        Finding(FindingKind.ADDRESS, m.start(), m.end(), m.group())
        for pattern in (_STREET, _POSTAL)
        for m in pattern.finditer(text)
    ]


def load_names(path: Path = NAMES_FILE) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


NAMES: Final = load_names()


def _names(text: str, names: frozenset[str]) -> list[Finding]:
    return [
        Finding(FindingKind.NAME, m.start(), m.end(), m.group())
        for m in _WORD.finditer(text)
        if m.group().casefold() in names
    ]


def _overlaps(finding: Finding, kept: list[Finding]) -> bool:
    return any(finding.start < other.end and other.start < finding.end for other in kept)


def check_text(text: str, names: frozenset[str] = NAMES) -> list[Finding]:
    """Everything in ``text`` that looks like it identifies a person, in reading order.

    Where two findings overlap, the stronger is kept (an identity number before a phone
    number: a number born in 2000 begins with 0 too).
    """
    kept: list[Finding] = []
    for group in (_personal_numbers(text), _phones(text), _addresses(text), _names(text, names)):
        kept.extend(f for f in group if not _overlaps(f, kept))
    return sorted(kept, key=lambda f: f.start)
