"""JSON on the relay's hot path: orjson, with the standard library as the fallback that keeps
every edge case exactly as it was.

Each relayed message is decoded once (the client's frame) and encoded three times (the sealed
record, the pub/sub event, the outgoing frame), and decoded again from pub/sub; the standard
library's json is several times slower than orjson at each (bench/relay.py's profile). orjson
refuses what json accepts in a few corners: a lone surrogate escape (``"\\ud800"``, which
the wire layer answers with ``bad_field``), NaN and integers past 64 bits. There the standard
library is used instead, so the answers stay what protocol.md and the fuzz tests say.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(raw: str | bytes) -> Any:
    """``json.loads``, faster. Raises ValueError (or RecursionError) as json.loads does."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def dumps_text(value: Any) -> str:
    """Compact JSON with non-ASCII characters as they are (``ensure_ascii=False``)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps_bytes(value: Any) -> bytes:
    """Compact JSON as UTF-8 bytes (what gets sealed and stored)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()
