"""Encryption at rest for the network's texts, the way chats are encrypted.

Each experts' thread gets its own random data key, stored only wrapped under a key derived
from the master key; destroying the wrapped key (closing retention, purge) destroys the
thread, and a Redis dump without the master key reads as noise. A talk request from a
school is sealed under one derived key with its id as associated data.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Final

from security.crypto import decrypt, derive_key, encrypt, generate_data_key, unwrap_key, wrap_key

THREAD_WRAP_INFO: Final = b"fristad/network/experts/wrap/v1"
TALK_KEY_INFO: Final = b"fristad/network/talk-requests/v1"


class Sealer:
    """Seals and opens JSON values; knows the derived keys, never logs anything."""

    def __init__(self, master_key: bytes) -> None:
        self._wrap = derive_key(master_key, b"", THREAD_WRAP_INFO)
        self._talk = derive_key(master_key, b"", TALK_KEY_INFO)

    def new_thread_key(self, thread_id: str) -> tuple[bytes, str]:
        """A fresh data key and its wrapped form (base64) for storing beside the thread."""
        key = generate_data_key()
        wrapped = wrap_key(self._wrap, key, b"thread:" + thread_id.encode())
        return key, base64.b64encode(wrapped).decode()

    def thread_key(self, thread_id: str, wrapped: str) -> bytes:
        return unwrap_key(self._wrap, base64.b64decode(wrapped), b"thread:" + thread_id.encode())

    @staticmethod
    def seal(key: bytes, value: dict[str, Any], aad: str) -> str:
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return base64.b64encode(encrypt(key, plain, aad.encode())).decode()

    @staticmethod
    def open(key: bytes, blob: str, aad: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(decrypt(key, base64.b64decode(blob), aad.encode()))
        return value

    def seal_talk(self, request_id: str, value: dict[str, Any]) -> str:
        return self.seal(self._talk, value, "talk:" + request_id)

    def open_talk(self, request_id: str, blob: str) -> dict[str, Any]:
        return self.open(self._talk, blob, "talk:" + request_id)
