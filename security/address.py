"""Daily-rotating keyed hashes of client addresses, for rate-limit keys.

A rate limit per address needs a key that is the same for every request from one address,
but a visitor's IP address must never be stored. The hash is keyed (HMAC-SHA256), so whoever
reads Redis cannot test guesses without the secret, and the key changes every day, so
yesterday's keys cannot be linked to today's: a visitor is not traceable across days even by
someone who holds the secret and the database, unless they hash the address they suspect.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress

__all__ = [
    "ADDRESS_HASH_HEX_CHARS",
    "IPV6_PREFIX_BITS",
    "MIN_ADDRESS_SECRET_BYTES",
    "AddressHasher",
    "AddressSecretError",
]

#: Length of an address hash, in hex characters (64 bits): enough that two addresses of one
#: day practically never share a rate limit, short enough for a Redis key.
ADDRESS_HASH_HEX_CHARS = 16
#: IPv6 addresses are hashed by their /64 network: one subscriber usually holds a whole /64
#: and could otherwise take a fresh address, and a fresh rate limit, for every request.
IPV6_PREFIX_BITS = 64
#: Shortest secret accepted, in bytes (128 bits).
MIN_ADDRESS_SECRET_BYTES = 16

_DAY_KEY_LABEL = b"fristad/address-hash/v1/"


class _AddressError(Exception):
    """Base class of this module's errors; catch it to handle them all."""


class AddressSecretError(_AddressError, ValueError):
    """The secret is shorter than :data:`MIN_ADDRESS_SECRET_BYTES`."""


def _canonical(address: str) -> str:
    text = address.strip()
    try:
        ip = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return text.lower()  # not an IP (a unix socket, "testclient"): hash as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)  # "::ffff:1.2.3.4" is the IPv4 client 1.2.3.4
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX_BITS), strict=False))
    return str(ip)


class AddressHasher:
    """Turns a client address into a short key that rotates daily.

    Args:
        secret: At least :data:`MIN_ADDRESS_SECRET_BYTES` random bytes, e.g. derived from the
            master key with :func:`security.crypto.derive_key`. Keep it secret: with it, an
            address can be tested against the day's keys.

    Raises:
        AddressSecretError: If ``secret`` is too short.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_ADDRESS_SECRET_BYTES:
            raise AddressSecretError(
                f"expected a secret of at least {MIN_ADDRESS_SECRET_BYTES} bytes, got {len(secret)}"
            )
        self._secret = secret

    def hash_address(self, address: str, day: datetime.date) -> str:
        """Hash one client address for one day.

        Equivalent spellings of an address (``::ffff:1.2.3.4`` and ``1.2.3.4``, any case or
        zero-compression of IPv6) hash alike, and every IPv6 address in one /64 does too.

        Args:
            address: The client host, without port, as the server reports it.
            day: The day the key is for, in the service's time zone; pass the same day for
                every request of that day.

        Returns:
            :data:`ADDRESS_HASH_HEX_CHARS` lowercase hex characters.
        """
        day_key = hmac.new(
            self._secret, _DAY_KEY_LABEL + day.isoformat().encode("ascii"), hashlib.sha256
        ).digest()
        digest = hmac.new(day_key, _canonical(address).encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:ADDRESS_HASH_HEX_CHARS]
