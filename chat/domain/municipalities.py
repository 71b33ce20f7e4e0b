"""Sweden's 290 municipalities (SCB's four-digit kommunkoder) and the city districts of the
three cities that have district committees, as the visitor and the directory may name them.

Pure reference data, read once from ``chat/data/municipalities.csv`` (``code,name``) and
``chat/data/districts.csv`` (``kommun,code,name``). The first two digits of a code are the
county (01 Stockholms län ... 25 Norrbottens län). Sweden has had 290 municipalities since
Knivsta left Uppsala in 2003; when SCB changes the list, update the file and the count here
and in the tests. See docs/municipalities.md.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, TypeGuard

__all__ = [
    "MUNICIPALITY_COUNT",
    "District",
    "Municipality",
    "districts",
    "is_district",
    "is_municipality",
    "municipalities",
    "municipality_name",
]

#: How many municipalities Sweden has (SCB, since 2003).
MUNICIPALITY_COUNT: Final = 290


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str  # four digits, e.g. "0180"
    name: str  # e.g. "Stockholm"


@dataclass(frozen=True, slots=True)
class District:
    """A city district (stadsdelsnämnd or stadsdel) within one municipality."""

    kommun: str
    code: str  # lowercase ASCII, unique within its municipality, e.g. "rinkeby-kista"
    name: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("chat").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def municipalities() -> tuple[Municipality, ...]:
    """Every municipality, in SCB's code order."""
    return tuple(Municipality(row["code"], row["name"]) for row in _rows("municipalities.csv"))


@cache
def _by_code() -> dict[str, str]:
    return {m.code: m.name for m in municipalities()}


@cache
def _districts_by_kommun() -> dict[str, tuple[District, ...]]:
    out: dict[str, list[District]] = {}
    for row in _rows("districts.csv"):
        out.setdefault(row["kommun"], []).append(District(row["kommun"], row["code"], row["name"]))
    return {kommun: tuple(items) for kommun, items in out.items()}


def is_municipality(code: object) -> TypeGuard[str]:
    """Whether ``code`` is one of SCB's municipality codes (a str of four digits in the list)."""
    return isinstance(code, str) and code in _by_code()


def municipality_name(code: str) -> str | None:
    return _by_code().get(code)


def districts(kommun: str) -> tuple[District, ...]:
    """The districts of a municipality; empty for one without (or an unknown code)."""
    return _districts_by_kommun().get(kommun, ())


def is_district(kommun: str | None, code: object) -> bool:
    """Whether ``code`` is a district of ``kommun`` (never without a municipality)."""
    return (
        kommun is not None
        and isinstance(code, str)
        and any(d.code == code for d in districts(kommun))
    )
