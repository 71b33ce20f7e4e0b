"""Read a Chromium profile as someone who takes the device would, and list what names a site.

Every SQLite database of the profile is read row by row (a copy, with its journal, so an
open browser's half-written transaction is rolled back as SQLite would); every other file is
scanned byte by byte. What the browser keeps for every site it visits, and no page can
prevent, is left out, each named in docs/security.md ("What no site can prevent"):

- ``History`` (and its journal): a page cannot remove its own history entries;
- the session-restore files (``Sessions/``, ``Sessions_Encrypted/``, the older
  ``Current/Last Session/Tabs``): the open tabs, so that a crash does not lose them;
- in ``Preferences``, the site-engagement and media-engagement scores (``site_engagement``,
  ``media_engagement``), recorded for every navigation to any http(s) page;
- ``segmentation_platform/ukm_db``: the browser's own usage metrics store.

Everything else that names the site's origin is a trace, and the test fails on it.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
#: Paths (relative to the profile, with `/`) the browser keeps for every site.
UNPREVENTABLE_FILES: Final = (
    "Default/History",
    "Default/History-journal",
    "Default/History-wal",
    "Default/Sessions/*",
    "Default/Sessions_Encrypted/*",
    "Default/Current Session",
    "Default/Current Tabs",
    "Default/Last Session",
    "Default/Last Tabs",
    "segmentation_platform/ukm_db",
    "segmentation_platform/ukm_db-journal",
    "segmentation_platform/ukm_db-wal",
)
#: Content settings in Preferences the browser records for every http(s) navigation.
UNPREVENTABLE_SETTINGS: Final = ("site_engagement", "media_engagement")
_SIDE_FILES: Final = ("-journal", "-wal", "-shm")


def site_needles(base_url: str) -> list[bytes]:
    """The forms in which a file may name the site: its URL and host:port, as UTF-8 and as
    UTF-16 (Chromium writes tab titles and some keys in UTF-16)."""
    host = base_url.split("://", 1)[1].rstrip("/")
    needles = []
    for text in (base_url, host):
        needles += [text.encode(), text.encode("utf-16-le")]
    return needles


def profile_files(profile: Path) -> Iterator[Path]:
    for path in sorted(profile.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def unpreventable(relative: str) -> bool:
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in UNPREVENTABLE_FILES)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:  # an open browser removed it meanwhile
        return b""


def _names(value: object, needles: list[bytes]) -> bool:
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    return isinstance(value, bytes) and any(needle in value for needle in needles)


def _copy_db(db: Path, workdir: Path) -> Path:
    """A copy of the database with its journal, so SQLite rolls back what was half-written."""
    copy_dir = workdir / f"db-{len(list(workdir.iterdir()))}"
    copy_dir.mkdir()
    copy = copy_dir / "db"
    shutil.copy(db, copy)
    for suffix in _SIDE_FILES:
        side = db.with_name(db.name + suffix)
        if side.exists():
            shutil.copy(side, copy_dir / f"db{suffix}")
    return copy


def sqlite_traces(db: Path, needles: list[bytes], workdir: Path) -> list[str] | None:
    """Rows of a database that name the site, as ``table: row``; None if it cannot be read."""
    copy = _copy_db(db, workdir)
    found: list[str] = []
    try:
        connection = sqlite3.connect(copy)
        try:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ]
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                for row in connection.execute(f"SELECT * FROM {quoted}"):  # noqa: S608 -- a table name of the file itself
                    if any(_names(value, needles) for value in row):
                        found.append(f"{table}: {_short(row)}")
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None
    return found


def _short(row: tuple[Any, ...]) -> str:
    text = repr(tuple(v if not isinstance(v, bytes) else f"<{len(v)} bytes>" for v in row))
    return text if len(text) < 300 else text[:300] + "…"


def _json_paths(value: object, needles: list[bytes], path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if _names(key, needles):
                yield f"{path}/{key}"
            else:
                yield from _json_paths(item, needles, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_paths(item, needles, f"{path}[{index}]")
    elif _names(value, needles):
        yield path


def preferences_traces(path: Path, needles: list[bytes]) -> list[str]:
    """Where ``Preferences`` names the site, but the unpreventable engagement scores."""
    data = _read(path)
    try:
        prefs = json.loads(data or b"{}")
    except ValueError:  # half-written by a running browser: fall back to its bytes
        return ["(not JSON) holds the site's address"] if _names(data, needles) else []
    exceptions = prefs.get("profile", {}).get("content_settings", {}).get("exceptions", {})
    for setting in UNPREVENTABLE_SETTINGS:
        per_site = exceptions.get(setting)
        if isinstance(per_site, dict):
            for key in [k for k in per_site if _names(k, needles)]:
                del per_site[key]
    return list(_json_paths(prefs, needles))


def site_traces(profile: Path, needles: list[bytes], workdir: Path) -> list[str]:
    """Every file or database row of the profile that names the site, but the exceptions.

    Args:
        profile: The profile directory (``--user-data-dir``); the browser may still be running.
        needles: What names the site (:func:`site_needles`).
        workdir: An empty directory for copies of the databases.

    Returns:
        One line per trace: the file, and for a database the table and the row.
    """
    found: list[str] = []
    for path in profile_files(profile):
        relative = path.relative_to(profile).as_posix()
        if unpreventable(relative):
            continue
        if relative == "Default/Preferences":
            found += [f"{relative}: {where}" for where in preferences_traces(path, needles)]
            continue
        data = _read(path)
        if data.startswith(SQLITE_MAGIC):
            rows = sqlite_traces(path, needles, workdir)
            if rows is not None:
                found += [f"{relative}: {row}" for row in rows]
                continue
        if any(needle in data for needle in needles):
            found.append(f"{relative}: holds the site's address")
    return found


def files_holding(root: Path, needles: list[bytes]) -> list[str]:
    """Files under ``root`` (exceptions included) whose bytes hold any of ``needles``."""
    return [
        path.relative_to(root).as_posix()
        for path in profile_files(root)
        if any(needle in _read(path) for needle in needles)
    ]


def sqlite_rows(db: Path, query: str, workdir: Path) -> list[tuple[Any, ...]]:
    """The rows of ``query`` on a copy of ``db`` (empty if there is no such database)."""
    if not db.exists():
        return []
    connection = sqlite3.connect(_copy_db(db, workdir))
    try:
        return list(connection.execute(query))
    finally:
        connection.close()
