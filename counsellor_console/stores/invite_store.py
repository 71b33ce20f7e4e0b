"""Account changes: invitations, roles, languages, chat limits, passwords and TOTP (issue 11).

An invitation reserves the username with an account that has no password, so nothing can log
in with it; the colleague opens ``/console/invite/{token}`` (one-time, at most
:data:`INVITATION_TTL_SECS`), sets a password and enrols TOTP, confirmed by a first code, and
only then is the account usable. Resetting TOTP puts an account back in that state with a new
invitation. Changes that alter who someone is (disable, reset, role) close their sockets.

Keys::

    f:invite:{sha256}   hash   username, totp_new (sealed, made when first opened)  TTL 72 h
    f:user:{username}   fields used here: invite (the live invitation's id), totp_new, org
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final

from chat.core_api import MAX_CHAT_LIMIT
from counsellor_console.domain.staff_language import N_, SaidError, said
from counsellor_console.stores.store import StaffStore, UserExistsError, user_key
from security.roles import Role
from security.totp import new_totp_secret

PREFIX: Final = "f:invite:"
INVITATION_TTL_SECS: Final = 72 * 3600
INVITATION_TOKEN_BYTES: Final = 32
USERS_SET: Final = "f:users"


def invitation_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True, slots=True)
class Invitation:
    id: str
    username: str
    display_name: str
    role: Role
    totp_secret: bytes


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One line of ``/admin/users``."""

    username: str
    display_name: str
    role: Role
    disabled: bool
    pending: bool
    languages: tuple[str, ...]
    chat_limit: int | None


class Accounts:
    def __init__(self, store: StaffStore) -> None:
        self.store = store
        self._redis = store.redis

    async def _fields(self, username: str) -> dict[str, str]:
        raw = await self._redis.hgetall(user_key(username))
        return {_text(k): _text(v) for k, v in raw.items()}

    async def invite(
        self,
        username: str,
        display_name: str,
        role: Role,
        *,
        languages: tuple[str, ...] = (),
        chat_limit: int | None = None,
        org_id: str = "",
    ) -> str:
        """Reserve the account and return a one-time invitation token.

        ``org_id`` binds a partner account to its organisation in the directory.

        Raises:
            UserExistsError: an account with that name is in use (has a password).
        """
        created = await self._redis.hsetnx(user_key(username), "role", role.value)
        if not created and (await self._fields(username)).get("pw"):
            raise UserExistsError(username)
        token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
        await self._issue(username, token, display_name, role, languages, chat_limit)
        if org_id:
            await self._redis.hset(user_key(username), "org", org_id)
        return token

    async def _issue(
        self,
        username: str,
        token: str,
        display_name: str,
        role: Role,
        languages: tuple[str, ...],
        chat_limit: int | None,
    ) -> None:
        iid = invitation_id(token)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                user_key(username),
                mapping={
                    "name": display_name,
                    "role": role.value,
                    "pw": "",
                    "totp": "",
                    "disabled": "0",
                    "invite": iid,
                    "languages": ",".join(languages),
                    "limit": "" if chat_limit is None else str(chat_limit),
                    "created_ms": str(int(time.time() * 1000)),
                },
            )
            pipe.sadd(USERS_SET, username)
            pipe.hset(f"{PREFIX}{iid}", mapping={"username": username})
            pipe.expire(f"{PREFIX}{iid}", INVITATION_TTL_SECS)
            await pipe.execute()

    async def open_invitation(self, token: str) -> Invitation | None:
        """The invitation behind a token, if it is live; its TOTP secret is made once."""
        iid = invitation_id(token)
        raw = {_text(k): _text(v) for k, v in (await self._redis.hgetall(PREFIX + iid)).items()}
        username = raw.get("username")
        if not username:
            return None
        fields = await self._fields(username)
        if fields.get("invite") != iid or fields.get("pw"):
            return None
        if raw.get("totp_new"):
            secret = self.store.open_totp(username, raw["totp_new"])
        else:
            secret = new_totp_secret()
            sealed = self.store.seal_totp(username, secret)
            if not await self._redis.hsetnx(PREFIX + iid, "totp_new", sealed):
                return await self.open_invitation(token)  # opened twice at once: take theirs
        return Invitation(
            iid, username, fields.get("name") or username, Role(fields["role"]), secret
        )

    async def accept_invitation(
        self, invitation: Invitation, password_hash: str, totp_step: int
    ) -> bool:
        """Make the account usable; False if the invitation was used meanwhile (one-time)."""
        if not await self._redis.delete(PREFIX + invitation.id):
            return False
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                user_key(invitation.username),
                mapping={
                    "pw": password_hash,
                    "totp": self.store.seal_totp(invitation.username, invitation.totp_secret),
                    "totp_step": str(totp_step),
                },
            )
            pipe.hdel(user_key(invitation.username), "invite")
            await pipe.execute()
        return True

    # -- what an admin changes ---------------------------------------------------------

    async def exists(self, username: str) -> bool:
        return bool(await self._redis.exists(user_key(username)))

    async def set_role(self, username: str, role: Role) -> None:
        await self._redis.hset(user_key(username), "role", role.value)
        await self.store.sessions.publish_revocation(user=username)

    async def set_languages(self, username: str, languages: tuple[str, ...]) -> None:
        await self._redis.hset(user_key(username), "languages", ",".join(languages))

    async def set_chat_limit(self, username: str, chat_limit: int | None) -> None:
        value = "" if chat_limit is None else str(chat_limit)
        await self._redis.hset(user_key(username), "limit", value)

    async def enable(self, username: str) -> None:
        await self._redis.hset(user_key(username), "disabled", "0")

    async def reset_totp(self, username: str) -> str:
        """The account can no longer log in until its holder enrols again: a new invitation."""
        fields = await self._fields(username)
        token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
        languages = tuple(x for x in fields.get("languages", "").split(",") if x)
        limit = int(fields["limit"]) if fields.get("limit") else None
        await self._issue(
            username, token, fields.get("name") or username, Role(fields["role"]), languages, limit
        )
        await self.store.sessions.end_all(username)
        return token

    async def rows(self) -> list[AccountRow]:
        rows = []
        for username in await self.store.list_users():
            fields = await self._fields(username)
            if not fields.get("role"):
                continue
            rows.append(
                AccountRow(
                    username=username,
                    display_name=fields.get("name") or username,
                    role=Role(fields["role"]),
                    disabled=fields.get("disabled") == "1",
                    pending=not fields.get("pw"),
                    languages=tuple(x for x in fields.get("languages", "").split(",") if x),
                    chat_limit=int(fields["limit"]) if fields.get("limit") else None,
                )
            )
        return rows

    # -- what a staff member changes on their own account ------------------------------

    async def set_password(self, username: str, password_hash: str) -> None:
        await self._redis.hset(user_key(username), "pw", password_hash)

    async def start_totp_change(self, username: str) -> bytes:
        """A new secret, kept aside until a first code confirms it (the page shows its QR)."""
        fields = await self._fields(username)
        if fields.get("totp_new"):
            return self.store.open_totp(username, fields["totp_new"])
        secret = new_totp_secret()
        await self._redis.hset(
            user_key(username), "totp_new", self.store.seal_totp(username, secret)
        )
        return secret

    async def pending_totp(self, username: str) -> bytes | None:
        sealed = (await self._fields(username)).get("totp_new")
        return self.store.open_totp(username, sealed) if sealed else None

    async def confirm_totp_change(self, username: str, secret: bytes, step: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                user_key(username),
                mapping={"totp": self.store.seal_totp(username, secret), "totp_step": str(step)},
            )
            pipe.hdel(user_key(username), "totp_new")
            await pipe.execute()


