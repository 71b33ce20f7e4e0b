"""What a return-code record is, apart from Redis: its id, its parts, its limits and errors,
and the key derivations (docs/returncodes.md). The store (chat/stores/returncode_store.py) keeps
the records; this module holds everything it hands out or checks, and no I/O.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final, NewType

from argon2 import Type
from argon2.low_level import hash_secret_raw

from chat.domain import limits
from chat.domain.returncode import (
    ReturnCode,
)
from security.crypto import (
    derive_key,
)
from security.passwords import (
    ARGON2_MEMORY_KIB,
    ARGON2_PARALLELISM,
    ARGON2_TIME_COST,
    hash_password,
)

#: The record id: keyed hash of a code's lookup part (64 hex characters).
RecordId = NewType("RecordId", str)

#: Proposed default for ``ttl_secs``: 180 days without use. Support runs over weeks or a few
#: months; a young person may come back after a summer break or a school term. After half a
#: year without contact a new start is better than keeping data (docs/returncodes.md).
DEFAULT_RETURN_CODE_TTL_SECS: Final = 180 * 24 * 3600
#: Draws of a fresh code before giving up when every lookup part drawn is taken. With a
#: million live codes a draw collides with probability 1/4; 20 straight collisions is ~1e-12.
MAX_ISSUE_ATTEMPTS: Final = 20

#: Limits, from chat/domain/limits.py.
MAX_SUMMARY_CHARS: Final = limits.MAX_SUMMARY_CHARS
MAX_LEFT_MESSAGE_CHARS: Final = limits.MAX_LEFT_MESSAGE_CHARS
MAX_THREAD_MESSAGES: Final = limits.MAX_THREAD_MESSAGES
INBOX_LIST_LIMIT: Final = limits.INBOX_LIST_LIMIT
PREFIX: Final = "f:rc:"
INBOX_KEY: Final = PREFIX + "inbox"
_SALT_BYTES: Final = 16
_SUMMARY_INFO: Final = b"fristad-returncode-summary"
_LOOKUP_INFO: Final = b"fristad/return-code/lookup/v1"
_CHAT_LINK_INFO: Final = b"fristad/return-code/chat-link/v1"
_WRAP_INFO: Final = b"fristad/return-code/message-wrap/v1"


class _ReturnCodeStoreError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class UnknownRecordError(_ReturnCodeStoreError):
    """The record does not exist (never did, expired, or was forgotten)."""


class ReturnCodeMismatchError(_ReturnCodeStoreError):
    """The code given does not belong to the record given (a programming error)."""


class ReturnCodeTextError(_ReturnCodeStoreError, ValueError):
    """A summary, message or reply is empty or too long."""


class ReturnCodeSpaceError(_ReturnCodeStoreError):
    """No free lookup part was found in :data:`MAX_ISSUE_ATTEMPTS` draws."""


class MessageAuthor(StrEnum):
    VISITOR = "visitor"
    COUNSELLOR = "counsellor"


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """What the service knows about a code once it has been given: no part of the code."""

    record_id: RecordId
    created: datetime
    last_used: datetime


@dataclass(frozen=True, slots=True)
class LeftMessage:
    """A message left while chat was closed, or a counsellor's reply to it."""

    author: MessageAuthor
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A record with messages waiting for a counsellor; carries no code."""

    record_id: RecordId
    waiting_since: datetime
    unanswered: int


def record_key(record_id: str) -> str:
    return f"{PREFIX}{record_id}"


def chats_key(record_id: str) -> str:
    return f"{PREFIX}{record_id}:chats"


def messages_key(record_id: str) -> str:
    return f"{PREFIX}{record_id}:msgs"


def _from_unix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _check_text(text: str, limit: int, what: str) -> None:
    if not text.strip():
        raise ReturnCodeTextError(f"expected a non-empty {what}, got an empty one")
    if len(text) > limit:
        raise ReturnCodeTextError(f"expected a {what} of at most {limit} characters")


def _stretch(code: ReturnCode, salt: bytes) -> bytes:
    """argon2id over the whole code: makes each guess at the summary key cost as a login."""
    raw = hash_secret_raw(
        secret=code.encode(),
        salt=salt,
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    )
    return bytes(raw)


def _summary_key(code: ReturnCode, salt: bytes) -> bytes:
    return derive_key(_stretch(code, salt), salt, _SUMMARY_INFO)


@functools.cache
def _dummy_hash() -> str:
    """A real argon2id hash, verified against when a lookup misses, so a miss costs as much
    time as a hit and timing does not reveal which lookup parts are in use."""
    return hash_password(secrets.token_urlsafe(16))
