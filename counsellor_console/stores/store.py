"""Staff accounts, staff sessions and presence in Redis.

Accounts are kept without a TTL (they are the service's configuration, not visitor data); a
disabled account is kept so its name cannot be reused by mistake. The TOTP secret is stored
encrypted under the master key, so a copy of Redis alone cannot mint login codes. Sessions
are stored only by the SHA-256 of their token and expire on their own.

Keys::

    f:user:{username}        hash    name, role, pw (argon2id), totp (sealed), totp_step, disabled
    f:users                  set     usernames
    (sessions: counsellor_console.stores.session_store; failed logins: lockout_store)
    f:online                 zset    username -> last heartbeat (ms)
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, replace
from typing import Any, Final, cast

from redis.asyncio import Redis

from counsellor_console.domain.policy import StaffPolicy
from counsellor_console.stores.lockout_store import LoginLockout
from counsellor_console.stores.session_store import SessionStore, session_id
from security.crypto import decrypt, encrypt
from security.roles import Role, StaffIdentity

PREFIX: Final = "f:"
ONLINE_WINDOW_SECS: Final = 30

_ADVANCE_STEP = """
local last = redis.call('HGET', KEYS[1], 'totp_step')
if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'totp_step', ARGV[1])
return 1
"""


class UserExistsError(Exception):
    """A staff account with that username exists already."""


@dataclass(frozen=True, slots=True)
class StaffAccount:
    username: str
    display_name: str
    role: Role
    password_hash: str
    totp_secret: bytes
    last_totp_step: int | None
    disabled: bool
    languages: tuple[str, ...] = ()
    chat_limit: int | None = None
    org_id: str = ""  # partners only: their organisation in the directory
    ui_lang: str = "sv"  # the language of their console and /admin

    def identity(self) -> StaffIdentity:
        return StaffIdentity(
            self.username, self.display_name, self.role, org_id=self.org_id, ui_lang=self.ui_lang
        )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def user_key(username: str) -> str:
    return f"{PREFIX}user:{username}"


class StaffStore:
    def __init__(self, redis: Redis, master_key: bytes, policy: StaffPolicy | None = None) -> None:
        self._redis = redis
        self._master_key = master_key
        self.policy = policy or StaffPolicy()
        self.sessions = SessionStore(redis, self.policy)
        self.lockout = LoginLockout(redis, self.policy)
        self._advance = redis.register_script(_ADVANCE_STEP)

    @property
    def redis(self) -> Redis:
        """For ``invite_store``, which keeps the account changes beside this module."""
        return self._redis

    def seal_totp(self, username: str, secret: bytes) -> str:
        blob = encrypt(self._master_key, secret, f"totp:{username}".encode())
        return base64.b64encode(blob).decode()

    def open_totp(self, username: str, sealed: str) -> bytes:
        return decrypt(self._master_key, base64.b64decode(sealed), f"totp:{username}".encode())

    async def add_user(
        self,
        username: str,
        display_name: str,
        role: Role,
        password_hash: str,
        totp_secret: bytes,
        *,
        languages: tuple[str, ...] = (),
        chat_limit: int | None = None,
        org_id: str = "",
    ) -> None:
        """Create an account (``org_id``: a partner's organisation in the directory).

        Raises:
            UserExistsError: the username is taken (also by a disabled account).
        """
        mapping = {
            "name": display_name,
            "role": role.value,
            "pw": password_hash,
            "totp": self.seal_totp(username, totp_secret),
            "disabled": "0",
            "created_ms": str(int(time.time() * 1000)),
            "languages": ",".join(languages),
            "limit": "" if chat_limit is None else str(chat_limit),
            "org": org_id,
        }
        created = await self._redis.hsetnx(user_key(username), "role", role.value)
        if not created:
            raise UserExistsError(username)
        await self._redis.hset(user_key(username), mapping=cast(dict[Any, Any], mapping))
        await self._redis.sadd(f"{PREFIX}users", username)

    async def load_user(self, username: str) -> StaffAccount | None:
        raw = {
            _text(k): _text(v) for k, v in (await self._redis.hgetall(user_key(username))).items()
        }
        if not raw.get("pw"):
            return None
        step = raw.get("totp_step")
        return StaffAccount(
            username=username,
            display_name=raw.get("name") or username,
            role=Role(raw["role"]),
            password_hash=raw["pw"],
            totp_secret=self.open_totp(username, raw["totp"]),
            last_totp_step=int(step) if step else None,
            disabled=raw.get("disabled") == "1",
            languages=tuple(x for x in raw.get("languages", "").split(",") if x),
            chat_limit=int(raw["limit"]) if raw.get("limit") else None,
            org_id=raw.get("org", ""),
            ui_lang=raw.get("ui_lang") or "sv",
        )

    async def set_ui_lang(self, username: str, lang: str) -> bool:
        """Keep the language a colleague chose for their console; False if there is no such
        account. ``lang`` is one of counsellor_console.domain.staff_language.STAFF_LANGUAGES."""
        if not await self._redis.exists(user_key(username)):
            return False
        await self._redis.hset(user_key(username), "ui_lang", lang)
        return True

    async def disable_user(self, username: str) -> bool:
        """Disable an account and end its sessions, closing its console sockets everywhere."""
        if not await self._redis.exists(user_key(username)):
            return False
        await self._redis.hset(user_key(username), "disabled", "1")
        await self.sessions.end_all(username)
        return True

    async def list_users(self) -> list[str]:
        return sorted(_text(u) for u in await self._redis.smembers(f"{PREFIX}users"))

    async def claim_totp_step(self, username: str, step: int) -> bool:
        """Record a used TOTP step; False if it (or a later one) was used before: a replay."""
        return int(await self._advance(keys=[user_key(username)], args=[step])) == 1

    # -- sessions (counsellor_console.stores.session_store) ---------------------------------------

    async def create_session(self, username: str) -> str:
        return await self.sessions.create(username)

    async def resolve_session(self, token: str) -> StaffIdentity | None:
        """The staff member behind a session token, if the session and account are valid.

        A valid session's idle deadline moves on: this is a use.
        """
        sid = session_id(token)
        username = await self.sessions.use(sid)
        if username is None:
            return None
        account = await self.load_user(username)
        if account is None or account.disabled:
            return None
        return replace(account.identity(), session_id=sid)

    async def end_session(self, token: str) -> None:
        await self.sessions.end(session_id(token))

    # -- presence ------------------------------------------------------------------------

    async def mark_online(self, usernames: list[str]) -> None:
        if usernames:
            now = int(time.time() * 1000)
            await self._redis.zadd(f"{PREFIX}online", dict.fromkeys(usernames, now))
            await self._redis.expire(f"{PREFIX}online", ONLINE_WINDOW_SECS * 10)

    async def is_online(self, username: str) -> bool:
        score = await self._redis.zscore(f"{PREFIX}online", username)
        return score is not None and time.time() * 1000 - float(score) < ONLINE_WINDOW_SECS * 1000

    async def online_staff(self) -> list[str]:
        since = int((time.time() - ONLINE_WINDOW_SECS) * 1000)
        members = await self._redis.zrangebyscore(f"{PREFIX}online", since, "+inf")
        return sorted(_text(m) for m in cast(list[Any], members))

    async def ping(self) -> bool:
        return bool(await self._redis.ping())
