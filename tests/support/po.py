"""Writing small gettext catalogues for tests of the catalogue readers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po


def write_catalogue(
    locale_dir: Path,
    lang: str,
    english: Mapping[str, str],
    translated: Mapping[str, str],
    *,
    domain: str = "visitor",
    fuzzy: Iterable[str] = (),
) -> Path:
    """``locale_dir/<lang>/LC_MESSAGES/<domain>.po``: each key's English, translated or not."""
    marked = set(fuzzy)
    catalog = Catalog(locale=lang, domain=domain, fuzzy=False)
    for key, text in english.items():
        flags = ["fuzzy"] if key in marked else []
        catalog.add(text, translated.get(key, ""), context=key, flags=flags)
    path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return path
