"""Limits per client address, shared by every process through Redis.

The address itself is never stored: keys are ``AddressHasher`` hashes that rotate daily.
The numbers are generous on purpose: a school, a youth centre or a shelter may put many
young people behind one address, and nobody in danger may be turned away by a limit meant
for floods. They stop a single machine from opening thousands of sockets or chats, which
is what it takes to push real visitors out of the queue.

Keys::

    f:addr:conn:{hash}        open visitor sockets from this address (TTL: a day)
    f:addr:rate:{bucket}:{hash}:{minute}   requests in the current minute (TTL: 2 minutes)
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import time
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from security.address import AddressHasher

PREFIX: Final = "f:addr:"
DEFAULT_MAX_SOCKETS_PER_ADDRESS: Final = 50
DEFAULT_HTTP_REQUESTS_PER_MINUTE: Final = 600
DEFAULT_NEW_CHATS_PER_MINUTE: Final = 30
DEFAULT_LOGINS_PER_MINUTE: Final = 30
CONNECTION_KEY_TTL_SECS: Final = 24 * 3600  # bounds a count left behind by a dead process
RATE_KEY_TTL_SECS: Final = 120


class AddressLimits:
    """Counts per hashed address. Fails open: a Redis outage must not lock visitors out."""

    def __init__(
        self,
        redis: Redis,
        hasher: AddressHasher,
        *,
        max_sockets: int = DEFAULT_MAX_SOCKETS_PER_ADDRESS,
        http_per_minute: int = DEFAULT_HTTP_REQUESTS_PER_MINUTE,
        chats_per_minute: int = DEFAULT_NEW_CHATS_PER_MINUTE,
    ) -> None:
        self._redis = redis
        self._hasher = hasher
        self.max_sockets = max_sockets
        self.http_per_minute = http_per_minute
        self.chats_per_minute = chats_per_minute

    @staticmethod
    def exempt(address: str) -> bool:
        """Loopback is the reverse proxy (which must pass X-Forwarded-For) or the operator."""
        try:
            return ipaddress.ip_address(address.strip("[]")).is_loopback
        except ValueError:
            return False

    def _hash(self, address: str) -> str:
        return self._hasher.hash_address(address, datetime.datetime.now(tz=datetime.UTC).date())

    async def open_socket(self, address: str) -> str | None:
        """Count a new socket from ``address``.

        Returns:
            A key to hand to :meth:`close_socket`, or None when the address is over its cap
            (the caller refuses the handshake).
        """
        if self.exempt(address):
            return ""
        key = f"{PREFIX}conn:{self._hash(address)}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, CONNECTION_KEY_TTL_SECS)
                count, _ = await pipe.execute()
        except RedisError:
            return ""
        if int(count) > self.max_sockets:
            await self.close_socket(key)
            return None
        return key

    async def close_socket(self, key: str) -> None:
        if not key:
            return
        with contextlib.suppress(RedisError):
            await self._redis.decr(key)

    async def allow(self, address: str, bucket: str, per_minute: int) -> bool:
        """A fixed one-minute window per address and bucket."""
        if self.exempt(address):
            return True
        minute = int(time.time() // 60)
        key = f"{PREFIX}rate:{bucket}:{self._hash(address)}:{minute}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, RATE_KEY_TTL_SECS)
                count, _ = await pipe.execute()
        except RedisError:
            return True
        return int(count) <= per_minute


class AddressRateLimitMiddleware:
    """HTTP requests per address and minute; over the limit: 429 with ``Retry-After``.

    Logins get a tighter bucket of their own. Health checks are exempt (a load balancer
    polls them from one address).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: AddressLimits,
        login_per_minute: int = DEFAULT_LOGINS_PER_MINUTE,
        exempt: tuple[str, ...] = ("/healthz", "/readyz"),
    ) -> None:
        self.app = app
        self.limits = limits
        self.login_per_minute = login_per_minute
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else ""
        if scope["path"] == "/console/login" and scope["method"] == "POST":
            allowed = await self.limits.allow(address, "login", self.login_per_minute)
        else:
            allowed = await self.limits.allow(address, "http", self.limits.http_per_minute)
        if allowed:
            await self.app(scope, receive, send)
            return
        response = PlainTextResponse(
            "Too many requests. Wait a minute and try again.",
            status_code=429,
            headers={"Retry-After": "60"},
        )
        await response(scope, receive, send)
