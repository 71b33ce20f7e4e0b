"""Every frame type and field the server parses or builds is named in docs/protocol.md's frame
index, in the row of that frame and the table of its direction.

Modelled on Datasette's documented-settings test: the names are collected from the code, so a
frame or field added anywhere fails here until the index names it. Parsed frames come from
chat/wire/parse.py's two parser tables, each entry's fields from the reads its parser makes
(``_required(obj, "chat")``, ``obj.get("lang")``, following the module's helpers). Built frames
come from every dict literal with a ``"type"`` key in chat/ and counsellor_console/, with the
fields set on the dict afterwards (``frame["chat"] = ...``). It would have caught
``watch``/``unwatch``, which were in neither document.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TypeGuard

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "protocol.md"
PARSER = ROOT / "chat" / "wire" / "parse.py"
PACKAGES = ("chat", "counsellor_console")
# The helpers whose second argument names the field they read from the frame object.
FIELD_READERS = {"_required", "_str", "_choice", "_int", "_bool"}
TABLES = ("Visitor → server", "Server → visitor", "Console → server", "Server → console")

Index = dict[str, dict[str, set[str]]]  # table -> frame type -> the names its rows give


def _names(cell: str) -> set[str]:
    return {n for span in re.findall(r"`([^`]+)`", cell) for n in re.findall(r"\w+", span)}


def _frame_index() -> Index:
    """The four tables of "## Frame index": each row's first cell names frame types, the
    second their fields."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Frame index\n", 1)[1].split("\n## ", 1)[0]
    index: Index = {}
    table = ""
    for line in section.splitlines():
        heading = line.rstrip(":")
        if heading in TABLES:
            table = heading
            index[table] = {}
        elif table and line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            fields = _names(" ".join(cells[1:]))
            for kind in re.findall(r"`(\w+)`", cells[0]):
                index[table].setdefault(kind, set()).update(fields)
    return index


# -- what the parser reads -----------------------------------------------------------------


