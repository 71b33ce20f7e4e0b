"""Failed staff logins, counted per account and address, so a lockout is no lever.

Issue 8: eleven wrong passwords for a username used to lock that account for everybody, so
whoever knew a counsellor's username could keep them out all day. Failures are now counted
for the pair (account, address) and for the address alone; a locked pair or address is refused
until the window that started with its first failure ends, and a guesser elsewhere never
touches a colleague's own address. The address is kept only as the daily-rotating keyed hash
that the other address limits use (``security.address``), the account only as a SHA-256
prefix.

Keys::

    f:loginfail:{account}:{address}   failures of one account from one address (TTL: the window)
    f:loginfail:addr:{address}        failures from one address, any account (TTL: the window)
"""

from __future__ import annotations

import hashlib
from typing import Final

from redis.asyncio import Redis

from counsellor_console.domain.policy import StaffPolicy

PREFIX: Final = "f:loginfail:"


def _account(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()[:32]


class LoginLockout:
    def __init__(self, redis: Redis, policy: StaffPolicy) -> None:
        self._redis = redis
        self._policy = policy

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"{PREFIX}{_account(username)}:{address}", f"{PREFIX}addr:{address}"

    async def locked(self, username: str, address: str) -> bool:
        """True while this address may not try this account (or any account)."""
        pair, alone = await self._redis.mget(self._keys(username, address))
        return (
            int(pair or 0) >= self._policy.failures_per_account
            or int(alone or 0) >= self._policy.failures_per_address
        )

    async def count_failure(self, username: str, address: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in self._keys(username, address):
                pipe.incr(key)
                pipe.expire(key, self._policy.lockout_secs, nx=True)
            await pipe.execute()

    async def clear(self, username: str, address: str) -> None:
        """A successful login forgets that pair's failures (not the address's other ones)."""
        await self._redis.delete(self._keys(username, address)[0])
