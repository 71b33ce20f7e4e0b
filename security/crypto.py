"""Envelope encryption, key loading, key derivation and keyed hashes.

Every chat gets its own random data key; the data key encrypts the chat's messages and is
stored only wrapped (encrypted) under the service's master key. Destroying a wrapped data key
destroys the chat, and a Redis dump without the master key reads as noise.

All symmetric encryption is AES-256-GCM with a fresh random 96-bit nonce per call. With random
nonces, NIST SP 800-38D limits one key to 2**32 encryptions; a data key encrypts one chat's
messages, far below that.

Every failure to decrypt (wrong key, wrong associated data, tampering, truncation) raises the
same :class:`DecryptionError`, with no detail, so that callers cannot leak which check failed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "KEY_BYTES",
    "MIN_HASH_KEY_BYTES",
    "NONCE_BYTES",
    "TAG_BYTES",
    "DecryptionError",
    "KeyFormatError",
    "decrypt",
    "derive_key",
    "encrypt",
    "generate_data_key",
    "keyed_hash",
    "load_master_key",
    "unwrap_key",
    "wrap_key",
]

#: Length of every AES-256 key, master or data key, in bytes.
KEY_BYTES = 32
#: Length of the random AES-GCM nonce prepended to every ciphertext, in bytes (96 bits).
NONCE_BYTES = 12
#: Length of the AES-GCM authentication tag appended by AESGCM, in bytes.
TAG_BYTES = 16
#: Shortest key accepted by :func:`keyed_hash`, in bytes: below 128 bits a lookup hash of a
#: low-entropy secret (a return code) could be brute-forced by whoever reads the database.
MIN_HASH_KEY_BYTES = 16

# Prefixed to the caller's context when wrapping keys, so that a wrapped key can never be
# mistaken for (or substituted by) a message encrypted with encrypt() under the same key.
_WRAP_AAD_PREFIX = b"fristad/wrap-key/v1\x00"


class _CryptoError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class DecryptionError(_CryptoError):
    """Ciphertext could not be authenticated and decrypted.

    Deliberately carries no detail: wrong key, wrong associated data, tampering and truncation
    all look the same to the caller.
    """


class KeyFormatError(_CryptoError):
    """A key has the wrong length or encoding.

    Messages never include the key material or the text it was parsed from.
    """


def generate_data_key() -> bytes:
    """Make a fresh random AES-256 key for one chat.

    Returns:
        :data:`KEY_BYTES` bytes from the operating system's CSPRNG.
    """
    return secrets.token_bytes(KEY_BYTES)


def _check_key(key: bytes, what: str) -> None:
    if len(key) != KEY_BYTES:
        raise KeyFormatError(f"{what} must be {KEY_BYTES} bytes, got {len(key)}")


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key``.

    Args:
        key: A :data:`KEY_BYTES`-byte data key.
        plaintext: The bytes to protect.
        aad: Associated data bound to the ciphertext but not encrypted, e.g. the chat id and
            message seq, so a stored blob cannot be moved to another chat or position.

    Raises:
        KeyFormatError: If ``key`` is not :data:`KEY_BYTES` long (a programming error).

    Returns:
        ``nonce || ciphertext || tag``: :data:`NONCE_BYTES` random bytes, then AES-GCM output.
    """
    _check_key(key, "key")
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Authenticate and decrypt a blob made by :func:`encrypt`.

    Args:
        key: The data key the blob was encrypted with.
        blob: ``nonce || ciphertext || tag`` as returned by :func:`encrypt`.
        aad: The same associated data that was given to :func:`encrypt`.

    Raises:
        KeyFormatError: If ``key`` is not :data:`KEY_BYTES` long (a programming error).
        DecryptionError: On any failure to authenticate: wrong key, wrong ``aad``, a modified
            or truncated blob.

    Returns:
        The original plaintext.
    """
    _check_key(key, "key")
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext is too short")
    nonce, ciphertext = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionError("ciphertext could not be authenticated") from None


def wrap_key(master: bytes, data_key: bytes, context: bytes) -> bytes:
    """Encrypt a data key under the master key, for storing next to the data it protects.

    Args:
        master: The service's :data:`KEY_BYTES`-byte master key.
        data_key: The :data:`KEY_BYTES`-byte key to protect.
        context: What the key belongs to (e.g. ``b"chat:" + chat_id``); bound as associated
            data so a wrapped key copied onto another chat fails to unwrap.

    Raises:
        KeyFormatError: If either key is not :data:`KEY_BYTES` long.

    Returns:
        The wrapped key, ``nonce || ciphertext || tag``.
    """
    _check_key(master, "master key")
    _check_key(data_key, "data key")
    return encrypt(master, data_key, _WRAP_AAD_PREFIX + context)


def unwrap_key(master: bytes, wrapped: bytes, context: bytes) -> bytes:
    """Recover a data key wrapped by :func:`wrap_key`.

    Args:
        master: The master key the data key was wrapped under.
        wrapped: The output of :func:`wrap_key`.
        context: The same context that was given to :func:`wrap_key`.

    Raises:
        KeyFormatError: If ``master`` is not :data:`KEY_BYTES` long.
        DecryptionError: If the wrapped key does not authenticate under this master key and
            context, or does not hold a key of the right length.

    Returns:
        The :data:`KEY_BYTES`-byte data key.
    """
    _check_key(master, "master key")
    data_key = decrypt(master, wrapped, _WRAP_AAD_PREFIX + context)
    if len(data_key) != KEY_BYTES:
        raise DecryptionError("wrapped key has the wrong length")
    return data_key


def load_master_key(text: str) -> bytes:
    """Parse the master key from its configured text form.

    Accepts standard or URL-safe base64, with or without ``=`` padding, with surrounding
    whitespace (a trailing newline from a key file is normal).

    Args:
        text: The value of ``FRISTAD_MASTER_KEY`` or the content of its key file.

    Raises:
        KeyFormatError: If the text is not base64 or does not decode to exactly
            :data:`KEY_BYTES` bytes. The message never repeats the text: it may be a real key
            with a typo, and error messages end up in logs.

    Returns:
        The :data:`KEY_BYTES`-byte master key.
    """
    compact = text.strip()
    # Map the URL-safe alphabet onto the standard one; mixing both is harmless.
    standard = compact.replace("-", "+").replace("_", "/")
    standard += "=" * (-len(standard) % 4)
    try:
        key = base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        # `from None`: the underlying error may quote part of the input.
        raise KeyFormatError(
            f"master key is not valid base64 (expected {KEY_BYTES} random bytes, base64-encoded)"
        ) from None
    if len(key) != KEY_BYTES:
        raise KeyFormatError(f"master key must decode to exactly {KEY_BYTES} bytes, got {len(key)}")
    return key


def derive_key(secret: bytes, salt: bytes, info: bytes) -> bytes:
    """Derive a :data:`KEY_BYTES`-byte key with HKDF-SHA256 (RFC 5869).

    HKDF is a key derivation function, not a password hash: ``secret`` must already carry
    enough entropy (return codes carry at least 64 bits). Use :mod:`security.passwords` for
    human-chosen secrets.

    Args:
        secret: The input keying material.
        salt: A non-secret random or per-purpose value; may be empty.
        info: What the key is for (e.g. ``b"fristad/return-code/v1"``), so one secret yields
            independent keys for different purposes.

    Returns:
        The derived key.
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info)
    return hkdf.derive(secret)


def keyed_hash(key: bytes, data: bytes) -> str:
    """Compute HMAC-SHA256 of ``data``, for lookups that must not store a secret in clear.

    Args:
        key: A secret of at least :data:`MIN_HASH_KEY_BYTES` bytes, typically derived with
            :func:`derive_key`. Without the key, the hash of a guessable value cannot be
            confirmed offline.
        data: The value to look up by, e.g. a return code.

    Raises:
        KeyFormatError: If ``key`` is shorter than :data:`MIN_HASH_KEY_BYTES`.

    Returns:
        64 lowercase hexadecimal characters.
    """
    if len(key) < MIN_HASH_KEY_BYTES:
        raise KeyFormatError(
            f"hash key must be at least {MIN_HASH_KEY_BYTES} bytes, got {len(key)}"
        )
    return hmac.new(key, data, hashlib.sha256).hexdigest()
