"""The server's frames are typed and built in one place (issue 9).

- No module of chat/ or counsellor_console/ but chat/wire/outbound.py writes a frame as a dict
  literal, so every frame is made by a builder whose return type is its TypedDict
  (chat/wire/server_frames.py) and mypy checks its fields there.
- Every TypedDict with a ``type`` is returned by a builder, and every builder returns one.
- Every TypedDict's fields are in docs/protocol.md's frame index, in its frame's row.
- Each builder's output has exactly the keys its TypedDict allows, and all it requires.
"""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path
from typing import Any, NotRequired, get_args, get_origin, get_type_hints

import pytest

from chat.domain.protocol import SessionInfo
from chat.domain.records import StoredMessage
from chat.wire import outbound, server_frames
from tests.unit.chat.test_protocol_documented import _frame_index, _frame_type

ROOT = Path(__file__).resolve().parents[3]
BUILDER_MODULE = ROOT / "chat" / "wire" / "outbound.py"


def _frame_types() -> dict[str, type]:
    """Frame type -> its TypedDict (those whose ``type`` is a Literal)."""
    out: dict[str, type] = {}
    for _, obj in inspect.getmembers(server_frames, typing.is_typeddict):
        kind = get_type_hints(obj).get("type")
        if kind is not None:
            (literal,) = get_args(kind)
            out[literal] = obj
    return out


def _builders() -> dict[str, Any]:
    """Builder name -> function, for outbound's functions returning a frame TypedDict."""
    frame_dicts = set(_frame_types().values())
    return {
        name: func
        for name, func in inspect.getmembers(outbound, inspect.isfunction)
        if func.__module__ == outbound.__name__
        and get_type_hints(func).get("return") in frame_dicts
    }


def test_no_module_but_the_builders_writes_a_frame_literal() -> None:
    elsewhere = []
    for package in ("chat", "counsellor_console"):
        for module in sorted((ROOT / package).rglob("*.py")):
            if module == BUILDER_MODULE:
                continue
            tree = ast.parse(module.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (kind := _frame_type(node)) is not None:
                    rel = module.relative_to(ROOT)
                    elsewhere.append(f"{rel}:{getattr(node, 'lineno', '?')} {kind}")
    assert elsewhere == [], f"frames built outside chat/wire/outbound.py: {elsewhere}"


def test_the_literal_check_sees_a_frame() -> None:
    """The walk above is not vacuous: the builders' own module is full of frame literals."""
    tree = ast.parse(BUILDER_MODULE.read_text(encoding="utf-8"))
    assert sum(1 for n in ast.walk(tree) if _frame_type(n) is not None) > 30


def test_every_frame_type_has_a_builder_and_every_builder_a_frame_type() -> None:
    frame_types = _frame_types()
    returned = {get_type_hints(f)["return"] for f in _builders().values()}
    assert len(frame_types) > 35
    assert sorted(k for k, td in frame_types.items() if td not in returned) == []


def test_every_typed_field_is_in_its_frames_row() -> None:
    index = _frame_index()
    rows: dict[str, set[str]] = {}
    for table, frames in index.items():
        if table.startswith("Server"):
            for kind, fields in frames.items():
                rows.setdefault(kind, set()).update(fields)
    missing = sorted(
        f"{kind}.{field}"
        for kind, typed in _frame_types().items()
        for field in get_type_hints(typed)
        if field != "type" and not field.startswith("_") and field not in rows.get(kind, set())
    )
    assert missing == [], f"typed fields not in docs/protocol.md's frame index: {missing}"


SESSION = SessionInfo(number=2, cap=5)
MESSAGE = StoredMessage(3, "visitor", "hej", 1_700_000_000_000)


@pytest.mark.parametrize(
    ("frame", "typed"),
    [
        (outbound.error("bad_field", "lang", "c1", "why"), server_frames.Error),
        (outbound.error("rate_limited"), server_frames.Error),
        (outbound.msg(MESSAGE, chat="c1"), server_frames.Msg),
        (outbound.msg(MESSAGE, tracked_chat="c1"), server_frames.Msg),
        (outbound.ack("m1", 3, chat="c1"), server_frames.Ack),
        (outbound.typing(chat="c1"), server_frames.Typing),
        (outbound.ended("system", chat="c1", reason="blocked"), server_frames.Ended),
        (outbound.welcome("c1", "t", SESSION), server_frames.Welcome),
        (outbound.unavailable("closed", "2026-12-04T08:00:00Z"), server_frames.Unavailable),
        (outbound.whisper("c1", "Sara", "hej", 1_700_000_000_000), server_frames.Whisper),
        (outbound.note("c1", "hej", "Sara", 1_700_000_000_000), server_frames.Note),
        (outbound.risk("c1", {}, [], counted=False), server_frames.Risk),
    ],
    ids=lambda v: v["type"] + "-" + "-".join(sorted(v)) if isinstance(v, dict) else "",
)
def test_a_built_frame_has_the_keys_its_type_allows(frame: Any, typed: Any) -> None:
    hints = get_type_hints(typed, include_extras=True)
    allowed = set(hints)
    # Not __required_keys__: on Python 3.11 it counts every key of a TypedDict declared
    # under ``from __future__ import annotations`` as required.
    required = {k for k, hint in hints.items() if get_origin(hint) is not NotRequired}
    assert set(frame) <= allowed
    assert required <= set(frame)
