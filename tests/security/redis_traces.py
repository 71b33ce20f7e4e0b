"""Searching a whole Redis for a text in clear: what a dump of it would give away.

The privacy tests (message text, codes, tokens) look for their texts in every key, value,
field and member, in each form a text could be stored in without real encryption.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import redis


def forms_of(text: str) -> list[bytes]:
    """The ways a text could sit in Redis in clear: UTF-8, JSON-escaped, base64 at 3 offsets."""
    raw = text.encode()
    head = text.split(" ")[0].encode()
    out = [raw, head, json.dumps(text)[1:-1].encode()]
    for shift in range(3):
        b64 = base64.b64encode(b"\0" * shift + head)[4:-4]
        out += [b64, b64.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def everything(url: str) -> dict[bytes, list[bytes]]:
    """Every key of the Redis and every value, field and member under it."""
    client = redis.Redis.from_url(url)
    found: dict[bytes, list[bytes]] = {}
    try:
        for key in client.scan_iter(count=1000):
            kind_raw: Any = client.type(key)
            kind = kind_raw.decode() if isinstance(kind_raw, bytes) else str(kind_raw)
            values: Any
            if kind == "string":
                values = [client.get(key) or b""]
            elif kind == "hash":
                values = [b for pair in client.hgetall(key).items() for b in pair]
            elif kind == "list":
                values = client.lrange(key, 0, -1)
            elif kind == "set":
                values = list(client.smembers(key))
            elif kind == "zset":
                scored: Any = client.zrange(key, 0, -1, withscores=True)
                values = [m for m, _ in scored]
            else:
                values = []
            found[key] = list(values)
    finally:
        client.close()
    return found


def traces(url: str, texts: tuple[str, ...]) -> list[str]:
    """Where any of ``texts`` sits in the Redis at ``url``, in any of its clear forms."""
    hits = []
    for key, values in everything(url).items():
        for blob in [key, *values]:
            for text in texts:
                if any(form in blob for form in forms_of(text)):
                    hits.append(f"{text.split(' ')[0]} in {key!r}")
    return hits
