"""Every frame type and field the server parses or builds is named in docs/protocol.md.

Modelled on Datasette's documented-settings test: the names are collected from the code (the
parser tables and field reads of chat/wire/parse.py; the dict literals with a ``"type"`` key in the
modules that build frames), so a frame added anywhere fails here until it is documented. It
would have caught ``watch``/``unwatch``, which were in neither document.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from chat.wire import parse as wire

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "protocol.md"
# The modules that build frames for a socket (issue 9's list), and the parser.
BUILDERS = (
    "chat/wire/outbound.py",
    "chat/operations/conversations.py",
    "chat/live/visitor_endpoint.py",
    "chat/live/visitor_socket.py",
    "chat/live/visitor_codes.py",
    "counsellor_console/endpoint.py",
    "counsellor_console/console_socket.py",
)
PARSER = "chat/wire/parse.py"
# Read from an inbound frame by the parser's helpers (``_required(obj, "chat")``,
# ``obj.get("lang")``, ``obj["type"]``): the helpers' first argument is the frame object.
FIELD_READERS = {"_required", "_str", "_choice", "_int", "_bool", "get"}


def _documented_names() -> set[str]:
    """Every name written as code in the doc: inside backticks, quoted or bare."""
    text = DOC.read_text(encoding="utf-8")
    names: set[str] = set()
    for span in re.findall(r"`([^`]+)`", text):
        names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    return names


def _frame_type(node: ast.Dict) -> str | None:
    """The frame type a dict literal builds, or None when it is not a frame."""
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


def _built_frames() -> dict[str, set[str]]:
    """Frame type -> the fields its dict literals carry (and the fields set on the dict
    afterwards, ``frame["chat"] = ...``), over every building module. Keys starting with
    ``_`` are the hub's routing hints, stripped before a socket sees the frame."""
    out: dict[str, set[str]] = {}
    for module in BUILDERS:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and (kind := _frame_type(node)) is not None:
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                fields = {k for k in keys if isinstance(k, str) and k[:1] != "_"}
                out.setdefault(kind, set()).update(fields - {"type"})
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
                kind = _frame_type(node.value) if isinstance(node.value, ast.Dict) else None
                if kind is None:
                    named.pop(target.id, None)
                else:
                    named[target.id] = kind
            elif (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in named
                and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)
                and not target.slice.value.startswith("_")
            ):
                out[named[target.value.id]].add(target.slice.value)


def _parsed_fields() -> set[str]:
    tree = ast.parse((ROOT / PARSER).read_text(encoding="utf-8"))
    fields: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in FIELD_READERS:
                continue
            args = node.args if isinstance(func, ast.Attribute) else node.args[1:]
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                fields.add(args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in {"obj", "raw", "resume", "item"}
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            fields.add(node.slice.value)
    return fields


def test_the_collectors_find_what_they_look_for() -> None:
    """The walk is not vacuous: known frames and fields are found."""
    built = _built_frames()
    assert {"welcome", "queued", "ack", "error"} <= set(built)
    assert "seq" in built["ack"]
    assert {"field", "chat"} <= built["error"]  # set on the dict after the literal
    assert {"chat", "text", "lang"} <= _parsed_fields()


@pytest.mark.parametrize(
    "side", ["visitor", "console"], ids=["visitor frames parsed", "console frames parsed"]
)
def test_every_parsed_frame_type_is_documented(side: str) -> None:
    table = wire._VISITOR_PARSERS if side == "visitor" else wire._CONSOLE_PARSERS
    missing = sorted(set(table) - _documented_names())
    assert not missing, f"{side} frame types parsed but not in docs/protocol.md: {missing}"


def test_every_parsed_field_is_documented() -> None:
    missing = sorted(_parsed_fields() - _documented_names())
    assert not missing, f"fields parsed but not in docs/protocol.md: {missing}"


def test_every_built_frame_and_field_is_documented() -> None:
    documented = _documented_names()
    missing = [
        f"{kind}.{name}" if name else kind
        for kind, fields in sorted(_built_frames().items())
        for name in ["", *sorted(fields)]
        if (name or kind) not in documented
    ]
    assert not missing, f"frames/fields built but not in docs/protocol.md: {missing}"
