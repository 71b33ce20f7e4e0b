"""Staff password hashing with argon2id, and one-time passwords for new accounts.

Only staff have passwords; visitors never do. Hashes use the RFC 9106 "second recommended"
(low-memory) argon2id parameters, which argon2-cffi also ships as its default: 64 MiB and three
passes cost an attacker with a stolen database dearly while keeping a login well under a second
on a small server.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = [
    "ARGON2_HASH_BYTES",
    "ARGON2_MEMORY_KIB",
    "ARGON2_PARALLELISM",
    "ARGON2_SALT_BYTES",
    "ARGON2_TIME_COST",
    "MAX_PASSWORD_CHARS",
    "MIN_NEW_PASSWORD_CHARS",
    "ONE_TIME_PASSWORD_ALPHABET",
    "ONE_TIME_PASSWORD_GROUPS",
    "ONE_TIME_PASSWORD_GROUP_CHARS",
    "PasswordLengthError",
    "generate_one_time_password",
    "hash_password",
    "needs_rehash",
    "new_password_problem",
    "verify_password",
]

#: argon2id passes over memory (RFC 9106, section 4, second recommended option).
ARGON2_TIME_COST = 3
#: argon2id memory per hash, in KiB (64 MiB).
ARGON2_MEMORY_KIB = 64 * 1024
#: argon2id lanes.
ARGON2_PARALLELISM = 4
#: Length of the stored hash, in bytes.
ARGON2_HASH_BYTES = 32
#: Length of the random salt, in bytes.
ARGON2_SALT_BYTES = 16

#: Longest password accepted, in characters. argon2 hashes any length, but hashing megabytes
#: per login attempt would let anyone burn CPU for free (DoS), as SecureDrop's
#: MAX_PASSPHRASE_LENGTH guards against.
MAX_PASSWORD_CHARS = 256

#: Shortest password a staff member may choose, in characters (NIST SP 800-63B asks for at
#: least 8 and a check against known passwords; a shared workplace deserves more).
MIN_NEW_PASSWORD_CHARS = 12
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
_DECORATION = re.compile(r"[0-9!?.#@*_\- ]+$")

#: Characters of one-time passwords: lowercase letters and digits without the look-alikes
#: 0/o, 1/l/i, so a password read from a screen or said aloud is typed right the first time.
ONE_TIME_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet)
#: Groups in a one-time password, separated by "-".
ONE_TIME_PASSWORD_GROUPS = 4
#: Characters per group. 20 characters from 31 symbols give log2(31) * 20 = 99 bits.
ONE_TIME_PASSWORD_GROUP_CHARS = 5

_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=ARGON2_HASH_BYTES,
    salt_len=ARGON2_SALT_BYTES,
    type=Type.ID,
)


class _PasswordError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class PasswordLengthError(_PasswordError, ValueError):
    """A new password is empty or longer than :data:`MAX_PASSWORD_CHARS`."""


def hash_password(password: str) -> str:
    """Hash a password for storage.

    Args:
        password: The new password.

    Raises:
        PasswordLengthError: If ``password`` is empty or longer than
            :data:`MAX_PASSWORD_CHARS`; such a password could never be verified.

    Returns:
        An argon2id hash in PHC string format (``$argon2id$v=19$m=...``), salt included.
    """
    if not password:
        raise PasswordLengthError("expected a non-empty password, got an empty one")
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordLengthError(
            f"expected at most {MAX_PASSWORD_CHARS} characters, got {len(password)}"
        )
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password against a stored hash.

    Runs the full argon2 computation whenever the input is acceptable, so the time taken does
    not reveal how close a guess was.

    Args:
        stored_hash: A hash made by :func:`hash_password`.
        password: What the user typed.

    Returns:
        True if they match. False on a mismatch, on a malformed or foreign hash, and, without
        hashing anything, for a password longer than :data:`MAX_PASSWORD_CHARS`. Never raises
        for these: a login form should treat them all as "wrong username or password".
    """
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Tell whether a hash was made with other parameters than today's.

    Call it after a successful :func:`verify_password` and, if True, store a fresh
    :func:`hash_password` of the password just checked.

    Args:
        stored_hash: A hash in PHC string format.

    Returns:
        True if the hash's parameters differ from the current ones, or if it cannot be parsed.
    """
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


def generate_one_time_password() -> str:
    """Make a random password for a new staff account, to be changed on first login.

    Returns:
        :data:`ONE_TIME_PASSWORD_GROUPS` groups of :data:`ONE_TIME_PASSWORD_GROUP_CHARS`
        characters from :data:`ONE_TIME_PASSWORD_ALPHABET`, joined by ``-``, e.g.
        ``k7mqa-3xhtp-wd9ce-f2nrb`` (about 99 bits of entropy).
    """
    return "-".join(
        "".join(
            secrets.choice(ONE_TIME_PASSWORD_ALPHABET) for _ in range(ONE_TIME_PASSWORD_GROUP_CHARS)
        )
        for _ in range(ONE_TIME_PASSWORD_GROUPS)
    )


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip().casefold() for ln in lines if ln.strip() and ln[0] != "#")


def new_password_problem(password: str, username: str) -> str | None:
    """Why a password a staff member chose may not be used, or None if it may.

    Args:
        password: the new password.
        username: the account's name, which the password may not be or merely decorate.

    Returns:
        ``"too_short"`` (under :data:`MIN_NEW_PASSWORD_CHARS`), ``"too_long"`` (over
        :data:`MAX_PASSWORD_CHARS`), ``"common"`` (a shipped common password, or one with
        digits or punctuation added at the end), ``"username"``, or None.
    """
    if len(password) < MIN_NEW_PASSWORD_CHARS:
        return "too_short"
    if len(password) > MAX_PASSWORD_CHARS:
        return "too_long"
    folded = password.casefold()
    stem = _DECORATION.sub("", folded)
    if folded in _common_passwords() or stem in _common_passwords():
        return "common"
    if username and username.casefold() in (folded, stem):
        return "username"
    return None