def _reads(node: ast.AST, helpers: dict[str, ast.FunctionDef], seen: frozenset[str]) -> set[str]:
    """The fields a parser reads from its frame object, through the module's own helpers."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Attribute) and func.attr == "get":
                args = sub.args
            elif isinstance(func, ast.Name) and func.id in FIELD_READERS:
                args = sub.args[1:]
            else:
                args = []
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.add(args[0].value)
            if isinstance(func, ast.Name) and func.id in helpers and func.id not in seen:
                found |= _reads(helpers[func.id], helpers, seen | {func.id})
        elif (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
        ):
            found.add(sub.slice.value)
    return found


def _parsed_frames() -> dict[str, dict[str, set[str]]]:
    """``"visitor"``/``"console"`` -> frame type -> the fields its parser reads."""
    tree = ast.parse(PARSER.read_text(encoding="utf-8"))
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    sides: dict[str, dict[str, set[str]]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        side = {"_VISITOR_PARSERS": "visitor", "_CONSOLE_PARSERS": "console"}.get(node.target.id)
        if side is None or not isinstance(node.value, ast.Dict):
            continue
        frames = sides.setdefault(side, {})
        for key, value in zip(node.value.keys, node.value.values, strict=True):
            assert isinstance(key, ast.Constant)
            assert isinstance(key.value, str)
            parser: ast.AST = value
            if isinstance(value, ast.Name) and value.id in helpers:
                parser = helpers[value.id]
            frames[key.value] = _reads(parser, helpers, frozenset())
    return sides


# -- what the server builds ------------------------------------------------------------------


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _frame_type(node: ast.AST) -> str | None:
    """The frame type a dict literal builds, or None when it is not a frame."""
    if not isinstance(node, ast.Dict):
        return None
    for key, value in zip(node.keys, node.values, strict=True):
        if (
            isinstance(key, ast.Constant)
            and key.value == "type"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            kind = value.value
            # An ASGI message, not a frame.
            return None if kind.startswith(("websocket.", "http.")) else kind
    return None


def _public(key: object) -> TypeGuard[str]:
    """A field a socket sees: keys starting with ``_`` are the hub's routing hints, stripped
    before a frame goes out."""
    return isinstance(key, str) and key != "type" and not key.startswith("_")


def _built_frames() -> dict[str, set[str]]:
    """Frame type -> the fields its dict literals carry, over every module of both packages."""
    out: dict[str, set[str]] = {}
    for module in _modules():
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and (kind := _frame_type(node)) is not None:
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                out.setdefault(kind, set()).update(k for k in keys if _public(k))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                _fields_set_later(func, out)
    return out


def _fields_set_later(
    func: ast.FunctionDef | ast.AsyncFunctionDef, out: dict[str, set[str]]
) -> None:
    """``frame = {"type": K, ...}`` then ``frame["x"] = ...``: x is a field of K (the name's
    latest frame assignment before the line counts)."""
    steps = sorted(
        (n for n in ast.walk(func) if isinstance(n, ast.Assign | ast.AnnAssign)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    named: dict[str, str] = {}
    for node in steps:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                kind = _frame_type(node.value) if node.value is not None else None
                if kind is None:
                    named.pop(target.id, None)
                else:
                    named[target.id] = kind
            elif (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in named
                and isinstance(target.slice, ast.Constant)
                and _public(target.slice.value)
            ):
                out[named[target.value.id]].add(target.slice.value)


# -- the tests -------------------------------------------------------------------------------


def test_the_collectors_find_what_they_look_for() -> None:
    """The walks are not vacuous: known frames and fields are found, in the index too."""
    built = _built_frames()
    assert {"welcome", "queued", "ack", "error", "staff", "chats", "escalation"} <= set(built)
    assert "seq" in built["ack"]
    assert {"field", "chat"} <= built["error"]  # set on the dict after the literal
    parsed = _parsed_frames()
    assert {"lang", "age", "resume", "last_seq", "urgent"} <= parsed["visitor"]["hello"]
    assert parsed["console"]["set_limit"] == {"username", "limit"}
    index = _frame_index()
    assert set(index) == set(TABLES)
    assert {"number", "cap", "over_cap"} <= index["Server → visitor"]["welcome"]


@pytest.mark.parametrize("side", ["visitor", "console"])
def test_every_parsed_frame_and_field_is_in_its_row(side: str) -> None:
    rows = _frame_index()[f"{side.capitalize()} → server"]
    missing = [
        f"{kind}.{name}" if name else kind
        for kind, fields in sorted(_parsed_frames()[side].items())
        for name in ["", *sorted(fields)]
        if kind not in rows or (name and name not in rows[kind])
    ]
    assert not missing, f"{side} frames/fields parsed but not in the frame index: {missing}"


def test_every_built_frame_and_field_is_in_its_row() -> None:
    index = _frame_index()
    rows: dict[str, set[str]] = {}
    for table in ("Server → visitor", "Server → console"):
        for kind, fields in index[table].items():
            rows.setdefault(kind, set()).update(fields)
    missing = [
        f"{kind}.{name}" if name else kind
        for kind, fields in sorted(_built_frames().items())
        for name in ["", *sorted(fields)]
        if kind not in rows or (name and name not in rows[kind])
    ]
    assert not missing, f"frames/fields built but not in the frame index: {missing}"


def test_the_index_names_no_frame_the_server_does_not_know() -> None:
    """A row for a frame nobody parses or builds any more is a stale promise."""
    index = _frame_index()
    parsed = _parsed_frames()
    built = set(_built_frames())
    stale = sorted(
        f"{table}: {kind}"
        for table, rows in index.items()
        for kind in rows
        if kind not in (built if table.startswith("Server") else parsed[table.split()[0].lower()])
    )
    assert not stale, f"the frame index names frames the code does not have: {stale}"
