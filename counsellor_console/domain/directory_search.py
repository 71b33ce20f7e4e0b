"""Finding organisations in the directory: the filters of ``GET /api/directory`` and "open now"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from counsellor_console.domain.directory import ALL_KOMMUNER, Org
from counsellor_console.domain.directory_hours import AlwaysOpen, read_hours


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
        topic: A topic code from chat/domain/topics.py.
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
