"""Staff sessions: stored by the SHA-256 of their token, idle and absolute lifetimes, and the
revocations that every process hears (issues 8 and 11).

A session lives ``idle_secs`` past its last use (a staff request or a console frame) and never
past ``max_secs`` after the login; the TTL of its key is kept at the smaller of the two, so
Redis forgets it on its own. Ending sessions (logout, disabling an account) and changing a
role also publish on ``f:revoke``, so every process closes the console sockets concerned.

Keys::

    f:session:{sha256}          hash    username, created_ms (TTL: min(idle, what is left))
    f:staffsessions:{username}  set     the user's session ids (TTL: the longest lifetime)

Channel ``f:revoke``: ``{"session": ID}`` or ``{"user": USERNAME}``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any, Final, NewType

from redis.asyncio import Redis

from counsellor_console.domain.policy import StaffPolicy

SessionId = NewType("SessionId", str)

PREFIX: Final = "f:"
SESSION_TOKEN_BYTES: Final = 32
REVOKE_CHANNEL: Final = "f:revoke"

# KEYS[1] session; ARGV now_ms, max_ms, idle_ms. Returns the username, or false if gone.
_TOUCH = """
local user = redis.call('HGET', KEYS[1], 'username')
local created = redis.call('HGET', KEYS[1], 'created_ms')
if not user or not created then return false end
local left = tonumber(ARGV[2]) - (tonumber(ARGV[1]) - tonumber(created))
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[3]), left))
return user
"""


def session_id(token: str) -> SessionId:
    return SessionId(hashlib.sha256(token.encode()).hexdigest())


def session_key(sid: SessionId) -> str:
    return f"{PREFIX}session:{sid}"


def _user_sessions_key(username: str) -> str:
    return f"{PREFIX}staffsessions:{username}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SessionStore:
    def __init__(self, redis: Redis, policy: StaffPolicy, clock: Any = time.time) -> None:
        self._redis = redis
        self.policy = policy
        self._clock = clock
        self._touch = redis.register_script(_TOUCH)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    async def create(self, username: str) -> str:
        """A new session; returns its token (the cookie's value), stored only as a hash."""
        token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
        sid = session_id(token)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                session_key(sid), mapping={"username": username, "created_ms": self._now_ms()}
            )
            pipe.expire(session_key(sid), min(self.policy.idle_secs, self.policy.max_secs))
            pipe.sadd(_user_sessions_key(username), sid)
            pipe.expire(_user_sessions_key(username), self.policy.max_secs)
            await pipe.execute()
        return token

    async def use(self, sid: SessionId) -> str | None:
        """The session's username, pushing its idle deadline on; None once it has ended."""
        user = await self._touch(
            keys=[session_key(sid)],
            args=[self._now_ms(), self.policy.max_secs * 1000, self.policy.idle_secs * 1000],
        )
        return _text(user) if user else None

    async def live(self, sids: list[SessionId]) -> set[SessionId]:
        """Which of these sessions still exist (without pushing their deadlines)."""
        if not sids:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.exists(session_key(sid))
            found = await pipe.execute()
        return {sid for sid, exists in zip(sids, found, strict=True) if exists}

    async def end(self, sid: SessionId) -> None:
        username = await self._redis.hget(session_key(sid), "username")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(session_key(sid))
            if username:
                pipe.srem(_user_sessions_key(_text(username)), sid)
            await pipe.execute()
        await self.publish_revocation(session=sid)

    async def end_all(self, username: str) -> None:
        """Every session of the user ends now (disabled account, TOTP reset)."""
        sids = [_text(s) for s in await self._redis.smembers(_user_sessions_key(username))]
        async with self._redis.pipeline(transaction=True) as pipe:
            for sid in sids:
                pipe.delete(session_key(SessionId(sid)))
            pipe.delete(_user_sessions_key(username))
            await pipe.execute()
        await self.publish_revocation(user=username)

    async def publish_revocation(
        self, *, session: SessionId | None = None, user: str | None = None
    ) -> None:
        """Tell every process to close the console sockets of a session or of a user."""
        body = {"session": session} if session is not None else {"user": user}
        await self._redis.publish(REVOKE_CHANNEL, json.dumps(body))
