"""Console sockets by session and user, closed when their session or account is revoked.

Issue 8: a console socket opened before a logout or ``fristad users disable`` kept working,
because the identity was checked only at the handshake. Every console socket is registered
here; a revocation published on ``f:revoke`` by any process (or the command line) closes the
matching sockets of this process with :data:`CLOSE_REVOKED`, and a sweep every
:data:`SWEEP_SECS` closes those whose session expired (idle or at its end). A frame from the
counsellor counts as activity and pushes the session's idle deadline on, at most once every
:data:`TOUCH_EVERY_SECS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Final, Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from chat.api import running
from counsellor_console.stores.session_store import REVOKE_CHANNEL, SessionId, SessionStore
from security.roles import StaffIdentity

log = structlog.get_logger(__name__)

#: Close code for a console whose session ended or whose account changed (docs/protocol.md):
#: in the 4000 range an application may use, "401" for "log in again".
CLOSE_REVOKED: Final = 4401
SWEEP_SECS: Final = 0.5
TOUCH_EVERY_SECS: Final = 30.0
RECONNECT_DELAY_SECS: Final = 0.5


class Closable(Protocol):
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


@dataclass(eq=False, slots=True)
class SocketLease:
    """One registered console socket; ``touch`` on every frame from the counsellor."""

    session: SessionId
    username: str
    socket: Closable
    active_at: float = field(default_factory=time.monotonic)
    refreshed_at: float = field(default_factory=time.monotonic)
    closing: bool = False

    def touch(self) -> None:
        self.active_at = time.monotonic()


class ConsoleSockets:
    def __init__(self, redis: Redis, sessions: SessionStore) -> None:
        self._redis = redis
        self._sessions = sessions
        self._leases: set[SocketLease] = set()
        self.subscribed = asyncio.Event()
        # A short idle lifetime (tests, a strict centre) is refreshed often enough to matter.
        self._touch_every = min(TOUCH_EVERY_SECS, sessions.policy.idle_secs / 3)

    def register(self, staff: StaffIdentity, socket: Closable) -> SocketLease:
        lease = SocketLease(SessionId(staff.session_id), staff.username, socket)
        self._leases.add(lease)
        return lease

    def unregister(self, lease: SocketLease) -> None:
        self._leases.discard(lease)

    def close_matching(self, *, session: str | None = None, user: str | None = None) -> int:
        hits = [
            lease
            for lease in self._leases
            if (session is not None and lease.session == session)
            or (user is not None and lease.username == user)
        ]
        for lease in hits:
            self._close(lease)
        return len(hits)

    def _close(self, lease: SocketLease) -> None:
        if lease.closing:
            return
        lease.closing = True
        self._leases.discard(lease)
        task = asyncio.get_running_loop().create_task(self._close_now(lease))
        task.add_done_callback(lambda _: None)

    @staticmethod
    async def _close_now(lease: SocketLease) -> None:
        with contextlib.suppress(Exception):  # already closing: nothing more to do
            await lease.socket.close(CLOSE_REVOKED)
        log.info("console_revoked", staff=lease.username)

    def _dispatch(self, data: str | bytes) -> None:
        try:
            body = json.loads(data)
        except ValueError:
            return
        if isinstance(body, dict):
            session, user = body.get("session"), body.get("user")
            self.close_matching(
                session=session if isinstance(session, str) else None,
                user=user if isinstance(user, str) else None,
            )

    async def listen(self) -> None:
        """Hear revocations from every process until cancelled, resubscribing after outages."""
        while running():
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(REVOKE_CHANNEL)
                self.subscribed.set()
                while running():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self._dispatch(message["data"])
            except (RedisError, OSError) as exc:
                self.subscribed.clear()
                log.warning("revocation_subscriber_lost", error=type(exc).__name__)
                await asyncio.sleep(RECONNECT_DELAY_SECS)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()

    async def sweep(self) -> None:
        """Close sockets whose session has gone; refresh those of active counsellors."""
        while running():
            await asyncio.sleep(SWEEP_SECS)
            try:
                await self._sweep_once()
            except (RedisError, OSError) as exc:
                log.warning("console_sweep_failed", error=type(exc).__name__)

    async def _sweep_once(self) -> None:
        now = time.monotonic()
        for lease in [x for x in self._leases if x.active_at > x.refreshed_at]:
            if now - lease.refreshed_at >= self._touch_every:
                lease.refreshed_at = now
                await self._sessions.use(lease.session)
        leases = list(self._leases)
        live = await self._sessions.live(sorted({lease.session for lease in leases}))
        for lease in leases:
            if lease.session not in live:
                self._close(lease)
