"""How many chats a counsellor may hold, and a pause on new accepts (protocol.md 1.1,
"Colleagues and limits", and ``heavy`` under "Safety").

The limit itself is checked inside the claim and hand-over scripts (chat/stores/store_scripts.py),
in the same step as the chat changes hands, so two accepts racing cannot exceed it. This
module keeps the pause and reads what the ``staff`` frame shows.

Keys (prefix ``f:``)::

    f:staff:{user}:paused   string  "1" while the counsellor's new accepts pause (TTL = pause)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from redis.asyncio import Redis

PREFIX: Final = "f:"


class AtLimitError(Exception):
    """The counsellor holds as many chats as their limit allows."""


class PausedError(Exception):
    """The counsellor's new accepts pause after a heavy chat."""


def paused_key(username: str) -> str:
    return f"{PREFIX}staff:{username}:paused"


def held_key(username: str) -> str:
    """The set of chats a counsellor holds (kept by chat/stores/store.py's scripts)."""
    return f"{PREFIX}staff:{username}:chats"


class LimitsStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def pause(self, username: str, secs: int) -> None:
        """Pause the counsellor's new accepts for ``secs`` seconds from now."""
        await self._redis.set(paused_key(username), "1", ex=secs)

    async def loads(self, usernames: Sequence[str]) -> dict[str, tuple[int, bool]]:
        """username -> (chats held now, paused) in one round trip."""
        if not usernames:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for username in usernames:
                pipe.execute_command("SCARD", held_key(username))
                pipe.execute_command("EXISTS", paused_key(username))
            raw = await pipe.execute()
        return {
            username: (int(raw[2 * i]), bool(int(raw[2 * i + 1])))
            for i, username in enumerate(usernames)
        }
