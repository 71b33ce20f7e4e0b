"""Time-based one-time passwords (RFC 6238) for staff logins.

Built on :class:`cryptography.hazmat.primitives.twofactor.totp.TOTP`, whose ``verify`` checks
only the current time step and remembers nothing. This module adds the two things a login
needs: tolerance of :data:`TOTP_SKEW_STEPS` step of clock drift either way, and replay
protection. A code is accepted only for a time step later than the last one the account used,
so a code seen over a shoulder, or sent twice, cannot log in again.
"""

from __future__ import annotations

import base64
import hmac
import math
import secrets
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

__all__ = [
    "MAX_TOTP_INPUT_CHARS",
    "MIN_TOTP_SECRET_BYTES",
    "TOTP_DIGITS",
    "TOTP_SECRET_BYTES",
    "TOTP_SKEW_STEPS",
    "TOTP_STEP_SECS",
    "TotpSecretError",
    "new_totp_secret",
    "provisioning_uri",
    "verify_totp",
]

#: Length of one time step, in seconds (RFC 6238 default; what every authenticator app uses).
TOTP_STEP_SECS = 30
#: Digits per code.
TOTP_DIGITS = 6
#: Time steps of clock drift accepted either side of the server's step: a code from the
#: previous or next 30 s window still works, as RFC 6238 section 5.2 recommends.
TOTP_SKEW_STEPS = 1
#: Length of a new TOTP secret, in bytes (160 bits, the HMAC-SHA1 output size, per RFC 4226).
TOTP_SECRET_BYTES = 20
#: Shortest secret accepted, in bytes (RFC 4226 section 4 requires at least 128 bits).
MIN_TOTP_SECRET_BYTES = 16
#: Longest code input examined, in characters, spaces included; anything longer is refused
#: before any work is done on it.
MAX_TOTP_INPUT_CHARS = 32


class _TotpError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class TotpSecretError(_TotpError, ValueError):
    """A TOTP secret is shorter than :data:`MIN_TOTP_SECRET_BYTES`."""


def new_totp_secret() -> bytes:
    """Make a random secret for a new staff account's authenticator.

    Returns:
        :data:`TOTP_SECRET_BYTES` random bytes. Store them encrypted: whoever has them can
        make codes.
    """
    return secrets.token_bytes(TOTP_SECRET_BYTES)


def _totp(secret: bytes) -> TOTP:
    if len(secret) < MIN_TOTP_SECRET_BYTES:
        raise TotpSecretError(
            f"expected a secret of at least {MIN_TOTP_SECRET_BYTES} bytes, got {len(secret)}"
        )
    # SHA1 is what RFC 6238 and every authenticator app use; HMAC-SHA1 is not weakened by
    # SHA1's collision attacks.
    return TOTP(secret, TOTP_DIGITS, SHA1(), TOTP_STEP_SECS)  # noqa: S303


def provisioning_uri(secret: bytes, account: str, issuer: str = "Fristad") -> str:
    """Build the ``otpauth://`` URI that authenticator apps import, usually as a QR code.

    Follows Google Authenticator's Key URI Format: the label is ``issuer:account``, both
    percent-encoded (a ``:`` inside either is encoded so it cannot split the label), and the
    secret is base32, uppercase, without ``=`` padding.

    Args:
        secret: The account's TOTP secret.
        account: The staff username, shown in the app.
        issuer: The service name, shown in the app.

    Raises:
        TotpSecretError: If ``secret`` is too short.

    Returns:
        ``otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30``.
    """
    _totp(secret)  # validates the secret the same way verify_totp will
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    parameters = {
        "secret": base64.b32encode(secret).decode("ascii").rstrip("="),
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": str(TOTP_DIGITS),
        "period": str(TOTP_STEP_SECS),
    }
    return f"otpauth://totp/{label}?{urlencode(parameters, quote_via=quote)}"


def _normalise_code(code: str) -> bytes | None:
    if len(code) > MAX_TOTP_INPUT_CHARS:
        return None
    compact = "".join(code.split())  # people type "123 456"
    # isascii() first: str.isdigit() also accepts "١٢٣٤٥٦" and "²".
    if len(compact) != TOTP_DIGITS or not (compact.isascii() and compact.isdigit()):
        return None
    return compact.encode("ascii")


def verify_totp(secret: bytes, code: str, now: float, last_used_step: int | None) -> int | None:
    """Check a TOTP code, allowing for clock drift and refusing replays.

    Every candidate step is computed and compared in constant time, whatever matches, so the
    time taken does not depend on the code.

    Args:
        secret: The account's TOTP secret.
        code: What the user typed; whitespace anywhere is ignored.
        now: The current Unix time, in seconds.
        last_used_step: The step returned by the last successful call for this account, or
            None if it never logged in with a code.

    Raises:
        TotpSecretError: If ``secret`` is too short.

    Returns:
        The time step (``floor(time / TOTP_STEP_SECS)``) that the code belongs to, if it
        matches a step within :data:`TOTP_SKEW_STEPS` of ``now`` that is later than
        ``last_used_step``; the caller must store it as the new ``last_used_step``. None if
        the code is malformed, wrong, too old, or already used.
    """
    totp = _totp(secret)
    typed = _normalise_code(code)
    if typed is None:
        return None
    current = math.floor(now / TOTP_STEP_SECS)
    floor_step = -1 if last_used_step is None else last_used_step
    matched: int | None = None
    for step in range(current - TOTP_SKEW_STEPS, current + TOTP_SKEW_STEPS + 1):
        if step < 0:
            continue
        expected = totp.generate(step * TOTP_STEP_SECS)
        # Keep the latest match: storing it refuses every code up to that step afterwards.
        if hmac.compare_digest(expected, typed) and step > floor_step:
            matched = step
    return matched