# -- what forms and the command line may set ---------------------------------------------

USERNAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
MAX_USERNAME_CHARS: Final = 64
MAX_DISPLAY_NAME_CHARS: Final = 80
MAX_LANGUAGES: Final = 12


class AccountFieldError(SaidError):
    """A username, language list or chat limit that cannot be stored; the message names it."""


def clean_username(text: str) -> str:
    username = text.strip().lower()
    if not username or len(username) > MAX_USERNAME_CHARS or not set(username) <= USERNAME_CHARS:
        raise AccountFieldError(
            N_("Ett användarnamn är 1–64 tecken av a–z, 0–9, '.', '_' och '-'.")  # noqa: RUF001
        )
    return username


def clean_display_name(text: str, username: str) -> str:
    name = " ".join(text.split())
    if len(name) > MAX_DISPLAY_NAME_CHARS or any(ord(c) < 32 for c in name):
        raise AccountFieldError(
            said("Ett namn får ha högst {limit} tecken.", limit=MAX_DISPLAY_NAME_CHARS)
        )
    return name or username


def parse_languages(text: str) -> tuple[str, ...]:
    """``sv,ar`` -> ("sv", "ar"): two- or three-letter codes, as the visitor's ``lang``."""
    codes = tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))
    if len(codes) > MAX_LANGUAGES or not all(
        2 <= len(c) <= 3 and c.isascii() and c.isalpha() for c in codes
    ):
        raise AccountFieldError(
            N_("Språken skrivs som koder med två eller tre bokstäver, åtskilda med komma.")
        )
    return codes


def parse_chat_limit(text: str) -> int | None:
    """A whole number of chats, 1 to MAX_CHAT_LIMIT; empty: the centre's FRISTAD_CHAT_LIMIT."""
    if not text.strip():
        return None
    if not text.strip().isascii() or not text.strip().isdigit():
        raise AccountFieldError(N_("Antalet chattar skrivs som ett heltal."))
    limit = int(text)
    if not 1 <= limit <= MAX_CHAT_LIMIT:
        raise AccountFieldError(
            said("Antalet chattar är från 1 till {limit}.", limit=MAX_CHAT_LIMIT)
        )
    return limit
