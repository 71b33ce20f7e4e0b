"""Writing small gettext catalogues for tests of the catalogue readers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

#: A catalogue entry as the tests compare them: its context (the key) and its source text.
Entry = tuple[str | None, str]


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def entries(catalog: Catalog) -> set[Entry]:
    return {(m.context, str(m.id)) for m in catalog if m.id}


def extracted(root: Path, mapping: str, keywords: Mapping[str, Any]) -> set[Entry]:
    """What `make i18n-extract` would write into a template now: Babel run over ``root`` with
    the mapping file ``mapping`` and the keywords the Makefile passes."""
    with (root / mapping).open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    found: set[Entry] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=dict(keywords)
    ):
        assert isinstance(message, str), message
        found.add((context, message))
    return found


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
