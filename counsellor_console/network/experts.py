"""The experts' space: threads by topic, their posts, and the bounds on both (issue 13)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

MAX_TITLE_CHARS: Final = 200
MAX_POST_CHARS: Final = 8_000
#: Posts in one thread; a discussion longer than this belongs in a new thread.
MAX_POSTS_PER_THREAD: Final = 500
#: Threads listed, and kept open at once (bounds what one account can make the store hold).
MAX_THREADS: Final = 1_000
#: A year after its last post or its closing, by default (FRISTAD_EXPERTS_RETENTION_S).
DEFAULT_EXPERTS_RETENTION_SECS: Final = 365 * 24 * 3600

TOPICS: Final = {
    "methods": "Metoder och arbetssätt",
    "cases": "Avidentifierade fall",
    "law": "Lagar och anmälningsplikt",
    "school": "Skolan",
    "health": "Hälso- och sjukvård",
    "safety": "Skydd och boende",
    "other": "Övrigt",
}


class ThreadStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Post:
    seq: int
    author: str
    author_name: str
    at_ms: int
    text: str


@dataclass(frozen=True, slots=True)
class Thread:
    id: str
    topic: str
    title: str
    starter: str
    status: ThreadStatus
    created_ms: int
    last_ms: int
    posts: int
    deadline: int  # unix seconds when it is deleted

    @property
    def is_open(self) -> bool:
        return self.status is ThreadStatus.OPEN

    @property
    def topic_label(self) -> str:
        return TOPICS.get(self.topic, self.topic)


def new_thread_id() -> str:
    return secrets.token_urlsafe(12)


def valid_thread_id(text: str) -> bool:
    return 8 <= len(text) <= 32 and all(c.isalnum() or c in "-_" for c in text)
